package amparo

import (
	"context"
	"time"
)

// Member kinds.
const (
	MemberAttorney      = "attorney"
	MemberAccreditedRep = "accredited_rep"
)

// Member statuses.
const (
	MemberActive    = "active"
	MemberSuspended = "suspended"
)

// Member is an attorney or an accredited representative of an organization.
// Its name, credentials and public phone are printed on letters; they are
// public by design and not encrypted.
type Member struct {
	ID             string
	OrganizationID string
	Name           string
	Kind           string
	// Attorneys:
	BarJurisdiction string // e.g. "California"
	BarNumber       string
	// Accredited representatives:
	RecognizedOrg     string
	AccreditationDate Date

	Email        string
	Languages    []string
	Interpreter  bool // works through an interpreter the organization provides
	CaseCapacity int
	PublicPhone  string // the number printed on letters
	// AccountID is the sign-in account of the person this record names, ""
	// until linked (when their invitation is accepted, or by an admin).
	// Only that account, with its second factor, issues letters in the
	// member's name.
	AccountID string
	Status    string
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Validate returns every problem of m, each naming its field.
func (m *Member) Validate() error {
	var c checker
	c.required("organization_id", m.OrganizationID)
	c.text("name", m.Name, MaxNameLen, true)
	c.oneOf("kind", m.Kind, MemberAttorney, MemberAccreditedRep)
	switch m.Kind {
	case MemberAttorney:
		c.text("bar_jurisdiction", m.BarJurisdiction, 40, true)
		c.text("bar_number", m.BarNumber, 20, true)
	case MemberAccreditedRep:
		c.text("recognized_org", m.RecognizedOrg, 80, true)
		if m.AccreditationDate.IsZero() {
			c.add("accreditation_date", "invalid.required", "is required")
		}
	}
	c.email("email", m.Email)
	c.languages("languages", m.Languages, true)
	c.nonNegative("case_capacity", m.CaseCapacity)
	c.phone("public_phone", m.PublicPhone, true)
	c.oneOf("status", m.Status, MemberActive, MemberSuspended)
	return c.err()
}

// MemberFilter selects members; zero fields match all.
type MemberFilter struct {
	ID             string
	OrganizationID string
	Status         string
	Offset         int
	Limit          int
}

// MemberService manages attorneys and accredited representatives.
type MemberService interface {
	FindMemberByID(ctx context.Context, id string) (*Member, error)
	FindMembers(ctx context.Context, f MemberFilter) ([]*Member, int, error)
	CreateMember(ctx context.Context, m *Member) error
	// UpdateMember changes a member; it never changes the linked account.
	UpdateMember(ctx context.Context, m *Member) error
	// LinkMemberAccount links a member record to the account of the person
	// it names ("" unlinks); the organization's admins or the program
	// office. EINVALID if the account is not a member or admin account of
	// the same organization; ECONFLICT if it is linked to another member;
	// EFORBIDDEN, ENOTFOUND.
	LinkMemberAccount(ctx context.Context, memberID, accountID string) error
}

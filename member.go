package amparo

import (
	"context"
	"time"
)

// MemberKind says whether a member is an attorney or an accredited
// representative.
type MemberKind string

// Member kinds.
const (
	MemberAttorney      MemberKind = "attorney"
	MemberAccreditedRep MemberKind = "accredited_rep"
)

// MemberStatus says whether a member may take clients and sign letters.
type MemberStatus string

// Member statuses.
const (
	MemberActive    MemberStatus = "active"
	MemberSuspended MemberStatus = "suspended"
	// MemberLeft members have left the organization: they take no clients
	// and sign nothing, and verifiers of their letters are shown the
	// organization's public number instead of theirs.
	MemberLeft MemberStatus = "left"
)

// Member is an attorney or an accredited representative of an organization.
// Its name, credentials and public phone are printed on letters; they are
// public by design and not encrypted.
type Member struct {
	ID             string
	OrganizationID string
	// Ref is the member's reference in the organization's signed roster,
	// unique within the organization and assigned when the member is added;
	// version 2 letters carry it instead of the member's name and numbers.
	Ref  int
	Name string
	Kind MemberKind
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
	Status    MemberStatus
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Validate returns every problem of m, each naming its field.
func (m *Member) Validate() error {
	var c checker
	c.required("organization_id", m.OrganizationID)
	c.text("name", m.Name, MaxNameLen, true)
	oneOf(&c, "kind", m.Kind, MemberAttorney, MemberAccreditedRep)
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
	oneOf(&c, "status", m.Status, MemberActive, MemberSuspended, MemberLeft)
	return c.err()
}

// MemberFilter selects members; zero fields match all.
type MemberFilter struct {
	ID             string
	OrganizationID string
	Status         MemberStatus
	// Q is part of a name, any case (members' names are public: printed
	// on letters).
	Q string
	// Sort is "name", "status" or "created", "-" first for descending;
	// "" is by name. EINVALID for any other.
	Sort   string
	Offset int
	Limit  int
}

// MemberSorts lists the orders MemberFilter.Sort takes (each also "-"
// first).
var MemberSorts = []string{"name", "status", "created"}

// MemberService manages attorneys and accredited representatives.
type MemberService interface {
	// FindMemberByID returns one member. What a member shows is printed on
	// letters: any actor may read it. ENOTFOUND if there is none.
	FindMemberByID(ctx context.Context, id string) (*Member, error)
	// FindMembers lists members by name, with the total matching f; any
	// actor may.
	FindMembers(ctx context.Context, f MemberFilter) ([]*Member, int, error)
	// CreateMember adds an attorney or accredited representative to an
	// organization, active unless m says otherwise: its admins or the
	// program office (Actor.Administers). EINVALID if m is invalid;
	// ECONFLICT for a bar number already used; EFORBIDDEN otherwise.
	CreateMember(ctx context.Context, m *Member) error
	// UpdateMember changes a member; it never changes the linked account.
	// Suspending (status suspended) and reactivating (back to active) are
	// audited as such.
	// EINVALID, ECONFLICT and EFORBIDDEN as for CreateMember; ENOTFOUND if
	// the organization has no such member.
	UpdateMember(ctx context.Context, m *Member) error
	// LinkMemberAccount links a member record to the account of the person
	// it names ("" unlinks). The organization's admins link a record not
	// yet linked; only the program office (or the system) unlinks or
	// relinks one, else the person accepts an invitation for the record.
	// Each link and unlink is audited. EINVALID if the account is not an
	// active member-role account of the same organization
	// (Role.LinksToMember); ECONFLICT if it
	// is linked to another member, or the record is linked and the actor
	// is not the program office; EFORBIDDEN, ENOTFOUND.
	LinkMemberAccount(ctx context.Context, memberID, accountID string) error
}

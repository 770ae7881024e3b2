package amparo

import (
	"context"
	"time"
)

// Letter statuses.
const (
	LetterDraft      = "draft"
	LetterActive     = "active"
	LetterRevoked    = "revoked"
	LetterExpired    = "expired"
	LetterSuperseded = "superseded"
)

// LetterStatuses lists every status, in lifecycle order.
var LetterStatuses = []string{LetterDraft, LetterActive, LetterRevoked, LetterExpired, LetterSuperseded}

// Letter is a letter of representation: a member of an organization
// represents a client. Staff prepare a draft and send it for approval; it
// becomes active when the member it names, signed in as themselves with
// their second factor, approves and issues it.
type Letter struct {
	ID             string
	ClientID       string
	MemberID       string
	OrganizationID string
	Status         string
	IssuedAt       time.Time // zero while draft
	// ValidUntil is the first instant the letter is no longer valid: the
	// midnight that ends its last valid day in the program's time zone
	// (Program.LastValidDay gives that day). Zero while draft.
	ValidUntil time.Time
	// SubmittedAt is when a draft was sent to its member for approval.
	SubmittedAt time.Time
	// ApprovedBy is the account that approved and issued the letter: the
	// member's own.
	ApprovedBy   string
	RevokedAt    time.Time
	RevokeReason string
	SupersededBy string   // the renewal's letter ID
	Languages    []string // the client's part of the letter, besides English
	CreatedAt    time.Time
	UpdatedAt    time.Time

	// The signed credential, once issued.
	CredentialID string // random 128-bit, hex
	SigningKeyID string
	StatusListID uint32
	StatusIndex  uint32
	// QR is the exact text of the letter's QR code. It holds the client's
	// name, so it is sealed at rest and filled only by FindLetterByID.
	QR string
}

// Validate returns every problem of l, each naming its field.
func (l *Letter) Validate() error {
	var c checker
	c.required("client_id", l.ClientID)
	c.required("member_id", l.MemberID)
	c.required("organization_id", l.OrganizationID)
	c.oneOf("status", l.Status, LetterStatuses...)
	c.languages("languages", l.Languages, false)
	if l.Status != LetterDraft {
		if l.IssuedAt.IsZero() {
			c.add("issued_at", "invalid.issued_at", "is required once a letter is issued")
		}
		if !l.ValidUntil.After(l.IssuedAt) {
			c.add("valid_until", "invalid.valid_until", "must be after the issue date")
		}
	}
	if l.Status == LetterRevoked {
		c.text("revoke_reason", l.RevokeReason, 500, true)
	}
	return c.err()
}

// LetterFilter selects letters; zero fields match all.
type LetterFilter struct {
	ID             string
	ClientID       string
	MemberID       string
	OrganizationID string
	Status         string
	// AwaitingApproval selects drafts sent for approval to the member
	// record linked to the actor's own account.
	AwaitingApproval bool
	Offset           int
	Limit            int
}

// LetterService manages the lifecycle of letters. Every step is audited.
type LetterService interface {
	FindLetterByID(ctx context.Context, id string) (*Letter, error)
	FindLetters(ctx context.Context, f LetterFilter) ([]*Letter, int, error)
	// CreateLetter stores a draft.
	CreateLetter(ctx context.Context, l *Letter) error
	// SubmitLetter sends a draft to its member for approval. ECONFLICT if
	// it is not a draft.
	SubmitLetter(ctx context.Context, id string) (*Letter, error)
	// IssueLetter approves a draft and makes it active from now for the
	// program's validity. Only the member it names may, signed in with
	// their second factor (EFORBIDDEN otherwise).
	IssueLetter(ctx context.Context, id string) (*Letter, error)
	// RenewLetter issues a new letter for the same client and member and
	// marks the old one superseded. The old credential is not revoked: the
	// card the client carries verifies until its own date. Only the member
	// named, with their second factor (EFORBIDDEN otherwise).
	RenewLetter(ctx context.Context, id string) (*Letter, error)
	// RevokeLetter revokes an active or superseded letter, for a reason:
	// the member named or the organization's admins (EFORBIDDEN otherwise).
	RevokeLetter(ctx context.Context, id, reason string) (*Letter, error)
	// ExpireLetters marks active letters past their date as expired and
	// returns how many changed.
	ExpireLetters(ctx context.Context, now time.Time) (int, error)
}

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
// represents a client. A draft becomes active when the member issues it.
type Letter struct {
	ID             string
	ClientID       string
	MemberID       string
	OrganizationID string
	Status         string
	IssuedAt       time.Time // zero while draft
	ValidUntil     time.Time // zero while draft
	RevokedAt      time.Time
	RevokeReason   string
	SupersededBy   string   // the renewal's letter ID
	Languages      []string // the client's part of the letter, besides English
	CreatedAt      time.Time
	UpdatedAt      time.Time

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
			c.add("issued_at", "is required once a letter is issued")
		}
		if !l.ValidUntil.After(l.IssuedAt) {
			c.add("valid_until", "must be after the issue date")
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
	Offset         int
	Limit          int
}

// LetterService manages the lifecycle of letters. Every step is audited.
type LetterService interface {
	FindLetterByID(ctx context.Context, id string) (*Letter, error)
	FindLetters(ctx context.Context, f LetterFilter) ([]*Letter, int, error)
	// CreateLetter stores a draft.
	CreateLetter(ctx context.Context, l *Letter) error
	// IssueLetter makes a draft active from now for the program's validity.
	IssueLetter(ctx context.Context, id string) (*Letter, error)
	// RenewLetter issues a new letter for the same client and member and
	// marks the old one superseded.
	RenewLetter(ctx context.Context, id string) (*Letter, error)
	// RevokeLetter revokes an active letter; a reason is required.
	RevokeLetter(ctx context.Context, id, reason string) (*Letter, error)
	// ExpireLetters marks active letters past their date as expired and
	// returns how many changed.
	ExpireLetters(ctx context.Context, now time.Time) (int, error)
}

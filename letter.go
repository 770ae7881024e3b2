package amparo

import (
	"context"
	"time"
)

// LetterStatus is where a letter is in its lifecycle.
type LetterStatus string

// Letter statuses.
const (
	LetterDraft      LetterStatus = "draft"
	LetterActive     LetterStatus = "active"
	LetterRevoked    LetterStatus = "revoked"
	LetterExpired    LetterStatus = "expired"
	LetterSuperseded LetterStatus = "superseded"
)

// LetterStatuses lists every status, in lifecycle order.
var LetterStatuses = []LetterStatus{LetterDraft, LetterActive, LetterRevoked, LetterExpired, LetterSuperseded}

// Letter is a letter of representation: a member of an organization
// represents a client. Staff prepare a draft and send it for approval; it
// becomes active when the member it names, signed in as themselves with
// their second factor, approves and issues it.
type Letter struct {
	ID             string
	ClientID       string
	MemberID       string
	OrganizationID string
	Status         LetterStatus
	IssuedAt       time.Time // zero while draft
	// ValidUntil is the first instant the letter is no longer valid: the
	// midnight that ends its last valid day in the program's time zone
	// (Program.LastValidDay gives that day). Zero while draft.
	ValidUntil time.Time
	// SubmittedAt is when a draft was sent to its member for approval.
	SubmittedAt time.Time
	// ApprovedBy is the account that approved and issued the letter: the
	// member's own.
	ApprovedBy string
	// CreatedBy is the account that prepared the letter; SubmittedBy the
	// one that sent it for approval.
	CreatedBy    string
	SubmittedBy  string
	RevokedAt    time.Time
	RevokeReason string
	SupersededBy string   // the renewal's letter ID
	Languages    []string // the client's part of the letter, besides English
	CreatedAt    time.Time
	UpdatedAt    time.Time

	// ClientName and MemberName are the client's legal name and the
	// member's name, for lists and pages: filled by FindLetters and
	// FindLetterByID, never stored with the letter. ClientName is empty for
	// a letter whose client was erased.
	ClientName string
	MemberName string

	// The signed credential, once issued.
	CredentialID string // hex: random 64-bit (version 2) or 128-bit (version 1)
	// CredentialVersion is 2 for letters issued from now on, 1 for older ones.
	CredentialVersion int
	SigningKeyID      string
	StatusListID      uint32
	StatusIndex       uint32
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
	oneOf(&c, "status", l.Status, LetterStatuses...)
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
	Status         LetterStatus
	// AwaitingApproval selects drafts sent for approval to the member
	// record linked to the actor's own account.
	AwaitingApproval bool
	// ClientName selects letters whose client's legal or preferred name
	// holds every word of it, ignoring case and accents (the blind index).
	ClientName string
	// ExpiresBefore selects active letters whose validity ends before it:
	// "expiring within 30 days" is now plus 30 days.
	ExpiresBefore time.Time
	// CredentialVersion selects issued letters whose credential is of this
	// version (1 or 2); 0 matches all.
	CredentialVersion int
	// Sort orders the letters: "created" (the default is newest first,
	// "-created"), "issued", "expiry" or "status", "-" first for
	// descending; the ID breaks ties. EINVALID for any other.
	Sort   string
	Offset int
	Limit  int
}

// LetterSorts are the orders a letter list may ask for (LetterFilter.Sort,
// each also descending).
var LetterSorts = []string{"created", "issued", "expiry", "status"}

// LetterService manages the lifecycle of letters. Every step is audited.
type LetterService interface {
	// FindLetterByID returns one letter of the actor's organization, with
	// its QR text; the read is audited. ENOTFOUND if the organization has
	// no such letter; EFORBIDDEN unless the actor sees clients
	// (Actor.SeesClients), as for every method below.
	FindLetterByID(ctx context.Context, id string) (*Letter, error)
	// FindLetters lists the actor's organization's letters in f.Sort's
	// order (newest first by default), with the total matching f, the
	// client's and member's names filled; without their QR text. Naming
	// clients, it is audited as a client list. EINVALID for an unknown
	// sort; EFORBIDDEN.
	FindLetters(ctx context.Context, f LetterFilter) ([]*Letter, int, error)
	// CreateLetter stores a draft. EINVALID if l is invalid, or its client
	// or member is not of its organization, or the member is suspended;
	// EFORBIDDEN for another organization (Actor.WritesClientsOf).
	CreateLetter(ctx context.Context, l *Letter) error
	// SubmitLetter sends a draft to its member for approval. ECONFLICT if
	// it is not a draft; ENOTFOUND; EFORBIDDEN.
	SubmitLetter(ctx context.Context, id string) (*Letter, error)
	// IssueLetter approves a draft and makes it active from now for the
	// program's validity. Only the member it names may, signed in with
	// their second factor (Actor.SignsFor; EFORBIDDEN otherwise).
	// ECONFLICT if it is not a draft, the client has an active letter, or
	// the program's capacity is reached; EINVALID if its member is
	// suspended; ENOTFOUND.
	IssueLetter(ctx context.Context, id string) (*Letter, error)
	// RenewLetter issues a new letter for the same client and member and
	// marks the old one superseded. The old credential is not revoked: the
	// card the client carries verifies until its own date. Only the member
	// named, with their second factor (Actor.SignsFor; EFORBIDDEN
	// otherwise). ECONFLICT if the letter is neither active nor expired;
	// EINVALID, the capacity's ECONFLICT and ENOTFOUND as for IssueLetter.
	RenewLetter(ctx context.Context, id string) (*Letter, error)
	// ReissueLetter reissues an active letter of credential version 1 as
	// version 2: a new active letter for the same client, member,
	// languages and dates, approved by whoever approved the old one, whose
	// credential is version 2; the old letter becomes superseded by it.
	// The old card keeps verifying until its own date, and revoking the new
	// letter revokes it too (RevokeLetter). What the member approved is
	// unchanged, so no signature of theirs is asked: the program's
	// operators and admins reissue (Actor.ManagesKeys; EFORBIDDEN
	// otherwise). Audited as letter.reissue on both letters. ECONFLICT if
	// the letter is not active or its credential is version 2 already;
	// ENOTFOUND.
	ReissueLetter(ctx context.Context, id string) (*Letter, error)
	// RevokeLetter revokes an active or superseded letter, for a reason:
	// the member named or the organization's admins (Actor.RevokesFor;
	// EFORBIDDEN otherwise). The earlier letters it superseded, directly or
	// transitively, whose cards still verify are revoked with it, for the
	// same reason and at the same instant (RevokedAt); a newer letter never
	// is. ECONFLICT for a letter revoked already, or neither active nor
	// superseded within its dates; EINVALID without a reason; ENOTFOUND.
	RevokeLetter(ctx context.Context, id, reason string) (*Letter, error)
	// ExpireLetters marks active letters past their date as expired and
	// returns how many changed. EFORBIDDEN.
	ExpireLetters(ctx context.Context, now time.Time) (int, error)
}

package amparo

import (
	"context"
	"time"
)

// PhoneLink is the private way to a client's phone page: an unguessable
// link and a short PIN, given to the client with their first letter. The
// link is the client's, not a letter's: it stays the same when a letter is
// renewed, and always shows the client's current letter. Nothing personal
// is in the link.
type PhoneLink struct {
	ID        string
	ClientID  string
	Token     string // the secret part of the link
	PIN       string
	CreatedAt time.Time
	RevokedAt time.Time
}

// PhoneLetter is what a phone page shows: what the client's current letter
// itself shows, and never the immigration situation, address or case
// details. The current letter is the client's newest active letter or,
// when none is active, their newest issued one (so a revoked or expired
// letter's page says so); a letter its renewal replaced is never current.
type PhoneLetter struct {
	LinkID          string
	LetterID        string
	Status          LetterStatus
	ClientName      string
	Language        string // the client's, for the know-your-rights text
	MemberName      string
	MemberKind      MemberKind
	BarJurisdiction string
	BarNumber       string
	RecognizedOrg   string
	MemberPhone     string
	Organization    string
	ValidUntil      time.Time
	QR              string
}

// PhoneService manages clients' phone links and opens phone pages. The
// methods that take a letter ID act on the link of that letter's client.
type PhoneService interface {
	// CreatePhoneLink makes a new link and PIN for the client of an active
	// letter; the client's previous link stops working. ENOTFOUND if the
	// actor's organization has no such letter; EFORBIDDEN unless the actor
	// sees clients (Actor.SeesClients).
	CreatePhoneLink(ctx context.Context, letterID string) (*PhoneLink, error)
	// FindPhoneLink returns the working link of the letter's client, with
	// its token and PIN; the read is audited. ENOTFOUND if there is no
	// such letter or the client has no working link; EFORBIDDEN as for
	// CreatePhoneLink.
	FindPhoneLink(ctx context.Context, letterID string) (*PhoneLink, error)
	// RevokePhoneLink stops the working link of the letter's client.
	// ENOTFOUND and EFORBIDDEN as for FindPhoneLink.
	RevokePhoneLink(ctx context.Context, letterID string) error
	// OpenPhoneLetter checks a PIN for a link token, sent from source (the
	// address the PIN came from; kept only as a keyed hash), and returns
	// the page. Wrong PINs lock out the source that made them, and each
	// link has a daily budget of wrong PINs across all sources:
	// EUNAUTHORIZED for a wrong PIN or a link that does not work (the two
	// are not told apart), ECONFLICT with the wait while the source or the
	// link is locked. Any actor, a visitor above all, may call it.
	OpenPhoneLetter(ctx context.Context, token, pin, source string) (*PhoneLetter, error)
	// PhoneLetterByLink returns the page for a link already opened with its
	// PIN (the caller keeps proof of that, such as a signed cookie). It is
	// never subject to the PIN lockout. ENOTFOUND if the link no longer
	// works.
	PhoneLetterByLink(ctx context.Context, linkID string) (*PhoneLetter, error)
}

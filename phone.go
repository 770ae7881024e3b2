package amparo

import (
	"context"
	"time"
)

// PhoneLink is the private way to a letter's phone page: an unguessable
// link and a short PIN, given to the client at issuance. Nothing personal
// is in the link.
type PhoneLink struct {
	ID        string
	LetterID  string
	Token     string // the secret part of the link
	PIN       string
	CreatedAt time.Time
	RevokedAt time.Time
}

// PhoneLetter is what a phone page shows: what the letter itself shows,
// and never the immigration situation, address or case details.
type PhoneLetter struct {
	LinkID          string
	LetterID        string
	Status          string
	ClientName      string
	Language        string // the client's, for the know-your-rights text
	MemberName      string
	MemberKind      string
	BarJurisdiction string
	BarNumber       string
	RecognizedOrg   string
	MemberPhone     string
	Organization    string
	ValidUntil      time.Time
	QR              string
}

// PhoneService manages phone links and opens phone pages.
type PhoneService interface {
	// CreatePhoneLink makes a new link and PIN for a letter, revoking the
	// letter's previous link.
	CreatePhoneLink(ctx context.Context, letterID string) (*PhoneLink, error)
	// FindPhoneLink returns a letter's current link, with its token and PIN.
	FindPhoneLink(ctx context.Context, letterID string) (*PhoneLink, error)
	RevokePhoneLink(ctx context.Context, letterID string) error
	// OpenPhoneLetter checks a PIN for a link token and returns the page.
	// Wrong PINs are throttled per link: EUNAUTHORIZED for a wrong PIN,
	// ECONFLICT with the wait while the link is locked.
	OpenPhoneLetter(ctx context.Context, token, pin string) (*PhoneLetter, error)
	// PhoneLetterByLink returns the page for a link already opened with its
	// PIN (the caller keeps proof of that, such as a signed cookie).
	PhoneLetterByLink(ctx context.Context, linkID string) (*PhoneLetter, error)
}

package amparo

import (
	"context"
	"net/url"
	"time"
)

// DefaultLetterValidityDays is how long a letter is valid unless the program
// says otherwise.
const DefaultLetterValidityDays = 365

// Program is the one legal-protection program an installation runs.
type Program struct {
	Name               string
	Jurisdiction       string   // the city, county or state that runs it
	LetterCapacity     int      // letters the program funds, e.g. 500
	Languages          []string // languages offered, e.g. ["en", "es"]
	LetterValidityDays int
	// TimeZone is the IANA name of the program's time zone, such as
	// "America/Los_Angeles": letters are valid by calendar day there.
	TimeZone  string
	VerifyURL string // public base URL of the verify page
	UpdatedAt time.Time
}

// Validate returns every problem of p, each naming its field.
func (p *Program) Validate() error {
	var c checker
	c.text("name", p.Name, 200, true)
	c.text("jurisdiction", p.Jurisdiction, 200, true)
	c.nonNegative("letter_capacity", p.LetterCapacity)
	c.languages("languages", p.Languages, true)
	if p.LetterValidityDays < 1 || p.LetterValidityDays > 3*365 {
		c.add("letter_validity_days", "invalid.validity_days", "must be between 1 and %d days", 3*365)
	}
	if _, err := time.LoadLocation(p.TimeZone); p.TimeZone == "" || err != nil {
		c.add("time_zone", "invalid.time_zone", "must be a time zone name, such as America/Los_Angeles")
	}
	if u, err := url.Parse(p.VerifyURL); p.VerifyURL == "" || err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		c.add("verify_url", "invalid.verify_url", "must be an absolute http or https URL, such as https://amparo.example.org/v")
	} else if u.Fragment != "" || u.RawQuery != "" {
		c.add("verify_url", "invalid.verify_url_fragment", "must not have a query or fragment: the credential goes in the fragment")
	}
	return c.err()
}

// DefaultTimeZone is the program's time zone until it is set.
const DefaultTimeZone = "UTC"

// Location returns the program's time zone; UTC if it cannot be loaded.
func (p *Program) Location() *time.Location {
	return ZoneOf(p.TimeZone)
}

// ZoneOf loads an IANA time zone, UTC if it cannot.
func ZoneOf(name string) *time.Location {
	if loc, err := time.LoadLocation(name); err == nil && name != "" {
		return loc
	}
	return time.UTC
}

// LetterValidUntil is when a letter issued at issued stops being valid:
// the end of the day LetterValidityDays after the day of issue, both in
// the program's time zone. A letter issued on 3 December 2026 for 365 days
// is valid through 3 December 2027, until midnight starts the 4th.
func (p *Program) LetterValidUntil(issued time.Time) time.Time {
	return EndOfDay(issued, p.LetterValidityDays, p.Location())
}

// EndOfDay is the midnight, in loc, that ends the day days after t's day.
func EndOfDay(t time.Time, days int, loc *time.Location) time.Time {
	d := t.In(loc)
	return time.Date(d.Year(), d.Month(), d.Day()+days+1, 0, 0, 0, 0, loc).UTC()
}

// LastValidDay is the last calendar day, in the program's time zone, on
// which a letter valid until validUntil is valid: the date every letter,
// card, phone page and verifier prints.
func (p *Program) LastValidDay(validUntil time.Time) Date {
	return LastValidDay(validUntil, p.Location())
}

// LastValidDay is the calendar day, in loc, of the last instant before
// validUntil.
func LastValidDay(validUntil time.Time, loc *time.Location) Date {
	if validUntil.IsZero() {
		return Date{}
	}
	return DayOf(validUntil.Add(-time.Nanosecond), loc)
}

// DayOf is the calendar day of t in loc: the day a person in the program's
// time zone would write for it.
func DayOf(t time.Time, loc *time.Location) Date {
	d := t.In(loc)
	return Date{time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, time.UTC)}
}

// ProgramService reads and changes the program's settings, and counts
// its numbers for the dashboards.
type ProgramService interface {
	DashboardService
	// FindProgram returns the program's settings; any actor may read them.
	FindProgram(ctx context.Context) (*Program, error)
	// LettersLeft is the program's letter capacity less its active letters
	// and the applicants matched to be served: an aggregate anyone may see.
	LettersLeft(ctx context.Context) (int, error)
	// UpdateProgram changes the program's settings. EINVALID if p is
	// invalid; EFORBIDDEN unless the actor runs the program
	// (Actor.RunsProgram).
	UpdateProgram(ctx context.Context, p *Program) error
}

// PublicURL is the address of path (starting with "/") on the program's
// public site: the scheme and host of VerifyURL. Every address Amparo
// gives out — phone pages, invitations — is made here, on the command
// line and on the web alike. It is path alone when VerifyURL is not an
// absolute URL.
func (p *Program) PublicURL(path string) string {
	u, err := url.Parse(p.VerifyURL)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return path
	}
	return u.Scheme + "://" + u.Host + path
}

// PhoneURL is the address of a phone page: /p/ and the link's token.
func (p *Program) PhoneURL(token string) string { return p.PublicURL("/p/" + token) }

// InviteURL is the address that accepts an invitation: /invite/ and its
// token.
func (p *Program) InviteURL(token string) string { return p.PublicURL("/invite/" + token) }

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
	VerifyURL          string // public base URL of the verify page
	UpdatedAt          time.Time
}

// Validate returns every problem of p, each naming its field.
func (p *Program) Validate() error {
	var c checker
	c.text("name", p.Name, 200, true)
	c.text("jurisdiction", p.Jurisdiction, 200, true)
	c.nonNegative("letter_capacity", p.LetterCapacity)
	c.languages("languages", p.Languages, true)
	if p.LetterValidityDays < 1 || p.LetterValidityDays > 3*365 {
		c.add("letter_validity_days", "must be between 1 and %d days", 3*365)
	}
	if u, err := url.Parse(p.VerifyURL); p.VerifyURL == "" || err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		c.add("verify_url", "must be an absolute http or https URL, such as https://amparo.example.org/v")
	} else if u.Fragment != "" || u.RawQuery != "" {
		c.add("verify_url", "must not have a query or fragment: the credential goes in the fragment")
	}
	return c.err()
}

// LetterValidity returns the validity period as a duration.
func (p *Program) LetterValidity() time.Duration {
	return time.Duration(p.LetterValidityDays) * 24 * time.Hour
}

// ProgramService reads and changes the program's settings.
type ProgramService interface {
	FindProgram(ctx context.Context) (*Program, error)
	// LettersLeft is the program's letter capacity less its active letters
	// and the applicants matched to be served: an aggregate anyone may see.
	LettersLeft(ctx context.Context) (int, error)
	UpdateProgram(ctx context.Context, p *Program) error
}

// PhoneURL is the address of a phone page: the verify page's host, /p/, and
// the link's token.
func (p *Program) PhoneURL(token string) string {
	u, err := url.Parse(p.VerifyURL)
	if err != nil {
		return "/p/" + token
	}
	return u.Scheme + "://" + u.Host + "/p/" + token
}

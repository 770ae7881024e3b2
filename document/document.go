package document

import (
	"io"
	"strings"
	"time"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/locale"
)

// Letter is everything the letter and the card print, and nothing more:
// never the client's address, situation or case.
type Letter struct {
	ID       string
	QR       string // the exact text of the letter's QR code
	IssuedAt time.Time
	// ValidUntil is the midnight, in Location, that ends the last valid
	// day: the letter prints that day (see LastDay).
	ValidUntil time.Time
	// Location is the program's time zone, where dates are days; nil is UTC.
	Location   *time.Location
	ClientName string
	// Languages of the client's part, besides English; none means English.
	Languages    []string
	Member       Member
	Organization Organization
	Program      Program
	// Photo is the client's photo for the card, JPEG or PNG; optional.
	Photo []byte
	// PhoneLink is the private link to the client's phone page; when given,
	// the client's part of the letter prints it as a second QR code.
	PhoneLink string
}

// Member is the attorney or accredited representative who signs.
type Member struct {
	Name              string
	Kind              amparo.MemberKind
	BarJurisdiction   string
	BarNumber         string
	RecognizedOrg     string
	AccreditationDate time.Time
	Phone             string
	// Signature is an image of the member's signature, JPEG or PNG;
	// without one the letter prints "/s/ Name".
	Signature []byte
}

// Organization is the partner organization whose letterhead is printed.
type Organization struct {
	Name  string
	Phone string
	Email string
}

// Program is the legal-protection program the letter belongs to.
type Program struct {
	Name         string
	Jurisdiction string
}

// NewLetter copies from the store's records what a letter prints.
func NewLetter(l *amparo.Letter, c *amparo.Client, m *amparo.Member, o *amparo.Organization, p *amparo.Program) *Letter {
	return &Letter{
		ID: l.ID, QR: l.QR, IssuedAt: l.IssuedAt, ValidUntil: l.ValidUntil, Location: p.Location(),
		ClientName: c.LegalName, Languages: l.Languages,
		Member: Member{Name: m.Name, Kind: m.Kind, BarJurisdiction: m.BarJurisdiction, BarNumber: m.BarNumber,
			RecognizedOrg: m.RecognizedOrg, AccreditationDate: m.AccreditationDate.Time, Phone: m.PublicPhone},
		Organization: Organization{Name: o.Name, Phone: o.ContactPhone, Email: o.ContactEmail},
		Program:      Program{Name: p.Name, Jurisdiction: p.Jurisdiction},
	}
}

// IssuedOn is the day of issue in the program's time zone.
func (l *Letter) IssuedOn() time.Time { return l.IssuedAt.In(l.zone()) }

// LastDay is the last day the letter is valid, in the program's time
// zone: it is valid through the end of that day.
func (l *Letter) LastDay() time.Time { return amparo.LastValidDay(l.ValidUntil, l.zone()).Time }

func (l *Letter) zone() *time.Location {
	if l.Location == nil {
		return time.UTC
	}
	return l.Location
}

// Validate names every field a letter cannot be printed without.
func (l *Letter) Validate() error {
	var missing []string
	need := func(field, v string) {
		if strings.TrimSpace(v) == "" {
			missing = append(missing, field)
		}
	}
	need("qr", l.QR)
	need("client_name", l.ClientName)
	need("member.name", l.Member.Name)
	need("member.phone", l.Member.Phone)
	need("organization.name", l.Organization.Name)
	if l.Member.Kind == amparo.MemberAccreditedRep {
		need("member.recognized_org", l.Member.RecognizedOrg)
		if l.Member.AccreditationDate.IsZero() {
			missing = append(missing, "member.accreditation_date")
		}
	} else {
		need("member.bar_jurisdiction", l.Member.BarJurisdiction)
		need("member.bar_number", l.Member.BarNumber)
	}
	if l.IssuedAt.IsZero() || !l.ValidUntil.After(l.IssuedAt) {
		missing = append(missing, "valid_until")
	}
	if len(missing) > 0 {
		return amparo.Errorf(amparo.EINVALID, "letter %s cannot be printed: %s missing or invalid", l.ID, strings.Join(missing, ", "))
	}
	return nil
}

// Renderer renders letters and cards in the catalogs' languages. It is
// safe for concurrent use.
type Renderer struct {
	cat   *locale.Catalog
	known map[string]bool // languages with a catalog, complete or partial
	codes qrCache
	runes map[string]string // see include
}

// New returns a renderer that takes its words from cat.
func New(cat *locale.Catalog) *Renderer {
	r := &Renderer{cat: cat, known: map[string]bool{}}
	langs := append(append([]string(nil), cat.Languages()...), cat.Partial()...)
	for _, l := range langs {
		r.known[l] = true
	}
	r.runes = fontRunes(cat, langs)
	return r
}

// include returns the characters that a document in English and langs
// embeds in its font subsets whether it prints them or not: printable
// ASCII, Latin-1 and every character of those languages' printed
// messages. Then the documents whose names, places and numbers add no
// other character have the same subsets, and fpdf makes each once per
// process instead of once per document. It costs a document a few
// kilobytes.
func (r *Renderer) include(langs ...string) []string {
	out, seen := []string{r.runes[""], r.runes["en"]}, map[string]bool{"en": true}
	for _, l := range langs {
		if !seen[l] {
			seen[l] = true
			out = append(out, r.runes[l])
		}
	}
	return out
}

// Letter writes the letter as a PDF: the officer's page in English, then
// one page for the client in each of the letter's languages.
func (r *Renderer) Letter(w io.Writer, l *Letter) error {
	d, err := r.letter(l)
	if err != nil {
		return err
	}
	return d.output(w)
}

// Card writes the wallet card as a two-page PDF, front and back, each card
// centred on a page with room for crop marks around it.
func (r *Renderer) Card(w io.Writer, l *Letter) error {
	d, err := r.card(l)
	if err != nil {
		return err
	}
	return d.output(w)
}

// CardSheet writes cards ten to a US Letter sheet: a page of fronts, then
// a page of the same cards' backs placed for long-edge duplex printing.
func (r *Renderer) CardSheet(w io.Writer, ls ...*Letter) error {
	d, err := r.sheet(ls)
	if err != nil {
		return err
	}
	return d.output(w)
}

// t returns a message of lang.
func (r *Renderer) t(lang, key string, args ...any) string { return r.cat.T(lang, key, args...) }

// date writes t as a long date in lang, such as "March 5, 2025".
func (r *Renderer) date(lang string, t time.Time) string {
	return r.cat.Date(lang, t)
}

// clientLanguages returns the languages of the client's part, each once:
// a language without a catalog is printed in English.
func (r *Renderer) clientLanguages(l *Letter) []string {
	var out []string
	seen := map[string]bool{}
	for _, lang := range l.Languages {
		if !r.known[lang] {
			lang = "en"
		}
		if !seen[lang] {
			seen[lang] = true
			out = append(out, lang)
		}
	}
	if len(out) == 0 {
		out = []string{"en"}
	}
	return out
}

// clientLanguage is the one language the card prints besides English.
func (r *Renderer) clientLanguage(l *Letter) string {
	for _, lang := range r.clientLanguages(l) {
		if lang != "en" {
			return lang
		}
	}
	return "en"
}

package document

import (
	"io"
	"strings"
	"testing"
	"time"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/internal/testenv"
)

// TestPDF_DatesInTheProgramsZone: the letter and the card print the day
// of issue and the last valid day in the program's time zone, whatever
// the UTC date of the instants: issued late on 3 December in Los Angeles
// (the 4th in UTC) or early on the 3rd in Madrid (the 2nd in UTC), both
// are valid through 3 December 2027.
func TestPDF_DatesInTheProgramsZone(t *testing.T) {
	testenv.Commands(t, "pdftotext")
	r := renderer(t)
	for _, tt := range []struct {
		zone   string
		issued time.Time
	}{
		{"America/Los_Angeles", time.Date(2026, 12, 3, 22, 30, 0, 0, time.UTC)},
		{"Europe/Madrid", time.Date(2026, 12, 3, 0, 30, 0, 0, time.UTC)},
	} {
		t.Run(tt.zone, func(t *testing.T) {
			p := &amparo.Program{TimeZone: tt.zone, LetterValidityDays: 365}
			loc := p.Location()
			issued := time.Date(tt.issued.Year(), tt.issued.Month(), tt.issued.Day(), tt.issued.Hour(), tt.issued.Minute(), 0, 0, loc)
			if issued.UTC().Day() == 3 {
				t.Fatalf("the test needs an issue time on another UTC day than the local one: %v", issued.UTC())
			}
			l := sample("es")
			l.IssuedAt, l.ValidUntil, l.Location = issued, p.LetterValidUntil(issued), loc
			letter := pdfText(t, write(t, "letter.pdf", func(w io.Writer) error { return r.Letter(w, l) }))
			for _, s := range []string{"This letter is valid from December 3, 2026 to December 3, 2027.",
				"Su carta es válida hasta el 3 de diciembre de 2027."} {
				if !strings.Contains(letter, s) {
					t.Errorf("letter: no %q in:\n%s", s, letter)
				}
			}
			card := pdfText(t, write(t, "card.pdf", func(w io.Writer) error { return r.Card(w, l) }))
			if !strings.Contains(card, "December 3, 2027") || strings.Contains(card, "December 4, 2027") || strings.Contains(card, "December 2, 2027") {
				t.Errorf("card: want December 3, 2027 alone in:\n%s", card)
			}
		})
	}
}

package screening_test

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/screening"
)

func TestNormalizeCompany(t *testing.T) {
	for _, c := range []struct {
		in, core string
		legal    []string
		jv       bool
	}{
		{"FISHER SAND & GRAVEL CO.", "fisher sand gravel", []string{"CO."}, false},
		{"The Fisher Sand and Gravel Company, Inc.", "fisher sand gravel", []string{"Inc.", "Company"}, false},
		{"Goldman Sachs & Co. LLC", "goldman sachs", []string{"LLC", "Co."}, false},
		{"Construcciones Vega Montaño, S.A. de C.V.", "construction vega montano", []string{"S.A. de C.V."}, false},
		{"Ibarra Hermanos S. de R.L. de C.V.", "ibarra hermanos", []string{"S. de R.L. de C.V."}, false},
		{"Calloway Bros. Constr. Intl", "calloway brothers construction international", nil, false},
		{"Barnard Fisher Border Constructors JV", "barnard fisher border constructors", []string{"JV"}, true},
		{"J. H. Pemberton Co.", "jh pemberton", []string{"Co."}, false},
		{"A.B.C. Fencing L.L.C.", "abc fencing", []string{"L.L.C."}, false},
		{"LLC Construction Dredging Company", "construction dredging", []string{"Company", "LLC"}, false},
		{"SiemensAG", "siemens", []string{"AG"}, false},
		{"Company Inc.", "company inc", nil, false},
		{"Brigade Forty-Four", "brigade forty four", nil, false},
		{"Siemens Aktiengeselschaft", "siemens", []string{"Aktiengeselschaft"}, false},
		{"TACTICAL MISSILES CORPORATION JOINT STOCK COMPAN", "tactical missiles", []string{"JOINT STOCK COMPAN", "CORPORATION"}, false},
		{"Redtail Limo", "redtail limo", nil, false}, // short: no field cut it
		{"TACTICAL MISSILES CORPORATION JOYNT STOCK COMPANY", "tactical missiles", []string{"JOYNT STOCK COMPANY", "CORPORATION"}, false},
		{"Saguaro Earthworks Limited Liabilty Company", "saguaro earthworks", []string{"Limited Liabilty Company"}, false},
		{"Kestrel Stack Company", "kestrel stack", []string{"Company"}, false},
		{"FABERLIC EUROPE Sp. z o.o.", "faberlic europe", []string{"Sp. z o.o."}, false},
		{"Quillon Holding GmbH & Co. KG", "quillon holding", []string{"GmbH & Co. KG"}, false},
		{"", "", nil, false},
	} {
		n := screening.NormalizeCompany(c.in)
		if n.Core() != c.core || !slices.Equal(n.LegalForms, c.legal) || n.JV != c.jv {
			t.Errorf("%q: core %q, legal %q, jv %v; want %q, %q, %v", c.in, n.Core(), n.LegalForms, n.JV, c.core, c.legal, c.jv)
		}
	}
	n := screening.NormalizeCompany("Quetzal Paving Fund II, 2nd Series 44")
	var nums []string
	for _, w := range n.Words {
		if w.Kind == screening.WordNumber {
			nums = append(nums, w.Key)
		}
	}
	if !slices.Equal(nums, []string{"2", "2", "44"}) {
		t.Errorf("numbers %q", nums)
	}
	if got := screening.NormalizeCompany("Brigade Forty-Four").Words[1]; got.Kind != screening.WordNumber || got.Key != "44" {
		t.Errorf("forty-four: %+v", got)
	}
	// "I", "V", "X" ending a name number a series; elsewhere they are initials.
	for in, want := range map[string]screening.NameWordKind{"Citigroup Capital Trust I": screening.WordNumber,
		"Bain Capital Fund X L.P.": screening.WordNumber, "Kestrel Fund V": screening.WordNumber,
		"Pemberton Fund V Holdings": screening.WordInitials, "Fund V": screening.WordInitials, "J H V": screening.WordInitials} {
		n := screening.NormalizeCompany(in)
		var kind screening.NameWordKind = 99
		for _, w := range n.Words {
			if w.Orig == "I" || w.Orig == "V" || w.Orig == "X" || strings.Contains(w.Orig, "V") && w.Kind == screening.WordInitials {
				kind = w.Kind
			}
		}
		if kind != want {
			t.Errorf("%q: words %+v, want the numeral read as kind %d", in, n.Words, want)
		}
	}
}

func TestParseCompanyID(t *testing.T) {
	for _, c := range []struct {
		kind     screening.CompanyIDKind
		in, want string
	}{
		{screening.CompanyUEI, " r9t7-w2x4-y6z8 ", "R9T7W2X4Y6Z8"},
		{screening.CompanyDUNS, "12-345-6789", "123456789"},
		{screening.CompanyEIN, "123456789", "12-3456789"},
		{screening.CompanyCALicense, "0123456", "123456"},
		{screening.CompanyStateReg, "tx: 0801-234567", "TX:0801234567"},
	} {
		id, err := screening.ParseCompanyID(c.kind, c.in)
		if err != nil || id.Value != c.want || id.Kind != c.kind {
			t.Errorf("%s %q: %v %v; want %q", c.kind, c.in, id, err, c.want)
		}
	}
	for _, c := range []struct {
		kind screening.CompanyIDKind
		in   string
	}{
		{screening.CompanyUEI, "R9T7W2X4Y6Z"},     // 11 characters
		{screening.CompanyUEI, "R9T7W2X4Y6ZO"},    // an O
		{screening.CompanyUEI, "09T7W2X4Y6Z8"},    // starts with 0
		{screening.CompanyDUNS, "12345678"},       // 8 digits
		{screening.CompanyEIN, "00-1234567"},      // no EIN starts 00
		{screening.CompanyEIN, "12-345678A"},      // a letter
		{screening.CompanyCALicense, "C-10 123"},  // a classification, not the number
		{screening.CompanyStateReg, "0801234567"}, // no state
		{"ssn", "123-45-6789"},
	} {
		_, err := screening.ParseCompanyID(c.kind, c.in)
		var e *amparo.Error
		if !errors.As(err, &e) || e.Code != amparo.EINVALID || !strings.HasPrefix(e.Key, "screen.match.id_invalid.") || e.Field != string(c.kind) {
			t.Errorf("%s %q: %v; want EINVALID naming the kind, with a catalog key", c.kind, c.in, err)
		}
	}
}

// FuzzNormalizeCompany: any input reads without panic, its words are
// non-empty valid UTF-8, and reading is stable and symmetric in comparing.
func FuzzNormalizeCompany(f *testing.F) {
	for _, s := range []string{"FISHER SAND & GRAVEL CO.", "S. de R.L. de C.V.", "J.H.", "A/S", "SiemensAG", "Forty-Four 44 XIV",
		"The & y +", "...", "Ñandú Constructora S.A.", "ООО \"БАЙКАЛ\"", "\xff\xfe", "1st 2nd", "Co Co Co Inc Inc",
		"Al-Qa'ida/Islamic Army", "Ibarra d/b/a / Quetzal", "Σαλαμίνα Τεχνική Α.Ε.", "SaguaroCorp", "United States", "a/k/a"} {
		f.Add(s, "Fisher Sand and Gravel")
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		n := screening.NormalizeCompany(a)
		for _, w := range n.Words {
			if w.Text == "" || w.Key == "" || !utf8.ValidString(w.Text) {
				t.Fatalf("%q: empty or invalid word %+v", a, w)
			}
		}
		if again := screening.NormalizeCompany(a); again.Core() != n.Core() {
			t.Fatalf("%q read twice: %q, %q", a, n.Core(), again.Core())
		}
		r1, r2 := screening.CompareNames(a, b), screening.CompareNames(b, a)
		if r1.Score < 0 || r1.Score > 1 || r1.Decision != r2.Decision && abs(r1.Score-r2.Score) > 0.05 {
			t.Fatalf("%q / %q: %v %.3f, reversed %v %.3f", a, b, r1.Decision, r1.Score, r2.Decision, r2.Score)
		}
	})
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}

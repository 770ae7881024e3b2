package fund

import (
	"strings"
	"testing"
)

const cityRules = `# The city's money
require resident "Lives in the city"
require income_below_fpl 200 "Income under 200% of the federal poverty line"
exclude violent_felony_conviction "Excluded: violent-felony conviction"
floor detained 70 "At least 70% for people in detention"
floor group tps-facing-removal 20
ceiling line indirect 10 "Indirect costs at most 10%"
cadence quarterly
`

func TestParseRestrictions(t *testing.T) {
	r, err := ParseRestrictions(cityRules)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Rules) != 3 || len(r.Limits) != 3 || r.Cadence != "quarterly" || r.Allows("bond") || !r.Allows("attorney") {
		t.Fatalf("%+v", r)
	}
	if r.Limits[0].Target.Kind != "detained" || r.Limits[0].Percent != 70 || r.Limits[2].Target.Name != "indirect" || !r.Limits[2].Ceiling {
		t.Fatalf("limits %+v", r.Limits)
	}
	again, err := ParseRestrictions(r.String())
	if err != nil || again.String() != r.String() {
		t.Fatalf("round trip: %v\n%s\n%s", err, r.String(), again)
	}
}

func TestRestrictions_Check(t *testing.T) {
	r, _ := ParseRestrictions(cityRules)
	for _, tc := range []struct {
		name string
		f    Facts
		rule string // "" when eligible
	}{
		{"Eligible", Facts{Resident: true, IncomeFPLPercent: 150, Detained: true}, ""},
		{"NotResident", Facts{IncomeFPLPercent: 150}, "Lives in the city"},
		{"IncomeUnknown", Facts{Resident: true}, "Income under 200% of the federal poverty line"},
		{"IncomeAt200", Facts{Resident: true, IncomeFPLPercent: 200}, "Income under 200% of the federal poverty line"},
		{"Excluded", Facts{Resident: true, IncomeFPLPercent: 100, ViolentFelonyConviction: true}, "Excluded: violent-felony conviction"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rule, ok := r.Check(&tc.f)
			if ok != (tc.rule == "") || (!ok && rule.Text != tc.rule) {
				t.Fatalf("Check = %+v, %v; want %q", rule, ok, tc.rule)
			}
		})
	}
}

func TestParseRestrictions_Errors(t *testing.T) {
	for _, tc := range []struct {
		src  string
		line int
		word string
	}{
		{"require citizen", 1, "citizen"},
		{"\nfloor detained 170", 2, "170"},
		{"floor detained 7.5", 1, "7.5"},
		{"ceiling line yacht 10", 1, "yacht"},
		{"cadence weekly", 1, "cadence"},
		{"require resident \"open", 1, ""},
		{"spend everything", 1, "spend"},
		{"lines attorney bribes", 1, "bribes"},
		{"lines attorney\nfloor group \x00 20", 2, ""},
	} {
		_, err := ParseRestrictions(tc.src)
		pe, ok := err.(*ParseError)
		if !ok || pe.Line != tc.line || pe.Word != tc.word {
			t.Errorf("%q: %#v, want line %d word %q", tc.src, err, tc.line, tc.word)
		}
	}
}

func FuzzParseRestrictions(f *testing.F) {
	f.Add(cityRules)
	f.Add("lines bond\ncadence annual # x")
	f.Fuzz(func(t *testing.T, src string) {
		r, err := ParseRestrictions(src)
		if err != nil {
			return
		}
		again, err := ParseRestrictions(r.String())
		if err != nil {
			t.Fatalf("canonical form does not parse: %v\n%s", err, r)
		}
		if again.String() != r.String() {
			t.Fatalf("not stable:\n%s\n%s", r, again)
		}
	})
}

func TestParseCents(t *testing.T) {
	for in, want := range map[string]int64{"0": 0, "12": 1200, "12.5": 1250, "12.05": 1205, "$1,234.56": 123456, " 7 ": 700, "1,000,000": 100000000} {
		if got, err := ParseCents(in); err != nil || got != want {
			t.Errorf("ParseCents(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "12.345", "-5", "1.", ".5", "12,34", "1,2345", "abc", "1e5", "12.3.4", "$", "１２", "99999999999999"} {
		if got, err := ParseCents(in); err == nil {
			t.Errorf("ParseCents(%q) = %d, want an error", in, got)
		}
	}
	if s := FormatCents(123456789); s != "1,234,567.89" {
		t.Errorf("FormatCents = %q", s)
	}
	if TimeCost(150, 12500) != 18750 {
		t.Error("1.5 h at 125.00")
	}
}

func FuzzParseCents(f *testing.F) {
	f.Add("1,234.56")
	f.Fuzz(func(t *testing.T, s string) {
		c, err := ParseCents(s)
		if err != nil {
			return
		}
		if c < 0 || c > MaxCents {
			t.Fatalf("%q: %d", s, c)
		}
		back, err := ParseCents(FormatCents(c))
		if err != nil || back != c {
			t.Fatalf("%q: %d -> %q -> %d %v", s, c, FormatCents(c), back, err)
		}
		if strings.Count(s, ".") > 1 {
			t.Fatalf("%q accepted", s)
		}
	})
}

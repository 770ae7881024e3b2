package priority

import (
	"errors"
	"strings"
	"testing"
)

func TestParsePolicy_Council(t *testing.T) {
	p := DefaultPolicy()
	if p.Name == "" || len(p.Rules) != 12 || len(p.Exclusions) != 1 {
		t.Fatalf("name %q, %d rules, %d exclusions", p.Name, len(p.Rules), len(p.Exclusions))
	}
	if r := p.Rules[0]; r.Name != "tps-facing-removal" || r.Tier != 1 || r.When != "tps_holder and facing_removal" || r.Line != 7 {
		t.Errorf("first rule = %+v", r)
	}
	if !p.Exclusions[0].Off {
		t.Error("the violent-felony exclusion must ship off")
	}
	if len(p.TieBreaks) != 1 || p.TieBreaks[0] != ByIntake {
		t.Errorf("tie-breaks = %v", p.TieBreaks)
	}
}

func TestParsePolicy_Defaults(t *testing.T) {
	p, err := ParsePolicy("rule r points 5 when detained or not (unhoused and asylum_seeker)")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := p.Rules[0].Text, "Is in immigration detention or not (is unhoused and seeks asylum)"; got != want {
		t.Errorf("generated reason = %q, want %q", got, want)
	}
	if len(p.TieBreaks) != 1 || p.TieBreaks[0] != ByIntake {
		t.Errorf("default tie-break = %v, want intake", p.TieBreaks)
	}
	p, err = ParsePolicy("rule r points 5 when not tps_holder and not hearing_within 7")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := p.Rules[0].Text, "Does not hold TPS and has no court hearing within 7 days"; got != want {
		t.Errorf("generated reason = %q, want %q", got, want)
	}
}

func TestParsePolicy_Errors(t *testing.T) {
	for _, tt := range []struct {
		name, src string
		line, col int
		msg       string
	}{
		{"UnknownFact", "rule a tier 1 when tps_holdr", 1, 20, `unknown fact "tps_holdr" (did you mean tps_holder?)`},
		{"UnknownFactLine3", "# c\n\nrule a points 1 when detained and homeless", 3, 35, `unknown fact "homeless"`},
		{"UnknownKeyword", "rul a tier 1 when detained", 1, 1, `unknown keyword "rul"`},
		{"FactAsKeyword", "detained", 1, 1, "a condition goes after when"},
		{"MissingWhen", "rule a tier 1 detained", 1, 15, `unexpected "detained": expected tier, points, off or when`},
		{"NoCondition", "rule a tier 1 when", 1, 19, "expected a condition after when"},
		{"NoCondWithReason", `rule a tier 1 when "x"`, 1, 19, "expected a condition after when"},
		{"NoTierOrPoints", "rule a when detained", 1, 8, "neither a tier nor points"},
		{"TierZero", "rule a tier 0 when detained", 1, 13, "tier must be from 1"},
		{"TierWord", "rule a tier one when detained", 1, 13, `tier must be a whole number, not "one"`},
		{"PointsHuge", "rule a points 1000001 when detained", 1, 15, "points must be from"},
		{"MissingDays", "rule a tier 1 when hearing_within", 1, 34, "needs a number of days"},
		{"BadDays", "rule a tier 1 when hearing_within soon", 1, 35, "needs a number of days from 0 to 3650"},
		{"DaysOnBool", "rule a tier 1 when detained 30", 1, 29, "takes no number of days"},
		{"Unclosed", "rule a tier 1 when (detained or unhoused", 1, 20, "this ( is not closed"},
		{"ExtraParen", "rule a tier 1 when detained)", 1, 28, "no ( to close"},
		{"DanglingAnd", "rule a tier 1 when detained and", 1, 32, "expected a fact"},
		{"TwoFacts", "rule a tier 1 when detained unhoused", 1, 29, `unexpected "unhoused"`},
		{"ReasonNotLast", `rule a tier 1 when detained "x" and unhoused`, 1, 29, "the reason goes last"},
		{"Unquoted", `rule a tier 1 when detained "x`, 1, 29, "quoted text is not closed"},
		{"BadEscape", `rule a tier 1 when detained "a\n"`, 1, 31, `only \" and \\`},
		{"DuplicateName", "rule a tier 1 when detained\nrule a tier 2 when unhoused", 2, 6, "already the name of the rule on line 1"},
		{"NameIsKeyword", "rule when tier 1 when detained", 1, 6, "is a keyword"},
		{"BadName", "rule 1st tier 1 when detained", 1, 6, "a rule's name is letters"},
		{"ExcludeWithTier", "exclude x tier 1 when detained", 1, 11, "an exclusion has no tier or points"},
		{"TieBreak", "tiebreak age", 1, 10, `unknown tie-break "age"`},
		{"TieBreakTwice", "tiebreak intake\ntiebreak hearing", 2, 1, "already given on line 1"},
		{"PolicyUnquoted", "policy Council", 1, 7, "expected the policy's name in quotes"},
		{"TwoNames", "policy \"a\"\npolicy \"b\"", 2, 1, "already named on line 1"},
		{"TooDeep", "rule a tier 1 when " + strings.Repeat("not ", 20) + "detained", 1, 84, "nest too deep"},
		{"EmptyReason", `rule a tier 1 when detained ""`, 1, 29, "reason is empty"},
		{"Columns count characters", `policy "Año"` + "\nrule ñandú tier 1 when x", 2, 6, "a rule's name is letters"},
		{"InvalidUTF8", "rule a tier 1 when detained \xff", 1, 29, "invalid UTF-8"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p, err := ParsePolicy(tt.src)
			if err == nil {
				t.Fatalf("parsed %q", p)
			}
			var list ErrorList
			if !errors.As(err, &list) || len(list) == 0 {
				t.Fatalf("error %T %v, want ErrorList", err, err)
			}
			e := list[0]
			if e.Line != tt.line || e.Col != tt.col || !strings.Contains(e.Msg, tt.msg) {
				t.Errorf("got %v, want line %d, column %d: …%s…", e, tt.line, tt.col, tt.msg)
			}
		})
	}
}

// One pass names every bad line, so an editor fixes them all at once.
func TestParsePolicy_EveryBadLine(t *testing.T) {
	src := "rule a tier 1 when detainee\nrule b tier 2 when detained\nrule c points x when unhoused\n"
	_, err := ParsePolicy(src)
	var list ErrorList
	if !errors.As(err, &list) || len(list) != 2 || list[0].Line != 1 || list[1].Line != 3 {
		t.Fatalf("errors = %v, want lines 1 and 3", err)
	}
	if want := "line 1, column 20: unknown fact \"detainee\" (did you mean detained?)"; list[0].Error() != want {
		t.Errorf("got %q, want %q", list[0].Error(), want)
	}
}

func TestPolicy_String(t *testing.T) {
	p := DefaultPolicy()
	q, err := ParsePolicy(p.String())
	if err != nil {
		t.Fatalf("canonical form does not parse: %v\n%s", err, p)
	}
	if !samePolicy(p, q) {
		t.Errorf("round trip changed the policy:\n%s\n---\n%s", p, q)
	}
	src := "rule a points 1 when (detained or unhoused) and not (asylum_seeker or daca_recipient) or hearing_within 5 day"
	p, err = ParsePolicy(src)
	if err != nil {
		t.Fatal(err)
	}
	if want := "(detained or unhoused) and not (asylum_seeker or daca_recipient) or hearing_within 5 days"; p.Rules[0].When != want {
		t.Errorf("When = %q, want %q", p.Rules[0].When, want)
	}
}

func samePolicy(a, b *Policy) bool {
	if a.Name != b.Name || len(a.Rules) != len(b.Rules) || len(a.Exclusions) != len(b.Exclusions) || len(a.TieBreaks) != len(b.TieBreaks) {
		return false
	}
	same := func(x, y Rule) bool {
		return x.Name == y.Name && x.Tier == y.Tier && x.Points == y.Points && x.Off == y.Off && x.When == y.When && x.Text == y.Text
	}
	for i := range a.Rules {
		if !same(a.Rules[i], b.Rules[i]) {
			return false
		}
	}
	for i := range a.Exclusions {
		if !same(a.Exclusions[i], b.Exclusions[i]) {
			return false
		}
	}
	for i := range a.TieBreaks {
		if a.TieBreaks[i] != b.TieBreaks[i] {
			return false
		}
	}
	return true
}

func TestKnownFacts(t *testing.T) {
	fs := KnownFacts()
	if len(fs) != 13 {
		t.Fatalf("%d facts", len(fs))
	}
	for _, f := range fs {
		src := "rule r points 1 when " + f.Name
		if f.Days {
			src += " 30 days"
		}
		if _, err := ParsePolicy(src); err != nil {
			t.Errorf("%s: %v", f.Name, err)
		}
	}
}

// TestKnownFacts_Catalog checks that every fact's meaning, as the policy
// page shows it, is in the catalog: its English is the fact's Meaning.
func TestKnownFacts_Catalog(t *testing.T) {
	cat := catalog()
	for _, f := range KnownFacts() {
		if k := "policy.fact." + f.Name; cat.T("en", k) != f.Meaning || cat.T("es", k) == f.Meaning {
			t.Errorf("%s: en %q, es %q; want en %q and es its own", k, cat.T("en", k), cat.T("es", k), f.Meaning)
		}
	}
}

package screening_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/locale"
	"github.com/amparo-project/amparo/screening"
)

func inv(id string, role amparo.RegistryRole, date string, status amparo.RegistryAwardStatus) *amparo.RegistryInvolvement {
	return &amparo.RegistryInvolvement{ID: id, EntityID: "example-builders", Agency: "USACE", Project: "Example barrier",
		Role: role, AwardDate: amparo.MustDate(date), Status: status}
}

const testPolicies = `
policy ban-primes "Example ban"
state on
rule ban
awards from 2018-01-01 until 2021-01-01
sunset 2030-01-01
roles prime
through none
waiver "Ask the program office."

policy disclose-all "Example disclosure"
state on
rule disclose
awards from 2017-03-17
roles prime subcontractor jv_member prototype_builder
statuses awarded completed rescinded
through parent jv
waiver "Disclose in the affidavit."

policy flag-shortlist "Example flag"
state off
rule flag
awards from 2017-01-01
roles shortlisted
through none
waiver "A reviewer decides."
`

func TestPolicy_Assess(t *testing.T) {
	ps, err := screening.ParsePolicies(testPolicies)
	if err != nil {
		t.Fatal(err)
	}
	if len(ps.List) != 3 || len(ps.InForce()) != 2 {
		t.Fatalf("%d policies, %d in force", len(ps.List), len(ps.InForce()))
	}
	ban, disclose, flag := ps.List[0], ps.List[1], ps.List[2]
	day := amparo.MustDate("2026-06-01")
	direct := func(vs ...*amparo.RegistryInvolvement) []screening.PolicyInvolvement {
		var out []screening.PolicyInvolvement
		for _, v := range vs {
			out = append(out, screening.PolicyInvolvement{RegistryInvolvement: v})
		}
		return out
	}
	for _, c := range []struct {
		name     string
		p        *screening.Policy
		invs     []screening.PolicyInvolvement
		day      string
		applies  bool
		reasonOf string // a key the first reason's "why" holds
	}{
		{"ban: prime in the window", ban, direct(inv("a", amparo.RegistryPrime, "2019-04-09", amparo.AwardAwarded)), "", true, ""},
		{"ban: prime before the window", ban, direct(inv("a", amparo.RegistryPrime, "2017-12-31", amparo.AwardAwarded)), "", false, "screen.policy.why.before"},
		{"ban: prime on the window's end", ban, direct(inv("a", amparo.RegistryPrime, "2021-01-01", amparo.AwardAwarded)), "", false, "screen.policy.why.after"},
		{"ban: subcontractor", ban, direct(inv("a", amparo.RegistrySubcontractor, "2019-04-09", amparo.AwardAwarded)), "", false, "screen.policy.why.role"},
		{"ban: rescinded", ban, direct(inv("a", amparo.RegistryPrime, "2019-04-09", amparo.AwardRescinded)), "", false, "screen.policy.why.status"},
		{"ban: after its sunset", ban, direct(inv("a", amparo.RegistryPrime, "2019-04-09", amparo.AwardAwarded)), "2030-01-01", false, ""},
		{"ban: a parent's prime contract", ban, []screening.PolicyInvolvement{{RegistryInvolvement: inv("a", amparo.RegistryPrime, "2019-04-09", amparo.AwardAwarded), Via: screening.PolicyViaParent, ViaName: "Example Holdings"}}, "", false, "screen.policy.why.relation"},
		{"disclose: prototype of 2017-03-17", disclose, direct(inv("a", amparo.RegistryPrototypeBuilder, "2017-03-17", amparo.AwardCompleted)), "", true, ""},
		{"disclose: the day before", disclose, direct(inv("a", amparo.RegistryPrototypeBuilder, "2017-03-16", amparo.AwardCompleted)), "", false, "screen.policy.why.before"},
		{"disclose: rescinded counts", disclose, direct(inv("a", amparo.RegistryPrime, "2019-04-09", amparo.AwardRescinded)), "", true, ""},
		{"disclose: a parent's", disclose, []screening.PolicyInvolvement{{RegistryInvolvement: inv("a", amparo.RegistrySubcontractor, "2019-04-09", amparo.AwardAwarded), Via: screening.PolicyViaParent, ViaName: "Example Holdings"}}, "", true, ""},
		{"disclose: an affiliate's", disclose, []screening.PolicyInvolvement{{RegistryInvolvement: inv("a", amparo.RegistryPrime, "2019-04-09", amparo.AwardAwarded), Via: screening.PolicyViaAffiliate, ViaName: "Example Affiliate"}}, "", false, "screen.policy.why.relation"},
		{"disclose: shortlisted only", disclose, direct(inv("a", amparo.RegistryShortlisted, "2019-05-09", amparo.AwardAwarded)), "", false, "screen.policy.why.role"},
		{"flag: shortlisted", flag, direct(inv("a", amparo.RegistryShortlisted, "2019-05-09", amparo.AwardAwarded)), "", true, ""},
		{"nothing at all", disclose, nil, "", false, ""},
	} {
		d := day
		if c.day != "" {
			d = amparo.MustDate(c.day)
		}
		f := c.p.Assess(c.invs, d)
		if f.Applies != c.applies {
			t.Errorf("%s: applies = %v, want %v (%v)", c.name, f.Applies, c.applies, f.Summary)
		}
		if c.applies && (len(f.Counted) != 1 || f.Summary.Key != "screen.policy.summary."+string(c.p.Rule)) {
			t.Errorf("%s: %+v", c.name, f)
		}
		if c.reasonOf != "" {
			why := f.Reasons[0].Args[1].(screening.PolicyMsg)
			if f.Reasons[0].Key != "screen.policy.why.not" || why.Key != c.reasonOf {
				t.Errorf("%s: reason %+v, want %s", c.name, f.Reasons[0], c.reasonOf)
			}
		}
	}

	// Only policies in force are assessed.
	if fs := ps.Assess(direct(inv("a", amparo.RegistryShortlisted, "2019-05-09", amparo.AwardAwarded)), day); len(fs) != 2 || fs[0].Applies || fs[1].Applies {
		t.Errorf("policies in force: %+v", fs)
	}
}

func TestPolicyFinding_TextInSpanish(t *testing.T) {
	cat, err := locale.Load()
	if err != nil {
		t.Fatal(err)
	}
	reg := &amparo.Registry{
		Entities: []*amparo.RegistryEntity{
			{ID: "example-builders", Names: []amparo.RegistryName{{Kind: amparo.RegistryNamePrimary, Name: "Example Builders LLC"}}},
			{ID: "example-holdings", Names: []amparo.RegistryName{{Kind: amparo.RegistryNamePrimary, Name: "Example Holdings Inc."}}},
		},
		Relations:    []*amparo.RegistryRelation{{ID: "r", Kind: amparo.RegistryParentOf, From: "example-holdings", To: "example-builders"}},
		Involvements: []*amparo.RegistryInvolvement{inv("a", amparo.RegistryPrime, "2019-04-09", amparo.AwardAwarded)},
	}
	reg.Involvements[0].EntityID = "example-holdings"
	reach := screening.RegistryReach(reg, "example-builders")
	if len(reach) != 1 || reach[0].Via != screening.PolicyViaParent || reach[0].ViaName != "Example Holdings Inc." {
		t.Fatalf("reach %+v", reach)
	}
	if r := screening.RegistryReach(reg, "example-holdings"); len(r) != 1 || r[0].Via != "" {
		t.Fatalf("own %+v", r)
	}
	f := screening.DefaultPolicies().InForce()[0].Assess(reach, amparo.MustDate("2026-01-01"))
	es := f.Text(cat, "es")
	for _, want := range []string{"no se aplica", "a través de su empresa matriz Example Holdings Inc.", "contratista principal", "no cuenta según esta política"} {
		if !strings.Contains(es, want) {
			t.Errorf("Spanish text lacks %q:\n%s", want, es)
		}
	}
	if strings.Contains(es, "screen.") {
		t.Errorf("a key without words:\n%s", es)
	}
}

func TestDefaultPolicies(t *testing.T) {
	ps := screening.DefaultPolicies()
	if len(ps.List) != 2 {
		t.Fatalf("%d policies", len(ps.List))
	}
	la, sb30 := ps.List[0], ps.List[1]
	if !la.On || la.Rule != screening.PolicyDisclose || la.From != amparo.MustDate("2017-03-17") || la.Waiver == "" {
		t.Errorf("L.A.: %+v", la)
	}
	if sb30.On || sb30.Rule != screening.PolicyBan || sb30.From != amparo.MustDate("2018-01-01") || len(sb30.Roles) != 1 || sb30.Roles[0] != amparo.RegistryPrime {
		t.Errorf("SB 30: %+v", sb30)
	}
	// Turning SB 30 on before its sunset is known is refused.
	on := strings.Replace(screening.DefaultPoliciesText(), "state off", "state on", 1)
	_, err := screening.ParsePolicies(on)
	var list screening.PolicyErrorList
	if !errors.As(err, &list) || list[0].Key != "screen.policy.err.sunset_unknown" || list[0].Line != sb30.Line {
		t.Errorf("SB 30 on with an unknown sunset: %v", err)
	}
	// String writes what parses back the same.
	for _, p := range ps.List {
		back, err := screening.ParsePolicies(p.String())
		if err != nil || back.List[0].String() != p.String() {
			t.Errorf("%s: round trip: %v\n%s", p.ID, err, p.String())
		}
	}
}

func TestParsePolicies_Errors(t *testing.T) {
	cat, err := locale.Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		src       string
		line, col int
		key       string
	}{
		{"state on\n", 1, 1, "screen.policy.err.before_policy"},
		{"policy a \"A\"\nrule forbid\n", 2, 6, "screen.policy.err.rule"},
		{"policy a \"A\"\nrule ban\nawards from 2018-02-30\n", 3, 13, "screen.policy.err.date"},
		{"policy a \"A\"\nrule ban\nawards from 2019-01-01 until 2018-01-01\n", 3, 30, "screen.policy.err.window"},
		{"policy a \"A\"\nrule ban\nroles prime chief\n", 3, 13, "screen.policy.err.role"},
		{"policy a \"A\"\nrule ban\nrule flag\n", 3, 1, "screen.policy.err.twice"},
		{"policy a \"A\"\nwaiver \"open\n", 2, 8, "screen.policy.err.quote_open"},
		{"policy a \"A\"\nthrough cousins\n", 2, 9, "screen.policy.err.through"},
		{"policy a \"A\"\ncolour blue\n", 2, 1, "screen.policy.err.keyword"},
		{"policy a \"A\"\nrule ban\n", 1, 1, "screen.policy.err.missing"},
		{"policy A! \"A\"\n", 1, 8, "screen.policy.err.id"},
		{"# nothing\n", 1, 1, "screen.policy.err.empty"},
	} {
		_, err := screening.ParsePolicies(c.src)
		var list screening.PolicyErrorList
		if !errors.As(err, &list) {
			t.Errorf("%q: err = %v", c.src, err)
			continue
		}
		if e := list[0]; e.Line != c.line || e.Col != c.col || e.Key != c.key {
			t.Errorf("%q: line %d col %d %s, want %d %d %s", c.src, e.Line, e.Col, e.Key, c.line, c.col, c.key)
		}
		if es := list.Text(cat, "es"); !strings.HasPrefix(es, "línea ") || strings.Contains(es, "screen.") {
			t.Errorf("%q in Spanish: %q", c.src, es)
		}
	}
}

// FuzzParsePolicies: no input panics; what parses writes back as a policy
// that parses the same.
func FuzzParsePolicies(f *testing.F) {
	f.Add(screening.DefaultPoliciesText())
	f.Add(testPolicies)
	f.Fuzz(func(t *testing.T, src string) {
		ps, err := screening.ParsePolicies(src)
		if err != nil {
			var list screening.PolicyErrorList
			if !errors.As(err, &list) || len(list) == 0 {
				t.Fatalf("not a PolicyErrorList: %v", err)
			}
			return
		}
		for _, p := range ps.List {
			back, err := screening.ParsePolicies(p.String())
			if err != nil || back.List[0].String() != p.String() {
				t.Fatalf("round trip: %v\n%s", err, p.String())
			}
		}
	})
}

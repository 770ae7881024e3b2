package intake_test

import (
	"testing"
	"time"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/intake"
	"github.com/amparo-project/amparo/matching"
	"github.com/amparo-project/amparo/priority"
)

func TestPropose(t *testing.T) {
	person := func(id, lang, situation string, removal bool) *amparo.Applicant {
		a := &amparo.Applicant{ID: id, CreatedAt: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), Facts: amparo.Facts{Personal: amparo.Personal{
			LegalName: id, Language: lang, Situation: situation, FacingRemoval: removal}}}
		if situation == amparo.SituationTPS {
			a.TPSCountry = "SV"
		}
		return a
	}
	as := []*amparo.Applicant{person("a-daca", "es", amparo.SituationDACA, false), person("b-tps", "es", amparo.SituationTPS, true),
		person("c-en", "en", amparo.SituationOther, false)}
	q, err := intake.Rank(&amparo.PolicyVersion{Text: priority.DefaultPolicy().String()}, as, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	org := &amparo.Organization{ID: "org", Capacity: 3}
	members := []*amparo.Member{{ID: "m-es", OrganizationID: "org", Languages: []string{"es"}, CaseCapacity: 1, Status: amparo.MemberActive},
		{ID: "m-en", OrganizationID: "org", Languages: []string{"en"}, CaseCapacity: 5, Status: amparo.MemberActive},
		{ID: "m-off", OrganizationID: "org", Languages: []string{"es"}, CaseCapacity: 5, Status: amparo.MemberSuspended}}
	match := func(p *matching.Proposal) map[string]string {
		out := map[string]string{}
		for _, m := range p.Matches {
			out[m.ApplicantID] = m.MemberID
		}
		return out
	}

	p, err := intake.Propose(q, org, members, nil, nil, 500)
	if err != nil {
		t.Fatal(err)
	}
	if got := match(p); got["b-tps"] != "m-es" || got["c-en"] != "m-en" || got["a-daca"] != "" {
		t.Fatalf("the Spanish member's one place goes to the TPS holder facing removal; got %v", got)
	}
	// A declined pair is not proposed again; the next person is.
	p, _ = intake.Propose(q, org, members, nil, []matching.Conflict{{ApplicantID: "b-tps", MemberID: "m-es"}}, 500)
	if got := match(p); got["b-tps"] != "" || got["a-daca"] != "m-es" {
		t.Fatalf("after a decline: %v", got)
	}
	// The organization's capacity counts everyone it already took on.
	p, _ = intake.Propose(q, org, members, map[string]int{"m-en": 2}, nil, 500)
	if p.Served != 1 {
		t.Fatalf("with 2 of 3 places taken, %d matched", p.Served)
	}
	// The program's letters left bound everything.
	if p, _ = intake.Propose(q, org, members, nil, nil, 1); p.Served != 1 || p.Matches[0].ApplicantID != "b-tps" {
		t.Fatalf("with one letter left: %+v", p.Matches)
	}
	if p, _ = intake.Propose(q, org, members, nil, nil, 0); p.Served != 0 {
		t.Fatalf("with no letter left, %d matched", p.Served)
	}
	// An interpreter: a Spanish speaker who accepts one, with the English
	// member who works through one, when no Spanish speaker has room.
	withInterpreter := person("d-interp", "es", amparo.SituationAsylum, true)
	withInterpreter.InterpreterOK = true
	qi, _ := intake.Rank(&amparo.PolicyVersion{Text: priority.DefaultPolicy().String()}, []*amparo.Applicant{withInterpreter}, time.Now())
	en := []*amparo.Member{{ID: "m-en", OrganizationID: "org", Languages: []string{"en"}, Interpreter: true, CaseCapacity: 1, Status: amparo.MemberActive}}
	if p, _ := intake.Propose(qi, org, en, nil, nil, 500); p.Served != 1 || !p.Matches[0].Interpreter {
		t.Fatalf("interpreter match: %+v", p.Matches)
	}
	withInterpreter.InterpreterOK = false
	if p, _ := intake.Propose(qi, org, en, nil, nil, 500); p.Served != 0 {
		t.Fatal("matched through an interpreter someone did not accept")
	}
	if intake.Weight(1, 0) <= intake.Weight(2, 9_999) || intake.Weight(0, 50) <= intake.Weight(0, 10) {
		t.Fatal("weights do not keep tiers, then points, in order")
	}
}

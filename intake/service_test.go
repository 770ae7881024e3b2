package intake_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/demo"
	"github.com/amparo-project/amparo/intake"
	"github.com/amparo-project/amparo/priority"
)

// TestRankingFacts: the line is read with amparo.RankingFacts alone, so
// ranking and proposing from them must give what the whole facts give.
func TestRankingFacts_RankAndProposeAsTheWholeFacts(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 3))
	now := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	var whole, ranking []*amparo.Applicant
	for i := range 300 {
		lang := []string{"es", "en"}[r.IntN(2)]
		c := demo.Client(r, "org", lang, now)
		a := &amparo.Applicant{ID: fmt.Sprintf("a%03d", i), OrganizationID: "org", CreatedAt: now.Add(-time.Duration(r.IntN(1000)) * time.Hour),
			Facts: amparo.Facts{Personal: c.Personal, InterpreterOK: r.IntN(2) == 0, UnaccompaniedMinor: r.IntN(9) == 0,
				Unhoused: r.IntN(5) == 0, Survivor: r.IntN(7) == 0}}
		if r.IntN(3) == 0 {
			a.IntakeDate = amparo.Date{Time: now.AddDate(0, 0, -r.IntN(400))}
		}
		whole = append(whole, a)
		b := *a
		b.Facts = amparo.RankingFacts(a.Facts)
		ranking = append(ranking, &b)
	}
	v := &amparo.PolicyVersion{Text: priority.DefaultPolicy().String()}
	qw, err := intake.Rank(v, whole, now)
	if err != nil {
		t.Fatal(err)
	}
	qr, err := intake.Rank(v, ranking, now)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(qw.Places, qr.Places) || !reflect.DeepEqual(qw.Excluded, qr.Excluded) {
		t.Fatal("the ranking facts rank the line otherwise than the whole facts")
	}
	org := &amparo.Organization{ID: "org", ServiceArea: []string{"Los Angeles", "Van Nuys", "Pacoima"}}
	// Language, interpreter and city all decide who is matched.
	members := []*amparo.Member{{ID: "m-es", OrganizationID: "org", Languages: []string{"es"}, Interpreter: true, CaseCapacity: 40, Status: amparo.MemberActive}}
	pw, err := intake.Propose(qw, org, members, nil, nil, 500)
	if err != nil {
		t.Fatal(err)
	}
	pr, err := intake.Propose(qr, org, members, nil, nil, 500)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(pw, pr) || pw.Served == 0 || len(pw.Waiting) == 0 {
		t.Fatalf("the ranking facts propose otherwise than the whole facts: %d and %d served", pw.Served, pr.Served)
	}
}

func TestService_QueueAndProposals_Paged(t *testing.T) {
	db, ctx, orgID := store(t)
	svc := &intake.Service{Applicants: db, Policies: db, Members: db, Organizations: db, Programs: db, Conflicts: db, Letters: db}
	for i := range 2 {
		m := &amparo.Member{OrganizationID: orgID, Name: fmt.Sprintf("Lic. Ejemplo %d", i), Kind: amparo.MemberAttorney, BarJurisdiction: "CA",
			BarNumber: fmt.Sprintf("90000%d", i), Languages: []string{"es"}, PublicPhone: "+1 213 555 0142", CaseCapacity: 2}
		if err := db.CreateMember(system, m); err != nil {
			t.Fatal(err)
		}
	}
	names := []string{"Ana Ejemplo", "Beto Muestra", "Caro Prueba", "Dora Ficticio", "Eva Modelo", "Fabiola Supuesto", "Gil Inventado"}
	var as []*amparo.Applicant
	for i, name := range names {
		as = append(as, &amparo.Applicant{Key: name, Facts: amparo.Facts{Personal: amparo.Personal{LegalName: name, Language: "es",
			BirthDate: amparo.MustDate(fmt.Sprintf("199%d-01-02", i)), Phone: "+1 213 555 0123", Situation: amparo.SituationOther,
			Detained: i == 5}}})
	}
	if _, err := db.CreateApplicants(ctx, as); err != nil {
		t.Fatal(err)
	}
	// A party close to the first in line (the detained person).
	if err := db.CreateParty(ctx, &amparo.Party{Name: "SUPUESTO, Fabiola"}); err != nil {
		t.Fatal(err)
	}

	whole, err := svc.Queue(ctx, orgID, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(whole.Places) != 7 || len(whole.Page) != 7 || whole.Applicants[whole.Places[0].ID].LegalName != "Fabiola Supuesto" {
		t.Fatalf("whole line: %d places, page of %d", len(whole.Places), len(whole.Page))
	}
	line, err := svc.Queue(ctx, orgID, 2, 2)
	if err != nil {
		t.Fatal(err)
	}
	if line.Offset != 2 || len(line.Page) != 2 || line.Page[0].Place != 3 || line.Page[1].Place != 4 ||
		line.Page[0].ID != whole.Places[2].ID || line.Page[1].ID != whole.Places[3].ID {
		t.Fatalf("page of places 3 and 4: %+v", line.Page)
	}
	for _, pl := range line.Places {
		a := line.Applicants[pl.ID]
		onPage := slices.ContainsFunc(line.Page, func(p priority.Placement) bool { return p.ID == pl.ID })
		if onPage != (a.LegalName != "") || onPage != (a.Phone != "") {
			t.Errorf("place %d (on the page: %v) read as %q", pl.Place, onPage, a.LegalName)
		}
	}
	if past, err := svc.Queue(ctx, orgID, 50, 2); err != nil || len(past.Page) != 0 || len(past.Places) != 7 {
		t.Fatalf("a page past the end: %v", err)
	}

	// Four matches (two members of capacity 2), three waiting; pages of 3.
	p1, err := svc.Proposals(ctx, orgID, 0, 3)
	if err != nil {
		t.Fatal(err)
	}
	if p1.Served != 4 || len(p1.Proposal.Matches) != 4 || len(p1.Proposal.Waiting) != 3 || len(p1.PageMatches) != 3 || len(p1.PageWaiting) != 3 || !p1.More {
		t.Fatalf("page 1: %d served, %d matches and %d waiting shown, more %v", p1.Served, len(p1.PageMatches), len(p1.PageWaiting), p1.More)
	}
	if first := p1.Queue.Applicants[p1.PageMatches[0].ApplicantID]; first.LegalName != "Fabiola Supuesto" || len(p1.Conflicts[first.ID]) == 0 {
		t.Fatalf("the first match, %q, with the conflict check's hits %v", first.LegalName, p1.Conflicts[first.ID])
	}
	if len(p1.Conflicts) != 3 || len(p1.Places) != 3 {
		t.Fatalf("conflicts checked for %d, places of %d: want the 3 matches of the page", len(p1.Conflicts), len(p1.Places))
	}
	for _, w := range p1.PageWaiting {
		if p1.Queue.Applicants[w.ApplicantID].LegalName == "" {
			t.Errorf("a person waiting on the page is not read in full")
		}
	}
	p2, err := svc.Proposals(ctx, orgID, 3, 3)
	if err != nil {
		t.Fatal(err)
	}
	if len(p2.PageMatches) != 1 || len(p2.PageWaiting) != 0 || p2.More || p2.PageMatches[0].ApplicantID != p1.Proposal.Matches[3].ApplicantID {
		t.Fatalf("page 2: %d matches, %d waiting, more %v", len(p2.PageMatches), len(p2.PageWaiting), p2.More)
	}
	if _, checked := p2.Conflicts[p2.PageMatches[0].ApplicantID]; !checked || len(p2.Conflicts) != 1 {
		t.Fatalf("page 2 checks its one match: %v", p2.Conflicts)
	}
	if a := p2.Queue.Applicants[p1.PageMatches[0].ApplicantID]; a.LegalName != "" {
		t.Errorf("page 2 read page 1's people in full")
	}
}

// pagedMembers gives at most max members a call, as the store gives at
// most a page.
type pagedMembers struct {
	amparo.MemberService
	max int
}

func (m pagedMembers) FindMembers(ctx context.Context, f amparo.MemberFilter) ([]*amparo.Member, int, error) {
	if f.Limit <= 0 || f.Limit > m.max {
		f.Limit = m.max
	}
	return m.MemberService.FindMembers(ctx, f)
}

// TestService_Proposals_EveryMember: proposals use every active member,
// however many pages of members the store gives them in.
func TestService_Proposals_EveryMember(t *testing.T) {
	db, ctx, orgID := store(t)
	svc := &intake.Service{Applicants: db, Policies: db, Members: pagedMembers{db, 2}, Organizations: db, Programs: db, Conflicts: db, Letters: db}
	for i := range 5 {
		m := &amparo.Member{OrganizationID: orgID, Name: fmt.Sprintf("Lic. Ejemplo %d", i), Kind: amparo.MemberAttorney, BarJurisdiction: "CA",
			BarNumber: fmt.Sprintf("90000%d", i), Languages: []string{"es"}, PublicPhone: "+1 213 555 0142", CaseCapacity: 1}
		if err := db.CreateMember(system, m); err != nil {
			t.Fatal(err)
		}
	}
	var as []*amparo.Applicant
	for i, name := range []string{"Ana Ejemplo", "Beto Muestra", "Caro Prueba", "Dora Ficticio", "Eva Modelo", "Fabiola Supuesto"} {
		as = append(as, &amparo.Applicant{Key: name, Facts: amparo.Facts{Personal: amparo.Personal{LegalName: name, Language: "es",
			BirthDate: amparo.MustDate(fmt.Sprintf("199%d-01-02", i)), Situation: amparo.SituationOther}}})
	}
	if _, err := db.CreateApplicants(ctx, as); err != nil {
		t.Fatal(err)
	}
	p, err := svc.Proposals(ctx, orgID, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	matched := map[string]bool{}
	for _, m := range p.Proposal.Matches {
		matched[m.MemberID] = true
	}
	if p.Served != 5 || len(matched) != 5 || len(p.Members) != 5 || len(p.Proposal.Waiting) != 1 {
		t.Fatalf("%d served by %d of 5 members (%d named), %d waiting", p.Served, len(matched), len(p.Members), len(p.Proposal.Waiting))
	}
}

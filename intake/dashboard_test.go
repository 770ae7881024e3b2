package intake_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/intake"
)

// countingApplicants counts the reads of the whole line.
type countingApplicants struct {
	intake.Applicants
	reads int
}

func (c *countingApplicants) FindWaiting(ctx context.Context, orgID string) ([]*amparo.Applicant, error) {
	c.reads++
	return c.Applicants.FindWaiting(ctx, orgID)
}

// TestService_Dashboard: staff get their organization's work and the
// matches proposed; the program office gets the program and its line by
// tier, ranked again only when the line changes; other roles get nothing.
func TestService_Dashboard(t *testing.T) {
	db, ctx, orgID := store(t)
	apps := &countingApplicants{Applicants: db}
	now := time.Now()
	svc := &intake.Service{Applicants: apps, Policies: db, Members: db, Organizations: db, Programs: db, Conflicts: db, Letters: db,
		Now: func() time.Time { return now }}
	m := &amparo.Member{OrganizationID: orgID, Name: "Lic. Ejemplo", Kind: amparo.MemberAttorney, BarJurisdiction: "CA",
		BarNumber: "900001", Languages: []string{"es"}, PublicPhone: "+1 213 555 0142", CaseCapacity: 2}
	if err := db.CreateMember(system, m); err != nil {
		t.Fatal(err)
	}
	add := func(i int, detained bool) {
		t.Helper()
		name := fmt.Sprintf("Persona Ejemplo %d", i)
		a := &amparo.Applicant{Key: name, Facts: amparo.Facts{Personal: amparo.Personal{LegalName: name, Language: "es",
			BirthDate: amparo.MustDate(fmt.Sprintf("199%d-01-02", i)), Phone: "+1 213 555 0123", Situation: amparo.SituationOther,
			Detained: detained}}}
		if _, err := db.CreateApplicants(ctx, []*amparo.Applicant{a}); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 4 {
		add(i, i == 0)
	}

	staff, err := svc.Dashboard(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if staff.Work == nil || staff.Work.NewIntakes != 4 || staff.Proposed != 2 || staff.Program != nil || staff.Tiers != nil {
		t.Fatalf("staff dashboard %+v, work %+v", staff, staff.Work)
	}

	office := amparo.NewContextWithActor(context.Background(), amparo.Actor{ID: "office", Role: amparo.RoleProgramAdmin})
	tiers := func() []intake.TierCount {
		t.Helper()
		d, err := svc.Dashboard(office)
		if err != nil {
			t.Fatal(err)
		}
		if d.Work != nil || d.Program == nil || len(d.Program.Weeks) != intake.IntakeWeeks {
			t.Fatalf("office dashboard %+v", d)
		}
		return d.Tiers
	}
	reads := apps.reads
	got := tiers()
	// The detained person is in a tier; the rest in none.
	if len(got) != 2 || got[0].Tier < 1 || got[0].People != 1 || got[1] != (intake.TierCount{Tier: 0, People: 3}) {
		t.Fatalf("tiers %+v", got)
	}
	tiers()
	if apps.reads != reads+1 {
		t.Fatalf("the line was read %d times for two views, want once", apps.reads-reads)
	}
	add(5, false) // the line changes: it is counted again
	if got := tiers(); got[1].People != 4 || apps.reads != reads+2 {
		t.Fatalf("after an intake: %+v, %d reads", got, apps.reads-reads)
	}
	now = now.AddDate(0, 0, 1) // a new day: hearings and TPS dates move
	tiers()
	if apps.reads != reads+3 {
		t.Fatal("a new day did not rank the line again")
	}

	for _, role := range []amparo.Role{amparo.RoleOrganizer, amparo.RoleAuditor, amparo.RoleFundOfficer} {
		d, err := svc.Dashboard(amparo.NewContextWithActor(context.Background(), amparo.Actor{ID: "x", Role: role}))
		if err != nil || d.Work != nil || d.Program != nil || d.Tiers != nil {
			t.Errorf("%s: %+v, %v", role, d, err)
		}
	}
}

package sqldb_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/internal/storetest"
	"github.com/amparo-project/amparo/sqldb"
)

// TestWaitlist_FindWaitingAndMatchState: the line is the organization's
// people still waiting, oldest first, decrypted, its read audited once;
// the match state counts matches by member and lists declined pairs of
// people still waiting; both are the organization's alone, and refused to
// roles that do not see clients.
func TestWaitlist_FindWaitingAndMatchState(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, db *sqldb.DB) {
		now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
		db.Now = func() time.Time { now = now.Add(time.Minute); return now }
		orgA, orgB := storetest.MustCreateOrganization(t, db, "Centro Legal Ejemplo"), storetest.MustCreateOrganization(t, db, "Organization B Sample")
		mA := storetest.MustCreateMember(t, db, orgA.ID, "900001")
		actor := func(r amparo.Role, org string) context.Context {
			return amparo.NewContextWithActor(context.Background(), amparo.Actor{ID: string(r) + "-" + org[:4], Role: r, OrganizationID: org})
		}
		adminA, adminB := actor(amparo.RoleOrgAdmin, orgA.ID), actor(amparo.RoleOrgAdmin, orgB.ID)
		add := func(ctx context.Context, name string) *amparo.Applicant {
			a := &amparo.Applicant{Key: name, Facts: amparo.Facts{Personal: amparo.Personal{LegalName: name, Language: "es", Situation: amparo.SituationAsylum}}}
			if _, err := db.CreateApplicants(ctx, []*amparo.Applicant{a}); err != nil {
				t.Fatal(err)
			}
			return a
		}
		w1, w2, w3, w4 := add(adminA, "Ana Ejemplo Uno"), add(adminA, "Beto Ejemplo Dos"), add(adminA, "Carla Ejemplo Tres"), add(adminA, "Dario Ejemplo Cuatro")
		b1 := add(adminB, "Elena Muestra Cinco")
		must := func(err error) {
			t.Helper()
			if err != nil {
				t.Fatal(err)
			}
		}
		must(db.SetApplicantStatus(adminA, w3.ID, amparo.ApplicantMatched, mA.ID, ""))
		must(db.SetApplicantStatus(adminA, w4.ID, amparo.ApplicantClosed, "", "se mudó"))
		must(db.SetApplicantStatus(adminA, w1.ID, amparo.ApplicantWaitlisted, mA.ID, "no hay cupo")) // declined, still waiting

		ids := func(as []*amparo.Applicant) []string {
			var out []string
			for _, a := range as {
				out = append(out, a.ID)
			}
			return out
		}
		lists := func() int {
			_, n, err := db.FindAuditEvents(system, amparo.AuditFilter{Action: amparo.AuditApplicantList})
			must(err)
			return n
		}
		before := lists()
		got, err := db.FindWaiting(adminA, orgA.ID)
		must(err)
		if !slices.Equal(ids(got), []string{w1.ID, w2.ID}) || got[0].LegalName != "" || got[0].Situation != amparo.SituationAsylum || got[0].Status != amparo.ApplicantWaitlisted ||
			got[1].OrganizationID != orgA.ID || got[1].CreatedAt.IsZero() {
			t.Fatalf("A's line: %v, want [w1 w2] with their ranking facts and no name", ids(got))
		}
		if n := lists(); n != before+1 {
			t.Errorf("reading the line wrote %d audit events, want 1", n-before)
		}
		if got, err := db.FindWaiting(adminA, ""); err != nil || !slices.Equal(ids(got), []string{w1.ID, w2.ID}) {
			t.Errorf("all A's admin sees: %v %v", ids(got), err)
		}
		if got, err := db.FindWaiting(adminA, orgB.ID); err != nil || len(got) != 0 {
			t.Errorf("B's line read by A's admin: %v %v, want nothing", ids(got), err)
		}
		if got, err := db.FindWaiting(system, ""); err != nil || !slices.Equal(ids(got), []string{w1.ID, w2.ID, b1.ID}) {
			t.Errorf("every line, for the operator: %v %v", ids(got), err)
		}
		for _, r := range []amparo.Role{amparo.RoleOrganizer, amparo.RoleAuditor, amparo.RoleProgramAdmin} {
			if _, err := db.FindWaiting(actor(r, orgA.ID), orgA.ID); amparo.ErrorCode(err) != amparo.EFORBIDDEN {
				t.Errorf("FindWaiting as %s: %v, want EFORBIDDEN", r, err)
			}
			if _, err := db.FindMatchState(actor(r, orgA.ID), orgA.ID); amparo.ErrorCode(err) != amparo.EFORBIDDEN {
				t.Errorf("FindMatchState as %s: %v, want EFORBIDDEN", r, err)
			}
		}

		st, err := db.FindMatchState(adminA, orgA.ID)
		must(err)
		if len(st.Matched) != 1 || st.Matched[mA.ID] != 1 || !slices.Equal(st.Declined, []amparo.MemberPair{{ApplicantID: w1.ID, MemberID: mA.ID}}) {
			t.Fatalf("A's match state: %+v", st)
		}
		if st, err := db.FindMatchState(adminB, orgA.ID); err != nil || len(st.Matched) != 0 || len(st.Declined) != 0 {
			t.Errorf("A's match state read by B's admin: %+v %v, want nothing", st, err)
		}
		// Once the person declined for mA leaves the line, the pair no
		// longer counts.
		must(db.SetApplicantStatus(adminA, w1.ID, amparo.ApplicantClosed, "", "atendida en otro lugar"))
		if st, err := db.FindMatchState(adminA, orgA.ID); err != nil || len(st.Declined) != 0 || st.Matched[mA.ID] != 1 {
			t.Errorf("after the declined person left: %+v %v", st, err)
		}
	})
}

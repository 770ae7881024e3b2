package sqldb_test

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/internal/storetest"
	"github.com/amparo-project/amparo/sqldb"
)

// TestReportService_CountByGroup: intakes in 2026-Q3 and the line at its
// end by stored priority group, counted by hand; a later ranking under a
// new policy version moves an applicant's group; an applicant the actor
// does not see keeps its group.
func TestReportService_CountByGroup(t *testing.T) {
	each(t, func(t *testing.T, db *sqldb.DB) {
		orgA := storetest.MustCreateOrganization(t, db, "Centro Legal Ejemplo")
		orgB := storetest.MustCreateOrganization(t, db, "Abogados Ficticios")
		at := func(m time.Month, d int) string { return stamp(time.Date(2026, m, d, 12, 0, 0, 0, time.UTC)) }
		n := 0
		applicant := func(org, status, created string) string {
			n++
			id := fmt.Sprintf("grp%03d", n)
			reportExec(t, db, `INSERT INTO applicants (id, organization_id, status, row_key, wrapped_key, sealed, created_at, updated_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, id, org, status, id, []byte("k"), []byte("s"), created, created)
			return id
		}
		event := func(applicant, status, when string) {
			reportExec(t, db, `INSERT INTO applicant_events (applicant_id, status, sealed_reason, actor_id, at) VALUES (?, ?, ?, 'staff', ?)`,
				applicant, status, []byte("r"), when)
		}
		recent := applicant(orgA.ID, "new", at(9, 25))    // intake in Q3; waiting under 30 days at Oct 1
		old := applicant(orgA.ID, "waitlisted", at(6, 1)) // waiting 90-180 days
		m := applicant(orgA.ID, "matched", at(7, 5))      // intake in Q3, matched in Q3: out of the line
		event(m, "matched", at(8, 15))                    //
		late := applicant(orgA.ID, "matched", at(8, 1))   // intake in Q3, matched after: 30-90 days
		event(late, "matched", at(10, 5))                 //
		after := applicant(orgA.ID, "new", at(10, 3))     // received after Q3: counted nowhere
		applicant(orgA.ID, "new", at(2, 1))               // never ranked: unknown, over 180 days
		other := applicant(orgB.ID, "eligible", at(9, 1)) // intake in Q3, under 30 days; ranked by A: stays unknown

		system := amparo.NewContextWithActor(context.Background(), amparo.SystemActor)
		if err := db.SetPriorityGroups(system, 1, map[string]string{recent: "veterans", old: "veterans", m: "tps-removal",
			late: "tps-removal", after: amparo.NoPriorityGroup}); err != nil {
			t.Fatal(err)
		}
		if err := db.SetPriorityGroups(as(amparo.RoleOrgAdmin, orgA.ID), 1, map[string]string{other: "veterans"}); err != nil {
			t.Fatal(err)
		}
		p, err := amparo.ParseReportPeriod("2026-Q3", time.UTC)
		if err != nil {
			t.Fatal(err)
		}
		ctx := as(amparo.RoleProgramAdmin, "")
		check := func(m amparo.ReportMetric, want ...string) {
			t.Helper()
			slices.Sort(want)
			rows, err := db.CountReport(ctx, m, p)
			if err != nil {
				t.Fatalf("%s: %v", m, err)
			}
			if got := rowsOf(rows); !reflect.DeepEqual(got, want) {
				t.Errorf("%s: got %v, want %v", m, got, want)
			}
		}
		check(amparo.MetricIntakesGroup, "tps-removal=2", "unknown=1", "veterans=1")
		check(amparo.MetricQueueGroup, "tps-removal|30_to_90_days=1", "unknown|over_180_days=1", "unknown|under_30_days=1",
			"veterans|90_to_180_days=1", "veterans|under_30_days=1")

		// The policy changes (version 2): the recent applicant moves to
		// tps-removal; the rest stay, and only the moved row is written.
		if err := db.SetPriorityGroups(system, 2, map[string]string{recent: "tps-removal", old: "veterans"}); err != nil {
			t.Fatal(err)
		}
		var group string
		var version int
		row := sqldb.RawDB(db).QueryRow(rebind(db, `SELECT priority_group, priority_policy FROM applicants WHERE id = ?`), recent)
		if err := row.Scan(&group, &version); err != nil {
			t.Fatal(err)
		}
		if group != "tps-removal" || version != 2 {
			t.Errorf("after the policy change: group %q version %d, want tps-removal 2", group, version)
		}
		check(amparo.MetricIntakesGroup, "tps-removal=3", "unknown=1")
		check(amparo.MetricQueueGroup, "tps-removal|30_to_90_days=1", "tps-removal|under_30_days=1", "unknown|over_180_days=1",
			"unknown|under_30_days=1", "veterans|90_to_180_days=1")

		_, err = db.CountReport(as(amparo.RoleOrgAdmin, orgA.ID), amparo.MetricQueueGroup, p)
		wantCode(t, err, amparo.EFORBIDDEN)
	})
}

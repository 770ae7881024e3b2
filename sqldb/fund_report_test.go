package sqldb_test

import (
	"fmt"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/internal/storetest"
	"github.com/amparo-project/amparo/report"
	"github.com/amparo-project/amparo/sqldb"
)

// fundReportFixture stores, as raw rows, two sources, three grants, six
// funded cases, their spending (with a correction) and outcomes around
// 2026-Q3, whose totals are worked out by hand in
// TestReportService_CountFund. It returns the names the rows are
// counted by.
func fundReportFixture(t *testing.T, db *sqldb.DB) (city, private, orgA, orgB string) {
	a := storetest.MustCreateOrganization(t, db, "Centro Legal Ejemplo")
	b := storetest.MustCreateOrganization(t, db, "Abogados Ficticios")
	s1 := storetest.MustCreateFundSource(t, db) // City of Ejemplo: floor detained 70
	now := stamp(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	reportExec(t, db, `INSERT INTO fund_sources (id, name, kind, amount_cents, period_start, period_end, created_at)
		VALUES ('src2', 'Fundación Ficticia', 'private', 100000000, '2026-01-01', '2027-12-31', ?)`, now)
	reportExec(t, db, `INSERT INTO fund_restrictions (source_id, version, text, reason, author, created_at)
		VALUES ('src2', 1, 'lines attorney expert', 'the foundation''s terms', 'fund-officer', ?)`, now)
	grant := func(id, src, org string) {
		reportExec(t, db, `INSERT INTO fund_grants (id, source_id, organization_id, status, awarded_cents, period_start, period_end, alert_percent, created_at, updated_at)
			VALUES (?, ?, ?, 'active', 0, '2026-01-01', '2027-12-31', 10, ?, ?)`, id, src, org, now, now)
	}
	grant("gA1", s1.ID, a.ID)
	grant("gB2", "src2", b.ID)
	grant("gA2", "src2", a.ID)
	srcOf := map[string]string{"gA1": s1.ID, "gB2": "src2", "gA2": "src2"}
	orgOf := map[string]string{"gA1": a.ID, "gB2": b.ID, "gA2": a.ID}
	seq := 0
	post := func(g, account, caseID string, cents int64, on string) {
		seq++
		reportExec(t, db, `INSERT INTO fund_ledger (id, seq, grant_id, source_id, organization_id, account, amount_cents, effective_on, case_id, posted_by, posted_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'fund-officer', ?)`, fmt.Sprintf("e%03d", seq), seq, g, srcOf[g], orgOf[g], account, cents, on, caseID, now)
	}
	post("gA1", "award", "", 1_000_000, "2026-06-01")
	post("gA1", "award", "", 50_000, "2026-08-01") // an amendment in the period
	post("gB2", "award", "", 500_000, "2026-07-15")
	post("gA2", "award", "", 200_000, "2026-10-05") // after the period
	fcase := func(id, g, group string, detained int, funded string) {
		reportExec(t, db, `INSERT INTO fund_cases (id, grant_id, source_id, organization_id, detained, priority_group, policy_version, restrictions_version,
			court, stage, committed_cents, funded_on, wrapped, sealed, created_at) VALUES (?, ?, ?, ?, ?, ?, 1, 1, 'Ejemplo', 'master_calendar', 0, ?, ?, ?, ?)`,
			id, g, srcOf[g], orgOf[g], detained, group, funded, []byte("k"), []byte("s"), now)
	}
	outcome := func(id, caseID, kind, on string) {
		reportExec(t, db, `INSERT INTO fund_outcomes (id, case_id, kind, decided_on, recorded_by, recorded_at) VALUES (?, ?, ?, ?, 'attorney', ?)`,
			id, caseID, kind, on, now)
	}
	// c1: detained TPS holder; 500 in Q3; bond, then relief in Q3.
	fcase("c1", "gA1", "tps", 1, "2026-05-01")
	post("gA1", "spend", "c1", 30_000, "2026-07-10")
	post("gA1", "spend", "c1", 20_000, "2026-08-10")
	outcome("o1", "c1", "bond_granted", "2026-08-01")
	outcome("o2", "c1", "relief_granted", "2026-09-15")
	// c2: TPS holder not detained; 100 in Q2 and 150 in Q3; removal
	// order in Q3.
	fcase("c2", "gA1", "tps", 0, "2026-05-01")
	post("gA1", "spend", "c2", 10_000, "2026-06-20")
	post("gA1", "spend", "c2", 15_000, "2026-09-01")
	outcome("o3", "c2", "removal_order", "2026-09-20")
	// c3: detained, no group; 400 corrected away, then 50; pending.
	fcase("c3", "gB2", "none", 1, "2026-07-20")
	post("gB2", "spend", "c3", 40_000, "2026-08-05")
	post("gB2", "spend", "c3", -40_000, "2026-08-05")
	post("gB2", "spend", "c3", 5_000, "2026-09-05")
	// c4: spent after the period, closed before it.
	fcase("c4", "gB2", "none", 0, "2026-03-01")
	post("gB2", "spend", "c4", 9_000, "2026-10-03")
	outcome("o4", "c4", "termination", "2026-06-15")
	// c5: funded in Q3, nothing spent, pending; c6: funded after Q3.
	fcase("c5", "gA1", "tps", 1, "2026-09-01")
	fcase("c6", "gB2", "none", 1, "2026-10-10")
	// c7: its only spending fully corrected: not counted.
	fcase("c7", "gB2", "none", 0, "2026-07-01")
	post("gB2", "spend", "c7", 7_000, "2026-07-02")
	post("gB2", "spend", "c7", -7_000, "2026-07-03")
	outcome("o5", "c7", "voluntary_departure", "2026-08-20")
	return s1.Name, "Fundación Ficticia", a.Name, b.Name
}

// TestReportService_CountFund: the fund's metrics over 2026-Q3 of a known
// fixture, the same on both databases, in integer cents.
func TestReportService_CountFund(t *testing.T) {
	each(t, func(t *testing.T, db *sqldb.DB) {
		city, priv, a, b := fundReportFixture(t, db)
		p, err := amparo.ParseReportPeriod("2026-Q3", time.UTC)
		if err != nil {
			t.Fatal(err)
		}
		ctx := as(amparo.RoleProgramAdmin, "")
		for _, tc := range []struct {
			m    amparo.ReportMetric
			want []string
		}{
			{amparo.MetricFundAwarded, []string{city + "|" + a + "=1050000", priv + "|" + b + "=500000"}},
			{amparo.MetricFundCases, []string{city + "|" + a + "|tps|detained=1", city + "|" + a + "|tps|not_detained=1", priv + "|" + b + "|none|detained=1"}},
			{amparo.MetricFundSpent, []string{city + "|" + a + "|tps|detained=50000", city + "|" + a + "|tps|not_detained=15000", priv + "|" + b + "|none|detained=5000"}},
			// c1 stayed, c2 and c7 did not; c3 and c5 pending at the end.
			{amparo.MetricFundOutcomes, []string{"tps|detained|stayed=1", "tps|not_detained|did_not_stay=1", "none|not_detained|did_not_stay=1",
				"none|detained|pending=1", "tps|detained|pending=1"}},
			// Whole spending to the period's end of the cases closed in
			// it: c1 500, c2 100 + 150; c7's nets to zero.
			{amparo.MetricFundClosedSpent, []string{"tps|detained|stayed=50000", "tps|not_detained|did_not_stay=25000"}},
		} {
			slices.Sort(tc.want)
			rows, err := db.CountReport(ctx, tc.m, p)
			if err != nil {
				t.Fatalf("%s: %v", tc.m, err)
			}
			if got := rowsOf(rows); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("%s: got %v, want %v", tc.m, got, tc.want)
			}
		}
		floors, err := db.FundReportFloors(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Contains(floors, amparo.ReportFloor{Source: city, Target: "detained", Percent: 70}) {
			t.Errorf("floors: %+v", floors)
		}
		_, err = db.FundReportFloors(as(amparo.RoleOrgAdmin, "x"))
		wantCode(t, err, amparo.EFORBIDDEN)
		_, err = db.CountReport(as(amparo.RoleOrgAdmin, "x"), amparo.MetricFundSpent, p)
		wantCode(t, err, amparo.EFORBIDDEN)
	})
}

// TestReportService_ReleaseFund: the council's release over the fund's
// fixture, on both databases: the grants' awards are published to the
// cent; every count of the fund's tables is 1..k−1 or zero, so each is
// suppressed or zero, and so is every money and compliance cell that
// rests on one.
func TestReportService_ReleaseFund(t *testing.T) {
	each(t, func(t *testing.T, db *sqldb.DB) {
		city, _, a, _ := fundReportFixture(t, db)
		admin := as(amparo.RoleProgramAdmin, "")
		s := &report.Service{Store: db, Programs: db, Now: func() time.Time { return time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC) }}
		r, err := s.Release(admin, "2026-Q3", false)
		if err != nil {
			t.Fatal(err)
		}
		d, err := report.Decode(r)
		if err != nil {
			t.Fatal(err)
		}
		tables := map[string]report.Table{}
		for _, tb := range d.Tables {
			tables[tb.Name] = tb
			for _, c := range tb.Cells {
				if c.Count != nil && *c.Count > 0 && *c.Count < d.MinCount {
					t.Errorf("%s %v: published small count %d", tb.Name, c.Key, *c.Count)
				}
				if tb.MoneyOf != "" && tb.MoneyOf != report.MoneyPublic && c.Cents != nil && *c.Cents != 0 {
					t.Errorf("%s %v: money of a small group published: %d", tb.Name, c.Key, *c.Cents)
				}
				if c.Met != nil || (tb.ComplianceOf != "" && c.Percent != nil) {
					t.Errorf("%s %v: a share of a small group published", tb.Name, c.Key)
				}
			}
		}
		aw := tables["fund-awarded"]
		var got int64 = -1
		for _, c := range aw.Cells {
			if slices.Equal(c.Key, []string{city, a}) && c.Cents != nil {
				got = *c.Cents
			}
		}
		if got != 1_050_000 {
			t.Errorf("awarded %s to %s: %d cents, want 1050000", city, a, got)
		}
		for _, name := range []string{"fund-spent", "fund-spent-detention", "fund-closed-spent", "fund-outcomes-pending", "fund-spent-detention-compliance"} {
			if tb, ok := tables[name]; !ok || tb.Empty || !slices.ContainsFunc(tb.Cells, func(c report.Cell) bool { return c.Suppressed }) {
				t.Errorf("%s: missing, empty or nothing suppressed: %+v", name, tb)
			}
		}
	})
}

package sqldb_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/internal/storetest"
	"github.com/amparo-project/amparo/report"
	"github.com/amparo-project/amparo/sqldb"
)

// benchSeries is a statement over the series of integers 0..n-1 as i,
// in the dialect's own way: SQLite's recursive CTE, PostgreSQL's
// generate_series. at(expr) is a time column's value from seconds since
// the epoch; bytes is an empty BLOB.
func benchSeries(db *sqldb.DB, n int, insert, selectList, where string) string {
	if db.Dialect() == "postgres" {
		return insert + " SELECT " + selectList + " FROM generate_series(0, " + fmt.Sprint(n-1) + ") AS s(i)" + where
	}
	return "WITH RECURSIVE s(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM s WHERE i < " + fmt.Sprint(n-1) + ") " + insert + " SELECT " + selectList + " FROM s" + where
}

func benchAt(db *sqldb.DB, secs string) string {
	if db.Dialect() == "postgres" {
		return "to_timestamp(" + secs + ")"
	}
	return "strftime('%Y-%m-%dT%H:%M:%S.000000Z', " + secs + ", 'unixepoch')"
}

func benchBytes(db *sqldb.DB) string {
	if db.Dialect() == "postgres" {
		return "'\\x00'::bytea"
	}
	return "x'00'"
}

func benchText(db *sqldb.DB, prefix, expr string) string {
	if db.Dialect() == "postgres" {
		return "'" + prefix + "' || lpad((" + expr + ")::text, 7, '0')"
	}
	return "printf('" + prefix + "%07d', " + expr + ")"
}

// seedCouncil stores a council-sized program by raw statements: 60
// organizations (a third of them small), 1,000,000 applicants received
// over 2024 to 2026-Q3, a tenth of them matched; 100,000 letters (5%
// revoked, 3% renewed, languages of which some rare); 2,000 workshops
// with 20,000 scans; 20,000 alerts.
func seedCouncil(b testing.TB, db *sqldb.DB, applicants int) {
	var orgs []string
	for i := range 60 {
		o := storetest.MustCreateOrganization(b, db, fmt.Sprintf("Organización Ficticia %02d", i))
		storetest.MustCreateMember(b, db, o.ID, fmt.Sprintf("95%04d", i))
		orgs = append(orgs, o.ID)
	}
	var members []string
	rows, err := sqldb.RawDB(db).Query("SELECT id, organization_id FROM members")
	if err != nil {
		b.Fatal(err)
	}
	byOrg := map[string]string{}
	for rows.Next() {
		var id, org string
		if err := rows.Scan(&id, &org); err != nil {
			b.Fatal(err)
		}
		byOrg[org] = id
	}
	rows.Close()
	for _, o := range orgs {
		members = append(members, byOrg[o])
	}
	// Organizations by i: 70% go to the first 20, the rest spread over 60.
	pick := func(list []string) string {
		var s strings.Builder
		s.WriteString("CASE CASE WHEN i % 10 < 7 THEN i % 20 ELSE i % 60 END")
		for k, id := range list {
			fmt.Fprintf(&s, " WHEN %d THEN '%s'", k, id)
		}
		s.WriteString(" END")
		return s.String()
	}
	const start = 1704067200                              // 2024-01-01
	step := fmt.Sprint((1790812800 - start) / applicants) // 2024-01-01 .. 2026-10-01
	exec := func(q string) {
		if _, err := sqldb.RawDB(db).Exec(q); err != nil {
			b.Fatalf("%v\n%s", err, q[:min(len(q), 400)])
		}
	}
	by, t := benchBytes(db), func(s string) string { return benchAt(db, s) }
	exec(benchSeries(db, applicants, `INSERT INTO applicants (id, organization_id, status, row_key, wrapped_key, sealed, created_at, updated_at)`,
		benchText(db, "a", "i")+", "+pick(orgs)+", CASE i % 7 WHEN 0 THEN 'new' WHEN 1 THEN 'waitlisted' WHEN 2 THEN 'eligible' WHEN 3 THEN 'served' ELSE 'closed' END, "+
			benchText(db, "k", "i")+", "+by+", "+by+", "+t(fmt.Sprint(start)+" + i * "+step)+", "+t(fmt.Sprint(start)+" + i * "+step), ""))
	exec(benchSeries(db, applicants, `INSERT INTO applicant_events (applicant_id, status, sealed_reason, actor_id, at)`,
		benchText(db, "a", "i")+", 'matched', "+by+", 'bench', "+t(fmt.Sprint(start)+" + i * "+step+" + 864000"), " WHERE i % 10 = 0"))
	letters := applicants / 10
	lstep := fmt.Sprint((1790812800 - start) / letters)
	issued := fmt.Sprint(start) + " + i * " + lstep
	exec(benchSeries(db, letters, `INSERT INTO letters (id, member_id, organization_id, status, issued_at, valid_until, revoked_at, revoke_reason, superseded_by, languages, created_at, updated_at)`,
		benchText(db, "l", "i")+", "+pick(members)+", "+pick(orgs)+", CASE WHEN i % 20 = 0 THEN 'revoked' ELSE 'active' END, "+t(issued)+", "+t(issued+" + 31536000")+
			", CASE WHEN i % 20 = 0 THEN "+t(issued+" + 2592000")+" END, '', CASE WHEN i % 33 = 0 THEN "+benchText(db, "l", "i + 1")+" ELSE '' END, "+
			"CASE WHEN i % 97 = 0 THEN '[\"ht\"]' WHEN i % 89 = 0 THEN '[\"pt\"]' WHEN i % 3 = 0 THEN '[\"en\"]' ELSE '[\"es\"]' END, "+t(issued)+", "+t(issued), ""))
	wstep := fmt.Sprint((1790812800 - start) / 2000)
	exec(benchSeries(db, 2000, `INSERT INTO workshops (id, organization_id, status, starts_at, ends_at, capacity, address_visibility, languages, facilitators, materials, retention_days, offer_hours, public_key, wrapped, sealed, created_at, updated_at)`,
		benchText(db, "w", "i")+", "+pick(orgs)+", 'held', "+t(fmt.Sprint(start)+" + i * "+wstep)+", "+t(fmt.Sprint(start)+" + i * "+wstep+" + 7200")+
			", 40, 'public', '[\"es\"]', '[]', '[]', 30, 24, "+by+", "+by+", "+by+", "+t(fmt.Sprint(start))+", "+t(fmt.Sprint(start)), ""))
	exec(benchSeries(db, 20000, `INSERT INTO workshop_scans (workshop_id, nonce, outcome, party_size, at)`,
		benchText(db, "w", "i % 2000")+", "+benchText(db, "n", "i")+", CASE WHEN i % 5 = 0 THEN 'walk_in' ELSE 'ok' END, 1 + i % 3, "+t(fmt.Sprint(start)+" + (i % 2000) * "+wstep), ""))
	astep := fmt.Sprint((1790812800 - start) / 20000)
	exec(benchSeries(db, 20000, `INSERT INTO alerts (id, organization_id, source, status, key_hash, timeout_ms, raised_at, acknowledged_at, wrapped_key, sealed)`,
		benchText(db, "x", "i")+", "+pick(orgs)+", 'sms', 'acknowledged', "+map[bool]string{true: "convert_to(" + benchText(db, "h", "i") + ", 'UTF8')", false: "CAST(" + benchText(db, "h", "i") + " AS BLOB)"}[db.Dialect() == "postgres"]+
			", 60000, "+t(fmt.Sprint(start)+" + i * "+astep)+", CASE WHEN i % 9 = 0 THEN NULL ELSE "+t(fmt.Sprint(start)+" + i * "+astep+" + (i % 7) * 600")+" END, "+by+", "+by, ""))
	exec("ANALYZE")
}

func benchDate(db *sqldb.DB, secs string) string {
	if db.Dialect() == "postgres" {
		return "to_char(to_timestamp(" + secs + ") AT TIME ZONE 'UTC', 'YYYY-MM-DD')"
	}
	return "date(" + secs + ", 'unixepoch')"
}

// seedFundCouncil stores the fund at the council's scale by raw
// statements: three sources (the city's with a 70% detained floor), 120
// grants to the 60 organizations and their awards, 100,000 funded cases
// (two in three detained, five priority groups) funded over 2024 to
// 2026-Q3, 2,000,000 approved cost entries and their spend entries in the
// ledger over the same years, and a final outcome for six cases in ten
// (an interim bond outcome before it for some).
func seedFundCouncil(b testing.TB, db *sqldb.DB, cases, costs int) {
	exec := func(q string) {
		if _, err := sqldb.RawDB(db).Exec(q); err != nil {
			b.Fatalf("%v\n%s", err, q[:min(len(q), 400)])
		}
	}
	var orgs []string
	rows, err := sqldb.RawDB(db).Query("SELECT id FROM organizations ORDER BY name")
	if err != nil {
		b.Fatal(err)
	}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			b.Fatal(err)
		}
		orgs = append(orgs, id)
	}
	rows.Close()
	orgOf := func(expr string) string { // the organization of grant index expr
		var s strings.Builder
		s.WriteString("CASE (" + expr + ") % " + fmt.Sprint(len(orgs)))
		for k, id := range orgs {
			fmt.Fprintf(&s, " WHEN %d THEN '%s'", k, id)
		}
		s.WriteString(" END")
		return s.String()
	}
	const start = 1704067200 // 2024-01-01
	now := "'2024-01-01T00:00:00.000000Z'"
	if db.Dialect() == "postgres" {
		now = "now()"
	}
	restrictions := []string{"floor detained 70 \"At least 70% for people in detention\"\nlines attorney expert fees", "exclude violent_felony_conviction\nlines attorney expert", "lines attorney expert fees travel"}
	for i, name := range []string{"City of Ejemplo", "County of Ejemplo", "Fundación Ficticia"} {
		exec(fmt.Sprintf(`INSERT INTO fund_sources (id, name, kind, amount_cents, period_start, period_end, created_at) VALUES ('fs%d', '%s', 'city', 100000000000, '2024-01-01', '2027-12-31', %s)`, i, name, now))
		exec(fmt.Sprintf(`INSERT INTO fund_restrictions (source_id, version, text, reason, author, created_at) VALUES ('fs%d', 1, '%s', 'bench', 'bench', %s)`, i, strings.ReplaceAll(restrictions[i], "\n", "\n"), now))
	}
	by := benchBytes(db)
	const grants = 120
	src := func(expr string) string { return "'fs' || ((" + expr + ") % 3)" }
	if db.Dialect() == "postgres" {
		src = func(expr string) string { return "'fs' || ((" + expr + ") % 3)::text" }
	}
	exec(benchSeries(db, grants, `INSERT INTO fund_grants (id, source_id, organization_id, status, awarded_cents, period_start, period_end, alert_percent, created_at, updated_at)`,
		benchText(db, "g", "i")+", "+src("i")+", "+orgOf("i")+", 'active', 500000000, '2024-01-01', '2027-12-31', 10, "+now+", "+now, ""))
	exec(benchSeries(db, grants, `INSERT INTO fund_ledger (id, seq, grant_id, source_id, organization_id, account, amount_cents, effective_on, posted_by, posted_at)`,
		benchText(db, "la", "i")+", i + 1, "+benchText(db, "g", "i")+", "+src("i")+", "+orgOf("i")+", 'award', 500000000, '2024-01-01', 'bench', "+now, ""))
	cstep := fmt.Sprint((1790812800 - start) / cases)
	grant := "i % " + fmt.Sprint(grants)
	exec(benchSeries(db, cases, `INSERT INTO fund_cases (id, grant_id, source_id, organization_id, detained, priority_group, policy_version, restrictions_version, court, stage, committed_cents, funded_on, wrapped, sealed, created_at)`,
		benchText(db, "fc", "i")+", "+benchText(db, "g", grant)+", "+src(grant)+", "+orgOf(grant)+", CASE WHEN i % 3 = 0 THEN 0 ELSE 1 END, "+
			"CASE i % 5 WHEN 0 THEN 'tps' WHEN 1 THEN 'detained' WHEN 2 THEN 'minor' WHEN 3 THEN 'asylum' ELSE 'none' END, 1, 1, 'Ejemplo', 'master_calendar', 1500000, "+
			benchDate(db, fmt.Sprint(start)+" + i * "+cstep)+", "+by+", "+by+", "+now, ""))
	kstep := fmt.Sprint((1790812800 - start) / costs)
	kcase := "i % " + fmt.Sprint(cases)
	kgrant := "(" + kcase + ") % " + fmt.Sprint(grants)
	on := benchDate(db, fmt.Sprint(start)+" + i * "+kstep)
	amount := "5000 + (i % 97) * 100"
	exec(benchSeries(db, costs, `INSERT INTO fund_costs (id, case_id, grant_id, organization_id, budget_line, kind, centihours, rate_cents, amount_cents, incurred_on, status, recorded_by, approved_by, created_at, updated_at)`,
		benchText(db, "k", "i")+", "+benchText(db, "fc", kcase)+", "+benchText(db, "g", kgrant)+", "+orgOf(kgrant)+", 'attorney', 'expense', 0, 0, "+amount+", "+on+", 'approved', 'bench', 'bench', "+now+", "+now, ""))
	exec(benchSeries(db, costs, `INSERT INTO fund_ledger (id, seq, grant_id, source_id, organization_id, account, amount_cents, effective_on, case_id, cost_id, detained, priority_group, budget_line, posted_by, posted_at)`,
		benchText(db, "ls", "i")+", i + 1000, "+benchText(db, "g", kgrant)+", "+src(kgrant)+", "+orgOf(kgrant)+", 'spend', "+amount+", "+on+", "+benchText(db, "fc", kcase)+", "+benchText(db, "k", "i")+
			", CASE WHEN ("+kcase+") % 3 = 0 THEN 0 ELSE 1 END, 'g', 'attorney', 'bench', "+now, ""))
	// Final outcomes, decided a year after funding (capped at 2026-09-30).
	decided := benchDate(db, "min(1790726400, "+fmt.Sprint(start)+" + i * "+cstep+" + 31536000)")
	if db.Dialect() == "postgres" {
		decided = benchDate(db, "least(1790726400, "+fmt.Sprint(start)+" + i * "+cstep+" + 31536000)")
	}
	exec(benchSeries(db, cases, `INSERT INTO fund_outcomes (id, case_id, kind, decided_on, recorded_by, recorded_at)`,
		benchText(db, "fo", "i")+", "+benchText(db, "fc", "i")+", CASE i % 6 WHEN 0 THEN 'relief_granted' WHEN 1 THEN 'termination' WHEN 2 THEN 'removal_order' "+
			"WHEN 3 THEN 'administrative_closure' WHEN 4 THEN 'voluntary_departure' ELSE 'relief_granted' END, "+decided+", 'bench', "+now, " WHERE i % 10 < 6"))
	exec(benchSeries(db, cases, `INSERT INTO fund_outcomes (id, case_id, kind, bond_cents, decided_on, recorded_by, recorded_at)`,
		benchText(db, "fb", "i")+", "+benchText(db, "fc", "i")+", 'bond_granted', 500000, "+benchDate(db, fmt.Sprint(start)+" + i * "+cstep+" + 864000")+", 'bench', "+now, " WHERE i % 10 < 3"))
	exec("ANALYZE")
}

// BenchmarkReportRelease: the council's quarterly release (2026-Q3,
// every table of council.txt: counts, suppression, the check against
// the 2026-Q2 release, hashing and storing) over 1,000,000 applicants,
// 100,000 letters, 2,000 workshops, 20,000 alerts, and the fund's
// 100,000 funded cases and 2,000,000 cost entries. The budget
// is 5 s on each database.
func BenchmarkReportRelease(b *testing.B) {
	for _, dialect := range []string{"sqlite", "postgres"} {
		b.Run(dialect, func(b *testing.B) {
			db := MustOpenDB(b, dialect)
			seedCouncil(b, db, 1_000_000)
			seedFundCouncil(b, db, 100_000, 2_000_000)
			admin := as(amparo.RoleProgramAdmin, "")
			s := &report.Service{Store: db, Programs: db, Now: func() time.Time { return time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC) }}
			if _, err := s.Release(admin, "2026-Q2", true); err != nil {
				b.Fatal(err)
			}
			for b.Loop() {
				r, err := s.Release(admin, "2026-Q3", false)
				if err != nil {
					b.Fatal(err)
				}
				b.StopTimer()
				d, _ := report.Decode(r)
				b.ReportMetric(float64(d.Suppressed), "suppressed")
				b.ReportMetric(float64(d.Cells), "cells")
				for _, t := range d.Tables {
					if t.Name == "fund-spent" && (t.Empty || len(t.Cells) == 0) {
						b.Fatal("the fund's tables are empty")
					}
				}
				if _, err := sqldb.RawDB(db).ExecContext(context.Background(), rebind(db, "DELETE FROM report_releases WHERE id = ?"), r.ID); err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
			}
		})
	}
}

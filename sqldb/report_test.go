package sqldb_test

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/internal/storetest"
	"github.com/amparo-project/amparo/sqldb"
)

// reportFixture stores known letters, applicants, matches, workshops and
// alerts around 2026-Q3 in two organizations, as raw rows (the counts
// read columns only).
func reportFixture(t *testing.T, db *sqldb.DB) (orgA, orgB string) {
	a := storetest.MustCreateOrganization(t, db, "Centro Legal Ejemplo")
	b := storetest.MustCreateOrganization(t, db, "Abogados Ficticios")
	ma := storetest.MustCreateMember(t, db, a.ID, "910001")
	mb := storetest.MustCreateMember(t, db, b.ID, "910002")
	at := func(m time.Month, d int) string { return stamp(time.Date(2026, m, d, 12, 0, 0, 0, time.UTC)) }
	n := 0
	letter := func(org, member, status, issued, until, revoked, supersededBy, langs string) string {
		n++
		id := fmt.Sprintf("letter%03d", n)
		reportExec(t, db, `INSERT INTO letters (id, member_id, organization_id, status, issued_at, valid_until, revoked_at, revoke_reason,
			superseded_by, languages, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, '', ?, ?, ?, ?)`,
			id, member, org, status, nullStr(issued), nullStr(until), nullStr(revoked), supersededBy, langs, at(1, 1), at(1, 1))
		return id
	}
	// Organization A: 3 issued in Q3 (2 in Spanish, 1 in English only),
	// one of them renewing a letter of Q1 and one revoked in Q3; one
	// issued in Q4 (after the period).
	renewed := letter(a.ID, ma.ID, "active", at(8, 1), at(12, 31), "", "", `["es"]`)
	letter(a.ID, ma.ID, "superseded", at(2, 1), at(12, 31), "", renewed, `["es"]`)
	letter(a.ID, ma.ID, "active", at(7, 10), at(12, 31), "", "", `["es","fr"]`)
	letter(a.ID, ma.ID, "revoked", at(9, 1), at(12, 31), at(9, 20), "", `[]`)
	letter(a.ID, ma.ID, "active", at(10, 2), at(12, 31), "", "", `["ht"]`)
	// Organization B: one active since Q1, in Haitian Creole.
	letter(b.ID, mb.ID, "active", at(3, 1), at(12, 31), "", "", `["ht"]`)
	letter(b.ID, mb.ID, "draft", "", "", "", "", `[]`)

	app := 0
	applicant := func(org, status, created string) string {
		app++
		id := fmt.Sprintf("app%03d", app)
		reportExec(t, db, `INSERT INTO applicants (id, organization_id, status, row_key, wrapped_key, sealed, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, id, org, status, id, []byte("k"), []byte("s"), created, created)
		return id
	}
	event := func(applicant, status, when string) {
		reportExec(t, db, `INSERT INTO applicant_events (applicant_id, status, sealed_reason, actor_id, at) VALUES (?, ?, ?, 'staff', ?)`,
			applicant, status, []byte("r"), when)
	}
	applicant(a.ID, "new", at(9, 25))       // waiting under 30 days at Oct 1
	applicant(a.ID, "waitlisted", at(6, 1)) // 90-180 days
	m := applicant(a.ID, "matched", at(7, 5))
	event(m, "matched", at(8, 15)) // matched in Q3: out of the line at its end
	late := applicant(b.ID, "matched", at(8, 1))
	event(late, "matched", at(10, 5)) // matched after Q3: still in line at its end (30-90 days)
	applicant(b.ID, "new", at(10, 3)) // received after Q3

	// Alerts: acknowledged in 5 minutes, in 2 hours, and never.
	raise := func(id, org string, raised time.Time, acked *time.Time) {
		var ack any
		if acked != nil {
			ack = stamp(*acked)
		}
		reportExec(t, db, `INSERT INTO alerts (id, organization_id, source, status, key_hash, timeout_ms, raised_at, acknowledged_at, wrapped_key, sealed)
			VALUES (?, ?, 'sms', 'open', ?, 60000, ?, ?, ?, ?)`, id, org, []byte(id), stamp(raised), ack, []byte("k"), []byte("s"))
	}
	r1 := time.Date(2026, 8, 3, 10, 0, 0, 0, time.UTC)
	raise("alert1", a.ID, r1, ptr(r1.Add(5*time.Minute)))
	raise("alert2", a.ID, r1, ptr(r1.Add(2*time.Hour)))
	raise("alert3", b.ID, r1, nil)
	// Workshops: one held in Q3 with a ticket of three, a walk-in of two
	// and a refused scan; one held in Q4.
	for i, start := range []string{at(8, 20), at(10, 20)} {
		w := storetest.MustCreateWorkshop(t, db, a.ID, &amparo.Workshop{})
		reportExec(t, db, `UPDATE workshops SET status = 'held', starts_at = ?, ends_at = ? WHERE id = ?`, start, start, w.ID)
		for j, sc := range []struct {
			outcome string
			size    int
		}{{"ok", 3}, {"walk_in", 2}, {"forged", 4}} {
			reportExec(t, db, `INSERT INTO workshop_scans (workshop_id, nonce, outcome, party_size, at) VALUES (?, ?, ?, ?, ?)`,
				w.ID, fmt.Sprintf("n%d%d", i, j), sc.outcome, sc.size, start)
		}
	}
	return a.Name, b.Name
}

// reportExec is mustExec for statements of more than nine arguments.
func reportExec(t *testing.T, db *sqldb.DB, q string, args ...any) {
	t.Helper()
	if db.Dialect() == "postgres" {
		for i := 1; strings.Contains(q, "?"); i++ {
			q = strings.Replace(q, "?", "$"+strconv.Itoa(i), 1)
		}
	}
	if _, err := sqldb.RawDB(db).Exec(q, args...); err != nil {
		t.Fatal(err)
	}
}

func nullStr(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func ptr[T any](v T) *T { return &v }

func rowsOf(rows []amparo.ReportRow) []string {
	var out []string
	for _, r := range rows {
		out = append(out, fmt.Sprintf("%s=%d", strings.Join(r.Keys, "|"), r.Count))
	}
	slices.Sort(out)
	return out
}

// TestReportService_CountReport: each metric's counts over 2026-Q3 of a
// known fixture, the same on both databases.
func TestReportService_CountReport(t *testing.T) {
	each(t, func(t *testing.T, db *sqldb.DB) {
		a, b := reportFixture(t, db)
		p, err := amparo.ParseReportPeriod("2026-Q3", time.UTC)
		if err != nil {
			t.Fatal(err)
		}
		ctx := as(amparo.RoleProgramAdmin, "")
		for _, tc := range []struct {
			m    amparo.ReportMetric
			want []string
		}{
			{amparo.MetricLettersIssued, []string{a + "|en=1", a + "|es=2"}},
			{amparo.MetricLettersActive, []string{a + "|es=2", b + "|ht=1"}},
			{amparo.MetricLettersRenewed, []string{a + "=1"}},
			{amparo.MetricLettersRevoked, []string{a + "=1"}},
			{amparo.MetricLettersTotal, []string{a + "=4", b + "=1"}},
			{amparo.MetricIntakes, []string{a + "=2", b + "=1"}},
			{amparo.MetricQueue, []string{a + "|90_to_180_days=1", a + "|under_30_days=1", b + "|30_to_90_days=1"}},
			{amparo.MetricMatches, []string{a + "=1"}},
			{amparo.MetricWorkshops, []string{a + "=1"}},
			{amparo.MetricAttendance, []string{a + "=5"}},
			{amparo.MetricAlerts, []string{a + "|over_1_hour=1", a + "|under_15_minutes=1", b + "|pending=1"}},
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
		_, err = db.CountReport(as(amparo.RoleOrgAdmin, "x"), amparo.MetricIntakes, p)
		wantCode(t, err, amparo.EFORBIDDEN)
		_, err = db.CountReport(ctx, "letters.mailed", p)
		wantCode(t, err, amparo.EINVALID)
	})
}

// TestReportService_Releases: one release per period, approved once; the
// public sees approved releases only, and never the true counts.
func TestReportService_Releases(t *testing.T) {
	each(t, func(t *testing.T, db *sqldb.DB) {
		admin := as(amparo.RoleProgramAdmin, "")
		public := amparo.NewContextWithActor(context.Background(), amparo.VisitorActor)
		p, _ := amparo.ParseReportPeriod("2026-Q3", time.UTC)
		r := &amparo.ReportRelease{ID: p.Name, Period: p.Name, From: p.From, Until: p.Until, Hash: "abc", Public: []byte(`{"a":1}`), Private: []byte(`{"a":2}`)}
		wantCode(t, db.CreateReportRelease(public, r), amparo.EFORBIDDEN)
		if err := db.CreateReportRelease(admin, r); err != nil {
			t.Fatal(err)
		}
		again := *r
		wantCode(t, db.CreateReportRelease(admin, &again), amparo.ECONFLICT)
		_, err := db.FindReportRelease(public, p.Name)
		wantCode(t, err, amparo.ENOTFOUND)
		if l, err := db.FindReportReleases(public, amparo.ReportReleaseFilter{}); err != nil || len(l) != 0 {
			t.Fatalf("public list before approval: %v, %v", l, err)
		}
		_, err = db.ApproveReportRelease(public, p.Name)
		wantCode(t, err, amparo.EFORBIDDEN)
		got, err := db.ApproveReportRelease(admin, p.Name)
		if err != nil || !got.Approved() || got.ApprovedBy == "" {
			t.Fatalf("approve: %+v, %v", got, err)
		}
		_, err = db.ApproveReportRelease(admin, p.Name)
		wantCode(t, err, amparo.ECONFLICT)
		pub, err := db.FindReportRelease(public, p.Name)
		if err != nil || string(pub.Public) != `{"a":1}` || pub.Private != nil || pub.Hash != "abc" || !pub.From.Equal(p.From) {
			t.Fatalf("public read: %+v, %v", pub, err)
		}
		own, err := db.FindReportRelease(admin, p.Name)
		if err != nil || string(own.Private) != `{"a":2}` {
			t.Fatalf("admin read: %+v, %v", own, err)
		}
		if l, err := db.FindReportReleases(public, amparo.ReportReleaseFilter{Before: p.From}); err != nil || len(l) != 0 {
			t.Fatalf("before the period: %v, %v", l, err)
		}
	})
}

// TestReportService_ReleaseAudit: making a release and approving it are
// audited, once each, naming the release's period and who acted, and
// nothing else; a refused second approval leaves no event.
func TestReportService_ReleaseAudit(t *testing.T) {
	each(t, func(t *testing.T, db *sqldb.DB) {
		admin := as(amparo.RoleProgramAdmin, "")
		p, _ := amparo.ParseReportPeriod("2026-Q3", time.UTC)
		r := &amparo.ReportRelease{ID: p.Name, Period: p.Name, From: p.From, Until: p.Until, Hash: "abc", Public: []byte(`{}`), Private: []byte(`{}`)}
		if err := db.CreateReportRelease(admin, r); err != nil {
			t.Fatal(err)
		}
		if _, err := db.ApproveReportRelease(admin, p.Name); err != nil {
			t.Fatal(err)
		}
		_, err := db.ApproveReportRelease(admin, p.Name)
		wantCode(t, err, amparo.ECONFLICT)
		wantCode(t, db.CreateReportRelease(admin, r), amparo.ECONFLICT)
		for _, a := range []amparo.AuditAction{amparo.AuditReportReleaseCreate, amparo.AuditReportReleaseApprove} {
			es, _, err := db.FindAuditEvents(as(amparo.RoleAuditor, ""), amparo.AuditFilter{Action: a})
			if err != nil {
				t.Fatal(err)
			}
			if len(es) != 1 || es[0].RecordType != amparo.RecordReportRelease || es[0].RecordID != "2026-Q3" || es[0].ActorRole != amparo.RoleProgramAdmin {
				t.Fatalf("%s: %+v", a, es)
			}
		}
	})
}

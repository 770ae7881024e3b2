package web_test

import (
	"database/sql"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/envelope"
	"github.com/amparo-project/amparo/sqldb"
)

// BenchmarkListAudit times the audit trail's pages through httptest, as
// an auditor reads them, with 100,000 audit events of one organization:
// the first and last page, filtered by action (first and last page), by
// dates, by both, and by the actor's name. The figure to meet: p95 under
// 20 ms on SQLite and 40 ms on PostgreSQL.
func BenchmarkListAudit(b *testing.B) {
	const total = 100_000
	for dialect, driver := range map[string]string{"sqlite": "sqlite", "postgres": "pgx"} {
		b.Run(dialect, func(b *testing.B) {
			db, k, where := benchStore(b, dialect)
			benchAuditPages(b, db, k, driver, where, total)
		})
	}
}

func benchAuditPages(b *testing.B, db *sqldb.DB, k *envelope.Keyring, driver, dsn string, total int) {
	_, h := newTestServer(b, db, k)
	ts := httptest.NewServer(h)
	b.Cleanup(ts.Close)
	org := &amparo.Organization{Name: "Centro Legal Ejemplo", Kind: amparo.OrgNonprofit, Languages: []string{"en", "es"}}
	if err := db.CreateOrganization(system, org); err != nil {
		b.Fatal(err)
	}
	// The events' actor: a member's account, whose name the page shows.
	inv := &amparo.Invitation{Email: "lic-ejemplo@example.org", Role: amparo.RoleMember, OrganizationID: org.ID}
	if err := db.CreateInvitation(system, inv); err != nil {
		b.Fatal(err)
	}
	actor, err := db.AcceptInvitation(system, inv.Token, "Lic. Ejemplo Ficticio", "$argon2id$unused")
	if err != nil {
		b.Fatal(err)
	}
	start := time.Now().UTC().AddDate(0, 0, -100).Truncate(24 * time.Hour)
	if err := seedAuditEvents(b, driver, dsn, actor.ID, org.ID, start, total); err != nil {
		b.Fatal(err)
	}
	get := benchBrowser(b, db, ts.URL, amparo.RoleAuditor, "")
	_, n, err := db.FindAuditEvents(system, amparo.AuditFilter{})
	if err != nil {
		b.Fatal(err)
	}
	day := func(d int) string { return start.AddDate(0, 0, d).Format(time.DateOnly) }
	// One event every 86 seconds: about 1,000 a day, 10,000 in ten days;
	// one in ten is a letter issued.
	lastPage := (n + perPage - 1) / perPage
	issued := (total + 9) / 10
	for _, tt := range []struct {
		name, path string
		count      string // "of N<" to find, "" for any
		rows       int
	}{
		{"first", "/audit", fmt.Sprintf(" of %d<", n), perPage},
		{"last", fmt.Sprintf("/audit?page=%d", lastPage), fmt.Sprintf("–%d of %d<", n, n), n - (lastPage-1)*perPage},
		{"action", "/audit?action=letter.issue", fmt.Sprintf(" of %d<", issued), perPage},
		{"action-most", "/audit?action=client.view", fmt.Sprintf(" of %d<", total-2*issued), perPage},
		{"action-last", fmt.Sprintf("/audit?action=letter.issue&page=%d", (issued+perPage-1)/perPage), fmt.Sprintf("–%d of %d<", issued, issued), issued - (issued-1)/perPage*perPage},
		{"dates", "/audit?from=" + day(40) + "&until=" + day(49), "", perPage},
		{"action-dates", "/audit?action=letter.issue&from=" + day(40) + "&until=" + day(49), "", perPage},
		{"oldest-first", "/audit?sort=at&from=" + day(40), "", perPage},
		{"actor", "/audit?q=ejemplo+ficticio", "", perPage},
	} {
		b.Run(tt.name, func(b *testing.B) {
			timeRequests(b, func() (string, func(string) error) {
				return tt.path, func(body string) error {
					if tt.count != "" && !strings.Contains(body, tt.count) {
						return fmt.Errorf("no %q", tt.count)
					}
					if got := strings.Count(body, `<td data-label="Who">`); got != tt.rows {
						return fmt.Errorf("%d rows, want %d", got, tt.rows)
					}
					return nil
				}
			}, get)
		})
	}
}

// perPage is the web app's page of a list.
const perPage = 50

// seedAuditEvents writes n events in one statement, one every 86 seconds
// from start: one in ten a letter issued, one in ten an applicant added,
// the rest clients opened. They are written past the store, so their hash
// chain is not a real one: a benchmark of reading never verifies it.
func seedAuditEvents(b *testing.B, driver, dsn, actorID, orgID string, start time.Time, n int) error {
	conn, err := sql.Open(driver, dsn)
	if err != nil {
		return err
	}
	defer conn.Close()
	kind := `CASE WHEN i % 10 = 0 THEN 'letter.issue' WHEN i % 10 = 1 THEN 'applicant.create' ELSE 'client.view' END`
	record := `CASE WHEN i % 10 = 0 THEN 'letter' WHEN i % 10 = 1 THEN 'applicant' ELSE 'client' END`
	var q string
	var args []any
	if driver == "pgx" {
		q = `INSERT INTO audit_events (at, actor_id, actor_role, organization_id, action, record_type, record_id, hash)
			SELECT $1::timestamptz + i * 86 * interval '1 second', $2, 'member', $3, ` + kind + `, ` + record + `,
				md5(i::text), decode(repeat('00', 32), 'hex')
			FROM generate_series(0, $4::int - 1) AS i`
		args = []any{start, actorID, orgID, n}
	} else {
		q = `WITH RECURSIVE s(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM s WHERE i < ? - 1)
			INSERT INTO audit_events (at, actor_id, actor_role, organization_id, action, record_type, record_id, hash)
			SELECT strftime('%Y-%m-%dT%H:%M:%S', ?, '+' || (i * 86) || ' seconds') || '.000000Z', ?, 'member', ?, ` + kind + `, ` + record + `,
				printf('%032x', i), zeroblob(32)
			FROM s`
		args = []any{n, start.Format("2006-01-02 15:04:05"), actorID, orgID}
	}
	if _, err := conn.ExecContext(b.Context(), q, args...); err != nil {
		return err
	}
	// The hours' counts, as the store keeps them (migration 00023's
	// backfill, the same statement).
	counts := `DELETE FROM audit_counts;
		INSERT INTO audit_counts (hour, action, actor_id, n)
		SELECT substr(at, 1, 13) || ':00:00.000000Z', action, actor_id, COUNT(*) FROM audit_events
		GROUP BY substr(at, 1, 13), action, actor_id`
	if driver == "pgx" {
		counts = `DELETE FROM audit_counts;
			INSERT INTO audit_counts (hour, action, actor_id, n)
			SELECT date_trunc('hour', at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC', action, actor_id, COUNT(*) FROM audit_events
			GROUP BY 1, action, actor_id`
	}
	for _, stmt := range strings.Split(counts, ";") {
		if _, err := conn.ExecContext(b.Context(), stmt); err != nil {
			return err
		}
	}
	// As autovacuum and a live SQLite's optimize would, within a minute.
	if driver == "pgx" {
		_, err = conn.ExecContext(b.Context(), "VACUUM (ANALYZE)")
	} else {
		_, err = conn.ExecContext(b.Context(), "ANALYZE")
	}
	return err
}

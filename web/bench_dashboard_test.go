package web_test

import (
	"database/sql"
	"fmt"
	"math/rand/v2"
	"net/http/httptest"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/demo"
	"github.com/amparo-project/amparo/envelope"
	"github.com/amparo-project/amparo/sqldb"
)

// BenchmarkDashboardProgram times the program office's dashboard with its
// four charts, through httptest, with 10,000 letters and 20,000
// applicants (received over 16 weeks) in one organization, on SQLite and
// PostgreSQL. The figure to meet: p95 under 50 ms.
//
// It seeds what the dashboard reads: letters, applicants, the
// organizations and members letters name. Clients and audit events it
// never reads (its counts are aggregates of letters and applicants; it
// writes one audit event when the line is ranked), so they are left out.
// The line's count by tier is kept until the line changes: the first view
// ranks it (reported as cold-ms), the rest reuse it while nothing changes.
func BenchmarkDashboardProgram(b *testing.B) {
	for dialect, driver := range map[string]string{"sqlite": "sqlite", "postgres": "pgx"} {
		b.Run(dialect, func(b *testing.B) {
			db, k, where := benchStore(b, dialect)
			benchDashboard(b, db, k, driver, where)
		})
	}
}

func benchDashboard(b *testing.B, db *sqldb.DB, k *envelope.Keyring, driver, rawDSN string) {
	const letters, applicants = 10_000, 20_000
	raw, err := sql.Open(driver, rawDSN)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { raw.Close() })
	rebind := func(q string) string {
		if driver != "pgx" {
			return q
		}
		var s strings.Builder
		n := 0
		for _, r := range q {
			if r == '?' {
				n++
				s.WriteString("$" + strconv.Itoa(n))
			} else {
				s.WriteRune(r)
			}
		}
		return s.String()
	}
	exec := func(q string, args ...any) {
		if _, err := raw.Exec(rebind(q), args...); err != nil {
			b.Fatal(err)
		}
	}
	_, h := newTestServer(b, db, k)
	ts := httptest.NewServer(h)
	b.Cleanup(ts.Close)

	p, err := db.FindProgram(system)
	if err != nil {
		b.Fatal(err)
	}
	p.LetterCapacity = 8_000
	if err := db.UpdateProgram(system, p); err != nil {
		b.Fatal(err)
	}
	org := &amparo.Organization{Name: "Centro Legal Ejemplo", Kind: amparo.OrgNonprofit, Languages: []string{"en", "es"}}
	if err := db.CreateOrganization(system, org); err != nil {
		b.Fatal(err)
	}
	for _, name := range []string{"Abogados Ficticios", "Clínica Jurídica Ejemplo"} {
		if err := db.CreateOrganization(system, &amparo.Organization{Name: name, Kind: amparo.OrgNonprofit, Languages: []string{"en"}}); err != nil {
			b.Fatal(err)
		}
	}
	var members []string
	for i := range 10 {
		m := &amparo.Member{OrganizationID: org.ID, Name: fmt.Sprintf("Lic. Ejemplo %d", i), Kind: amparo.MemberAttorney, BarJurisdiction: "CA",
			BarNumber: fmt.Sprintf("90000%d", i), Languages: []string{"es", "en"}, PublicPhone: "+1 213 555 0142", CaseCapacity: 20}
		if err := db.CreateMember(system, m); err != nil {
			b.Fatal(err)
		}
		members = append(members, m.ID)
	}

	// Letters, as the store keeps them once made: their status, dates and
	// member. Made by the thousand in a few statements, not one by one
	// through issuing (which signs each): the dashboard counts them.
	now := time.Now()
	stamp := func(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000000Z") }
	r := rand.New(rand.NewPCG(7, 7))
	statuses := []amparo.LetterStatus{amparo.LetterActive, amparo.LetterActive, amparo.LetterActive, amparo.LetterActive, amparo.LetterActive,
		amparo.LetterActive, amparo.LetterDraft, amparo.LetterRevoked, amparo.LetterExpired, amparo.LetterSuperseded}
	for from := 0; from < letters; from += 500 {
		var rows []string
		var args []any
		for range min(500, letters-from) {
			st := statuses[r.IntN(len(statuses))]
			issued := now.AddDate(0, 0, -r.IntN(365))
			var issuedAt, until any
			if st != amparo.LetterDraft {
				issuedAt, until = stamp(issued), stamp(issued.AddDate(1, 0, 0))
			}
			rows = append(rows, "(?, NULL, ?, ?, ?, ?, ?, '', '', '[]', ?, ?)")
			args = append(args, amparo.NewID(), members[r.IntN(len(members))], org.ID, string(st), issuedAt, until, stamp(issued), stamp(issued))
		}
		exec(`INSERT INTO letters (id, client_id, member_id, organization_id, status, issued_at, valid_until, revoke_reason,
			superseded_by, languages, created_at, updated_at) VALUES `+strings.Join(rows, ", "), args...)
	}

	// Applicants, sealed as intake seals them, received over 16 weeks.
	staff := amparo.NewContextWithActor(system, amparo.Actor{ID: "bench", Role: amparo.RoleIntake, OrganizationID: org.ID})
	for from := 0; from < applicants; from += 1000 {
		at := now.AddDate(0, 0, -7*16*from/applicants)
		db.Now = func() time.Time { return at }
		batch := make([]*amparo.Applicant, 0, 1000)
		for i := from; i < from+1000; i++ {
			cl := demo.Client(r, org.ID, "es", now)
			batch = append(batch, &amparo.Applicant{OrganizationID: org.ID, Key: fmt.Sprintf("bench-%d", i), Facts: amparo.Facts{Personal: cl.Personal}})
		}
		if _, err := db.CreateApplicants(staff, batch); err != nil {
			b.Fatal(err)
		}
	}
	db.Now = time.Now
	// Some have moved on: matched, served, declined (by the first hex
	// digit of their random ID: an eighth each).
	for digit, st := range map[string]amparo.ApplicantStatus{"0": amparo.ApplicantMatched, "1": amparo.ApplicantServed,
		"2": amparo.ApplicantDeclined, "3": amparo.ApplicantEligible, "4": amparo.ApplicantScreening} {
		exec("UPDATE applicants SET status = ? WHERE substr(id, 1, 1) = ?", string(st), digit)
	}
	if driver == "pgx" {
		exec("VACUUM (ANALYZE)")
	} else {
		exec("ANALYZE")
	}

	get := benchBrowser(b, db, ts.URL, amparo.RoleProgramAdmin, "")
	check := func(body string) error {
		for _, id := range []string{"chart-capacity", "chart-organizations", "chart-tiers", "chart-weeks", "table-weeks"} {
			if !strings.Contains(body, `id="`+id+`"`) {
				return fmt.Errorf("no %s", id)
			}
		}
		if !strings.Contains(body, "of 8,000 letters used") {
			return fmt.Errorf("no capacity of 8,000")
		}
		return nil
	}
	start := time.Now()
	status, body, err := get("/dashboard")
	cold := time.Since(start)
	if err != nil || status != 200 {
		b.Fatalf("dashboard: %d %v", status, err)
	}
	if err := check(body); err != nil {
		b.Fatal(err)
	}
	b.Run("dashboard", func(b *testing.B) {
		// The machine's time per request, client and server together:
		// on a shared, busy machine the wall-clock percentiles measure the
		// queue for a core as much as the page.
		before := cpuTime()
		timeRequests(b, func() (string, func(string) error) { return "/dashboard", check }, get)
		b.ReportMetric(float64(cpuTime()-before)/float64(time.Millisecond)/float64(b.N), "cpu-ms/op")
		b.ReportMetric(float64(cold)/float64(time.Millisecond), "cold-ms")
	})
}

// cpuTime is the CPU time this process has used, user and system.
func cpuTime() time.Duration {
	var u syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &u)
	return time.Duration(u.Utime.Nano() + u.Stime.Nano())
}

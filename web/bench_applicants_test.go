package web_test

import (
	"fmt"
	"math/rand/v2"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/demo"
	"github.com/amparo-project/amparo/names/namestest"
	"github.com/amparo-project/amparo/sqldb"
)

// BenchmarkListApplicants times the intake list through httptest with
// 20,000 applicants in one organization, on SQLite and on PostgreSQL: the
// first and the last page, each order, a search by name and by reference
// code, a status filter; and the queue's first and last page. The figure
// to meet: the list under 20 ms p95 on SQLite and 40 ms on PostgreSQL;
// the queue well under 1 s.
func BenchmarkListApplicants(b *testing.B) {
	const total = 20_000
	last := (total + 49) / 50
	for _, dialect := range []string{"sqlite", "postgres"} {
		b.Run(dialect, func(b *testing.B) {
			db, ts, dsn := newListBenchServer(b, dialect)
			org := &amparo.Organization{Name: "Centro Legal Ejemplo", Kind: amparo.OrgNonprofit, Languages: []string{"en", "es"}}
			if err := db.CreateOrganization(system, org); err != nil {
				b.Fatal(err)
			}
			as := seedBenchApplicants(b, db, org.ID, total)
			if dialect == "postgres" {
				// As autovacuum would within a minute of the bulk insert.
				if err := vacuum(b, dsn); err != nil {
					b.Fatal(err)
				}
			}
			get := benchBrowser(b, db, ts.URL, amparo.RoleIntake, org.ID)
			for range 5 { // warm the caches, as a server that has been up
				if _, _, err := get("/applicants"); err != nil {
					b.Fatal(err)
				}
			}
			eligible := 0
			for _, a := range as {
				if a.Status == amparo.ApplicantEligible {
					eligible++
				}
			}
			r := rand.New(rand.NewPCG(7, 7))
			rows := func(n int, count string) func(string) error {
				return func(body string) error {
					if got := strings.Count(body, `<tr><td data-label="Name"><a href="/applicants/`); got != n {
						return fmt.Errorf("%d rows, want %d", got, n)
					}
					if !strings.Contains(body, `id="list-count">`+count+`<`) {
						return fmt.Errorf("no count %q", count)
					}
					return nil
				}
			}
			lastCount := fmt.Sprintf("%d–%d of %d", (last-1)*50+1, total, total)
			for _, sort := range []string{"", "received", "status", "-status", "-updated"} {
				q := "?sort=" + sort
				if sort == "" {
					q = "?"
				}
				b.Run("first"+sort, func(b *testing.B) {
					timeRequests(b, func() (string, func(string) error) {
						return "/applicants" + q, rows(50, fmt.Sprintf("1–50 of %d", total))
					}, get)
				})
				b.Run("last"+sort, func(b *testing.B) {
					timeRequests(b, func() (string, func(string) error) {
						return fmt.Sprintf("/applicants%s&page=%d", q, last), rows(total-(last-1)*50, lastCount)
					}, get)
				})
			}
			b.Run("status", func(b *testing.B) {
				timeRequests(b, func() (string, func(string) error) {
					return "/applicants?status=eligible&page=3", rows(50, fmt.Sprintf("101–150 of %d", eligible))
				}, get)
			})
			b.Run("search-name", func(b *testing.B) {
				timeRequests(b, func() (string, func(string) error) {
					i := r.IntN(total)
					return "/applicants?sort=-updated&q=" + namestest.MadeUpSurname(i), func(body string) error {
						if !strings.Contains(body, `<a href="/applicants/`+as[i].ID+`">`) {
							return fmt.Errorf("%s not found", namestest.MadeUpSurname(i))
						}
						return rows(1, "1–1 of 1")(body)
					}
				}, get)
			})
			b.Run("search-reference", func(b *testing.B) {
				timeRequests(b, func() (string, func(string) error) {
					a := as[r.IntN(total)]
					return "/applicants?q=" + strings.ToLower(a.Reference), func(body string) error {
						if !strings.Contains(body, `<a href="/applicants/`+a.ID+`">`) {
							return fmt.Errorf("%s not found", a.Reference)
						}
						return rows(1, "1–1 of 1")(body)
					}
				}, get)
			})
			waiting := 0
			for _, a := range as {
				if a.Status != amparo.ApplicantClosed {
					waiting++
				}
			}
			lastQueue := (waiting + 49) / 50
			b.Run("queue-first", func(b *testing.B) {
				timeRequests(b, func() (string, func(string) error) {
					return "/queue", func(body string) error {
						if !strings.Contains(body, fmt.Sprintf("Places 1 to 50 of %d.", waiting)) {
							return fmt.Errorf("not places 1 to 50 of %d", waiting)
						}
						return nil
					}
				}, get)
			})
			b.Run("queue-last", func(b *testing.B) {
				timeRequests(b, func() (string, func(string) error) {
					return fmt.Sprintf("/queue?page=%d", lastQueue), func(body string) error {
						if !strings.Contains(body, fmt.Sprintf("Places %d to %d of %d.", (lastQueue-1)*50+1, waiting, waiting)) {
							return fmt.Errorf("not the queue's last page")
						}
						return nil
					}
				}, get)
			})
			b.Run("applicant", func(b *testing.B) {
				timeRequests(b, func() (string, func(string) error) {
					a := as[r.IntN(total)]
					return "/applicants/" + a.ID, func(body string) error {
						if a.Status != amparo.ApplicantClosed && !strings.Contains(body, `href="/queue?page=`) {
							return fmt.Errorf("no queue place")
						}
						return nil
					}
				}, get)
			})
		})
	}
}

// newListBenchServer serves the web app over a new store of the dialect.
func newListBenchServer(b *testing.B, dialect string) (*sqldb.DB, *httptest.Server, string) {
	b.Helper()
	db, k, where := benchStore(b, dialect)
	_, h := newTestServer(b, db, k)
	ts := httptest.NewServer(h)
	b.Cleanup(ts.Close)
	if dialect == "sqlite" {
		where = "" // nothing to vacuum
	}
	return db, ts, where
}

// seedBenchApplicants stores n fictional applicants, 1,000 to a
// transaction received a minute apart, each with a made-up surname of its
// own; every tenth is closed and every fourth eligible (changed later).
func seedBenchApplicants(b *testing.B, db *sqldb.DB, orgID string, n int) []*amparo.Applicant {
	b.Helper()
	staff := amparo.NewContextWithActor(system, amparo.Actor{ID: "bench", Role: amparo.RoleIntake, OrganizationID: orgID})
	r := rand.New(rand.NewPCG(3, 3))
	start := time.Now().Add(-48 * time.Hour)
	defer func() { db.Now = time.Now }()
	all := make([]*amparo.Applicant, 0, n)
	for from := 0; from < n; from += 1000 {
		at := start.Add(time.Duration(from) * time.Second)
		db.Now = func() time.Time { return at }
		batch := make([]*amparo.Applicant, 0, 1000)
		for i := from; i < min(n, from+1000); i++ {
			cl := demo.Client(r, orgID, "es", start)
			a := &amparo.Applicant{OrganizationID: orgID, Key: fmt.Sprintf("bench-%d", i), Facts: amparo.Facts{Personal: cl.Personal}}
			a.LegalName += " " + namestest.MadeUpSurname(i)
			batch = append(batch, a)
		}
		if _, err := db.CreateApplicants(staff, batch); err != nil {
			b.Fatal(err)
		}
		all = append(all, batch...)
	}
	db.Now = func() time.Time { return start.Add(24 * time.Hour) }
	for i, a := range all {
		status := amparo.ApplicantStatus("")
		switch {
		case i%10 == 0:
			status = amparo.ApplicantClosed
		case i%4 == 0:
			status = amparo.ApplicantEligible
		default:
			continue
		}
		if err := db.SetApplicantStatus(staff, a.ID, status, "", ""); err != nil {
			b.Fatal(err)
		}
		a.Status = status
	}
	return all
}

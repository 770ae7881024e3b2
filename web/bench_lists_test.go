package web_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/names/namestest"
	"github.com/amparo-project/amparo/sqldb"
)

// The figure of issue 12 for the client and letter lists: with 10,000
// clients and 10,000 letters in one organization, the first and the last
// page, sorted and searched, each under 20 ms at the 95th percentile on
// SQLite and 40 ms on PostgreSQL, through httptest.
//
//	go test ./web/ -run '^$' -bench 'BenchmarkList(Clients|Letters)' -benchtime 200x

const listTotal = 10_000

// listBench is one database seeded with the lists' records.
type listBench struct {
	clients []*amparo.Client
	letters []*amparo.Letter
	member  *amparo.Member
	get     func(string) (int, string, error)
}

// eachListDB runs fn on SQLite and on PostgreSQL, each seeded once.
func eachListDB(b *testing.B, withLetters bool, fn func(b *testing.B, lb *listBench)) {
	for _, dialect := range []string{"sqlite", "postgres"} {
		b.Run(dialect, func(b *testing.B) {
			db, ts, dsn := newListBenchServer(b, dialect)
			fn(b, seedLists(b, db, ts.URL, withLetters, dsn))
		})
	}
}

// seedLists stores 10,000 clients and, if asked, a letter for each, of
// made a minute apart, of which 1,000 are issued and 500 of those revoked.
func seedLists(b *testing.B, db *sqldb.DB, base string, withLetters bool, dsn string) *listBench {
	b.Helper()
	org := &amparo.Organization{Name: "Centro Legal Ejemplo", Kind: amparo.OrgNonprofit, Languages: []string{"en", "es"}}
	if err := db.CreateOrganization(system, org); err != nil {
		b.Fatal(err)
	}
	lb := &listBench{clients: seedClients(b, db, org.ID, listTotal)}
	if withLetters {
		p, err := db.FindProgram(system)
		if err != nil {
			b.Fatal(err)
		}
		p.LetterCapacity = listTotal
		if err := db.UpdateProgram(system, p); err != nil {
			b.Fatal(err)
		}
		if _, err := db.CreateRootKey(system); err != nil {
			b.Fatal(err)
		}
		if _, err := db.CreateIssuingKey(system, org.ID); err != nil {
			b.Fatal(err)
		}
		if _, err := db.SignTrustList(system, nil); err != nil {
			b.Fatal(err)
		}
		lb.member = &amparo.Member{OrganizationID: org.ID, Name: "Lic. Tomás Ficticio", Kind: amparo.MemberAttorney, BarJurisdiction: "CA",
			BarNumber: "900001", Languages: []string{"es"}, PublicPhone: "+1 213 555 0142"}
		if err := db.CreateMember(system, lb.member); err != nil {
			b.Fatal(err)
		}
		signer := signerFor(b, db, lb.member)
		start := time.Now().AddDate(0, 0, -200)
		for i, c := range lb.clients {
			db.Now = func() time.Time { return start.Add(time.Duration(i) * time.Minute) }
			l := &amparo.Letter{ClientID: c.ID, MemberID: lb.member.ID, OrganizationID: org.ID}
			if err := db.CreateLetter(system, l); err != nil {
				b.Fatal(err)
			}
			lb.letters = append(lb.letters, l)
		}
		db.Now = time.Now
		for i := 0; i < 1000; i++ {
			if _, err := db.IssueLetter(signer, lb.letters[i*7].ID); err != nil {
				b.Fatal(err)
			}
			if i%2 == 1 {
				if _, err := db.RevokeLetter(signer, lb.letters[i*7].ID, "Terminó la representación"); err != nil {
					b.Fatal(err)
				}
			}
		}
		db.Now = time.Now
	}
	if dsn != "" {
		if err := vacuum(b, dsn); err != nil {
			b.Fatal(err)
		}
	}
	lb.get = benchBrowser(b, db, base, amparo.RoleOrgAdmin, org.ID)
	return lb
}

// signerFor links an account to m and returns its context, second factor
// done: it alone issues m's letters.
func signerFor(b *testing.B, db *sqldb.DB, m *amparo.Member) context.Context {
	b.Helper()
	inv := &amparo.Invitation{Email: "firmante-bench@example.org", Role: amparo.RoleMember, OrganizationID: m.OrganizationID, MemberID: m.ID}
	if err := db.CreateInvitation(system, inv); err != nil {
		b.Fatal(err)
	}
	a, err := db.AcceptInvitation(system, inv.Token, m.Name, "$argon2id$unused")
	if err != nil {
		b.Fatal(err)
	}
	return amparo.NewContextWithActor(system, amparo.Actor{ID: a.ID, Role: amparo.RoleMember, OrganizationID: m.OrganizationID, SecondFactor: true})
}

// rows checks a list page: its count text and how many rows it shows.
func rows(count string, n int, marker string) func(string) error {
	return func(body string) error {
		if !strings.Contains(body, `id="list-count">`+count+`<`) {
			return fmt.Errorf("no count %q", count)
		}
		if got := strings.Count(body, marker); got != n {
			return fmt.Errorf("%d rows, want %d", got, n)
		}
		return nil
	}
}

func BenchmarkListClients(b *testing.B) {
	eachListDB(b, false, func(b *testing.B, lb *listBench) {
		const row = `"><a href="/clients/`
		r := rand.New(rand.NewPCG(7, 7))
		for _, tt := range []struct{ name, path, count string }{
			{"first", "/clients", "1–50 of 10000"},
			{"last", "/clients?page=200", "9951–10000 of 10000"},
			{"sorted-updated", "/clients?sort=updated", "1–50 of 10000"},
			{"sorted-last", "/clients?sort=-updated&page=200", "9951–10000 of 10000"},
		} {
			b.Run(tt.name, func(b *testing.B) {
				timeRequests(b, func() (string, func(string) error) { return tt.path, rows(tt.count, 50, row) }, lb.get)
			})
		}
		b.Run("searched", func(b *testing.B) {
			timeRequests(b, func() (string, func(string) error) {
				i := r.IntN(listTotal)
				return "/clients?q=" + namestest.MadeUpSurname(i), rows("1–1 of 1", 1, row)
			}, lb.get)
		})
		b.Run("searched-sorted-by-name", func(b *testing.B) {
			timeRequests(b, func() (string, func(string) error) {
				i := r.IntN(listTotal)
				return "/clients?sort=name&q=" + namestest.MadeUpSurname(i), rows("1–1 of 1", 1, row)
			}, lb.get)
		})
	})
}

func BenchmarkListLetters(b *testing.B) {
	eachListDB(b, true, func(b *testing.B, lb *listBench) {
		const row = `<tr><td data-label=`
		r := rand.New(rand.NewPCG(8, 8))
		for _, tt := range []struct{ name, path, count string }{
			{"first", "/letters", "1–50 of 10000"},
			{"last", "/letters?page=200", "9951–10000 of 10000"},
			{"sorted-expiry", "/letters?sort=-expiry", "1–50 of 10000"},
			{"sorted-expiry-last", "/letters?sort=expiry&page=200", "9951–10000 of 10000"},
			{"sorted-status-last", "/letters?sort=status&page=200", "9951–10000 of 10000"},
			{"status-active", "/letters?status=active", "1–50 of 500"},
			{"member-issued", "/letters?member=" + lb.member.ID + "&sort=-issued", "1–50 of 10000"},
			{"expiring-400", "/letters?expiring=400&sort=expiry", "1–50 of 500"},
		} {
			b.Run(tt.name, func(b *testing.B) {
				timeRequests(b, func() (string, func(string) error) { return tt.path, rows(tt.count, 50, row) }, lb.get)
			})
		}
		b.Run("searched", func(b *testing.B) {
			timeRequests(b, func() (string, func(string) error) {
				i := r.IntN(listTotal)
				return "/letters?q=" + namestest.MadeUpSurname(i), rows("1–1 of 1", 1, row)
			}, lb.get)
		})
	})
}

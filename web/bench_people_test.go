package web_test

import (
	"fmt"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/envelope"
	"github.com/amparo-project/amparo/sqldb"
)

// BenchmarkPeopleLists times the lists of people and access through
// httptest, on SQLite and PostgreSQL: the organizations (300), one
// organization's staff accounts (1,000) and members (300), each on its
// first and last page, sorted and searched. The figure to meet: p95
// under 20 ms on SQLite, 40 ms on PostgreSQL.
func BenchmarkPeopleLists(b *testing.B) {
	for _, dialect := range []string{"sqlite", "postgres"} {
		b.Run(dialect, func(b *testing.B) {
			db, k, _ := benchStore(b, dialect)
			benchPeople(b, db, k)
		})
	}
}

func benchPeople(b *testing.B, db *sqldb.DB, k *envelope.Keyring) {
	const orgs, accounts, members = 300, 1000, 300
	_, h := newTestServer(b, db, k)
	ts := httptest.NewServer(h)
	b.Cleanup(ts.Close)
	var first *amparo.Organization
	for i := range orgs {
		o := &amparo.Organization{Name: fmt.Sprintf("Centro Legal Ejemplo %03d", i), Kind: amparo.OrgNonprofit, Languages: []string{"es"}, Capacity: i}
		if err := db.CreateOrganization(system, o); err != nil {
			b.Fatal(err)
		}
		if first == nil {
			first = o
		}
	}
	for i := range accounts {
		inv := &amparo.Invitation{Email: fmt.Sprintf("persona%04d@example.org", i), Role: amparo.RoleIntake, OrganizationID: first.ID}
		if err := db.CreateInvitation(system, inv); err != nil {
			b.Fatal(err)
		}
		if _, err := db.AcceptInvitation(system, inv.Token, fmt.Sprintf("Persona Ejemplo %04d", i), "$argon2id$unused"); err != nil {
			b.Fatal(err)
		}
	}
	for i := range members {
		m := &amparo.Member{OrganizationID: first.ID, Name: fmt.Sprintf("Lic. Ficticio %03d", i), Kind: amparo.MemberAttorney, BarJurisdiction: "CA",
			BarNumber: strconv.Itoa(800000 + i), Languages: []string{"es"}, PublicPhone: "+1 213 555 0142"}
		if err := db.CreateMember(system, m); err != nil {
			b.Fatal(err)
		}
	}
	get := benchBrowser(b, db, ts.URL, amparo.RoleProgramAdmin, "")
	lists := map[string][]string{
		"organizations": {"/organizations", "/organizations?page=6", "/organizations?sort=-capacity", "/organizations?q=ejemplo+150"},
		"accounts": {"/organizations/" + first.ID + "/accounts", "/organizations/" + first.ID + "/accounts?page=20",
			"/organizations/" + first.ID + "/accounts?sort=-created&page=20", "/organizations/" + first.ID + "/accounts?q=0999"},
		"members": {"/organizations/" + first.ID, "/organizations/" + first.ID + "?page=6", "/organizations/" + first.ID + "?sort=-name",
			"/organizations/" + first.ID + "?q=ficticio+150"},
	}
	for _, name := range []string{"organizations", "accounts", "members"} {
		paths := lists[name]
		b.Run(name, func(b *testing.B) {
			i := 0
			timeRequests(b, func() (string, func(string) error) {
				i++
				return paths[i%len(paths)], func(body string) error {
					if !strings.Contains(body, `id="list-count"`) {
						return fmt.Errorf("no count")
					}
					return nil
				}
			}, get)
		})
	}
}

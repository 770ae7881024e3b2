package sqldb_test

import (
	"slices"
	"testing"
	"time"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/internal/storetest"
	"github.com/amparo-project/amparo/sqldb"
)

// Pages past the middle of a list are read from its other end: paging
// through clients and letters in every order gives exactly one read of
// the whole list, page by page, whichever end each page was read from.
func TestLists_PagesFromTheNearerEnd(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, db *sqldb.DB) {
		now := time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)
		db.Now = func() time.Time { return now }
		org := storetest.MustCreateOrganization(t, db, "Centro Legal Ejemplo")
		m := storetest.MustCreateMember(t, db, org.ID, "900001")
		ctx := storetest.SignerFor(t, db, m)
		for i := range 11 {
			if i%3 != 0 { // some in the same instant: ties are broken by ID
				now = now.Add(time.Hour)
			}
			c := storetest.MustCreateClient(t, ctx, db, &amparo.Client{Personal: amparo.Personal{LegalName: "Ana Ejemplo Prueba", Language: "es"}})
			l := &amparo.Letter{ClientID: c.ID, MemberID: m.ID, OrganizationID: org.ID}
			if err := db.CreateLetter(ctx, l); err != nil {
				t.Fatal(err)
			}
			if i%2 == 0 {
				if _, err := db.IssueLetter(ctx, l.ID); err != nil {
					t.Fatal(err)
				}
			}
		}
		pages := func(read func(offset, limit int) ([]string, int)) (all, paged []string) {
			all, n := read(0, 100)
			for off := 0; off < n; off += 3 {
				ids, _ := read(off, 3)
				paged = append(paged, ids...)
			}
			return all, paged
		}
		for _, sort := range []string{"created", "-created", "updated", "-updated"} {
			all, paged := pages(func(offset, limit int) ([]string, int) {
				cs, n, err := db.FindClients(ctx, amparo.ClientFilter{Sort: sort, Offset: offset, Limit: limit})
				if err != nil {
					t.Fatal(err)
				}
				var ids []string
				for _, c := range cs {
					ids = append(ids, c.ID)
				}
				return ids, n
			})
			if len(all) != 11 || !slices.Equal(all, paged) {
				t.Errorf("clients by %s: pages %v, whole %v", sort, paged, all)
			}
		}
		for _, sort := range amparo.LetterSorts {
			for _, sort := range []string{sort, "-" + sort} {
				all, paged := pages(func(offset, limit int) ([]string, int) {
					ls, n, err := db.FindLetters(ctx, amparo.LetterFilter{Sort: sort, Offset: offset, Limit: limit})
					if err != nil {
						t.Fatal(err)
					}
					var ids []string
					for _, l := range ls {
						ids = append(ids, l.ID)
					}
					return ids, n
				})
				if len(all) != 11 || !slices.Equal(all, paged) {
					t.Errorf("letters by %s: pages %v, whole %v", sort, paged, all)
				}
			}
		}
	})
}

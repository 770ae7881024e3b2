package sqldb_test

import (
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/demo"
	"github.com/amparo-project/amparo/internal/storetest"
	"github.com/amparo-project/amparo/names"
	"github.com/amparo-project/amparo/names/namestest"
	"github.com/amparo-project/amparo/sqldb"
)

// fictionalClients returns n fictional clients of orgID. Each has a
// surname made for it alone, so a search for one finds one.
func fictionalClients(orgID string, n, from int) []*amparo.Client {
	r := rand.New(rand.NewPCG(uint64(from), 7))
	cs := make([]*amparo.Client, n)
	for i := range cs {
		cs[i] = demo.Client(r, orgID, "es", time.Now())
		cs[i].LegalName += " " + namestest.MadeUpSurname(from+i)
	}
	return cs
}

const batch = 1000

// BenchmarkCreateClients stores batches of 1,000 clients in one transaction,
// with encryption and with a no-op cipher, on each database. Compare
// clients/s of encrypted and noop in the same run.
func BenchmarkCreateClients(b *testing.B) {
	for _, dialect := range []string{"sqlite", "postgres"} {
		b.Run(dialect, func(b *testing.B) {
			for _, mode := range []string{"encrypted", "noop"} {
				b.Run(mode, func(b *testing.B) {
					db := MustOpenDB(b, dialect)
					org := storetest.MustCreateOrganization(b, db, "Centro Legal Ejemplo") // its keys are sealed for real
					if mode == "noop" {
						sqldb.UseNoopCipher(db)
					}
					ctx := as(amparo.RoleIntake, org.ID)
					cs := fictionalClients(org.ID, batch, 0)
					n := 0
					for b.Loop() {
						for _, c := range cs {
							c.ID = ""
						}
						if err := db.CreateClients(ctx, cs); err != nil {
							b.Fatal(err)
						}
						n += len(cs)
					}
					b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "clients/s")
				})
			}
		})
	}
}

// BenchmarkFindClientsByName finds one client by name among 100,000: through
// the blind index ("indexed"), and by decrypting every client as a store
// without one would have to ("scan").
func BenchmarkFindClientsByName(b *testing.B) {
	const total = 100_000
	for _, dialect := range []string{"sqlite", "postgres"} {
		b.Run(dialect, func(b *testing.B) {
			db := MustOpenDB(b, dialect)
			org := storetest.MustCreateOrganization(b, db, "Centro Legal Ejemplo")
			ctx := as(amparo.RoleMember, org.ID)
			for i := 0; i < total; i += batch {
				if err := db.CreateClients(ctx, fictionalClients(org.ID, batch, i)); err != nil {
					b.Fatal(err)
				}
			}
			r := rand.New(rand.NewPCG(3, 3))
			b.Run("indexed", func(b *testing.B) {
				for b.Loop() {
					want := namestest.MadeUpSurname(r.IntN(total))
					cs, _, err := db.FindClients(ctx, amparo.ClientFilter{Name: want})
					if err != nil || len(cs) != 1 {
						b.Fatalf("found %d for %s: %v", len(cs), want, err)
					}
				}
			})
			b.Run("scan", func(b *testing.B) {
				for b.Loop() {
					want := names.Words(namestest.MadeUpSurname(r.IntN(total)))[0]
					var found []*amparo.Client
					for off := 0; ; off += batch {
						cs, _, err := db.FindClients(ctx, amparo.ClientFilter{Offset: off, Limit: batch})
						if err != nil {
							b.Fatal(err)
						}
						for _, c := range cs {
							if slices.Contains(names.Words(c.LegalName), want) {
								found = append(found, c)
							}
						}
						if len(cs) < batch {
							break
						}
					}
					if len(found) != 1 {
						b.Fatalf("scan found %d", len(found))
					}
				}
			})
		})
	}
}

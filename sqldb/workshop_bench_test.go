package sqldb_test

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/internal/storetest"
)

// BenchmarkWorkshopCheckIn: one scan at the door of a workshop of 2,000
// registrations, by short code and by signed ticket, on each database;
// it reports the p95 of a scan (the figure: under 20 ms).
func BenchmarkWorkshopCheckIn(b *testing.B) {
	for _, dialect := range []string{"sqlite", "postgres"} {
		b.Run(dialect, func(b *testing.B) {
			db := MustOpenDB(b, dialect)
			org := storetest.MustCreateOrganization(b, db, "Centro Legal Ejemplo")
			w := storetest.MustCreateWorkshop(b, db, org.ID, &amparo.Workshop{Capacity: 5000})
			const n = 2000
			regs := make([]*amparo.Registration, n)
			for i := range regs {
				regs[i] = mustRegister(b, db, &amparo.Registration{WorkshopID: w.ID, Alias: "Asistente Ficticio", PartySize: 1, Language: "es"}).Registration
			}
			ctx := as(amparo.RoleOrganizer, org.ID)
			for _, by := range []string{"code", "ticket"} {
				b.Run(by, func(b *testing.B) {
					var took []time.Duration
					i := 0
					for b.Loop() {
						r := regs[i%n]
						scan := amparo.CheckIn{Nonce: fmt.Sprintf("%s-%d", by, i), Code: r.Code}
						if by == "ticket" {
							scan = amparo.CheckIn{Nonce: scan.Nonce, Ticket: r.Ticket}
						}
						start := time.Now()
						res, err := db.CheckIn(ctx, w.ID, scan)
						took = append(took, time.Since(start))
						if err != nil || (res.Outcome != amparo.CheckInOK && res.Outcome != amparo.CheckInAlready) {
							b.Fatalf("scan %d: %+v %v", i, res, err)
						}
						i++
					}
					slices.Sort(took)
					b.ReportMetric(float64(took[len(took)*95/100].Microseconds())/1000, "p95-ms")
				})
			}
		})
	}
}

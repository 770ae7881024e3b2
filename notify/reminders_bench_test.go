package notify_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/internal/fakegateway"
	"github.com/amparo-project/amparo/internal/storetest"
)

// The day-before reminders of 5,000 registrations on SQLite, from the
// scheduling job to the last text handed to the gateway (issue 15's
// figure: within 30 s; reported, not asserted).
func BenchmarkWorkshopReminders_5000(b *testing.B) {
	const n = 5000
	for range b.N {
		b.StopTimer()
		rig := newReminderRig(b, nil, fakegateway.Options{})
		db := rig.db
		hook := db.WorkshopReminder
		db.WorkshopReminder = nil // no confirmations while filling the workshop
		org := storetest.MustCreateOrganization(b, db, "Centro Legal Ejemplo")
		start := time.Date(2031, 3, 13, 18, 0, 0, 0, time.UTC)
		w := storetest.MustCreateWorkshop(b, db, org.ID, &amparo.Workshop{StartsAt: start, Capacity: n})
		for i := range n {
			lang := "es"
			if i%3 == 0 {
				lang = "en"
			}
			storetest.MustRegister(b, db, &amparo.Registration{WorkshopID: w.ID, Language: lang, Phone: fmt.Sprintf("+1213556%04d", i), ConsentSMS: true})
		}
		db.WorkshopReminder = hook
		rig.set(time.Date(2031, 3, 12, 10, 0, 0, 0, time.UTC))
		b.StartTimer()
		began := time.Now()
		drain(b, rig.worker())
		took := time.Since(began)
		b.StopTimer()
		if got := len(rig.gw.Records()); got != n {
			b.Fatalf("%d texts handed to the gateway, want %d", got, n)
		}
		b.ReportMetric(took.Seconds(), "s/5000-reminders")
	}
}

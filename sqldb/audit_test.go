package sqldb_test

import (
	"slices"
	"testing"
	"time"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/internal/storetest"
	"github.com/amparo-project/amparo/sqldb"
)

// TestFindAuditEvents_Order: newest first on request, oldest first by
// default, and every page of either order (pages past the middle are read
// from the other end) the same events as one read of the whole trail.
func TestFindAuditEvents_Order(t *testing.T) {
	each(t, func(t *testing.T, db *sqldb.DB) {
		o := storetest.MustCreateOrganization(t, db, "Centro Legal Ejemplo")
		c := storetest.MustCreateClient(t, as(amparo.RoleIntake, o.ID), db, &amparo.Client{})
		for range 6 {
			if _, err := db.FindClientByID(as(amparo.RoleMember, o.ID), c.ID); err != nil {
				t.Fatal(err)
			}
		}
		auditor := as(amparo.RoleAuditor, "")
		all, n, err := db.FindAuditEvents(auditor, amparo.AuditFilter{})
		if err != nil || n != len(all) || n < 8 {
			t.Fatalf("%d of %d events, %v", len(all), n, err)
		}
		if !slices.IsSortedFunc(all, func(a, b *amparo.AuditEvent) int { return int(a.Seq - b.Seq) }) {
			t.Fatal("the default order is not oldest first")
		}
		newest := slices.Clone(all)
		slices.Reverse(newest)
		for _, tt := range []struct {
			sort string
			want []*amparo.AuditEvent
		}{{amparo.AuditOldestFirst, all}, {amparo.AuditNewestFirst, newest}} {
			for limit := 1; limit <= 3; limit++ {
				var got []int64
				for offset := 0; offset < n; offset += limit {
					page, total, err := db.FindAuditEvents(auditor, amparo.AuditFilter{Sort: tt.sort, Offset: offset, Limit: limit})
					if err != nil || total != n {
						t.Fatalf("%s offset %d: %d, %v", tt.sort, offset, total, err)
					}
					for _, e := range page {
						got = append(got, e.Seq)
					}
				}
				var want []int64
				for _, e := range tt.want {
					want = append(want, e.Seq)
				}
				if !slices.Equal(got, want) {
					t.Errorf("%s, %d a page: %v, want %v", tt.sort, limit, got, want)
				}
			}
		}
		_, _, err = db.FindAuditEvents(auditor, amparo.AuditFilter{Sort: "actor_id"})
		wantCode(t, err, amparo.EINVALID)
	})
}

// TestFindAuditEvents_Filter: by time (from inclusive, until exclusive),
// by the actor's name in any case, and each event naming its record where
// the name is in clear.
func TestFindAuditEvents_Filter(t *testing.T) {
	each(t, func(t *testing.T, db *sqldb.DB) {
		o := storetest.MustCreateOrganization(t, db, "Centro Legal Ejemplo")
		inv := &amparo.Invitation{Email: "auditora@example.org", Role: amparo.RoleAuditor}
		if err := db.CreateInvitation(system, inv); err != nil {
			t.Fatal(err)
		}
		acc, err := db.AcceptInvitation(system, inv.Token, "Rosa Ejemplar_%", "$argon2id$unused")
		if err != nil {
			t.Fatal(err)
		}
		auditor := amparo.NewContextWithActor(system, amparo.Actor{ID: acc.ID, Role: amparo.RoleAuditor})
		all, n, err := db.FindAuditEvents(auditor, amparo.AuditFilter{})
		if err != nil {
			t.Fatal(err)
		}
		var org *amparo.AuditEvent
		for _, e := range all {
			if e.Action == amparo.AuditOrganizationCreate && e.RecordID == o.ID {
				org = e
			}
			if e.Action == amparo.AuditAccountCreate && e.RecordID == acc.ID && e.RecordName != "Rosa Ejemplar_%" {
				t.Errorf("the account's event names it %q", e.RecordName)
			}
		}
		if org == nil || org.RecordName != "Centro Legal Ejemplo" {
			t.Fatalf("the organization's event: %+v", org)
		}
		at := org.At
		for _, tt := range []struct {
			name string
			f    amparo.AuditFilter
			want int
		}{
			{"from its time", amparo.AuditFilter{Since: at, Action: amparo.AuditOrganizationCreate, RecordID: o.ID}, 1},
			{"until its time", amparo.AuditFilter{Until: at, Action: amparo.AuditOrganizationCreate, RecordID: o.ID}, 0},
			{"until after it", amparo.AuditFilter{Until: at.Add(time.Microsecond), Action: amparo.AuditOrganizationCreate, RecordID: o.ID}, 1},
			{"from after it", amparo.AuditFilter{Since: at.Add(time.Microsecond), Action: amparo.AuditOrganizationCreate, RecordID: o.ID}, 0},
			{"everything until tomorrow", amparo.AuditFilter{Until: time.Now().Add(24 * time.Hour)}, n},
			{"the actor's name, any case", amparo.AuditFilter{ActorName: "rosa EJEMPLAR"}, 1}, // accepting the invitation
			{"a name that is nobody's", amparo.AuditFilter{ActorName: "Nadie"}, 0},
		} {
			if _, got, err := db.FindAuditEvents(auditor, tt.f); err != nil || got != tt.want {
				t.Errorf("%s: %d events, want %d (%v)", tt.name, got, tt.want, err)
			}
		}
		// The auditor acts (an export), and is found by name; "%" and "_"
		// in a search are letters, not wildcards.
		if err := db.ExportAuditEvents(auditor, amparo.AuditFilter{}, func(*amparo.AuditEvent) error { return nil }); err != nil {
			t.Fatal(err)
		}
		for q, want := range map[string]int{"rosa EJEMPLAR": 1, "ejemplar_%": 1, "r%a": 0, "Ejemplar__": 0} {
			events, got, err := db.FindAuditEvents(auditor, amparo.AuditFilter{ActorName: q, Action: amparo.AuditAuditExport})
			if err != nil || got != want {
				t.Errorf("actor %q: %d events, want %d (%v)", q, got, want, err)
			}
			if want == 1 && (events[0].ActorName != "Rosa Ejemplar_%" || events[0].Action != amparo.AuditAuditExport) {
				t.Errorf("actor %q: %+v", q, events[0])
			}
		}
	})
}

// TestExportAuditEvents: the export is recorded before it is read, reads
// every matching event in the order asked (not one page), keeps the hash
// chain whole, and is the audit readers' alone.
func TestExportAuditEvents(t *testing.T) {
	each(t, func(t *testing.T, db *sqldb.DB) {
		o := storetest.MustCreateOrganization(t, db, "Centro Legal Ejemplo")
		c := storetest.MustCreateClient(t, as(amparo.RoleIntake, o.ID), db, &amparo.Client{})
		for range 3 {
			if _, err := db.FindClientByID(as(amparo.RoleMember, o.ID), c.ID); err != nil {
				t.Fatal(err)
			}
		}
		auditor := as(amparo.RoleAuditor, "")
		var got []*amparo.AuditEvent
		f := amparo.AuditFilter{Sort: amparo.AuditNewestFirst, Limit: 1, Offset: 1}
		if err := db.ExportAuditEvents(auditor, f, func(e *amparo.AuditEvent) error { got = append(got, e); return nil }); err != nil {
			t.Fatal(err)
		}
		_, n, _ := db.FindAuditEvents(auditor, amparo.AuditFilter{})
		if len(got) != n || got[0].Action != amparo.AuditAuditExport || got[0].Seq < got[len(got)-1].Seq {
			t.Fatalf("exported %d of %d events, newest %+v", len(got), n, got[0])
		}
		if _, err := db.VerifyAuditChain(system); err != nil {
			t.Fatalf("the chain after an export: %v", err)
		}
		err := db.ExportAuditEvents(as(amparo.RoleOrgAdmin, o.ID), amparo.AuditFilter{}, func(*amparo.AuditEvent) error { return nil })
		wantCode(t, err, amparo.EFORBIDDEN)
		if _, exports, _ := db.FindAuditEvents(auditor, amparo.AuditFilter{Action: amparo.AuditAuditExport}); exports != 1 {
			t.Errorf("%d exports recorded, want 1 (a refused export is not one)", exports)
		}
	})
}

// TestFindAuditEvents_Count: the total a list shows (whole hours counted
// ahead, the hours a date cuts into counted from the events) is the
// number of events the filter selects, for any dates, action and actor.
func TestFindAuditEvents_Count(t *testing.T) {
	each(t, func(t *testing.T, db *sqldb.DB) {
		start := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
		now := start
		db.Now = func() time.Time { return now }
		o := storetest.MustCreateOrganization(t, db, "Centro Legal Ejemplo")
		c := storetest.MustCreateClient(t, as(amparo.RoleIntake, o.ID), db, &amparo.Client{})
		// One event every 17 minutes for a day and a half, by two members.
		for i := range 130 {
			now = start.Add(time.Duration(i) * 17 * time.Minute)
			who := amparo.NewContextWithActor(system, amparo.Actor{ID: []string{"m-1", "m-2"}[i%2], Role: amparo.RoleMember, OrganizationID: o.ID})
			if _, err := db.FindClientByID(who, c.ID); err != nil {
				t.Fatal(err)
			}
		}
		auditor := as(amparo.RoleAuditor, "")
		var all []*amparo.AuditEvent
		if err := db.ExportAuditEvents(auditor, amparo.AuditFilter{}, func(e *amparo.AuditEvent) error { all = append(all, e); return nil }); err != nil {
			t.Fatal(err)
		}
		at := func(h, m int) time.Time { return start.Add(time.Duration(h)*time.Hour + time.Duration(m)*time.Minute) }
		for _, f := range []amparo.AuditFilter{
			{},
			{Action: amparo.AuditClientView},
			{ActorID: "m-1"},
			{Since: at(3, 0)},
			{Since: at(3, 20)},
			{Until: at(20, 0)},
			{Until: at(20, 45)},
			{Since: at(2, 10), Until: at(30, 5), Action: amparo.AuditClientView},
			{Since: at(2, 10), Until: at(2, 50)},
			{Since: at(5, 59), Until: at(7, 1), ActorID: "m-2"},
			{Since: at(-5, 0), Until: at(50, 0)},
			{RecordID: c.ID, Since: at(1, 1)},
		} {
			want := 0
			for _, e := range all {
				if (f.Action == "" || e.Action == f.Action) && (f.ActorID == "" || e.ActorID == f.ActorID) &&
					(f.RecordID == "" || e.RecordID == f.RecordID) &&
					(f.Since.IsZero() || !e.At.Before(f.Since)) && (f.Until.IsZero() || e.At.Before(f.Until)) {
					want++
				}
			}
			if _, n, err := db.FindAuditEvents(auditor, f); err != nil || n != want {
				t.Errorf("%+v: %d events counted, want %d (%v)", f, n, want, err)
			}
		}
	})
}

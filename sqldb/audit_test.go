package sqldb_test

import (
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/internal/storetest"
	"github.com/amparo-project/amparo/sqldb"
)

// tamperable drops the append-only guard, as an attacker with the
// database's credentials could; the chain must still tell.
func tamperable(t *testing.T, db *sqldb.DB) {
	t.Helper()
	q := "DROP TRIGGER audit_events_no_update; DROP TRIGGER audit_events_no_delete"
	if db.Dialect() == "postgres" {
		q = "ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only"
	}
	for _, s := range strings.Split(q, "; ") {
		if _, err := sqldb.RawDB(db).Exec(s); err != nil {
			t.Fatal(err)
		}
	}
}

func TestVerifyAuditChain(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, db *sqldb.DB) {
		org := storetest.MustCreateOrganization(t, db, "Centro Legal Ejemplo")
		for range 5 {
			storetest.MustCreateClient(t, as(amparo.RoleIntake, org.ID), db, &amparo.Client{})
		}
		auditor := as(amparo.RoleAuditor, "")
		c, err := db.VerifyAuditChain(auditor)
		if err != nil || c.Events < 8 || len(c.Head) != 32 {
			t.Fatalf("intact chain: %+v, %v", c, err)
		}
		_, err = db.VerifyAuditChain(as(amparo.RoleMember, org.ID))
		wantCode(t, err, amparo.EFORBIDDEN)
		tamperable(t, db)
		raw := sqldb.RawDB(db)
		var mid int64
		raw.QueryRow("SELECT seq FROM audit_events ORDER BY seq LIMIT 1 OFFSET 3").Scan(&mid)

		t.Run("Edited", func(t *testing.T) {
			var was string
			raw.QueryRow(rebind(db, "SELECT actor_id FROM audit_events WHERE seq = ?"), mid).Scan(&was)
			mustExec(t, db, "UPDATE audit_events SET actor_id = 'someone-else' WHERE seq = ?", mid)
			if _, err := db.VerifyAuditChain(auditor); err == nil || !strings.Contains(err.Error(), "breaks the chain") {
				t.Fatalf("edited event not detected: %v", err)
			}
			mustExec(t, db, "UPDATE audit_events SET actor_id = ? WHERE seq = ?", was, mid)
			if _, err := db.VerifyAuditChain(auditor); err != nil {
				t.Fatalf("restored chain: %v", err)
			}
		})
		t.Run("Reordered", func(t *testing.T) {
			// Swap the actions of two events: the same events, in another order.
			var a, b string
			raw.QueryRow(rebind(db, "SELECT action FROM audit_events WHERE seq = ?"), mid).Scan(&a)
			raw.QueryRow(rebind(db, "SELECT action FROM audit_events WHERE seq = ?"), mid+1).Scan(&b)
			if a == b {
				t.Skip("neighbouring events alike")
			}
			mustExec(t, db, "UPDATE audit_events SET action = ? WHERE seq = ?", b, mid)
			mustExec(t, db, "UPDATE audit_events SET action = ? WHERE seq = ?", a, mid+1)
			if _, err := db.VerifyAuditChain(auditor); err == nil {
				t.Fatal("reordered events not detected")
			}
			mustExec(t, db, "UPDATE audit_events SET action = ? WHERE seq = ?", a, mid)
			mustExec(t, db, "UPDATE audit_events SET action = ? WHERE seq = ?", b, mid+1)
		})
		t.Run("Deleted", func(t *testing.T) {
			mustExec(t, db, "DELETE FROM audit_events WHERE seq = ?", mid)
			if _, err := db.VerifyAuditChain(auditor); err == nil || !strings.Contains(err.Error(), "breaks the chain") {
				t.Fatalf("deleted event not detected: %v", err)
			}
		})
		t.Run("LastDeleted", func(t *testing.T) {
			db := MustOpenDB(t, db.Dialect())
			storetest.MustCreateOrganization(t, db, "Otra Organización Ejemplo")
			tamperable(t, db)
			mustExec(t, db, "DELETE FROM audit_events WHERE seq = (SELECT MAX(seq) FROM audit_events)")
			if _, err := db.VerifyAuditChain(auditor); err == nil || !strings.Contains(err.Error(), "last events were deleted") {
				t.Fatalf("deleted last event not detected: %v", err)
			}
		})
	})
}

func TestAuditChain_ConcurrentWriters(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, db *sqldb.DB) {
		org := storetest.MustCreateOrganization(t, db, "Centro Legal Ejemplo")
		var wg sync.WaitGroup
		for range 8 {
			wg.Go(func() {
				for range 5 {
					storetest.MustCreateClient(t, as(amparo.RoleIntake, org.ID), db, &amparo.Client{})
				}
			})
		}
		wg.Wait()
		if c, err := db.VerifyAuditChain(system); err != nil || c.Events < 40 {
			t.Fatalf("after concurrent writes: %+v %v", c, err)
		}
	})
}

func rebind(db *sqldb.DB, q string) string {
	if db.Dialect() != "postgres" {
		return q
	}
	for i := 1; strings.Contains(q, "?"); i++ {
		q = strings.Replace(q, "?", "$"+string(rune('0'+i)), 1)
	}
	return q
}

func mustExec(t *testing.T, db *sqldb.DB, q string, args ...any) {
	t.Helper()
	if _, err := sqldb.RawDB(db).Exec(rebind(db, q), args...); err != nil {
		t.Fatal(err)
	}
}

// BenchmarkVerifyAuditChain verifies a chain of 1,000,000 events.
func BenchmarkVerifyAuditChain(b *testing.B) {
	db := MustOpenDB(b, "sqlite")
	if err := sqldb.AppendAuditEvents(db, 1_000_000); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		c, err := db.VerifyAuditChain(system)
		if err != nil || c.Events < 1_000_000 {
			b.Fatal(c, err)
		}
	}
}

// TestFindAuditEvents_Order: newest first on request, oldest first by
// default, and every page of either order (pages past the middle are read
// from the other end) the same events as one read of the whole trail.
func TestFindAuditEvents_Order(t *testing.T) {
	t.Parallel()
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
	t.Parallel()
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
	t.Parallel()
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
	t.Parallel()
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

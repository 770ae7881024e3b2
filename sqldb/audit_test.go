package sqldb_test

import (
	"strings"
	"sync"
	"testing"

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

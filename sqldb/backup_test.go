package sqldb_test

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/envelope"
	"github.com/amparo-project/amparo/internal/storetest"
	"github.com/amparo-project/amparo/sqldb"
)

// TestRestore: a backup restored into an empty database of the same kind
// opens every client with the master key, its audit chain verifies, and a
// client erased after the backup was made is erased again and reported;
// the erasure log then lists every erasure, those of the backup included.
func TestRestore(t *testing.T) {
	t.Parallel()
	for _, dialect := range []string{"sqlite", "postgres"} {
		t.Run(dialect, func(t *testing.T) {
			t.Parallel()
			key := envelope.GenerateMasterKey()
			db := storetest.MustOpenDSN(t, migratedDSN(t, dialect), key)
			log := filepath.Join(t.TempDir(), "erasures.log")
			db.SetErasureLog(log)
			org := storetest.MustCreateOrganization(t, db, "Centro Legal Ejemplo")
			ctx := as(amparo.RoleIntake, org.ID)
			var cs []*amparo.Client
			for _, name := range []string{"Ana Antes Ejemplo", "Berta Después Ejemplo", "Carla Queda Ejemplo"} {
				cs = append(cs, storetest.MustCreateClient(t, ctx, db, &amparo.Client{Personal: amparo.Personal{LegalName: name, Language: "es"}}))
			}
			admin := as(amparo.RoleOrgAdmin, org.ID)
			if err := db.DeleteClient(admin, cs[0].ID); err != nil {
				t.Fatal(err)
			}
			backup := filepath.Join(t.TempDir(), "backup")
			if err := db.Backup(t.Context(), backup); err != nil {
				t.Fatal(err)
			}
			if fi, err := os.Stat(backup); err != nil || fi.Mode().Perm() != 0o600 {
				t.Fatalf("backup: %v, %v", fi, err)
			}
			if err := db.DeleteClient(admin, cs[1].ID); err != nil {
				t.Fatal(err)
			}
			es, err := sqldb.ReadErasureLog(log)
			if err != nil || len(es) != 2 || es[0].ClientID != cs[0].ID || es[1].ClientID != cs[1].ID || es[1].OrganizationID != org.ID {
				t.Fatalf("erasure log: %+v, %v", es, err)
			}

			k, _ := envelope.New(key)
			target := dsn(t, dialect)
			newLog := filepath.Join(t.TempDir(), "erasures.log") // the old one is lost with its machine
			r, err := sqldb.Restore(t.Context(), backup, target, k, es[1:], newLog, nil)
			if err != nil {
				t.Fatal(err)
			}
			if r.Clients != 1 || !slices.Equal(r.Reapplied, []string{cs[1].ID}) || r.Audit.Events == 0 || r.Logged != 2 {
				t.Fatalf("report: %+v", r)
			}
			got := storetest.MustOpenDSN(t, target, key)
			if _, err := got.FindClientByID(ctx, cs[1].ID); amparo.ErrorCode(err) != amparo.ENOTFOUND {
				t.Errorf("the client erased after the backup is back: %v", err)
			}
			if c, err := got.FindClientByID(ctx, cs[2].ID); err != nil || c.LegalName != "Carla Queda Ejemplo" {
				t.Errorf("the kept client: %+v, %v", c, err)
			}
			if _, err := got.VerifyAuditChain(system); err != nil {
				t.Error(err)
			}
			if logged, err := sqldb.ReadErasureLog(newLog); err != nil || len(logged) != 2 {
				t.Errorf("the new erasure log: %+v, %v", logged, err)
			}

			// Refused, changing nothing: a database that is not empty, a key
			// that is not the backup's, a file that is not a backup.
			other, _ := envelope.New(envelope.GenerateMasterKey())
			notBackup := filepath.Join(t.TempDir(), "notes.txt")
			os.WriteFile(notBackup, []byte("not a backup\n"), 0o600)
			for _, tt := range []struct {
				name, from, to string
				k              *envelope.Keyring
				want           string
			}{
				{"NotEmpty", backup, target, k, map[string]string{"sqlite": "already exists", "postgres": "not empty"}[dialect]},
				{"WrongKey", backup, dsn(t, dialect), other, "another master key"},
				{"NotABackup", notBackup, dsn(t, dialect), k, "not an Amparo backup"},
			} {
				_, err := sqldb.Restore(t.Context(), tt.from, tt.to, tt.k, nil, "", nil)
				if err == nil || !strings.Contains(err.Error(), tt.want) {
					t.Errorf("%s: %v, want %q", tt.name, err, tt.want)
				}
			}
			if c, err := got.FindClientByID(ctx, cs[2].ID); err != nil || c.LegalName != "Carla Queda Ejemplo" {
				t.Errorf("the refused restore changed the database: %+v, %v", c, err)
			}

			// A backup never overwrites a file.
			if err := db.Backup(t.Context(), backup); err == nil || !strings.Contains(err.Error(), "never overwrites") {
				t.Errorf("backup onto an existing file: %v", err)
			}
			entries, _ := os.ReadDir(filepath.Dir(backup))
			if len(entries) != 1 {
				t.Errorf("left beside the backup: %v", entries)
			}
		})
	}
}

// TestBackup_FailureLeavesNothing: a backup into a folder that cannot take
// it fails with the file named and leaves no file, whole or partial.
func TestBackup_FailureLeavesNothing(t *testing.T) {
	t.Parallel()
	db := MustOpenDB(t, "sqlite")
	dir := filepath.Join(t.TempDir(), "missing")
	err := db.Backup(t.Context(), filepath.Join(dir, "b.db"))
	if err == nil || !strings.Contains(err.Error(), "b.db") {
		t.Fatalf("backup into a missing folder: %v", err)
	}
	if _, err := os.Stat(dir); err == nil {
		t.Error("the failed backup made its folder")
	}
}

func TestDeleteClient_RecordsErasure(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, db *sqldb.DB) {
		org := storetest.MustCreateOrganization(t, db, "Centro Legal Ejemplo")
		ctx := as(amparo.RoleOrgAdmin, org.ID)
		c := storetest.MustCreateClient(t, ctx, db, &amparo.Client{Personal: amparo.Personal{LegalName: "Dora Borrada Ejemplo", Language: "es"}})
		// A log that cannot be written: the erasure fails whole.
		blocker := filepath.Join(t.TempDir(), "file")
		os.WriteFile(blocker, nil, 0o600)
		db.SetErasureLog(filepath.Join(blocker, "erasures.log"))
		if err := db.DeleteClient(ctx, c.ID); err == nil || !strings.Contains(err.Error(), "erasure log") {
			t.Fatalf("erase without a writable log: %v", err)
		}
		if _, err := db.FindClientByID(ctx, c.ID); err != nil {
			t.Fatalf("the client is gone though its erasure could not be logged: %v", err)
		}
		log := filepath.Join(t.TempDir(), "erasures.log")
		db.SetErasureLog(log)
		if err := db.DeleteClient(ctx, c.ID); err != nil {
			t.Fatal(err)
		}
		var n int
		sqldb.RawDB(db).QueryRow("SELECT COUNT(*) FROM erasures WHERE client_id = '" + c.ID + "' AND organization_id = '" + org.ID + "'").Scan(&n)
		if n != 1 {
			t.Errorf("%d rows in erasures, want 1", n)
		}
		b, _ := os.ReadFile(log)
		if !bytes.Contains(b, []byte(c.ID)) || bytes.Contains(b, []byte("Dora")) {
			t.Errorf("erasure log: %s", b)
		}
		if fi, _ := os.Stat(log); fi.Mode().Perm() != 0o600 {
			t.Errorf("erasure log mode %v", fi.Mode().Perm())
		}
	})
}

func TestErasureLog(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC)
	id := func(c byte) string { return strings.Repeat(string(c), 32) }
	line := func(c byte) string {
		return `{"client_id":"` + id(c) + `","organization_id":"` + id('f') + `","erased_at":"2026-12-03T10:00:00Z"}` + "\n"
	}
	for _, tt := range []struct {
		name, in string
		want     []string
		err      string
	}{
		{"Empty", "", nil, ""},
		{"Two", line('a') + "\n" + line('b'), []string{id('a'), id('b')}, ""},
		{"TornLastLine", line('a') + line('b')[:40], []string{id('a')}, ""},
		{"BadLine", line('a') + "{}\n" + line('b'), nil, "line 2 is not an erasure"},
		{"NotJSON", "client a erased\n", nil, "line 1 is not an erasure"},
		{"UnknownField", `{"client_id":"` + id('a') + `","name":"Ana"}` + "\n", nil, "line 1"},
		{"BadID", strings.Replace(line('a'), id('a'), "../../x", 1), nil, "32 hex digits"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			es, err := sqldb.ParseErasureLog(strings.NewReader(tt.in))
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("error %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, e := range es {
				got = append(got, e.ClientID)
				if !e.ErasedAt.Equal(at) {
					t.Errorf("erased at %v", e.ErasedAt)
				}
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

// TestErasureLog_TornLineCutBeforeAppend: a line a crash cut short is
// removed before the next is appended, so it never becomes a bad line in
// the middle of the log.
func TestErasureLog_TornLineCutBeforeAppend(t *testing.T) {
	t.Parallel()
	key := envelope.GenerateMasterKey()
	db := storetest.MustOpenDSN(t, migratedDSN(t, "sqlite"), key)
	log := filepath.Join(t.TempDir(), "erasures.log")
	torn := `{"client_id":"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa","organiz`
	os.WriteFile(log, []byte(torn), 0o600)
	db.SetErasureLog(log)
	org := storetest.MustCreateOrganization(t, db, "Centro Legal Ejemplo")
	ctx := as(amparo.RoleOrgAdmin, org.ID)
	c := storetest.MustCreateClient(t, ctx, db, &amparo.Client{Personal: amparo.Personal{LegalName: "Eva Rota Ejemplo", Language: "es"}})
	if err := db.DeleteClient(ctx, c.ID); err != nil {
		t.Fatal(err)
	}
	es, err := sqldb.ReadErasureLog(log)
	if err != nil || len(es) != 1 || es[0].ClientID != c.ID {
		t.Fatalf("%+v, %v", es, err)
	}
}

func FuzzParseErasureLog(f *testing.F) {
	f.Add([]byte(`{"client_id":"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa","organization_id":"ffffffffffffffffffffffffffffffff","erased_at":"2026-12-03T10:00:00Z"}` + "\n"))
	f.Add([]byte("{}\n{"))
	f.Add([]byte("\n\n\xff\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		es, err := sqldb.ParseErasureLog(bytes.NewReader(b))
		if err != nil {
			return
		}
		for _, e := range es {
			if len(e.ClientID) != 32 || len(e.OrganizationID) != 32 || e.ErasedAt.IsZero() {
				t.Fatalf("accepted %+v", e)
			}
		}
	})
}

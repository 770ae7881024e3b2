package sqldb_test

import (
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/envelope"
	"github.com/amparo-project/amparo/internal/storetest"
	"github.com/amparo-project/amparo/internal/testenv"
	"github.com/amparo-project/amparo/sqldb"
)

// TestDiskFull_NothingSaved: on a filesystem with no room left, a write
// is refused as EUNAVAILABLE with the catalog's words for a full disk,
// nothing of it is stored, what was stored reads as before, and the same
// write succeeds once space is freed. SQLite keeps its files on a small
// tmpfs; PostgreSQL its tables, through a tablespace there.
func TestDiskFull_NothingSaved(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"sqlite", "postgres"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			var dsn, mnt string
			if name == "sqlite" {
				mnt = testenv.MountTmpfs(t, 16<<20, "")
				dsn = "sqlite:" + filepath.Join(mnt, "amparo.db")
			} else {
				if cluster == nil {
					testenv.Missing(t, "postgres: no cluster")
					return
				}
				mnt = testenv.MountTmpfs(t, 16<<20, "postgres")
				dsn = databaseIn(t, mnt)
			}
			db := storetest.MustOpenDSN(t, dsn, envelope.GenerateMasterKey())
			org := storetest.MustCreateOrganization(t, db, "Centro Legal Ejemplo")
			ctx := as(amparo.RoleIntake, org.ID)
			kept := storetest.MustCreateClient(t, ctx, db, &amparo.Client{OrganizationID: org.ID})
			if name == "sqlite" {
				// The next write must take new space, not a WAL's old room.
				if _, err := sqldb.RawDB(db).Exec("PRAGMA wal_checkpoint(TRUNCATE)"); err != nil {
					t.Fatal(err)
				}
			}
			filler := testenv.Fill(t, mnt)

			var err error
			for i := range 50 { // until a write needs a new page
				c := &amparo.Client{OrganizationID: org.ID}
				c.Personal = kept.Personal
				c.LegalName = fmt.Sprintf("Llena%d Ejemplo Ficticia", i)
				if err = db.CreateClient(ctx, c); err != nil {
					break
				}
			}
			if amparo.ErrorCode(err) != amparo.EUNAVAILABLE {
				t.Fatalf("a write on a full disk: %v (code %q), want %s", err, amparo.ErrorCode(err), amparo.EUNAVAILABLE)
			}
			if m, ok := amparo.ErrorMsg(err); !ok || m.Key != "error.disk_full" {
				t.Errorf("a write on a full disk says %+v, want the catalog's error.disk_full", m)
			}
			if name == "sqlite" {
				if err := db.Ready(system, time.Hour); err == nil || !strings.Contains(err.Error(), "database cannot write: the disk is full") {
					t.Errorf("Ready on a full disk: %v", err)
				}
			}
			got, err := db.FindClientByID(system, kept.ID)
			if amparo.ErrorCode(err) == amparo.EUNAVAILABLE {
				// Reading a client is audited: on a full disk it is refused
				// rather than read unrecorded.
			} else if err != nil || got.LegalName != kept.LegalName {
				t.Fatalf("a stored client on a full disk: %v", err)
			}

			if err := os.Remove(filler); err != nil {
				t.Fatal(err)
			}
			c := &amparo.Client{OrganizationID: org.ID}
			c.Personal = kept.Personal
			c.LegalName = "Otra Ejemplo Ficticia"
			if err := db.CreateClient(ctx, c); err != nil {
				t.Fatalf("a write once space is freed: %v", err)
			}
			if got, err := db.FindClientByID(system, kept.ID); err != nil || got.LegalName != kept.LegalName {
				t.Fatalf("the stored client after the disk was full: %v", err)
			}
			if err := db.Ready(system, time.Hour); err != nil {
				t.Errorf("Ready once space is freed: %v", err)
			}
		})
	}
}

// databaseIn creates a database whose tables live in a tablespace in dir
// (a folder the server's user owns), dropped with it when the test ends.
func databaseIn(t *testing.T, dir string) string {
	t.Helper()
	admin, err := sql.Open("pgx", cluster.DSN("postgres"))
	if err != nil {
		t.Fatal(err)
	}
	name := fmt.Sprintf("diskfull_%d", time.Now().UnixNano())
	for _, q := range []string{"CREATE TABLESPACE " + name + " LOCATION '" + dir + "'", "CREATE DATABASE " + name + " TABLESPACE " + name} {
		if _, err := admin.Exec(q); err != nil {
			admin.Close()
			t.Fatalf("%s: %v", q, err)
		}
	}
	t.Cleanup(func() {
		defer admin.Close()
		for _, q := range []string{"DROP DATABASE " + name + " WITH (FORCE)", "DROP TABLESPACE " + name} {
			if _, err := admin.Exec(q); err != nil {
				t.Errorf("%s: %v", q, err)
			}
		}
	})
	return cluster.DSN(name)
}

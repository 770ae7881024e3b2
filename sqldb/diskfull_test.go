package sqldb_test

import (
	"database/sql"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strings"
	"syscall"
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
				mnt = mountTmpfs(t, 16<<20, "")
				dsn = "sqlite:" + filepath.Join(mnt, "amparo.db")
			} else {
				if cluster == nil {
					testenv.Missing(t, "postgres: no cluster")
					return
				}
				mnt = mountTmpfs(t, 16<<20, "postgres")
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
			filler := fillUp(t, mnt)

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

// mountTmpfs mounts a tmpfs of size bytes, owned by the user named owner
// (or the test's), and unmounts it when the test ends; it skips where
// mounting is not allowed (and fails under CI=true).
func mountTmpfs(t *testing.T, size int, owner string) string {
	t.Helper()
	opts := fmt.Sprintf("size=%d,mode=0700", size)
	if owner != "" {
		u, err := user.Lookup(owner)
		if err != nil {
			testenv.Missing(t, "no "+owner+" user to own the tablespace: "+err.Error())
		}
		opts += ",uid=" + u.Uid + ",gid=" + u.Gid
	}
	// A folder of its own, which the server's user can reach (a test's
	// temporary folder sits in one only its owner can enter).
	dir, err := os.MkdirTemp("", "amparo-diskfull-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Remove(dir) })
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", opts, "amparo-diskfull", dir).CombinedOutput(); err != nil {
		testenv.Missing(t, fmt.Sprintf("cannot mount a small tmpfs to fill (needs root): %v %s", err, strings.TrimSpace(string(out))))
	}
	t.Cleanup(func() {
		if out, err := exec.Command("umount", dir).CombinedOutput(); err != nil {
			t.Errorf("umount %s: %v %s", dir, err, out)
		}
	})
	return dir
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

// fillUp writes a file in dir until the filesystem refuses a byte more.
func fillUp(t *testing.T, dir string) string {
	t.Helper()
	p := filepath.Join(dir, "filler")
	f, err := os.OpenFile(p, os.O_CREATE|os.O_WRONLY|os.O_EXCL, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, chunk := range []int{1 << 16, 512, 1} {
		b := make([]byte, chunk)
		for {
			if _, err := f.Write(b); err != nil {
				if !errors.Is(err, syscall.ENOSPC) {
					t.Fatal(err)
				}
				break
			}
		}
	}
	return p
}

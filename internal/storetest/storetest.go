// Package storetest builds stores and the records tests need in them, for
// the tests of sqldb, web, intake and the commands: one copy of each
// builder, with clearly fictional people.
package storetest

import (
	"context"
	"database/sql"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/demo"
	"github.com/amparo-project/amparo/envelope"
	"github.com/amparo-project/amparo/sqldb"
)

// System is the context of an operator command.
var System = amparo.NewContextWithActor(context.Background(), amparo.SystemActor)

// OpenSQLite opens a migrated SQLite store in a temporary folder, and
// returns it with the keyring that seals it. The store starts as a copy
// of one migrated once per test binary (see migratedSQLite); Migrate, on
// opening it, finds nothing to apply and keeps the new key.
func OpenSQLite(tb testing.TB) (*sqldb.DB, *envelope.Keyring) {
	tb.Helper()
	k, err := envelope.New(envelope.GenerateMasterKey())
	if err != nil {
		tb.Fatal(err)
	}
	path := filepath.Join(tb.TempDir(), "a.db")
	if err := os.WriteFile(path, migratedSQLite(tb), 0o600); err != nil {
		tb.Fatal(err)
	}
	db, err := sqldb.Open("sqlite:"+path, k, nil)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	if err := db.Migrate(System); err != nil {
		tb.Fatal(err)
	}
	return db, k
}

// sqliteTemplate is the file of a SQLite store with every migration
// applied and no master key yet, made once per test binary.
var sqliteTemplate struct {
	once sync.Once
	file []byte
	err  error
}

// migratedSQLite returns the bytes of a migrated SQLite store without a
// master key: applying every migration for each of the hundreds of
// stores the tests open was most of the time it took to open one.
func migratedSQLite(tb testing.TB) []byte {
	tb.Helper()
	sqliteTemplate.once.Do(func() {
		sqliteTemplate.file, sqliteTemplate.err = migrateSQLite()
	})
	if sqliteTemplate.err != nil {
		tb.Fatal(sqliteTemplate.err)
	}
	return sqliteTemplate.file
}

// migrateSQLite migrates a new store in a folder of its own, forgets the
// master key it was migrated with, and returns the store's file.
func migrateSQLite() ([]byte, error) {
	dir, err := os.MkdirTemp("", "storetest-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "a.db")
	k, err := envelope.New(envelope.GenerateMasterKey())
	if err != nil {
		return nil, err
	}
	db, err := sqldb.Open("sqlite:"+path, k, nil)
	if err != nil {
		return nil, err
	}
	if err := db.Migrate(System); err != nil {
		db.Close()
		return nil, err
	}
	if err := db.Close(); err != nil {
		return nil, err
	}
	// Closed, the store's write-ahead log is back in its file; the key
	// check is taken out with the driver itself, as sqldb offers no way to.
	raw, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		return nil, err
	}
	defer raw.Close()
	if _, err := raw.Exec("DELETE FROM meta WHERE key = 'master_key_check'"); err != nil {
		return nil, err
	}
	if _, err := raw.Exec("PRAGMA wal_checkpoint(TRUNCATE)"); err != nil {
		return nil, err
	}
	if err := raw.Close(); err != nil {
		return nil, err
	}
	return os.ReadFile(path)
}

// MustOpenDSN opens and migrates the store at dsn sealed by master, with
// the program's root key.
func MustOpenDSN(tb testing.TB, dsn string, master []byte) *sqldb.DB {
	tb.Helper()
	k, err := envelope.New(master)
	if err != nil {
		tb.Fatal(err)
	}
	db, err := sqldb.Open(dsn, k, nil)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	if err := db.Migrate(context.Background()); err != nil {
		tb.Fatal(err)
	}
	if _, err := db.CreateRootKey(System); err != nil && amparo.ErrorCode(err) != amparo.ECONFLICT {
		tb.Fatal(err)
	}
	return db
}

// MustCreateOrganization stores a nonprofit named name with a certified
// issuing key.
func MustCreateOrganization(tb testing.TB, db *sqldb.DB, name string) *amparo.Organization {
	tb.Helper()
	o := &amparo.Organization{Name: name, Kind: amparo.OrgNonprofit, Languages: []string{"en", "es"}, Capacity: 50}
	if err := db.CreateOrganization(System, o); err != nil {
		tb.Fatal(err)
	}
	MustCertifyNewKey(tb, db, o.ID)
	return o
}

// MustCertifyNewKey gives the organization a new issuing key (rotating its
// old one) and publishes a trust list that certifies it.
func MustCertifyNewKey(tb testing.TB, db *sqldb.DB, orgID string) *amparo.SigningKey {
	tb.Helper()
	k, err := db.CreateIssuingKey(System, orgID)
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := db.SignTrustList(System, nil); err != nil {
		tb.Fatal(err)
	}
	return k
}

// MustCreateMember stores a fictional attorney of the organization.
func MustCreateMember(tb testing.TB, db *sqldb.DB, orgID, barNumber string) *amparo.Member {
	tb.Helper()
	m := &amparo.Member{OrganizationID: orgID, Name: "Lic. Tomás Ficticio", Kind: amparo.MemberAttorney,
		BarJurisdiction: "California", BarNumber: barNumber, Languages: []string{"en", "es"},
		CaseCapacity: 20, PublicPhone: "+1 213 555 0142"}
	if err := db.CreateMember(System, m); err != nil {
		tb.Fatal(err)
	}
	return m
}

// MustCreateClient stores c, filling what it lacks from a fictional client.
func MustCreateClient(tb testing.TB, ctx context.Context, db *sqldb.DB, c *amparo.Client) *amparo.Client {
	tb.Helper()
	if c.LegalName == "" {
		c.Personal = demo.Client(rand.New(rand.NewPCG(1, uint64(len(c.OrganizationID)))), c.OrganizationID, "es", time.Now()).Personal
	}
	if err := db.CreateClient(ctx, c); err != nil {
		tb.Fatal(err)
	}
	return c
}

// SignerFor links m to an account of its own, through an invitation for
// the member record as a real member gets, and returns a context acting as
// that account signed in with its second factor: the one actor that
// issues letters in m's name.
func SignerFor(tb testing.TB, db *sqldb.DB, m *amparo.Member) context.Context {
	tb.Helper()
	if m.AccountID == "" {
		inv := &amparo.Invitation{Email: "m-" + m.ID[:12] + "@members.example", Role: amparo.RoleMember,
			OrganizationID: m.OrganizationID, MemberID: m.ID}
		if err := db.CreateInvitation(System, inv); err != nil {
			tb.Fatal(err)
		}
		a, err := db.AcceptInvitation(System, inv.Token, m.Name, "$argon2id$unused")
		if err != nil {
			tb.Fatal(err)
		}
		m.AccountID = a.ID
	}
	return amparo.NewContextWithActor(context.Background(), amparo.Actor{ID: m.AccountID, Role: amparo.RoleMember,
		OrganizationID: m.OrganizationID, SecondFactor: true})
}

package sqldb_test

import (
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/envelope"
	"github.com/amparo-project/amparo/internal/pgtest"
	"github.com/amparo-project/amparo/internal/storetest"
	"github.com/amparo-project/amparo/internal/testenv"
	"github.com/amparo-project/amparo/sqldb"
)

var cluster *pgtest.Cluster

func TestMain(m *testing.M) {
	code := pgtest.Main(m, &cluster)
	if sqliteTemplate.path != "" {
		os.RemoveAll(filepath.Dir(sqliteTemplate.path))
	}
	os.Exit(code)
}

// system is the context of an operator command.
var system = storetest.System

// each runs fn as two subtests, sqlite and postgres, each on a fresh,
// migrated database. The two run side by side (PostgreSQL works in its own
// processes meanwhile), after the calling test's function returns: each
// is the last thing a test does, and fn shares nothing between the two
// but what it reads. Under CI every test runs on both; a developer's run
// runs every test on SQLite and half of them, by name, on PostgreSQL too
// (testenv.Half), so that go test ./... does not wait on a second
// database for each of them.
func each(t *testing.T, fn func(t *testing.T, db *sqldb.DB)) {
	t.Helper()
	for _, name := range []string{"sqlite", "postgres"} {
		if name == "postgres" && !testenv.Half(t, "on PostgreSQL") {
			continue
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			fn(t, MustOpenDB(t, name))
		})
	}
}

// dsn returns a fresh, empty database of the dialect.
func dsn(tb testing.TB, dialect string) string {
	if dialect == "postgres" {
		return cluster.NewDatabase(tb)
	}
	return "sqlite:" + filepath.Join(tb.TempDir(), "amparo.db")
}

// migratedDSN returns a fresh database of the dialect with every migration
// applied and no master key yet: a copy of one migrated once per test
// binary, so each test does not apply every migration again. Migrate, on
// opening it, then finds nothing to apply and keeps the key it is given.
func migratedDSN(tb testing.TB, dialect string) string {
	tb.Helper()
	if dialect == "postgres" {
		return cluster.NewDatabaseFrom(tb, "sqldb_migrated", migrateTemplate)
	}
	sqliteTemplate.once.Do(func() {
		dir, err := os.MkdirTemp("", "sqldb-template-")
		if err != nil {
			sqliteTemplate.err = err
			return
		}
		sqliteTemplate.path = filepath.Join(dir, "amparo.db")
		sqliteTemplate.err = migrateTemplate("sqlite:" + sqliteTemplate.path)
	})
	if sqliteTemplate.err != nil {
		tb.Fatal(sqliteTemplate.err)
	}
	b, err := os.ReadFile(sqliteTemplate.path)
	if err != nil {
		tb.Fatal(err)
	}
	path := filepath.Join(tb.TempDir(), "amparo.db")
	if err := os.WriteFile(path, b, 0o600); err != nil {
		tb.Fatal(err)
	}
	return "sqlite:" + path
}

// sqliteTemplate is the migrated SQLite file migratedDSN copies; its
// folder is removed by TestMain.
var sqliteTemplate struct {
	once sync.Once
	path string
	err  error
}

// migrateTemplate applies every migration to the database at dsn, then
// forgets the master key it was migrated with, and closes it.
func migrateTemplate(dsn string) error {
	k, err := envelope.New(envelope.GenerateMasterKey())
	if err != nil {
		return err
	}
	db, err := sqldb.Open(dsn, k, nil)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.Migrate(context.Background()); err != nil {
		return err
	}
	_, err = sqldb.RawDB(db).Exec("DELETE FROM meta WHERE key = 'master_key_check'")
	return err
}

// MustOpenDB opens and migrates a fresh database with a new master key.
func MustOpenDB(tb testing.TB, dialect string) *sqldb.DB {
	tb.Helper()
	return storetest.MustOpenDSN(tb, migratedDSN(tb, dialect), envelope.GenerateMasterKey())
}

// as returns a context acting as role in the organization.
func as(role amparo.Role, orgID string) context.Context {
	return amparo.NewContextWithActor(context.Background(), amparo.Actor{ID: string(role) + "-" + orgID, Role: role, OrganizationID: orgID})
}

func wantCode(tb testing.TB, err error, code string) {
	tb.Helper()
	if got := amparo.ErrorCode(err); got != code {
		tb.Fatalf("error code = %q (%v), want %q", got, err, code)
	}
}

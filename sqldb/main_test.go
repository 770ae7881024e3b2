package sqldb_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/envelope"
	"github.com/amparo-project/amparo/internal/pgtest"
	"github.com/amparo-project/amparo/internal/storetest"
	"github.com/amparo-project/amparo/sqldb"
)

var cluster *pgtest.Cluster

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m, &cluster)) }

// system is the context of an operator command.
var system = storetest.System

// each runs fn as two subtests, sqlite and postgres, each on a fresh,
// migrated database. The two run side by side (PostgreSQL works in its own
// processes meanwhile), after the calling test's function returns: each
// is the last thing a test does, and fn shares nothing between the two
// but what it reads.
func each(t *testing.T, fn func(t *testing.T, db *sqldb.DB)) {
	t.Helper()
	for _, name := range []string{"sqlite", "postgres"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			fn(t, MustOpenDB(t, name))
		})
	}
}

// dsn returns a fresh database of the dialect.
func dsn(tb testing.TB, dialect string) string {
	if dialect == "postgres" {
		return cluster.NewDatabase(tb)
	}
	return "sqlite:" + filepath.Join(tb.TempDir(), "amparo.db")
}

// MustOpenDB opens and migrates a fresh database with a new master key.
func MustOpenDB(tb testing.TB, dialect string) *sqldb.DB {
	tb.Helper()
	return storetest.MustOpenDSN(tb, dsn(tb, dialect), envelope.GenerateMasterKey())
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

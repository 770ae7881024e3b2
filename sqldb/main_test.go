package sqldb_test

import (
	"context"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/demo"
	"github.com/amparo-project/amparo/envelope"
	"github.com/amparo-project/amparo/internal/pgtest"
	"github.com/amparo-project/amparo/sqldb"
)

var cluster *pgtest.Cluster

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m, &cluster)) }

// system is the context of an operator command.
var system = amparo.NewContextWithActor(context.Background(), amparo.SystemActor)

// each runs fn as two subtests, sqlite and postgres, each on a fresh,
// migrated database.
func each(t *testing.T, fn func(t *testing.T, db *sqldb.DB)) {
	t.Helper()
	for _, name := range []string{"sqlite", "postgres"} {
		t.Run(name, func(t *testing.T) { fn(t, MustOpenDB(t, name)) })
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
	return MustOpenDSN(tb, dsn(tb, dialect), envelope.GenerateMasterKey())
}

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
	if _, err := db.CreateRootKey(system); err != nil && amparo.ErrorCode(err) != amparo.ECONFLICT {
		tb.Fatal(err)
	}
	return db
}

func MustCreateOrganization(tb testing.TB, db *sqldb.DB, name string) *amparo.Organization {
	tb.Helper()
	o := &amparo.Organization{Name: name, Kind: amparo.OrgNonprofit, Languages: []string{"en", "es"}, Capacity: 50}
	if err := db.CreateOrganization(system, o); err != nil {
		tb.Fatal(err)
	}
	MustCertifyNewKey(tb, db, o.ID)
	return o
}

// MustCertifyNewKey gives the organization a new issuing key (rotating its
// old one) and publishes a trust list that certifies it.
func MustCertifyNewKey(tb testing.TB, db *sqldb.DB, orgID string) *amparo.SigningKey {
	tb.Helper()
	k, err := db.CreateIssuingKey(system, orgID)
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := db.SignTrustList(system, nil); err != nil {
		tb.Fatal(err)
	}
	return k
}

func MustCreateMember(tb testing.TB, db *sqldb.DB, orgID, barNumber string) *amparo.Member {
	tb.Helper()
	m := &amparo.Member{OrganizationID: orgID, Name: "Lic. Tomás Ficticio", Kind: amparo.MemberAttorney,
		BarJurisdiction: "California", BarNumber: barNumber, Languages: []string{"en", "es"},
		CaseCapacity: 20, PublicPhone: "+1 213 555 0142"}
	if err := db.CreateMember(system, m); err != nil {
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

package pgtest

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/signal"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/amparo-project/amparo/internal/testenv"
	"github.com/jackc/pgx/v5"
)

// ErrUnavailable is wrapped by the error of [Start] when PostgreSQL cannot be
// used on this machine at all (binaries missing, unsupported system, no
// "postgres" OS user while running as root).
var ErrUnavailable = errors.New("pgtest: PostgreSQL unavailable")

// Cluster is a running throwaway PostgreSQL cluster. A nil *Cluster stands
// for "no cluster": its NewDatabase skips (or, with CI=true, fails) the test.
type Cluster struct {
	dir     string // temporary folder: data/, unix socket, postgres.log
	dataDir string
	binDir  string
	port    int
	cred    credential // non-nil when running the binaries as "postgres"

	proc   *os.Process
	exited chan struct{} // closed once postgres has exited

	seq       atomic.Uint64
	templates sync.Map // name → *template, see NewDatabaseFrom
	stopOnce  sync.Once
	stopErr   error
}

// reason records why Main could not start a cluster, for NewDatabase.
var reason atomic.Pointer[string]

// Main starts a cluster, stores it in *c, runs the tests and stops the
// cluster, returning the exit code for os.Exit:
//
//	var pg *pgtest.Cluster
//
//	func TestMain(m *testing.M) { os.Exit(pgtest.Main(m, &pg)) }
//
// When the cluster cannot be started, *c stays nil, the reason is printed
// once to stderr and kept for [Cluster.NewDatabase], and the tests still run.
// The cluster is also stopped, and its folder removed, on SIGINT or SIGTERM,
// after which the signal ends the process as usual.
func Main(m *testing.M, c **Cluster) int {
	*c = nil
	if fuzzing() {
		// A fuzz run (its coordinator and each worker) runs a Fuzz target
		// and no store test: starting a cluster per worker would be all the
		// run does.
		return m.Run()
	}
	cl, err := Start()
	if err != nil {
		r := oneLine(err)
		reason.Store(&r)
		fmt.Fprintf(os.Stderr, "pgtest: no PostgreSQL, tests that need it skip (or fail when CI=true): %s\n", r)
		return m.Run()
	}
	*c = cl

	// Stop the cluster on SIGINT/SIGTERM, then let the signal do what it
	// would have done. Signals ignored from the start (a background job's
	// SIGINT) stay ignored.
	var handled []os.Signal
	for _, sig := range []os.Signal{os.Interrupt, syscall.SIGTERM} {
		if !signal.Ignored(sig) {
			handled = append(handled, sig)
		}
	}
	sigs := make(chan os.Signal, 1)
	if len(handled) > 0 {
		signal.Notify(sigs, handled...)
	}
	done := make(chan struct{})
	go func() {
		select {
		case sig := <-sigs:
			_ = cl.Stop()
			signal.Reset(handled...)
			if p, err := os.FindProcess(os.Getpid()); err != nil || p.Signal(sig) != nil {
				os.Exit(2)
			}
			time.Sleep(time.Second) // let the signal arrive
			os.Exit(2)
		case <-done:
		}
	}()

	code := m.Run()
	signal.Stop(sigs)
	close(done)
	if err := cl.Stop(); err != nil {
		fmt.Fprintf(os.Stderr, "pgtest: %v\n", err)
	}
	return code
}

// DSN returns the URL of database dbname in the cluster, for example
// postgres://postgres@127.0.0.1:5433/app?sslmode=disable. It returns "" for a
// nil cluster.
func (c *Cluster) DSN(dbname string) string {
	if c == nil {
		return ""
	}
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/%s?sslmode=disable", c.port, url.PathEscape(dbname))
}

// CreateDatabase creates the empty database name (any valid PostgreSQL name;
// it is quoted) and returns its DSN.
func (c *Cluster) CreateDatabase(ctx context.Context, name string) (string, error) {
	if c == nil {
		return "", fmt.Errorf("%w: no cluster", ErrUnavailable)
	}
	if err := c.exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()); err != nil {
		return "", fmt.Errorf("pgtest: create database %q: %w", name, err)
	}
	return c.DSN(name), nil
}

// NewDatabase creates a database named after the test, unique in the
// cluster, drops it when the test ends, and returns its DSN.
//
// On a nil cluster it calls tb.Skip("postgres: <reason>"), or tb.Fatal with
// the same message when the environment variable CI is true (so CI cannot
// pass by skipping). A failure to create the database is always fatal.
func (c *Cluster) NewDatabase(tb testing.TB) string {
	tb.Helper()
	if c == nil {
		msg := "postgres: cluster not started (use pgtest.Main in TestMain)"
		if r := reason.Load(); r != nil {
			msg = "postgres: " + *r
		}
		testenv.Missing(tb, msg)
		return ""
	}
	return c.newDatabase(tb, "")
}

// newDatabase creates the test's database with the CREATE DATABASE
// options opts (" TEMPLATE x", or ""), dropped when the test ends.
func (c *Cluster) newDatabase(tb testing.TB, opts string) string {
	tb.Helper()
	name := fmt.Sprintf("%s_%d", dbName(tb.Name()), c.seq.Add(1))
	id := pgx.Identifier{name}.Sanitize()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := c.exec(ctx, "CREATE DATABASE "+id+opts); err != nil {
		tb.Fatal(fmt.Errorf("pgtest: create database %q: %w", name, err))
	}
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		// Best effort: the whole cluster is thrown away anyway.
		_ = c.exec(ctx, "DROP DATABASE IF EXISTS "+id+" WITH (FORCE)")
	})
	return c.DSN(name)
}

// template is a database NewDatabaseFrom fills once and copies.
type template struct {
	once sync.Once
	err  error
	snap *snapshot // what it holds, to empty copies back to
	pool pool      // copies given back, emptied
}

// NewDatabaseFrom is [Cluster.NewDatabase] for a database that starts as
// a copy of the template database name. The first call with a name, in
// the cluster, creates the template and fills it by calling setup with its
// DSN; setup must close its connections to it before returning. Every
// call, the first included, then gets a fresh copy of it, so a costly
// setup (migrating a schema) runs once per test binary instead of once per
// test. Tests must give one name the same setup; a setup that failed
// fails every test that asks for the template.
//
// When the test ends, its copy is emptied back to what the template holds
// and kept for the next test (see pool.go): a copy is a database of the
// test's name that holds what the template held and nothing else.
func (c *Cluster) NewDatabaseFrom(tb testing.TB, name string, setup func(dsn string) error) string {
	tb.Helper()
	if c == nil {
		return c.NewDatabase(tb) // skips, or fails under CI
	}
	v, _ := c.templates.LoadOrStore(name, &template{})
	tpl := v.(*template)
	tpl.once.Do(func() { tpl.snap, tpl.err = c.fillTemplate(name, setup) })
	if tpl.err != nil {
		tb.Fatal(tpl.err)
	}
	db := fmt.Sprintf("%s_%d", dbName(tb.Name()), c.seq.Add(1))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := c.lease(ctx, tpl, name, db); err != nil {
		tb.Fatal(fmt.Errorf("pgtest: create database %q: %w", db, err))
	}
	tb.Cleanup(func() { c.giveBack(tpl, db) })
	return c.DSN(db)
}

// fillTemplate creates the database name, runs setup on it, reads what it
// holds, and closes it to connections, as CREATE DATABASE ... TEMPLATE
// requires.
func (c *Cluster) fillTemplate(name string, setup func(dsn string) error) (*snapshot, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	dsn, err := c.CreateDatabase(ctx, name)
	if err != nil {
		return nil, err
	}
	if err := setup(dsn); err != nil {
		return nil, fmt.Errorf("pgtest: filling template database %q: %w", name, err)
	}
	snap, err := takeSnapshot(ctx, dsn)
	if err != nil {
		return nil, fmt.Errorf("pgtest: template database %q: %w", name, err)
	}
	id := pgx.Identifier{name}.Sanitize()
	if err := c.exec(ctx, "ALTER DATABASE "+id+" WITH ALLOW_CONNECTIONS false IS_TEMPLATE true"); err != nil {
		return nil, fmt.Errorf("pgtest: template database %q: %w", name, err)
	}
	// Connections setup closed end a moment later; CREATE DATABASE waits
	// a few seconds for them, and these are ended now in case any is left.
	if err := c.exec(ctx, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = "+quoteLiteral(name)); err != nil {
		return nil, fmt.Errorf("pgtest: template database %q: %w", name, err)
	}
	return snap, nil
}

// quoteLiteral quotes s as an SQL string literal.
func quoteLiteral(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// exec runs one statement in the "postgres" database.
func (c *Cluster) exec(ctx context.Context, sql string) error {
	conn, err := pgx.Connect(ctx, c.DSN("postgres"))
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	_, err = conn.Exec(ctx, sql)
	return err
}

// dbName turns a test name into the start of a database name: lower case
// letters, digits and underscores, at most 40 bytes.
func dbName(test string) string {
	var b strings.Builder
	b.WriteString("t_")
	for _, r := range strings.ToLower(test) {
		if b.Len() >= 40 {
			break
		}
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
		} else {
			b.WriteByte('_')
		}
	}
	return b.String()
}

// oneLine turns err into a short single line, without the "pgtest: " prefix.
func oneLine(err error) string {
	s := strings.Join(strings.Fields(err.Error()), " ")
	s = strings.TrimPrefix(s, "pgtest: ")
	if len(s) > 300 {
		s = s[:297] + "..."
	}
	return s
}

// fuzzing reports whether the test binary runs as part of go test -fuzz.
func fuzzing() bool {
	for _, a := range os.Args[1:] {
		if strings.HasPrefix(a, "-test.fuzz=") || strings.HasPrefix(a, "-test.fuzzworker") {
			return true
		}
	}
	return false
}

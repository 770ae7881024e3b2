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

	seq      atomic.Uint64
	stopOnce sync.Once
	stopErr  error
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
	name := fmt.Sprintf("%s_%d", dbName(tb.Name()), c.seq.Add(1))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	dsn, err := c.CreateDatabase(ctx, name)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		// Best effort: the whole cluster is thrown away anyway.
		_ = c.exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)")
	})
	return dsn
}

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

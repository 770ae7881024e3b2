// Package pgtest runs a throwaway PostgreSQL cluster for tests.
//
// The cluster is built from the machine's own PostgreSQL binaries (initdb,
// pg_ctl and postgres, looked up on PATH first and then in the highest
// version of /usr/lib/postgresql/*/bin) inside a fresh temporary folder,
// once per test package, and removed when the package's tests are done.
// It listens only on 127.0.0.1 on a free port, keeps its unix socket in the
// temporary folder, trusts every local connection, has the superuser
// "postgres" and runs with fsync, full_page_writes and synchronous_commit
// off: it is fast and must never hold data anyone cares about.
//
// A package's TestMain starts the cluster with [Main]; each test then asks
// for its own database with [Cluster.NewDatabase]:
//
//	var pg *pgtest.Cluster
//
//	func TestMain(m *testing.M) { os.Exit(pgtest.Main(m, &pg)) }
//
//	func TestSomething(t *testing.T) {
//		dsn := pg.NewDatabase(t) // postgres://postgres@127.0.0.1:PORT/NAME?sslmode=disable
//		conn, err := pgx.Connect(t.Context(), dsn)
//		...
//	}
//
// When PostgreSQL cannot be started (binaries missing, no "postgres" OS user
// while running as root, initdb failing...), Main still runs the tests with
// a nil cluster and keeps a one-line reason: NewDatabase then skips the test
// with "postgres: <reason>", or fails it when the environment variable CI is
// true, so that a CI machine never silently skips database tests.
//
// # Running as root
//
// initdb, pg_ctl and postgres refuse to run as root. When the effective user
// is root, they run as the "postgres" OS user instead, the temporary folder
// is chowned to that user, and every folder above it must be traversable by
// others (when $TMPDIR is not, /tmp is used).
//
// # Stopping, and what happens when the test process dies
//
// postgres is started directly (not daemonized by pg_ctl) as a child of the
// test process, in its own process group, so a Ctrl-C sent to the terminal's
// foreground group does not reach it. Main stops the cluster after the tests
// (pg_ctl stop -m immediate, then SIGKILL to the process group if needed)
// and removes the folder; it also does so on SIGINT or SIGTERM before letting
// the signal end the process.
//
// If the test process dies without cleaning up (SIGKILL, a panicking test,
// the -timeout panic), Linux delivers SIGQUIT to postgres as its parent-death
// signal, which is postgres's "immediate shutdown": the postmaster and its
// backends exit within moments. Only the temporary folder
// ($TMPDIR/pgtest-*) is left behind, and the next Start in the same
// temporary folder removes it once the process that created it is gone
// (stopping, with pg_ctl stop -m immediate, any postmaster still running
// there). Other Unix systems have no parent-death signal: there a killed
// test process leaves postgres running until that next Start.
package pgtest

//go:build unix

package pgtest

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

var pg *Cluster

func TestMain(m *testing.M) {
	if os.Getenv("PGTEST_HOLD_CLUSTER") == "1" {
		holdCluster() // helper process of TestKilledTestProcess
	}
	os.Exit(Main(m, &pg))
}

// requireCluster skips (or fails, with CI=true) when Main had no cluster.
func requireCluster(t *testing.T) {
	t.Helper()
	if pg == nil {
		pg.NewDatabase(t)
	}
}

// roundTrip runs SELECT 1, creates a table, inserts value and reads it back.
func roundTrip(t *testing.T, dsn, value string) {
	t.Helper()
	ctx := t.Context()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatalf("connect %s: %v", dsn, err)
	}
	defer conn.Close(context.Background())

	var one int
	if err := conn.QueryRow(ctx, "SELECT 1").Scan(&one); err != nil || one != 1 {
		t.Fatalf("SELECT 1 = %d, %v", one, err)
	}
	if _, err := conn.Exec(ctx, "CREATE TABLE items (id serial PRIMARY KEY, name text NOT NULL)"); err != nil {
		t.Fatalf("create table: %v", err)
	}
	if _, err := conn.Exec(ctx, "INSERT INTO items (name) VALUES ($1)", value); err != nil {
		t.Fatalf("insert: %v", err)
	}
	var names []string
	rows, _ := conn.Query(ctx, "SELECT name FROM items ORDER BY id")
	names, err = pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatalf("select: %v", err)
	}
	if len(names) != 1 || names[0] != value {
		t.Fatalf("items = %q, want [%q]", names, value)
	}
}

func TestTwoDatabases(t *testing.T) {
	t.Parallel()
	dsn1 := pg.NewDatabase(t)
	want := fmt.Sprintf("postgres://postgres@127.0.0.1:%d/t_testtwodatabases_", pg.port)
	if !strings.HasPrefix(dsn1, want) || !strings.HasSuffix(dsn1, "?sslmode=disable") {
		t.Errorf("NewDatabase DSN = %q, want %s<n>?sslmode=disable", dsn1, want)
	}
	dsn2, err := pg.CreateDatabase(t.Context(), "Second DB")
	if err != nil {
		t.Fatal(err)
	}
	if want := pg.DSN("Second DB"); dsn2 != want || !strings.Contains(dsn2, "/Second%20DB?") {
		t.Errorf("CreateDatabase DSN = %q, want %q", dsn2, want)
	}
	// Same table in both: each database sees only its own row.
	roundTrip(t, dsn1, "first")
	roundTrip(t, dsn2, "second")

	if _, err := pg.CreateDatabase(t.Context(), "Second DB"); err == nil {
		t.Error("creating an existing database succeeded")
	}
	if dsn3 := pg.NewDatabase(t); dsn3 == dsn1 {
		t.Errorf("NewDatabase returned %q twice", dsn1)
	}
}

// TestNewDatabaseFrom: the template is filled once, and each test's
// database starts as its own copy of it.
func TestNewDatabaseFrom(t *testing.T) {
	t.Parallel()
	requireCluster(t)
	fills := 0
	setup := func(dsn string) error {
		fills++
		conn, err := pgx.Connect(t.Context(), dsn)
		if err != nil {
			return err
		}
		defer conn.Close(context.Background())
		_, err = conn.Exec(t.Context(), "CREATE TABLE items (id serial PRIMARY KEY, name text NOT NULL); INSERT INTO items (name) VALUES ('from the template')")
		return err
	}
	names := func(dsn string) []string {
		conn, err := pgx.Connect(t.Context(), dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close(context.Background())
		rows, _ := conn.Query(t.Context(), "SELECT name FROM items ORDER BY id")
		got, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	var dsns []string
	for range 3 {
		dsns = append(dsns, pg.NewDatabaseFrom(t, "tpl_items", setup))
	}
	if fills != 1 {
		t.Errorf("the template was filled %d times, want once", fills)
	}
	if dsns[0] == dsns[1] || dsns[1] == dsns[2] {
		t.Fatalf("the same database twice: %q", dsns)
	}
	conn, err := pgx.Connect(t.Context(), dsns[0])
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec(t.Context(), "INSERT INTO items (name) VALUES ('only in the first')"); err != nil {
		t.Fatal(err)
	}
	conn.Close(context.Background())
	if got := names(dsns[0]); strings.Join(got, "|") != "from the template|only in the first" {
		t.Errorf("first copy holds %q", got)
	}
	for _, dsn := range dsns[1:] {
		if got := names(dsn); strings.Join(got, "|") != "from the template" {
			t.Errorf("a copy holds %q, want only the template's row", got)
		}
	}
	// A setup that fails fails each test that asks for the template.
	for range 2 {
		f := &fatalTB{TB: t}
		done := make(chan struct{})
		go func() {
			defer close(done)
			f.dsn = pg.NewDatabaseFrom(f, "tpl_failing", func(string) error { return errors.New("no schema") })
		}()
		<-done
		if !strings.Contains(f.fatal, "no schema") || f.dsn != "" {
			t.Errorf("a failing setup: Fatal(%q), DSN %q", f.fatal, f.dsn)
		}
	}
}

// TestNewDatabaseFrom_Reused: a copy given back at the end of its test
// is the next test's, holding only the template's rows (its sequences
// where the template left them); a connection left open by the first test
// cannot reach it; a copy whose schema a test changed is not given again.
func TestNewDatabaseFrom_Reused(t *testing.T) {
	t.Parallel()
	requireCluster(t)
	setup := func(dsn string) error {
		conn, err := pgx.Connect(t.Context(), dsn)
		if err != nil {
			return err
		}
		defer conn.Close(context.Background())
		_, err = conn.Exec(t.Context(), `CREATE TABLE items (id serial PRIMARY KEY, name text NOT NULL);
			INSERT INTO items (name) VALUES ('from the template');
			CREATE TABLE log (seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, item int REFERENCES items, doubled int GENERATED ALWAYS AS (item * 2) STORED);
			INSERT INTO log (item) VALUES (1);
			CREATE FUNCTION no_delete() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'append only'; END $$;
			CREATE TRIGGER log_append_only BEFORE UPDATE OR DELETE ON log FOR EACH ROW EXECUTE FUNCTION no_delete();`)
		return err
	}
	tpl := func() *template { v, _ := pg.templates.Load("tpl_reused"); return v.(*template) }
	rows := func(t *testing.T, conn *pgx.Conn, sql string) string {
		t.Helper()
		r, _ := conn.Query(t.Context(), sql)
		got, err := pgx.CollectRows(r, pgx.RowTo[string])
		if err != nil {
			t.Fatal(err)
		}
		return strings.Join(got, "|")
	}
	var first string
	var left *pgx.Conn
	t.Run("first", func(t *testing.T) {
		first = pg.NewDatabaseFrom(t, "tpl_reused", setup)
		conn, err := pgx.Connect(t.Context(), first)
		if err != nil {
			t.Fatal(err)
		}
		left = conn // never closed by the test
		if _, err := conn.Exec(t.Context(), `INSERT INTO items (name) VALUES ('only in the first');
			INSERT INTO log (item) VALUES (2)`); err != nil {
			t.Fatal(err)
		}
	})
	if n := len(tpl().pool.free); n != 1 {
		t.Fatalf("after the first test, %d copies wait in the pool, want 1", n)
	}
	if err := left.Ping(context.Background()); err == nil {
		t.Error("a connection the first test left open still reaches its database")
	}
	t.Run("second", func(t *testing.T) {
		dsn := pg.NewDatabaseFrom(t, "tpl_reused", setup)
		if dsn == first {
			t.Errorf("the second test got the first test's name %q", dsn)
		}
		if n := len(tpl().pool.free); n != 0 {
			t.Errorf("the copy was not taken from the pool: %d wait", n)
		}
		conn, err := pgx.Connect(t.Context(), dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close(context.Background())
		if got := rows(t, conn, "SELECT id || ' ' || name FROM items ORDER BY id"); got != "1 from the template" {
			t.Errorf("items = %q, want only the template's row", got)
		}
		if _, err := conn.Exec(t.Context(), "INSERT INTO items (name) VALUES ('second'); INSERT INTO log (item) VALUES (2)"); err != nil {
			t.Fatal(err)
		}
		if got := rows(t, conn, "SELECT id || ' ' || name FROM items ORDER BY id"); got != "1 from the template|2 second" {
			t.Errorf("items = %q: the sequence did not restart where the template left it", got)
		}
		if got := rows(t, conn, "SELECT seq || ' ' || item || ' ' || doubled FROM log ORDER BY seq"); got != "1 1 2|2 2 4" {
			t.Errorf("log = %q", got)
		}
		if _, err := conn.Exec(t.Context(), "DELETE FROM log"); err == nil || !strings.Contains(err.Error(), "append only") {
			t.Errorf("the append-only trigger no longer fires: %v", err)
		}
		// This test changes the schema: its copy must not be given again.
		if _, err := conn.Exec(t.Context(), "ALTER TABLE items ADD COLUMN extra text"); err != nil {
			t.Fatal(err)
		}
	})
	if n := len(tpl().pool.free); n != 0 {
		t.Fatalf("a copy with a changed schema went back to the pool (%d wait)", n)
	}
	t.Run("third", func(t *testing.T) {
		conn, err := pgx.Connect(t.Context(), pg.NewDatabaseFrom(t, "tpl_reused", setup))
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close(context.Background())
		if got := rows(t, conn, "SELECT string_agg(column_name, ',' ORDER BY ordinal_position) FROM information_schema.columns WHERE table_name = 'items'"); got != "id,name" {
			t.Errorf("items has the columns %q, want the template's", got)
		}
	})
}

// fatalTB records Fatal instead of failing the test.
type fatalTB struct {
	testing.TB
	fatal, dsn string
}

func (f *fatalTB) Fatal(args ...any) {
	f.fatal = fmt.Sprint(args...)
	runtime.Goexit()
}

func TestStopRemovesFolder(t *testing.T) {
	t.Parallel()
	requireCluster(t)
	c, err := Start()
	if err != nil {
		t.Fatal(err)
	}
	dsn, err := c.CreateDatabase(t.Context(), "stopme")
	if err != nil {
		c.Stop()
		t.Fatal(err)
	}
	roundTrip(t, dsn, "x")
	if _, err := os.Stat(filepath.Join(c.dir, "data", "PG_VERSION")); err != nil {
		t.Errorf("cluster folder: %v", err)
	}

	if err := c.Stop(); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	if _, err := os.Stat(c.dir); !os.IsNotExist(err) {
		t.Errorf("after Stop, %s: %v (want not exist)", c.dir, err)
	}
	select {
	case <-c.exited:
	default:
		t.Error("postgres still running after Stop")
	}
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Second)
	defer cancel()
	if conn, err := pgx.Connect(ctx, dsn); err == nil {
		conn.Close(ctx)
		t.Error("connected after Stop")
	}
	if err := c.Stop(); err != nil {
		t.Errorf("second Stop: %v", err)
	}
}

// holdCluster starts a cluster, prints its folder and postmaster pid, and
// waits to be killed.
func holdCluster() {
	c, err := Start()
	if err != nil {
		fmt.Println("ERROR", err)
		os.Exit(1)
	}
	fmt.Println(c.dir, c.proc.Pid)
	time.Sleep(time.Hour)
	os.Exit(1)
}

// TestKilledTestProcess SIGKILLs a process holding a cluster: postgres must
// exit on its own, and the next Start's sweep must remove the folder.
func TestKilledTestProcess(t *testing.T) {
	t.Parallel()
	requireCluster(t)
	if testing.Short() {
		t.Skip("starts a second cluster")
	}
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "PGTEST_HOLD_CLUSTER=1")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line, _ := bufio.NewReader(out).ReadString('\n')
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	dir, pidStr, _ := strings.Cut(strings.TrimSpace(line), " ")
	pid, err := strconv.Atoi(pidStr)
	if err != nil || !strings.Contains(dir, "pgtest-") {
		t.Fatalf("helper printed %q", line)
	}

	deadline := time.Now().Add(10 * time.Second)
	for alive(pid) {
		if time.Now().After(deadline) {
			t.Fatalf("postmaster %d still running 10s after its test process was killed", pid)
		}
		time.Sleep(20 * time.Millisecond)
	}
	// The folder is left over until a sweep; another test process starting
	// a cluster meanwhile (go test runs packages in parallel) may sweep it
	// first, which is the outcome wanted here too.
	if _, err := os.Stat(dir); err != nil && !os.IsNotExist(err) {
		t.Fatalf("leftover folder: %v", err)
	}
	sweepStale(filepath.Dir(dir), pg.binDir, pg.cred)
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("after sweep, %s: %v (want not exist)", dir, err)
	}
	if _, err := os.Stat(pg.dir); err != nil {
		t.Errorf("sweep touched the live cluster: %v", err)
	}
}

type fakeTB struct {
	testing.TB
	skipped, fatal string
}

func (f *fakeTB) Helper()           {}
func (f *fakeTB) Skip(args ...any)  { f.skipped = fmt.Sprint(args...) }
func (f *fakeTB) Fatal(args ...any) { f.fatal = fmt.Sprint(args...) }

func TestNilClusterSkipsOrFails(t *testing.T) {
	old := reason.Load()
	r := "PostgreSQL unavailable: no initdb"
	reason.Store(&r)
	t.Cleanup(func() { reason.Store(old) })

	var none *Cluster
	for _, ci := range []string{"", "false", "true"} {
		t.Setenv("CI", ci)
		f := &fakeTB{TB: t}
		if dsn := none.NewDatabase(f); dsn != "" {
			t.Errorf("CI=%q: DSN %q", ci, dsn)
		}
		got, other := f.skipped, f.fatal
		if ci == "true" {
			got, other = f.fatal, f.skipped
		}
		if got != "postgres: "+r || other != "" {
			t.Errorf("CI=%q: skip %q, fatal %q", ci, f.skipped, f.fatal)
		}
	}
	if none.DSN("x") != "" || none.Stop() != nil {
		t.Error("nil cluster: DSN or Stop")
	}
}

// TestInitCache: the cluster Main started left a copy of its initdb in the
// cache, and a cluster made from it starts and serves.
func TestInitCache(t *testing.T) {
	t.Parallel()
	requireCluster(t)
	cached := initCacheDir(pg.binDir)
	if cached == "" {
		t.Skip("no user cache folder")
	}
	if _, err := os.Stat(filepath.Join(cached, "PG_VERSION")); err != nil {
		t.Fatalf("no cached initdb: %v", err)
	}
	dir := t.TempDir()
	if !fromInitCache(pg.binDir, filepath.Join(dir, "data"), nil) {
		t.Fatal("could not copy the cached initdb")
	}
	for _, f := range []string{"PG_VERSION", "postgresql.conf", "global/pg_control"} {
		a, err1 := os.ReadFile(filepath.Join(cached, f))
		b, err2 := os.ReadFile(filepath.Join(dir, "data", f))
		if err1 != nil || err2 != nil || string(a) != string(b) {
			t.Errorf("%s differs in the copy (%v, %v)", f, err1, err2)
		}
	}
}

package main_test

import (
	"bytes"
	"database/sql"
	"fmt"
	"io"
	"math/bits"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	domain "github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/envelope"
	"github.com/amparo-project/amparo/internal/storetest"
	"github.com/amparo-project/amparo/internal/testenv"
)

// Crash drills: the operator's worst moment, a process killed (kill -9, a
// power cut to the process) in the middle of its work, again and again,
// restarting each time. After every kill the database passes SQLite's
// integrity check and its foreign keys hold, amparo audit verify passes,
// and the operation killed is whole or absent: an import's rows all there
// or none, a printed file complete or absent, a letter issued with its
// audit event, credential, status-list entry and phone link, or still a
// draft. The moments are random, from a seed the test logs
// (AMPARO_DRILL_SEED repeats a run). Under CI=true each drill kills 20
// times and imports 20,000 rows; elsewhere it is a sample, as the other
// exhaustive sweeps are: AMPARO_DRILL_KILLS kills (1 if unset) of an
// import of 2,000 rows.

// drillKills is how many kills each drill makes.
func drillKills(t *testing.T) int {
	if testenv.CI() {
		return 20
	}
	if n, err := strconv.Atoi(os.Getenv("AMPARO_DRILL_KILLS")); err == nil && n > 0 {
		return n
	}
	t.Log("1 kill, a sample (CI=true makes 20; AMPARO_DRILL_KILLS=N makes N)")
	return 1
}

// drillRows is how many rows the SQLite import drill imports: 20,000
// under CI=true, 2,000 in the sample made elsewhere.
func drillRows() int {
	if testenv.CI() {
		return 20_000
	}
	return 2_000
}

// drillRand returns the drill's source of kill moments, seeded from
// AMPARO_DRILL_SEED or the clock, and logs the seed.
func drillRand(t *testing.T) *rand.Rand {
	seed := uint64(time.Now().UnixNano())
	if s, err := strconv.ParseUint(os.Getenv("AMPARO_DRILL_SEED"), 10, 64); err == nil {
		seed = s
	}
	t.Logf("kill moments from seed %d (AMPARO_DRILL_SEED=%d repeats them)", seed, seed)
	return rand.New(rand.NewPCG(seed, 13))
}

// between returns a random duration in [lo, hi).
func between(r *rand.Rand, lo, hi time.Duration) time.Duration {
	if hi <= lo {
		return lo
	}
	return lo + time.Duration(r.Int64N(int64(hi-lo)))
}

// killAfter starts cmd and kills it (SIGKILL) after d, unless it ends
// first. It returns whether it was killed, how long it ran, and its exit
// code when it ended by itself.
func killAfter(t *testing.T, cmd *exec.Cmd, d time.Duration) (killed bool, ran time.Duration, code int) {
	t.Helper()
	start := time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case <-done:
		return false, time.Since(start), cmd.ProcessState.ExitCode()
	case <-time.After(d):
		cmd.Process.Kill()
		<-done
		// It may have ended in the same instant: then it was not killed.
		if ws, ok := cmd.ProcessState.Sys().(interface{ Signaled() bool }); ok && !ws.Signaled() {
			return false, time.Since(start), cmd.ProcessState.ExitCode()
		}
		return true, time.Since(start), -1
	}
}

// command is the amparo command with args, in a clean environment.
func command(t *testing.T, args ...string) *exec.Cmd {
	cmd := exec.Command(binary, args...)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir()}
	return cmd
}

// openSQLite opens the data folder's database from the test, as another
// process would (its WAL recovered if a writer was killed).
func openSQLite(t *testing.T, data string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(data, "amparo.db")+"?_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)")
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(1)
	t.Cleanup(func() { db.Close() })
	return db
}

// checkStore checks the data folder after a crash: amparo audit verify
// passes (run first, so it meets the database as the crash left it),
// then the file passes PRAGMA integrity_check and foreign_key_check.
func checkStore(t *testing.T, data, when string) {
	t.Helper()
	out, errOut, code := amparo(t, nil, "audit", "verify", "--data", data)
	if code != 0 || !strings.Contains(out, "The audit trail is intact") {
		t.Fatalf("%s: audit verify: exit %d\n%s%s", when, code, out, errOut)
	}
	db := openSQLite(t, data)
	defer db.Close()
	var res []string
	rows, err := db.Query("PRAGMA integrity_check")
	if err != nil {
		t.Fatalf("%s: integrity_check: %v", when, err)
	}
	for rows.Next() {
		var s string
		rows.Scan(&s)
		res = append(res, s)
	}
	rows.Close()
	if len(res) != 1 || res[0] != "ok" {
		t.Fatalf("%s: integrity_check: %q", when, res)
	}
	rows, err = db.Query("PRAGMA foreign_key_check")
	if err != nil {
		t.Fatalf("%s: foreign_key_check: %v", when, err)
	}
	defer rows.Close()
	if rows.Next() {
		var table string
		var rowid sql.NullInt64
		var parent string
		var fk int
		rows.Scan(&table, &rowid, &parent, &fk)
		t.Fatalf("%s: foreign_key_check: a row of %s (rowid %v) refers to a missing %s", when, table, rowid, parent)
	}
}

// enoughTime fails the test, saying why, when less than need is left
// before go test's -timeout: a clear line instead of a panic mid-kill.
func enoughTime(t *testing.T, need time.Duration, done, kills int) {
	t.Helper()
	if deadline, ok := t.Deadline(); ok && time.Until(deadline) < need {
		t.Fatalf("%d of %d kills made, and %v left before -timeout: a run takes about %v on this machine now; give go test a longer -timeout",
			done, kills, time.Until(deadline).Round(time.Second), (need / 3).Round(time.Second))
	}
}

// count runs a COUNT(*) query.
func count(t *testing.T, db *sql.DB, q string, args ...any) int {
	t.Helper()
	var n int
	if err := db.QueryRow(q, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

// intakesCSV writes a CSV of n fictional intakes, their names made
// unique by batch, so that each batch is n new applicants.
func intakesCSV(t *testing.T, dir string, batch, n int) string {
	t.Helper()
	var b bytes.Buffer
	b.WriteString("legal_name,date_of_birth,preferred_language,immigration_situation,facing_removal\n")
	for i := range n {
		fmt.Fprintf(&b, "Prueba%dx%d Ejemplo Ficticia,19%02d-%02d-%02d,%s,daca,%s\n", batch, i, 50+i%50, 1+i%12, 1+i%28,
			[]string{"es", "en"}[i%2], []string{"no", "yes"}[i%3/2])
	}
	p := filepath.Join(dir, fmt.Sprintf("intakes-%d.csv", batch))
	if err := os.WriteFile(p, b.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// drillStore is the database a drill runs against: a data folder's
// SQLite file, or a PostgreSQL database named by AMPARO_DB.
type drillStore struct {
	env  []string // for every command: the database and master key
	args []string // after every command's own: --data DIR on SQLite
	db   *sql.DB  // the test's own connection
	pg   bool
	// snapshot keeps the store as it is, for reset to bring back: a drill
	// undoes each import that ends whole, so the database does not grow
	// run after run, nor the time its checks take. Nil where it cannot.
	snapshot, reset func(t *testing.T)
}

// command is amparo with args, run against the store.
func (s *drillStore) command(t *testing.T, args ...string) *exec.Cmd {
	cmd := command(t, append(args, s.args...)...)
	cmd.Env = append(cmd.Env, s.env...)
	return cmd
}

// count runs a COUNT(*) query written with ? placeholders.
func (s *drillStore) count(t *testing.T, q string, args ...any) int {
	t.Helper()
	if s.pg {
		for i := 1; strings.Contains(q, "?"); i++ {
			q = strings.Replace(q, "?", fmt.Sprintf("$%d", i), 1)
		}
	}
	return count(t, s.db, q, args...)
}

// check checks the store after a crash: amparo audit verify passes, then
// SQLite's integrity and foreign-key checks, or on PostgreSQL amcheck's
// check of every B-tree index of the schema against its table.
func (s *drillStore) check(t *testing.T, when string) {
	t.Helper()
	if !s.pg {
		checkStore(t, strings.TrimPrefix(s.args[0], "--data="), when)
		return
	}
	cmd := s.command(t, "audit", "verify")
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "The audit trail is intact") {
		t.Fatalf("%s: audit verify: %v\n%s", when, err, out)
	}
	rows, err := s.db.Query(`SELECT c.relname, bt_index_check(c.oid, true) FROM pg_index i
		JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am a ON a.oid = c.relam
		WHERE a.amname = 'btree' AND c.relnamespace = 'public'::regnamespace`)
	if err != nil {
		t.Fatalf("%s: amcheck: %v", when, err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		n++
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("%s: amcheck: %v", when, err)
	}
	if n == 0 {
		t.Fatalf("%s: amcheck checked no index", when)
	}
}

// TestDrill_KillImport kills amparo import intakes of 20,000 rows under
// CI=true (2,000 on PostgreSQL, and in the sample made elsewhere) at random moments and restarts it each time:
// the organization has all the file's new applicants, each with its name
// indexed and one import audited, or none of them.
func TestDrill_KillImport(t *testing.T) {
	t.Parallel()
	t.Run("sqlite", func(t *testing.T) {
		t.Parallel()
		data := demoData(t)
		org := decode[[]letterJSON](t, ok(t, "letter", "list", "--json", "--data", data))[0].OrganizationID
		st := &drillStore{args: []string{"--data=" + data}, db: openSQLite(t, data)}
		db, kept := filepath.Join(data, "amparo.db"), filepath.Join(t.TempDir(), "amparo.db")
		// Before the first run, with the file checkpointed by the test's
		// connection closing, the file alone is the database.
		st.snapshot = func(t *testing.T) {
			st.db.Close()
			if _, err := os.Stat(db + "-wal"); err == nil {
				t.Fatal("a WAL is left with no process running")
			}
			b, err := os.ReadFile(db)
			if err == nil {
				err = os.WriteFile(kept, b, 0o600)
			}
			if err != nil {
				t.Fatal(err)
			}
			st.db = openSQLite(t, data)
		}
		st.reset = func(t *testing.T) {
			st.db.Close()
			b, err := os.ReadFile(kept)
			if err != nil {
				t.Fatal(err)
			}
			os.Remove(db + "-wal")
			os.Remove(db + "-shm")
			if err := os.WriteFile(db, b, 0o600); err != nil {
				t.Fatal(err)
			}
			st.db = openSQLite(t, data)
		}
		importDrill(t, st, org, drillRows())
	})
	t.Run("postgres", func(t *testing.T) {
		t.Parallel()
		cl := sharedCluster(t)
		if cl == nil {
			return
		}
		dsn, err := cl.CreateDatabase(t.Context(), "drill")
		if err != nil {
			t.Fatal(err)
		}
		master := envelope.GenerateMasterKey()
		org := storetest.MustCreateOrganization(t, storetest.MustOpenDSN(t, dsn, master), "Centro Legal Ejemplo").ID
		db, err := sql.Open("pgx", dsn)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		if _, err := db.Exec("CREATE EXTENSION IF NOT EXISTS amcheck"); err != nil {
			testenv.Missing(t, "postgres: no amcheck extension (Debian package postgresql-contrib): "+err.Error())
			return
		}
		// PostgreSQL imports row by row, a round trip each: 20,000 rows take
		// minutes here, so its drill imports 2,000.
		importDrill(t, &drillStore{env: []string{"AMPARO_DB=" + dsn, "AMPARO_MASTER_KEY=" + envelope.EncodeKey(master)}, db: db, pg: true}, org, 2_000)
	})
}

func importDrill(t *testing.T, st *drillStore, org string, rows int) {
	kills, r := drillKills(t), drillRand(t)
	applicants := func() int {
		return st.count(t, "SELECT COUNT(*) FROM applicants WHERE organization_id = ?", org)
	}
	imports := func() int {
		return st.count(t, "SELECT COUNT(*) FROM audit_events WHERE action = ?", string(domain.AuditApplicantImport))
	}
	// An applicant stored without its name in the search and conflict
	// indexes would be half of one.
	unindexed := func() int {
		return st.count(t, `SELECT COUNT(*) FROM applicants a WHERE organization_id = ? AND
			(NOT EXISTS (SELECT 1 FROM applicant_name_tokens n WHERE n.applicant_id = a.id)
			 OR NOT EXISTS (SELECT 1 FROM conflict_names c WHERE c.record_type = 'applicant' AND c.record_id = a.id))`, org)
	}
	dir := t.TempDir()
	run := func(batch int) *exec.Cmd {
		return st.command(t, "import", "intakes", intakesCSV(t, dir, batch, rows), "--org", org)
	}

	// One import whole, to time it: kills fall anywhere in that time (the
	// last whole run's, as the machine's load changes).
	base, events := applicants(), imports()
	if st.snapshot != nil {
		st.snapshot(t)
	}
	killed, took, code := killAfter(t, run(0), 10*time.Minute)
	if killed || code != 0 {
		t.Fatalf("the uncut import: killed %v, exit %d", killed, code)
	}
	if n := applicants(); n != base+rows {
		t.Fatalf("the uncut import stored %d applicants, want %d", n-base, rows)
	}
	if st.reset != nil {
		st.reset(t)
	} else {
		base, events = base+rows, events+1
	}
	t.Logf("an import of %d rows took %v whole", rows, took.Round(time.Millisecond))

	batch, done, whole := 1, 0, 0
	for tries := 0; done < kills; tries++ {
		if tries > 3*kills {
			t.Fatalf("%d of %d tries ended in a kill", done, tries)
		}
		enoughTime(t, 3*took, done, kills)
		d := between(r, 0, took)
		killed, ran, code := killAfter(t, run(batch), d)
		when := fmt.Sprintf("import %d killed at %v", batch, d.Round(time.Millisecond))
		if !killed {
			if code != 0 {
				t.Fatalf("import %d ended by itself with exit %d", batch, code)
			}
			when = fmt.Sprintf("import %d, whole in %v", batch, ran.Round(time.Millisecond))
			took = ran // the machine's pace now: later kills fall within it
		} else {
			done++
		}
		checked := time.Now()
		st.check(t, when)
		t.Logf("%s; checked in %v", when, time.Since(checked).Round(time.Millisecond))
		switch n := applicants(); n {
		case base:
			if imports() != events {
				t.Fatalf("%s: no applicant stored, but %d imports audited, want %d", when, imports(), events)
			}
			if !killed {
				t.Fatalf("%s: exit 0 but nothing stored", when)
			}
		case base + rows:
			whole++
			if imports() != events+1 {
				t.Fatalf("%s: stored whole, but %d imports audited, want %d", when, imports(), events+1)
			}
			if st.reset != nil {
				st.reset(t) // the same file is new again
			} else {
				base, events, batch = n, events+1, batch+1
			}
		default:
			t.Fatalf("%s: %d of %d rows stored: half an import", when, n-base, rows)
		}
		if n := unindexed(); n != 0 {
			t.Fatalf("%s: %d applicants without their names indexed", when, n)
		}
	}
	// The last file killed, imported again to the end.
	out, err := st.command(t, "import", "intakes", filepath.Join(dir, fmt.Sprintf("intakes-%d.csv", batch)), "--org", org).CombinedOutput()
	if err != nil || !strings.Contains(string(out), fmt.Sprintf("Imported %d new", rows)) {
		t.Fatalf("the restarted import: %v %s", err, out)
	}
	if n := applicants(); n != base+rows {
		t.Fatalf("after the last restart: %d new applicants, want %d", n-base, rows)
	}
	st.check(t, "the last restart")
	t.Logf("import drill: %d kills, %d imports whole before their kill came, every store checked", done, whole)
}

// pdfWhole reports why b is not a whole PDF, or "".
func pdfWhole(b []byte) string {
	if !bytes.HasPrefix(b, []byte("%PDF-")) {
		return "no %PDF- header"
	}
	tail := bytes.TrimRight(b, "\r\n \t")
	if !bytes.HasSuffix(tail, []byte("%%EOF")) {
		return "no %%EOF at its end"
	}
	m := regexp.MustCompile(`startxref\s+(\d+)\s+%%EOF$`).FindSubmatch(tail)
	if m == nil {
		return "no startxref before %%EOF"
	}
	at, _ := strconv.Atoi(string(m[1]))
	if at >= len(b) || !bytes.HasPrefix(b[at:], []byte("xref")) {
		return "startxref does not point at its xref table"
	}
	return ""
}

// checkPrinted checks a print run's folder: every file at its own name is
// whole; only temporary files (.NAME.*.tmp) may be left beside them.
// It returns how many whole files and temporary files it found.
func checkPrinted(t *testing.T, dir, when string) (whole, temps int) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if os.IsNotExist(err) {
		return 0, 0
	} else if err != nil {
		t.Fatal(err)
	}
	temp := regexp.MustCompile(`^\.[^/]+\.\d+\.tmp$`)
	for _, e := range entries {
		name := e.Name()
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		switch {
		case temp.MatchString(name):
			temps++
		case strings.HasSuffix(name, ".pdf"):
			if why := pdfWhole(b); why != "" {
				t.Fatalf("%s: %s is half a PDF (%d bytes): %s", when, name, len(b), why)
			}
			whole++
		case name == "manifest.csv":
			lines := strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
			if !strings.HasSuffix(string(b), "\n") || len(lines) < 2 {
				t.Fatalf("%s: manifest.csv is not whole: %q", when, b)
			}
			for _, l := range lines[1:] {
				if strings.Count(l, ",") != strings.Count(lines[0], ",") {
					t.Fatalf("%s: manifest.csv has a cut line %q", when, l)
				}
			}
			whole++
		default:
			t.Fatalf("%s: an unexpected file %s", when, name)
		}
		if fi, _ := e.Info(); fi.Mode().Perm()&0o077 != 0 {
			t.Fatalf("%s: %s is mode %v: others may read it", when, name, fi.Mode().Perm())
		}
	}
	return whole, temps
}

// TestDrill_KillPrintRun kills amparo letter print at random moments and
// runs it again into a new folder each time: every file at its own name
// is a whole PDF (or a whole manifest), and the last run prints them all.
func TestDrill_KillPrintRun(t *testing.T) {
	t.Parallel()
	kills, r := drillKills(t), drillRand(t)
	data := demoData(t)
	seed500(t, data) // a run long enough to be cut anywhere
	dirs := t.TempDir()
	run := func(i int) (*exec.Cmd, string) {
		out := filepath.Join(dirs, fmt.Sprintf("run-%02d", i))
		return command(t, "letter", "print", "--data", data, "--out", out), out
	}
	cmd, out := run(0)
	killed, took, code := killAfter(t, cmd, 10*time.Minute)
	if killed || code != 0 {
		t.Fatalf("the uncut print run: exit %d", code)
	}
	all, _ := checkPrinted(t, out, "the uncut print run")
	t.Logf("a print run of %d files took %v whole", all, took.Round(time.Millisecond))

	done, temps := 0, 0
	for i := 1; done < kills; i++ {
		if i > 3*kills {
			t.Fatalf("%d of %d runs ended in a kill", done, i)
		}
		cmd, out := run(i)
		d := between(r, 0, took)
		killed, ran, code := killAfter(t, cmd, d)
		when := fmt.Sprintf("print run %d killed at %v", i, d.Round(time.Millisecond))
		if killed {
			done++
		} else if code != 0 {
			t.Fatalf("print run %d ended by itself with exit %d", i, code)
		} else {
			took = ran // the machine's pace now
			when = fmt.Sprintf("print run %d, whole in %v", i, ran.Round(time.Millisecond))
		}
		n, tmp := checkPrinted(t, out, when)
		temps += tmp
		if !killed && n != all {
			t.Fatalf("print run %d, whole: %d files, want %d", i, n, all)
		}
		checkStore(t, data, when)
	}
	cmd, out = run(99)
	if killed, _, code := killAfter(t, cmd, 10*time.Minute); killed || code != 0 {
		t.Fatalf("the restarted print run: exit %d", code)
	}
	if n, _ := checkPrinted(t, out, "the restarted print run"); n != all {
		t.Fatalf("the restarted print run wrote %d files, want %d", n, all)
	}
	t.Logf("print drill: %d kills; %d temporary files left by killed runs, no file half-written at its name", done, temps)
}

// server is amparo serve on one data folder, restarted on the same port.
type server struct {
	t    *testing.T
	data string
	addr string
	cmd  *exec.Cmd
}

func freePort(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// start starts serve and waits until it answers /healthz.
func (s *server) start() {
	s.t.Helper()
	s.cmd = command(s.t, "serve", "--data", s.data, "--addr", s.addr)
	var log bytes.Buffer
	s.cmd.Stdout, s.cmd.Stderr = io.Discard, &log
	if err := s.cmd.Start(); err != nil {
		s.t.Fatal(err)
	}
	if !waitHealthy("http://" + s.addr + "/healthz") {
		s.kill()
		s.t.Fatalf("serve never answered:\n%s", log.String())
	}
}

func (s *server) kill() {
	if s.cmd != nil {
		s.cmd.Process.Kill()
		s.cmd.Wait()
		s.cmd = nil
	}
}

// issuer creates clients, their letters and issues them through serve,
// as an attorney signed in, recording what serve acknowledged.
type issuer struct {
	base string
	c    *http.Client
	n    int
	mu   sync.Mutex
	// letters are the drafts made, acknowledged or not; issued, the ones
	// whose issue serve acknowledged.
	letters []string
	issued  map[string]bool
}

// post sends a form and returns the status and where it sends the
// browser; an error is a dead server.
func (is *issuer) post(path string, v url.Values) (int, string, error) {
	res, err := is.c.PostForm(is.base+path, v)
	if err != nil {
		return 0, "", err
	}
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	return res.StatusCode, res.Header.Get("Location"), nil
}

// one makes a client, a draft for member and issues it; it returns an
// error when the server is gone, and fails the test on any other answer.
func (is *issuer) one(member string) error {
	is.n++
	client, letter := domain.NewID(), domain.NewID()
	code, loc, err := is.post("/clients", url.Values{"id": {client}, "legal_name": {fmt.Sprintf("Cliente%d Ejemplo Ficticia", is.n)},
		"birth_date": {fmt.Sprintf("19%02d-%02d-%02d", 60+is.n%40, 1+is.n%12, 1+is.n%28)}, "language": {"es"}, "situation": {"daca"},
		"consent": {"on"}, "conflicts_reviewed": {"on"}})
	if err != nil {
		return err
	}
	if code != http.StatusSeeOther || loc != "/clients/"+client {
		return fmt.Errorf("stop: create client: %d to %q", code, loc)
	}
	is.mu.Lock()
	is.letters = append(is.letters, letter)
	is.mu.Unlock()
	if code, loc, err = is.post("/letters", url.Values{"id": {letter}, "client": {client}, "member": {member}}); err != nil {
		return err
	} else if code != http.StatusSeeOther || loc != "/letters/"+letter {
		return fmt.Errorf("stop: create letter: %d to %q", code, loc)
	}
	if code, loc, err = is.post("/letters/"+letter+"/issue", nil); err != nil {
		return err
	} else if code != http.StatusSeeOther || loc != "/letters/"+letter {
		return fmt.Errorf("stop: issue: %d to %q", code, loc)
	}
	is.mu.Lock()
	is.issued[letter] = true
	is.mu.Unlock()
	return nil
}

// checkLetters checks every letter the drill drafted: a draft with no
// credential, no status-list entry, no phone link for its client and no issue
// audited, or an active letter with all four; each issue serve acknowledged is
// there; and each status list's count of used entries is its bits set.
func checkLetters(t *testing.T, db *sql.DB, is *issuer, when string) (active int) {
	t.Helper()
	lists := map[[2]string][]byte{}
	used := map[[2]string]int{}
	rows, err := db.Query("SELECT organization_id, list_id, assigned, used FROM status_lists")
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var org, id string
		var assigned []byte
		var n int
		rows.Scan(&org, &id, &assigned, &n)
		lists[[2]string{org, id}], used[[2]string{org, id}] = assigned, n
		set := 0
		for _, b := range assigned {
			set += bits.OnesCount8(b)
		}
		if set != n {
			t.Fatalf("%s: status list %s of %s: %d entries assigned, %d counted used", when, id, org, set, n)
		}
	}
	rows.Close()
	for _, id := range is.letters {
		var status, cred, org string
		var listID sql.NullString
		var index int
		var issuedAt sql.NullString
		err := db.QueryRow("SELECT status, credential_id, organization_id, CAST(status_list_id AS TEXT), status_index, issued_at FROM letters WHERE id = ?", id).
			Scan(&status, &cred, &org, &listID, &index, &issuedAt)
		if err == sql.ErrNoRows {
			if is.issued[id] {
				t.Fatalf("%s: letter %s, whose issue was acknowledged, is gone", when, id)
			}
			continue // killed before the draft was stored
		} else if err != nil {
			t.Fatal(err)
		}
		audited := count(t, db, "SELECT COUNT(*) FROM audit_events WHERE action = ? AND record_id = ?", string(domain.AuditLetterIssue), id)
		links := count(t, db, "SELECT COUNT(*) FROM phone_links p JOIN letters l ON l.client_id = p.client_id WHERE l.id = ? AND p.revoked_at IS NULL", id)
		switch status {
		case string(domain.LetterDraft):
			if is.issued[id] {
				t.Fatalf("%s: letter %s was acknowledged issued but is a draft", when, id)
			}
			if cred != "" || issuedAt.Valid || audited != 0 || links != 0 {
				t.Fatalf("%s: draft %s is half issued: credential %q, issued at %v, %d issue events, %d phone links", when, id, cred, issuedAt.String, audited, links)
			}
		case string(domain.LetterActive):
			active++
			if cred == "" || !issuedAt.Valid || audited != 1 || links != 1 || !listID.Valid {
				t.Fatalf("%s: letter %s is active but half issued: credential %q, issued at %v, %d issue events, %d phone links, list %v", when, id, cred, issuedAt.String, audited, links, listID.String)
			}
			assigned := lists[[2]string{org, listID.String}]
			if index/8 >= len(assigned) || assigned[index/8]&(0x80>>(index%8)) == 0 {
				t.Fatalf("%s: letter %s is active but its status-list entry %s/%d is not assigned", when, id, listID.String, index)
			}
		default:
			t.Fatalf("%s: letter %s is %s", when, id, status)
		}
	}
	return active
}

// TestDrill_KillIssuing kills amparo serve at random moments while an
// attorney signed in makes clients, drafts their letters and issues them,
// one after another, and restarts it on the same folder each time.
func TestDrill_KillIssuing(t *testing.T) {
	t.Parallel()
	kills, r := drillKills(t), drillRand(t)
	data, signer := demoAttorney(t)
	password := regexp.MustCompile(`with the password "([^"]+)"`).FindStringSubmatch(demoSeeded.out)
	if password == nil {
		t.Fatal("the demo printed no password")
	}
	// Room for every letter the drill issues: the demo's capacity is 500.
	db := openSQLite(t, data)
	if _, err := db.Exec("UPDATE program SET letter_capacity = 1000000"); err != nil {
		t.Fatal(err)
	}
	db.Close()
	s := &server{t: t, data: data, addr: freePort(t)}
	s.start()
	t.Cleanup(s.kill)
	jar, _ := cookiejar.New(nil)
	is := &issuer{base: "http://" + s.addr, issued: map[string]bool{},
		c: &http.Client{Jar: jar, Timeout: 30 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	if code, loc, err := is.post("/signin", url.Values{"email": {signer.email}, "password": {password[1]}}); err != nil || code != http.StatusSeeOther {
		t.Fatalf("sign in: %d %q %v", code, loc, err)
	}
	if code, loc, err := is.post("/signin/code", url.Values{"code": {signer.codes(t)()}}); err != nil || code != http.StatusSeeOther {
		t.Fatalf("second step: %d %q %v", code, loc, err)
	}
	// One whole round, to time it.
	start := time.Now()
	if err := is.one(signer.member); err != nil {
		t.Fatal(err)
	}
	round := time.Since(start)
	t.Logf("one client, draft and issue took %v", round.Round(time.Millisecond))

	for k := 1; k <= kills; k++ {
		stop := make(chan error, 1)
		go func() {
			for {
				if err := is.one(signer.member); err != nil {
					stop <- err
					return
				}
			}
		}()
		d := between(r, time.Millisecond, 20*round)
		time.Sleep(d)
		s.kill()
		if err := <-stop; strings.HasPrefix(err.Error(), "stop:") {
			t.Fatalf("before kill %d: %v", k, err)
		}
		when := fmt.Sprintf("serve killed at %v of issuing (kill %d)", d.Round(time.Millisecond), k)
		checkStore(t, data, when)
		db := openSQLite(t, data)
		checkLetters(t, db, is, when)
		db.Close()
		s.start()
	}
	// After the last restart the same session issues again.
	if err := is.one(signer.member); err != nil {
		t.Fatalf("after the last restart: %v", err)
	}
	s.kill()
	checkStore(t, data, "the end")
	db = openSQLite(t, data)
	active := checkLetters(t, db, is, "the end")
	t.Logf("issue drill: %d kills; %d drafts made, %d issued (%d acknowledged), none half", kills, len(is.letters), active, len(is.issued))
}

package main_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
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
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	domain "github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/envelope"
	"github.com/amparo-project/amparo/internal/storetest"
	"github.com/amparo-project/amparo/internal/testenv"
)

// TestBackupRestore drills a backup and restore on each database: a backup
// made while the server serves and writes, never readable by others while
// written; a restore into a fresh folder or database where every client
// opens with the master key and the audit chain verifies; and a client
// erased after the backup was made is erased again by the restore, which
// says so.
func TestBackupRestore(t *testing.T) {
	t.Parallel()
	t.Run("sqlite", func(t *testing.T) {
		t.Parallel()
		testBackupRestoreSQLite(t)
	})
	t.Run("postgres", func(t *testing.T) {
		t.Parallel()
		testBackupRestorePostgres(t)
	})
}

func testBackupRestoreSQLite(t *testing.T) {
	data := t.TempDir()
	demo := startDemo(t, data)
	base, client, printed := demo.base, demo.client, demo.printed
	seeded := regexp.MustCompile(`(\d+) clients;`).FindStringSubmatch(printed)
	if seeded == nil {
		t.Fatalf("the demo does not say how many clients it seeded:\n%s", printed)
	}
	total, _ := strconv.Atoi(seeded[1])

	page := func(path string) string {
		t.Helper()
		res, err := client.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: %s", path, res.Status)
		}
		return string(b)
	}
	var ids []string
	for _, m := range regexp.MustCompile(`href="/clients/([0-9a-f]{32})"`).FindAllStringSubmatch(page("/clients"), -1) {
		ids = append(ids, m[1])
	}
	if len(ids) < 10 {
		t.Fatalf("the demo lists %d clients", len(ids))
	}

	// Writes while the backup runs: every client page read is an audit
	// event the server appends.
	stop := keepWriting(t, 5, func(i int) bool {
		res, err := client.Get(base + "/clients/" + ids[i%len(ids)])
		if err != nil {
			return false
		}
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
		return res.StatusCode == http.StatusOK
	})
	outDir := t.TempDir()
	backup := filepath.Join(outDir, "amparo-backup.db")
	exposed := watchModes(t, outDir)
	_, stderr, code := amparo(t, nil, "backup", "--data", data, "--out", backup)
	before := stop()
	if code != 0 {
		t.Fatalf("backup: %s", stderr)
	}
	if got := exposed(); got != "" {
		t.Errorf("readable by others while the backup was written: %s", got)
	}

	// Erased after the backup, through the web as an organization admin.
	erased := ids[3]
	eraseClient(t, client, base, erased)
	if res, err := client.Get(base + "/clients/" + erased); err != nil || res.StatusCode != http.StatusNotFound {
		t.Fatalf("the erased client still answers: %v %v", res.Status, err)
	}
	log, err := os.ReadFile(filepath.Join(data, "erasures.log"))
	if err != nil || !strings.Contains(string(log), erased) {
		t.Fatalf("the erasure log in the data folder: %q, %v", log, err)
	}

	// The restore: a fresh folder, the master key copied in first (it
	// never travels with the backup), the erasure log given.
	fresh := filepath.Join(t.TempDir(), "restored")
	os.MkdirAll(fresh, 0o700)
	key, _ := os.ReadFile(filepath.Join(data, "master.key"))
	os.WriteFile(filepath.Join(fresh, "master.key"), key, 0o600)
	out, stderr, code := amparo(t, nil, "restore", "--from", backup, "--data", fresh, "--erasures", filepath.Join(data, "erasures.log"))
	if code != 0 {
		t.Fatalf("restore: %d %s", code, stderr)
	}
	m := regexp.MustCompile(`(\d+) clients open with the master key`).FindStringSubmatch(out)
	if m == nil || m[1] != strconv.Itoa(total-1) {
		t.Errorf("restore reports %v clients opened, want %d (the demo's, less the one erased):\n%s", m, total-1, out)
	}
	if !strings.Contains(out, "Re-applied 1 erasures") || !strings.Contains(out, erased) {
		t.Errorf("restore does not report the erasure it re-applied:\n%s", out)
	}
	if out, stderr, code := amparo(t, nil, "audit", "verify", "--data", fresh); code != 0 || !strings.Contains(out, "intact") {
		t.Errorf("audit verify after restore: %d %s %s", code, out, stderr)
	}
	k, _ := envelope.DecodeKey(strings.TrimSpace(string(key)))
	db := storetest.MustOpenDSN(t, "sqlite:"+filepath.Join(fresh, "amparo.db"), k)
	if _, err := db.FindClientByID(storetest.System, erased); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Errorf("the client erased after the backup is back: %v", err)
	}
	if _, err := db.FindClientByID(storetest.System, ids[4]); err != nil {
		t.Errorf("a kept client: %v", err)
	}
	// The new data folder's own erasure log now lists the erasure.
	if b, err := os.ReadFile(filepath.Join(fresh, "erasures.log")); err != nil || !strings.Contains(string(b), erased) {
		t.Errorf("the restored folder's erasure log: %q, %v", b, err)
	}
	t.Logf("%d page reads (audited writes) while serving; the backup ran during them", before)
}

func testBackupRestorePostgres(t *testing.T) {
	cl := sharedCluster(t)
	if cl == nil {
		return
	}
	src, err := cl.CreateDatabase(t.Context(), "live")
	if err != nil {
		t.Fatal(err)
	}
	dst, err := cl.CreateDatabase(t.Context(), "restored")
	if err != nil {
		t.Fatal(err)
	}
	key := envelope.GenerateMasterKey()
	log := filepath.Join(t.TempDir(), "shared", "erasures.log")
	env := []string{"AMPARO_DB=" + src, "AMPARO_MASTER_KEY=" + envelope.EncodeKey(key), "AMPARO_ERASURE_LOG=" + log}
	if _, stderr, code := amparo(t, env, "migrate"); code != 0 {
		t.Fatalf("migrate: %s", stderr)
	}
	serve := exec.Command(binary, "serve", "--addr", "127.0.0.1:0")
	serve.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir()}, env...)
	startServing(t, serve)

	// Another writer of the same database, as a second process would be:
	// clients are created before and while the backup runs.
	db := storetest.MustOpenDSN(t, src, key)
	db.SetErasureLog(log) // what serve does with AMPARO_ERASURE_LOG
	org := storetest.MustCreateOrganization(t, db, "Centro Legal Ejemplo")
	ctx := domain.NewContextWithActor(context.Background(), domain.Actor{ID: "intake", Role: domain.RoleIntake, OrganizationID: org.ID})
	var first []string
	for i := range 5 {
		c := storetest.MustCreateClient(t, ctx, db, &domain.Client{Personal: domain.Personal{LegalName: fmt.Sprintf("Persona %d Ejemplo", i), Language: "es"}})
		first = append(first, c.ID)
	}
	stop := keepWriting(t, 3, func(i int) bool {
		c := &domain.Client{Personal: domain.Personal{LegalName: fmt.Sprintf("Durante %d Ejemplo", i), Language: "es"}}
		return db.CreateClient(ctx, c) == nil
	})
	outDir := t.TempDir()
	backup := filepath.Join(outDir, "amparo.dump")
	exposed := watchModes(t, outDir)
	_, stderr, code := amparo(t, env, "backup", "--out", backup)
	during := stop()
	if code != 0 {
		t.Fatalf("backup: %s", stderr)
	}
	if got := exposed(); got != "" {
		t.Errorf("readable by others while the backup was written: %s", got)
	}
	if err := db.DeleteClient(ctx, first[2]); err != nil {
		t.Fatal(err)
	}

	// A restore over the live database is refused, changing nothing.
	head := auditHead(t, env)
	if _, stderr, code := amparo(t, env, "restore", "--from", backup); code == 0 || !strings.Contains(stderr, "not empty") ||
		strings.Count(strings.TrimSpace(stderr), "\n") != 0 {
		t.Errorf("restore over the live database: %d %q", code, stderr)
	}
	if auditHead(t, env) != head {
		t.Error("the refused restore changed the live database")
	}

	renv := []string{"AMPARO_DB=" + dst, "AMPARO_MASTER_KEY=" + envelope.EncodeKey(key), "AMPARO_ERASURE_LOG=" + log}
	out, stderr, code := amparo(t, renv, "restore", "--from", backup)
	if code != 0 {
		t.Fatalf("restore: %d %s", code, stderr)
	}
	m := regexp.MustCompile(`(\d+) clients open with the master key`).FindStringSubmatch(out)
	n := -1
	if m != nil {
		n, _ = strconv.Atoi(m[1])
	}
	// Every client made before the backup began is in it, and the erased
	// one is not; those made while it ran may or may not be.
	if n < len(first)-1+3 || n > len(first)-1+int(during) {
		t.Errorf("restore reports %d clients open (%d made before the backup, %d while it ran, one erased):\n%s", n, len(first), during, out)
	}
	if !strings.Contains(out, "Re-applied 1 erasures") || !strings.Contains(out, first[2]) {
		t.Errorf("restore does not report the erasure it re-applied:\n%s", out)
	}
	if out, stderr, code := amparo(t, []string{"AMPARO_DB=" + dst}, "audit", "verify"); code != 0 || !strings.Contains(out, "intact") {
		t.Errorf("audit verify after restore: %d %s %s", code, out, stderr)
	}
	got := storetest.MustOpenDSN(t, dst, key)
	if _, err := got.FindClientByID(ctx, first[2]); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Errorf("the client erased after the backup is back: %v", err)
	}
	if c, err := got.FindClientByID(ctx, first[0]); err != nil || c.LegalName != "Persona 0 Ejemplo" {
		t.Errorf("a kept client: %+v %v", c, err)
	}
}

// keepWriting calls write over and over (i counts the calls), apart from
// the test, until the stop it returns is called; stop waits for the last
// call and returns how many writes succeeded (the test's end calls it
// too). keepWriting returns once
// atLeast have, and fails the test if that takes a minute.
func keepWriting(t *testing.T, atLeast int64, write func(i int) bool) (stop func() int64) {
	t.Helper()
	var n atomic.Int64
	quit, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		for i := 0; ; i++ {
			select {
			case <-quit:
				return
			default:
			}
			if write(i) {
				n.Add(1)
			}
		}
	}()
	var once sync.Once
	stop = func() int64 { once.Do(func() { close(quit) }); <-done; return n.Load() }
	t.Cleanup(func() { stop() }) // if the test ends first
	for deadline := time.Now().Add(time.Minute); n.Load() < atLeast; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%d writes succeeded in a minute, want %d before the backup begins", stop(), atLeast)
		}
	}
	return stop
}

// auditHead is the audit chain's head, as amparo audit verify prints it.
func auditHead(t *testing.T, env []string) string {
	t.Helper()
	out, stderr, code := amparo(t, env, "audit", "verify")
	if code != 0 {
		t.Fatalf("audit verify: %s", stderr)
	}
	return regexp.MustCompile(`Head: ([0-9a-f]+)`).FindString(out)
}

// watchModes looks at the files in dir until the returned function is
// called, which names any it saw readable or writable by others.
func watchModes(t *testing.T, dir string) func() string {
	stop := make(chan struct{})
	done := make(chan string)
	go func() {
		seen := map[string]bool{}
		for {
			entries, _ := os.ReadDir(dir)
			for _, e := range entries {
				if fi, err := os.Lstat(filepath.Join(dir, e.Name())); err == nil && fi.Mode().Perm()&0o077 != 0 {
					seen[fmt.Sprintf("%s %v", e.Name(), fi.Mode().Perm())] = true
				}
			}
			select {
			case <-stop:
				var names []string
				for n := range seen {
					names = append(names, n)
				}
				done <- strings.Join(names, ", ")
				return
			default:
			}
		}
	}()
	return func() string { close(stop); return <-done }
}

// demoServer is an amparo demo started by startDemo.
type demoServer struct {
	base    string       // its URL, without the final slash
	client  *http.Client // signed in as its organization admin
	printed string       // what it printed until it served
	stop    func()       // SIGTERM, and its exit waited for
}

// startDemo starts amparo demo in data, signs in as its organization
// admin, and stops it when the test ends, if not before.
func startDemo(t *testing.T, data string) demoServer {
	t.Helper()
	cmd := exec.Command(binary, "demo", "--addr", "127.0.0.1:0", "--data", data)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH")}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	stop := func() { cmd.Process.Signal(syscall.SIGTERM); cmd.Wait() }
	t.Cleanup(stop)
	var b strings.Builder
	ready := make(chan struct{})
	go func() {
		s := bufio.NewScanner(stdout)
		for s.Scan() {
			b.WriteString(s.Text() + "\n")
			if strings.Contains(s.Text(), "Press Ctrl+C") {
				close(ready)
				break
			}
		}
		for s.Scan() {
		}
	}()
	select {
	case <-ready:
	case <-time.After(90 * time.Second):
		stop()
		t.Fatalf("the demo did not start:\n%s", b.String())
	}
	out := b.String()
	base := regexp.MustCompile(`http://127\.0\.0\.1:\d+`).FindString(out)
	signin := regexp.MustCompile(`as (\S+) with the password "([^"]+)"`).FindStringSubmatch(out)
	recovery := regexp.MustCompile(`recovery code (\S+?)\.?\n`).FindStringSubmatch(out)
	if base == "" || signin == nil || recovery == nil {
		t.Fatalf("the demo printed no sign-in details:\n%s", out)
	}
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, Timeout: 30 * time.Second}
	for _, step := range []struct {
		path string
		form url.Values
	}{{"/signin", url.Values{"email": {signin[1]}, "password": {signin[2]}}}, {"/signin/code", url.Values{"code": {recovery[1]}}}} {
		res, err := c.PostForm(base+step.path, step.form)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			t.Fatalf("POST %s: %s", step.path, res.Status)
		}
	}
	return demoServer{base: base, client: c, printed: out, stop: stop}
}

// eraseClient erases a client through its confirmation page, as an
// organization admin does.
func eraseClient(t *testing.T, c *http.Client, base, id string) {
	t.Helper()
	res, err := c.Get(base + "/clients/" + id + "/delete")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	seen := regexp.MustCompile(`name="seen" value="([^"]*)"`).FindStringSubmatch(string(b))
	if res.StatusCode != http.StatusOK || seen == nil {
		t.Fatalf("GET the delete page: %s", res.Status)
	}
	for _, word := range []string{"DELETE", "BORRAR"} { // the page's language
		res, err := c.PostForm(base+"/clients/"+id+"/delete", url.Values{"seen": {seen[1]}, "confirmed": {"1"}, "confirm": {word}})
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode == http.StatusOK {
			return
		}
	}
	t.Fatal("the client could not be erased")
}

// TestBackupRestore_BadInput: each mistake is one clear line, a non-zero
// exit, and nothing changed on disk; a backup that fails leaves no file.
func TestBackupRestore_BadInput(t *testing.T) {
	t.Parallel()
	data := t.TempDir()
	if _, stderr, code := amparo(t, nil, "migrate", "--data", data); code != 0 {
		t.Fatal(stderr)
	}
	dir := t.TempDir()
	backup := filepath.Join(dir, "backup.db")
	if _, stderr, code := amparo(t, nil, "backup", "--data", data, "--out", backup); code != 0 {
		t.Fatal(stderr)
	}
	notBackup := filepath.Join(dir, "notes.txt")
	os.WriteFile(notBackup, []byte("a list of names\n"), 0o600)
	notAmparo := filepath.Join(dir, "other.db")
	os.WriteFile(notAmparo, sqliteHeaderOnly(), 0o600)
	noKey := t.TempDir()
	key, _ := os.ReadFile(filepath.Join(data, "master.key"))
	withKey := t.TempDir()
	os.WriteFile(filepath.Join(withKey, "master.key"), key, 0o600)
	badLog := filepath.Join(dir, "erasures.log")
	os.WriteFile(badLog, []byte("{\"client_id\": \"Ana\"}\n"), 0o600)

	for _, tt := range []struct {
		name string
		args []string
		want string
	}{
		{"RestoreIntoNonEmpty", []string{"restore", "--from", backup, "--data", data}, "already exists: restore only into an empty data folder"},
		{"NotABackup", []string{"restore", "--from", notBackup, "--data", withKey}, "is not an Amparo backup"},
		{"SQLiteNotAmparo", []string{"restore", "--from", notAmparo, "--data", withKey}, "is not an Amparo backup"},
		{"MissingFile", []string{"restore", "--from", filepath.Join(dir, "nope.db"), "--data", withKey}, "cannot read backup"},
		{"NoMasterKey", []string{"restore", "--from", backup, "--data", noKey}, "no master key: a restore needs the key the backup was made with"},
		{"BadErasureLog", []string{"restore", "--from", backup, "--data", withKey, "--erasures", badLog}, "line 1 is not an erasure"},
		{"MissingErasureLog", []string{"restore", "--from", backup, "--data", withKey, "--erasures", filepath.Join(dir, "none.log")}, "cannot read the erasure log"},
		{"NoFrom", []string{"restore", "--data", withKey}, "--from FILE is required"},
		{"BackupOntoExisting", []string{"backup", "--data", data, "--out", backup}, "already exists; a backup never overwrites a file"},
		{"PostgresBackupIntoSQLite", []string{"restore", "--from", pgDumpHeader(t), "--data", withKey}, "is a PostgreSQL backup"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			before := snapshot(t, data) + snapshot(t, dir) + snapshot(t, withKey) + snapshot(t, noKey)
			stdout, stderr, code := amparo(t, nil, tt.args...)
			if code == 0 {
				t.Fatalf("exit 0; stdout %q", stdout)
			}
			lines := strings.Split(strings.TrimSpace(stderr), "\n")
			if len(lines) != 1 || !strings.Contains(lines[0], tt.want) {
				t.Fatalf("stderr %q, want one line containing %q", stderr, tt.want)
			}
			if after := snapshot(t, data) + snapshot(t, dir) + snapshot(t, withKey) + snapshot(t, noKey); after != before {
				t.Fatalf("files changed:\n%s\nbecame\n%s", before, after)
			}
		})
	}

	// A backup onto a full disk: it fails, leaves nothing, and no file of
	// it was readable by others at any moment seen; a retry elsewhere works.
	t.Run("FailedBackupLeavesNothing", func(t *testing.T) {
		small := testenv.MountTmpfs(t, 64<<10, "")
		exposed := watchModes(t, small)
		out := filepath.Join(small, "backup.db")
		_, stderr, code := amparo(t, nil, "backup", "--data", data, "--out", out)
		if got := exposed(); got != "" {
			t.Errorf("readable by others while the backup was written: %s", got)
		}
		if code == 0 || strings.Count(strings.TrimSpace(stderr), "\n") != 0 || !strings.Contains(stderr, "backup.db") {
			t.Fatalf("backup onto a full disk: %d %q", code, stderr)
		}
		if entries, _ := os.ReadDir(small); len(entries) != 0 {
			t.Errorf("a failed backup left %v", entries)
		}
		// Space freed, the same command succeeds: nothing blocks the retry.
		if out, err := exec.Command("mount", "-o", "remount,size=8m", small).CombinedOutput(); err != nil {
			t.Fatalf("remount: %v %s", err, out)
		}
		exposed = watchModes(t, small)
		if _, stderr, code := amparo(t, nil, "backup", "--data", data, "--out", out); code != 0 {
			t.Errorf("the retry failed: %s", stderr)
		}
		if got := exposed(); got != "" {
			t.Errorf("readable by others while the retry was written: %s", got)
		}
		if fi, err := os.Stat(out); err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("the retried backup: %v %v", fi, err)
		}
	})
}

// sqliteHeaderOnly is a file that starts as a SQLite database does and is
// no database.
func sqliteHeaderOnly() []byte { return append([]byte("SQLite format 3\x00"), make([]byte, 84)...) }

// pgDumpHeader writes a file that starts as a pg_dump archive does.
func pgDumpHeader(t *testing.T) string {
	p := filepath.Join(t.TempDir(), "amparo.dump")
	os.WriteFile(p, []byte("PGDMP\x01\x0f\x00"), 0o600)
	return p
}

// TestServe_ReappliesErasuresAfterAHandRestore: a database put back by
// hand from a backup older than an erasure (no amparo restore) does not
// serve the erased client: serve erases it again at start and says so.
func TestServe_ReappliesErasuresAfterAHandRestore(t *testing.T) {
	t.Parallel()
	data := t.TempDir()
	if _, stderr, code := amparo(t, nil, "migrate", "--data", data); code != 0 {
		t.Fatal(stderr)
	}
	keyText, _ := os.ReadFile(filepath.Join(data, "master.key"))
	key, _ := envelope.DecodeKey(strings.TrimSpace(string(keyText)))
	db := storetest.MustOpenDSN(t, "sqlite:"+filepath.Join(data, "amparo.db"), key)
	db.SetErasureLog(filepath.Join(data, "erasures.log"))
	org := storetest.MustCreateOrganization(t, db, "Centro Legal Ejemplo")
	ctx := domain.NewContextWithActor(context.Background(), domain.Actor{ID: "intake", Role: domain.RoleIntake, OrganizationID: org.ID})
	c := storetest.MustCreateClient(t, ctx, db, &domain.Client{Personal: domain.Personal{LegalName: "Irene Vuelta Ejemplo", Language: "es"}})
	backup := filepath.Join(t.TempDir(), "old.db")
	if err := db.Backup(t.Context(), backup); err != nil {
		t.Fatal(err)
	}
	if err := db.DeleteClient(ctx, c.ID); err != nil {
		t.Fatal(err)
	}

	// By hand: the old file in a new folder, with the key and the log.
	moved := t.TempDir()
	for from, to := range map[string]string{backup: "amparo.db", filepath.Join(data, "master.key"): "master.key", filepath.Join(data, "erasures.log"): "erasures.log"} {
		b, _ := os.ReadFile(from)
		os.WriteFile(filepath.Join(moved, to), b, 0o600)
	}
	cmd := exec.Command(binary, "serve", "--data", moved, "--addr", "127.0.0.1:0")
	cmd.Env = []string{"PATH=" + os.Getenv("PATH")}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	startServing(t, cmd)
	cmd.Process.Signal(syscall.SIGTERM)
	cmd.Wait()
	if !strings.Contains(stderr.String(), "erased again") || !strings.Contains(stderr.String(), c.ID) {
		t.Errorf("serve does not say it erased the client again:\n%s", stderr.String())
	}
	if strings.Contains(stderr.String(), "Irene") {
		t.Errorf("the log holds a name:\n%s", stderr.String())
	}
	got := storetest.MustOpenDSN(t, "sqlite:"+filepath.Join(moved, "amparo.db"), key)
	if _, err := got.FindClientByID(ctx, c.ID); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Errorf("the erased client is served again: %v", err)
	}
}

package main_test

import (
	"bufio"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/amparo-project/amparo/credential"
	"github.com/amparo-project/amparo/internal/browsertest"
	"github.com/amparo-project/amparo/internal/pgtest"
	"github.com/amparo-project/amparo/internal/testenv"
)

// binary is the amparo command, built once for the package's tests.
var binary string

// scratch is a folder for the test binary's shared fixtures (the seeded
// demo), removed when its tests end.
var scratch string

func TestMain(m *testing.M) {
	dir, err := binaryDir()
	if err != nil {
		panic(err)
	}
	binary = filepath.Join(dir, "amparo")
	// go build leaves a binary that is up to date alone: in the same place
	// every run, the command is linked again only when its code changed.
	if out, err := exec.Command("go", "build", "-o", binary, ".").CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "go build: %v\n%s", err, out)
		os.Exit(1)
	}
	if scratch, err = os.MkdirTemp("", "amparo-test-"); err != nil {
		panic(err)
	}
	code := m.Run()
	browsertest.Close()
	if pg.cluster != nil {
		pg.cluster.Stop()
	}
	os.RemoveAll(scratch)
	os.Exit(code)
}

// pg is the test binary's PostgreSQL cluster, started by the first test
// that needs one; each such test makes databases of its own names in it.
var pg struct {
	once    sync.Once
	cluster *pgtest.Cluster
	err     error
}

// sharedCluster returns the test binary's cluster, or nil after skipping
// the test (failing it under CI=true) when PostgreSQL cannot start.
func sharedCluster(t *testing.T) *pgtest.Cluster {
	t.Helper()
	pg.once.Do(func() { pg.cluster, pg.err = pgtest.Start() })
	if pg.err != nil {
		testenv.Missing(t, "postgres: "+pg.err.Error())
		return nil
	}
	return pg.cluster
}

// binaryDir is the folder the command is built in: one per copy of the
// source (a worktree of its own builds its own), kept between runs in the
// user's cache folder, or a temporary one without it.
func binaryDir() (string, error) {
	src, err := os.Getwd()
	if err != nil {
		return "", err
	}
	cache, err := os.UserCacheDir()
	if err != nil {
		return os.MkdirTemp("", "amparo-bin-")
	}
	sum := sha256.Sum256([]byte(src))
	dir := filepath.Join(cache, "amparo-test", fmt.Sprintf("%x", sum[:8]))
	return dir, os.MkdirAll(dir, 0o700)
}

// amparo runs the command with env added to a clean environment.
func amparo(t *testing.T, env []string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir()}, env...)
	var o, e strings.Builder
	cmd.Stdout, cmd.Stderr = &o, &e
	err := cmd.Run()
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return o.String(), e.String(), code
}

func TestDemo_ServesAndStopsOnSIGTERM(t *testing.T) {
	t.Parallel()
	data := t.TempDir()
	cmd := exec.Command(binary, "demo", "--addr", "127.0.0.1:0", "--data", data)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH")}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()

	urlc := make(chan string, 1)
	var printed strings.Builder
	scanned := make(chan struct{})
	go func() {
		defer close(scanned)
		s := bufio.NewScanner(stdout)
		for s.Scan() {
			printed.WriteString(s.Text() + "\n")
			if u := regexp.MustCompile(`http://127\.0\.0\.1:\d+/`).FindString(s.Text()); u != "" {
				select {
				case urlc <- u:
				default: // the first is enough
				}
			}
		}
	}()
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	var url string
	select {
	case url = <-urlc:
	case err := <-exited:
		t.Fatalf("demo exited (%v) before serving; stderr:\n%s", err, stderr.String())
	case <-time.After(60 * time.Second):
		t.Fatalf("no URL printed in 60 s; stderr:\n%s", stderr.String())
	}
	if !waitHealthy(url + "healthz") {
		t.Fatalf("%shealthz never answered ok", url)
	}
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if !strings.Contains(string(body), "(demo)") {
		t.Errorf("home page does not show the demo program:\n%s", body)
	}

	cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-exited:
		if err != nil {
			t.Fatalf("exit after SIGTERM: %v; stderr:\n%s", err, stderr.String())
		}
	case <-time.After(15 * time.Second):
		t.Fatal("still running 15 s after SIGTERM")
	}
	<-scanned
	out := printed.String()
	for _, want := range []string{"3 organizations", "10 members", "60 clients", "active", "draft", "revoked", "expired", "superseded",
		"Sign in at", "QR text of a valid letter", "QR text of a revoked letter", credential.CompactPrefix(url + "v")} {
		if !strings.Contains(out, want) {
			t.Errorf("demo output lacks %q:\n%s", want, out)
		}
	}
	for _, name := range []string{"amparo.db", "master.key"} {
		fi, err := os.Stat(filepath.Join(data, name))
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm()&0o077 != 0 {
			t.Errorf("%s is mode %v: others may read it", name, fi.Mode().Perm())
		}
	}
	// No personal data in any log line: the demo's clients' names and phone
	// numbers never reach stderr.
	if strings.Contains(stderr.String(), "555 01") || strings.Contains(stderr.String(), "Ejemplo") {
		t.Errorf("the log holds personal data:\n%s", stderr.String())
	}
}

// startServing starts cmd, an amparo serve, stops it (SIGTERM) when the
// test ends, and returns the URL it prints once /healthz answers there;
// the test fails, with cmd's stderr where it keeps it, if it never does.
func startServing(tb testing.TB, cmd *exec.Cmd) string {
	tb.Helper()
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		tb.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	stop := func() { cmd.Process.Signal(syscall.SIGTERM); cmd.Wait() }
	tb.Cleanup(stop)
	s := bufio.NewScanner(stdout)
	var base string
	for base == "" && s.Scan() {
		base = regexp.MustCompile(`http://127\.0\.0\.1:\d+/`).FindString(s.Text())
	}
	go io.Copy(io.Discard, stdout)
	if base == "" || !waitHealthy(base+"healthz") {
		stop()
		why := "(its stderr is not kept)"
		if s, ok := cmd.Stderr.(fmt.Stringer); ok {
			why = s.String()
		}
		tb.Fatalf("%v never answered: %s", cmd.Args, why)
	}
	return base
}

func waitHealthy(url string) bool {
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		res, err := http.Get(url)
		if err == nil {
			b, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if res.StatusCode == 200 && string(b) == "ok\n" {
				return true
			}
		}
	}
	return false
}

// snapshot fingerprints every file under dir, to prove a failed command
// changed nothing on disk.
func snapshot(t *testing.T, dir string) string {
	t.Helper()
	var b strings.Builder
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		fi, _ := d.Info()
		content, _ := os.ReadFile(p)
		fmt.Fprintf(&b, "%s %v %d %x\n", p, fi.Mode(), fi.Size(), sha256.Sum256(content))
		return nil
	})
	return b.String()
}

func TestBadInput(t *testing.T) {
	t.Parallel()
	// A data folder with a database and its key, to be left untouched.
	data := t.TempDir()
	if _, stderr, code := amparo(t, nil, "migrate", "--data", data); code != 0 {
		t.Fatalf("migrate: %d %s", code, stderr)
	}
	fileAsDir := filepath.Join(t.TempDir(), "file")
	os.WriteFile(fileAsDir, []byte("x"), 0o600)
	short := base64.StdEncoding.EncodeToString(make([]byte, 16))
	other := base64.StdEncoding.EncodeToString([]byte("0123456789abcdef0123456789abcdef"))

	for _, tt := range []struct {
		name string
		env  []string
		args []string
		want string
	}{
		{"UnknownFlag", nil, []string{"serve", "--data", data, "--bogus"}, "flag provided but not defined: -bogus"},
		{"UnknownCommand", nil, []string{"frobnicate"}, `unknown command "frobnicate"`},
		{"MalformedDB", nil, []string{"migrate", "--data", data, "--db", "mysql://x"}, "unknown database DSN: use sqlite:PATH or postgres://"},
		{"MalformedPostgresDSN", nil, []string{"migrate", "--data", data, "--db", "postgres://u@host:notaport/db"}, "malformed PostgreSQL DSN"},
		{"UnreachablePostgres", nil, []string{"migrate", "--data", data, "--db", "postgres://amparo@127.0.0.1:1/amparo?connect_timeout=3"}, "cannot reach PostgreSQL"},
		{"DataFolderNotWritable", nil, []string{"migrate", "--data", filepath.Join(fileAsDir, "sub")}, "cannot use data folder"},
		{"MasterKeyWrongSize", []string{"AMPARO_MASTER_KEY=" + short}, []string{"migrate", "--data", data}, "master key is 16 bytes; it must be exactly 32"},
		{"MasterKeyFileMissing", nil, []string{"migrate", "--data", data, "--master-key", filepath.Join(data, "nope.key")}, "does not exist (make one with amparo keys master"},
		{"WrongMasterKey", []string{"AMPARO_MASTER_KEY=" + other}, []string{"migrate", "--data", data}, "the master key does not match this database"},
		{"EnvDB", []string{"AMPARO_DB=oracle:x"}, []string{"migrate", "--data", data}, "unknown database DSN"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			before := snapshot(t, data)
			stdout, stderr, code := amparo(t, tt.env, tt.args...)
			if code == 0 {
				t.Fatalf("exit 0; stdout %q", stdout)
			}
			lines := strings.Split(strings.TrimSpace(stderr), "\n")
			if len(lines) != 1 || !strings.Contains(lines[0], tt.want) {
				t.Fatalf("stderr %q, want one line containing %q", stderr, tt.want)
			}
			if after := snapshot(t, data); after != before {
				t.Fatalf("the data folder changed:\n%s\nbecame\n%s", before, after)
			}
		})
	}
	if os.Geteuid() != 0 {
		t.Run("DataFolderReadOnly", func(t *testing.T) {
			ro := t.TempDir()
			os.Chmod(ro, 0o500)
			defer os.Chmod(ro, 0o700)
			_, stderr, code := amparo(t, nil, "migrate", "--data", ro)
			if code == 0 || !strings.Contains(stderr, "is not writable") {
				t.Fatalf("code %d stderr %q", code, stderr)
			}
		})
	}
}

// TestHelp asks every command that `amparo help` lists, and every
// subcommand that a command's help lists, for its help: each answers with
// its usage line and exit 0. The lists come from the help itself, so a
// command added later is covered without touching this test.
func TestHelp(t *testing.T) {
	t.Parallel()
	listed := func(help, heading string) []string {
		_, section, ok := strings.Cut(help, "\n"+heading+"\n")
		if !ok {
			return nil
		}
		var names []string
		for _, line := range strings.Split(section, "\n") {
			m := regexp.MustCompile(`^  ([a-z][a-z0-9-]*)\s+\S`).FindStringSubmatch(line)
			if m == nil {
				break // the list ends at its first line that is not an entry
			}
			names = append(names, m[1])
		}
		return names
	}
	top, _, code := amparo(t, nil, "help")
	cmds := listed(top, "Commands:")
	if code != 0 || len(cmds) < 15 || !slices.Contains(cmds, "serve") || !slices.Contains(cmds, "restore") {
		t.Fatalf("amparo help: exit %d, commands %q:\n%s", code, cmds, top)
	}
	for _, cmd := range cmds {
		stdout, _, code := amparo(t, nil, cmd, "--help")
		if code != 0 || !strings.Contains(stdout, "Usage: amparo "+cmd) {
			t.Errorf("%s --help: exit %d, %q", cmd, code, stdout)
			continue
		}
		for _, sub := range listed(stdout, "Subcommands:") {
			out, _, code := amparo(t, nil, cmd, sub, "--help")
			if code != 0 || !strings.Contains(out, "Usage: amparo "+cmd+" "+sub) {
				t.Errorf("%s %s --help: exit %d, %q", cmd, sub, code, out)
			}
		}
	}
}

func TestKeysMaster(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "k")
	if _, stderr, code := amparo(t, nil, "keys", "master", "--out", path); code != 0 {
		t.Fatal(stderr)
	}
	data := t.TempDir()
	if _, stderr, code := amparo(t, []string{"AMPARO_MASTER_KEY_FILE=" + path}, "migrate", "--data", data); code != 0 {
		t.Fatal(stderr)
	}
	if _, err := os.Stat(filepath.Join(data, "master.key")); err == nil {
		t.Error("a default key file was written although a key file was given")
	}
	if _, stderr, code := amparo(t, nil, "keys", "master", "--out", path); code == 0 || !strings.Contains(stderr, "never overwritten") {
		t.Errorf("overwrite: exit %d, %q", code, stderr)
	}
}

func TestBackup(t *testing.T) {
	t.Parallel()
	data := t.TempDir()
	if _, stderr, code := amparo(t, nil, "migrate", "--data", data); code != 0 {
		t.Fatal(stderr)
	}
	out := filepath.Join(t.TempDir(), "backup.db")
	if _, stderr, code := amparo(t, nil, "backup", "--data", data, "--out", out); code != 0 {
		t.Fatal(stderr)
	}
	// The copy is a working database: migrate accepts it with the same key.
	key, _ := os.ReadFile(filepath.Join(data, "master.key"))
	env := []string{"AMPARO_MASTER_KEY=" + strings.TrimSpace(string(key))}
	if _, stderr, code := amparo(t, env, "migrate", "--db", "sqlite:"+out); code != 0 {
		t.Fatalf("the backup does not open: %s", stderr)
	}
	if _, stderr, code := amparo(t, nil, "backup", "--data", data, "--out", out); code == 0 || !strings.Contains(stderr, "never overwrites") {
		t.Fatalf("second backup to the same file: %d %q", code, stderr)
	}
}

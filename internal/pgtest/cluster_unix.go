//go:build unix

package pgtest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
)

// credential is who the PostgreSQL binaries run as; nil means this process's user.
type credential = *syscall.Credential

const (
	readyTimeout = 30 * time.Second
	stopTimeout  = 10 * time.Second
	ownerFile    = "owner.pid" // pid of the process that created the folder
)

var errPortInUse = errors.New("port already in use")

// Start creates and starts a cluster in a new temporary folder and waits
// until it accepts connections. The error wraps [ErrUnavailable] when the
// PostgreSQL binaries (or, as root, the "postgres" OS user) are missing.
// Call [Cluster.Stop] when done; [Main] does both.
func Start() (*Cluster, error) {
	bin, err := findBinDir()
	if err != nil {
		return nil, err
	}
	var cred credential
	if os.Geteuid() == 0 {
		if cred, err = postgresUser(); err != nil {
			return nil, err
		}
	}
	base, err := tempBase(cred != nil)
	if err != nil {
		return nil, err
	}
	sweepStale(base, bin, cred)

	dir, err := os.MkdirTemp(base, "pgtest-*")
	if err != nil {
		return nil, fmt.Errorf("pgtest: %w", err)
	}
	c := &Cluster{dir: dir, dataDir: filepath.Join(dir, "data"), binDir: bin, cred: cred}
	if err := c.create(); err != nil {
		_ = os.RemoveAll(dir)
		return nil, err
	}
	for attempt := 1; ; attempt++ {
		err = c.start()
		if err == nil {
			return c, nil
		}
		if !errors.Is(err, errPortInUse) || attempt == 3 {
			_ = os.RemoveAll(dir)
			return nil, err
		}
	}
}

// create prepares the folder and runs initdb (or copies the data folder
// of an earlier one, see initcache_unix.go).
func (c *Cluster) create() error {
	if err := os.WriteFile(filepath.Join(c.dir, ownerFile), []byte(strconv.Itoa(os.Getpid())), 0o644); err != nil {
		return fmt.Errorf("pgtest: %w", err)
	}
	if c.cred != nil {
		if err := os.Chown(c.dir, int(c.cred.Uid), int(c.cred.Gid)); err != nil {
			return fmt.Errorf("pgtest: %w", err)
		}
	}
	if fromInitCache(c.binDir, c.dataDir, c.cred) {
		return nil
	}
	out, err := c.command("initdb", append([]string{"-D", c.dataDir}, initArgs...)...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("pgtest: initdb: %v: %s", err, tail(string(out)))
	}
	toInitCache(c.binDir, c.dataDir)
	return nil
}

// start runs postgres on a free port and waits until it accepts connections.
func (c *Cluster) start() error {
	port, err := freePort()
	if err != nil {
		return fmt.Errorf("pgtest: free port: %w", err)
	}
	logPath := filepath.Join(c.dir, "postgres.log")
	logFile, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return fmt.Errorf("pgtest: %w", err)
	}
	defer logFile.Close()
	logStart, _ := logFile.Seek(0, io.SeekEnd)

	cmd := exec.Command(filepath.Join(c.binDir, "postgres"),
		"-D", c.dataDir,
		"-h", "127.0.0.1",
		"-p", strconv.Itoa(port),
		"-k", c.dir,
		"-F", // fsync=off
		"-c", "full_page_writes=off",
		"-c", "synchronous_commit=off",
		// Throwaway databases: no background vacuum or analyze of each
		// test's few rows, no WAL beyond crash recovery's, rare checkpoints.
		"-c", "autovacuum=off",
		"-c", "wal_level=minimal",
		"-c", "max_wal_senders=0",
		"-c", "max_wal_size=1GB",
		"-c", "checkpoint_timeout=30min",
	)
	cmd.Dir = c.dir
	cmd.Stdout, cmd.Stderr = logFile, logFile
	// Own process group (a terminal's Ctrl-C does not hit it, and Stop can
	// kill the group); on Linux also SIGQUIT (immediate shutdown) when this
	// process dies.
	cmd.SysProcAttr = serverAttr(c.cred)

	started := make(chan error, 1)
	exited := make(chan struct{})
	go func() {
		// The parent-death signal fires when the thread that started the
		// child exits, not the process: keep this thread, parked in Wait,
		// for as long as postgres runs.
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		if err := cmd.Start(); err != nil {
			started <- err
			close(exited)
			return
		}
		started <- nil
		_ = cmd.Wait()
		close(exited)
	}()
	if err := <-started; err != nil {
		return fmt.Errorf("pgtest: start postgres: %w", err)
	}
	c.proc, c.exited, c.port = cmd.Process, exited, port

	deadline := time.Now().Add(readyTimeout)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		conn, err := pgx.Connect(ctx, c.DSN("postgres"))
		cancel()
		if err == nil {
			return conn.Close(context.Background())
		}
		select {
		case <-exited:
			log := readFrom(logPath, logStart)
			if strings.Contains(log, "could not bind") || strings.Contains(log, "could not create any TCP/IP sockets") {
				return fmt.Errorf("pgtest: postgres on port %d: %w: %s", port, errPortInUse, tail(log))
			}
			return fmt.Errorf("pgtest: postgres exited at start: %s", tail(log))
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			c.kill()
			return fmt.Errorf("pgtest: postgres not ready after %v: %v; log: %s", readyTimeout, err, tail(readFrom(logPath, logStart)))
		}
	}
}

// Stop shuts the cluster down at once (pg_ctl stop -m immediate, then
// SIGKILL to its process group if it is still there after 10 s) and removes
// its folder. It may be called more than once, and on a nil cluster.
func (c *Cluster) Stop() error {
	if c == nil {
		return nil
	}
	c.stopOnce.Do(func() { c.stopErr = c.stop() })
	return c.stopErr
}

func (c *Cluster) stop() error {
	var errs []error
	if c.proc != nil {
		select {
		case <-c.exited:
		default:
			out, err := c.command("pg_ctl", "stop", "-D", c.dataDir, "-m", "immediate",
				"-w", "-t", strconv.Itoa(int(stopTimeout/time.Second))).CombinedOutput()
			select {
			case <-c.exited:
			case <-time.After(stopTimeout):
				if err != nil {
					errs = append(errs, fmt.Errorf("pgtest: pg_ctl stop: %v: %s", err, tail(string(out))))
				}
				errs = append(errs, errors.New("pgtest: postgres did not stop, killed it"))
				c.kill()
			}
		}
		// Stray backends, if any, are in the postmaster's process group.
		_ = syscall.Kill(-c.proc.Pid, syscall.SIGKILL)
	}
	if err := os.RemoveAll(c.dir); err != nil {
		errs = append(errs, fmt.Errorf("pgtest: %w", err))
	}
	return errors.Join(errs...)
}

// kill SIGKILLs the postgres process group and waits (a little) for it.
func (c *Cluster) kill() {
	_ = syscall.Kill(-c.proc.Pid, syscall.SIGKILL)
	select {
	case <-c.exited:
	case <-time.After(5 * time.Second):
	}
}

// command prepares one of the PostgreSQL binaries, run as c.cred.
func (c *Cluster) command(name string, args ...string) *exec.Cmd {
	return pgCommand(c.binDir, c.dir, c.cred, name, args...)
}

func pgCommand(bin, dir string, cred credential, name string, args ...string) *exec.Cmd {
	cmd := exec.Command(filepath.Join(bin, name), args...)
	cmd.Dir = dir // initdb and pg_ctl chdir back to it: it must be readable by cred
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
	return cmd
}

// findBinDir finds the folder holding initdb, pg_ctl and postgres: the one
// of initdb on PATH, else the highest version of /usr/lib/postgresql/*/bin.
func findBinDir() (string, error) {
	if p, err := exec.LookPath("initdb"); err == nil {
		if r, err := filepath.EvalSymlinks(p); err == nil && hasBinaries(filepath.Dir(r)) {
			return filepath.Dir(r), nil
		}
		if hasBinaries(filepath.Dir(p)) {
			return filepath.Dir(p), nil
		}
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	slices.SortFunc(dirs, func(a, b string) int { // highest version first
		return compareVersions(filepath.Base(filepath.Dir(b)), filepath.Base(filepath.Dir(a)))
	})
	for _, d := range dirs {
		if hasBinaries(d) {
			return d, nil
		}
	}
	return "", fmt.Errorf("%w: initdb, pg_ctl and postgres not found on PATH or in /usr/lib/postgresql/*/bin (install the postgresql package)", ErrUnavailable)
}

func hasBinaries(dir string) bool {
	for _, name := range []string{"initdb", "pg_ctl", "postgres"} {
		fi, err := os.Stat(filepath.Join(dir, name))
		if err != nil || !fi.Mode().IsRegular() || fi.Mode()&0o111 == 0 {
			return false
		}
	}
	return true
}

// compareVersions compares dotted versions such as "9.6" and "15" numerically.
func compareVersions(a, b string) int {
	as, bs := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < len(as) || i < len(bs); i++ {
		var x, y int
		if i < len(as) {
			x, _ = strconv.Atoi(as[i])
		}
		if i < len(bs) {
			y, _ = strconv.Atoi(bs[i])
		}
		if x != y {
			return x - y
		}
	}
	return 0
}

// postgresUser returns the credential of the "postgres" OS user, which runs
// the binaries when this process is root.
func postgresUser() (credential, error) {
	u, err := user.Lookup("postgres")
	if err != nil {
		return nil, fmt.Errorf("%w: running as root and no \"postgres\" OS user to run initdb as: %v", ErrUnavailable, err)
	}
	uid, err1 := strconv.ParseUint(u.Uid, 10, 32)
	gid, err2 := strconv.ParseUint(u.Gid, 10, 32)
	if err1 != nil || err2 != nil {
		return nil, fmt.Errorf("%w: bad uid/gid %q/%q for the \"postgres\" OS user", ErrUnavailable, u.Uid, u.Gid)
	}
	return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}, nil
}

// tempBase returns the folder to create the cluster folder in: os.TempDir(),
// or /tmp when another user has to reach it (running as root) and some
// folder on the way is not traversable by others.
func tempBase(otherUser bool) (string, error) {
	base := os.TempDir()
	if !otherUser {
		return base, nil
	}
	for _, b := range []string{base, "/tmp"} {
		if r, err := filepath.EvalSymlinks(b); err == nil && traversable(r) {
			return r, nil
		}
	}
	return "", fmt.Errorf("pgtest: neither %s nor /tmp is reachable by the \"postgres\" OS user", base)
}

func traversable(dir string) bool {
	for d := dir; ; d = filepath.Dir(d) {
		fi, err := os.Stat(d)
		if err != nil || !fi.IsDir() || fi.Mode().Perm()&0o001 == 0 {
			return false
		}
		if d == filepath.Dir(d) {
			return true
		}
	}
}

// sweepStale removes the pgtest-* folders under base left behind by test
// processes that are gone, stopping any postmaster still running in them.
func sweepStale(base, bin string, cred credential) {
	dirs, _ := filepath.Glob(filepath.Join(base, "pgtest-*"))
	for _, dir := range dirs {
		b, err := os.ReadFile(filepath.Join(dir, ownerFile))
		if err != nil {
			continue // not ours, or being created right now
		}
		pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
		if err != nil || pid <= 0 || alive(pid) {
			continue
		}
		data := filepath.Join(dir, "data")
		if _, err := os.Stat(filepath.Join(data, "postmaster.pid")); err == nil {
			_ = pgCommand(bin, dir, cred, "pg_ctl", "stop", "-D", data, "-m", "immediate", "-w", "-t", "5").Run()
		}
		_ = os.RemoveAll(dir)
	}
}

// alive reports whether process pid exists.
func alive(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// readFrom returns the file's content from offset on.
func readFrom(path string, offset int64) string {
	b, err := os.ReadFile(path)
	if err != nil || offset > int64(len(b)) {
		return ""
	}
	return string(b[offset:])
}

// tail returns the last few non-empty lines of out, joined by " | ".
func tail(out string) string {
	var lines []string
	for _, l := range strings.Split(out, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			lines = append(lines, l)
		}
	}
	if len(lines) > 5 {
		lines = lines[len(lines)-5:]
	}
	return strings.Join(lines, " | ")
}

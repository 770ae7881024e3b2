package sqldb

import (
	"bufio"
	"bytes"
	"context"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/envelope"
)

// The first bytes of the two kinds of backup: a SQLite database and a
// pg_dump archive in custom format.
var (
	sqliteMagic = []byte("SQLite format 3\x00")
	pgDumpMagic = []byte("PGDMP")
)

// Backup writes a consistent copy of the database to path, safe while the
// server writes: SQLite's VACUUM INTO, or pg_dump --format=custom for
// PostgreSQL. It never overwrites a file, and the copy is readable by its
// owner alone from its first byte: it is written under a temporary name in
// path's folder, created 0600, synced, then linked to path. On any failure
// nothing is left behind, so a retry is never blocked.
func (db *DB) Backup(ctx context.Context, path string) error {
	if _, err := os.Lstat(path); err == nil {
		return fmt.Errorf("%s already exists; a backup never overwrites a file", path)
	}
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*.tmp") // 0600
	if err != nil {
		return fmt.Errorf("cannot write %s: %v", path, unwrapPath(err))
	}
	tmp := f.Name()
	defer removeSQLiteFiles(tmp)
	if db.dialect == sqliteDialect {
		f.Close()
		// VACUUM INTO accepts an empty file, and keeps its mode.
		if _, err := db.db.ExecContext(ctx, "VACUUM INTO ?", tmp); err != nil {
			return fmt.Errorf("backup to %s: %v", path, err)
		}
		if f, err = os.OpenFile(tmp, os.O_RDWR, 0); err != nil {
			return fmt.Errorf("backup to %s: %v", path, unwrapPath(err))
		}
	} else if err := db.pgDump(ctx, f); err != nil {
		f.Close()
		return fmt.Errorf("backup to %s: %v", path, err)
	}
	err = f.Sync()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("backup to %s: %v", path, unwrapPath(err))
	}
	// A hard link, unlike a rename, fails if path appeared meanwhile.
	if err := os.Link(tmp, path); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return fmt.Errorf("%s already exists; a backup never overwrites a file", path)
		}
		return fmt.Errorf("backup to %s: %v", path, unwrapPath(err))
	}
	syncDir(dir)
	return nil
}

// removeSQLiteFiles removes a temporary database and what SQLite and
// Migrate may have made beside it.
func removeSQLiteFiles(path string) {
	for _, suffix := range []string{"", "-journal", "-wal", "-shm", ".migrate-lock"} {
		os.Remove(path + suffix)
	}
}

// pgDump writes the database to w with pg_dump --format=custom, from the
// one snapshot pg_dump reads in.
func (db *DB) pgDump(ctx context.Context, w io.Writer) error {
	var stderr bytes.Buffer
	cmd, err := pgTool(ctx, "pg_dump", db.dsn, "--format=custom", "--no-owner", "--no-privileges")
	if err != nil {
		return err
	}
	cmd.Stdout, cmd.Stderr = w, &stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("pg_dump failed: %v: %s", err, firstLine(stderr.String()))
	}
	return nil
}

// pgTool returns the PostgreSQL client tool name run against the database
// dsn. The password, if the DSN holds one, goes in the environment, never
// on the command line where any user of the machine can read it.
func pgTool(ctx context.Context, name, dsn string, args ...string) (*exec.Cmd, error) {
	bin, err := findPGTool(name)
	if err != nil {
		return nil, err
	}
	env := os.Environ()
	if dsn != "" {
		u, err := url.Parse(dsn)
		if err != nil {
			return nil, fmt.Errorf("malformed PostgreSQL DSN")
		}
		if pw, ok := u.User.Password(); ok {
			env = append(env, "PGPASSWORD="+pw)
			u.User = url.User(u.User.Username())
		}
		args = append([]string{"--dbname=" + u.String()}, args...)
	}
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = env
	return cmd, nil
}

// findPGTool finds a PostgreSQL client program: on the PATH, else in the
// newest /usr/lib/postgresql/VERSION/bin (Debian's layout).
func findPGTool(name string) (string, error) {
	if p, err := exec.LookPath(name); err == nil {
		return p, nil
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin/" + name)
	slices.SortFunc(dirs, func(a, b string) int { return pgVersion(b) - pgVersion(a) })
	if len(dirs) > 0 {
		return dirs[0], nil
	}
	return "", fmt.Errorf("%s not found: install PostgreSQL's client programs (Debian: postgresql-client) or put %s on the PATH", name, name)
}

func pgVersion(path string) int {
	v := filepath.Base(filepath.Dir(filepath.Dir(path)))
	n := 0
	fmt.Sscanf(v, "%d", &n)
	return n
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	return s
}

// RestoreReport is what Restore did and found.
type RestoreReport struct {
	Dialect string
	// Clients is how many clients the restored database holds, every one
	// opened with the master key.
	Clients int
	// Audit is the audit chain, verified after the restore.
	Audit *AuditChain
	// Reapplied are the IDs of the clients erased again: erased after the
	// backup was made, listed in the erasure log.
	Reapplied []string
	// Logged is how many erasures were added to the erasure log.
	Logged int
}

// Restore restores the backup from into the database dsn, which must be
// empty: a SQLite file that does not exist yet, or a PostgreSQL database
// without a table. It checks that from is an Amparo backup made with the
// master key k before changing anything; then it applies the pending
// migrations, erases again every client of erasures the backup still
// holds, checks that every client opens with k and that the audit chain
// verifies.
//
// SQLite is restored whole or not at all: the work is done on a temporary
// copy beside the target, linked into place at the end. PostgreSQL is
// restored by pg_restore in one transaction; if a check after it fails,
// the error says so and the database must be dropped before a new try.
//
// Afterwards the erasure log at logTo (if not "") lists every erasure of
// erasures and of the restored erasures table, so it can serve the next
// restore even if the log was lost with the machine.
func Restore(ctx context.Context, from, dsn string, k *envelope.Keyring, erasures []Erasure, logTo string, logger *slog.Logger) (*RestoreReport, error) {
	kind, err := backupKind(from)
	if err != nil {
		return nil, err
	}
	opts := restoreOpts{from: from, k: k, erasures: erasures, logTo: logTo, logger: logger}
	if strings.HasPrefix(dsn, "sqlite:") {
		if kind != "sqlite" {
			return nil, fmt.Errorf("%s is a PostgreSQL backup (pg_dump): restore it into an empty PostgreSQL database with --db postgres://…", from)
		}
		return restoreSQLite(ctx, dsn, opts)
	}
	if kind != "postgres" {
		return nil, fmt.Errorf("%s is a SQLite backup: restore it into an empty data folder (--data DIR, without a postgres:// --db)", from)
	}
	return restorePostgres(ctx, dsn, opts)
}

// CheckBackup returns an error unless path looks like a backup amparo
// backup makes, by its first bytes; Restore checks the rest.
func CheckBackup(path string) error {
	_, err := backupKind(path)
	return err
}

// backupKind tells a SQLite backup ("sqlite") from a pg_dump archive
// ("postgres") by its first bytes.
func backupKind(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("cannot read backup %s: %v", path, unwrapPath(err))
	}
	defer f.Close()
	if fi, err := f.Stat(); err == nil && !fi.Mode().IsRegular() {
		return "", fmt.Errorf("backup %s is not a file", path)
	}
	head := make([]byte, len(sqliteMagic))
	n, _ := io.ReadFull(f, head)
	switch {
	case bytes.Equal(head[:n], sqliteMagic):
		return "sqlite", nil
	case bytes.HasPrefix(head[:n], pgDumpMagic):
		return "postgres", nil
	}
	return "", fmt.Errorf("%s is not an Amparo backup: it is neither a SQLite database nor a pg_dump archive (make backups with amparo backup)", path)
}

// restoreOpts are Restore's arguments but the database.
type restoreOpts struct {
	from     string
	k        *envelope.Keyring
	erasures []Erasure
	logTo    string
	logger   *slog.Logger
}

func restoreSQLite(ctx context.Context, dsn string, o restoreOpts) (r *RestoreReport, err error) {
	done := false
	target := strings.TrimPrefix(strings.TrimPrefix(dsn, "sqlite:"), "//")
	if target == "" {
		return nil, errors.New("sqlite DSN has no file path: use sqlite:PATH, such as sqlite:data/amparo.db")
	}
	for _, suffix := range []string{"", "-wal", "-journal"} {
		if _, err := os.Lstat(target + suffix); err == nil {
			return nil, fmt.Errorf("%s already exists: restore only into an empty data folder (stop every amparo process, move the old database away, then restore)", target+suffix)
		}
	}
	dir := filepath.Dir(target)
	if _, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) {
		// A folder made here is removed again if the restore fails.
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, fmt.Errorf("cannot create data folder %s: %v", dir, unwrapPath(err))
		}
		defer func() {
			if !done {
				os.Remove(dir)
			}
		}()
	}
	tmp, err := copyToTemp(o.from, dir, filepath.Base(target))
	if err != nil {
		return nil, err
	}
	defer removeSQLiteFiles(tmp)
	r, err = restored(ctx, "sqlite:"+tmp, o)
	if err != nil {
		return nil, err
	}
	if _, err := os.Lstat(tmp + "-wal"); err == nil {
		return nil, fmt.Errorf("restore into %s: the restored copy was not closed cleanly", target)
	}
	if err := os.Link(tmp, target); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return nil, fmt.Errorf("%s already exists: restore only into an empty data folder", target)
		}
		return nil, fmt.Errorf("restore into %s: %v", target, unwrapPath(err))
	}
	syncDir(dir)
	done = true
	return r, nil
}

// copyToTemp copies the file from to a new temporary file in dir, mode
// 0600, synced, and returns its name.
func copyToTemp(from, dir, base string) (string, error) {
	src, err := os.Open(from)
	if err != nil {
		return "", fmt.Errorf("cannot read backup %s: %v", from, unwrapPath(err))
	}
	defer src.Close()
	f, err := os.CreateTemp(dir, "."+base+".restore-*.tmp")
	if err != nil {
		return "", fmt.Errorf("cannot write in %s: %v", dir, unwrapPath(err))
	}
	_, err = io.Copy(f, src)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		removeSQLiteFiles(f.Name())
		return "", fmt.Errorf("cannot copy backup %s into %s: %v", from, dir, unwrapPath(err))
	}
	return f.Name(), nil
}

func restorePostgres(ctx context.Context, dsn string, o restoreOpts) (*RestoreReport, error) {
	from := o.from
	db, err := Open(dsn, o.k, o.logger)
	if err != nil {
		return nil, err
	}
	err = db.connect(ctx)
	if err == nil {
		err = db.checkEmpty(ctx)
	}
	db.Close()
	if err != nil {
		return nil, err
	}
	// Before anything is written: is it a pg_dump archive of an Amparo
	// database made with this master key?
	check, err := archiveKeyCheck(ctx, from)
	if err != nil {
		return nil, err
	}
	if subtle.ConstantTimeCompare(check, o.k.KeyCheck()) != 1 {
		return nil, errOtherKey(from)
	}
	var stderr bytes.Buffer
	cmd, err := pgTool(ctx, "pg_restore", dsn, "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction", from)
	if err != nil {
		return nil, err
	}
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("pg_restore failed, nothing was restored: %s", firstLine(stderr.String()))
	}
	r, err := restored(ctx, dsn, o)
	if err != nil {
		return nil, fmt.Errorf("%w (the database now holds the restored backup: drop it and create it empty before trying again)", err)
	}
	return r, nil
}

// errOtherKey refuses the backup from, made with another master key.
func errOtherKey(from string) error {
	return fmt.Errorf("%s was made with another master key: give the key the backed-up database used (AMPARO_MASTER_KEY_FILE or --master-key)", from)
}

// checkEmpty refuses a PostgreSQL database that holds any table, view or
// sequence outside the system's schemas.
func (db *DB) checkEmpty(ctx context.Context) error {
	var n int
	if err := db.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM pg_class c JOIN pg_namespace s ON s.oid = c.relnamespace
		WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S') AND s.nspname NOT IN ('pg_catalog', 'information_schema')
		AND s.nspname NOT LIKE 'pg\_toast%' AND s.nspname NOT LIKE 'pg\_temp%'`).Scan(&n); err != nil {
		return fmt.Errorf("cannot read PostgreSQL: %s", pgErrorText(err))
	}
	if n > 0 {
		return fmt.Errorf("the database is not empty (%d tables, views or sequences): restore only into a new, empty database (createdb), never over a live one", n)
	}
	return nil
}

// archiveKeyCheck reads the master key check out of a pg_dump archive's
// meta table, without restoring it.
func archiveKeyCheck(ctx context.Context, from string) ([]byte, error) {
	var stdout, stderr bytes.Buffer
	cmd, err := pgTool(ctx, "pg_restore", "", "--data-only", "--table=meta", "--file=-", from)
	if err != nil {
		return nil, err
	}
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("%s is not a readable pg_dump archive: %s", from, firstLine(stderr.String()))
	}
	// COPY text: "master_key_check<TAB>\\x<hex>" in the meta table's data.
	s := bufio.NewScanner(&stdout)
	s.Buffer(nil, 1<<20)
	for s.Scan() {
		if v, ok := strings.CutPrefix(s.Text(), "master_key_check\t\\\\x"); ok {
			if b, err := hex.DecodeString(v); err == nil {
				return b, nil
			}
		}
	}
	return nil, fmt.Errorf("%s is not an Amparo backup: its archive holds no master key check (make backups with amparo backup)", from)
}

// restored finishes a restore into the database dsn: it refuses a
// database that is not Amparo's or was made with another master key,
// migrates it forward, erases again the clients of erasures it holds,
// checks that every client opens, and verifies the audit chain.
func restored(ctx context.Context, dsn string, o restoreOpts) (*RestoreReport, error) {
	from, k := o.from, o.k
	db, err := Open(dsn, k, o.logger)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	var check []byte
	if err := db.db.QueryRowContext(ctx, "SELECT value FROM meta WHERE key = 'master_key_check'").Scan(&check); err != nil {
		return nil, fmt.Errorf("%s is not an Amparo backup: it holds no master key check (make backups with amparo backup)", from)
	}
	if subtle.ConstantTimeCompare(check, k.KeyCheck()) != 1 {
		return nil, errOtherKey(from)
	}
	if err := db.Migrate(ctx); err != nil {
		return nil, err
	}
	r := &RestoreReport{Dialect: db.Dialect()}
	if r.Reapplied, err = db.ReapplyErasures(ctx, o.erasures); err != nil {
		return nil, err
	}
	if r.Clients, err = db.openEveryClient(ctx); err != nil {
		return nil, err
	}
	if r.Audit, err = db.VerifyAuditChain(amparo.NewContextWithActor(ctx, amparo.SystemActor)); err != nil {
		return nil, fmt.Errorf("the restored audit trail does not verify: %w", err)
	}
	// Last: only a restore that passed every check adds to the log.
	if o.logTo != "" {
		if r.Logged, err = db.completeErasureLog(ctx, o.logTo, o.erasures); err != nil {
			return nil, err
		}
	}
	if db.dialect == sqliteDialect {
		// Fold the WAL into the file before it is linked into place.
		if _, err := db.db.ExecContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)"); err != nil {
			return nil, err
		}
	}
	return r, nil
}

// openEveryClient opens every client's sealed fields with the master key
// and returns how many there are: a restore that cannot read a client is
// refused.
func (db *DB) openEveryClient(ctx context.Context) (int, error) {
	rows, err := db.db.QueryContext(ctx, `SELECT c.id, k.wrapped, c.sealed FROM clients c
		LEFT JOIN client_keys k ON k.client_id = c.id ORDER BY c.id`)
	if err != nil {
		return 0, mapError(err)
	}
	defer rows.Close()
	n, bad, first := 0, 0, ""
	for rows.Next() {
		var id string
		var wrapped, sealed []byte
		if err := rows.Scan(&id, &wrapped, &sealed); err != nil {
			return 0, err
		}
		n++
		dk, err := db.cipher.OpenDataKey(id, wrapped)
		if err == nil {
			_, err = dk.Open(sealed, []byte(id))
		}
		if err != nil {
			if bad++; first == "" {
				first = id
			}
		}
	}
	if err := rows.Err(); err != nil {
		return 0, err
	}
	if bad > 0 {
		return n, fmt.Errorf("%d of %d clients do not open with this master key (the first: %s)", bad, n, first)
	}
	return n, nil
}

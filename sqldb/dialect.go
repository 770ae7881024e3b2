package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // registers "pgx"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/amparo-project/amparo"
)

// dialect holds every difference between SQLite and PostgreSQL.
type dialect struct {
	name  string // "sqlite" or "postgres", also the migrations folder
	goose goose.Dialect
	// dollar placeholders ($1, $2...) instead of ?
	dollar bool
}

var (
	sqliteDialect   = &dialect{name: "sqlite", goose: goose.DialectSQLite3}
	postgresDialect = &dialect{name: "postgres", goose: goose.DialectPostgres, dollar: true}
)

// forUpdate locks the rows a SELECT reads until the transaction ends.
// SQLite needs no clause: its write transactions are IMMEDIATE, so they
// already run one at a time.
func (d *dialect) forUpdate() string {
	if d == postgresDialect {
		return " FOR UPDATE"
	}
	return ""
}

// int64s passes a list of numbers of any length through one placeholder:
// in a statement, in is the condition "is one of them" to follow a column,
// table a table of one column, k, holding them; arg is the argument.
func (d *dialect) int64s(xs []int64) (in, table string, arg any) {
	b := make([]byte, 0, 20*len(xs)+2)
	b = append(b, '[')
	for i, x := range xs {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendInt(b, x, 10)
	}
	b = append(b, ']')
	if d == postgresDialect {
		// = ANY keeps PostgreSQL on the index whatever it guesses of the list.
		b[0], b[len(b)-1] = '{', '}'
		return " = ANY(?::bigint[])", "(SELECT unnest(?::bigint[]) AS k) AS ks", string(b)
	}
	return " IN (SELECT value FROM json_each(?))", "(SELECT value AS k FROM json_each(?)) AS ks", string(b)
}

// rebind rewrites ? placeholders for the dialect. Queries in this package
// never hold a literal question mark.
func (d *dialect) rebind(q string) string {
	if !d.dollar {
		return q
	}
	var b strings.Builder
	n := 0
	for _, r := range q {
		if r == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// openAudit opens the database named by dsn to read its audit trail and
// nothing else: a SQLite file read-only (a backup is checked as it is,
// never converted or created), a PostgreSQL database as usual.
func openAudit(dsn string) (*sql.DB, *dialect, error) {
	if path, ok := strings.CutPrefix(dsn, "sqlite:"); ok {
		path = strings.TrimPrefix(path, "//")
		if _, err := os.Stat(path); err != nil {
			return nil, nil, fmt.Errorf("no SQLite database at %s", path)
		}
		db, err := sql.Open("sqlite", "file:"+path+"?mode=ro&_pragma=busy_timeout(10000)")
		return db, sqliteDialect, err
	}
	db, d, _, err := openSQL(dsn)
	return db, d, err
}

// The connection pools' sizes: SQLite's for one process, PostgreSQL's
// for each of several.
const (
	sqliteConns   = 8
	postgresConns = 16
)

// openSQL opens the database named by dsn: "sqlite:PATH" or a
// postgres:// URL. It returns the dialect and, for SQLite, the file path.
func openSQL(dsn string) (*sql.DB, *dialect, string, error) {
	switch {
	case strings.HasPrefix(dsn, "sqlite:"):
		path := strings.TrimPrefix(strings.TrimPrefix(dsn, "sqlite:"), "//")
		if path == "" {
			return nil, nil, "", errors.New("sqlite DSN has no file path: use sqlite:PATH, such as sqlite:data/amparo.db")
		}
		if err := checkWritableDir(filepath.Dir(path)); err != nil {
			return nil, nil, "", err
		}
		// Create the file readable by its owner alone; SQLite gives its WAL
		// and shared-memory files the same mode.
		if f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o600); err != nil {
			return nil, nil, "", fmt.Errorf("cannot open SQLite database %s: %v", path, errors.Unwrap(err))
		} else {
			f.Close()
		}
		// Foreign keys on; WAL so readers never block the writer; a busy
		// timeout instead of immediate "database is locked"; IMMEDIATE
		// transactions so two writers queue rather than deadlock; secure
		// delete so erased clients' keys are overwritten in the file; a
		// 32 MB page cache, and reads through memory mapping (up to 1 GiB
		// of the file, in the system's page cache) so that the conflict
		// check's index is read without a system call per page.
		q := url.Values{}
		for _, p := range []string{"busy_timeout(10000)", "foreign_keys(1)", "journal_mode(WAL)", "synchronous(NORMAL)", "secure_delete(1)", "cache_size(-32000)", "mmap_size(1073741824)", "temp_store(MEMORY)"} {
			q.Add("_pragma", p)
		}
		q.Set("_txlock", "immediate")
		db, err := sql.Open("sqlite", "file:"+path+"?"+q.Encode())
		if err == nil {
			// A bounded pool: writers run one at a time anyway, and
			// hundreds of connections waiting on the lock only lengthen
			// every wait. Readers share the rest.
			db.SetMaxOpenConns(sqliteConns)
			db.SetMaxIdleConns(sqliteConns)
		}
		return db, sqliteDialect, path, err
	case strings.HasPrefix(dsn, "postgres://"), strings.HasPrefix(dsn, "postgresql://"):
		if _, err := pgconn.ParseConfig(dsn); err != nil {
			return nil, nil, "", fmt.Errorf("malformed PostgreSQL DSN: %s", pgErrorText(err))
		}
		db, err := sql.Open("pgx", dsn)
		if err == nil {
			// Per process: N processes hold at most N times this many of
			// the server's max_connections (100 by default).
			db.SetMaxOpenConns(postgresConns)
			db.SetMaxIdleConns(postgresConns)
			db.SetConnMaxIdleTime(5 * time.Minute)
		}
		return db, postgresDialect, "", err
	}
	return nil, nil, "", errors.New("unknown database DSN: use sqlite:PATH or postgres://USER@HOST/DBNAME")
}

// pgErrorText drops the DSN (which may hold a password) from pgx errors.
func pgErrorText(err error) string {
	msg := err.Error()
	if i := strings.LastIndex(msg, ": "); i >= 0 {
		msg = msg[i+2:]
	}
	return msg
}

// checkWritableDir creates dir if needed and proves it is writable, so a
// bad data folder fails with one clear line before SQLite says "out of
// memory" or "unable to open".
func checkWritableDir(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("cannot create data folder %s: %v", dir, errors.Unwrap(err))
	}
	f, err := os.CreateTemp(dir, ".amparo-write-check-*")
	if err != nil {
		return fmt.Errorf("data folder %s is not writable: check its owner and permissions", dir)
	}
	f.Close()
	return os.Remove(f.Name())
}

// sessionLocker serializes migrations across processes: PostgreSQL's
// advisory lock; for SQLite, a file lock beside the database.
func (d *dialect) sessionLocker() (lock.SessionLocker, error) {
	if d == postgresDialect {
		return lock.NewPostgresSessionLocker(lock.WithLockTimeout(1, 300)) // retry every second, up to 5 minutes
	}
	return nil, nil
}

// mapError turns driver errors into application errors by SQLSTATE or
// SQLite code, the same for both databases.
func mapError(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, sql.ErrNoRows) {
		return amparo.Errorf(amparo.ENOTFOUND, "not found")
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() {
		case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
			return &amparo.Error{Code: amparo.ECONFLICT, Message: "already exists"}
		case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
			return &amparo.Error{Code: amparo.EINVALID, Message: "refers to a record that does not exist"}
		case sqlite3.SQLITE_FULL:
			return errDiskFull()
		}
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch pe.Code {
		case "23505":
			return &amparo.Error{Code: amparo.ECONFLICT, Message: "already exists"}
		case "23503":
			return &amparo.Error{Code: amparo.EINVALID, Message: "refers to a record that does not exist"}
		case "53100": // disk_full
			return errDiskFull()
		}
	}
	return err
}

// errDiskFull is a write refused for want of space: the transaction was
// rolled back whole, so nothing was saved and nothing stored was harmed.
func errDiskFull() error {
	return amparo.Errorf(amparo.EUNAVAILABLE, "the disk is full: nothing was saved; free space where the database keeps its files, then try again").
		Localize("error.disk_full")
}

// afterErase removes what an erase may have left readable in the files:
// SQLite keeps old page images in the WAL until a checkpoint truncates it.
func (d *dialect) afterErase(ctx context.Context, db *sql.DB) {
	if d == sqliteDialect {
		db.ExecContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)")
	}
}

// Times are stored as fixed-width UTC text in SQLite (so they sort) and as
// timestamptz in PostgreSQL; both accept the text form.
const timeLayout = "2006-01-02T15:04:05.000000Z"

func formatTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC().Format(timeLayout)
}

// scanTime reads a time column of either database; NULL gives zero.
type scanTime struct{ t *time.Time }

func (s scanTime) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*s.t = time.Time{}
	case time.Time:
		*s.t = v.UTC()
	case string:
		return s.parse(v)
	case []byte:
		return s.parse(string(v))
	default:
		return fmt.Errorf("cannot scan %T into a time", src)
	}
	return nil
}

func (s scanTime) parse(v string) error {
	t, err := time.Parse(time.RFC3339Nano, v)
	*s.t = t.UTC()
	return err
}

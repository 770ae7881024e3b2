package sqldb

import (
	"context"
	"crypto/subtle"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/envelope"
)

//go:embed migrations
var migrations embed.FS

// cipher seals clients' personal fields: an *envelope.Keyring in
// production, a no-op in the benchmark that measures what encryption costs.
type cipher interface {
	NewDataKey(id string) (dataKey, []byte, error)
	OpenDataKey(id string, wrapped []byte) (dataKey, error)
	Tokens(field string, words []string) [][]byte
	MAC(purpose string, data []byte) []byte
	KeyCheck() []byte
}

type dataKey interface {
	Seal(plaintext, aad []byte) []byte
	Open(sealed, aad []byte) ([]byte, error)
}

// keyring adapts *envelope.Keyring to cipher.
type keyring struct{ *envelope.Keyring }

func (k keyring) NewDataKey(id string) (dataKey, []byte, error) { return k.Keyring.NewDataKey(id) }

func (k keyring) OpenDataKey(id string, wrapped []byte) (dataKey, error) {
	return k.Keyring.OpenDataKey(id, wrapped)
}

// DB is the SQL store. It implements every service of package amparo.
type DB struct {
	db      *sql.DB
	dialect *dialect
	path    string // the SQLite file, "" on PostgreSQL
	dsn     string // what Open was given, for pg_dump: it may hold a password, never log it
	cipher  cipher
	logger  *slog.Logger
	// letterAEADs holds the sealed letter fields' ciphers, by letterField
	// (letterAEAD).
	letterAEADs sync.Map
	// erasureLog is the erasure log's path, "" for none (SetErasureLog).
	erasureLog string

	// WorkshopReminder, if set (a channel is configured), writes a workshop
	// reminder's message in its reader's language; nil for none. The store
	// enqueues it in the transaction that makes it due.
	WorkshopReminder func(r *amparo.Reminder) *amparo.Message

	// Now is the clock; tests set it.
	Now func() time.Time
	// CredentialVersion is the version of the credentials letters are
	// issued with: 2 (docs/credential.md, part II) when 0. Tests set 1 to
	// make letters as Amparo issued them before version 2, for verifiers
	// and for the migration to version 2 (ReissueLetter).
	CredentialVersion int
	// JobEnqueued, if set, is called after a transaction that enqueued a
	// job due now commits: it wakes this process's job runner at once
	// (an SMS must not wait for the next poll).
	JobEnqueued func()
	// InvitationMessage, if set (e-mail is configured), makes the e-mail
	// that carries a new invitation's link; it is enqueued in the
	// invitation's transaction.
	InvitationMessage func(inv *amparo.Invitation) *amparo.Message
	// AlertMessage makes an alert's message to a responder (its text, in
	// the responder's language); the store sets the recipient, channel
	// and keys and enqueues it in the alert's transaction. Required to
	// raise an alert that has responders.
	AlertMessage func(n *amparo.AlertNotice) *amparo.Message
}

// Open opens the database named by dsn (sqlite:PATH or postgres://...)
// without changing it. Call Migrate before use.
func Open(dsn string, k *envelope.Keyring, logger *slog.Logger) (*DB, error) {
	if k == nil {
		return nil, errors.New("sqldb: a keyring is required")
	}
	db, d, path, err := openSQL(dsn)
	if err != nil {
		return nil, err
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &DB{db: db, dialect: d, path: path, dsn: dsn, cipher: keyring{k}, logger: logger, Now: time.Now}, nil
}

// Dialect returns "sqlite" or "postgres".
func (db *DB) Dialect() string { return db.dialect.name }

// Pool is the connection pool, for its metrics alone.
func (db *DB) Pool() *sql.DB { return db.db }

// Close closes the database.
func (db *DB) Close() error { return db.db.Close() }

// Ping checks that the database answers.
func (db *DB) Ping(ctx context.Context) error {
	var one int
	return db.db.QueryRowContext(ctx, "SELECT 1").Scan(&one)
}

// Migrate applies every pending migration and checks the master key. It is
// idempotent, and safe when several processes start at once: they take
// turns under a lock.
func (db *DB) Migrate(ctx context.Context) error {
	// Lock first: a new SQLite file turns to WAL on its first connection,
	// which two processes must not do at once.
	unlock, err := db.lockMigrations()
	if err != nil {
		return err
	}
	defer unlock()
	if err := db.connect(ctx); err != nil {
		return err
	}

	l, err := db.dialect.sessionLocker()
	if err != nil {
		return err
	}
	p, err := db.migrations(l)
	if err != nil {
		return err
	}
	results, err := p.Up(ctx)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	for _, r := range results {
		db.logger.Info("migration applied", "version", r.Source.Version, "duration", r.Duration)
	}
	if err := db.checkMasterKey(ctx); err != nil {
		return err
	}
	if err := db.reindexConflictNames(ctx); err != nil {
		return err
	}
	if err := db.reindexNameTokens(ctx); err != nil {
		return err
	}
	if err := db.reindexApplicantKeys(ctx); err != nil {
		return err
	}
	return db.sealLetterFields(ctx)
}

// migrations is the goose provider of the dialect's migrations, taking
// the lock l (if not nil) while it changes the schema.
func (db *DB) migrations(l lock.SessionLocker) (*goose.Provider, error) {
	fsys, err := fs.Sub(migrations, "migrations/"+db.dialect.name)
	if err != nil {
		return nil, err
	}
	opts := []goose.ProviderOption{goose.WithDisableGlobalRegistry(true)}
	if l != nil {
		opts = append(opts, goose.WithSessionLocker(l))
	}
	return goose.NewProvider(db.dialect.goose, db.db, fsys, opts...)
}

// Ready reports whether the database can serve, in one line an operator
// reads: it answers, every migration is applied, it can write (a full disk
// fails here, not at the next save), and no due job has waited longer than
// stuck (no process is running the queue).
func (db *DB) Ready(ctx context.Context, stuck time.Duration) error {
	p, err := db.migrations(nil)
	if err != nil {
		return err
	}
	if pending, err := p.HasPending(ctx); err != nil {
		return fmt.Errorf("database unreachable: %w", err)
	} else if pending {
		return errors.New("migrations pending: run amparo migrate")
	}
	err = db.inTx(amparo.NewContextWithActor(ctx, amparo.SystemActor), func(tx *Tx) error {
		if err := tx.setMeta(ctx, "ready_probe", tx.now.Format(time.RFC3339Nano)); err != nil {
			return fmt.Errorf("database cannot write: %w", err)
		}
		var waiting int
		if err := tx.queryRow(ctx, "SELECT COUNT(*) FROM jobs WHERE (state = ? AND run_at < ?) OR (state = ? AND locked_until < ?)",
			string(amparo.JobPending), formatTime(tx.now.Add(-stuck)), string(amparo.JobRunning), formatTime(tx.now.Add(-stuck))).Scan(&waiting); err != nil {
			return mapError(err)
		}
		if waiting > 0 {
			return fmt.Errorf("job queue stuck: %d jobs due more than %v ago", waiting, stuck)
		}
		return nil
	})
	// On SQLite a full disk is found at the commit, when the WAL grows.
	if amparo.ErrorCode(err) == amparo.EUNAVAILABLE {
		return fmt.Errorf("database cannot write: %s", amparo.ErrorMessage(err))
	}
	return err
}

// connect turns "cannot reach the database" into one clear line.
func (db *DB) connect(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	if err := db.Ping(ctx); err != nil {
		if db.dialect == postgresDialect {
			return fmt.Errorf("cannot reach PostgreSQL: %s (is the server running, and are host, port, user and database in the DSN right?)", pgErrorText(err))
		}
		return fmt.Errorf("cannot open SQLite database %s: %v", db.path, err)
	}
	return nil
}

// lockMigrations holds a file lock beside a SQLite database while it
// migrates, so two processes never apply the same migration; PostgreSQL
// uses goose's advisory lock instead.
func (db *DB) lockMigrations() (unlock func(), err error) {
	if db.path == "" {
		return func() {}, nil
	}
	f, err := os.OpenFile(db.path+".migrate-lock", os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		f.Close()
		return nil, err
	}
	return func() { syscall.Flock(int(f.Fd()), syscall.LOCK_UN); f.Close() }, nil
}

// ErrWrongMasterKey means the master key is not the one this database was
// created with.
var ErrWrongMasterKey = errors.New("the master key does not match this database: use the key file it was created with (AMPARO_MASTER_KEY_FILE or the data folder's master.key); a new key cannot read existing clients")

// checkMasterKey stores the key check value on first use and refuses a
// different key afterwards, so a wrong key fails with a clear error rather
// than unreadable clients.
func (db *DB) checkMasterKey(ctx context.Context) error {
	want := db.cipher.KeyCheck()
	if _, err := db.db.ExecContext(ctx, db.dialect.rebind(
		"INSERT INTO meta (key, value) VALUES ('master_key_check', ?) ON CONFLICT (key) DO NOTHING"), want); err != nil {
		return err
	}
	var got []byte
	if err := db.db.QueryRowContext(ctx, "SELECT value FROM meta WHERE key = 'master_key_check'").Scan(&got); err != nil {
		return err
	}
	if subtle.ConstantTimeCompare(got, want) != 1 {
		return ErrWrongMasterKey
	}
	return nil
}

// Tx is a transaction that knows its dialect and actor.
type Tx struct {
	*sql.Tx
	db    *DB
	now   time.Time
	actor amparo.Actor
	stmts map[string]*sql.Stmt // see prepared
	// submitting is set while a public intake form submits (checkIntakeOrg).
	submitting bool
	// jobDue is set when the transaction enqueued a job due now.
	jobDue bool
}

// prepared returns q prepared once in the transaction, for statements run
// for every row of a batch: SQLite then parses them once, not per row.
// They close with the transaction.
func (tx *Tx) prepared(ctx context.Context, q string) (*sql.Stmt, error) {
	if st, ok := tx.stmts[q]; ok {
		return st, nil
	}
	st, err := tx.PrepareContext(ctx, tx.db.dialect.rebind(q))
	if err != nil {
		return nil, mapError(err)
	}
	if tx.stmts == nil {
		tx.stmts = map[string]*sql.Stmt{}
	}
	tx.stmts[q] = st
	return st, nil
}

func (tx *Tx) exec(ctx context.Context, q string, args ...any) (sql.Result, error) {
	r, err := tx.ExecContext(ctx, tx.db.dialect.rebind(q), args...)
	return r, mapError(err)
}

func (tx *Tx) query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	rows, err := tx.QueryContext(ctx, tx.db.dialect.rebind(q), args...)
	return rows, mapError(err)
}

func (tx *Tx) queryRow(ctx context.Context, q string, args ...any) *sql.Row {
	return tx.QueryRowContext(ctx, tx.db.dialect.rebind(q), args...)
}

// queryIDs runs q, which selects one text column, and returns its values
// with the rows closed, for statements to run on each.
func (tx *Tx) queryIDs(ctx context.Context, q string, args ...any) ([]string, error) {
	rows, err := tx.query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, mapError(err)
		}
		ids = append(ids, id)
	}
	return ids, mapError(rows.Err())
}

// audit appends an event in the same transaction as the change it records,
// chained to the one before it. Locking the chain's head makes concurrent
// writers append one at a time, in the order of their sequence numbers.
// The action names the type of the record recordID is.
func (tx *Tx) audit(ctx context.Context, action amparo.AuditAction, recordID string) error {
	var prev []byte
	if err := tx.queryRow(ctx, "SELECT hash FROM audit_head WHERE id = 1"+tx.db.dialect.forUpdate()).Scan(&prev); err != nil {
		return mapError(err)
	}
	e := &amparo.AuditEvent{At: tx.now, ActorID: tx.actor.ID, ActorRole: tx.actor.Role, OrganizationID: tx.actor.OrganizationID,
		Action: action, RecordType: action.RecordType(), RecordID: recordID}
	h := chainHash(prev, e)
	if _, err := tx.exec(ctx, `INSERT INTO audit_events
		(at, actor_id, actor_role, organization_id, action, record_type, record_id, hash)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		formatTime(e.At), e.ActorID, string(e.ActorRole), e.OrganizationID, string(e.Action), e.RecordType, e.RecordID, h); err != nil {
		return err
	}
	if err := tx.countAudit(ctx, e); err != nil {
		return err
	}
	_, err := tx.exec(ctx, "UPDATE audit_head SET hash = ? WHERE id = 1", h)
	return err
}

// inTx runs fn in a transaction as the context's actor; an actor is
// required for every operation.
func (db *DB) inTx(ctx context.Context, fn func(tx *Tx) error) error {
	return db.begin(ctx, nil, fn)
}

// inReadTx is inTx for a reading that writes nothing (not even an audit
// event): on SQLite it does not take the write lock, so readers never
// queue behind writers (WAL lets them read side by side).
func (db *DB) inReadTx(ctx context.Context, fn func(tx *Tx) error) error {
	return db.begin(ctx, &sql.TxOptions{ReadOnly: true}, fn)
}

func (db *DB) begin(ctx context.Context, opts *sql.TxOptions, fn func(tx *Tx) error) error {
	actor, ok := amparo.ActorFromContext(ctx)
	if !ok {
		return amparo.Errorf(amparo.EUNAUTHORIZED, "no actor in context")
	}
	sqlTx, err := db.db.BeginTx(ctx, opts)
	if err != nil {
		return mapError(err)
	}
	// Rolled back on every way out but a commit, a panic included: a
	// panic must not leave the transaction to the context's cancellation.
	// After a commit, Rollback does nothing (sql.ErrTxDone).
	defer sqlTx.Rollback()
	tx := &Tx{Tx: sqlTx, db: db, now: db.Now().UTC().Truncate(time.Microsecond), actor: actor}
	if err := fn(tx); err != nil {
		return err
	}
	if err := sqlTx.Commit(); err != nil {
		return mapError(err)
	}
	if tx.jobDue && db.JobEnqueued != nil {
		db.JobEnqueued()
	}
	return nil
}

// window is where a page of a list of n rows, in an order, starts and how
// long it is, read from whichever end is nearer: a page past the middle is
// read in the reverse order (reverse true), so the last page costs what
// the first does, not a skip over every row before it.
func window(offset, limit, n int) (off, lim int, reverse bool) {
	end := min(offset+limit, n)
	if limit <= 0 || offset <= n/2 || end <= offset {
		return offset, limit, false
	}
	return n - end, end - offset, true
}

// flipSort is the sort that lists the rows of sort in the reverse order:
// "-" added or taken away.
func flipSort(sort string) string {
	if rest, ok := strings.CutPrefix(sort, "-"); ok {
		return rest
	}
	return "-" + sort
}

// page applies a filter's offset and limit.
func page(q string, offset, limit int) string {
	if limit <= 0 || limit > 1000 {
		limit = 1000
	}
	return fmt.Sprintf("%s LIMIT %d OFFSET %d", q, limit, max(offset, 0))
}

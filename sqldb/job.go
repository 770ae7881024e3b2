package sqldb

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"github.com/amparo-project/amparo"
)

// The job queue. A job is a row: enqueued in the transaction of the event
// that causes it (tx.enqueue), claimed by one worker at a time for a
// lease, and done, retried later, or failed for good. On PostgreSQL
// workers claim with FOR UPDATE SKIP LOCKED, so several processes take
// different jobs without waiting on each other; on SQLite write
// transactions already run one at a time. A worker that dies leaves its
// jobs running until their lease ends; then another claims them: each job
// runs at least once, and a handler makes a second run harmless.

const maxJobError = 2000 // bytes of an attempt's error kept

// jobAdmin refuses anyone but the operator and the program office.
func (tx *Tx) jobAdmin() error {
	if !tx.actor.RunsProgram() {
		return amparo.Errorf(amparo.EFORBIDDEN, "Only the program office sees the job queue.")
	}
	return nil
}

// enqueue stores j in tx: it runs only if tx commits. A job whose
// UniqueKey is stored already is not stored again (false).
func (tx *Tx) enqueue(ctx context.Context, j *amparo.Job) (bool, error) {
	if j.Kind == "" {
		return false, amparo.Invalid("kind", "A job needs a kind.")
	}
	if j.Args == nil {
		j.Args = []byte("{}")
	}
	if j.MaxAttempts <= 0 {
		j.MaxAttempts = 10
	}
	if j.RunAt.IsZero() {
		j.RunAt = tx.now
	}
	j.ID, j.State, j.Attempt, j.CreatedAt, j.UpdatedAt = amparo.NewID(), amparo.JobPending, 0, tx.now, tx.now
	var unique any
	if j.UniqueKey != "" {
		unique = j.UniqueKey
	}
	res, err := tx.exec(ctx, `INSERT INTO jobs (id, kind, args, unique_key, state, attempt, max_attempts, run_at, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, 0, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
		j.ID, j.Kind, string(j.Args), unique, string(j.State), j.MaxAttempts, formatTime(j.RunAt), formatTime(tx.now), formatTime(tx.now))
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	if err != nil || n == 0 {
		return false, err
	}
	// One notification a transaction: PostgreSQL delivers one anyway.
	if !j.RunAt.After(tx.now) && !tx.jobDue {
		tx.jobDue = true
		if err := tx.notifyJobs(ctx); err != nil {
			return false, err
		}
	}
	return true, nil
}

func (db *DB) EnqueueJob(ctx context.Context, j *amparo.Job) (bool, error) {
	var stored bool
	err := db.inTx(ctx, func(tx *Tx) error {
		if err := tx.jobAdmin(); err != nil {
			return err
		}
		var err error
		stored, err = tx.enqueue(ctx, j)
		return err
	})
	return stored, err
}

const jobColumns = `id, kind, args, unique_key, state, attempt, max_attempts, run_at, locked_by, locked_until, last_error, created_at, updated_at`

func scanJob(sc interface{ Scan(...any) error }) (*amparo.Job, error) {
	var j amparo.Job
	var args string
	var unique sql.NullString
	if err := sc.Scan(&j.ID, &j.Kind, &args, &unique, &j.State, &j.Attempt, &j.MaxAttempts, scanTime{&j.RunAt}, &j.LockedBy,
		scanTime{&j.LockedUntil}, &j.LastError, scanTime{&j.CreatedAt}, scanTime{&j.UpdatedAt}); err != nil {
		return nil, err
	}
	j.Args, j.UniqueKey = []byte(args), unique.String
	return &j, nil
}

func (db *DB) ClaimJobs(ctx context.Context, worker string, kinds []string, n int, lease time.Duration) ([]*amparo.Job, error) {
	if len(kinds) == 0 || n <= 0 {
		return nil, nil
	}
	var out []*amparo.Job
	err := db.inTx(ctx, func(tx *Tx) error {
		if err := tx.jobAdmin(); err != nil {
			return err
		}
		skipLocked := ""
		if db.dialect == postgresDialect {
			skipLocked = " FOR UPDATE SKIP LOCKED"
		}
		now := formatTime(tx.now)
		args := []any{string(amparo.JobRunning), worker, formatTime(tx.now.Add(lease)), now}
		for _, k := range kinds {
			args = append(args, k)
		}
		args = append(args, string(amparo.JobPending), now, string(amparo.JobRunning), now, n)
		rows, err := tx.query(ctx, `UPDATE jobs SET state = ?, attempt = attempt + 1, locked_by = ?, locked_until = ?, updated_at = ?
			WHERE id IN (SELECT id FROM jobs WHERE kind IN (?`+strings.Repeat(", ?", len(kinds)-1)+`)
				AND ((state = ? AND run_at <= ?) OR (state = ? AND locked_until < ?))
				ORDER BY run_at, id LIMIT ?`+skipLocked+`)
			RETURNING `+jobColumns, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			j, err := scanJob(rows)
			if err != nil {
				return err
			}
			out = append(out, j)
		}
		return rows.Err()
	})
	return out, err
}

// finishJob changes a job worker holds, or answers ECONFLICT.
func (db *DB) finishJob(ctx context.Context, id, worker, set string, args ...any) error {
	return db.inTx(ctx, func(tx *Tx) error {
		if err := tx.jobAdmin(); err != nil {
			return err
		}
		res, err := tx.exec(ctx, "UPDATE jobs SET "+set+", locked_by = '', locked_until = NULL, updated_at = ? WHERE id = ? AND state = ? AND locked_by = ?",
			append(args, formatTime(tx.now), id, string(amparo.JobRunning), worker)...)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return amparo.Errorf(amparo.ECONFLICT, "Job %s is not held by this worker: its lease ended.", id)
		}
		return nil
	})
}

func (db *DB) CompleteJob(ctx context.Context, id, worker string) error {
	return db.finishJob(ctx, id, worker, "state = ?", string(amparo.JobDone))
}

func (db *DB) FailJob(ctx context.Context, id, worker, msg string, retryAt time.Time) error {
	if len(msg) > maxJobError {
		msg = msg[:maxJobError]
	}
	return db.finishJob(ctx, id, worker,
		"state = CASE WHEN attempt >= max_attempts THEN ? ELSE ? END, last_error = ?, run_at = ?",
		string(amparo.JobFailed), string(amparo.JobPending), msg, formatTime(retryAt))
}

func (db *DB) RetryJob(ctx context.Context, id string) error {
	return db.inTx(ctx, func(tx *Tx) error {
		if err := tx.jobAdmin(); err != nil {
			return err
		}
		var state string
		if err := tx.queryRow(ctx, "SELECT state FROM jobs WHERE id = ?", id).Scan(&state); err != nil {
			return mapError(err)
		}
		if state != string(amparo.JobFailed) {
			return amparo.Errorf(amparo.ECONFLICT, "Job %s is %s: only a failed job is retried.", id, state)
		}
		_, err := tx.exec(ctx, "UPDATE jobs SET state = ?, attempt = 0, run_at = ?, updated_at = ? WHERE id = ?",
			string(amparo.JobPending), formatTime(tx.now), formatTime(tx.now), id)
		return err
	})
}

func (db *DB) FindJobs(ctx context.Context, f amparo.JobFilter) ([]*amparo.Job, int, error) {
	var out []*amparo.Job
	var n int
	err := db.inTx(ctx, func(tx *Tx) error {
		if err := tx.jobAdmin(); err != nil {
			return err
		}
		where, args := "WHERE 1 = 1", []any{}
		if f.State != "" {
			where, args = where+" AND state = ?", append(args, string(f.State))
		}
		if f.Kind != "" {
			where, args = where+" AND kind = ?", append(args, f.Kind)
		}
		if err := tx.queryRow(ctx, "SELECT COUNT(*) FROM jobs "+where, args...).Scan(&n); err != nil {
			return mapError(err)
		}
		rows, err := tx.query(ctx, page("SELECT "+jobColumns+" FROM jobs "+where+" ORDER BY created_at DESC, id DESC", f.Offset, f.Limit), args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			j, err := scanJob(rows)
			if err != nil {
				return err
			}
			out = append(out, j)
		}
		return rows.Err()
	})
	return out, n, err
}

var _ amparo.JobService = (*DB)(nil)

// JobQueue is the queue's size by state and how long the oldest due job
// has waited, for metrics.
func (db *DB) JobQueue(ctx context.Context) (map[amparo.JobState]int, time.Duration, error) {
	counts := map[amparo.JobState]int{}
	var oldest time.Duration
	err := db.inTx(ctx, func(tx *Tx) error {
		if err := tx.jobAdmin(); err != nil {
			return err
		}
		rows, err := tx.query(ctx, "SELECT state, COUNT(*) FROM jobs GROUP BY state")
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var state string
			var n int
			if err := rows.Scan(&state, &n); err != nil {
				return err
			}
			counts[amparo.JobState(state)] = n
		}
		if err := rows.Err(); err != nil {
			return err
		}
		var due time.Time
		if err := tx.queryRow(ctx, "SELECT MIN(run_at) FROM jobs WHERE state = ? AND run_at <= ?",
			string(amparo.JobPending), formatTime(tx.now)).Scan(scanTime{&due}); err != nil {
			return mapError(err)
		}
		if !due.IsZero() {
			oldest = tx.now.Sub(due)
		}
		return nil
	})
	return counts, oldest, err
}

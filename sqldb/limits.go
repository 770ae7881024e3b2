package sqldb

import (
	"context"
	"strings"
	"time"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/auth"
)

// The limiters' entries in the database (auth.LimitStore), so that every
// process serving counts the same attempts: on PostgreSQL the entries of
// an attempt are locked for its check (rows created first, so there is a
// row to lock), on SQLite the write transaction runs alone.

// UpdateLimits runs fn on the entries of k and keeps what it leaves.
func (db *DB) UpdateLimits(ctx context.Context, k auth.LimitKeys, now time.Time, fn func(*auth.Limits)) error {
	type entry struct {
		key    []byte
		backof *auth.Backoff
		bucket *auth.Bucket
	}
	var e auth.Limits
	var entries []entry
	for _, x := range []struct {
		k [16]byte
		b *auth.Backoff
		u *auth.Bucket
	}{{k.Pair, &e.Pair, nil}, {k.Account, &e.Account, nil}, {k.Addr, nil, &e.Addr}} {
		if x.k != ([16]byte{}) {
			entries = append(entries, entry{db.cipher.MAC("limits", x.k[:]), x.b, x.u})
		}
	}
	if len(entries) == 0 {
		fn(&e)
		return nil
	}
	return db.inTx(amparo.NewContextWithActor(ctx, amparo.SystemActor), func(tx *Tx) error {
		args := make([]any, len(entries))
		for i, en := range entries {
			args[i] = en.key
			if _, err := tx.exec(ctx, "INSERT INTO limits (key, updated_at) VALUES (?, ?) ON CONFLICT DO NOTHING", en.key, formatTime(now)); err != nil {
				return err
			}
		}
		rows, err := tx.query(ctx, "SELECT key, failures, last, tokens, at FROM limits WHERE key IN (?"+
			strings.Repeat(", ?", len(entries)-1)+") ORDER BY key"+tx.db.dialect.forUpdate(), args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var key []byte
			var b auth.Backoff
			var u auth.Bucket
			if err := rows.Scan(&key, &b.Failures, scanTime{&b.Last}, &u.Tokens, scanTime{&u.At}); err != nil {
				return err
			}
			for _, en := range entries {
				if string(en.key) != string(key) {
					continue
				}
				if en.backof != nil {
					*en.backof = b
				} else {
					*en.bucket = u
				}
			}
		}
		if err := rows.Err(); err != nil {
			return err
		}
		rows.Close()
		fn(&e)
		for _, en := range entries {
			var b auth.Backoff
			var u auth.Bucket
			if en.backof != nil {
				b = *en.backof
			} else {
				u = *en.bucket
			}
			if _, err := tx.exec(ctx, "UPDATE limits SET failures = ?, last = ?, tokens = ?, at = ?, updated_at = ? WHERE key = ?",
				b.Failures, nullTime(b.Last), u.Tokens, nullTime(u.At), formatTime(now), en.key); err != nil {
				return err
			}
		}
		return nil
	})
}

// nullTime is t for the database, NULL when zero.
func nullTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return formatTime(t)
}

// PruneLimits deletes the limiters' entries untouched since before: their
// failures are forgotten and their tokens refilled by then.
func (db *DB) PruneLimits(ctx context.Context, before time.Time) (int, error) {
	var n int64
	err := db.inTx(ctx, func(tx *Tx) error {
		if !tx.actor.RunsProgram() {
			return amparo.Errorf(amparo.EFORBIDDEN, "Only the operator prunes the limits.")
		}
		res, err := tx.exec(ctx, "DELETE FROM limits WHERE updated_at < ?", formatTime(before))
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return int(n), err
}

var _ auth.LimitStore = (*DB)(nil)

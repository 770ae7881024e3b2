package sqldb

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/binary"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/amparo-project/amparo"
)

var _ amparo.AuditService = (*DB)(nil)

// FindAuditEvents lists audit events, oldest first unless f.Sort says
// otherwise, each with the name of its actor's account (a letter's
// approver is named, not just an ID) and of its record where that name is
// in clear; auditors, the program office and the system only.
func (db *DB) FindAuditEvents(ctx context.Context, f amparo.AuditFilter) ([]*amparo.AuditEvent, int, error) {
	var out []*amparo.AuditEvent
	var n int
	err := db.inTx(ctx, func(tx *Tx) error {
		where, args, desc, actors, err := tx.auditSelection(ctx, f)
		if err != nil {
			return err
		}
		if where == "" {
			return nil
		}
		if n, err = tx.countAuditEvents(ctx, f, where, args, actors); err != nil {
			return err
		}
		// A page past the middle is read from the other end: the last
		// page of a long trail skips a few rows, not all of them.
		limit := f.Limit
		if limit <= 0 || limit > 1000 {
			limit = 1000
		}
		offset, reverse := max(f.Offset, 0), false
		if offset >= n {
			return nil
		}
		if offset > n/2 {
			reverse, desc = true, !desc
			offset, limit = max(n-offset-limit, 0), min(limit, n-offset)
		}
		order := auditOrder(desc)
		// The window is chosen first, and only its rows are joined to the
		// names: the rows an offset skips are never looked up.
		rows, err := tx.query(ctx, auditSelect+" FROM ("+page("SELECT * FROM audit_events e "+where+" ORDER BY "+order, offset, limit)+") e "+auditJoins+" ORDER BY "+order, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			e, err := scanAuditEvent(rows)
			if err != nil {
				return err
			}
			out = append(out, e)
		}
		if reverse {
			slices.Reverse(out)
		}
		return rows.Err()
	})
	return out, n, err
}

// ExportAuditEvents records the export, then reads every event f matches.
func (db *DB) ExportAuditEvents(ctx context.Context, f amparo.AuditFilter, each func(*amparo.AuditEvent) error) error {
	if err := db.inTx(ctx, func(tx *Tx) error {
		if _, _, _, err := tx.auditWhere(ctx, f); err != nil {
			return err
		}
		return tx.audit(ctx, amparo.AuditAuditExport, "")
	}); err != nil {
		return err
	}
	// A read of its own: a slow download must not hold the chain's lock.
	return db.inTx(ctx, func(tx *Tx) error {
		where, args, desc, err := tx.auditWhere(ctx, f)
		if err != nil || where == "" {
			return err
		}
		rows, err := tx.query(ctx, auditSelect+" FROM audit_events e "+auditJoins+" "+where+" ORDER BY "+auditOrder(desc), args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			e, err := scanAuditEvent(rows)
			if err != nil {
				return err
			}
			if err := each(e); err != nil {
				return err
			}
		}
		return rows.Err()
	})
}

// auditWhere is the WHERE clause selecting f's events, and whether they
// are read newest first; "" when no event can match (an actor's name
// that is nobody's). Only the audit trail's readers get one.
func (tx *Tx) auditWhere(ctx context.Context, f amparo.AuditFilter) (where string, args []any, desc bool, err error) {
	where, args, desc, _, err = tx.auditSelection(ctx, f)
	return where, args, desc, err
}

// auditSelection is auditWhere, with the IDs of the actors it names (by
// f.ActorID or f.ActorName; nil for any actor).
func (tx *Tx) auditSelection(ctx context.Context, f amparo.AuditFilter) (where string, args []any, desc bool, actors []any, err error) {
	if !tx.actor.ReadsAudit() {
		return "", nil, false, nil, amparo.Errorf(amparo.EFORBIDDEN, "only auditors read the audit trail")
	}
	switch f.Sort {
	case "", amparo.AuditOldestFirst:
	case amparo.AuditNewestFirst:
		desc = true
	default:
		return "", nil, false, nil, amparo.Invalid("sort", "audit events sort by time only").Localize("list.bad_sort")
	}
	where = "WHERE 1 = 1"
	for _, c := range []struct{ col, v string }{
		{"actor_id", f.ActorID}, {"action", string(f.Action)}, {"record_type", f.RecordType}, {"record_id", f.RecordID},
	} {
		if c.v != "" {
			where, args = where+" AND e."+c.col+" = ?", append(args, c.v)
		}
	}
	if !f.Since.IsZero() {
		where, args = where+" AND e.at >= ?", append(args, formatTime(f.Since))
	}
	if !f.Until.IsZero() {
		where, args = where+" AND e.at < ?", append(args, formatTime(f.Until))
	}
	if f.ActorName != "" {
		// Account names are staff names, kept in clear; the accounts are
		// few, so the ones named are found first and the events read by
		// their actor index (one account: in time order, unsorted).
		rows, err := tx.query(ctx, `SELECT id FROM accounts WHERE LOWER(name) LIKE ? ESCAPE '\' ORDER BY id`,
			"%"+likeEscaper.Replace(strings.ToLower(f.ActorName))+"%")
		if err != nil {
			return "", nil, false, nil, err
		}
		defer rows.Close()
		var ids []any
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				return "", nil, false, nil, err
			}
			ids = append(ids, id)
		}
		if err := rows.Err(); err != nil {
			return "", nil, false, nil, err
		}
		if len(ids) == 0 {
			return "", nil, desc, nil, nil
		}
		where += " AND e.actor_id IN (" + strings.TrimSuffix(strings.Repeat("?, ", len(ids)), ", ") + ")"
		args, actors = append(args, ids...), ids
	}
	if f.ActorID != "" {
		actors = []any{f.ActorID}
	}
	return where, args, desc, actors, nil
}

// countAuditEvents counts the events of f (selected by where and args):
// whole hours from audit_counts, the hours a date cuts into from the
// events themselves. A filter by record counts the events (the record
// index finds few).
func (tx *Tx) countAuditEvents(ctx context.Context, f amparo.AuditFilter, where string, args []any, actors []any) (int, error) {
	exact := func(more string, extra ...any) (int, error) {
		var n int
		err := tx.queryRow(ctx, "SELECT COUNT(*) FROM audit_events e "+where+more, append(slices.Clone(args), extra...)...).Scan(&n)
		return n, mapError(err)
	}
	lo, hi := f.Since, f.Until
	if !lo.IsZero() && !lo.Equal(lo.Truncate(time.Hour)) {
		lo = lo.Truncate(time.Hour).Add(time.Hour)
	}
	if !hi.IsZero() {
		hi = hi.Truncate(time.Hour)
	}
	if f.RecordType != "" || f.RecordID != "" || (!lo.IsZero() && !hi.IsZero() && !lo.Before(hi)) {
		return exact("")
	}
	q, qargs := "SELECT CAST(COALESCE(SUM(n), 0) AS BIGINT) FROM audit_counts c WHERE 1 = 1", []any{}
	if f.Action != "" {
		q, qargs = q+" AND c.action = ?", append(qargs, string(f.Action))
	}
	if actors != nil {
		q, qargs = q+" AND c.actor_id IN ("+strings.TrimSuffix(strings.Repeat("?, ", len(actors)), ", ")+")", append(qargs, actors...)
	}
	if !lo.IsZero() {
		q, qargs = q+" AND c.hour >= ?", append(qargs, formatTime(lo))
	}
	if !hi.IsZero() {
		q, qargs = q+" AND c.hour < ?", append(qargs, formatTime(hi))
	}
	var n int64
	if err := tx.queryRow(ctx, q, qargs...).Scan(&n); err != nil {
		return 0, mapError(err)
	}
	total := int(n)
	if !lo.IsZero() && !lo.Equal(f.Since) { // the hour the start cuts into
		m, err := exact(" AND e.at < ?", formatTime(lo))
		if err != nil {
			return 0, err
		}
		total += m
	}
	if !hi.IsZero() && !hi.Equal(f.Until) { // the hour the end cuts into
		m, err := exact(" AND e.at >= ?", formatTime(hi))
		if err != nil {
			return 0, err
		}
		total += m
	}
	return total, nil
}

// countAudit adds an appended event to its hour's count.
func (tx *Tx) countAudit(ctx context.Context, e *amparo.AuditEvent) error {
	_, err := tx.exec(ctx, `INSERT INTO audit_counts (hour, action, actor_id, n) VALUES (?, ?, ?, 1)
		ON CONFLICT (hour, action, actor_id) DO UPDATE SET n = audit_counts.n + 1`,
		formatTime(e.At.Truncate(time.Hour)), string(e.Action), e.ActorID)
	return err
}

// auditOrder is the events' order: by time, then by their place in the
// chain (two events of one transaction share a time).
func auditOrder(desc bool) string {
	if desc {
		return "e.at DESC, e.seq DESC"
	}
	return "e.at, e.seq"
}

var likeEscaper = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)

// auditSelect and auditJoins read an event with its actor's name and its
// record's name, where the record has one in clear.
const (
	auditSelect = `SELECT e.seq, e.at, e.actor_id, e.actor_role, e.organization_id, e.action, e.record_type, e.record_id,
		COALESCE(a.name, ''), COALESCE(o.name, ra.name, m.name, ap.reference, '')`
	auditJoins = `LEFT JOIN accounts a ON a.id = e.actor_id
		LEFT JOIN organizations o ON e.record_type = 'organization' AND o.id = e.record_id
		LEFT JOIN accounts ra ON e.record_type = 'account' AND ra.id = e.record_id
		LEFT JOIN members m ON e.record_type = 'member' AND m.id = e.record_id
		LEFT JOIN applicants ap ON e.record_type = 'applicant' AND ap.id = e.record_id`
)

func scanAuditEvent(rows *sql.Rows) (*amparo.AuditEvent, error) {
	var e amparo.AuditEvent
	err := rows.Scan(&e.Seq, scanTime{&e.At}, &e.ActorID, &e.ActorRole, &e.OrganizationID, &e.Action, &e.RecordType, &e.RecordID,
		&e.ActorName, &e.RecordName)
	return &e, err
}

// chainHash is SHA-256 over the previous event's hash and the event's
// fields, each length-prefixed so no two events encode alike. The time is
// taken at microsecond precision, as both databases store it.
func chainHash(prev []byte, e *amparo.AuditEvent) []byte {
	h := sha256.New()
	h.Write(prev)
	var n [binary.MaxVarintLen64]byte
	for _, f := range []string{e.At.UTC().Format(timeLayout), e.ActorID, string(e.ActorRole), e.OrganizationID, string(e.Action), e.RecordType, e.RecordID} {
		h.Write(n[:binary.PutUvarint(n[:], uint64(len(f)))])
		h.Write([]byte(f))
	}
	return h.Sum(nil)
}

// AuditChain is what VerifyAuditChain found.
type AuditChain struct {
	Events int64
	Head   []byte // the last event's hash: record it elsewhere to detect a rewritten trail
}

// VerifyAuditChain recomputes the hash chain over every event in order. It
// fails at the first event that was edited, or that follows a deleted or
// moved one, and when the last events were deleted.
// OpenAuditTrail opens the database named by dsn to verify its audit
// trail, without the master key (the chain holds no sealed data) and
// without changing it: an auditor checks a backup with nothing else.
func OpenAuditTrail(dsn string) (*DB, error) {
	db, d, err := openAudit(dsn)
	if err != nil {
		return nil, err
	}
	return &DB{db: db, dialect: d, logger: slog.New(slog.DiscardHandler), Now: time.Now}, nil
}

func (db *DB) VerifyAuditChain(ctx context.Context) (*AuditChain, error) {
	if a, ok := amparo.ActorFromContext(ctx); !ok || !a.VerifiesAudit() {
		return nil, amparo.Errorf(amparo.EFORBIDDEN, "only auditors verify the audit trail")
	}
	rows, err := db.db.QueryContext(ctx, `SELECT seq, at, actor_id, actor_role, organization_id, action, record_type, record_id, hash
		FROM audit_events ORDER BY seq`)
	if err != nil {
		return nil, fmt.Errorf("no audit trail to read (is this an Amparo database?): %w", err)
	}
	defer rows.Close()
	c := &AuditChain{Head: make([]byte, sha256.Size)}
	var e amparo.AuditEvent
	var stored []byte
	for rows.Next() {
		if err := rows.Scan(&e.Seq, scanTime{&e.At}, &e.ActorID, &e.ActorRole, &e.OrganizationID, &e.Action, &e.RecordType, &e.RecordID, &stored); err != nil {
			return nil, err
		}
		if want := chainHash(c.Head, &e); !bytes.Equal(want, stored) {
			return c, fmt.Errorf("audit event %d breaks the chain: it was edited, or an event before it was deleted or moved (%d events verified before it)", e.Seq, c.Events)
		}
		c.Head = stored
		c.Events++
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	var head []byte
	if err := db.db.QueryRowContext(ctx, "SELECT hash FROM audit_head WHERE id = 1").Scan(&head); err != nil {
		return nil, err
	}
	if !bytes.Equal(head, c.Head) {
		return c, fmt.Errorf("the audit trail ends at event %d, but its head says more events were written: the last events were deleted", e.Seq)
	}
	return c, nil
}

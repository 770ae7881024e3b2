package sqldb

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"fmt"

	"github.com/amparo-project/amparo"
)

var _ amparo.AuditService = (*DB)(nil)

// FindAuditEvents lists audit events, oldest first, each with the name of
// its actor's account (a letter's approver is named, not just an ID);
// auditors, the program office and the system only.
func (db *DB) FindAuditEvents(ctx context.Context, f amparo.AuditFilter) ([]*amparo.AuditEvent, int, error) {
	var out []*amparo.AuditEvent
	var n int
	err := db.inTx(ctx, func(tx *Tx) error {
		if !tx.actor.ReadsAudit() {
			return amparo.Errorf(amparo.EFORBIDDEN, "only auditors read the audit trail")
		}
		where, args := "WHERE 1 = 1", []any{}
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
		if err := tx.queryRow(ctx, "SELECT COUNT(*) FROM audit_events e "+where, args...).Scan(&n); err != nil {
			return mapError(err)
		}
		rows, err := tx.query(ctx, page(`SELECT e.seq, e.at, e.actor_id, e.actor_role, e.organization_id, e.action, e.record_type, e.record_id,
			COALESCE(a.name, '') FROM audit_events e LEFT JOIN accounts a ON a.id = e.actor_id `+where+" ORDER BY e.seq", f.Offset, f.Limit), args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var e amparo.AuditEvent
			if err := rows.Scan(&e.Seq, scanTime{&e.At}, &e.ActorID, &e.ActorRole, &e.OrganizationID, &e.Action, &e.RecordType, &e.RecordID, &e.ActorName); err != nil {
				return err
			}
			out = append(out, &e)
		}
		return rows.Err()
	})
	return out, n, err
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
func (db *DB) VerifyAuditChain(ctx context.Context) (*AuditChain, error) {
	if a, ok := amparo.ActorFromContext(ctx); !ok || !a.VerifiesAudit() {
		return nil, amparo.Errorf(amparo.EFORBIDDEN, "only auditors verify the audit trail")
	}
	rows, err := db.db.QueryContext(ctx, `SELECT seq, at, actor_id, actor_role, organization_id, action, record_type, record_id, hash
		FROM audit_events ORDER BY seq`)
	if err != nil {
		return nil, err
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

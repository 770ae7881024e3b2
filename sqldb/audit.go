package sqldb

import (
	"context"

	"github.com/amparo-project/amparo"
)

var _ amparo.AuditService = (*DB)(nil)

// FindAuditEvents lists audit events, oldest first; auditors, the program
// office and the system only.
func (db *DB) FindAuditEvents(ctx context.Context, f amparo.AuditFilter) ([]*amparo.AuditEvent, int, error) {
	var out []*amparo.AuditEvent
	var n int
	err := db.inTx(ctx, func(tx *Tx) error {
		switch tx.actor.Role {
		case amparo.RoleSystem, amparo.RoleAuditor, amparo.RoleProgramAdmin:
		default:
			return amparo.Errorf(amparo.EFORBIDDEN, "only auditors read the audit trail")
		}
		where, args := "WHERE 1 = 1", []any{}
		for _, c := range []struct{ col, v string }{
			{"actor_id", f.ActorID}, {"action", f.Action}, {"record_type", f.RecordType}, {"record_id", f.RecordID},
		} {
			if c.v != "" {
				where, args = where+" AND "+c.col+" = ?", append(args, c.v)
			}
		}
		if !f.Since.IsZero() {
			where, args = where+" AND at >= ?", append(args, formatTime(f.Since))
		}
		if err := tx.queryRow(ctx, "SELECT COUNT(*) FROM audit_events "+where, args...).Scan(&n); err != nil {
			return mapError(err)
		}
		rows, err := tx.query(ctx, page(`SELECT seq, at, actor_id, actor_role, organization_id, action, record_type, record_id
			FROM audit_events `+where+" ORDER BY seq", f.Offset, f.Limit), args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var e amparo.AuditEvent
			if err := rows.Scan(&e.Seq, scanTime{&e.At}, &e.ActorID, &e.ActorRole, &e.OrganizationID, &e.Action, &e.RecordType, &e.RecordID); err != nil {
				return err
			}
			out = append(out, &e)
		}
		return rows.Err()
	})
	return out, n, err
}

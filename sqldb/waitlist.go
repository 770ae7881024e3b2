package sqldb

import (
	"context"
	"strings"

	"github.com/amparo-project/amparo"
)

var _ amparo.WaitlistService = (*DB)(nil)

// waitingIn is the SQL list of the statuses of people still in line, and
// its arguments.
func waitingIn() (string, []any) {
	args := make([]any, len(amparo.WaitingStatuses))
	for i, s := range amparo.WaitingStatuses {
		args[i] = s
	}
	return "(?" + strings.Repeat(", ?", len(args)-1) + ")", args
}

// FindWaiting reads the whole line in one query, oldest first.
func (db *DB) FindWaiting(ctx context.Context, orgID string) ([]*amparo.Applicant, error) {
	var out []*amparo.Applicant
	err := db.inTx(ctx, func(tx *Tx) error {
		scope, args, err := clientScope(tx.actor)
		if err != nil {
			return err
		}
		in, statuses := waitingIn()
		where := "WHERE " + scope + " AND c.status IN " + in
		args = append(args, statuses...)
		if orgID != "" {
			where, args = where+" AND c.organization_id = ?", append(args, orgID)
		}
		rows, err := tx.query(ctx, `SELECT c.id, c.organization_id, c.status, COALESCE(c.member_id, ''), c.row_key, COALESCE(c.reference, ''),
			c.wrapped_key, c.sealed, c.created_at, c.updated_at FROM applicants c `+where+" ORDER BY c.created_at, c.id", args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var ap amparo.Applicant
			var wrapped, sealed []byte
			if err := rows.Scan(&ap.ID, &ap.OrganizationID, &ap.Status, &ap.MemberID, &ap.Key, &ap.Reference, &wrapped, &sealed,
				scanTime{&ap.CreatedAt}, scanTime{&ap.UpdatedAt}); err != nil {
				return mapError(err)
			}
			if err := tx.unsealJSON(ap.ID, wrapped, sealed, &ap.Facts); err != nil {
				return err
			}
			out = append(out, &ap)
		}
		if err := rows.Err(); err != nil {
			return mapError(err)
		}
		return tx.audit(ctx, amparo.AuditApplicantList, tx.actor.OrganizationID)
	})
	return out, err
}

// FindMatchState counts matches by member and lists declined pairs, in
// two queries, reading no sealed column.
func (db *DB) FindMatchState(ctx context.Context, orgID string) (*amparo.MatchState, error) {
	st := &amparo.MatchState{Matched: map[string]int{}}
	err := db.inTx(ctx, func(tx *Tx) error {
		scope, args, err := clientScope(tx.actor)
		if err != nil {
			return err
		}
		org, orgArgs := "", []any(nil)
		if orgID != "" {
			org, orgArgs = " AND c.organization_id = ?", []any{orgID}
		}
		rows, err := tx.query(ctx, "SELECT c.member_id, COUNT(*) FROM applicants c WHERE "+scope+org+
			" AND c.status = ? AND c.member_id IS NOT NULL GROUP BY c.member_id",
			append(append(append([]any(nil), args...), orgArgs...), amparo.ApplicantMatched)...)
		if err != nil {
			return err
		}
		for rows.Next() {
			var id string
			var n int
			if err := rows.Scan(&id, &n); err != nil {
				rows.Close()
				return mapError(err)
			}
			st.Matched[id] = n
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return mapError(err)
		}
		in, statuses := waitingIn()
		rows, err = tx.query(ctx, "SELECT DISTINCT e.applicant_id, e.member_id FROM applicant_events e JOIN applicants c ON c.id = e.applicant_id WHERE "+
			scope+org+" AND c.status IN "+in+" AND e.member_id IS NOT NULL AND e.status <> ? ORDER BY e.applicant_id, e.member_id",
			append(append(append(append([]any(nil), args...), orgArgs...), statuses...), amparo.ApplicantMatched)...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var p amparo.MemberPair
			if err := rows.Scan(&p.ApplicantID, &p.MemberID); err != nil {
				return mapError(err)
			}
			st.Declined = append(st.Declined, p)
		}
		return mapError(rows.Err())
	})
	if err != nil {
		return nil, err
	}
	return st, nil
}

package sqldb

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/amparo-project/amparo"
)

var _ amparo.ApplicantService = (*DB)(nil)

// CreateApplicants stores a batch of intakes of the actor's organization in
// one transaction; people already stored (by key) are skipped.
func (db *DB) CreateApplicants(ctx context.Context, as []*amparo.Applicant) (int, error) {
	a, _ := amparo.ActorFromContext(ctx)
	for _, ap := range as {
		if ap.OrganizationID == "" {
			ap.OrganizationID = a.OrganizationID
		}
		if ap.Key == "" {
			return 0, amparo.Invalid("key", "is required")
		}
	}
	created := 0
	err := db.inTx(ctx, func(tx *Tx) error {
		for _, ap := range as {
			if err := tx.checkClientOrg(ap.OrganizationID); err != nil {
				return err
			}
			stored, err := tx.prepared(ctx, "SELECT COUNT(*) FROM applicants WHERE organization_id = ? AND row_key = ?")
			if err != nil {
				return err
			}
			var n int
			if err := stored.QueryRowContext(ctx, ap.OrganizationID, ap.Key).Scan(&n); err != nil {
				return mapError(err)
			} else if n > 0 {
				continue
			}
			if ap.ID == "" {
				ap.ID = amparo.NewID()
			}
			if ap.Status == "" {
				ap.Status = amparo.ApplicantNew
			}
			ap.CreatedAt, ap.UpdatedAt = tx.now, tx.now
			dk, wrapped, err := tx.db.cipher.NewDataKey(ap.ID)
			if err != nil {
				return err
			}
			plain, err := json.Marshal(&ap.Facts)
			if err != nil {
				return err
			}
			insert, err := tx.prepared(ctx, `INSERT INTO applicants (id, organization_id, status, row_key, wrapped_key, sealed, created_at, updated_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?)`)
			if err != nil {
				return err
			}
			if _, err := insert.ExecContext(ctx, ap.ID, ap.OrganizationID, ap.Status, ap.Key, wrapped, dk.Seal(plain, []byte(ap.ID)),
				formatTime(tx.now), formatTime(tx.now)); err != nil {
				return mapError(err)
			}
			if err := tx.indexConflictName(ctx, ap.OrganizationID, "applicant", ap.ID, ap.LegalName, ap.BirthDate); err != nil {
				return err
			}
			created++
		}
		return tx.audit(ctx, "applicant.import", "organization", tx.actor.OrganizationID)
	})
	if err != nil {
		return 0, err
	}
	return created, nil
}

// FindApplicants lists the actor's organization's applicants, oldest first.
func (db *DB) FindApplicants(ctx context.Context, f amparo.ApplicantFilter) ([]*amparo.Applicant, int, error) {
	var out []*amparo.Applicant
	var n int
	err := db.inTx(ctx, func(tx *Tx) error {
		scope, args, err := clientScope(tx.actor)
		if err != nil {
			return err
		}
		where := "WHERE " + scope
		if f.Status != "" {
			where, args = where+" AND c.status = ?", append(args, f.Status)
		}
		if f.OrganizationID != "" {
			where, args = where+" AND c.organization_id = ?", append(args, f.OrganizationID)
		}
		if f.ID != "" {
			where, args = where+" AND c.id = ?", append(args, f.ID)
		}
		if err := tx.queryRow(ctx, "SELECT COUNT(*) FROM applicants c "+where, args...).Scan(&n); err != nil {
			return mapError(err)
		}
		rows, err := tx.query(ctx, page(`SELECT c.id, c.organization_id, c.status, COALESCE(c.member_id, ''), c.row_key, c.wrapped_key, c.sealed,
			c.created_at, c.updated_at FROM applicants c `+where+" ORDER BY c.created_at, c.id", f.Offset, f.Limit), args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var ap amparo.Applicant
			var wrapped, sealed []byte
			if err := rows.Scan(&ap.ID, &ap.OrganizationID, &ap.Status, &ap.MemberID, &ap.Key, &wrapped, &sealed, scanTime{&ap.CreatedAt}, scanTime{&ap.UpdatedAt}); err != nil {
				return err
			}
			if err := tx.unsealJSON(ap.ID, wrapped, sealed, &ap.Facts); err != nil {
				return err
			}
			out = append(out, &ap)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		return tx.audit(ctx, "applicant.list", "organization", tx.actor.OrganizationID)
	})
	return out, n, err
}

// FindApplicantByID returns one applicant of the actor's organization.
func (db *DB) FindApplicantByID(ctx context.Context, id string) (*amparo.Applicant, error) {
	as, _, err := db.FindApplicants(ctx, amparo.ApplicantFilter{ID: id, Limit: 1})
	if err != nil {
		return nil, err
	} else if len(as) == 0 {
		return nil, amparo.Errorf(amparo.ENOTFOUND, "applicant not found")
	}
	return as[0], nil
}

// applicantKey opens an applicant of the actor's organization's data key.
func (tx *Tx) applicantKey(ctx context.Context, id string) (dataKey, error) {
	scope, args, err := clientScope(tx.actor)
	if err != nil {
		return nil, err
	}
	var wrapped []byte
	err = tx.queryRow(ctx, "SELECT c.wrapped_key FROM applicants c WHERE c.id = ? AND "+scope+tx.db.dialect.forUpdate(), append([]any{id}, args...)...).Scan(&wrapped)
	if amparo.ErrorCode(mapError(err)) == amparo.ENOTFOUND {
		return nil, amparo.Errorf(amparo.ENOTFOUND, "applicant not found")
	} else if err != nil {
		return nil, err
	}
	dk, err := tx.db.cipher.OpenDataKey(id, wrapped)
	if err != nil {
		return nil, decryptError(err)
	}
	return dk, nil
}

// SetApplicantStatus records a decision on an applicant of the actor's
// organization. Matches are accepted or declined by members and their
// admins; a reason is required when one is declined.
func (db *DB) SetApplicantStatus(ctx context.Context, id, status, memberID, reason string) error {
	return db.inTx(ctx, func(tx *Tx) error {
		valid := false
		for _, st := range amparo.ApplicantStatuses {
			valid = valid || st == status
		}
		if !valid {
			return amparo.Invalid("status", "is not a status")
		}
		if memberID != "" {
			if err := tx.signs(); err != nil {
				return err
			}
			if status != amparo.ApplicantMatched && strings.TrimSpace(reason) == "" {
				return amparo.Invalid("reason", "say why the match is declined")
			}
			if _, err := tx.checkMatchMember(ctx, id, memberID); err != nil {
				return err
			}
		}
		dk, err := tx.applicantKey(ctx, id)
		if err != nil {
			return err
		}
		var member any
		if status == amparo.ApplicantMatched {
			if memberID == "" {
				return amparo.Invalid("member_id", "a match needs a member")
			}
			member = memberID
		}
		if _, err := tx.exec(ctx, "UPDATE applicants SET status = ?, member_id = ?, updated_at = ? WHERE id = ?",
			status, member, formatTime(tx.now), id); err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `INSERT INTO applicant_events (applicant_id, status, member_id, sealed_reason, actor_id, at)
			VALUES (?, ?, ?, ?, ?, ?)`, id, status, nullable(memberID), dk.Seal([]byte(reason), []byte("reason "+id)), tx.actor.ID, formatTime(tx.now)); err != nil {
			return err
		}
		return tx.audit(ctx, "applicant.status", "applicant", id)
	})
}

// FindApplicantEvents returns an applicant's history, oldest first.
func (db *DB) FindApplicantEvents(ctx context.Context, id string) ([]*amparo.ApplicantEvent, error) {
	var out []*amparo.ApplicantEvent
	err := db.inTx(ctx, func(tx *Tx) error {
		dk, err := tx.applicantKey(ctx, id)
		if err != nil {
			return err
		}
		rows, err := tx.query(ctx, "SELECT status, COALESCE(member_id, ''), sealed_reason, actor_id, at FROM applicant_events WHERE applicant_id = ? ORDER BY seq", id)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var e amparo.ApplicantEvent
			var sealed []byte
			if err := rows.Scan(&e.Status, &e.MemberID, &sealed, &e.ActorID, scanTime{&e.At}); err != nil {
				return err
			}
			reason, err := dk.Open(sealed, []byte("reason "+id))
			if err != nil {
				return decryptError(err)
			}
			e.Reason = string(reason)
			out = append(out, &e)
		}
		return rows.Err()
	})
	return out, err
}

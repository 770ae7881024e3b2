package sqldb

import (
	"context"
	"slices"

	"github.com/amparo-project/amparo"
)

// Accepting a match: the applicant becomes a client of the organization,
// linked to the applicant so that the applicant's status follows the
// client's letter.

// waitingStatuses are the statuses of applicants still in line, who can be
// matched.
var waitingStatuses = []amparo.ApplicantStatus{amparo.ApplicantNew, amparo.ApplicantScreening, amparo.ApplicantEligible, amparo.ApplicantWaitlisted}

// checkMatchMember refuses a decision on applicant id for a member who is
// not of the applicant's organization, or not at all. It returns the
// member's status.
func (tx *Tx) checkMatchMember(ctx context.Context, id, memberID string) (amparo.MemberStatus, error) {
	var status amparo.MemberStatus
	err := tx.queryRow(ctx, `SELECT m.status FROM applicants a JOIN members m ON m.organization_id = a.organization_id
		WHERE a.id = ? AND m.id = ?`, id, memberID).Scan(&status)
	if amparo.ErrorCode(mapError(err)) == amparo.ENOTFOUND {
		return "", amparo.Errorf(amparo.ENOTFOUND, "no such member in the applicant's organization")
	}
	return status, mapError(err)
}

// recordApplicantEvent appends a change of status to an applicant's
// history, the reason sealed with the applicant's key.
func (tx *Tx) recordApplicantEvent(ctx context.Context, dk dataKey, id string, status amparo.ApplicantStatus, memberID, reason string) error {
	_, err := tx.exec(ctx, `INSERT INTO applicant_events (applicant_id, status, member_id, sealed_reason, actor_id, at)
		VALUES (?, ?, ?, ?, ?, ?)`, id, status, nullable(memberID), dk.Seal([]byte(reason), []byte("reason "+id)), tx.actor.ID, formatTime(tx.now))
	return err
}

// AcceptMatch stores the client made from an applicant, links the two and
// marks the applicant matched, all or nothing. Accepting the same match
// again stores nothing and fills c with the client the first made.
func (db *DB) AcceptMatch(ctx context.Context, id, memberID, reason string, c *amparo.Client) error {
	return db.inTx(ctx, func(tx *Tx) error {
		if err := tx.signs(); err != nil {
			return err
		}
		dk, err := tx.applicantKey(ctx, id) // locks the applicant
		if err != nil {
			return err
		}
		var orgID, matched string
		var status amparo.ApplicantStatus
		if err := tx.queryRow(ctx, "SELECT organization_id, status, COALESCE(member_id, '') FROM applicants WHERE id = ?", id).Scan(&orgID, &status, &matched); err != nil {
			return mapError(err)
		}
		mstatus, err := tx.checkMatchMember(ctx, id, memberID)
		if err != nil {
			return err
		}
		if !slices.Contains(waitingStatuses, status) {
			// A repeat of the same acceptance (a double submit) gives the
			// client the first one made; anything else is refused.
			var clientID string
			if matched == memberID && (status == amparo.ApplicantMatched || status == amparo.ApplicantServed) &&
				tx.queryRow(ctx, "SELECT client_id FROM applicant_clients WHERE applicant_id = ?", id).Scan(&clientID) == nil {
				cs, _, err := tx.findClients(ctx, amparo.ClientFilter{ID: clientID, Limit: 1})
				if err != nil {
					return err
				} else if len(cs) == 1 {
					*c = *cs[0]
					return nil
				}
			}
			return amparo.Errorf(amparo.ECONFLICT, "the applicant is %s, no longer waiting for a match", status)
		}
		if mstatus != amparo.MemberActive {
			return amparo.Invalid("member_id", "the member is suspended")
		}
		c.OrganizationID = orgID
		if err := c.Validate(); err != nil {
			return err
		}
		if err := tx.createClient(ctx, c); err != nil {
			return err
		}
		if _, err := tx.exec(ctx, "INSERT INTO applicant_clients (applicant_id, client_id) VALUES (?, ?)", id, c.ID); err != nil {
			return err
		}
		if _, err := tx.exec(ctx, "UPDATE applicants SET status = ?, member_id = ?, updated_at = ? WHERE id = ?",
			amparo.ApplicantMatched, memberID, formatTime(tx.now), id); err != nil {
			return err
		}
		if err := tx.recordApplicantEvent(ctx, dk, id, amparo.ApplicantMatched, memberID, reason); err != nil {
			return err
		}
		return tx.audit(ctx, amparo.AuditApplicantStatus, id)
	})
}

// FindApplicantClient returns the client an accepted match made from an
// applicant of the actor's organization. The read is audited.
func (db *DB) FindApplicantClient(ctx context.Context, id string) (*amparo.Client, error) {
	var c *amparo.Client
	err := db.inTx(ctx, func(tx *Tx) error {
		if _, err := tx.applicantKey(ctx, id); err != nil {
			return err
		}
		var clientID string
		if err := tx.queryRow(ctx, "SELECT client_id FROM applicant_clients WHERE applicant_id = ?", id).Scan(&clientID); err != nil {
			if amparo.ErrorCode(mapError(err)) == amparo.ENOTFOUND {
				return amparo.Errorf(amparo.ENOTFOUND, "no client was made from this applicant")
			}
			return err
		}
		cs, _, err := tx.findClients(ctx, amparo.ClientFilter{ID: clientID, Limit: 1})
		if err != nil {
			return err
		} else if len(cs) == 0 {
			return amparo.Errorf(amparo.ENOTFOUND, "client not found")
		}
		c = cs[0]
		return tx.audit(ctx, amparo.AuditClientView, c.ID)
	})
	return c, err
}

// markApplicantServed marks the applicant a client was made from served,
// once the client's letter is issued; a client made otherwise has none.
func (tx *Tx) markApplicantServed(ctx context.Context, clientID string) error {
	var id, memberID string
	err := tx.queryRow(ctx, `SELECT a.id, COALESCE(a.member_id, '') FROM applicant_clients ac JOIN applicants a ON a.id = ac.applicant_id
		WHERE ac.client_id = ? AND a.status = ?`, clientID, amparo.ApplicantMatched).Scan(&id, &memberID)
	if amparo.ErrorCode(mapError(err)) == amparo.ENOTFOUND {
		return nil
	} else if err != nil {
		return err
	}
	wrapped := []byte{}
	if err := tx.queryRow(ctx, "SELECT wrapped_key FROM applicants WHERE id = ?", id).Scan(&wrapped); err != nil {
		return mapError(err)
	}
	dk, err := tx.db.cipher.OpenDataKey(id, wrapped)
	if err != nil {
		return decryptError(err)
	}
	if _, err := tx.exec(ctx, "UPDATE applicants SET status = ?, updated_at = ? WHERE id = ?", amparo.ApplicantServed, formatTime(tx.now), id); err != nil {
		return err
	}
	if err := tx.recordApplicantEvent(ctx, dk, id, amparo.ApplicantServed, memberID, "letter issued"); err != nil {
		return err
	}
	return tx.audit(ctx, amparo.AuditApplicantStatus, id)
}

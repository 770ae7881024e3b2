package sqldb

import (
	"context"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/credential"
)

// signRoster re-signs an organization's roster (docs/credential.md, V2.5)
// with its issuing key and stores it, in the transaction that changed a
// member, as status lists are re-signed on revocation. Without a usable
// issuing key there is nothing to sign with yet: the roster is left as it
// was and a warning logged (issuing a letter signs it once there is one).
func (tx *Tx) signRoster(ctx context.Context, orgID string) error {
	var phone string
	if err := tx.queryRow(ctx, "SELECT CASE WHEN public_phone <> '' THEN public_phone ELSE COALESCE(contact_phone, '') END FROM organizations WHERE id = ?",
		orgID).Scan(&phone); err != nil {
		return mapError(err)
	}
	r := &credential.Roster{OrgID: orgID, IssuedAt: tx.now, Phone: phone}
	rows, err := tx.query(ctx, "SELECT "+memberSelect+" FROM members WHERE organization_id = ? AND ref IS NOT NULL ORDER BY ref", orgID)
	if err != nil {
		return err
	}
	for rows.Next() {
		m, err := scanMember(rows)
		if err != nil {
			rows.Close()
			return err
		}
		r.Members = append(r.Members, rosterMember(m))
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	_, priv, err := tx.issuingKey(ctx, orgID)
	if amparo.ErrorCode(err) == amparo.ECONFLICT || amparo.ErrorCode(err) == amparo.ENOTFOUND {
		// A new organization's roster is signed once its key is made and
		// certified; one whose keys are all revoked or expired is a problem
		// to tell.
		var keys, live int
		if err := tx.queryRow(ctx, `SELECT COUNT(*), COUNT(CASE WHEN status = ? AND valid_to > ? THEN 1 END)
			FROM signing_keys WHERE organization_id = ? AND kind = ?`, amparo.KeyActive, formatTime(tx.now), orgID, amparo.KeyIssuing).Scan(&keys, &live); err != nil {
			return err
		}
		if keys == 0 || live > 0 {
			tx.db.logger.Info("roster waits for the organization's issuing key to be made and certified", "organization", orgID)
		} else {
			tx.db.logger.Warn("roster not signed: no usable issuing key", "organization", orgID)
		}
		return nil
	} else if err != nil {
		return err
	}
	signed, err := credential.SignRoster(r, priv)
	if err != nil {
		return rosterError(err)
	}
	_, err = tx.exec(ctx, "DELETE FROM rosters WHERE organization_id = ?", orgID)
	if err == nil {
		_, err = tx.exec(ctx, "INSERT INTO rosters (organization_id, signed, issued_at) VALUES (?, ?, ?)", orgID, signed, formatTime(tx.now))
	}
	return err
}

// rosterMember is what a verifier may know of a member.
func rosterMember(m *amparo.Member) credential.RosterMember {
	e := credential.RosterMember{Ref: credential.MemberRef(m.Ref), Name: m.Name, Phone: m.PublicPhone, State: credential.MemberActive}
	switch m.Status {
	case amparo.MemberLeft:
		e.State, e.Phone = credential.MemberLeft, ""
	case amparo.MemberSuspended:
		e.State, e.Phone = credential.MemberSuspended, ""
	}
	if m.Kind == amparo.MemberAttorney {
		e.BarJurisdiction, e.BarNumber = m.BarJurisdiction, m.BarNumber
	} else {
		e.Organization, e.Accreditation = m.RecognizedOrg, m.AccreditationDate.String()
	}
	return e
}

// rosterError names the member field that does not fit the roster.
func rosterError(err error) error {
	if fe, ok := err.(*credential.FieldError); ok {
		return amparo.Invalid("members", "the organization's roster for verifiers: %s %s", fe.Field, fe.Problem)
	}
	return err
}

// FindRoster returns an organization's signed roster, as published.
func (db *DB) FindRoster(ctx context.Context, orgID string) (*amparo.SignedDocument, error) {
	return db.findSigned(ctx, "roster", "SELECT signed, issued_at FROM rosters WHERE organization_id = ?", orgID)
}

// findRosters returns every signed roster, for a trust bundle.
func (db *DB) findRosters(ctx context.Context) ([]*amparo.SignedDocument, error) {
	return db.findAllSigned(ctx, "SELECT signed, issued_at FROM rosters ORDER BY organization_id")
}

package sqldb

import (
	"context"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/credential"
)

// ReissueLetter reissues an active version 1 letter as version 2: a new
// letter for the same client, member, languages and dates, superseding
// the old one, whose card keeps verifying until its date (and is revoked
// with the new letter, as a renewal's is).
func (db *DB) ReissueLetter(ctx context.Context, id string) (*amparo.Letter, error) {
	var next *amparo.Letter
	err := db.inTx(ctx, func(tx *Tx) error {
		if !tx.actor.ManagesKeys() {
			return amparo.Errorf(amparo.EFORBIDDEN, "only the program's operators and admins reissue letters")
		}
		old, err := tx.findLetter(ctx, id)
		if err != nil {
			return err
		}
		switch {
		case old.Status != amparo.LetterActive:
			return amparo.Errorf(amparo.ECONFLICT, "only an active letter can be reissued; this letter is %s", old.Status).Localize("letters.err.reissue_status", letterStatusMsg(old.Status))
		case old.CredentialVersion != 1:
			return amparo.Errorf(amparo.ECONFLICT, "the letter's credential is version %d already", old.CredentialVersion).Localize("letters.err.reissue_version", old.CredentialVersion)
		}
		if _, err := tx.exec(ctx, "UPDATE letters SET status = ?, updated_at = ? WHERE id = ?",
			amparo.LetterSuperseded, formatTime(tx.now), old.ID); err != nil {
			return err
		}
		// What the member approved, unchanged: the same parties and dates.
		next = &amparo.Letter{ID: amparo.NewID(), ClientID: old.ClientID, MemberID: old.MemberID,
			OrganizationID: old.OrganizationID, Languages: old.Languages, Status: amparo.LetterActive,
			IssuedAt: old.IssuedAt, ValidUntil: old.ValidUntil, ApprovedBy: old.ApprovedBy,
			CreatedAt: tx.now, UpdatedAt: tx.now}
		if err := tx.insertLetter(ctx, next); err != nil {
			return err
		}
		if err := tx.issueCredentialVersion(ctx, next, 2); err != nil {
			return err
		}
		if _, err := tx.createPhoneLink(ctx, next); err != nil {
			return err
		}
		if _, err := tx.exec(ctx, "UPDATE letters SET superseded_by = ? WHERE id = ?", next.ID, old.ID); err != nil {
			return err
		}
		if err := tx.audit(ctx, amparo.AuditLetterReissue, old.ID); err != nil {
			return err
		}
		return tx.audit(ctx, amparo.AuditLetterReissue, next.ID)
	})
	return next, err
}

// issueCredentialV1 signs a version 1 credential (docs/credential.md, part
// I), which carries the member's name, numbers and phone: as letters were
// issued before version 2 (DB.CredentialVersion).
func (tx *Tx) issueCredentialV1(ctx context.Context, l *amparo.Letter, in *credentialInputs) error {
	listID, index, err := tx.assignStatusIndex(ctx, l.OrganizationID)
	if err != nil {
		return err
	}
	id, err := credential.NewCredentialID()
	if err != nil {
		return err
	}
	m := in.member
	c := credential.Claims{ID: id, IssuedAt: l.IssuedAt, Expires: l.ValidUntil, StatusListID: listID, StatusIndex: index,
		ClientName: in.clientName, MemberName: m.Name, Phone: m.PublicPhone}
	if m.Kind == amparo.MemberAttorney {
		c.BarJurisdiction, c.BarNumber = m.BarJurisdiction, m.BarNumber
	} else {
		c.Organization, c.Accreditation = m.RecognizedOrg, m.AccreditationDate.String()
	}
	signed, err := credential.Sign(&c, in.priv)
	if err != nil {
		return claimsError(err)
	}
	return tx.storeCredential(ctx, l, 1, id.String(), in.keyID, listID, index, credential.Encode(in.verifyURL+"#", signed))
}

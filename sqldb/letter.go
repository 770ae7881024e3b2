package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"github.com/amparo-project/amparo"
)

var _ amparo.LetterService = (*DB)(nil)

const letterColumns = `l.id, l.client_id, l.member_id, l.organization_id, l.status, l.issued_at, l.valid_until,
	l.revoked_at, l.revoke_reason, l.superseded_by, l.languages, l.created_at, l.updated_at,
	l.credential_id, l.signing_key_id, l.status_list_id, l.status_index, l.submitted_at, l.approved_by,
	l.created_by, l.submitted_by, l.credential_version`

// letterScope limits letter queries like client queries: a letter says who
// is a client.
func letterScope(a amparo.Actor) (string, []any, error) {
	if !a.SeesClients() {
		return "", nil, amparo.Errorf(amparo.EFORBIDDEN, "your role does not see letters")
	}
	if a.SeesEveryOrganization() {
		return "1 = 1", nil, nil
	}
	return "l.organization_id = ?", []any{a.OrganizationID}, nil
}

// scanLetter reads a letter of letterColumns, its revocation reason and
// languages opened.
func (tx *Tx) scanLetter(row interface{ Scan(...any) error }) (*amparo.Letter, error) {
	var l amparo.Letter
	var clientID *string
	var langs string
	err := row.Scan(&l.ID, &clientID, &l.MemberID, &l.OrganizationID, &l.Status, scanTime{&l.IssuedAt},
		scanTime{&l.ValidUntil}, scanTime{&l.RevokedAt}, &l.RevokeReason, &l.SupersededBy,
		&langs, scanTime{&l.CreatedAt}, scanTime{&l.UpdatedAt},
		&l.CredentialID, &l.SigningKeyID, &l.StatusListID, &l.StatusIndex, scanTime{&l.SubmittedAt}, &l.ApprovedBy,
		&l.CreatedBy, &l.SubmittedBy, &l.CredentialVersion)
	if clientID != nil {
		l.ClientID = *clientID
	}
	if err != nil {
		return nil, mapError(err)
	}
	if l.RevokeReason, err = tx.db.openReason(l.ID, l.RevokeReason); err != nil {
		return nil, err
	}
	if err := tx.db.openLanguages(l.ID, langs, &l.Languages); err != nil {
		return nil, err
	}
	return &l, nil
}

// FindLetterByID returns one letter of the actor's organization, with its
// QR text. The QR holds the client's name, so the read is audited.
func (db *DB) FindLetterByID(ctx context.Context, id string) (*amparo.Letter, error) {
	var l *amparo.Letter
	err := db.inTx(ctx, func(tx *Tx) (err error) {
		if l, err = tx.findLetter(ctx, id); err != nil {
			return err
		}
		if l.QR, err = tx.letterQR(ctx, l); err != nil {
			return err
		}
		if err := tx.letterNames(ctx, []*amparo.Letter{l}); err != nil {
			return err
		}
		return tx.audit(ctx, amparo.AuditLetterView, l.ID)
	})
	return l, err
}

func (tx *Tx) findLetter(ctx context.Context, id string) (*amparo.Letter, error) {
	if id == "" { // an empty filter matches every letter: no ID is no record
		return nil, amparo.Errorf(amparo.ENOTFOUND, "letter not found")
	}
	ls, _, err := tx.findLetters(ctx, amparo.LetterFilter{ID: id, Limit: 1})
	if err != nil {
		return nil, err
	} else if len(ls) == 0 {
		return nil, amparo.Errorf(amparo.ENOTFOUND, "letter not found")
	}
	return ls[0], nil
}

// FindLetters lists the actor's organization's letters, newest first
// unless f sorts them otherwise, with their client's and member's names.
// The names are opened from each client's sealed record, so the list is
// audited as a client list.
func (db *DB) FindLetters(ctx context.Context, f amparo.LetterFilter) ([]*amparo.Letter, int, error) {
	var out []*amparo.Letter
	var n int
	err := db.inTx(ctx, func(tx *Tx) (err error) {
		if out, n, err = tx.findLetters(ctx, f); err != nil {
			return err
		}
		if len(out) == 0 {
			return nil
		}
		if err := tx.letterNames(ctx, out); err != nil {
			return err
		}
		return tx.audit(ctx, amparo.AuditClientList, tx.actor.OrganizationID)
	})
	return out, n, err
}

// letterOrders maps each LetterFilter.Sort to its ORDER BY, the ID last so
// that pages are stable; each is one index read forward or backward
// (migration 00019). A letter not issued has no dates: it sorts first
// ascending and last descending, on both databases (NULLS FIRST is
// SQLite's default, and PostgreSQL's indexes are built so).
var letterOrders = map[string]string{
	"created":  "l.created_at, l.id",
	"-created": "l.created_at DESC, l.id DESC",
	"issued":   "l.issued_at NULLS FIRST, l.id",
	"-issued":  "l.issued_at DESC NULLS LAST, l.id DESC",
	"expiry":   "l.valid_until NULLS FIRST, l.id",
	"-expiry":  "l.valid_until DESC NULLS LAST, l.id DESC",
	"status":   "l.status, l.created_at DESC, l.id DESC", // newest first within a status
	"-status":  "l.status DESC, l.created_at, l.id",
}

func (tx *Tx) findLetters(ctx context.Context, f amparo.LetterFilter) ([]*amparo.Letter, int, error) {
	scope, args, err := letterScope(tx.actor)
	if err != nil {
		return nil, 0, err
	}
	sort := f.Sort
	if sort == "" {
		sort = "-created"
	}
	order, ok := letterOrders[sort]
	if !ok {
		return nil, 0, amparo.Invalid("sort", "letters cannot be sorted by %q", f.Sort).Localize("list.bad_sort")
	}
	where := "WHERE " + scope
	for _, c := range []struct{ col, v string }{
		{"l.id", f.ID}, {"l.client_id", f.ClientID}, {"l.member_id", f.MemberID},
		{"l.organization_id", f.OrganizationID}, {"l.status", string(f.Status)},
	} {
		if c.v != "" {
			where, args = where+" AND "+c.col+" = ?", append(args, c.v)
		}
	}
	if f.AwaitingApproval {
		where += " AND l.status = ? AND l.submitted_at IS NOT NULL AND l.member_id IN (SELECT id FROM members WHERE account_id = ?)"
		args = append(args, amparo.LetterDraft, tx.actor.ID)
	}
	if !f.ExpiresBefore.IsZero() {
		where += " AND l.status = ? AND l.valid_until < ?"
		args = append(args, amparo.LetterActive, formatTime(f.ExpiresBefore))
	}
	if f.CredentialVersion != 0 {
		where += " AND l.status <> ? AND l.credential_version = ?"
		args = append(args, amparo.LetterDraft, f.CredentialVersion)
	}
	from := "letters l"
	if f.ClientName != "" {
		// The client's name is sealed: its blind-index tokens find the
		// clients, whose few letters drive the query (the CROSS JOIN keeps
		// SQLite from walking the organization's letters instead).
		ts := tx.nameTokens(nameField, f.ClientName)
		if len(ts) == 0 {
			return nil, 0, nil
		}
		all := make([]any, 0, len(ts)+1+len(args))
		for _, t := range ts {
			all = append(all, t)
		}
		args = append(append(all, len(ts)), args...)
		from = "(SELECT client_id FROM client_name_tokens WHERE token IN (?" + strings.Repeat(", ?", len(ts)-1) +
			") GROUP BY client_id HAVING COUNT(*) = ?) m CROSS JOIN letters l"
		where += " AND l.client_id = m.client_id"
	}
	var n int
	if err := tx.queryRow(ctx, "SELECT COUNT(*) FROM "+from+" "+where, args...).Scan(&n); err != nil {
		return nil, 0, mapError(err)
	}
	if n == 0 || (f.Offset > 0 && f.Offset >= n) {
		return nil, n, nil
	}
	// The page's IDs first, from the order's index alone (from its nearer
	// end), then their rows.
	inner := order
	offset, limit, reverse := window(f.Offset, f.Limit, n)
	if reverse {
		inner = letterOrders[flipSort(sort)]
	}
	rows, err := tx.query(ctx, "SELECT "+letterColumns+" FROM ("+page("SELECT l.id FROM "+from+" "+where+" ORDER BY "+inner, offset, limit)+
		") p JOIN letters l ON l.id = p.id ORDER BY "+order, args...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var out []*amparo.Letter
	for rows.Next() {
		l, err := tx.scanLetter(rows)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, l)
	}
	return out, n, rows.Err()
}

// letterNames fills the letters' ClientName and MemberName: one query for
// the clients (each opened with its data key) and one for the members.
func (tx *Tx) letterNames(ctx context.Context, ls []*amparo.Letter) error {
	clients, members := map[string]string{}, map[string]string{}
	for _, l := range ls {
		if l.ClientID != "" {
			clients[l.ClientID] = ""
		}
		members[l.MemberID] = ""
	}
	in := func(m map[string]string) (string, []any) {
		args := make([]any, 0, len(m))
		for id := range m {
			args = append(args, id)
		}
		return "(?" + strings.Repeat(", ?", len(args)-1) + ")", args
	}
	if len(clients) > 0 {
		q, args := in(clients)
		rows, err := tx.query(ctx, "SELECT c.id, c.sealed, k.wrapped FROM clients c JOIN client_keys k ON k.client_id = c.id WHERE c.id IN "+q, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id string
			var sealed, wrapped []byte
			if err := rows.Scan(&id, &sealed, &wrapped); err != nil {
				return err
			}
			var p amparo.Personal
			if err := tx.unsealJSON(id, wrapped, sealed, &p); err != nil {
				return err
			}
			clients[id] = p.LegalName
		}
		if err := rows.Err(); err != nil {
			return err
		}
		rows.Close()
	}
	q, args := in(members)
	rows, err := tx.query(ctx, "SELECT id, name FROM members WHERE id IN "+q, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id, name string
		if err := rows.Scan(&id, &name); err != nil {
			return err
		}
		members[id] = name
	}
	for _, l := range ls {
		l.ClientName, l.MemberName = clients[l.ClientID], members[l.MemberID]
	}
	return rows.Err()
}

// CreateLetter stores a draft for a client and a member of the same
// organization.
func (db *DB) CreateLetter(ctx context.Context, l *amparo.Letter) error {
	l.Status = amparo.LetterDraft
	l.IssuedAt, l.ValidUntil = time.Time{}, time.Time{}
	if err := l.Validate(); err != nil {
		return err
	}
	return db.inTx(ctx, func(tx *Tx) error {
		if err := tx.checkLetterParties(ctx, l); err != nil {
			return err
		}
		if l.ID == "" {
			l.ID = amparo.NewID()
		}
		l.CreatedAt, l.UpdatedAt = tx.now, tx.now
		if err := tx.insertLetter(ctx, l); err != nil {
			return err
		}
		return tx.audit(ctx, amparo.AuditLetterCreate, l.ID)
	})
}

// checkLetterParties makes sure the actor may write letters for the
// organization, and that the client and an active member belong to it.
func (tx *Tx) checkLetterParties(ctx context.Context, l *amparo.Letter) error {
	if err := tx.checkClientOrg(l.OrganizationID); err != nil {
		return err
	}
	var n int
	if err := tx.queryRow(ctx, "SELECT COUNT(*) FROM clients WHERE id = ? AND organization_id = ?", l.ClientID, l.OrganizationID).Scan(&n); err != nil {
		return mapError(err)
	} else if n == 0 {
		return amparo.Invalid("client_id", "no such client in this organization")
	}
	var status amparo.MemberStatus
	if err := tx.queryRow(ctx, "SELECT status FROM members WHERE id = ? AND organization_id = ?", l.MemberID, l.OrganizationID).Scan(&status); errors.Is(err, sql.ErrNoRows) {
		return amparo.Invalid("member_id", "no such member in this organization")
	} else if err != nil {
		return mapError(err) // a database failure is not a missing member
	} else if status != amparo.MemberActive {
		return amparo.Invalid("member_id", "the member is suspended")
	}
	return nil
}

func (tx *Tx) insertLetter(ctx context.Context, l *amparo.Letter) error {
	l.CreatedBy = tx.actor.ID
	reason, err := tx.db.sealReason(l.ID, l.RevokeReason)
	if err != nil {
		return err
	}
	langs, err := tx.db.sealLanguages(l.ID, l.Languages)
	if err != nil {
		return err
	}
	_, err = tx.exec(ctx, `INSERT INTO letters (id, client_id, member_id, organization_id, status, issued_at,
		valid_until, revoked_at, revoke_reason, superseded_by, languages, created_at, updated_at, approved_by, created_by)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		l.ID, l.ClientID, l.MemberID, l.OrganizationID, l.Status, formatTime(l.IssuedAt), formatTime(l.ValidUntil),
		formatTime(l.RevokedAt), reason, l.SupersededBy, langs,
		formatTime(l.CreatedAt), formatTime(l.UpdatedAt), l.ApprovedBy, l.CreatedBy)
	return err
}

// SubmitLetter sends a draft to its member for approval: staff who
// prepare letters (intake, admins) and members may.
func (db *DB) SubmitLetter(ctx context.Context, id string) (*amparo.Letter, error) {
	var l *amparo.Letter
	err := db.inTx(ctx, func(tx *Tx) (err error) {
		if l, err = tx.findLetter(ctx, id); err != nil {
			return err
		}
		if err := tx.checkClientOrg(l.OrganizationID); err != nil {
			return err
		}
		if l.Status != amparo.LetterDraft {
			return amparo.Errorf(amparo.ECONFLICT, "only a draft can be sent for approval; this letter is %s", l.Status).Localize("letters.err.submit_not_draft", letterStatusMsg(l.Status))
		}
		if !l.SubmittedAt.IsZero() {
			return nil // sent already: sending again changes nothing
		}
		l.SubmittedAt, l.UpdatedAt, l.SubmittedBy = tx.now, tx.now, tx.actor.ID
		if _, err := tx.exec(ctx, "UPDATE letters SET submitted_at = ?, updated_at = ?, submitted_by = ? WHERE id = ?",
			formatTime(l.SubmittedAt), formatTime(l.UpdatedAt), l.SubmittedBy, l.ID); err != nil {
			return err
		}
		return tx.audit(ctx, amparo.AuditLetterSubmit, l.ID)
	})
	return l, err
}

// signs refuses decisions on matches to anyone but members, their
// organization's admins and the operator: intake staff prepare them.
// Letters have stricter rules: see signer and revoker.
func (tx *Tx) signs() error {
	if tx.actor.DecidesMatches() {
		return nil
	}
	return amparo.Errorf(amparo.EFORBIDDEN, "only attorneys, representatives and their organization's admins decide this")
}

// Errors of signing acts. Their messages are the store's; the web layer
// words them in the reader's language.
var (
	errNotSigner = amparo.Errorf(amparo.EFORBIDDEN, "only the member named on this letter, signed in as themselves, can approve, issue or renew it")
	errUnlinked  = amparo.Errorf(amparo.EFORBIDDEN, "the member named on this letter has no sign-in account linked to their record: an admin links it first")
	errNoFactor  = amparo.Errorf(amparo.EFORBIDDEN, "approving a letter needs your second factor: sign in with your authenticator code")
)

// signer refuses a signing act (issuing, renewing) to anyone but the
// account linked to the letter's member, signed in with its second factor.
// Not even the operator signs in a member's name.
func (tx *Tx) signer(ctx context.Context, l *amparo.Letter) error {
	m, err := tx.letterMember(ctx, l)
	if err != nil {
		return err
	}
	switch {
	case tx.actor.SignsFor(m):
		return nil
	case m.AccountID == "":
		return errUnlinked
	case tx.actor.ID != m.AccountID || tx.actor.OrganizationID != m.OrganizationID:
		return errNotSigner
	}
	return errNoFactor
}

// letterMember returns who a letter names, as much as deciding who may
// sign or revoke it needs: the member's linked account and organization.
func (tx *Tx) letterMember(ctx context.Context, l *amparo.Letter) (*amparo.Member, error) {
	m := &amparo.Member{ID: l.MemberID, OrganizationID: l.OrganizationID}
	if err := tx.queryRow(ctx, "SELECT COALESCE(account_id, '') FROM members WHERE id = ?", l.MemberID).Scan(&m.AccountID); err != nil {
		return nil, mapError(err)
	}
	return m, nil
}

// revoker refuses revoking to anyone but the letter's member, its
// organization's admins and the operator.
func (tx *Tx) revoker(ctx context.Context, l *amparo.Letter) error {
	m, err := tx.letterMember(ctx, l)
	if err != nil {
		return err
	}
	if tx.actor.RevokesFor(m) {
		return nil
	}
	return amparo.Errorf(amparo.EFORBIDDEN, "only the member named on this letter and their organization's admins revoke it")
}

// IssueLetter approves a draft and makes it active, valid from now for the
// program's validity period, within the program's letter capacity. Only
// the member it names approves it.
func (db *DB) IssueLetter(ctx context.Context, id string) (*amparo.Letter, error) {
	var l *amparo.Letter
	err := db.inTx(ctx, func(tx *Tx) (err error) {
		if l, err = tx.findLetter(ctx, id); err != nil {
			return err
		}
		if err := tx.signer(ctx, l); err != nil {
			return err
		}
		if l.Status != amparo.LetterDraft {
			return amparo.Errorf(amparo.ECONFLICT, "only a draft can be issued; this letter is %s", l.Status).Localize("letters.err.issue_not_draft", letterStatusMsg(l.Status))
		}
		if err := tx.checkLetterParties(ctx, l); err != nil {
			return err
		}
		if err := tx.activate(ctx, l); err != nil {
			return err
		}
		_, err = tx.exec(ctx, "UPDATE letters SET status = ?, issued_at = ?, valid_until = ?, approved_by = ?, updated_at = ? WHERE id = ?",
			l.Status, formatTime(l.IssuedAt), formatTime(l.ValidUntil), l.ApprovedBy, formatTime(l.UpdatedAt), l.ID)
		if err != nil {
			return err
		}
		if err := tx.issueCredential(ctx, l); err != nil {
			return err
		}
		if _, err := tx.createPhoneLink(ctx, l); err != nil {
			return err
		}
		if err := tx.markApplicantServed(ctx, l.ClientID); err != nil {
			return err
		}
		return tx.audit(ctx, amparo.AuditLetterIssue, l.ID)
	})
	return l, err
}

// activate sets l active from now, approved by the actor, after checking
// the program's capacity and that the client holds no other active letter.
// It is valid through the end of its last day in the program's time zone.
// Superseded letters, though their cards still verify, do not count
// against capacity: their renewal does.
func (tx *Tx) activate(ctx context.Context, l *amparo.Letter) error {
	var p amparo.Program
	var active, clientActive int
	if err := tx.queryRow(ctx, "SELECT letter_validity_days, letter_capacity, time_zone FROM program WHERE id = 1").
		Scan(&p.LetterValidityDays, &p.LetterCapacity, &p.TimeZone); err != nil {
		return mapError(err)
	}
	capacity := p.LetterCapacity
	if err := tx.queryRow(ctx, `SELECT COUNT(*), COALESCE(SUM(CASE WHEN client_id = ? THEN 1 ELSE 0 END), 0)
		FROM letters WHERE status = ?`, l.ClientID, amparo.LetterActive).Scan(&active, &clientActive); err != nil {
		return mapError(err)
	}
	if clientActive > 0 {
		return amparo.Errorf(amparo.ECONFLICT, "the client already has an active letter: renew or revoke it instead").Localize("letters.err.client_active")
	}
	if active >= capacity {
		return amparo.Errorf(amparo.ECONFLICT, "the program's capacity of %d active letters is reached", capacity).Localize("letters.err.capacity", capacity)
	}
	l.Status = amparo.LetterActive
	l.IssuedAt = tx.now
	l.ValidUntil = p.LetterValidUntil(tx.now)
	l.ApprovedBy = tx.actor.ID
	l.UpdatedAt = tx.now
	return nil
}

// RenewLetter issues a new letter for the same client and member; the old
// one, active or expired, becomes superseded. Its credential is not
// revoked: the card the client carries keeps verifying until its own date,
// unless someone revokes it on purpose. Only the member named renews.
func (db *DB) RenewLetter(ctx context.Context, id string) (*amparo.Letter, error) {
	var next *amparo.Letter
	err := db.inTx(ctx, func(tx *Tx) error {
		old, err := tx.findLetter(ctx, id)
		if err != nil {
			return err
		}
		if err := tx.signer(ctx, old); err != nil {
			return err
		}
		if old.Status != amparo.LetterActive && old.Status != amparo.LetterExpired {
			return amparo.Errorf(amparo.ECONFLICT, "only an active or expired letter can be renewed; this letter is %s", old.Status).Localize("letters.err.renew_status", letterStatusMsg(old.Status))
		}
		if err := tx.checkLetterParties(ctx, old); err != nil {
			return err
		}
		if _, err := tx.exec(ctx, "UPDATE letters SET status = ?, updated_at = ? WHERE id = ?",
			amparo.LetterSuperseded, formatTime(tx.now), old.ID); err != nil {
			return err
		}
		next = &amparo.Letter{ID: amparo.NewID(), ClientID: old.ClientID, MemberID: old.MemberID,
			OrganizationID: old.OrganizationID, Languages: old.Languages, CreatedAt: tx.now, ApprovedBy: tx.actor.ID}
		if err := tx.activate(ctx, next); err != nil {
			return err
		}
		if err := tx.insertLetter(ctx, next); err != nil {
			return err
		}
		if err := tx.issueCredential(ctx, next); err != nil {
			return err
		}
		if _, err := tx.createPhoneLink(ctx, next); err != nil {
			return err
		}
		if _, err := tx.exec(ctx, "UPDATE letters SET superseded_by = ? WHERE id = ?", next.ID, old.ID); err != nil {
			return err
		}
		if err := tx.audit(ctx, amparo.AuditLetterSupersede, old.ID); err != nil {
			return err
		}
		return tx.audit(ctx, amparo.AuditLetterIssue, next.ID)
	})
	return next, err
}

// RevokeLetter revokes, for a reason, an active letter, or a superseded
// one whose card still verifies. The earlier letters it superseded,
// directly or through renewals, whose cards still verify are revoked with
// it, for the same reason: a renewal leaves the client's older card valid,
// but when the representation ends or a card is stolen every card of the
// chain must stop working. Revoking an old letter never touches a newer one.
func (db *DB) RevokeLetter(ctx context.Context, id, reason string) (*amparo.Letter, error) {
	var l *amparo.Letter
	err := db.inTx(ctx, func(tx *Tx) (err error) {
		if l, err = tx.findLetter(ctx, id); err != nil {
			return err
		}
		if err := tx.revoker(ctx, l); err != nil {
			return err
		}
		switch {
		case l.Status == amparo.LetterRevoked:
			return amparo.Errorf(amparo.ECONFLICT, "the letter is already revoked").Localize("letters.err.already_revoked")
		case l.Status == amparo.LetterSuperseded && tx.now.Before(l.ValidUntil):
		case l.Status != amparo.LetterActive:
			return amparo.Errorf(amparo.ECONFLICT, "only an active letter, or a superseded one still in its dates, can be revoked; this letter is %s", l.Status).Localize("letters.err.revoke_status", letterStatusMsg(l.Status))
		}
		l.Status, l.RevokedAt, l.RevokeReason, l.UpdatedAt = amparo.LetterRevoked, tx.now, reason, tx.now
		if err := l.Validate(); err != nil {
			return err
		}
		if err := tx.setRevoked(ctx, l); err != nil {
			return err
		}
		if err := tx.revokeCredential(ctx, l); err != nil {
			return err
		}
		if err := tx.audit(ctx, amparo.AuditLetterRevoke, l.ID); err != nil {
			return err
		}
		return tx.revokeEarlier(ctx, l)
	})
	return l, err
}

// setRevoked stores l's revocation: its status, time and reason, sealed.
func (tx *Tx) setRevoked(ctx context.Context, l *amparo.Letter) error {
	reason, err := tx.db.sealReason(l.ID, l.RevokeReason)
	if err != nil {
		return err
	}
	_, err = tx.exec(ctx, "UPDATE letters SET status = ?, revoked_at = ?, revoke_reason = ?, updated_at = ? WHERE id = ?",
		l.Status, formatTime(l.RevokedAt), reason, formatTime(l.UpdatedAt), l.ID)
	return err
}

// revokeEarlier revokes, with l's reason and time, the letters l
// superseded, directly or transitively, that are superseded and still in
// their dates (their cards verify); the others already fail verification.
func (tx *Tx) revokeEarlier(ctx context.Context, l *amparo.Letter) error {
	seen := map[string]bool{l.ID: true}
	for next := l.ID; ; {
		earlier, err := tx.scanLetter(tx.queryRow(ctx, "SELECT "+letterColumns+" FROM letters l WHERE l.superseded_by = ? AND l.organization_id = ?",
			next, l.OrganizationID))
		if amparo.ErrorCode(err) == amparo.ENOTFOUND {
			return nil
		} else if err != nil {
			return err
		}
		if seen[earlier.ID] {
			return nil
		}
		seen[earlier.ID], next = true, earlier.ID
		if earlier.Status != amparo.LetterSuperseded || !tx.now.Before(earlier.ValidUntil) {
			continue
		}
		earlier.Status, earlier.RevokedAt, earlier.RevokeReason, earlier.UpdatedAt = amparo.LetterRevoked, l.RevokedAt, l.RevokeReason, tx.now
		if err := tx.setRevoked(ctx, earlier); err != nil {
			return err
		}
		if err := tx.revokeCredential(ctx, earlier); err != nil {
			return err
		}
		if err := tx.audit(ctx, amparo.AuditLetterRevoke, earlier.ID); err != nil {
			return err
		}
	}
}

// ExpireLetters marks the actor's active letters past their date expired.
func (db *DB) ExpireLetters(ctx context.Context, now time.Time) (int, error) {
	var n int
	err := db.inTx(ctx, func(tx *Tx) error {
		scope, args, err := letterScope(tx.actor)
		if err != nil {
			return err
		}
		ids, err := tx.queryIDs(ctx, "SELECT l.id FROM letters l WHERE "+scope+" AND l.status = ? AND l.valid_until <= ?",
			append(args, amparo.LetterActive, formatTime(now))...)
		if err != nil {
			return err
		}
		for _, id := range ids {
			if _, err := tx.exec(ctx, "UPDATE letters SET status = ?, updated_at = ? WHERE id = ?", amparo.LetterExpired, formatTime(tx.now), id); err != nil {
				return err
			}
			if err := tx.audit(ctx, amparo.AuditLetterExpire, id); err != nil {
				return err
			}
		}
		n = len(ids)
		return nil
	})
	return n, err
}

// letterStatusMsg is a letter's status as a catalog message, for a person to read.
func letterStatusMsg[S ~string](s S) amparo.Msg {
	return amparo.Msg{Key: "letters.status." + string(s)}
}

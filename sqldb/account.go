package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/auth"
)

var _ amparo.AccountService = (*DB)(nil)

const accountColumns = `id, email, name, role, COALESCE(organization_id, ''), status, sealed_totp IS NOT NULL, created_at, updated_at`

func scanAccount(row interface{ Scan(...any) error }) (*amparo.Account, error) {
	var a amparo.Account
	err := row.Scan(&a.ID, &a.Email, &a.Name, &a.Role, &a.OrganizationID, &a.Status, &a.TOTPEnabled, scanTime{&a.CreatedAt}, scanTime{&a.UpdatedAt})
	return &a, mapError(err)
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// CreateInvitation stores an invitation: the program office invites any
// role; an organization admin, its own organization's roles.
func (db *DB) CreateInvitation(ctx context.Context, inv *amparo.Invitation) error {
	inv.Email = amparo.NormalizeEmail(inv.Email)
	if err := inv.Validate(); err != nil {
		return err
	}
	return db.inTx(ctx, func(tx *Tx) error {
		if !tx.actor.Invites(inv.Role, inv.OrganizationID) {
			return amparo.Errorf(amparo.EFORBIDDEN, "you cannot invite this role")
		}
		if inv.MemberID != "" {
			var n int
			if err := tx.queryRow(ctx, "SELECT COUNT(*) FROM members WHERE id = ? AND organization_id = ?", inv.MemberID, inv.OrganizationID).Scan(&n); err != nil {
				return mapError(err)
			} else if n == 0 {
				return amparo.Invalid("member_id", "no such member in this organization")
			}
		}
		inv.ID, inv.Token, inv.CreatedBy, inv.CreatedAt = amparo.NewID(), auth.NewToken(), tx.actor.ID, tx.now
		inv.ExpiresAt = tx.now.Add(amparo.InvitationTTL)
		if _, err := tx.exec(ctx, `INSERT INTO invitations (id, token_hash, email, role, organization_id, member_id, created_by, expires_at, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, inv.ID, auth.TokenHash(inv.Token), inv.Email, string(inv.Role), nullable(inv.OrganizationID),
			nullable(inv.MemberID), inv.CreatedBy, formatTime(inv.ExpiresAt), formatTime(tx.now)); err != nil {
			return err
		}
		// The e-mail carrying the link, if e-mail is configured: sent only
		// if the invitation is stored.
		if db.InvitationMessage != nil {
			if _, err := tx.enqueueMessage(ctx, db.InvitationMessage(inv)); err != nil {
				return err
			}
		}
		return tx.audit(ctx, amparo.AuditInvitationCreate, inv.ID)
	})
}

// FindInvitation returns an invitation that is neither used nor expired.
func (db *DB) FindInvitation(ctx context.Context, token string) (*amparo.Invitation, error) {
	var inv *amparo.Invitation
	err := db.inTx(ctx, func(tx *Tx) (err error) {
		inv, err = tx.findInvitation(ctx, token)
		return err
	})
	return inv, err
}

func (tx *Tx) findInvitation(ctx context.Context, token string) (*amparo.Invitation, error) {
	var inv amparo.Invitation
	var org, member *string
	err := tx.queryRow(ctx, `SELECT id, email, role, organization_id, member_id, created_by, expires_at, used_at, created_at
		FROM invitations WHERE token_hash = ? AND cancelled_at IS NULL`+tx.db.dialect.forUpdate(), auth.TokenHash(token)).
		Scan(&inv.ID, &inv.Email, &inv.Role, &org, &member, &inv.CreatedBy, scanTime{&inv.ExpiresAt}, scanTime{&inv.UsedAt}, scanTime{&inv.CreatedAt})
	if err != nil || !inv.UsedAt.IsZero() || !tx.now.Before(inv.ExpiresAt) {
		if err := mapError(err); err != nil && amparo.ErrorCode(err) != amparo.ENOTFOUND {
			return nil, err
		}
		return nil, amparo.Errorf(amparo.ENOTFOUND, "this invitation was used, has expired, or does not exist: ask for a new one")
	}
	if org != nil {
		inv.OrganizationID = *org
	}
	if member != nil {
		inv.MemberID = *member
	}
	return &inv, nil
}

// AcceptInvitation makes the invited account, once.
func (db *DB) AcceptInvitation(ctx context.Context, token, name, passwordHash string) (*amparo.Account, error) {
	var a *amparo.Account
	err := db.inTx(ctx, func(tx *Tx) error {
		inv, err := tx.findInvitation(ctx, token)
		if err != nil {
			return err
		}
		if name = strings.TrimSpace(name); name == "" || utf8.RuneCountInString(name) > amparo.MaxNameLen {
			return amparo.Invalid("name", "is required, at most %d characters", amparo.MaxNameLen)
		}
		a = &amparo.Account{ID: amparo.NewID(), Email: inv.Email, Name: name, Role: inv.Role, OrganizationID: inv.OrganizationID,
			Status: amparo.AccountActive, CreatedAt: tx.now, UpdatedAt: tx.now}
		_, wrapped, err := tx.db.cipher.NewDataKey(a.ID)
		if err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `INSERT INTO accounts (id, email, name, role, organization_id, status, password_hash, wrapped_key, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, a.ID, a.Email, a.Name, string(a.Role), nullable(a.OrganizationID), a.Status,
			passwordHash, wrapped, formatTime(tx.now), formatTime(tx.now)); err != nil {
			return conflict(err, "email", "an account with this email already exists")
		}
		if _, err := tx.exec(ctx, "UPDATE invitations SET used_at = ? WHERE id = ?", formatTime(tx.now), inv.ID); err != nil {
			return err
		}
		tx.actor = a.Actor()
		if err := tx.audit(ctx, amparo.AuditAccountCreate, a.ID); err != nil {
			return err
		}
		if inv.MemberID == "" {
			return nil
		}
		// The invitation was for a member record: it now names this account.
		m, err := scanMember(tx.queryRow(ctx, "SELECT "+memberSelect+" FROM members WHERE id = ?", inv.MemberID))
		if err != nil {
			return err
		}
		return tx.linkMember(ctx, m, a.ID)
	})
	return a, err
}

// FindAccountByID returns an account.
func (db *DB) FindAccountByID(ctx context.Context, id string) (*amparo.Account, error) {
	var a *amparo.Account
	err := db.inTx(ctx, func(tx *Tx) (err error) {
		a, err = scanAccount(tx.queryRow(ctx, "SELECT "+accountColumns+" FROM accounts WHERE id = ?", id))
		return err
	})
	return a, err
}

// FindAccounts lists accounts by name, to whoever administers them.
func (db *DB) FindAccounts(ctx context.Context, organizationID string) ([]*amparo.Account, error) {
	var out []*amparo.Account
	err := db.inTx(ctx, func(tx *Tx) error {
		if !tx.actor.Administers(organizationID) {
			return amparo.Errorf(amparo.EFORBIDDEN, "you cannot list these accounts")
		}
		rows, err := tx.query(ctx, "SELECT "+accountColumns+" FROM accounts WHERE COALESCE(organization_id, '') = ? ORDER BY name, id", organizationID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			a, err := scanAccount(rows)
			if err != nil {
				return err
			}
			out = append(out, a)
		}
		return rows.Err()
	})
	return out, err
}

// accountSorts are the orders of a list of accounts.
var accountSorts = map[string]string{"name": "lower(name)", "role": "role", "status": "status", "created": "created_at"}

// FindAccountsBy lists a page of accounts, to whoever administers them.
func (db *DB) FindAccountsBy(ctx context.Context, f amparo.AccountFilter) ([]*amparo.Account, int, error) {
	order, err := peopleOrder(f.Sort, accountSorts, "name")
	if err != nil {
		return nil, 0, err
	}
	var out []*amparo.Account
	var n int
	err = db.inTx(ctx, func(tx *Tx) error {
		if !tx.actor.Administers(f.OrganizationID) {
			return amparo.Errorf(amparo.EFORBIDDEN, "you cannot list these accounts")
		}
		where, args := "WHERE COALESCE(organization_id, '') = ?", []any{f.OrganizationID}
		if f.Role != "" {
			where, args = where+" AND role = ?", append(args, string(f.Role))
		}
		if f.Q != "" {
			where, args = where+` AND (lower(name) LIKE ? ESCAPE '\' OR email LIKE ? ESCAPE '\')`, append(args, peopleLike(f.Q), peopleLike(f.Q))
		}
		if err := tx.queryRow(ctx, "SELECT COUNT(*) FROM accounts "+where, args...).Scan(&n); err != nil {
			return mapError(err)
		}
		rows, err := tx.query(ctx, page("SELECT "+accountColumns+" FROM accounts "+where+order, f.Offset, f.Limit), args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			a, err := scanAccount(rows)
			if err != nil {
				return err
			}
			out = append(out, a)
		}
		return rows.Err()
	})
	return out, n, err
}

// FindInvitations lists pending invitations, newest first, to whoever
// administers their organization.
func (db *DB) FindInvitations(ctx context.Context, f amparo.InvitationFilter) ([]*amparo.Invitation, int, error) {
	var out []*amparo.Invitation
	var n int
	err := db.inTx(ctx, func(tx *Tx) error {
		if !tx.actor.Administers(f.OrganizationID) {
			return amparo.Errorf(amparo.EFORBIDDEN, "you cannot list these invitations")
		}
		where := "WHERE COALESCE(organization_id, '') = ? AND used_at IS NULL AND cancelled_at IS NULL AND expires_at > ?"
		args := []any{f.OrganizationID, formatTime(tx.now)}
		if f.ID != "" {
			where, args = where+" AND id = ?", append(args, f.ID)
		}
		if err := tx.queryRow(ctx, "SELECT COUNT(*) FROM invitations "+where, args...).Scan(&n); err != nil {
			return mapError(err)
		}
		rows, err := tx.query(ctx, page(`SELECT id, email, role, COALESCE(organization_id, ''), COALESCE(member_id, ''), created_by,
			expires_at, created_at FROM invitations `+where+" ORDER BY created_at DESC, id DESC", f.Offset, f.Limit), args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var inv amparo.Invitation
			if err := rows.Scan(&inv.ID, &inv.Email, &inv.Role, &inv.OrganizationID, &inv.MemberID, &inv.CreatedBy,
				scanTime{&inv.ExpiresAt}, scanTime{&inv.CreatedAt}); err != nil {
				return mapError(err)
			}
			out = append(out, &inv)
		}
		return rows.Err()
	})
	return out, n, err
}

// CancelInvitation makes a pending invitation unusable. The row stays, for
// the audit trail; its link no longer works.
func (db *DB) CancelInvitation(ctx context.Context, id string) error {
	return db.inTx(ctx, func(tx *Tx) error {
		var role amparo.Role
		var org string
		err := tx.queryRow(ctx, `SELECT role, COALESCE(organization_id, '') FROM invitations
			WHERE id = ? AND used_at IS NULL AND cancelled_at IS NULL AND expires_at > ?`+tx.db.dialect.forUpdate(), id, formatTime(tx.now)).
			Scan(&role, &org)
		if err != nil {
			if err := mapError(err); amparo.ErrorCode(err) != amparo.ENOTFOUND {
				return err
			}
			return amparo.Errorf(amparo.ENOTFOUND, "no pending invitation: it was used, cancelled or has expired").Localize("invitation.not_pending")
		}
		if !tx.actor.Invites(role, org) {
			return amparo.Errorf(amparo.EFORBIDDEN, "you cannot cancel this invitation")
		}
		if _, err := tx.exec(ctx, "UPDATE invitations SET cancelled_at = ? WHERE id = ?", formatTime(tx.now), id); err != nil {
			return err
		}
		return tx.audit(ctx, amparo.AuditInvitationCancel, id)
	})
}

// FindCredentials returns an account and what signing in checks.
func (db *DB) FindCredentials(ctx context.Context, email string) (*amparo.Account, *amparo.Credentials, error) {
	var a *amparo.Account
	var c amparo.Credentials
	err := db.inTx(ctx, func(tx *Tx) (err error) {
		var wrapped, sealed []byte
		a, err = scanAccount(tx.queryRow(ctx, "SELECT "+accountColumns+" FROM accounts WHERE email = ?",
			amparo.NormalizeEmail(email)))
		if err != nil {
			return err
		}
		if err := tx.queryRow(ctx, "SELECT password_hash, wrapped_key, sealed_totp, totp_last_step FROM accounts WHERE id = ?", a.ID).
			Scan(&c.PasswordHash, &wrapped, &sealed, &c.TOTPLastStep); err != nil {
			return mapError(err)
		}
		if sealed == nil {
			return nil
		}
		secret, err := tx.unseal(a.ID, wrapped, sealed, []byte("totp "+a.ID))
		if err != nil {
			return err
		}
		c.TOTPSecret = string(secret)
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	return a, &c, nil
}

// self refuses changing another account's sign-in details.
func (tx *Tx) self(accountID string) error {
	if !tx.actor.ChangesSignInOf(accountID) {
		return amparo.Errorf(amparo.EFORBIDDEN, "you can change only your own sign-in details")
	}
	return nil
}

// SetPasswordHash replaces an account's password hash.
func (db *DB) SetPasswordHash(ctx context.Context, accountID, hash string) error {
	return db.inTx(ctx, func(tx *Tx) error {
		if err := tx.self(accountID); err != nil {
			return err
		}
		r, err := tx.exec(ctx, "UPDATE accounts SET password_hash = ?, updated_at = ? WHERE id = ?", hash, formatTime(tx.now), accountID)
		if err != nil {
			return err
		}
		if err := mustAffect(r, "account"); err != nil {
			return err
		}
		return tx.audit(ctx, amparo.AuditAccountPassword, accountID)
	})
}

// SetTOTP enables the second factor.
func (db *DB) SetTOTP(ctx context.Context, accountID, secret string, recoveryHashes [][]byte) error {
	return db.inTx(ctx, func(tx *Tx) error {
		if err := tx.self(accountID); err != nil {
			return err
		}
		var wrapped []byte
		if err := tx.queryRow(ctx, "SELECT wrapped_key FROM accounts WHERE id = ?", accountID).Scan(&wrapped); err != nil {
			return mapError(err)
		}
		dk, err := tx.db.cipher.OpenDataKey(accountID, wrapped)
		if err != nil {
			return decryptError(err)
		}
		if _, err := tx.exec(ctx, "UPDATE accounts SET sealed_totp = ?, totp_last_step = 0, updated_at = ? WHERE id = ?",
			dk.Seal([]byte(secret), []byte("totp "+accountID)), formatTime(tx.now), accountID); err != nil {
			return err
		}
		if _, err := tx.exec(ctx, "DELETE FROM recovery_codes WHERE account_id = ?", accountID); err != nil {
			return err
		}
		for _, h := range recoveryHashes {
			if _, err := tx.exec(ctx, "INSERT INTO recovery_codes (account_id, code_hash) VALUES (?, ?)", accountID, h); err != nil {
				return err
			}
		}
		return tx.audit(ctx, amparo.AuditAccountTOTP, accountID)
	})
}

// UseTOTPStep records a used code's step if it is newer than the last:
// the conditional update lets one of two racing requests win, never both.
func (db *DB) UseTOTPStep(ctx context.Context, accountID string, step int64) (bool, error) {
	var ok bool
	err := db.inTx(ctx, func(tx *Tx) error {
		r, err := tx.exec(ctx, "UPDATE accounts SET totp_last_step = ? WHERE id = ? AND totp_last_step < ?", step, accountID, step)
		if err != nil {
			return err
		}
		n, err := r.RowsAffected()
		ok = n == 1
		return err
	})
	return ok, err
}

// UseRecoveryCode consumes a recovery code.
func (db *DB) UseRecoveryCode(ctx context.Context, accountID string, hash []byte) (bool, error) {
	var ok bool
	err := db.inTx(ctx, func(tx *Tx) error {
		r, err := tx.exec(ctx, "DELETE FROM recovery_codes WHERE account_id = ? AND code_hash = ?", accountID, hash)
		if err != nil {
			return err
		}
		n, err := r.RowsAffected()
		if ok = n == 1; ok {
			return tx.audit(ctx, amparo.AuditAccountRecoveryCode, accountID)
		}
		return err
	})
	return ok, err
}

// RecoveryCodesLeft counts an account's unused recovery codes.
func (db *DB) RecoveryCodesLeft(ctx context.Context, accountID string) (int, error) {
	var n int
	err := db.inTx(ctx, func(tx *Tx) error {
		if err := tx.self(accountID); err != nil {
			return err
		}
		return mapError(tx.queryRow(ctx, "SELECT COUNT(*) FROM recovery_codes WHERE account_id = ?", accountID).Scan(&n))
	})
	return n, err
}

// administeredAccount returns an account the actor administers, locked
// for a change of its status.
func (tx *Tx) administeredAccount(ctx context.Context, accountID string) (*amparo.Account, error) {
	a, err := scanAccount(tx.queryRow(ctx, "SELECT "+accountColumns+" FROM accounts WHERE id = ?"+tx.db.dialect.forUpdate(), accountID))
	if err != nil {
		return nil, err
	}
	if !tx.actor.Administers(a.OrganizationID) {
		return nil, amparo.Errorf(amparo.EFORBIDDEN, "you cannot change this account")
	}
	return a, nil
}

// ReactivateAccount lets a suspended account sign in again.
func (db *DB) ReactivateAccount(ctx context.Context, accountID string) error {
	return db.inTx(ctx, func(tx *Tx) error {
		a, err := tx.administeredAccount(ctx, accountID)
		if err != nil {
			return err
		}
		if a.Status != amparo.AccountSuspended {
			return amparo.Errorf(amparo.ECONFLICT, "the account is not suspended").Localize("people.not_suspended")
		}
		if _, err := tx.exec(ctx, "UPDATE accounts SET status = ?, updated_at = ? WHERE id = ?", amparo.AccountActive, formatTime(tx.now), a.ID); err != nil {
			return err
		}
		return tx.audit(ctx, amparo.AuditAccountReactivate, a.ID)
	})
}

// SuspendAccount suspends an account and ends all its sessions.
func (db *DB) SuspendAccount(ctx context.Context, accountID string) error {
	return db.inTx(ctx, func(tx *Tx) error {
		a, err := tx.administeredAccount(ctx, accountID)
		if err != nil {
			return err
		}
		if a.ID == tx.actor.ID {
			return amparo.Invalid("account", "you cannot suspend your own account").Localize("people.not_yourself")
		}
		if _, err := tx.exec(ctx, "UPDATE accounts SET status = ?, updated_at = ? WHERE id = ?", amparo.AccountSuspended, formatTime(tx.now), a.ID); err != nil {
			return err
		}
		if _, err := tx.exec(ctx, "DELETE FROM sessions WHERE account_id = ?", a.ID); err != nil {
			return err
		}
		return tx.audit(ctx, amparo.AuditAccountSuspend, a.ID)
	})
}

// AuditSignInFailure records a failed sign-in.
func (db *DB) AuditSignInFailure(ctx context.Context, accountID string) error {
	return db.inTx(ctx, func(tx *Tx) error { return tx.audit(ctx, amparo.AuditAccountSignInFailure, accountID) })
}

// CreateSession starts a session for an active account.
func (db *DB) CreateSession(ctx context.Context, accountID string, secondFactor bool) (string, error) {
	token := auth.NewToken()
	err := db.inTx(ctx, func(tx *Tx) error {
		r, err := tx.exec(ctx, `INSERT INTO sessions (token_hash, account_id, second_factor, created_at, last_seen_at)
			SELECT ?, id, ?, ?, ? FROM accounts WHERE id = ? AND status = ?`,
			auth.TokenHash(token), secondFactor, formatTime(tx.now), formatTime(tx.now), accountID, amparo.AccountActive)
		if err != nil {
			return err
		}
		if n, _ := r.RowsAffected(); n != 1 {
			return amparo.Errorf(amparo.EUNAUTHORIZED, "the account is suspended")
		}
		tx.actor = amparo.AccountActor(accountID)
		return tx.audit(ctx, amparo.AuditAccountSignIn, accountID)
	})
	return token, err
}

// FindSession returns a live session and touches it.
func (db *DB) FindSession(ctx context.Context, token string) (*amparo.Session, error) {
	var s amparo.Session
	err := db.inTx(ctx, func(tx *Tx) error {
		err := tx.queryRow(ctx, "SELECT account_id, second_factor, created_at, last_seen_at FROM sessions WHERE token_hash = ?", auth.TokenHash(token)).
			Scan(&s.AccountID, &s.SecondFactor, scanTime{&s.CreatedAt}, scanTime{&s.LastSeenAt})
		if errors.Is(err, sql.ErrNoRows) {
			return amparo.Errorf(amparo.EUNAUTHORIZED, "not signed in")
		} else if err != nil {
			return mapError(err) // a database failure is not a signed-out visitor
		}
		if tx.now.Sub(s.LastSeenAt) > amparo.SessionIdle || tx.now.Sub(s.CreatedAt) > amparo.SessionAbsolute {
			if _, err := tx.exec(ctx, "DELETE FROM sessions WHERE token_hash = ?", auth.TokenHash(token)); err != nil {
				return err
			}
			return amparo.Errorf(amparo.EUNAUTHORIZED, "the session has ended")
		}
		if s.Account, err = scanAccount(tx.queryRow(ctx, "SELECT "+accountColumns+" FROM accounts WHERE id = ?", s.AccountID)); err != nil {
			return err
		}
		if s.Account.Status != amparo.AccountActive {
			return amparo.Errorf(amparo.EUNAUTHORIZED, "the account is suspended")
		}
		// Touch at most once a minute: most requests then only read.
		if tx.now.Sub(s.LastSeenAt) > time.Minute {
			s.LastSeenAt = tx.now
			_, err = tx.exec(ctx, "UPDATE sessions SET last_seen_at = ? WHERE token_hash = ?", formatTime(tx.now), auth.TokenHash(token))
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return &s, nil
}

// DeleteSession signs a browser out.
func (db *DB) DeleteSession(ctx context.Context, token string) error {
	return db.inTx(ctx, func(tx *Tx) error {
		_, err := tx.exec(ctx, "DELETE FROM sessions WHERE token_hash = ?", auth.TokenHash(token))
		return err
	})
}

// DeleteSessions signs an account out everywhere.
func (db *DB) DeleteSessions(ctx context.Context, accountID string) error {
	return db.inTx(ctx, func(tx *Tx) error {
		if err := tx.self(accountID); err != nil {
			return err
		}
		if _, err := tx.exec(ctx, "DELETE FROM sessions WHERE account_id = ?", accountID); err != nil {
			return err
		}
		return tx.audit(ctx, amparo.AuditAccountSignOutEverywhere, accountID)
	})
}

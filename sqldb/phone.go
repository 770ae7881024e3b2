package sqldb

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"math/big"
	"time"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/auth"
)

var _ amparo.PhoneService = (*DB)(nil)

// Wrong PINs lock out the source (address) that made them, for 1, 2, 4...
// minutes from its third, up to a day; a source's failures are forgotten a
// day after its last. Whatever the number of sources, a link takes at most
// pinDailyBudget wrong PINs a day: then it opens for no new device until
// the day is over (devices that opened it before keep their cookie). The
// budget is what bounds an attacker with many addresses; docs/security.md
// gives the odds.
const (
	pinFreeTries   = 3
	pinMaxLock     = 24 * time.Hour
	pinForget      = 24 * time.Hour
	pinDay         = 24 * time.Hour
	pinDailyBudget = 10
)

type phoneSecret struct {
	Token string `json:"t"`
	PIN   string `json:"p"`
}

// CreatePhoneLink makes a new link and PIN for the client of an active
// letter of the actor's organization; the client's previous link stops
// working.
func (db *DB) CreatePhoneLink(ctx context.Context, letterID string) (*amparo.PhoneLink, error) {
	var p *amparo.PhoneLink
	err := db.inTx(ctx, func(tx *Tx) (err error) {
		l, err := tx.findLetter(ctx, letterID)
		if err != nil {
			return err
		}
		p, err = tx.newPhoneLink(ctx, l)
		return err
	})
	return p, err
}

// createPhoneLink gives the client of a letter just issued a phone link:
// the one they already have if it works, else a new one. A renewal thus
// keeps the link and PIN the client was given.
func (tx *Tx) createPhoneLink(ctx context.Context, l *amparo.Letter) (*amparo.PhoneLink, error) {
	if err := phoneLetterIssued(l); err != nil {
		return nil, err
	}
	p, err := tx.workingPhoneLink(ctx, l.ClientID)
	if amparo.ErrorCode(err) == amparo.ENOTFOUND {
		return tx.newPhoneLink(ctx, l)
	}
	return p, err
}

func phoneLetterIssued(l *amparo.Letter) error {
	if l.Status != amparo.LetterActive || l.ClientID == "" {
		return amparo.Errorf(amparo.ECONFLICT, "only an active letter has a phone page; this letter is %s", l.Status)
	}
	return nil
}

// newPhoneLink makes a new link and PIN for l's client, stopping the one
// they had.
func (tx *Tx) newPhoneLink(ctx context.Context, l *amparo.Letter) (*amparo.PhoneLink, error) {
	if err := phoneLetterIssued(l); err != nil {
		return nil, err
	}
	if _, err := tx.exec(ctx, "UPDATE phone_links SET revoked_at = ? WHERE client_id = ? AND revoked_at IS NULL", formatTime(tx.now), l.ClientID); err != nil {
		return nil, err
	}
	n, _ := rand.Int(rand.Reader, big.NewInt(1_000_000))
	p := &amparo.PhoneLink{ID: amparo.NewID(), ClientID: l.ClientID, Token: auth.NewToken(),
		PIN: fmt.Sprintf("%06d", n.Int64()), CreatedAt: tx.now}
	dk, err := tx.clientKey(ctx, l.ClientID)
	if err != nil {
		return nil, err
	}
	secret, _ := json.Marshal(phoneSecret{p.Token, p.PIN})
	if _, err := tx.exec(ctx, `INSERT INTO phone_links (id, client_id, token_hash, pin_mac, sealed, created_at)
		VALUES (?, ?, ?, ?, ?, ?)`, p.ID, l.ClientID, auth.TokenHash(p.Token), tx.db.cipher.MAC("phone pin "+p.ID, []byte(p.PIN)),
		dk.Seal(secret, []byte("phone link "+p.ID)), formatTime(tx.now)); err != nil {
		return nil, err
	}
	return p, tx.audit(ctx, amparo.AuditPhoneLinkCreate, l.ID)
}

// workingPhoneLink returns a client's working link with its token and PIN.
func (tx *Tx) workingPhoneLink(ctx context.Context, clientID string) (*amparo.PhoneLink, error) {
	p := amparo.PhoneLink{ClientID: clientID}
	var sealed []byte
	err := tx.queryRow(ctx, "SELECT id, sealed, created_at FROM phone_links WHERE client_id = ? AND revoked_at IS NULL", clientID).
		Scan(&p.ID, &sealed, scanTime{&p.CreatedAt})
	if amparo.ErrorCode(mapError(err)) == amparo.ENOTFOUND {
		return nil, amparo.Errorf(amparo.ENOTFOUND, "the client has no phone link")
	} else if err != nil {
		return nil, err
	}
	dk, err := tx.clientKey(ctx, clientID)
	if err != nil {
		return nil, err
	}
	plain, err := dk.Open(sealed, []byte("phone link "+p.ID))
	if err != nil {
		return nil, decryptError(err)
	}
	var s phoneSecret
	if err := json.Unmarshal(plain, &s); err != nil {
		return nil, err
	}
	p.Token, p.PIN = s.Token, s.PIN
	return &p, nil
}

// FindPhoneLink returns the working link of a letter's client with its
// token and PIN, to show or print again. The read is audited.
func (db *DB) FindPhoneLink(ctx context.Context, letterID string) (*amparo.PhoneLink, error) {
	var p *amparo.PhoneLink
	err := db.inTx(ctx, func(tx *Tx) error {
		l, err := tx.findLetter(ctx, letterID)
		if err != nil {
			return err
		}
		if l.ClientID == "" {
			return amparo.Errorf(amparo.ENOTFOUND, "the client has no phone link")
		}
		if p, err = tx.workingPhoneLink(ctx, l.ClientID); err != nil {
			return err
		}
		return tx.audit(ctx, amparo.AuditPhoneLinkView, l.ID)
	})
	return p, err
}

// RevokePhoneLink stops the working link of a letter's client.
func (db *DB) RevokePhoneLink(ctx context.Context, letterID string) error {
	return db.inTx(ctx, func(tx *Tx) error {
		l, err := tx.findLetter(ctx, letterID)
		if err != nil {
			return err
		}
		r, err := tx.exec(ctx, "UPDATE phone_links SET revoked_at = ? WHERE client_id = ? AND revoked_at IS NULL", formatTime(tx.now), l.ClientID)
		if err != nil {
			return err
		}
		if err := mustAffect(r, "phone link"); err != nil {
			return err
		}
		return tx.audit(ctx, amparo.AuditPhoneLinkRevoke, l.ID)
	})
}

// errWrongPIN is the answer to a wrong PIN; it does not say how many tries
// are left, nor whether the link exists.
var errWrongPIN = amparo.Errorf(amparo.EUNAUTHORIZED, "wrong link or PIN")

func errPINLocked(now, until time.Time) error {
	return amparo.Errorf(amparo.ECONFLICT, "too many wrong PINs: try again in %d minutes", int(until.Sub(now).Minutes())+1)
}

// OpenPhoneLetter checks a PIN and returns the phone page. A wrong PIN is
// counted even though the call fails, so the count survives the error.
func (db *DB) OpenPhoneLetter(ctx context.Context, token, pin, source string) (*amparo.PhoneLetter, error) {
	var page *amparo.PhoneLetter
	var answer error
	err := db.inTx(ctx, func(tx *Tx) error {
		var id string
		var mac []byte
		var dayStarted time.Time
		var dayFailures int
		// The row lock orders the tries at one link, so the counts hold.
		err := tx.queryRow(ctx, "SELECT id, pin_mac, day_started, day_failures FROM phone_links WHERE token_hash = ? AND revoked_at IS NULL"+tx.db.dialect.forUpdate(),
			auth.TokenHash(token)).Scan(&id, &mac, scanTime{&dayStarted}, &dayFailures)
		if amparo.ErrorCode(mapError(err)) == amparo.ENOTFOUND {
			tx.db.cipher.MAC("phone pin", []byte(pin)) // the same work as a real check
			answer = errWrongPIN
			return nil
		} else if err != nil {
			return err
		}
		if dayStarted.IsZero() || !tx.now.Before(dayStarted.Add(pinDay)) {
			dayStarted, dayFailures = tx.now, 0
		}
		if dayFailures >= pinDailyBudget {
			answer = errPINLocked(tx.now, dayStarted.Add(pinDay))
			return nil
		}
		src := tx.db.cipher.MAC("phone source", []byte(source))
		var failures int
		var locked, last time.Time
		err = tx.queryRow(ctx, "SELECT failures, locked_until, last_failure FROM phone_pin_tries WHERE link_id = ? AND source = ?", id, src).
			Scan(&failures, scanTime{&locked}, scanTime{&last})
		known := err == nil
		if err != nil && amparo.ErrorCode(mapError(err)) != amparo.ENOTFOUND {
			return err
		}
		if known && !tx.now.Before(last.Add(pinForget)) {
			failures, locked = 0, time.Time{}
		}
		if tx.now.Before(locked) {
			answer = errPINLocked(tx.now, locked)
			return nil
		}
		if subtle.ConstantTimeCompare(mac, tx.db.cipher.MAC("phone pin "+id, []byte(pin))) != 1 {
			answer = errWrongPIN
			return tx.wrongPIN(ctx, id, src, known, failures+1, dayStarted, dayFailures+1)
		}
		if known {
			if _, err := tx.exec(ctx, "DELETE FROM phone_pin_tries WHERE link_id = ? AND source = ?", id, src); err != nil {
				return err
			}
		}
		if page, err = tx.phoneLetter(ctx, id); err != nil {
			return err
		}
		return tx.audit(ctx, amparo.AuditPhoneLinkOpen, id)
	})
	if err != nil {
		return nil, err
	}
	return page, answer
}

// wrongPIN records a wrong PIN against its source and the link's day.
func (tx *Tx) wrongPIN(ctx context.Context, linkID string, src []byte, known bool, failures int, dayStarted time.Time, dayFailures int) error {
	var until any
	if failures >= pinFreeTries {
		until = formatTime(tx.now.Add(min(time.Minute<<min(failures-pinFreeTries, 20), pinMaxLock)))
	}
	q := "INSERT INTO phone_pin_tries (failures, locked_until, last_failure, link_id, source) VALUES (?, ?, ?, ?, ?)"
	if known {
		q = "UPDATE phone_pin_tries SET failures = ?, locked_until = ?, last_failure = ? WHERE link_id = ? AND source = ?"
	}
	if _, err := tx.exec(ctx, q, failures, until, formatTime(tx.now), linkID, src); err != nil {
		return err
	}
	// Sources quiet for a day are forgotten; with the daily budget, a link
	// keeps only a few rows.
	if _, err := tx.exec(ctx, "DELETE FROM phone_pin_tries WHERE link_id = ? AND last_failure < ?", linkID, formatTime(tx.now.Add(-pinForget))); err != nil {
		return err
	}
	if _, err := tx.exec(ctx, "UPDATE phone_links SET day_started = ?, day_failures = ? WHERE id = ?",
		formatTime(dayStarted), dayFailures, linkID); err != nil {
		return err
	}
	return tx.audit(ctx, amparo.AuditPhoneLinkWrongPIN, linkID)
}

// PhoneLetterByLink returns the page of a working link opened before. No
// PIN lockout applies: the caller holds proof of an earlier right PIN.
func (db *DB) PhoneLetterByLink(ctx context.Context, linkID string) (*amparo.PhoneLetter, error) {
	var page *amparo.PhoneLetter
	err := db.inTx(ctx, func(tx *Tx) (err error) {
		var n int
		if err := tx.queryRow(ctx, "SELECT COUNT(*) FROM phone_links WHERE id = ? AND revoked_at IS NULL", linkID).Scan(&n); err != nil {
			return mapError(err)
		} else if n == 0 {
			return amparo.Errorf(amparo.ENOTFOUND, "this link no longer works")
		}
		page, err = tx.phoneLetter(ctx, linkID)
		return err
	})
	return page, err
}

// phoneLetter reads what a link's page shows: the client's current letter,
// their newest active one or, when none is active, their newest issued
// one; a letter replaced by its renewal is never current, even while it
// stays valid. It reads the client's name and language without the organization
// scope: the caller proved the PIN.
func (tx *Tx) phoneLetter(ctx context.Context, linkID string) (*amparo.PhoneLetter, error) {
	p := &amparo.PhoneLetter{LinkID: linkID}
	var l amparo.Letter
	if err := tx.queryRow(ctx, "SELECT client_id FROM phone_links WHERE id = ?", linkID).Scan(&l.ClientID); err != nil {
		return nil, mapError(err)
	}
	var accredited string
	err := tx.queryRow(ctx, `SELECT l.id, l.status, l.valid_until, m.name, m.kind, m.bar_jurisdiction,
		m.bar_number, m.recognized_org, m.accreditation_date, m.public_phone, o.name
		FROM letters l JOIN members m ON m.id = l.member_id JOIN organizations o ON o.id = l.organization_id
		WHERE l.client_id = ? AND l.issued_at IS NOT NULL
		ORDER BY CASE WHEN COALESCE(l.superseded_by, '') = '' THEN 0 ELSE 1 END,
			CASE WHEN l.status = ? THEN 0 ELSE 1 END, l.issued_at DESC, l.id DESC LIMIT 1`, l.ClientID, amparo.LetterActive).
		Scan(&l.ID, &p.Status, scanTime{&p.ValidUntil}, &p.MemberName, &p.MemberKind, &p.BarJurisdiction,
			&p.BarNumber, &p.RecognizedOrg, &accredited, &p.MemberPhone, &p.Organization)
	if amparo.ErrorCode(mapError(err)) == amparo.ENOTFOUND {
		return nil, amparo.Errorf(amparo.ENOTFOUND, "this link no longer works")
	} else if err != nil {
		return nil, mapError(err)
	}
	p.LetterID = l.ID
	var sealed []byte
	if err := tx.queryRow(ctx, "SELECT sealed FROM clients WHERE id = ?", l.ClientID).Scan(&sealed); err != nil {
		return nil, mapError(err)
	}
	dk, err := tx.clientKey(ctx, l.ClientID)
	if err != nil {
		return nil, err
	}
	plain, err := dk.Open(sealed, []byte(l.ClientID))
	if err != nil {
		return nil, decryptError(err)
	}
	var c amparo.Client
	if err := json.Unmarshal(plain, &c.Personal); err != nil {
		return nil, err
	}
	p.ClientName, p.Language = c.LegalName, c.Language
	if p.Status == amparo.LetterActive {
		if p.QR, err = tx.letterQR(ctx, &l); err != nil {
			return nil, err
		}
	}
	return p, nil
}

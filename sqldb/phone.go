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

// Wrong PINs lock a link for 1, 2, 4... minutes from the third, up to a day.
const (
	pinFreeTries = 3
	pinMaxLock   = 24 * time.Hour
)

type phoneSecret struct {
	Token string `json:"t"`
	PIN   string `json:"p"`
}

// CreatePhoneLink makes a new link and PIN for an issued letter of the
// actor's organization; the letter's previous link stops working.
func (db *DB) CreatePhoneLink(ctx context.Context, letterID string) (*amparo.PhoneLink, error) {
	var p *amparo.PhoneLink
	err := db.inTx(ctx, func(tx *Tx) (err error) {
		l, err := tx.findLetter(ctx, letterID)
		if err != nil {
			return err
		}
		p, err = tx.createPhoneLink(ctx, l)
		return err
	})
	return p, err
}

func (tx *Tx) createPhoneLink(ctx context.Context, l *amparo.Letter) (*amparo.PhoneLink, error) {
	if l.Status != amparo.LetterActive || l.ClientID == "" {
		return nil, amparo.Errorf(amparo.ECONFLICT, "only an active letter has a phone page; this letter is %s", l.Status)
	}
	if _, err := tx.exec(ctx, "UPDATE phone_links SET revoked_at = ? WHERE letter_id = ? AND revoked_at IS NULL", formatTime(tx.now), l.ID); err != nil {
		return nil, err
	}
	n, _ := rand.Int(rand.Reader, big.NewInt(1_000_000))
	p := &amparo.PhoneLink{ID: amparo.NewID(), LetterID: l.ID, Token: auth.NewToken(),
		PIN: fmt.Sprintf("%06d", n.Int64()), CreatedAt: tx.now}
	dk, err := tx.clientKey(ctx, l.ClientID)
	if err != nil {
		return nil, err
	}
	secret, _ := json.Marshal(phoneSecret{p.Token, p.PIN})
	if _, err := tx.exec(ctx, `INSERT INTO phone_links (id, letter_id, token_hash, pin_mac, sealed, created_at)
		VALUES (?, ?, ?, ?, ?, ?)`, p.ID, l.ID, auth.TokenHash(p.Token), tx.db.cipher.MAC("phone pin "+p.ID, []byte(p.PIN)),
		dk.Seal(secret, []byte("phone link "+p.ID)), formatTime(tx.now)); err != nil {
		return nil, err
	}
	return p, tx.audit(ctx, "phone_link.create", "letter", l.ID)
}

// FindPhoneLink returns a letter's working link with its token and PIN,
// to show or print again. The read is audited.
func (db *DB) FindPhoneLink(ctx context.Context, letterID string) (*amparo.PhoneLink, error) {
	var p amparo.PhoneLink
	err := db.inTx(ctx, func(tx *Tx) error {
		l, err := tx.findLetter(ctx, letterID)
		if err != nil {
			return err
		}
		var sealed []byte
		err = tx.queryRow(ctx, "SELECT id, sealed, created_at FROM phone_links WHERE letter_id = ? AND revoked_at IS NULL", l.ID).
			Scan(&p.ID, &sealed, scanTime{&p.CreatedAt})
		if amparo.ErrorCode(mapError(err)) == amparo.ENOTFOUND {
			return amparo.Errorf(amparo.ENOTFOUND, "the letter has no phone link")
		} else if err != nil {
			return err
		}
		dk, err := tx.clientKey(ctx, l.ClientID)
		if err != nil {
			return err
		}
		plain, err := dk.Open(sealed, []byte("phone link "+p.ID))
		if err != nil {
			return decryptError(err)
		}
		var s phoneSecret
		if err := json.Unmarshal(plain, &s); err != nil {
			return err
		}
		p.LetterID, p.Token, p.PIN = l.ID, s.Token, s.PIN
		return tx.audit(ctx, "phone_link.view", "letter", l.ID)
	})
	if err != nil {
		return nil, err
	}
	return &p, nil
}

// RevokePhoneLink stops a letter's link from working.
func (db *DB) RevokePhoneLink(ctx context.Context, letterID string) error {
	return db.inTx(ctx, func(tx *Tx) error {
		l, err := tx.findLetter(ctx, letterID)
		if err != nil {
			return err
		}
		r, err := tx.exec(ctx, "UPDATE phone_links SET revoked_at = ? WHERE letter_id = ? AND revoked_at IS NULL", formatTime(tx.now), l.ID)
		if err != nil {
			return err
		}
		if err := mustAffect(r, "phone link"); err != nil {
			return err
		}
		return tx.audit(ctx, "phone_link.revoke", "letter", l.ID)
	})
}

// errWrongPIN is the answer to a wrong PIN; it does not say how many tries
// are left, nor whether the link exists.
var errWrongPIN = amparo.Errorf(amparo.EUNAUTHORIZED, "wrong link or PIN")

// OpenPhoneLetter checks a PIN and returns the phone page. A wrong PIN is
// counted even though the call fails, so the count survives the error.
func (db *DB) OpenPhoneLetter(ctx context.Context, token, pin string) (*amparo.PhoneLetter, error) {
	var page *amparo.PhoneLetter
	var answer error
	err := db.inTx(ctx, func(tx *Tx) error {
		var id string
		var mac []byte
		var failures int
		var locked time.Time
		err := tx.queryRow(ctx, "SELECT id, pin_mac, failures, locked_until FROM phone_links WHERE token_hash = ? AND revoked_at IS NULL"+tx.db.dialect.forUpdate(),
			auth.TokenHash(token)).Scan(&id, &mac, &failures, scanTime{&locked})
		if amparo.ErrorCode(mapError(err)) == amparo.ENOTFOUND {
			tx.db.cipher.MAC("phone pin", []byte(pin)) // the same work as a real check
			answer = errWrongPIN
			return nil
		} else if err != nil {
			return err
		}
		if tx.now.Before(locked) {
			answer = amparo.Errorf(amparo.ECONFLICT, "too many wrong PINs: try again in %d minutes", int(locked.Sub(tx.now).Minutes())+1)
			return nil
		}
		if subtle.ConstantTimeCompare(mac, tx.db.cipher.MAC("phone pin "+id, []byte(pin))) != 1 {
			failures++
			var until any
			if failures >= pinFreeTries {
				until = formatTime(tx.now.Add(min(time.Minute<<(failures-pinFreeTries), pinMaxLock)))
			}
			if _, err := tx.exec(ctx, "UPDATE phone_links SET failures = ?, locked_until = ? WHERE id = ?", failures, until, id); err != nil {
				return err
			}
			answer = errWrongPIN
			return tx.audit(ctx, "phone_link.wrong_pin", "phone_link", id)
		}
		if _, err := tx.exec(ctx, "UPDATE phone_links SET failures = 0, locked_until = NULL WHERE id = ?", id); err != nil {
			return err
		}
		if page, err = tx.phoneLetter(ctx, id); err != nil {
			return err
		}
		return tx.audit(ctx, "phone_link.open", "phone_link", id)
	})
	if err != nil {
		return nil, err
	}
	return page, answer
}

// PhoneLetterByLink returns the page of a working link opened before.
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

// phoneLetter reads what a link's page shows. It reads the client's name
// and language without the organization scope: the caller proved the PIN.
func (tx *Tx) phoneLetter(ctx context.Context, linkID string) (*amparo.PhoneLetter, error) {
	p := &amparo.PhoneLetter{LinkID: linkID}
	var l amparo.Letter
	var accredited string
	err := tx.queryRow(ctx, `SELECT l.id, COALESCE(l.client_id, ''), l.status, l.valid_until, m.name, m.kind, m.bar_jurisdiction,
		m.bar_number, m.recognized_org, m.accreditation_date, m.public_phone, o.name
		FROM phone_links p JOIN letters l ON l.id = p.letter_id JOIN members m ON m.id = l.member_id
		JOIN organizations o ON o.id = l.organization_id WHERE p.id = ?`, linkID).
		Scan(&l.ID, &l.ClientID, &p.Status, scanTime{&p.ValidUntil}, &p.MemberName, &p.MemberKind, &p.BarJurisdiction,
			&p.BarNumber, &p.RecognizedOrg, &accredited, &p.MemberPhone, &p.Organization)
	if err != nil {
		return nil, mapError(err)
	}
	p.LetterID = l.ID
	if l.ClientID == "" {
		return nil, amparo.Errorf(amparo.ENOTFOUND, "this link no longer works")
	}
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

package sqldb

import (
	"context"
	"crypto/aes"
	gcm "crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"strings"
)

// Two of a letter's columns say something about its client: the
// revocation reason is free text about a person ("the client was
// deported", "moved to another state"), and the languages copy the
// client's. Both are stored sealed, each under a key the master key
// derives for the purpose, bound to the letter's ID. The stored form is
// "s1:" and the base64 of nonce and sealed text; values stored in clear
// before are sealed by Migrate.

const reasonPrefix = "s1:"

// A sealed letter field: the key's purpose and what a damaged value says.
type letterField struct{ purpose, name string }

var (
	reasonField    = letterField{"letter revocation reason", "revocation reason"}
	languagesField = letterField{"letter languages", "languages"}
)

// letterAEAD is field f's cipher, derived once: deriving it is most of
// what opening a field costs, twice for every letter read.
func (db *DB) letterAEAD(f letterField) (gcm.AEAD, error) {
	if a, ok := db.letterAEADs.Load(f); ok {
		return a.(gcm.AEAD), nil
	}
	block, err := aes.NewCipher(db.cipher.MAC(f.purpose, nil)[:32])
	if err != nil {
		return nil, err
	}
	a, err := gcm.NewGCM(block)
	if err != nil {
		return nil, err
	}
	db.letterAEADs.Store(f, a)
	return a, nil
}

// sealLetter is value as field f of letter letterID stores it.
func (db *DB) sealLetter(f letterField, letterID, value string) (string, error) {
	aead, err := db.letterAEAD(f)
	if err != nil {
		return "", err
	}
	nonce := make([]byte, aead.NonceSize())
	rand.Read(nonce)
	sealed := aead.Seal(nonce, nonce, []byte(value), []byte("letter "+letterID))
	return reasonPrefix + base64.RawStdEncoding.EncodeToString(sealed), nil
}

// openLetter is field f as letter letterID stored it: opened when sealed,
// as it is when stored before the field was sealed.
func (db *DB) openLetter(f letterField, letterID, stored string) (string, error) {
	b64, sealed := strings.CutPrefix(stored, reasonPrefix)
	if !sealed {
		return stored, nil
	}
	b, err := base64.RawStdEncoding.DecodeString(b64)
	aead, aerr := db.letterAEAD(f)
	if err != nil || aerr != nil || len(b) < aead.NonceSize() {
		return "", errors.New("a letter's " + f.name + " is damaged")
	}
	plain, err := aead.Open(nil, b[:aead.NonceSize()], b[aead.NonceSize():], []byte("letter "+letterID))
	if err != nil {
		return "", errors.New("a letter's " + f.name + " does not open under this master key")
	}
	return string(plain), nil
}

// sealReason is reason as letter letterID stores it; "" stays "" (most
// letters are never revoked).
func (db *DB) sealReason(letterID, reason string) (string, error) {
	if reason == "" {
		return "", nil
	}
	return db.sealLetter(reasonField, letterID, reason)
}

func (db *DB) openReason(letterID, stored string) (string, error) {
	return db.openLetter(reasonField, letterID, stored)
}

// sealLanguages is the JSON list of languages as letter letterID stores
// it, sealed even when empty, so that no row tells which letters name
// their languages.
func (db *DB) sealLanguages(letterID string, langs []string) (string, error) {
	return db.sealLetter(languagesField, letterID, jsonText(langs))
}

// openLanguages reads the languages letter letterID stored.
func (db *DB) openLanguages(letterID, stored string, langs *[]string) error {
	text, err := db.openLetter(languagesField, letterID, stored)
	if err != nil {
		return err
	}
	return scanList{langs}.Scan(text)
}

// sealLetterFields seals the revocation reasons and languages stored in
// clear before they were sealed, once.
func (db *DB) sealLetterFields(ctx context.Context) error {
	return db.inLockedTx(ctx, lockRevokeReasons, func(tx *Tx) error {
		rows, err := tx.query(ctx, `SELECT id, revoke_reason, languages FROM letters
			WHERE (revoke_reason <> '' AND revoke_reason NOT LIKE 's1:%') OR languages NOT LIKE 's1:%'`)
		if err != nil {
			return err
		}
		type clear struct{ id, reason, languages string }
		var todo []clear
		for rows.Next() {
			var c clear
			if err := rows.Scan(&c.id, &c.reason, &c.languages); err != nil {
				rows.Close()
				return err
			}
			todo = append(todo, c)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, c := range todo {
			reason := c.reason
			if !strings.HasPrefix(reason, reasonPrefix) {
				if reason, err = db.sealReason(c.id, c.reason); err != nil {
					return err
				}
			}
			langs := c.languages
			if !strings.HasPrefix(langs, reasonPrefix) {
				var list []string
				if err := (scanList{&list}).Scan(langs); err != nil {
					return errors.New("a letter's languages stored in clear are not a list")
				}
				if langs, err = db.sealLanguages(c.id, list); err != nil {
					return err
				}
			}
			if _, err := tx.exec(ctx, "UPDATE letters SET revoke_reason = ?, languages = ? WHERE id = ?", reason, langs, c.id); err != nil {
				return err
			}
		}
		if len(todo) > 0 {
			db.logger.Info("letters' revocation reasons and languages sealed", "letters", len(todo))
		}
		return nil
	})
}

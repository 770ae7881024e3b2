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

// A letter's revocation reason is free text about a person ("the client
// was deported", "moved to another state"): it is stored sealed, under a
// key the master key derives for the purpose, bound to the letter's ID.
// The stored form is "s1:" and the base64 of nonce and sealed text;
// reasons stored in clear before are sealed by Migrate.

const reasonPrefix = "s1:"

func (db *DB) reasonAEAD() (gcm.AEAD, error) {
	block, err := aes.NewCipher(db.cipher.MAC("letter revocation reason", nil)[:32])
	if err != nil {
		return nil, err
	}
	return gcm.NewGCM(block)
}

// sealReason is reason as letter letterID stores it; "" stays "".
func (db *DB) sealReason(letterID, reason string) (string, error) {
	if reason == "" {
		return "", nil
	}
	aead, err := db.reasonAEAD()
	if err != nil {
		return "", err
	}
	nonce := make([]byte, aead.NonceSize())
	rand.Read(nonce)
	sealed := aead.Seal(nonce, nonce, []byte(reason), []byte("letter "+letterID))
	return reasonPrefix + base64.RawStdEncoding.EncodeToString(sealed), nil
}

// openReason is the reason letter letterID stored: opened when sealed, as
// it is when stored before reasons were sealed.
func (db *DB) openReason(letterID, stored string) (string, error) {
	b64, sealed := strings.CutPrefix(stored, reasonPrefix)
	if !sealed {
		return stored, nil
	}
	b, err := base64.RawStdEncoding.DecodeString(b64)
	aead, aerr := db.reasonAEAD()
	if err != nil || aerr != nil || len(b) < aead.NonceSize() {
		return "", errors.New("a letter's revocation reason is damaged")
	}
	plain, err := aead.Open(nil, b[:aead.NonceSize()], b[aead.NonceSize():], []byte("letter "+letterID))
	if err != nil {
		return "", errors.New("a letter's revocation reason does not open under this master key")
	}
	return string(plain), nil
}

// sealRevokeReasons seals the reasons stored in clear before they were
// sealed, once.
func (db *DB) sealRevokeReasons(ctx context.Context) error {
	return db.inLockedTx(ctx, lockRevokeReasons, func(tx *Tx) error {
		rows, err := tx.query(ctx, "SELECT id, revoke_reason FROM letters WHERE revoke_reason <> '' AND revoke_reason NOT LIKE 's1:%'")
		if err != nil {
			return err
		}
		type clear struct{ id, reason string }
		var todo []clear
		for rows.Next() {
			var c clear
			if err := rows.Scan(&c.id, &c.reason); err != nil {
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
			sealed, err := db.sealReason(c.id, c.reason)
			if err != nil {
				return err
			}
			if _, err := tx.exec(ctx, "UPDATE letters SET revoke_reason = ? WHERE id = ?", sealed, c.id); err != nil {
				return err
			}
		}
		if len(todo) > 0 {
			db.logger.Info("revocation reasons sealed", "letters", len(todo))
		}
		return nil
	})
}

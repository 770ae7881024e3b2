package sqldb

import (
	"context"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"strconv"
	"time"

	"github.com/amparo-project/amparo"
)

// The outbox. A message is a row, sealed under its own data key, with a
// job that sends it; both are written in the transaction of the event
// that causes them (tx.enqueueMessage), so a rollback leaves neither.
// Its idempotency key is a keyed hash of (event, channel, recipient,
// attempt group): enqueued twice, the message is stored once, and the
// provider, given the key, sends once however often the job runs.

var _ amparo.MessageService = (*DB)(nil)

// sealedMessage is what a message's data key seals.
type sealedMessage struct {
	To      string `json:"to"`
	Subject string `json:"subject,omitempty"`
	Body    string `json:"body"`
	Lang    string `json:"lang,omitempty"`
}

const maxMessageError = 500 // bytes of a hand-over's error kept

// recipientHash is the keyed hash a recipient is found by: a phone
// number's opt-out, a message's recipient. Never the number itself.
func (tx *Tx) recipientHash(to string) []byte {
	return tx.db.cipher.MAC("message recipient", []byte(to))
}

// idempotencyKey is the key of m given to its provider: 32 hex digits of
// a keyed hash, so it names no one.
func (tx *Tx) idempotencyKey(m *amparo.Message) string {
	mac := tx.db.cipher.MAC("message idempotency", []byte(m.EventKey+"\x00"+string(m.Channel)+"\x00"+m.To+"\x00"+strconv.Itoa(m.AttemptGroup)))
	return hex.EncodeToString(mac[:16])
}

// enqueueMessage stores m, queued, and its send job in tx. With its
// idempotency key stored already, it stores nothing (false).
func (tx *Tx) enqueueMessage(ctx context.Context, m *amparo.Message) (bool, error) {
	if err := m.Validate(); err != nil {
		return false, err
	}
	m.ID, m.IdempotencyKey, m.Status = amparo.NewID(), tx.idempotencyKey(m), amparo.MessageQueued
	m.Attempts, m.LastError, m.ProviderID, m.Segments, m.CreatedAt, m.UpdatedAt = 0, "", "", 0, tx.now, tx.now
	dk, wrapped, err := tx.db.cipher.NewDataKey(m.ID)
	if err != nil {
		return false, err
	}
	plain, err := json.Marshal(sealedMessage{m.To, m.Subject, m.Body, m.Language})
	if err != nil {
		return false, err
	}
	res, err := tx.exec(ctx, `INSERT INTO messages (id, channel, event_key, attempt_group, idempotency_key, emergency, status, to_hash,
		wrapped_key, sealed, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
		m.ID, string(m.Channel), m.EventKey, m.AttemptGroup, m.IdempotencyKey, m.Emergency, string(m.Status), tx.recipientHash(m.To),
		wrapped, dk.Seal(plain, []byte(m.ID)), formatTime(tx.now), formatTime(tx.now))
	if err != nil {
		return false, mapError(err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return false, err
	}
	if _, err := tx.enqueueSend(ctx, m.ID); err != nil {
		return false, err
	}
	return true, nil
}

// enqueueSend stores the job that hands message id to its provider.
func (tx *Tx) enqueueSend(ctx context.Context, id string) (bool, error) {
	args, _ := json.Marshal(map[string]string{"message_id": id})
	return tx.enqueue(ctx, &amparo.Job{Kind: amparo.JobSendMessage, Args: args, MaxAttempts: amparo.MaxSendAttempts})
}

func (db *DB) EnqueueMessage(ctx context.Context, m *amparo.Message) (bool, error) {
	var stored bool
	err := db.inTx(ctx, func(tx *Tx) error {
		if err := tx.jobAdmin(); err != nil {
			return err
		}
		var err error
		stored, err = tx.enqueueMessage(ctx, m)
		return err
	})
	return stored, err
}

const messageColumns = `id, channel, event_key, attempt_group, idempotency_key, emergency, status, provider_id, segments, attempts,
	last_error, wrapped_key, sealed, created_at, updated_at, sent_at`

func (tx *Tx) scanMessage(sc interface{ Scan(...any) error }) (*amparo.Message, error) {
	var m amparo.Message
	var wrapped, sealed []byte
	if err := sc.Scan(&m.ID, &m.Channel, &m.EventKey, &m.AttemptGroup, &m.IdempotencyKey, &m.Emergency, &m.Status, &m.ProviderID,
		&m.Segments, &m.Attempts, &m.LastError, &wrapped, &sealed, scanTime{&m.CreatedAt}, scanTime{&m.UpdatedAt}, scanTime{&m.SentAt}); err != nil {
		return nil, mapError(err)
	}
	if sealed == nil {
		m.BodyPurged = true
		return &m, nil
	}
	var s sealedMessage
	if err := tx.unsealJSON(m.ID, wrapped, sealed, &s); err != nil {
		return nil, err
	}
	m.To, m.Subject, m.Body, m.Language = s.To, s.Subject, s.Body, s.Lang
	return &m, nil
}

func (db *DB) FindMessageByID(ctx context.Context, id string) (*amparo.Message, error) {
	var m *amparo.Message
	err := db.inReadTx(ctx, func(tx *Tx) error {
		if err := tx.jobAdmin(); err != nil {
			return err
		}
		var err error
		m, err = tx.scanMessage(tx.queryRow(ctx, "SELECT "+messageColumns+" FROM messages WHERE id = ?", id))
		if amparo.ErrorCode(err) == amparo.ENOTFOUND {
			return amparo.Errorf(amparo.ENOTFOUND, "Message %s not found.", id)
		}
		return err
	})
	return m, err
}

func (db *DB) RecordSend(ctx context.Context, id string, r amparo.SendResult) error {
	return db.inTx(ctx, func(tx *Tx) error {
		if err := tx.jobAdmin(); err != nil {
			return err
		}
		// A receipt may have come before the provider's answer was
		// recorded: the status moves only up.
		res, err := tx.exec(ctx, `UPDATE messages SET provider_id = ?, segments = ?, sent_at = ?, updated_at = ?,
			status = CASE WHEN status = ? THEN ? ELSE status END WHERE id = ?`,
			r.ProviderID, r.Segments, formatTime(tx.now), formatTime(tx.now), string(amparo.MessageQueued), string(amparo.MessageSent), id)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return amparo.Errorf(amparo.ENOTFOUND, "Message %s not found.", id)
		}
		return nil
	})
}

func (db *DB) RecordSendFailure(ctx context.Context, id, msg string, permanent bool) (bool, error) {
	if len(msg) > maxMessageError {
		msg = msg[:maxMessageError]
	}
	var failed bool
	err := db.inTx(ctx, func(tx *Tx) error {
		if err := tx.jobAdmin(); err != nil {
			return err
		}
		var status string
		var attempts int
		if err := tx.queryRow(ctx, "SELECT status, attempts FROM messages WHERE id = ?"+tx.db.dialect.forUpdate(), id).Scan(&status, &attempts); err != nil {
			return mapError(err)
		}
		if amparo.MessageStatus(status) != amparo.MessageQueued {
			return amparo.Errorf(amparo.ECONFLICT, "Message %s is %s: only a queued message fails to be sent.", id, status)
		}
		attempts++
		next := amparo.MessageQueued
		if permanent || attempts >= amparo.MaxSendAttempts {
			next, failed = amparo.MessageFailed, true
		}
		_, err := tx.exec(ctx, "UPDATE messages SET status = ?, attempts = ?, last_error = ?, updated_at = ? WHERE id = ?",
			string(next), attempts, msg, formatTime(tx.now), id)
		return err
	})
	return failed, err
}

func (db *DB) RecordDelivery(ctx context.Context, messageID, providerID string, status amparo.MessageStatus) (bool, error) {
	if providerID == "" || !status.Valid() {
		return false, amparo.Invalid("status", "A delivery receipt needs a provider ID and a status.")
	}
	var moved bool
	err := db.inTx(ctx, func(tx *Tx) error {
		if err := tx.jobAdmin(); err != nil {
			return err
		}
		var id, current, stored string
		var err error
		if messageID != "" {
			err = tx.queryRow(ctx, "SELECT id, status, provider_id FROM messages WHERE id = ?"+tx.db.dialect.forUpdate(), messageID).Scan(&id, &current, &stored)
		} else {
			err = tx.queryRow(ctx, "SELECT id, status, provider_id FROM messages WHERE provider_id = ?"+tx.db.dialect.forUpdate(), providerID).Scan(&id, &current, &stored)
		}
		if errors.Is(err, sql.ErrNoRows) {
			return amparo.Errorf(amparo.ENOTFOUND, "No message for this delivery receipt.")
		} else if err != nil {
			return mapError(err)
		}
		if stored != "" && stored != providerID {
			return amparo.Errorf(amparo.ECONFLICT, "Message %s has another provider ID than the receipt's.", id)
		}
		if !amparo.MessageStatus(current).Advances(status) {
			return nil
		}
		moved = true
		_, err = tx.exec(ctx, "UPDATE messages SET status = ?, provider_id = ?, updated_at = ? WHERE id = ?", string(status), providerID, formatTime(tx.now), id)
		return err
	})
	return moved, err
}

func (db *DB) SetOptOut(ctx context.Context, phone string, out bool, lang string) error {
	if !amparo.ValidPhone(phone) {
		return amparo.NotE164("phone")
	}
	return db.inTx(ctx, func(tx *Tx) error {
		if err := tx.jobAdmin(); err != nil {
			return err
		}
		_, err := tx.exec(ctx, `INSERT INTO opt_outs (number_hash, opted_out, language, updated_at) VALUES (?, ?, ?, ?)
			ON CONFLICT (number_hash) DO UPDATE SET opted_out = excluded.opted_out, language = excluded.language, updated_at = excluded.updated_at`,
			tx.recipientHash(phone), out, lang, formatTime(tx.now))
		return err
	})
}

func (db *DB) OptedOut(ctx context.Context, phone string) (bool, error) {
	var out bool
	err := db.inReadTx(ctx, func(tx *Tx) error {
		if err := tx.jobAdmin(); err != nil {
			return err
		}
		err := tx.queryRow(ctx, "SELECT opted_out FROM opt_outs WHERE number_hash = ?", tx.recipientHash(phone)).Scan(&out)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		return mapError(err)
	})
	return out, err
}

func (db *DB) OutboxStatus(ctx context.Context) ([]amparo.OutboxCount, error) {
	var out []amparo.OutboxCount
	err := db.inReadTx(ctx, func(tx *Tx) error {
		if err := tx.jobAdmin(); err != nil {
			return err
		}
		rows, err := tx.query(ctx, `SELECT channel, CASE WHEN status = ? THEN 'failed' WHEN attempts > 0 THEN 'retrying' ELSE 'queued' END AS state, COUNT(*)
			FROM messages WHERE status IN (?, ?) GROUP BY channel, state ORDER BY channel, state`,
			string(amparo.MessageFailed), string(amparo.MessageQueued), string(amparo.MessageFailed))
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var c amparo.OutboxCount
			if err := rows.Scan(&c.Channel, &c.State, &c.Count); err != nil {
				return err
			}
			out = append(out, c)
		}
		return rows.Err()
	})
	return out, err
}

func (db *DB) RetryMessage(ctx context.Context, id string) error {
	return db.inTx(ctx, func(tx *Tx) error {
		if err := tx.jobAdmin(); err != nil {
			return err
		}
		var status, provider string
		var purged bool
		err := tx.queryRow(ctx, "SELECT status, provider_id, sealed IS NULL FROM messages WHERE id = ?"+tx.db.dialect.forUpdate(), id).Scan(&status, &provider, &purged)
		if errors.Is(err, sql.ErrNoRows) {
			return amparo.Errorf(amparo.ENOTFOUND, "Message %s not found.", id)
		} else if err != nil {
			return mapError(err)
		}
		switch {
		case amparo.MessageStatus(status) != amparo.MessageFailed:
			return amparo.Errorf(amparo.ECONFLICT, "Message %s is %s: only a failed message is retried.", id, status)
		case provider != "":
			return amparo.Errorf(amparo.ECONFLICT, "Message %s was accepted by the provider, which reported it failed: it is not sent again.", id)
		case purged:
			return amparo.Errorf(amparo.ECONFLICT, "Message %s is past its retention period: its body was deleted.", id)
		}
		if _, err := tx.exec(ctx, "UPDATE messages SET status = ?, attempts = 0, updated_at = ? WHERE id = ?",
			string(amparo.MessageQueued), formatTime(tx.now), id); err != nil {
			return err
		}
		_, err = tx.enqueueSend(ctx, id)
		return err
	})
}

func (db *DB) PurgeMessageBodies(ctx context.Context, before time.Time) (int, error) {
	var n int64
	err := db.inTx(ctx, func(tx *Tx) error {
		if err := tx.jobAdmin(); err != nil {
			return err
		}
		// A queued message is not yet sent: its body stays until it is.
		res, err := tx.exec(ctx, "UPDATE messages SET wrapped_key = NULL, sealed = NULL, updated_at = ? WHERE sealed IS NOT NULL AND created_at < ? AND status <> ?",
			formatTime(tx.now), formatTime(before), string(amparo.MessageQueued))
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return int(n), err
}

package sqldb

import (
	"context"
	"errors"
	"time"

	"github.com/amparo-project/amparo"
)

// Workshop reminders. Each reminder enqueued is a row of
// workshop_reminders, written in the transaction that enqueues its
// messages: the scheduling job skips what is there, and the outbox's
// idempotency key (of registration and kind) stores a message once should
// two runs race. A registration's phone number is found for a reply only
// by its keyed hash.

var _ amparo.WorkshopReminderService = (*DB)(nil)

// reminderBatch is how many registrations one transaction reminds.
const reminderBatch = 250

// phoneHash is the keyed hash a reply's number finds its registration by:
// the same as the outbox's recipient hash, never the number.
func (tx *Tx) phoneHash(phone string) any {
	if phone == "" {
		return nil
	}
	return tx.recipientHash(phone)
}

// programZone is the program's time zone.
func (tx *Tx) programZone(ctx context.Context) (*time.Location, error) {
	var zone string
	if err := tx.queryRow(ctx, "SELECT time_zone FROM program WHERE id = 1").Scan(&zone); err != nil {
		return nil, mapError(err)
	}
	return amparo.ZoneOf(zone), nil
}

// remind enqueues reminder k of registration r of w, by each channel r
// consented to, and records it; nothing if it was recorded before or no
// reminders are written in this process. token is the ticket link's
// secret, known only at registration.
func (tx *Tx) remind(ctx context.Context, k amparo.ReminderKind, w *amparo.Workshop, r *amparo.Registration, token string, zone *time.Location) (int, error) {
	if tx.db.WorkshopReminder == nil || (!r.ConsentSMS && !r.ConsentMail) {
		return 0, nil
	}
	res, err := tx.exec(ctx, "INSERT INTO workshop_reminders (registration_id, kind, at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
		r.ID, string(k), formatTime(tx.now))
	if err != nil {
		return 0, mapError(err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return 0, err
	}
	shown := *w
	if !w.AddressShown(true, tx.now, zone) {
		shown.Address = ""
	}
	stored := 0
	for _, ch := range []amparo.Channel{amparo.ChannelSMS, amparo.ChannelEmail} {
		rm := &amparo.Reminder{Kind: k, Channel: ch, Language: r.Language, Workshop: &shown, Code: r.Code, Status: r.Status,
			Party: r.PartySize, Token: token, Zone: zone}
		switch {
		case ch == amparo.ChannelSMS && r.ConsentSMS && r.Phone != "":
			rm.To = r.Phone
		case ch == amparo.ChannelEmail && r.ConsentMail && r.Email != "":
			rm.To = r.Email
		default:
			continue
		}
		m := tx.db.WorkshopReminder(rm)
		if m == nil {
			continue
		}
		m.EventKey = rm.EventKey(r.ID)
		if err := m.Validate(); err != nil {
			// A stored address the outbox refuses: this reminder is
			// skipped, recorded, and never retried in a loop.
			tx.db.logger.Warn("workshop reminder not enqueued", "kind", string(k), "channel", string(ch), "err", amparo.ErrorCode(err))
			continue
		}
		ok, err := tx.enqueueMessage(ctx, m)
		if err != nil {
			return stored, err
		}
		if ok {
			stored++
		}
	}
	return stored, nil
}

// SendDueReminders enqueues the day-before and day-of reminders due at now.
func (db *DB) SendDueReminders(ctx context.Context, now time.Time) (int, error) {
	if a, _ := amparo.ActorFromContext(ctx); a.Role != amparo.RoleSystem {
		return 0, amparo.Errorf(amparo.EFORBIDDEN, "only the system sends workshop reminders")
	}
	if db.WorkshopReminder == nil {
		return 0, nil
	}
	// The day-before reminder falls due at most a day and a half before
	// the start.
	var ids []string
	err := db.inReadTx(ctx, func(tx *Tx) (err error) {
		ids, err = tx.queryIDs(ctx, "SELECT id FROM workshops WHERE status = ? AND erased_at IS NULL AND starts_at > ? AND starts_at <= ? ORDER BY starts_at, id",
			string(amparo.WorkshopPublished), formatTime(now), formatTime(now.Add(48*time.Hour)))
		return err
	})
	if err != nil {
		return 0, err
	}
	total := 0
	for _, id := range ids {
		for _, k := range []amparo.ReminderKind{amparo.ReminderDayBefore, amparo.ReminderDayOf} {
			for {
				n, more, err := db.remindBatch(ctx, id, k, now)
				total += n
				if err != nil {
					return total, err
				}
				if !more {
					break
				}
			}
		}
	}
	return total, nil
}

// remindBatch reminds, in one transaction, up to reminderBatch confirmed
// registrations of workshop id not yet sent reminder k, if it is due at
// now; more is true while some may remain.
func (db *DB) remindBatch(ctx context.Context, id string, k amparo.ReminderKind, now time.Time) (stored int, more bool, err error) {
	err = db.inTx(ctx, func(tx *Tx) error {
		tx.now = now
		s, err := tx.readWorkshop(ctx, id)
		if err != nil {
			return err
		}
		if _, err := tx.openWorkshop(s); err != nil {
			return err
		}
		w := s.w
		zone, err := tx.programZone(ctx)
		if err != nil {
			return err
		}
		due := w.ReminderDue(k, zone)
		if w.Status != amparo.WorkshopPublished || now.Before(due) || !now.Before(w.StartsAt) {
			return nil
		}
		// Once the day's reminder is due, the day before's is past.
		if k == amparo.ReminderDayBefore && !now.Before(w.ReminderDue(amparo.ReminderDayOf, zone)) {
			return nil
		}
		// Whoever registered after it fell due had the confirmation just
		// before; whoever replied needs no asking.
		// The day of, whoever replied yes is reminded too.
		replied := "r.reply IS NULL"
		if k == amparo.ReminderDayOf {
			replied = "(r.reply IS NULL OR r.reply = 'yes')"
		}
		q := "SELECT " + registrationColumns + ` FROM workshop_registrations r WHERE r.workshop_id = ? AND r.status = ?
			AND (r.has_phone = 1 OR r.has_email = 1) AND r.wrapped IS NOT NULL AND r.created_at < ? AND ` + replied + `
			AND NOT EXISTS (SELECT 1 FROM workshop_reminders m WHERE m.registration_id = r.id AND m.kind = ?) ORDER BY r.id LIMIT ?`
		rows, err := tx.query(ctx, q, id, string(amparo.RegistrationConfirmed), formatTime(due), string(k), reminderBatch)
		if err != nil {
			return err
		}
		var regs []*amparo.Registration
		for rows.Next() {
			r, err := tx.scanRegistration(rows)
			if err != nil {
				rows.Close()
				return err
			}
			regs = append(regs, r)
		}
		if err := errors.Join(rows.Err(), rows.Close()); err != nil {
			return mapError(err)
		}
		more = len(regs) == reminderBatch
		for _, r := range regs {
			n, err := tx.remind(ctx, k, w, r, "", zone)
			if err != nil {
				return err
			}
			stored += n
		}
		return nil
	})
	if err != nil {
		return 0, false, err
	}
	return stored, more, nil
}

// ReplyToReminder records a reply to a day-before reminder.
func (db *DB) ReplyToReminder(ctx context.Context, phone string, yes bool) (amparo.ReplyOutcome, string, error) {
	if a, _ := amparo.ActorFromContext(ctx); a.Role != amparo.RoleSystem {
		return "", "", amparo.Errorf(amparo.EFORBIDDEN, "only the system records replies to reminders")
	}
	if !amparo.ValidPhone(phone) {
		return "", "", amparo.NotE164("phone")
	}
	outcome, lang := amparo.ReplyNone, ""
	err := db.inTx(ctx, func(tx *Tx) error {
		rows, err := tx.query(ctx, `SELECT r.id, r.workshop_id, r.language FROM workshop_registrations r JOIN workshops w ON w.id = r.workshop_id
			WHERE r.phone_hash = ? AND r.status = ? AND w.starts_at > ? AND EXISTS (SELECT 1 FROM workshop_reminders m
			WHERE m.registration_id = r.id AND m.kind = ?) ORDER BY w.starts_at, r.id`,
			tx.recipientHash(phone), string(amparo.RegistrationConfirmed), formatTime(tx.now), string(amparo.ReminderDayBefore))
		if err != nil {
			return err
		}
		type hit struct{ id, workshop, lang string }
		var hits []hit
		for rows.Next() {
			var h hit
			if err := rows.Scan(&h.id, &h.workshop, &h.lang); err != nil {
				rows.Close()
				return mapError(err)
			}
			hits = append(hits, h)
		}
		if err := errors.Join(rows.Err(), rows.Close()); err != nil {
			return mapError(err)
		}
		for _, h := range hits {
			lang = h.lang
			if yes {
				outcome = amparo.ReplyConfirmed
				if _, err := tx.exec(ctx, "UPDATE workshop_registrations SET reply = 'yes', replied_at = ?, updated_at = ? WHERE id = ?",
					formatTime(tx.now), formatTime(tx.now), h.id); err != nil {
					return err
				}
				continue
			}
			outcome = amparo.ReplyCancelled
			s, err := tx.lockWorkshop(ctx, h.workshop)
			if err != nil {
				return err
			}
			if _, err := tx.exec(ctx, "UPDATE workshop_registrations SET status = ?, reply = 'no', replied_at = ?, offer_expires_at = NULL, updated_at = ? WHERE id = ?",
				string(amparo.RegistrationCancelled), formatTime(tx.now), formatTime(tx.now), h.id); err != nil {
				return err
			}
			if err := tx.settleWaitlist(ctx, s.w); err != nil {
				return err
			}
		}
		return nil
	})
	return outcome, lang, err
}

// WorkshopReminderCounts counts a workshop's confirmed registrations by
// reminder channel and language.
func (db *DB) WorkshopReminderCounts(ctx context.Context, id string) ([]amparo.ReminderCount, error) {
	var out []amparo.ReminderCount
	err := db.inReadTx(ctx, func(tx *Tx) error {
		_, err := tx.organizerOnly(tx.readWorkshop(ctx, id))
		if err != nil {
			return err
		}
		rows, err := tx.query(ctx, `SELECT language, COALESCE(SUM(has_phone), 0), COALESCE(SUM(has_email), 0) FROM workshop_registrations
			WHERE workshop_id = ? AND status = ? AND wrapped IS NOT NULL GROUP BY language ORDER BY language`, id, string(amparo.RegistrationConfirmed))
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var lang string
			var sms, mail int
			if err := rows.Scan(&lang, &sms, &mail); err != nil {
				return mapError(err)
			}
			if sms > 0 {
				out = append(out, amparo.ReminderCount{Channel: amparo.ChannelSMS, Language: lang, Count: sms})
			}
			if mail > 0 {
				out = append(out, amparo.ReminderCount{Channel: amparo.ChannelEmail, Language: lang, Count: mail})
			}
		}
		return mapError(rows.Err())
	})
	return out, err
}

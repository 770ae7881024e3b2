package sqldb

import (
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"slices"
	"strconv"
	"time"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/auth"
)

// Rapid response. A plan is sealed under its client's data key; an
// alert, its messages, its recipients' keyed hashes and its first
// escalation job are written in one transaction, so a rollback leaves
// none of them and a committed alert always reaches its responders.

var _ amparo.AlertService = (*DB)(nil)

// sealedPlan is what a plan's seal holds.
type sealedPlan struct {
	Responders []amparo.Responder `json:"r"`
	Messages   map[string]string  `json:"m,omitempty"`
	TimeoutMS  int64              `json:"t,omitempty"`
}

// sealedAlert is what an alert's seal holds.
type sealedAlert struct {
	Report    string           `json:"r,omitempty"`
	Note      string           `json:"n,omitempty"`
	Checklist amparo.Checklist `json:"c"`
}

// clientOf returns a client's organization and personal fields, with no
// organization scope (callers check it).
func (tx *Tx) clientOf(ctx context.Context, clientID string) (string, *amparo.Personal, error) {
	var org string
	var sealed, wrapped []byte
	if err := tx.queryRow(ctx, "SELECT c.organization_id, c.sealed, k.wrapped FROM clients c JOIN client_keys k ON k.client_id = c.id WHERE c.id = ?",
		clientID).Scan(&org, &sealed, &wrapped); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return "", nil, amparo.Errorf(amparo.ENOTFOUND, "Client %s not found.", clientID)
		}
		return "", nil, mapError(err)
	}
	var p amparo.Personal
	if err := tx.unsealJSON(clientID, wrapped, sealed, &p); err != nil {
		return "", nil, err
	}
	return org, &p, nil
}

// staffClient checks that the actor writes the clients of clientID's
// organization; ENOTFOUND for another organization's client.
func (tx *Tx) staffClient(ctx context.Context, clientID string) (string, *amparo.Personal, error) {
	if !tx.actor.SeesClients() {
		return "", nil, amparo.Errorf(amparo.EFORBIDDEN, "Only an organization's staff sees its clients' response plans.")
	}
	org, p, err := tx.clientOf(ctx, clientID)
	if err != nil {
		return "", nil, err
	}
	if !tx.actor.WritesClientsOf(org) {
		return "", nil, amparo.Errorf(amparo.ENOTFOUND, "Client %s not found.", clientID)
	}
	return org, p, nil
}

func (db *DB) SetResponsePlan(ctx context.Context, p *amparo.ResponsePlan) error {
	if err := p.Validate(); err != nil {
		return err
	}
	return db.inTx(ctx, func(tx *Tx) error {
		org, personal, err := tx.staffClient(ctx, p.ClientID)
		if err != nil {
			return err
		}
		dk, err := tx.clientKey(ctx, p.ClientID)
		if err != nil {
			return err
		}
		plain, _ := json.Marshal(sealedPlan{p.Responders, p.Messages, p.Timeout.Milliseconds()})
		var phone []byte
		if amparo.ValidPhone(personal.Phone) {
			phone = tx.recipientHash(personal.Phone)
		}
		p.OrganizationID, p.UpdatedAt = org, tx.now
		_, err = tx.exec(ctx, `INSERT INTO response_plans (client_id, organization_id, phone_hash, sealed, updated_at) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (client_id) DO UPDATE SET phone_hash = excluded.phone_hash, sealed = excluded.sealed, updated_at = excluded.updated_at`,
			p.ClientID, org, phone, dk.Seal(plain, []byte("response plan "+p.ClientID)), formatTime(tx.now))
		return err
	})
}

// plan reads a client's plan, unscoped.
func (tx *Tx) plan(ctx context.Context, clientID string) (*amparo.ResponsePlan, error) {
	p := &amparo.ResponsePlan{ClientID: clientID}
	var sealed []byte
	err := tx.queryRow(ctx, "SELECT organization_id, sealed, updated_at FROM response_plans WHERE client_id = ?", clientID).
		Scan(&p.OrganizationID, &sealed, scanTime{&p.UpdatedAt})
	if errors.Is(err, sql.ErrNoRows) {
		return nil, amparo.Errorf(amparo.ENOTFOUND, "The client has no response plan.").Localize("alert.no_plan")
	} else if err != nil {
		return nil, mapError(err)
	}
	dk, err := tx.clientKey(ctx, clientID)
	if err != nil {
		return nil, err
	}
	plain, err := dk.Open(sealed, []byte("response plan "+clientID))
	if err != nil {
		return nil, decryptError(err)
	}
	var s sealedPlan
	if err := json.Unmarshal(plain, &s); err != nil {
		return nil, err
	}
	p.Responders, p.Messages, p.Timeout = s.Responders, s.Messages, time.Duration(s.TimeoutMS)*time.Millisecond
	return p, nil
}

func (db *DB) FindResponsePlan(ctx context.Context, clientID string) (*amparo.ResponsePlan, error) {
	var p *amparo.ResponsePlan
	err := db.inTx(ctx, func(tx *Tx) (err error) {
		org, _, err := tx.staffClient(ctx, clientID)
		if err != nil {
			return err
		}
		p, err = tx.plan(ctx, clientID)
		if amparo.ErrorCode(err) == amparo.ENOTFOUND {
			p, err = &amparo.ResponsePlan{ClientID: clientID, OrganizationID: org}, nil
		}
		if err != nil {
			return err
		}
		return tx.audit(ctx, amparo.AuditPlanView, clientID)
	})
	return p, err
}

// linkClient returns the client of a working phone link.
func (tx *Tx) linkClient(ctx context.Context, linkID string) (string, error) {
	var client string
	err := tx.queryRow(ctx, "SELECT client_id FROM phone_links WHERE id = ? AND revoked_at IS NULL", linkID).Scan(&client)
	if errors.Is(err, sql.ErrNoRows) {
		return "", amparo.Errorf(amparo.ENOTFOUND, "This link no longer works.").Localize("phone.link_gone")
	}
	return client, mapError(err)
}

func (db *DB) PlanByLink(ctx context.Context, linkID string) (*amparo.ResponsePlan, error) {
	var p *amparo.ResponsePlan
	err := db.inReadTx(ctx, func(tx *Tx) error {
		client, err := tx.linkClient(ctx, linkID)
		if err != nil {
			return err
		}
		p, err = tx.plan(ctx, client)
		return err
	})
	return p, err
}

// ackToken is the token of responder idx's acknowledgement link: a keyed
// hash, so an escalation's message carries the same link as the first.
func (tx *Tx) ackToken(alertID string, idx int) string {
	mac := tx.db.cipher.MAC("alert acknowledgement", []byte(alertID+"\x00"+strconv.Itoa(idx)))
	return base64.RawURLEncoding.EncodeToString(mac[:auth.TokenBytes])
}

const maxAlertKey = 100

func (db *DB) RaiseAlert(ctx context.Context, r amparo.RaiseAlertRequest) (*amparo.Alert, bool, error) {
	if r.Key == "" || len(r.Key) > maxAlertKey {
		return nil, false, amparo.Invalid("key", "An alert needs its idempotency key, of at most %d characters.", maxAlertKey)
	}
	var a *amparo.Alert
	var created bool
	raise := func(tx *Tx) (err error) {
		a, created, err = tx.raiseAlert(ctx, r)
		return err
	}
	err := db.inTx(ctx, raise)
	if amparo.ErrorCode(err) == amparo.ECONFLICT && a == nil {
		// The same key, sent at once by another retry, committed first
		// (PostgreSQL): this time it is found.
		err = db.inTx(ctx, raise)
	}
	return a, created, err
}

func (tx *Tx) raiseAlert(ctx context.Context, r amparo.RaiseAlertRequest) (*amparo.Alert, bool, error) {
	keyHash := tx.db.cipher.MAC("alert key", []byte(r.Key))
	var id string
	err := tx.queryRow(ctx, "SELECT id FROM alerts WHERE key_hash = ?", keyHash).Scan(&id)
	if err == nil {
		a, err := tx.alert(ctx, id)
		return a, false, err
	} else if !errors.Is(err, sql.ErrNoRows) {
		return nil, false, mapError(err)
	}
	a := &amparo.Alert{ID: amparo.NewID(), Source: r.Source, Status: amparo.AlertOpen, RaisedAt: tx.now}
	var plan *amparo.ResponsePlan
	var personal *amparo.Personal
	switch {
	case r.Source == amparo.AlertFromReport:
		if !tx.actor.WritesClientsOf(r.OrganizationID) || r.OrganizationID == "" {
			return nil, false, amparo.Errorf(amparo.EFORBIDDEN, "Only an organization's staff records reports for it.")
		}
		if r.Report == "" {
			return nil, false, amparo.Invalid("report", "A report needs its text.").Localize("invalid.required")
		}
		a.OrganizationID, a.Verification, a.Report, a.Timeout = r.OrganizationID, amparo.ReportUnverified, r.Report, amparo.DefaultAlertTimeout
	case r.LinkID != "":
		a.ClientID, err = tx.linkClient(ctx, r.LinkID)
		if err != nil {
			return nil, false, err
		}
	case r.ClientID != "" && r.Source == amparo.AlertFromSMS:
		if tx.actor.Role != amparo.RoleSystem {
			return nil, false, amparo.Errorf(amparo.EFORBIDDEN, "Only the SMS hook raises alerts by SMS.")
		}
		a.ClientID = r.ClientID
	case r.ClientID != "":
		if _, _, err := tx.staffClient(ctx, r.ClientID); err != nil {
			return nil, false, err
		}
		a.ClientID = r.ClientID
	default:
		return nil, false, amparo.Invalid("client_id", "An alert needs a client, a phone link or a report.")
	}
	if a.ClientID != "" {
		// One writer per client at a time: two presses at once on
		// PostgreSQL must not both find no open alert.
		var locked string
		if err := tx.queryRow(ctx, "SELECT client_id FROM response_plans WHERE client_id = ?"+tx.db.dialect.forUpdate(), a.ClientID).Scan(&locked); err != nil && !errors.Is(err, sql.ErrNoRows) {
			return nil, false, mapError(err)
		}
		// A second press while the first alert is open is the same
		// emergency; a flood is bounded, but the first press never is.
		var open string
		err := tx.queryRow(ctx, "SELECT id FROM alerts WHERE client_id = ? AND status = ? AND raised_at > ? ORDER BY raised_at DESC LIMIT 1",
			a.ClientID, string(amparo.AlertOpen), formatTime(tx.now.Add(-amparo.AlertDedupWindow))).Scan(&open)
		if err == nil {
			a, err := tx.alert(ctx, open)
			return a, false, err
		} else if !errors.Is(err, sql.ErrNoRows) {
			return nil, false, mapError(err)
		}
		var n int
		if err := tx.queryRow(ctx, "SELECT COUNT(*) FROM alerts WHERE client_id = ? AND raised_at > ?", a.ClientID,
			formatTime(tx.now.Add(-time.Hour))).Scan(&n); err != nil {
			return nil, false, mapError(err)
		}
		if n >= amparo.MaxAlertsPerHour {
			return nil, false, amparo.Errorf(amparo.ECONFLICT, "Too many alerts from this client in the last hour.").Localize("alert.too_many")
		}
		var org string
		if org, personal, err = tx.clientOf(ctx, a.ClientID); err != nil {
			return nil, false, err
		}
		if plan, err = tx.plan(ctx, a.ClientID); err != nil {
			return nil, false, err
		}
		a.OrganizationID, a.Timeout = org, plan.EffectiveTimeout()
	}
	dk, wrapped, err := tx.db.cipher.NewDataKey(a.ID)
	if err != nil {
		return nil, false, err
	}
	plain, _ := json.Marshal(sealedAlert{Report: a.Report})
	if _, err := tx.exec(ctx, `INSERT INTO alerts (id, organization_id, client_id, link_id, source, status, verification, key_hash, timeout_ms,
		raised_at, wrapped_key, sealed) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		a.ID, a.OrganizationID, nullable(a.ClientID), r.LinkID, string(a.Source), string(a.Status), string(a.Verification), keyHash,
		a.Timeout.Milliseconds(), formatTime(tx.now), wrapped, dk.Seal(plain, []byte(a.ID))); err != nil {
		return nil, false, err
	}
	if err := tx.alertEvent(ctx, a.ID, amparo.AlertEvent{Kind: amparo.AlertRaised, Responder: -1}); err != nil {
		return nil, false, err
	}
	if plan != nil {
		if err := tx.fanOut(ctx, a, plan, personal); err != nil {
			return nil, false, err
		}
	}
	a, err = tx.alert(ctx, a.ID)
	return a, err == nil, err
}

// fanOut messages every responder who may be told, by SMS and e-mail,
// and schedules the first escalation.
func (tx *Tx) fanOut(ctx context.Context, a *amparo.Alert, plan *amparo.ResponsePlan, personal *amparo.Personal) error {
	if tx.db.AlertMessage == nil {
		return errors.New("alert messages are not configured in this process")
	}
	stands, err := tx.attorneyStands(ctx, a.ClientID)
	if err != nil {
		return err
	}
	for i, r := range plan.Responders {
		if r.Kind == amparo.ResponderContact && !r.Consent {
			continue
		}
		if r.Kind == amparo.ResponderAttorney && !stands {
			if err := tx.alertEvent(ctx, a.ID, amparo.AlertEvent{Kind: amparo.AlertWithheld, Responder: i}); err != nil {
				return err
			}
			continue
		}
		if _, err := tx.exec(ctx, "INSERT INTO alert_recipients (alert_id, idx, kind, phone_hash, token_hash) VALUES (?, ?, ?, ?, ?)",
			a.ID, i, string(r.Kind), tx.recipientHash(r.Phone), auth.TokenHash(tx.ackToken(a.ID, i))); err != nil {
			return err
		}
		for _, ch := range []amparo.Channel{amparo.ChannelSMS, amparo.ChannelEmail} {
			if !r.Has(ch) {
				continue
			}
			if err := tx.notifyResponder(ctx, a, plan, personal, i, ch, 0); err != nil {
				return err
			}
		}
	}
	return tx.scheduleEscalation(ctx, a.ID, 1, a.Timeout)
}

// attorneyStands reports whether a client's attorney of record is still
// theirs: the client has an active, unexpired letter, or was never
// issued one (the plan's attorney stands). A client whose letters are
// all revoked or expired has no attorney an alert may reach: a link
// kept on their phone must still bring help, from the hotline and their
// contacts, and never someone who no longer represents them.
func (tx *Tx) attorneyStands(ctx context.Context, clientID string) (bool, error) {
	if clientID == "" {
		return false, nil
	}
	var issued, valid int
	if err := tx.queryRow(ctx, `SELECT COUNT(*), COUNT(CASE WHEN status = ? AND (valid_until IS NULL OR valid_until > ?) THEN 1 END)
		FROM letters WHERE client_id = ? AND issued_at IS NOT NULL`, string(amparo.LetterActive), formatTime(tx.now), clientID).Scan(&issued, &valid); err != nil {
		return false, mapError(err)
	}
	return issued == 0 || valid > 0, nil
}

// notifyResponder enqueues one message to responder i and its timeline
// line.
func (tx *Tx) notifyResponder(ctx context.Context, a *amparo.Alert, plan *amparo.ResponsePlan, personal *amparo.Personal, i int, ch amparo.Channel, step int) error {
	r := plan.Responders[i]
	prepared := plan.Messages[r.Language]
	if prepared == "" {
		prepared = plan.Messages["en"]
	}
	m := tx.db.AlertMessage(&amparo.AlertNotice{AlertID: a.ID, ClientName: personal.LegalName, Responder: r, Index: i,
		Prepared: prepared, AckToken: tx.ackToken(a.ID, i), Channel: ch, Step: step})
	m.Channel, m.Emergency, m.EventKey, m.AttemptGroup, m.Language = ch, true, "alert:"+a.ID+":"+strconv.Itoa(i), step, r.Language
	if ch == amparo.ChannelEmail {
		m.To = r.Email
	} else {
		m.To = r.Phone
	}
	stored, err := tx.enqueueMessage(ctx, m)
	if err != nil || !stored {
		return err
	}
	return tx.alertEvent(ctx, a.ID, amparo.AlertEvent{Kind: amparo.AlertMessaged, Responder: i, Channel: ch, MessageID: m.ID, Step: step})
}

func (tx *Tx) scheduleEscalation(ctx context.Context, id string, step int, after time.Duration) error {
	args, _ := json.Marshal(map[string]any{"alert_id": id, "step": step})
	_, err := tx.enqueue(ctx, &amparo.Job{Kind: amparo.JobEscalateAlert, Args: args, RunAt: tx.now.Add(after),
		UniqueKey: "alert:" + id + ":" + strconv.Itoa(step), MaxAttempts: 20})
	return err
}

func (tx *Tx) alertEvent(ctx context.Context, alertID string, e amparo.AlertEvent) error {
	// The alert's row is written in the same transaction (locked on
	// PostgreSQL), so its events are numbered one writer at a time.
	_, err := tx.exec(ctx, `INSERT INTO alert_events (id, alert_id, at, kind, responder, channel, message_id, actor_id, step, seq)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, (SELECT COUNT(*) FROM alert_events WHERE alert_id = ?))`, amparo.NewID(), alertID, formatTime(tx.now),
		string(e.Kind), e.Responder, string(e.Channel), e.MessageID, e.ActorID, e.Step, alertID)
	return err
}

func (db *DB) RaiseAlertBySMS(ctx context.Context, from, key string) (*amparo.Alert, bool, error) {
	if !amparo.ValidPhone(from) {
		return nil, false, amparo.NotE164("From")
	}
	var a *amparo.Alert
	var created bool
	err := db.inTx(ctx, func(tx *Tx) error {
		if tx.actor.Role != amparo.RoleSystem {
			return amparo.Errorf(amparo.EFORBIDDEN, "Only the SMS hook raises alerts by SMS.")
		}
		var client string
		err := tx.queryRow(ctx, "SELECT client_id FROM response_plans WHERE phone_hash = ? ORDER BY updated_at DESC LIMIT 1",
			tx.recipientHash(from)).Scan(&client)
		if errors.Is(err, sql.ErrNoRows) {
			return amparo.Errorf(amparo.ENOTFOUND, "No response plan for this number.")
		} else if err != nil {
			return mapError(err)
		}
		a, created, err = tx.raiseAlert(ctx, amparo.RaiseAlertRequest{Key: key, Source: amparo.AlertFromSMS, ClientID: client})
		return err
	})
	return a, created, err
}

func (db *DB) NumberLanguage(ctx context.Context, from string) (string, error) {
	if !amparo.ValidPhone(from) {
		return "", amparo.NotE164("From")
	}
	var lang string
	err := db.inReadTx(ctx, func(tx *Tx) error {
		if tx.actor.Role != amparo.RoleSystem {
			return amparo.Errorf(amparo.EFORBIDDEN, "Only the SMS hook asks for a number's language.")
		}
		hash := tx.recipientHash(from)
		var client string
		var idx int
		err := tx.queryRow(ctx, `SELECT a.client_id, r.idx FROM alert_recipients r JOIN alerts a ON a.id = r.alert_id
			WHERE r.phone_hash = ? AND a.client_id IS NOT NULL ORDER BY a.raised_at DESC, r.idx LIMIT 1`, hash).Scan(&client, &idx)
		if err == nil {
			// The plan as it is now: the responder still at that place
			// with that number (a plan edited since may have moved them).
			plan, err := tx.plan(ctx, client)
			if err != nil && amparo.ErrorCode(err) != amparo.ENOTFOUND {
				return err
			}
			if plan != nil {
				for i, r := range plan.Responders {
					if r.Phone == from && (i == idx || lang == "") {
						lang = r.Language
					}
				}
				if lang != "" {
					return nil
				}
			}
		} else if !errors.Is(err, sql.ErrNoRows) {
			return mapError(err)
		}
		err = tx.queryRow(ctx, "SELECT client_id FROM response_plans WHERE phone_hash = ? ORDER BY updated_at DESC LIMIT 1", hash).Scan(&client)
		if errors.Is(err, sql.ErrNoRows) {
			return amparo.Errorf(amparo.ENOTFOUND, "No plan names this number.")
		} else if err != nil {
			return mapError(err)
		}
		_, personal, err := tx.clientOf(ctx, client)
		if err != nil {
			return err
		}
		if lang = personal.Language; lang == "" {
			return amparo.Errorf(amparo.ENOTFOUND, "No language for this number.")
		}
		return nil
	})
	return lang, err
}

const alertColumns = `a.id, a.organization_id, COALESCE(a.client_id, ''), a.source, a.status, a.verification, a.timeout_ms, a.step,
	a.raised_at, a.acknowledged_at, a.ack_by, a.ack_channel, a.resolved_at, a.outcome, a.wrapped_key, a.sealed,
	(SELECT MIN(m.sent_at) FROM alert_events e JOIN messages m ON m.id = e.message_id WHERE e.alert_id = a.id)`

func (tx *Tx) scanAlert(sc interface{ Scan(...any) error }) (*amparo.Alert, error) {
	var a amparo.Alert
	var timeout int64
	var wrapped, sealed []byte
	if err := sc.Scan(&a.ID, &a.OrganizationID, &a.ClientID, &a.Source, &a.Status, &a.Verification, &timeout, &a.Step,
		scanTime{&a.RaisedAt}, scanTime{&a.AcknowledgedAt}, &a.AckBy, &a.AckChannel, scanTime{&a.ResolvedAt}, &a.Outcome,
		&wrapped, &sealed, scanTime{&a.FirstSentAt}); err != nil {
		return nil, mapError(err)
	}
	a.Timeout = time.Duration(timeout) * time.Millisecond
	var s sealedAlert
	if err := tx.unsealJSON(a.ID, wrapped, sealed, &s); err != nil {
		return nil, err
	}
	a.Report, a.Note, a.Checklist = s.Report, s.Note, s.Checklist
	return &a, nil
}

// alert reads an alert with its timeline, unscoped.
func (tx *Tx) alert(ctx context.Context, id string) (*amparo.Alert, error) {
	a, err := tx.scanAlert(tx.queryRow(ctx, "SELECT "+alertColumns+" FROM alerts a WHERE a.id = ?", id))
	if amparo.ErrorCode(err) == amparo.ENOTFOUND {
		return nil, amparo.Errorf(amparo.ENOTFOUND, "Alert %s not found.", id)
	} else if err != nil {
		return nil, err
	}
	return a, tx.readTimeline(ctx, a)
}

// readTimeline reads a's events into a.Events.
func (tx *Tx) readTimeline(ctx context.Context, a *amparo.Alert) error {
	rows, err := tx.query(ctx, `SELECT e.at, e.kind, e.responder, e.channel, e.message_id, COALESCE(m.status, ''), e.actor_id, e.step
		FROM alert_events e LEFT JOIN messages m ON m.id = e.message_id WHERE e.alert_id = ? ORDER BY e.seq`, a.ID)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var e amparo.AlertEvent
		if err := rows.Scan(scanTime{&e.At}, &e.Kind, &e.Responder, &e.Channel, &e.MessageID, &e.Status, &e.ActorID, &e.Step); err != nil {
			return err
		}
		a.Events = append(a.Events, e)
	}
	return rows.Err()
}

// staffAlert reads an alert the actor may see.
func (tx *Tx) staffAlert(ctx context.Context, id string) (*amparo.Alert, error) {
	if !tx.actor.SeesClients() {
		return nil, amparo.Errorf(amparo.EFORBIDDEN, "Only an organization's staff sees its alerts.")
	}
	a, err := tx.alert(ctx, id)
	if err != nil {
		return nil, err
	}
	if !tx.actor.WritesClientsOf(a.OrganizationID) {
		return nil, amparo.Errorf(amparo.ENOTFOUND, "Alert %s not found.", id)
	}
	return a, nil
}

func (db *DB) FindAlertByID(ctx context.Context, id string) (*amparo.Alert, error) {
	var a *amparo.Alert
	err := db.inTx(ctx, func(tx *Tx) (err error) {
		if a, err = tx.staffAlert(ctx, id); err != nil {
			return err
		}
		return tx.audit(ctx, amparo.AuditAlertView, id)
	})
	return a, err
}

func (db *DB) FindAlerts(ctx context.Context, f amparo.AlertFilter) ([]*amparo.Alert, error) {
	var out []*amparo.Alert
	err := db.inTx(ctx, func(tx *Tx) error {
		if !tx.actor.SeesClients() {
			return amparo.Errorf(amparo.EFORBIDDEN, "Only an organization's staff sees its alerts.")
		}
		if !tx.actor.SeesEveryOrganization() {
			f.OrganizationID = tx.actor.OrganizationID
		}
		q, args := "SELECT "+alertColumns+" FROM alerts a WHERE 1 = 1", []any{}
		if f.OrganizationID != "" {
			q, args = q+" AND a.organization_id = ?", append(args, f.OrganizationID)
		}
		if f.Status != "" {
			q, args = q+" AND a.status = ?", append(args, string(f.Status))
		}
		q, args = q+" ORDER BY CASE WHEN a.status = ? THEN 0 ELSE 1 END, a.raised_at DESC, a.id", append(args, string(amparo.AlertOpen))
		rows, err := tx.query(ctx, page(q, 0, f.Limit), args...)
		if err != nil {
			return err
		}
		for rows.Next() {
			a, err := tx.scanAlert(rows)
			if err != nil {
				rows.Close()
				return err
			}
			out = append(out, a)
		}
		if err := errors.Join(rows.Err(), rows.Close()); err != nil {
			return mapError(err)
		}
		// The timelines once the page's rows are closed: one transaction
		// runs one statement at a time.
		for _, a := range out {
			if err := tx.readTimeline(ctx, a); err != nil {
				return err
			}
		}
		return tx.auditRead(ctx, amparo.AuditAlertList, f.OrganizationID, alertListAuditWindow)
	})
	return out, err
}

// alertListAuditWindow is how long one entry stands for an account's
// reads of one alerts list: the page re-reads itself every few seconds
// while open, and an entry per re-reading would bury the trail.
const alertListAuditWindow = 5 * time.Minute

// auditRead records a read unless the same actor's read of the same
// record was recorded less than window ago.
func (tx *Tx) auditRead(ctx context.Context, action amparo.AuditAction, recordID string, window time.Duration) error {
	var n int
	err := tx.queryRow(ctx, `SELECT COUNT(*) FROM (SELECT 1 FROM audit_events
		WHERE actor_id = ? AND at >= ? AND action = ? AND record_id = ? LIMIT 1) recent`,
		tx.actor.ID, formatTime(tx.now.Add(-window)), string(action), recordID).Scan(&n)
	if err != nil {
		return mapError(err)
	}
	if n > 0 {
		return nil
	}
	return tx.audit(ctx, action, recordID)
}

// acknowledge records the first acknowledgement of an alert; later ones
// change nothing but the timeline.
func (tx *Tx) acknowledge(ctx context.Context, id string, responder int, by string, ch amparo.Channel, actorID string) error {
	res, err := tx.exec(ctx, "UPDATE alerts SET status = ?, acknowledged_at = ?, ack_by = ?, ack_channel = ? WHERE id = ? AND status = ?",
		string(amparo.AlertAcknowledged), formatTime(tx.now), by, string(ch), id, string(amparo.AlertOpen))
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return err
	}
	return tx.alertEvent(ctx, id, amparo.AlertEvent{Kind: amparo.AlertAcked, Responder: responder, Channel: ch, ActorID: actorID})
}

// AckWeb is the channel an acknowledgement from the web app is recorded
// with.
const AckWeb amparo.Channel = "web"

func (db *DB) AcknowledgeAlert(ctx context.Context, id, note string) error {
	return db.inTx(ctx, func(tx *Tx) error {
		a, err := tx.staffAlert(ctx, id)
		if err != nil {
			return err
		}
		if note != "" {
			if err := tx.setAlertSeal(ctx, a, note, nil); err != nil {
				return err
			}
		}
		return tx.acknowledge(ctx, id, -1, tx.actor.ID, AckWeb, tx.actor.ID)
	})
}

func (db *DB) AcknowledgeByToken(ctx context.Context, token string) (*amparo.Alert, error) {
	var a *amparo.Alert
	err := db.inTx(ctx, func(tx *Tx) error {
		var id, kind string
		var idx int
		err := tx.queryRow(ctx, "SELECT alert_id, idx, kind FROM alert_recipients WHERE token_hash = ?", auth.TokenHash(token)).Scan(&id, &idx, &kind)
		if errors.Is(err, sql.ErrNoRows) {
			return amparo.Errorf(amparo.ENOTFOUND, "This acknowledgement link is not known.").Localize("alert.link_unknown")
		} else if err != nil {
			return mapError(err)
		}
		if err := tx.acknowledge(ctx, id, idx, kind+":"+strconv.Itoa(idx), "link", ""); err != nil {
			return err
		}
		a, err = tx.alert(ctx, id)
		return err
	})
	return a, err
}

func (db *DB) AcknowledgeBySMS(ctx context.Context, from string) (*amparo.Alert, error) {
	var a *amparo.Alert
	err := db.inTx(ctx, func(tx *Tx) error {
		if tx.actor.Role != amparo.RoleSystem {
			return amparo.Errorf(amparo.EFORBIDDEN, "Only the SMS hook acknowledges by SMS.")
		}
		var id, kind string
		var idx int
		err := tx.queryRow(ctx, `SELECT r.alert_id, r.idx, r.kind FROM alert_recipients r JOIN alerts a ON a.id = r.alert_id
			WHERE r.phone_hash = ? AND a.status <> ? ORDER BY a.raised_at DESC, r.idx LIMIT 1`,
			tx.recipientHash(from), string(amparo.AlertResolved)).Scan(&id, &idx, &kind)
		if errors.Is(err, sql.ErrNoRows) {
			return amparo.Errorf(amparo.ENOTFOUND, "No open alert for this number.")
		} else if err != nil {
			return mapError(err)
		}
		if err := tx.acknowledge(ctx, id, idx, kind+":"+strconv.Itoa(idx), amparo.ChannelSMS, ""); err != nil {
			return err
		}
		a, err = tx.alert(ctx, id)
		return err
	})
	return a, err
}

func (tx *Tx) setAlertSeal(ctx context.Context, a *amparo.Alert, note string, c *amparo.Checklist) error {
	if note != "" {
		if a.Note != "" {
			a.Note += "\n"
		}
		a.Note += note
	}
	if c != nil {
		a.Checklist = *c
	}
	var wrapped []byte
	if err := tx.queryRow(ctx, "SELECT wrapped_key FROM alerts WHERE id = ?", a.ID).Scan(&wrapped); err != nil {
		return mapError(err)
	}
	return tx.resealAlert(ctx, a.ID, wrapped, sealedAlert{a.Report, a.Note, a.Checklist})
}

// resealAlert stores s as alert id's seal, under its data key (wrapped).
func (tx *Tx) resealAlert(ctx context.Context, id string, wrapped []byte, s sealedAlert) error {
	dk, err := tx.db.cipher.OpenDataKey(id, wrapped)
	if err != nil {
		return decryptError(err)
	}
	plain, _ := json.Marshal(s)
	_, err = tx.exec(ctx, "UPDATE alerts SET sealed = ? WHERE id = ?", dk.Seal(plain, []byte(id)), id)
	return err
}

const maxAlertNote = 2000

func (db *DB) ResolveAlert(ctx context.Context, id, outcome, note string, c amparo.Checklist) error {
	if !slices.Contains(amparo.AlertOutcomes, outcome) {
		return amparo.Invalid("outcome", "must be one of the outcomes, such as false_alarm").Localize("invalid.alert_outcome")
	}
	if len(note) > maxAlertNote || len(c.ANumber) > 20 || len(c.Facility) > 200 || len(c.NextSteps) > maxAlertNote {
		return amparo.Invalid("note", "is too long").Localize("invalid.too_long", maxAlertNote)
	}
	return db.inTx(ctx, func(tx *Tx) error {
		a, err := tx.staffAlert(ctx, id)
		if err != nil {
			return err
		}
		if err := tx.setAlertSeal(ctx, a, note, &c); err != nil {
			return err
		}
		if a.Status == amparo.AlertOpen {
			if err := tx.acknowledge(ctx, id, -1, tx.actor.ID, AckWeb, tx.actor.ID); err != nil {
				return err
			}
		}
		if _, err := tx.exec(ctx, "UPDATE alerts SET status = ?, resolved_at = COALESCE(resolved_at, ?), outcome = ? WHERE id = ?",
			string(amparo.AlertResolved), formatTime(tx.now), outcome, id); err != nil {
			return err
		}
		return tx.alertEvent(ctx, id, amparo.AlertEvent{Kind: amparo.AlertResolvedNote, Responder: -1, ActorID: tx.actor.ID})
	})
}

func (db *DB) VerifyReport(ctx context.Context, id string, v amparo.Verification) error {
	if v != amparo.ReportVerified && v != amparo.ReportUnfounded && v != amparo.ReportUnverified {
		return amparo.Invalid("verification", "must be unverified, verified or unfounded").Localize("invalid.verification")
	}
	return db.inTx(ctx, func(tx *Tx) error {
		a, err := tx.staffAlert(ctx, id)
		if err != nil {
			return err
		}
		if a.Source != amparo.AlertFromReport {
			return amparo.Invalid("verification", "Only a third-party report is verified.")
		}
		if _, err := tx.exec(ctx, "UPDATE alerts SET verification = ? WHERE id = ?", string(v), id); err != nil {
			return err
		}
		return tx.alertEvent(ctx, id, amparo.AlertEvent{Kind: amparo.AlertVerified, Responder: -1, ActorID: tx.actor.ID})
	})
}

// EscalateAlert takes step step: step k calls responder k-1 (the
// attorney and the hotline first, as the plan orders them) by voice if
// they take calls, or messages them again by SMS, then schedules step
// k+1 while a responder is left.
func (db *DB) EscalateAlert(ctx context.Context, id string, step int) (bool, error) {
	var did bool
	err := db.inTx(ctx, func(tx *Tx) error {
		if tx.actor.Role != amparo.RoleSystem {
			return amparo.Errorf(amparo.EFORBIDDEN, "Only the job runner escalates alerts.")
		}
		var status string
		var taken int
		if err := tx.queryRow(ctx, "SELECT status, step FROM alerts WHERE id = ?"+tx.db.dialect.forUpdate(), id).Scan(&status, &taken); err != nil {
			return mapError(err)
		}
		if amparo.AlertStatus(status) != amparo.AlertOpen || step != taken+1 {
			return nil
		}
		a, err := tx.alert(ctx, id)
		if err != nil {
			return err
		}
		_, personal, err := tx.clientOf(ctx, a.ClientID)
		if err != nil {
			return err
		}
		plan, err := tx.plan(ctx, a.ClientID)
		if err != nil {
			return err
		}
		stands, err := tx.attorneyStands(ctx, a.ClientID)
		if err != nil {
			return err
		}
		// The next responder who may be told, from this step on.
		i := step - 1
		for i < len(plan.Responders) && (plan.Responders[i].Kind == amparo.ResponderContact && !plan.Responders[i].Consent ||
			plan.Responders[i].Kind == amparo.ResponderAttorney && !stands) {
			i++
		}
		if i >= len(plan.Responders) {
			return nil
		}
		did = true
		if _, err := tx.exec(ctx, "UPDATE alerts SET step = ? WHERE id = ?", i+1, id); err != nil {
			return err
		}
		if err := tx.alertEvent(ctx, id, amparo.AlertEvent{Kind: amparo.AlertEscalated, Responder: i, Step: i + 1}); err != nil {
			return err
		}
		ch := amparo.ChannelSMS
		if plan.Responders[i].Has(amparo.ChannelVoice) {
			ch = amparo.ChannelVoice
		}
		if err := tx.notifyResponder(ctx, a, plan, personal, i, ch, i+1); err != nil {
			return err
		}
		if i+1 < len(plan.Responders) {
			return tx.scheduleEscalation(ctx, id, i+2, a.Timeout)
		}
		return nil
	})
	return did, err
}

func (db *DB) AlertFigures(ctx context.Context, orgID string) (*amparo.AlertFigures, error) {
	f := &amparo.AlertFigures{}
	err := db.inReadTx(ctx, func(tx *Tx) error {
		if !tx.actor.SeesClients() && !tx.actor.RunsProgram() {
			return amparo.Errorf(amparo.EFORBIDDEN, "Only an organization's staff sees its alert figures.")
		}
		if !tx.actor.SeesEveryOrganization() && !tx.actor.RunsProgram() {
			orgID = tx.actor.OrganizationID
		}
		q, args := `SELECT a.raised_at, a.acknowledged_at, a.timeout_ms,
			(SELECT MIN(m.sent_at) FROM alert_events e JOIN messages m ON m.id = e.message_id WHERE e.alert_id = a.id)
			FROM alerts a WHERE a.source <> ?`, []any{string(amparo.AlertFromReport)}
		if orgID != "" {
			q, args = q+" AND a.organization_id = ?", append(args, orgID)
		}
		rows, err := tx.query(ctx, q, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		var firsts, acks []time.Duration
		for rows.Next() {
			var raised, acked, first time.Time
			var timeout int64
			if err := rows.Scan(scanTime{&raised}, scanTime{&acked}, &timeout, scanTime{&first}); err != nil {
				return err
			}
			f.Alerts++
			if !first.IsZero() {
				firsts = append(firsts, first.Sub(raised))
			}
			if !acked.IsZero() {
				d := acked.Sub(raised)
				acks = append(acks, d)
				f.Acknowledged++
				if d <= time.Duration(timeout)*time.Millisecond {
					f.AckedInTime++
				}
			}
		}
		f.FirstDeliveryP50 = amparo.Percentile(firsts, 50)
		f.AckP50, f.AckP95 = amparo.Percentile(acks, 50), amparo.Percentile(acks, 95)
		return rows.Err()
	})
	return f, err
}

// eraseAlerts erases what a client's plan and alerts hold about them, in
// the client's erasure: the plan, the alerts' notes, checklists and
// recipients' hashes, and their messages' bodies (queued ones are then
// never sent). The alerts' statuses and times stay, for the figures.
func (tx *Tx) eraseAlerts(ctx context.Context, clientID string) error {
	if _, err := tx.exec(ctx, "DELETE FROM response_plans WHERE client_id = ?", clientID); err != nil {
		return err
	}
	if _, err := tx.exec(ctx, `UPDATE messages SET wrapped_key = NULL, sealed = NULL, updated_at = ? WHERE id IN
		(SELECT e.message_id FROM alert_events e JOIN alerts a ON a.id = e.alert_id WHERE a.client_id = ?)`, formatTime(tx.now), clientID); err != nil {
		return err
	}
	if _, err := tx.exec(ctx, "DELETE FROM alert_recipients WHERE alert_id IN (SELECT id FROM alerts WHERE client_id = ?)", clientID); err != nil {
		return err
	}
	rows, err := tx.query(ctx, "SELECT id, wrapped_key FROM alerts WHERE client_id = ?", clientID)
	if err != nil {
		return err
	}
	type sealedRow struct {
		id      string
		wrapped []byte
	}
	var all []sealedRow
	for rows.Next() {
		var r sealedRow
		if err := rows.Scan(&r.id, &r.wrapped); err != nil {
			rows.Close()
			return err
		}
		all = append(all, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, r := range all {
		if err := tx.resealAlert(ctx, r.id, r.wrapped, sealedAlert{}); err != nil {
			return err
		}
	}
	return nil
}

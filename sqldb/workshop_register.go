package sqldb

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/ticket"
)

// Registrations, the waitlist and check-in. A registration's alias and
// contact details are sealed under its own data key; its ticket link is a
// random token the person holds, stored as a keyed MAC.

// registrationSealed is what a registration seals.
type registrationSealed struct {
	Alias string `json:"a,omitempty"`
	Phone string `json:"p,omitempty"`
	Email string `json:"e,omitempty"`
	SMS   bool   `json:"s,omitempty"`
	Mail  bool   `json:"m,omitempty"`
}

const registrationColumns = `r.id, r.workshop_id, r.code, r.status, r.party_size, r.language, r.wrapped, r.sealed,
	r.offer_expires_at, r.checked_in_at, r.created_at, r.updated_at`

func (tx *Tx) scanRegistration(row interface{ Scan(...any) error }) (*amparo.Registration, error) {
	r := &amparo.Registration{}
	var code *string
	var wrapped, sealed []byte
	if err := row.Scan(&r.ID, &r.WorkshopID, &code, &r.Status, &r.PartySize, &r.Language, &wrapped, &sealed,
		scanTime{&r.OfferExpiresAt}, scanTime{&r.CheckedInAt}, scanTime{&r.CreatedAt}, scanTime{&r.UpdatedAt}); err != nil {
		return nil, mapError(err)
	}
	if code != nil {
		r.Code = *code
	}
	if wrapped != nil {
		var rs registrationSealed
		if err := tx.unsealJSON(r.ID, wrapped, sealed, &rs); err != nil {
			return nil, err
		}
		r.Alias, r.Phone, r.Email, r.ConsentSMS, r.ConsentMail = rs.Alias, rs.Phone, rs.Email, rs.SMS, rs.Mail
	}
	return r, nil
}

func (tx *Tx) tokenMAC(token string) []byte {
	return tx.db.cipher.MAC("workshop ticket link", []byte(token))
}

// Register registers r for its workshop: a place, or the waitlist.
func (db *DB) Register(ctx context.Context, r *amparo.Registration) (*amparo.Registered, error) {
	r.Alias, r.Phone, r.Email = strings.TrimSpace(r.Alias), amparo.CompactPhone(r.Phone), strings.TrimSpace(r.Email)
	if err := r.Validate(); err != nil {
		return nil, err
	}
	var out *amparo.Registered
	err := db.inTx(ctx, func(tx *Tx) error {
		s, err := tx.lockWorkshop(ctx, r.WorkshopID)
		if err != nil {
			return err
		}
		w := s.w
		if err := workshopOpen(w, tx); err != nil {
			return err
		}
		if !slices.Contains(w.Languages, r.Language) {
			r.Language = w.Languages[0]
		}
		if err := tx.settleWaitlist(ctx, w); err != nil {
			return err
		}
		used, waiting, err := tx.places(ctx, w.ID)
		if err != nil {
			return err
		}
		r.ID, r.Status = amparo.NewID(), amparo.RegistrationConfirmed
		if waiting > 0 || used+r.PartySize > w.Capacity {
			r.Status = amparo.RegistrationWaitlisted
		}
		if r.Code, err = tx.newTicketCode(ctx, w.ID); err != nil {
			return err
		}
		var tok [16]byte
		rand.Read(tok[:])
		token := base64.RawURLEncoding.EncodeToString(tok[:])
		dk, wrapped, err := tx.db.cipher.NewDataKey(r.ID)
		if err != nil {
			return err
		}
		plain, _ := json.Marshal(registrationSealed{r.Alias, r.Phone, r.Email, r.ConsentSMS, r.ConsentMail})
		r.CreatedAt, r.UpdatedAt = tx.now, tx.now
		if _, err := tx.exec(ctx, `INSERT INTO workshop_registrations (id, workshop_id, code, token_mac, status, party_size, language,
			has_alias, has_phone, has_email, phone_hash, wrapped, sealed, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			r.ID, w.ID, r.Code, tx.tokenMAC(token), string(r.Status), r.PartySize, r.Language, b2i(r.Alias != ""), b2i(r.Phone != ""),
			b2i(r.Email != ""), tx.phoneHash(r.Phone), wrapped, dk.Seal(plain, []byte(r.ID)), formatTime(tx.now), formatTime(tx.now)); err != nil {
			return err
		}
		key, err := tx.ticketKey(s)
		if err != nil {
			return err
		}
		r.Ticket = ticket.Sign(key, ticket.Ticket{WorkshopID: w.ID, Code: r.Code})
		// The confirmation, in this transaction (a rollback sends
		// nothing); the workshop's texts are open now.
		if tx.db.WorkshopReminder != nil && (r.ConsentSMS || r.ConsentMail) {
			zone, err := tx.programZone(ctx)
			if err != nil {
				return err
			}
			if _, err := tx.remind(ctx, amparo.ReminderConfirmation, w, r, token, zone); err != nil {
				return err
			}
		}
		out = &amparo.Registered{Registration: r, Token: token}
		return nil
	})
	return out, err
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// workshopOpen refuses registering for a workshop that is not open, saying
// why in the person's words.
func workshopOpen(w *amparo.Workshop, tx *Tx) error {
	switch {
	case w.Status == amparo.WorkshopCancelled:
		return amparo.Errorf(amparo.EINVALID, "the workshop is cancelled").Localize("workshop.err.cancelled")
	case w.Status != amparo.WorkshopPublished:
		return amparo.Errorf(amparo.EINVALID, "the workshop is not open to registration").Localize("workshop.err.not_open")
	case !tx.now.Before(w.StartsAt):
		return amparo.Errorf(amparo.EINVALID, "the workshop has started").Localize("workshop.err.started")
	}
	return nil
}

// places sums the party sizes holding places, and counts those waiting.
func (tx *Tx) places(ctx context.Context, workshopID string) (used, waiting int, err error) {
	err = tx.queryRow(ctx, `SELECT COALESCE(SUM(CASE WHEN status IN (?, ?) THEN party_size ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN status = ? THEN 1 ELSE 0 END), 0) FROM workshop_registrations WHERE workshop_id = ?`,
		string(amparo.RegistrationConfirmed), string(amparo.RegistrationOffered), string(amparo.RegistrationWaitlisted), workshopID).Scan(&used, &waiting)
	return used, waiting, mapError(err)
}

// newTicketCode is a short code not yet used in the workshop.
func (tx *Tx) newTicketCode(ctx context.Context, workshopID string) (string, error) {
	for range 10 {
		var b [amparo.TicketCodeLen]byte
		rand.Read(b[:])
		for i := range b {
			b[i] = amparo.TicketCodeAlphabet[int(b[i])%len(amparo.TicketCodeAlphabet)]
		}
		var n int
		if err := tx.queryRow(ctx, "SELECT COUNT(*) FROM workshop_registrations WHERE workshop_id = ? AND code = ?", workshopID, string(b[:])).Scan(&n); err != nil {
			return "", mapError(err)
		}
		if n == 0 {
			return string(b[:]), nil
		}
	}
	return "", errors.New("no free ticket code after 10 tries")
}

// settleWaitlist expires offers not taken in time, then offers the places
// free to those waiting, oldest first, each whose party fits; offers end
// OfferHours later, never after the start. Nothing is offered once the
// workshop has started or if it is not published.
func (tx *Tx) settleWaitlist(ctx context.Context, w *amparo.Workshop) error {
	if _, err := tx.exec(ctx, "UPDATE workshop_registrations SET status = ?, updated_at = ? WHERE workshop_id = ? AND status = ? AND offer_expires_at <= ?",
		string(amparo.RegistrationExpired), formatTime(tx.now), w.ID, string(amparo.RegistrationOffered), formatTime(tx.now)); err != nil {
		return err
	}
	if w.Status != amparo.WorkshopPublished || !tx.now.Before(w.StartsAt) {
		return nil
	}
	used, waiting, err := tx.places(ctx, w.ID)
	if err != nil || waiting == 0 || used >= w.Capacity {
		return err
	}
	rows, err := tx.query(ctx, "SELECT id, party_size FROM workshop_registrations WHERE workshop_id = ? AND status = ? ORDER BY created_at, id",
		w.ID, string(amparo.RegistrationWaitlisted))
	if err != nil {
		return err
	}
	free := w.Capacity - used
	var offer []string
	for rows.Next() {
		var id string
		var party int
		if err := rows.Scan(&id, &party); err != nil {
			rows.Close()
			return mapError(err)
		}
		if party <= free {
			offer, free = append(offer, id), free-party
		}
	}
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		return mapError(err)
	}
	until := tx.now.Add(timeHours(w.OfferHours))
	if until.After(w.StartsAt) {
		until = w.StartsAt
	}
	for _, id := range offer {
		if _, err := tx.exec(ctx, "UPDATE workshop_registrations SET status = ?, offer_expires_at = ?, updated_at = ? WHERE id = ?",
			string(amparo.RegistrationOffered), formatTime(until), formatTime(tx.now), id); err != nil {
			return err
		}
	}
	return nil
}

// ticketByToken reads and locks the registration of a ticket link, and
// its workshop.
func (tx *Tx) ticketByToken(ctx context.Context, token string) (*amparo.Registration, *storedWorkshop, error) {
	notFound := amparo.Errorf(amparo.ENOTFOUND, "ticket not found").Localize("ticket.err.not_found")
	if token == "" || len(token) > 64 {
		return nil, nil, notFound
	}
	var wid string
	if err := tx.queryRow(ctx, "SELECT workshop_id FROM workshop_registrations WHERE token_mac = ?", tx.tokenMAC(token)).Scan(&wid); err != nil {
		if amparo.ErrorCode(mapError(err)) == amparo.ENOTFOUND {
			return nil, nil, notFound
		}
		return nil, nil, mapError(err)
	}
	s, err := tx.lockWorkshop(ctx, wid)
	if err != nil {
		return nil, nil, err
	}
	if err := tx.settleWaitlist(ctx, s.w); err != nil {
		return nil, nil, err
	}
	r, err := tx.scanRegistration(tx.queryRow(ctx, "SELECT "+registrationColumns+" FROM workshop_registrations r WHERE r.token_mac = ?"+
		tx.db.dialect.forUpdate(), tx.tokenMAC(token)))
	if err != nil {
		return nil, nil, err
	}
	key, err := tx.ticketKey(s)
	if err != nil {
		return nil, nil, err
	}
	r.Ticket = ticket.Sign(key, ticket.Ticket{WorkshopID: wid, Code: r.Code})
	return r, s, nil
}

// FindTicket returns a ticket link's registration and workshop, the
// address shown as its visibility says.
func (db *DB) FindTicket(ctx context.Context, token string) (*amparo.Registration, *amparo.Workshop, error) {
	var r *amparo.Registration
	var w *amparo.Workshop
	err := db.inTx(ctx, func(tx *Tx) error {
		var s *storedWorkshop
		var err error
		if r, s, err = tx.ticketByToken(ctx, token); err != nil {
			return err
		}
		w = s.w
		zone, err := tx.programZone(ctx)
		if err != nil {
			return err
		}
		if !tx.actor.OrganizesWorkshopsOf(w.OrganizationID) && !w.AddressShown(r.HoldsPlace(), tx.now, zone) {
			w.Address = ""
		}
		return nil
	})
	return r, w, err
}

// CancelTicket cancels a ticket link's registration.
func (db *DB) CancelTicket(ctx context.Context, token string) error {
	return db.inTx(ctx, func(tx *Tx) error {
		r, s, err := tx.ticketByToken(ctx, token)
		if err != nil {
			return err
		}
		if !tx.now.Before(s.w.StartsAt) {
			return amparo.Errorf(amparo.ECONFLICT, "the workshop has started").Localize("workshop.err.started")
		}
		if r.Status == amparo.RegistrationCancelled || r.Status == amparo.RegistrationExpired {
			return nil // done already: a second click changes nothing
		}
		if _, err := tx.exec(ctx, "UPDATE workshop_registrations SET status = ?, offer_expires_at = NULL, updated_at = ? WHERE id = ?",
			string(amparo.RegistrationCancelled), formatTime(tx.now), r.ID); err != nil {
			return err
		}
		return tx.settleWaitlist(ctx, s.w)
	})
}

// AcceptOffer takes a place offered from the waitlist.
func (db *DB) AcceptOffer(ctx context.Context, token string) error {
	return db.inTx(ctx, func(tx *Tx) error {
		r, _, err := tx.ticketByToken(ctx, token)
		if err != nil {
			return err
		}
		if r.Status == amparo.RegistrationConfirmed {
			return nil
		}
		if r.Status != amparo.RegistrationOffered {
			return amparo.Errorf(amparo.ECONFLICT, "there is no place offered").Localize("ticket.err.no_offer")
		}
		_, err = tx.exec(ctx, "UPDATE workshop_registrations SET status = ?, offer_expires_at = NULL, updated_at = ? WHERE id = ?",
			string(amparo.RegistrationConfirmed), formatTime(tx.now), r.ID)
		return err
	})
}

// maxWalkIn is the largest party one walk-in scan counts.
const maxWalkIn = 50

// CheckIn records a scan at the door.
func (db *DB) CheckIn(ctx context.Context, workshopID string, c amparo.CheckIn) (*amparo.CheckInResult, error) {
	if c.Nonce == "" || len(c.Nonce) > 64 || !utf8.ValidString(c.Nonce) {
		return nil, amparo.Invalid("nonce", "a scan needs a nonce of 1 to 64 characters").Localize("checkin.err.nonce")
	}
	if (c.Code == "" && c.Ticket == "" && c.WalkIn == 0) || c.WalkIn < 0 || c.WalkIn > maxWalkIn || len(c.Ticket) > 400 || len(c.Code) > 40 {
		return nil, amparo.Invalid("code", "enter a ticket's code, or count a walk-in of 1 to %d people", maxWalkIn).Localize("checkin.err.empty", maxWalkIn)
	}
	var res *amparo.CheckInResult
	err := db.inTx(ctx, func(tx *Tx) error {
		s, err := tx.organizedWorkshop(ctx, workshopID)
		if err != nil {
			return err
		}
		w := s.w
		var outcome, code string
		var party int
		err = tx.queryRow(ctx, "SELECT outcome, COALESCE(code, ''), party_size FROM workshop_scans WHERE workshop_id = ? AND nonce = ?",
			w.ID, c.Nonce).Scan(&outcome, &code, &party)
		if err == nil {
			res = &amparo.CheckInResult{Outcome: amparo.CheckInOutcome(outcome), Code: code, PartySize: party, Repeat: true}
			return nil
		} else if amparo.ErrorCode(mapError(err)) != amparo.ENOTFOUND {
			return mapError(err)
		}
		if w.Status != amparo.WorkshopPublished && w.Status != amparo.WorkshopHeld {
			return amparo.Errorf(amparo.EINVALID, "the workshop is not taking check-ins").Localize("checkin.err.not_open")
		}
		res, err = tx.checkIn(ctx, w, c)
		if err != nil {
			return err
		}
		_, err = tx.exec(ctx, "INSERT INTO workshop_scans (workshop_id, nonce, outcome, code, party_size, at) VALUES (?, ?, ?, ?, ?, ?)",
			w.ID, c.Nonce, string(res.Outcome), nullable(res.Code), res.PartySize, formatTime(tx.now))
		return err
	})
	return res, err
}

// checkIn decides a scan's outcome, and checks the ticket in when it is
// good.
func (tx *Tx) checkIn(ctx context.Context, w *amparo.Workshop, c amparo.CheckIn) (*amparo.CheckInResult, error) {
	if c.WalkIn > 0 {
		return &amparo.CheckInResult{Outcome: amparo.CheckInWalkIn, PartySize: c.WalkIn}, nil
	}
	code := amparo.NormalizeTicketCode(c.Code)
	if c.Ticket != "" {
		var refused amparo.CheckInOutcome
		if code, refused = verifyTicket(w, c.Ticket); refused != "" {
			return &amparo.CheckInResult{Outcome: refused}, nil
		}
	}
	if code == "" {
		return &amparo.CheckInResult{Outcome: amparo.CheckInUnknown}, nil
	}
	var id string
	var status amparo.RegistrationStatus
	var party int
	var checked bool
	err := tx.queryRow(ctx, "SELECT id, status, party_size, checked_in_at IS NOT NULL FROM workshop_registrations WHERE workshop_id = ? AND code = ?"+
		tx.db.dialect.forUpdate(), w.ID, code).Scan(&id, &status, &party, &checked)
	if amparo.ErrorCode(mapError(err)) == amparo.ENOTFOUND {
		return &amparo.CheckInResult{Outcome: amparo.CheckInUnknown, Code: code}, nil
	} else if err != nil {
		return nil, mapError(err)
	}
	res := &amparo.CheckInResult{Code: code, PartySize: party}
	switch {
	case checked:
		res.Outcome = amparo.CheckInAlready
	case status != amparo.RegistrationConfirmed && status != amparo.RegistrationOffered:
		res.Outcome = amparo.CheckInCancelled
	default:
		res.Outcome = amparo.CheckInOK
		if _, err := tx.exec(ctx, "UPDATE workshop_registrations SET checked_in_at = ?, updated_at = ? WHERE id = ?",
			formatTime(tx.now), formatTime(tx.now), id); err != nil {
			return nil, err
		}
	}
	return res, nil
}

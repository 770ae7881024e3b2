package sqldb

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"errors"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/ticket"
)

// Workshops: a workshop's texts and ticket key sealed under its own data
// key; registrations in workshop_register.go.

// workshopSealed is what a workshop seals: its texts and the seed of its
// ticket signing key.
type workshopSealed struct {
	Title         map[string]string `json:"t"`
	Description   map[string]string `json:"d,omitempty"`
	Venue         string            `json:"v"`
	Address       string            `json:"a"`
	Accessibility string            `json:"x,omitempty"`
	Seed          []byte            `json:"k"`
}

const workshopColumns = `w.id, w.organization_id, w.status, w.starts_at, w.ends_at, w.capacity, w.address_visibility, w.languages,
	w.facilitators, w.materials, w.retention_days, w.offer_hours, w.public_key, w.wrapped, w.sealed, w.erased_at, w.created_at, w.updated_at`

// storedWorkshop is a workshop as read, with what opens its seal.
type storedWorkshop struct {
	w               *amparo.Workshop
	wrapped, sealed []byte
}

func scanWorkshop(row interface{ Scan(...any) error }) (*storedWorkshop, error) {
	w := &amparo.Workshop{}
	var s storedWorkshop
	var langs, facilitators, materials string
	err := row.Scan(&w.ID, &w.OrganizationID, &w.Status, scanTime{&w.StartsAt}, scanTime{&w.EndsAt}, &w.Capacity, &w.AddressVisibility,
		&langs, &facilitators, &materials, &w.RetentionDays, &w.OfferHours, &w.PublicKey, &s.wrapped, &s.sealed,
		scanTime{&w.ErasedAt}, scanTime{&w.CreatedAt}, scanTime{&w.UpdatedAt})
	if err != nil {
		return nil, mapError(err)
	}
	if err := errors.Join(json.Unmarshal([]byte(langs), &w.Languages), json.Unmarshal([]byte(facilitators), &w.FacilitatorIDs),
		json.Unmarshal([]byte(materials), &w.Materials)); err != nil {
		return nil, err
	}
	s.w = w
	return &s, nil
}

// open fills in the workshop's sealed texts, and returns its signing seed.
func (tx *Tx) openWorkshop(s *storedWorkshop) ([]byte, error) {
	var ws workshopSealed
	if err := tx.unsealJSON(s.w.ID, s.wrapped, s.sealed, &ws); err != nil {
		return nil, err
	}
	w := s.w
	w.Title, w.Description, w.Venue, w.Address, w.Accessibility = ws.Title, ws.Description, ws.Venue, ws.Address, ws.Accessibility
	if w.Description == nil {
		w.Description = map[string]string{}
	}
	return ws.Seed, nil
}

func wsJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func (w *storedWorkshop) organizedBy(a amparo.Actor) bool {
	return a.OrganizesWorkshopsOf(w.w.OrganizationID)
}

// hideAddress blanks the address for a reader who is not told it.
func hideAddress(w *amparo.Workshop, a amparo.Actor) {
	if !a.OrganizesWorkshopsOf(w.OrganizationID) && w.AddressVisibility != amparo.AddressPublic {
		w.Address = ""
	}
}

func workshopDefaults(w *amparo.Workshop) {
	if w.OfferHours == 0 {
		w.OfferHours = amparo.DefaultWorkshopOfferHours
	}
	if w.FacilitatorIDs == nil {
		w.FacilitatorIDs = []string{}
	}
	if w.Materials == nil {
		w.Materials = []string{}
	}
}

// CreateWorkshop stores a new workshop, in draft, with its own ticket key.
func (db *DB) CreateWorkshop(ctx context.Context, w *amparo.Workshop) error {
	a, _ := amparo.ActorFromContext(ctx)
	if w.OrganizationID == "" {
		w.OrganizationID = a.OrganizationID
	}
	workshopDefaults(w)
	w.Status = amparo.WorkshopDraft
	if err := w.Validate(); err != nil {
		return err
	}
	return db.inTx(ctx, func(tx *Tx) error {
		if !tx.actor.OrganizesWorkshopsOf(w.OrganizationID) {
			return amparo.Errorf(amparo.EFORBIDDEN, "you cannot organize workshops of this organization")
		}
		if err := tx.checkFacilitators(ctx, w); err != nil {
			return err
		}
		if w.ID == "" {
			w.ID = amparo.NewID()
		}
		seed := make([]byte, ed25519.SeedSize)
		rand.Read(seed)
		w.PublicKey = ed25519.NewKeyFromSeed(seed).Public().(ed25519.PublicKey)
		dk, wrapped, err := tx.db.cipher.NewDataKey(w.ID)
		if err != nil {
			return err
		}
		w.CreatedAt, w.UpdatedAt = tx.now, tx.now
		sealed := dk.Seal([]byte(wsJSON(workshopSealed{w.Title, w.Description, w.Venue, w.Address, w.Accessibility, seed})), []byte(w.ID))
		if _, err := tx.exec(ctx, `INSERT INTO workshops (id, organization_id, status, starts_at, ends_at, capacity, address_visibility,
			languages, facilitators, materials, retention_days, offer_hours, public_key, wrapped, sealed, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			w.ID, w.OrganizationID, string(w.Status), formatTime(w.StartsAt), formatTime(w.EndsAt), w.Capacity, string(w.AddressVisibility),
			wsJSON(w.Languages), wsJSON(w.FacilitatorIDs), wsJSON(w.Materials), w.RetentionDays, w.OfferHours, []byte(w.PublicKey),
			wrapped, sealed, formatTime(w.CreatedAt), formatTime(w.UpdatedAt)); err != nil {
			return err
		}
		return tx.audit(ctx, amparo.AuditWorkshopCreate, w.ID)
	})
}

// checkFacilitators refuses a facilitator who is not a member of the
// workshop's organization.
func (tx *Tx) checkFacilitators(ctx context.Context, w *amparo.Workshop) error {
	for _, id := range w.FacilitatorIDs {
		var n int
		if err := tx.queryRow(ctx, "SELECT COUNT(*) FROM members WHERE id = ? AND organization_id = ?", id, w.OrganizationID).Scan(&n); err != nil {
			return mapError(err)
		}
		if n == 0 {
			return amparo.Invalid("facilitators", "%s is not a member of the organization", id).Localize("invalid.workshop_facilitator")
		}
	}
	return nil
}

// readWorkshop reads a workshop; ENOTFOUND, in the reader's words, when
// there is none.
func (tx *Tx) readWorkshop(ctx context.Context, id string) (*storedWorkshop, error) {
	return tx.workshopRow(ctx, id, "")
}

// lockWorkshop reads a workshop for a change, locking it until the
// transaction ends: registrations of one workshop take turns.
func (tx *Tx) lockWorkshop(ctx context.Context, id string) (*storedWorkshop, error) {
	return tx.workshopRow(ctx, id, tx.db.dialect.forUpdate())
}

func (tx *Tx) workshopRow(ctx context.Context, id, suffix string) (*storedWorkshop, error) {
	s, err := scanWorkshop(tx.queryRow(ctx, "SELECT "+workshopColumns+" FROM workshops w WHERE w.id = ?"+suffix, id))
	if amparo.ErrorCode(err) == amparo.ENOTFOUND {
		return nil, amparo.Errorf(amparo.ENOTFOUND, "workshop not found").Localize("workshop.err.not_found")
	}
	return s, err
}

// organizedWorkshop is lockWorkshop for its organization's organizers
// alone: EFORBIDDEN for anyone else.
func (tx *Tx) organizedWorkshop(ctx context.Context, id string) (*storedWorkshop, error) {
	return tx.organizerOnly(tx.lockWorkshop(ctx, id))
}

// organizerOnly passes on a workshop read (readWorkshop, lockWorkshop)
// to its organization's organizers alone: EFORBIDDEN for anyone else.
func (tx *Tx) organizerOnly(s *storedWorkshop, err error) (*storedWorkshop, error) {
	if err != nil {
		return nil, err
	}
	if !s.organizedBy(tx.actor) {
		return nil, amparo.Errorf(amparo.EFORBIDDEN, "you cannot organize workshops of this organization")
	}
	return s, nil
}

// UpdateWorkshop replaces a workshop's details, keeping its status and key.
func (db *DB) UpdateWorkshop(ctx context.Context, w *amparo.Workshop) error {
	workshopDefaults(w)
	return db.inTx(ctx, func(tx *Tx) error {
		s, err := tx.organizedWorkshop(ctx, w.ID)
		if err != nil {
			return err
		}
		if !s.w.UpdatedAt.Equal(w.UpdatedAt) {
			return amparo.Errorf(amparo.ECONFLICT, "the workshop was changed by someone else since it was read").Localize("confirm.changed")
		}
		seed, err := tx.openWorkshop(s)
		if err != nil {
			return err
		}
		w.OrganizationID, w.Status, w.PublicKey, w.CreatedAt, w.ErasedAt = s.w.OrganizationID, s.w.Status, s.w.PublicKey, s.w.CreatedAt, s.w.ErasedAt
		if err := w.Validate(); err != nil {
			return err
		}
		if err := tx.checkFacilitators(ctx, w); err != nil {
			return err
		}
		dk, err := tx.db.cipher.OpenDataKey(w.ID, s.wrapped)
		if err != nil {
			return decryptError(err)
		}
		sealed := dk.Seal([]byte(wsJSON(workshopSealed{w.Title, w.Description, w.Venue, w.Address, w.Accessibility, seed})), []byte(w.ID))
		w.UpdatedAt = tx.now
		if _, err := tx.exec(ctx, `UPDATE workshops SET starts_at = ?, ends_at = ?, capacity = ?, address_visibility = ?, languages = ?,
			facilitators = ?, materials = ?, retention_days = ?, offer_hours = ?, sealed = ?, updated_at = ? WHERE id = ?`,
			formatTime(w.StartsAt), formatTime(w.EndsAt), w.Capacity, string(w.AddressVisibility), wsJSON(w.Languages),
			wsJSON(w.FacilitatorIDs), wsJSON(w.Materials), w.RetentionDays, w.OfferHours, sealed, formatTime(w.UpdatedAt), w.ID); err != nil {
			return err
		}
		// More places may let the waitlist in.
		if err := tx.settleWaitlist(ctx, w); err != nil {
			return err
		}
		return tx.audit(ctx, amparo.AuditWorkshopUpdate, w.ID)
	})
}

// SetWorkshopStatus moves a workshop to status.
func (db *DB) SetWorkshopStatus(ctx context.Context, id string, status amparo.WorkshopStatus) (*amparo.Workshop, error) {
	var out *amparo.Workshop
	err := db.inTx(ctx, func(tx *Tx) error {
		s, err := tx.organizedWorkshop(ctx, id)
		if err != nil {
			return err
		}
		if !s.w.Status.CanMoveTo(status) {
			return amparo.Invalid("status", "a %s workshop cannot become %s", s.w.Status, status).
				Localize("workshop.err.status_move", amparo.Msg{Key: "workshop.status." + string(s.w.Status)}, amparo.Msg{Key: "workshop.status." + string(status)})
		}
		if _, err := tx.openWorkshop(s); err != nil {
			return err
		}
		s.w.Status, s.w.UpdatedAt = status, tx.now
		if _, err := tx.exec(ctx, "UPDATE workshops SET status = ?, updated_at = ? WHERE id = ?", string(status), formatTime(tx.now), id); err != nil {
			return err
		}
		if status == amparo.WorkshopCancelled {
			if _, err := tx.exec(ctx, "UPDATE workshop_registrations SET status = ?, updated_at = ? WHERE workshop_id = ? AND status IN (?, ?, ?)",
				string(amparo.RegistrationCancelled), formatTime(tx.now), id, string(amparo.RegistrationConfirmed),
				string(amparo.RegistrationWaitlisted), string(amparo.RegistrationOffered)); err != nil {
				return err
			}
		}
		out = s.w
		return tx.audit(ctx, amparo.AuditWorkshopStatus, id)
	})
	return out, err
}

// FindWorkshopByID returns a workshop; drafts to its organizers alone.
func (db *DB) FindWorkshopByID(ctx context.Context, id string) (*amparo.Workshop, error) {
	var out *amparo.Workshop
	err := db.inReadTx(ctx, func(tx *Tx) error {
		s, err := tx.readWorkshop(ctx, id)
		if err != nil {
			return err
		}
		if s.w.Status == amparo.WorkshopDraft && !s.organizedBy(tx.actor) {
			return amparo.Errorf(amparo.ENOTFOUND, "workshop not found").Localize("workshop.err.not_found")
		}
		if _, err := tx.openWorkshop(s); err != nil {
			return err
		}
		hideAddress(s.w, tx.actor)
		out = s.w
		return nil
	})
	return out, err
}

// FindWorkshops lists workshops, soonest first.
func (db *DB) FindWorkshops(ctx context.Context, f amparo.WorkshopFilter) ([]*amparo.Workshop, int, error) {
	var out []*amparo.Workshop
	var n int
	err := db.inReadTx(ctx, func(tx *Tx) error {
		var where []string
		var args []any
		a := tx.actor
		switch {
		case a.Role == amparo.RoleSystem:
		case a.OrganizesWorkshops():
			if f.OrganizationID != "" && f.OrganizationID != a.OrganizationID {
				return amparo.Errorf(amparo.EFORBIDDEN, "you cannot see another organization's workshops")
			}
			f.OrganizationID = a.OrganizationID
		case a.Role == amparo.RoleVisitor:
			where = append(where, "w.status <> ?")
			args = append(args, string(amparo.WorkshopDraft))
		default:
			return amparo.Errorf(amparo.EFORBIDDEN, "your role organizes no workshops")
		}
		if f.OrganizationID != "" {
			where, args = append(where, "w.organization_id = ?"), append(args, f.OrganizationID)
		}
		if f.Status != "" {
			where, args = append(where, "w.status = ?"), append(args, string(f.Status))
		}
		if f.Upcoming {
			where, args = append(where, "w.ends_at > ?"), append(args, formatTime(f.Now))
		}
		cond := ""
		if len(where) > 0 {
			cond = " WHERE " + strings.Join(where, " AND ")
		}
		if err := tx.queryRow(ctx, "SELECT COUNT(*) FROM workshops w"+cond, args...).Scan(&n); err != nil {
			return mapError(err)
		}
		rows, err := tx.query(ctx, page("SELECT "+workshopColumns+" FROM workshops w"+cond+" ORDER BY w.starts_at, w.id", f.Offset, f.Limit), args...)
		if err != nil {
			return err
		}
		var ss []*storedWorkshop
		for rows.Next() {
			s, err := scanWorkshop(rows)
			if err != nil {
				rows.Close()
				return err
			}
			ss = append(ss, s)
		}
		if err := errors.Join(rows.Err(), rows.Close()); err != nil {
			return mapError(err)
		}
		for _, s := range ss {
			if _, err := tx.openWorkshop(s); err != nil {
				return err
			}
			hideAddress(s.w, tx.actor)
			out = append(out, s.w)
		}
		return nil
	})
	return out, n, err
}

// WorkshopAttendance counts a workshop's registrations and check-ins.
func (db *DB) WorkshopAttendance(ctx context.Context, id string) (*amparo.Attendance, error) {
	var at *amparo.Attendance
	err := db.inReadTx(ctx, func(tx *Tx) error {
		s, err := tx.organizerOnly(tx.readWorkshop(ctx, id))
		if err != nil {
			return err
		}
		at, err = tx.attendance(ctx, s.w)
		return err
	})
	return at, err
}

func (tx *Tx) attendance(ctx context.Context, w *amparo.Workshop) (*amparo.Attendance, error) {
	at := &amparo.Attendance{WorkshopID: w.ID, Capacity: w.Capacity}
	rows, err := tx.query(ctx, `SELECT status, checked_in_at IS NOT NULL, COUNT(*), COALESCE(SUM(party_size), 0)
		FROM workshop_registrations WHERE workshop_id = ? GROUP BY status, checked_in_at IS NOT NULL`, w.ID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var status amparo.RegistrationStatus
		var came bool
		var n, people int
		if err := rows.Scan(&status, &came, &n, &people); err != nil {
			return nil, mapError(err)
		}
		switch {
		case came:
			at.Came, at.CamePeople = at.Came+n, at.CamePeople+people
			at.Registered, at.RegisteredPeople = at.Registered+n, at.RegisteredPeople+people
		case status == amparo.RegistrationConfirmed || status == amparo.RegistrationOffered:
			at.Registered, at.RegisteredPeople = at.Registered+n, at.RegisteredPeople+people
		case status == amparo.RegistrationWaitlisted:
			at.Waitlisted += n
		default:
			at.Cancelled += n
		}
	}
	if err := rows.Err(); err != nil {
		return nil, mapError(err)
	}
	if err := tx.queryRow(ctx, "SELECT COALESCE(SUM(party_size), 0) FROM workshop_scans WHERE workshop_id = ? AND outcome = ?",
		w.ID, string(amparo.CheckInWalkIn)).Scan(&at.WalkIns); err != nil {
		return nil, mapError(err)
	}
	// Confirmed their coming: a YES to the day-before reminder, of those
	// still holding a place or who came.
	if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM workshop_registrations WHERE workshop_id = ? AND reply = 'yes'
		AND (status IN (?, ?) OR checked_in_at IS NOT NULL)`, w.ID, string(amparo.RegistrationConfirmed), string(amparo.RegistrationOffered)).
		Scan(&at.Confirmed); err != nil {
		return nil, mapError(err)
	}
	if at.Registered > 0 {
		at.ShowRate = float64(at.Came) / float64(at.Registered)
	}
	if at.HandedOut, err = tx.handedOut(ctx, w); err != nil {
		return nil, err
	}
	return at, nil
}

// handedOut is the count of each material the workshop lists, then of any
// recorded for a material it no longer lists.
func (tx *Tx) handedOut(ctx context.Context, w *amparo.Workshop) ([]amparo.HandedOut, error) {
	var out []amparo.HandedOut
	for _, m := range w.Materials {
		out = append(out, amparo.HandedOut{Material: m})
	}
	rows, err := tx.query(ctx, "SELECT material, handed FROM workshop_handed_out WHERE workshop_id = ? ORDER BY material", w.ID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var h amparo.HandedOut
		if err := rows.Scan(&h.Material, &h.Count); err != nil {
			return nil, mapError(err)
		}
		if i := slices.IndexFunc(out, func(o amparo.HandedOut) bool { return o.Material == h.Material }); i >= 0 {
			out[i].Count = h.Count
		} else {
			out = append(out, h)
		}
	}
	return out, mapError(rows.Err())
}

// RecordHandedOut sets the counts of materials handed out at a workshop.
func (db *DB) RecordHandedOut(ctx context.Context, id string, counts map[string]int) (*amparo.Attendance, error) {
	var at *amparo.Attendance
	err := db.inTx(ctx, func(tx *Tx) error {
		s, err := tx.organizedWorkshop(ctx, id)
		if err != nil {
			return err
		}
		if err := s.w.ValidateHandedOut(counts); err != nil {
			return err
		}
		for _, m := range slices.Sorted(maps.Keys(counts)) {
			if _, err := tx.exec(ctx, `INSERT INTO workshop_handed_out (workshop_id, material, handed, updated_at) VALUES (?, ?, ?, ?)
				ON CONFLICT (workshop_id, material) DO UPDATE SET handed = excluded.handed, updated_at = excluded.updated_at`,
				id, m, counts[m], formatTime(tx.now)); err != nil {
				return err
			}
		}
		if at, err = tx.attendance(ctx, s.w); err != nil {
			return err
		}
		return tx.audit(ctx, amparo.AuditWorkshopHandedOut, id)
	})
	return at, err
}

// ticketKey is the workshop's ticket signing key.
func (tx *Tx) ticketKey(s *storedWorkshop) (ed25519.PrivateKey, error) {
	seed, err := tx.openWorkshop(s)
	if err != nil {
		return nil, err
	}
	if len(seed) != ed25519.SeedSize {
		return nil, errors.New("a workshop's ticket key is damaged")
	}
	return ed25519.NewKeyFromSeed(seed), nil
}

// ForgetWorkshop erases a workshop's attendee details now.
func (db *DB) ForgetWorkshop(ctx context.Context, id string) (*amparo.WorkshopErasure, error) {
	var e *amparo.WorkshopErasure
	err := db.inTx(ctx, func(tx *Tx) error {
		s, err := tx.organizedWorkshop(ctx, id)
		if err != nil {
			return err
		}
		e, err = tx.forgetWorkshop(ctx, s.w.ID)
		return err
	})
	if err == nil {
		db.dialect.afterErase(ctx, db.db)
	}
	return e, err
}

func (tx *Tx) forgetWorkshop(ctx context.Context, id string) (*amparo.WorkshopErasure, error) {
	e := &amparo.WorkshopErasure{WorkshopID: id, At: tx.now, ActorID: tx.actor.ID}
	if err := tx.queryRow(ctx, `SELECT COUNT(*), COALESCE(SUM(has_alias), 0), COALESCE(SUM(has_phone + has_email), 0),
		COALESCE(SUM(CASE WHEN token_mac IS NOT NULL OR code IS NOT NULL THEN 1 ELSE 0 END), 0)
		FROM workshop_registrations WHERE workshop_id = ? AND (wrapped IS NOT NULL OR code IS NOT NULL OR token_mac IS NOT NULL)`, id).
		Scan(&e.Registrations, &e.Aliases, &e.Contacts, &e.Tickets); err != nil {
		return nil, mapError(err)
	}
	if _, err := tx.exec(ctx, `UPDATE workshop_registrations SET code = NULL, token_mac = NULL, phone_hash = NULL, wrapped = NULL, sealed = NULL,
		has_alias = 0, has_phone = 0, has_email = 0, updated_at = ? WHERE workshop_id = ?`, formatTime(tx.now), id); err != nil {
		return nil, err
	}
	if _, err := tx.exec(ctx, "UPDATE workshop_scans SET code = NULL WHERE workshop_id = ?", id); err != nil {
		return nil, err
	}
	// The reminders in the outbox hold the phone numbers, addresses and
	// ticket links too: their recipients, subjects and bodies go now,
	// sent or not (a queued one is then never sent).
	if _, err := tx.exec(ctx, `UPDATE messages SET wrapped_key = NULL, sealed = NULL, updated_at = ? WHERE sealed IS NOT NULL AND event_key IN
		(SELECT 'workshop-reminder:' || m.registration_id || ':' || m.kind FROM workshop_reminders m
		JOIN workshop_registrations r ON r.id = m.registration_id WHERE r.workshop_id = ?)`, formatTime(tx.now), id); err != nil {
		return nil, err
	}
	if _, err := tx.exec(ctx, "UPDATE workshops SET erased_at = ? WHERE id = ?", formatTime(tx.now), id); err != nil {
		return nil, err
	}
	if _, err := tx.exec(ctx, `INSERT INTO workshop_erasures (id, workshop_id, at, actor_id, registrations, aliases, contacts, tickets)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, amparo.NewID(), id, formatTime(e.At), e.ActorID, e.Registrations, e.Aliases, e.Contacts, e.Tickets); err != nil {
		return nil, err
	}
	return e, tx.audit(ctx, amparo.AuditWorkshopForget, id)
}

// ForgetDueWorkshops erases the attendee details of every workshop whose
// retention ended by now, each in its own transaction; one that another
// process erased meanwhile is left as it is, so that each workshop's due
// erasure is recorded once.
func (db *DB) ForgetDueWorkshops(ctx context.Context, now time.Time) ([]*amparo.WorkshopErasure, error) {
	if a, _ := amparo.ActorFromContext(ctx); a.Role != amparo.RoleSystem {
		return nil, amparo.Errorf(amparo.EFORBIDDEN, "only the system erases workshops on schedule")
	}
	var due []string
	err := db.inReadTx(ctx, func(tx *Tx) error {
		rows, err := tx.query(ctx, "SELECT id, ends_at, retention_days FROM workshops WHERE erased_at IS NULL AND ends_at <= ?", formatTime(now))
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var w amparo.Workshop
			if err := rows.Scan(&w.ID, scanTime{&w.EndsAt}, &w.RetentionDays); err != nil {
				return mapError(err)
			}
			if !w.RetainUntil().After(now) {
				due = append(due, w.ID)
			}
		}
		return mapError(rows.Err())
	})
	if err != nil {
		return nil, err
	}
	var out []*amparo.WorkshopErasure
	for _, id := range due {
		err := db.inTx(ctx, func(tx *Tx) error {
			// Another process's job may have erased it since the list was
			// read: read it again, locked, and leave it then.
			s, err := tx.lockWorkshop(ctx, id)
			if err != nil {
				return err
			}
			if !s.w.ErasedAt.IsZero() || s.w.RetainUntil().After(now) {
				return nil
			}
			e, err := tx.forgetWorkshop(ctx, id)
			if err == nil {
				out = append(out, e)
			}
			return err
		})
		if err != nil {
			return out, err
		}
	}
	if len(out) > 0 {
		db.dialect.afterErase(ctx, db.db)
	}
	return out, nil
}

// FindWorkshopErasures lists a workshop's erasures, newest first.
func (db *DB) FindWorkshopErasures(ctx context.Context, id string) ([]*amparo.WorkshopErasure, error) {
	var out []*amparo.WorkshopErasure
	err := db.inReadTx(ctx, func(tx *Tx) error {
		_, err := tx.organizerOnly(tx.readWorkshop(ctx, id))
		if err != nil {
			return err
		}
		rows, err := tx.query(ctx, `SELECT workshop_id, at, actor_id, registrations, aliases, contacts, tickets
			FROM workshop_erasures WHERE workshop_id = ? ORDER BY at DESC, id`, id)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			e := &amparo.WorkshopErasure{}
			if err := rows.Scan(&e.WorkshopID, scanTime{&e.At}, &e.ActorID, &e.Registrations, &e.Aliases, &e.Contacts, &e.Tickets); err != nil {
				return mapError(err)
			}
			out = append(out, e)
		}
		return mapError(rows.Err())
	})
	return out, err
}

// verifyTicket reads a scanned ticket's code, or the outcome that refuses it.
func verifyTicket(w *amparo.Workshop, text string) (string, amparo.CheckInOutcome) {
	t, err := ticket.Verify(w.PublicKey, w.ID, text)
	switch {
	case errors.Is(err, ticket.ErrOtherWorkshop):
		return "", amparo.CheckInOtherWorkshop
	case errors.Is(err, ticket.ErrForged):
		return "", amparo.CheckInForged
	case err != nil:
		return "", amparo.CheckInUnknown
	}
	return t.Code, ""
}

// timeHours is n hours.
func timeHours(n int) time.Duration { return time.Duration(n) * time.Hour }

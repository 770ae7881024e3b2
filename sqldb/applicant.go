package sqldb

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"slices"
	"strings"

	"github.com/amparo-project/amparo"
)

var _ amparo.ApplicantService = (*DB)(nil)

// applicantNameField keys the blind index of applicants' names.
const applicantNameField = "applicant.name"

// CreateApplicants stores a batch of intakes of the actor's organization in
// one transaction; people already stored (by key) are skipped.
func (db *DB) CreateApplicants(ctx context.Context, as []*amparo.Applicant) (int, error) {
	a, _ := amparo.ActorFromContext(ctx)
	for _, ap := range as {
		if ap.OrganizationID == "" {
			ap.OrganizationID = a.OrganizationID
		}
		if ap.Key == "" {
			return 0, amparo.Invalid("key", "is required")
		}
	}
	created := 0
	err := db.inTx(ctx, func(tx *Tx) error {
		for _, ap := range as {
			if err := tx.checkClientOrg(ap.OrganizationID); err != nil {
				return err
			}
			if id, err := tx.applicantIDByKey(ctx, ap.OrganizationID, ap.Key); err != nil {
				return err
			} else if id != "" {
				continue
			}
			if err := tx.insertApplicant(ctx, ap); err != nil {
				return err
			}
			created++
		}
		return tx.audit(ctx, amparo.AuditApplicantImport, tx.actor.OrganizationID)
	})
	if err != nil {
		return 0, err
	}
	return created, nil
}

// applicantIDByKey returns the ID of the applicant of orgID with key, or "".
func (tx *Tx) applicantIDByKey(ctx context.Context, orgID, key string) (string, error) {
	st, err := tx.prepared(ctx, "SELECT id FROM applicants WHERE organization_id = ? AND row_key = ?")
	if err != nil {
		return "", err
	}
	var id string
	if err := st.QueryRowContext(ctx, orgID, key).Scan(&id); errors.Is(err, sql.ErrNoRows) {
		return "", nil
	} else if err != nil {
		return "", mapError(err)
	}
	return id, nil
}

// insertApplicant stores a new applicant with its own data key, a new
// reference code, and its name in the search and conflict indexes.
func (tx *Tx) insertApplicant(ctx context.Context, ap *amparo.Applicant) error {
	if ap.ID == "" {
		ap.ID = amparo.NewID()
	}
	if ap.Status == "" {
		ap.Status = amparo.ApplicantNew
	}
	ap.Reference = amparo.NewReference()
	ap.CreatedAt, ap.UpdatedAt = tx.now, tx.now
	dk, wrapped, err := tx.db.cipher.NewDataKey(ap.ID)
	if err != nil {
		return err
	}
	plain, err := json.Marshal(&ap.Facts)
	if err != nil {
		return err
	}
	insert, err := tx.prepared(ctx, `INSERT INTO applicants (id, organization_id, status, row_key, reference, wrapped_key, sealed, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`)
	if err != nil {
		return err
	}
	if _, err := insert.ExecContext(ctx, ap.ID, ap.OrganizationID, ap.Status, ap.Key, ap.Reference, wrapped, dk.Seal(plain, []byte(ap.ID)),
		formatTime(tx.now), formatTime(tx.now)); err != nil {
		return mapError(err)
	}
	if err := tx.indexApplicantName(ctx, ap); err != nil {
		return err
	}
	return tx.indexConflictName(ctx, ap.OrganizationID, "applicant", ap.ID, ap.LegalName, ap.BirthDate)
}

func (tx *Tx) indexApplicantName(ctx context.Context, ap *amparo.Applicant) error {
	for _, t := range tx.nameTokens(applicantNameField, ap.LegalName+" "+ap.PreferredName) {
		if _, err := tx.exec(ctx, "INSERT INTO applicant_name_tokens (token, applicant_id) VALUES (?, ?)", t, ap.ID); err != nil {
			return err
		}
	}
	return nil
}

// SubmitApplicant stores one intake, or updates the person it is already
// about, with a history entry of what changed. Two forms sent at once by
// the same person make one record: the second insert meets the first's
// key, and is tried again as an update.
func (db *DB) SubmitApplicant(ctx context.Context, a *amparo.Applicant, reference string) (bool, error) {
	actor, _ := amparo.ActorFromContext(ctx)
	if a.OrganizationID == "" {
		a.OrganizationID = actor.OrganizationID
	}
	if a.Key == "" {
		return false, amparo.Invalid("key", "is required")
	}
	in := *a
	var created bool
	var err error
	for range 2 {
		*a = in
		created, err = db.submitApplicant(ctx, a, reference)
		if amparo.ErrorCode(err) != amparo.ECONFLICT {
			break
		}
	}
	return created, err
}

func (db *DB) submitApplicant(ctx context.Context, a *amparo.Applicant, reference string) (bool, error) {
	created := false
	err := db.inTx(ctx, func(tx *Tx) error {
		if err := tx.checkIntakeOrg(a.OrganizationID); err != nil {
			return err
		}
		var stored *amparo.Applicant
		byReference := false
		if ref := amparo.NormalizeReference(reference); ref != "" {
			found, _, err := tx.findApplicants(ctx, amparo.ApplicantFilter{OrganizationID: a.OrganizationID, Reference: ref, Limit: 1})
			if err != nil {
				return err
			}
			if len(found) == 1 {
				stored, byReference = found[0], true
			}
		}
		if stored == nil {
			id, err := tx.applicantIDByKey(ctx, a.OrganizationID, a.Key)
			if err != nil {
				return err
			}
			if id != "" {
				found, _, err := tx.findApplicants(ctx, amparo.ApplicantFilter{ID: id, Limit: 1})
				if err != nil {
					return err
				}
				stored = found[0]
			}
		}
		if stored == nil {
			created = true
			if err := tx.insertApplicant(ctx, a); err != nil {
				return err
			}
			return tx.audit(ctx, amparo.AuditApplicantCreate, a.ID)
		}
		// The public form matched by name and date of birth alone may be
		// sent by anyone who knows them: it is not trusted as the person.
		claimed := !byReference && tx.actor.ID == amparo.ApplicantActorID
		if err := tx.updateApplicant(ctx, stored, a, claimed); err != nil {
			return err
		}
		if claimed {
			// The record's code and facts are not the sender's to see.
			*a = amparo.Applicant{ID: stored.ID, OrganizationID: stored.OrganizationID, Key: a.Key, Facts: a.Facts}
			return nil
		}
		*a = *stored
		return nil
	})
	return created, err
}

// contactFacts are the contact details a later intake only proposes when
// its sender is not known to be the person: phone, email, address.
func contactFacts(f amparo.Facts) amparo.Facts {
	return amparo.Facts{Personal: amparo.Personal{Phone: f.Phone, Address: f.Address}, Email: f.Email}
}

// withoutContact returns f without its contact details.
func withoutContact(f amparo.Facts) amparo.Facts {
	f.Phone, f.Email, f.Address = "", "", amparo.Address{}
	return f
}

// checkIntakeOrg refuses an intake to an organization the actor may not
// send intakes to. A public intake form may: for the rest of the
// transaction it reads its organization's applicants, to find the one
// person the intake may be about, and nothing else.
func (tx *Tx) checkIntakeOrg(orgID string) error {
	if tx.actor.Role != amparo.RolePublicIntake {
		return tx.checkClientOrg(orgID)
	}
	if !tx.actor.SubmitsIntakeTo(orgID) {
		return amparo.Errorf(amparo.EFORBIDDEN, "this form sends intakes to another organization")
	}
	tx.submitting = true
	return nil
}

// applicantScope is clientScope for applicants, and for a public intake
// form while it submits (checkIntakeOrg), its own organization's.
func (tx *Tx) applicantScope() (string, []any, error) {
	if tx.submitting && tx.actor.Role == amparo.RolePublicIntake {
		return "c.organization_id = ?", []any{tx.actor.OrganizationID}, nil
	}
	return clientScope(tx.actor)
}

// updateApplicant merges a later intake into stored, and records what
// changed. Nothing changed, nothing is written: a form sent twice. A
// claimed intake (not known to be the person's) only proposes its contact
// details: they are recorded in the history, not applied.
func (tx *Tx) updateApplicant(ctx context.Context, stored, later *amparo.Applicant, claimed bool) error {
	facts := later.Facts
	var proposed []amparo.ApplicantChange
	if claimed {
		_, proposed = stored.Facts.Merge(contactFacts(facts))
		for i := range proposed {
			proposed[i].Proposed = true
		}
		facts = withoutContact(facts)
	}
	merged, changes := stored.Facts.Merge(facts)
	if len(changes) == 0 && len(proposed) == 0 {
		return nil
	}
	dk, err := tx.applicantKey(ctx, stored.ID)
	if err != nil {
		return err
	}
	if proposed, err = tx.newProposals(ctx, dk, stored.ID, proposed); err != nil {
		return err
	}
	if changes = append(changes, proposed...); len(changes) == 0 {
		return nil
	}
	key := stored.Key
	if later.Key != stored.Key {
		// Found by reference with a corrected name or date of birth: the
		// key follows, unless another record already holds it.
		holder, err := tx.applicantIDByKey(ctx, stored.OrganizationID, later.Key)
		if err != nil {
			return err
		} else if holder == "" {
			key = later.Key
		}
	}
	plain, err := json.Marshal(&merged)
	if err != nil {
		return err
	}
	set, args := "sealed = ?, row_key = ?, updated_at = ?", []any{dk.Seal(plain, []byte(stored.ID)), key, formatTime(tx.now)}
	if tx.actor.ID == amparo.ApplicantActorID {
		// Staff are shown the record as updated by the person until they
		// open its history.
		set, args = set+", applicant_updated_at = ?", append(args, formatTime(tx.now))
		stored.ApplicantUpdatedAt = tx.now
	}
	if _, err := tx.exec(ctx, "UPDATE applicants SET "+set+" WHERE id = ?", append(args, stored.ID)...); err != nil {
		return err
	}
	sealedChanges, err := json.Marshal(changes)
	if err != nil {
		return err
	}
	if _, err := tx.exec(ctx, `INSERT INTO applicant_events (applicant_id, status, member_id, sealed_reason, sealed_changes, actor_id, at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, stored.ID, stored.Status, nullable(stored.MemberID), dk.Seal(nil, []byte("reason "+stored.ID)),
		dk.Seal(sealedChanges, []byte("changes "+stored.ID)), tx.actor.ID, formatTime(tx.now)); err != nil {
		return err
	}
	if merged.LegalName != stored.LegalName || merged.PreferredName != stored.PreferredName || !merged.BirthDate.Equal(stored.BirthDate.Time) {
		if _, err := tx.exec(ctx, "DELETE FROM applicant_name_tokens WHERE applicant_id = ?", stored.ID); err != nil {
			return err
		}
		stored.Facts = merged
		if err := tx.indexApplicantName(ctx, stored); err != nil {
			return err
		}
		if err := tx.unindexConflictName(ctx, "applicant", stored.ID); err != nil {
			return err
		}
		if err := tx.indexConflictName(ctx, stored.OrganizationID, "applicant", stored.ID, merged.LegalName, merged.BirthDate); err != nil {
			return err
		}
	}
	stored.Facts, stored.Key, stored.UpdatedAt = merged, key, tx.now
	return tx.audit(ctx, amparo.AuditApplicantUpdate, stored.ID)
}

// newProposals drops the proposed contact details the applicant's latest
// history entry already proposes: the same form sent again adds nothing.
func (tx *Tx) newProposals(ctx context.Context, dk dataKey, id string, proposed []amparo.ApplicantChange) ([]amparo.ApplicantChange, error) {
	if len(proposed) == 0 {
		return nil, nil
	}
	var sealed []byte
	err := tx.queryRow(ctx, `SELECT sealed_changes FROM applicant_events WHERE applicant_id = ? AND sealed_changes IS NOT NULL
		ORDER BY seq DESC LIMIT 1`, id).Scan(&sealed)
	if errors.Is(err, sql.ErrNoRows) {
		return proposed, nil
	} else if err != nil {
		return nil, mapError(err)
	}
	plain, err := dk.Open(sealed, []byte("changes "+id))
	if err != nil {
		return nil, decryptError(err)
	}
	var last []amparo.ApplicantChange
	if err := json.Unmarshal(plain, &last); err != nil {
		return nil, err
	}
	var out []amparo.ApplicantChange
	for _, p := range proposed {
		if !slices.ContainsFunc(last, func(c amparo.ApplicantChange) bool { return c.Proposed && c.Field == p.Field && c.New == p.New }) {
			out = append(out, p)
		}
	}
	return out, nil
}

// FindApplicants lists the actor's organization's applicants, in f.Sort's
// order.
func (db *DB) FindApplicants(ctx context.Context, f amparo.ApplicantFilter) ([]*amparo.Applicant, int, error) {
	var out []*amparo.Applicant
	var n int
	err := db.inTx(ctx, func(tx *Tx) error {
		var err error
		if out, n, err = tx.findApplicants(ctx, f); err != nil {
			return err
		}
		return tx.audit(ctx, amparo.AuditApplicantList, tx.actor.OrganizationID)
	})
	return out, n, err
}

func (tx *Tx) findApplicants(ctx context.Context, f amparo.ApplicantFilter) ([]*amparo.Applicant, int, error) {
	scope, args, err := tx.applicantScope()
	if err != nil {
		return nil, 0, err
	}
	from, where := "applicants c", "WHERE "+scope
	if f.Status != "" {
		where, args = where+" AND c.status = ?", append(args, f.Status)
	}
	if f.OrganizationID != "" {
		where, args = where+" AND c.organization_id = ?", append(args, f.OrganizationID)
	}
	if f.ID != "" {
		where, args = where+" AND c.id = ?", append(args, f.ID)
	}
	if f.Reference != "" {
		ref := amparo.NormalizeReference(f.Reference)
		if ref == "" {
			return nil, 0, nil
		}
		where, args = where+" AND c.reference = ?", append(args, ref)
	}
	if f.Search != "" {
		// A reference code someone has, else a name.
		g := f
		g.Search = ""
		if g.Reference = amparo.NormalizeReference(f.Search); g.Reference != "" {
			if out, n, err := tx.findApplicants(ctx, g); err != nil || n > 0 {
				return out, n, err
			}
		}
		g.Reference, g.Name = f.Reference, f.Search
		return tx.findApplicants(ctx, g)
	}
	if f.Name != "" {
		var ok bool
		if from, where, args, ok = tx.byName(applicantNameField, f.Name, "applicant_name_tokens", "applicant_id", "applicants", where, args); !ok {
			return nil, 0, nil
		}
	}
	order, err := applicantOrder(f.Sort)
	if err != nil {
		return nil, 0, err
	}
	var n int
	if err := tx.queryRow(ctx, "SELECT COUNT(*) FROM "+from+" "+where, args...).Scan(&n); err != nil {
		return nil, 0, mapError(err)
	}
	// The page's IDs are chosen from an index (00020_applicant_list.sql),
	// then only its rows are read whole, by ID: a deep page skips index
	// entries, not sealed rows, and neither database is left to plan a
	// join of the two.
	offset, limit, reverse := window(f.Offset, f.Limit, n)
	if reverse { // from the nearer end
		if order, err = applicantOrder(flipSort(cmp.Or(f.Sort, "received"))); err != nil {
			return nil, 0, err
		}
	}
	rows, err := tx.query(ctx, page("SELECT c.id FROM "+from+" "+where+" ORDER BY "+order, offset, limit), args...)
	if err != nil {
		return nil, 0, err
	}
	var ids []any
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, 0, mapError(err)
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, 0, mapError(err)
	}
	if len(ids) == 0 {
		return nil, n, nil
	}
	if reverse {
		slices.Reverse(ids)
	}
	out, err := tx.queryApplicants(ctx, "SELECT "+applicantColumns+" FROM applicants c WHERE c.id IN (?"+strings.Repeat(", ?", len(ids)-1)+")", ids...)
	if err != nil {
		return nil, 0, err
	}
	at := make(map[string]int, len(ids))
	for i, id := range ids {
		at[id.(string)] = i
	}
	slices.SortFunc(out, func(a, b *amparo.Applicant) int { return at[a.ID] - at[b.ID] })
	return out, n, nil
}

// applicantStatusRank is an applicant's status as its place in
// amparo.ApplicantStatuses; the index applicants_status_rank holds the
// same expression.
const applicantStatusRank = "(CASE c.status WHEN 'new' THEN 0 WHEN 'screening' THEN 1 WHEN 'eligible' THEN 2 WHEN 'waitlisted' THEN 3 " +
	"WHEN 'matched' THEN 4 WHEN 'served' THEN 5 WHEN 'declined' THEN 6 WHEN 'closed' THEN 7 ELSE 8 END)"

// applicantSorts maps each of amparo.ApplicantSorts to its columns, the
// ID last.
var applicantSorts = map[string][]string{
	"received": {"c.created_at", "c.id"},
	"status":   {applicantStatusRank, "c.created_at", "c.id"},
	"updated":  {"c.updated_at", "c.id"},
}

// applicantOrder is the ORDER BY of a sort of amparo.ApplicantSorts ("-"
// first for descending); "" is the oldest received first.
func applicantOrder(sort string) (string, error) {
	key, desc := strings.CutPrefix(sort, "-")
	if key == "" && !desc {
		key = "received"
	}
	cols, ok := applicantSorts[key]
	if !ok {
		return "", amparo.Invalid("sort", "applicants cannot be sorted by %q", sort).Localize("list.bad_sort")
	}
	if !desc {
		return strings.Join(cols, ", "), nil
	}
	return strings.Join(cols, " DESC, ") + " DESC", nil
}

// applicantColumns are what queryApplicants reads of an applicant c.
const applicantColumns = `c.id, c.organization_id, c.status, COALESCE(c.member_id, ''), c.row_key, COALESCE(c.reference, ''),
	c.wrapped_key, c.sealed, c.created_at, c.updated_at, c.applicant_updated_at, c.staff_seen_at`

// queryApplicants reads whole applicants, their facts decrypted, from a
// query of applicantColumns.
func (tx *Tx) queryApplicants(ctx context.Context, q string, args ...any) ([]*amparo.Applicant, error) {
	rows, err := tx.query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*amparo.Applicant
	for rows.Next() {
		var ap amparo.Applicant
		var wrapped, sealed []byte
		if err := rows.Scan(&ap.ID, &ap.OrganizationID, &ap.Status, &ap.MemberID, &ap.Key, &ap.Reference, &wrapped, &sealed,
			scanTime{&ap.CreatedAt}, scanTime{&ap.UpdatedAt}, scanTime{&ap.ApplicantUpdatedAt}, scanTime{&ap.SeenAt}); err != nil {
			return nil, mapError(err)
		}
		if err := tx.unsealJSON(ap.ID, wrapped, sealed, &ap.Facts); err != nil {
			return nil, err
		}
		out = append(out, &ap)
	}
	return out, mapError(rows.Err())
}

// FindApplicantByID returns one applicant of the actor's organization.
func (db *DB) FindApplicantByID(ctx context.Context, id string) (*amparo.Applicant, error) {
	if id == "" { // an empty filter matches everyone: no ID is no record
		return nil, amparo.Errorf(amparo.ENOTFOUND, "applicant not found")
	}
	as, _, err := db.FindApplicants(ctx, amparo.ApplicantFilter{ID: id, Limit: 1})
	if err != nil {
		return nil, err
	} else if len(as) == 0 {
		return nil, amparo.Errorf(amparo.ENOTFOUND, "applicant not found")
	}
	return as[0], nil
}

// applicantKey opens an applicant of the actor's organization's data key.
func (tx *Tx) applicantKey(ctx context.Context, id string) (dataKey, error) {
	scope, args, err := tx.applicantScope()
	if err != nil {
		return nil, err
	}
	var wrapped []byte
	err = tx.queryRow(ctx, "SELECT c.wrapped_key FROM applicants c WHERE c.id = ? AND "+scope+tx.db.dialect.forUpdate(), append([]any{id}, args...)...).Scan(&wrapped)
	if amparo.ErrorCode(mapError(err)) == amparo.ENOTFOUND {
		return nil, amparo.Errorf(amparo.ENOTFOUND, "applicant not found")
	} else if err != nil {
		return nil, err
	}
	dk, err := tx.db.cipher.OpenDataKey(id, wrapped)
	if err != nil {
		return nil, decryptError(err)
	}
	return dk, nil
}

// SetApplicantStatus records a decision on an applicant of the actor's
// organization. Matches are accepted or declined by members and their
// admins; a reason is required when one is declined.
func (db *DB) SetApplicantStatus(ctx context.Context, id string, status amparo.ApplicantStatus, memberID, reason string) error {
	return db.inTx(ctx, func(tx *Tx) error {
		if !slices.Contains(amparo.ApplicantStatuses, status) {
			return amparo.Invalid("status", "is not a status")
		}
		if memberID != "" {
			if err := tx.signs(); err != nil {
				return err
			}
			if status != amparo.ApplicantMatched && strings.TrimSpace(reason) == "" {
				return amparo.Invalid("reason", "say why the match is declined")
			}
			if _, err := tx.checkMatchMember(ctx, id, memberID); err != nil {
				return err
			}
		}
		dk, err := tx.applicantKey(ctx, id)
		if err != nil {
			return err
		}
		var member any
		if status == amparo.ApplicantMatched {
			if memberID == "" {
				return amparo.Invalid("member_id", "a match needs a member")
			}
			member = memberID
		}
		if _, err := tx.exec(ctx, "UPDATE applicants SET status = ?, member_id = ?, updated_at = ? WHERE id = ?",
			status, member, formatTime(tx.now), id); err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `INSERT INTO applicant_events (applicant_id, status, member_id, sealed_reason, actor_id, at)
			VALUES (?, ?, ?, ?, ?, ?)`, id, status, nullable(memberID), dk.Seal([]byte(reason), []byte("reason "+id)), tx.actor.ID, formatTime(tx.now)); err != nil {
			return err
		}
		return tx.audit(ctx, amparo.AuditApplicantStatus, id)
	})
}

// FindApplicantEvents returns an applicant's history, oldest first. Staff
// reading it have seen the person's updates: the record is marked seen.
func (db *DB) FindApplicantEvents(ctx context.Context, id string) ([]*amparo.ApplicantEvent, error) {
	var out []*amparo.ApplicantEvent
	err := db.inTx(ctx, func(tx *Tx) error {
		dk, err := tx.applicantKey(ctx, id)
		if err != nil {
			return err
		}
		if tx.actor.ID != amparo.ApplicantActorID {
			if _, err := tx.exec(ctx, "UPDATE applicants SET staff_seen_at = ? WHERE id = ?", formatTime(tx.now), id); err != nil {
				return err
			}
		}
		rows, err := tx.query(ctx, "SELECT status, COALESCE(member_id, ''), sealed_reason, sealed_changes, actor_id, at FROM applicant_events WHERE applicant_id = ? ORDER BY seq", id)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var e amparo.ApplicantEvent
			var sealed, sealedChanges []byte
			if err := rows.Scan(&e.Status, &e.MemberID, &sealed, &sealedChanges, &e.ActorID, scanTime{&e.At}); err != nil {
				return err
			}
			if sealedChanges != nil {
				plain, err := dk.Open(sealedChanges, []byte("changes "+id))
				if err != nil {
					return decryptError(err)
				}
				if err := json.Unmarshal(plain, &e.Changes); err != nil {
					return err
				}
			}
			reason, err := dk.Open(sealed, []byte("reason "+id))
			if err != nil {
				return decryptError(err)
			}
			e.Reason = string(reason)
			out = append(out, &e)
		}
		return rows.Err()
	})
	return out, err
}

package sqldb

import (
	"context"

	"github.com/amparo-project/amparo"
)

var _ amparo.MemberService = (*DB)(nil)

const memberColumns = `id, organization_id, name, kind, bar_jurisdiction, bar_number, recognized_org,
	accreditation_date, email, languages, case_capacity, public_phone, status, created_at, updated_at, interpreter`

// memberSelect is what scanMember reads: the columns and the linked account.
const memberSelect = memberColumns + ", COALESCE(account_id, ''), COALESCE(ref, 0)"

func scanMember(row interface{ Scan(...any) error }) (*amparo.Member, error) {
	var m amparo.Member
	var accredited string
	err := row.Scan(&m.ID, &m.OrganizationID, &m.Name, &m.Kind, &m.BarJurisdiction, &m.BarNumber,
		&m.RecognizedOrg, &accredited, &m.Email, scanList{&m.Languages}, &m.CaseCapacity, &m.PublicPhone,
		&m.Status, scanTime{&m.CreatedAt}, scanTime{&m.UpdatedAt}, &m.Interpreter, &m.AccountID, &m.Ref)
	if err != nil {
		return nil, mapError(err)
	}
	return &m, m.AccreditationDate.UnmarshalText([]byte(accredited))
}

// FindMemberByID returns one member.
func (db *DB) FindMemberByID(ctx context.Context, id string) (*amparo.Member, error) {
	if id == "" { // an empty filter matches every member: no ID is no record
		return nil, amparo.Errorf(amparo.ENOTFOUND, "member not found")
	}
	ms, _, err := db.FindMembers(ctx, amparo.MemberFilter{ID: id, Limit: 1})
	if err != nil {
		return nil, err
	} else if len(ms) == 0 {
		return nil, amparo.Errorf(amparo.ENOTFOUND, "member not found")
	}
	return ms[0], nil
}

// memberSorts are the orders of a list of members. "name" is by the name
// as written, as before, so letters' member pickers keep their order.
var memberSorts = map[string]string{"name": "name", "status": "status", "created": "created_at"}

// FindMembers lists members by name. What a member shows is printed on
// letters, so every signed-in actor may list them.
func (db *DB) FindMembers(ctx context.Context, f amparo.MemberFilter) ([]*amparo.Member, int, error) {
	order, err := peopleOrder(f.Sort, memberSorts, "name")
	if err != nil {
		return nil, 0, err
	}
	var out []*amparo.Member
	var n int
	err = db.inTx(ctx, func(tx *Tx) error {
		where, args := "WHERE 1 = 1", []any{}
		if f.ID != "" {
			where, args = where+" AND id = ?", append(args, f.ID)
		}
		if f.OrganizationID != "" {
			where, args = where+" AND organization_id = ?", append(args, f.OrganizationID)
		}
		if f.Status != "" {
			where, args = where+" AND status = ?", append(args, f.Status)
		}
		if f.Q != "" {
			where, args = where+` AND lower(name) LIKE ? ESCAPE '\'`, append(args, peopleLike(f.Q))
		}
		if err := tx.queryRow(ctx, "SELECT COUNT(*) FROM members "+where, args...).Scan(&n); err != nil {
			return mapError(err)
		}
		rows, err := tx.query(ctx, page("SELECT "+memberSelect+" FROM members "+where+order, f.Offset, f.Limit), args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			m, err := scanMember(rows)
			if err != nil {
				return err
			}
			out = append(out, m)
		}
		return rows.Err()
	})
	return out, n, err
}

// CreateMember adds an attorney or accredited representative to an
// organization; its admins or the program office.
func (db *DB) CreateMember(ctx context.Context, m *amparo.Member) error {
	if m.Status == "" {
		m.Status = amparo.MemberActive
	}
	if err := m.Validate(); err != nil {
		return err
	}
	return db.inTx(ctx, func(tx *Tx) error {
		if !tx.actor.Administers(m.OrganizationID) {
			return amparo.Errorf(amparo.EFORBIDDEN, "you cannot add members to this organization")
		}
		if m.ID == "" {
			m.ID = amparo.NewID()
		}
		m.CreatedAt, m.UpdatedAt = tx.now, tx.now
		if _, err := tx.exec(ctx, "INSERT INTO members ("+memberColumns+") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
			m.ID, m.OrganizationID, m.Name, m.Kind, m.BarJurisdiction, m.BarNumber, m.RecognizedOrg,
			m.AccreditationDate.String(), m.Email, jsonText(m.Languages), m.CaseCapacity, m.PublicPhone,
			m.Status, formatTime(m.CreatedAt), formatTime(m.UpdatedAt), m.Interpreter); err != nil {
			return conflict(err, "bar_number", "a member with this bar number already exists")
		}
		// The next reference in the organization; the unique index refuses
		// a second member with the same one should two additions race.
		if err := tx.queryRow(ctx, "SELECT COALESCE(MAX(ref), 0) + 1 FROM members WHERE organization_id = ?",
			m.OrganizationID).Scan(&m.Ref); err != nil {
			return mapError(err)
		}
		if _, err := tx.exec(ctx, "UPDATE members SET ref = ? WHERE id = ?", m.Ref, m.ID); err != nil {
			return conflict(err, "ref", "another member was added at the same time: try again")
		}
		if err := tx.signRoster(ctx, m.OrganizationID); err != nil {
			return err
		}
		return tx.audit(ctx, amparo.AuditMemberCreate, m.ID)
	})
}

// UpdateMember changes a member, including suspending one. A member cannot
// move to another organization.
func (db *DB) UpdateMember(ctx context.Context, m *amparo.Member) error {
	if err := m.Validate(); err != nil {
		return err
	}
	return db.inTx(ctx, func(tx *Tx) error {
		if !tx.actor.Administers(m.OrganizationID) {
			return amparo.Errorf(amparo.EFORBIDDEN, "you cannot change members of this organization")
		}
		var was amparo.MemberStatus
		if err := tx.queryRow(ctx, "SELECT status FROM members WHERE id = ? AND organization_id = ?"+tx.db.dialect.forUpdate(),
			m.ID, m.OrganizationID).Scan(&was); err != nil {
			return mapError(err)
		}
		m.UpdatedAt = tx.now
		r, err := tx.exec(ctx, `UPDATE members SET name = ?, kind = ?, bar_jurisdiction = ?, bar_number = ?,
			recognized_org = ?, accreditation_date = ?, email = ?, languages = ?, case_capacity = ?,
			public_phone = ?, status = ?, updated_at = ?, interpreter = ? WHERE id = ? AND organization_id = ?`,
			m.Name, m.Kind, m.BarJurisdiction, m.BarNumber, m.RecognizedOrg, m.AccreditationDate.String(),
			m.Email, jsonText(m.Languages), m.CaseCapacity, m.PublicPhone, m.Status, formatTime(m.UpdatedAt),
			m.Interpreter, m.ID, m.OrganizationID)
		if err != nil {
			return conflict(err, "bar_number", "a member with this bar number already exists")
		}
		if err := mustAffect(r, "member"); err != nil {
			return err
		}
		action := amparo.AuditMemberUpdate
		switch {
		case m.Status == amparo.MemberSuspended && was != amparo.MemberSuspended:
			action = amparo.AuditMemberSuspend
		case m.Status == amparo.MemberActive && was == amparo.MemberSuspended:
			action = amparo.AuditMemberReactivate
		}
		if err := tx.signRoster(ctx, m.OrganizationID); err != nil {
			return err
		}
		return tx.audit(ctx, action, m.ID)
	})
}

// LinkMemberAccount links a member record to the account of the person it
// names, or unlinks it. An organization admin may link a record that is
// not linked yet; once linked, only the program office (or the system)
// unlinks or relinks it, or the person accepts an invitation for the record:
// otherwise an admin could link their own account and sign as the attorney.
func (db *DB) LinkMemberAccount(ctx context.Context, memberID, accountID string) error {
	return db.inTx(ctx, func(tx *Tx) error {
		m, err := scanMember(tx.queryRow(ctx, "SELECT "+memberSelect+" FROM members WHERE id = ?"+tx.db.dialect.forUpdate(), memberID))
		if err != nil {
			return err
		}
		if !tx.actor.Administers(m.OrganizationID) {
			return amparo.Errorf(amparo.EFORBIDDEN, "you cannot change members of this organization")
		}
		if m.AccountID == accountID {
			return nil
		}
		if m.AccountID != "" && tx.actor.Role != amparo.RoleProgramAdmin && tx.actor.Role != amparo.RoleSystem {
			return &amparo.Error{Code: amparo.ECONFLICT, Field: "account_id", Message: "this member record is already linked to " +
				"another account: only the program office can unlink it, or invite the person for this member record and " +
				"accepting the invitation links their new account"}
		}
		return tx.linkMember(ctx, m, accountID)
	})
}

// linkMember links m to accountID ("" unlinks), replacing any account
// linked before: an active account of m's organization with the member
// role (the person who signs), linked to no other member. Each change is
// audited on the member and on the accounts linked and unlinked.
func (tx *Tx) linkMember(ctx context.Context, m *amparo.Member, accountID string) error {
	if accountID != "" {
		a, err := scanAccount(tx.queryRow(ctx, "SELECT "+accountColumns+" FROM accounts WHERE id = ?", accountID))
		if amparo.ErrorCode(err) == amparo.ENOTFOUND {
			return amparo.Invalid("account_id", "no such account")
		} else if err != nil {
			return err
		}
		if a.OrganizationID != m.OrganizationID || !a.Role.LinksToMember() || a.Status != amparo.AccountActive {
			return amparo.Invalid("account_id", "must be an active account with the member role, of the member's organization")
		}
	}
	if _, err := tx.exec(ctx, "UPDATE members SET account_id = ?, updated_at = ? WHERE id = ?",
		nullable(accountID), formatTime(tx.now), m.ID); err != nil {
		return conflict(err, "account_id", "this account is already linked to another member")
	}
	old := m.AccountID
	m.AccountID = accountID
	if old != "" {
		if err := tx.audit(ctx, amparo.AuditMemberUnlink, m.ID); err != nil {
			return err
		}
		if err := tx.audit(ctx, amparo.AuditAccountUnlink, old); err != nil {
			return err
		}
	}
	if accountID == "" {
		return nil
	}
	if err := tx.audit(ctx, amparo.AuditMemberLink, m.ID); err != nil {
		return err
	}
	return tx.audit(ctx, amparo.AuditAccountLink, accountID)
}

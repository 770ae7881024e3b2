package sqldb

import (
	"context"

	"github.com/amparo-project/amparo"
)

var _ amparo.OrganizationService = (*DB)(nil)

const orgColumns = `id, name, kind, contact_name, contact_email, contact_phone, service_area,
	languages, capacity, created_at, updated_at, public_phone`

func scanOrganization(row interface{ Scan(...any) error }) (*amparo.Organization, error) {
	var o amparo.Organization
	err := row.Scan(&o.ID, &o.Name, &o.Kind, &o.ContactName, &o.ContactEmail, &o.ContactPhone,
		scanList{&o.ServiceArea}, scanList{&o.Languages}, &o.Capacity, scanTime{&o.CreatedAt}, scanTime{&o.UpdatedAt}, &o.PublicPhone)
	return &o, mapError(err)
}

// FindOrganizationByID returns one organization.
func (db *DB) FindOrganizationByID(ctx context.Context, id string) (*amparo.Organization, error) {
	if id == "" { // an empty filter matches every organization: no ID is no record
		return nil, amparo.Errorf(amparo.ENOTFOUND, "organization not found")
	}
	os, _, err := db.FindOrganizations(ctx, amparo.OrganizationFilter{ID: id, Limit: 1})
	if err != nil {
		return nil, err
	} else if len(os) == 0 {
		return nil, amparo.Errorf(amparo.ENOTFOUND, "organization not found")
	}
	return os[0], nil
}

// orgSorts are the orders of a list of organizations.
var orgSorts = map[string]string{"name": "name", "capacity": "capacity", "created": "created_at"}

// FindOrganizations lists organizations by name. Organizations are public
// partners of the program: every signed-in actor may list them.
func (db *DB) FindOrganizations(ctx context.Context, f amparo.OrganizationFilter) ([]*amparo.Organization, int, error) {
	order, err := peopleOrder(f.Sort, orgSorts, "name")
	if err != nil {
		return nil, 0, err
	}
	var out []*amparo.Organization
	var n int
	err = db.inTx(ctx, func(tx *Tx) error {
		where, args := "WHERE 1 = 1", []any{}
		if f.ID != "" {
			where, args = where+" AND id = ?", append(args, f.ID)
		}
		if f.Q != "" {
			where, args = where+` AND lower(name) LIKE ? ESCAPE '\'`, append(args, peopleLike(f.Q))
		}
		if err := tx.queryRow(ctx, "SELECT COUNT(*) FROM organizations "+where, args...).Scan(&n); err != nil {
			return mapError(err)
		}
		rows, err := tx.query(ctx, page("SELECT "+orgColumns+" FROM organizations "+where+order, f.Offset, f.Limit), args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			o, err := scanOrganization(rows)
			if err != nil {
				return err
			}
			out = append(out, o)
		}
		return rows.Err()
	})
	return out, n, err
}

// CreateOrganization onboards a partner; program admins only.
func (db *DB) CreateOrganization(ctx context.Context, o *amparo.Organization) error {
	return db.inTx(ctx, func(tx *Tx) error {
		if !tx.actor.RunsProgram() {
			return amparo.Errorf(amparo.EFORBIDDEN, "only the program office onboards organizations")
		}
		if err := o.Validate(); err != nil {
			return err
		}
		if o.ID == "" {
			o.ID = amparo.NewID()
		}
		o.CreatedAt, o.UpdatedAt = tx.now, tx.now
		if _, err := tx.exec(ctx, "INSERT INTO organizations ("+orgColumns+") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
			o.ID, o.Name, o.Kind, o.ContactName, o.ContactEmail, o.ContactPhone, jsonText(o.ServiceArea),
			jsonText(o.Languages), o.Capacity, formatTime(o.CreatedAt), formatTime(o.UpdatedAt), o.PublicPhone); err != nil {
			return conflict(err, "name", "an organization with this name already exists")
		}
		return tx.audit(ctx, amparo.AuditOrganizationCreate, o.ID)
	})
}

// UpdateOrganization changes an organization; its own admins or the
// program office.
func (db *DB) UpdateOrganization(ctx context.Context, o *amparo.Organization) error {
	if err := o.Validate(); err != nil {
		return err
	}
	return db.inTx(ctx, func(tx *Tx) error {
		if !tx.actor.Administers(o.ID) {
			return amparo.Errorf(amparo.EFORBIDDEN, "you cannot change this organization")
		}
		o.UpdatedAt = tx.now
		r, err := tx.exec(ctx, `UPDATE organizations SET name = ?, kind = ?, contact_name = ?, contact_email = ?,
			contact_phone = ?, service_area = ?, languages = ?, capacity = ?, updated_at = ?, public_phone = ? WHERE id = ?`,
			o.Name, o.Kind, o.ContactName, o.ContactEmail, o.ContactPhone, jsonText(o.ServiceArea),
			jsonText(o.Languages), o.Capacity, formatTime(o.UpdatedAt), o.PublicPhone, o.ID)
		if err != nil {
			return conflict(err, "name", "an organization with this name already exists")
		}
		if err := mustAffect(r, "organization"); err != nil {
			return err
		}
		if err := tx.signRoster(ctx, o.ID); err != nil { // it carries the public number
			return err
		}
		return tx.audit(ctx, amparo.AuditOrganizationUpdate, o.ID)
	})
}

// conflict names the field of a uniqueness conflict.
func conflict(err error, field, msg string) error {
	if amparo.ErrorCode(err) == amparo.ECONFLICT {
		return &amparo.Error{Code: amparo.ECONFLICT, Field: field, Message: msg}
	}
	return err
}

func mustAffect(r interface{ RowsAffected() (int64, error) }, what string) error {
	n, err := r.RowsAffected()
	if err != nil {
		return err
	} else if n == 0 {
		return amparo.Errorf(amparo.ENOTFOUND, "%s not found", what)
	}
	return nil
}

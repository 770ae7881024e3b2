package sqldb

import (
	"context"

	"github.com/amparo-project/amparo"
)

// UpdateVendor replaces a vendor's names, identifiers and address, sealed
// under a new data key; its screenings and affidavits are rows of their
// own and stay as they were.
func (db *DB) UpdateVendor(ctx context.Context, v *amparo.Vendor) error {
	return db.inTx(ctx, func(tx *Tx) error {
		old, err := tx.findVendor(ctx, v.ID)
		if err != nil {
			return err
		}
		if err := v.Validate(); err != nil {
			return err
		}
		v.OrganizationID, v.CreatedAt = old.OrganizationID, old.CreatedAt
		wrapped, sealed, err := tx.sealJSON(v.ID, sealedVendor{v.Name, v.Aliases, v.Identifiers, v.Address})
		if err != nil {
			return err
		}
		if _, err := tx.exec(ctx, "UPDATE vendors SET wrapped_key = ?, sealed = ? WHERE id = ?", wrapped, sealed, v.ID); err != nil {
			return err
		}
		return tx.audit(ctx, amparo.AuditVendorUpdate, v.ID)
	})
}

// VendorDeclarations returns the organization's vendors with an
// affidavit, each with its newest: one query, and only those vendors are
// unsealed, however many the organization keeps.
func (db *DB) VendorDeclarations(ctx context.Context, orgID string) ([]*amparo.VendorDeclaration, error) {
	var out []*amparo.VendorDeclaration
	err := db.inReadTx(ctx, func(tx *Tx) error {
		if !tx.actor.ScreensVendorsOf(orgID) {
			return forbiddenVendors()
		}
		rows, err := tx.query(ctx, `SELECT v.id, v.organization_id, v.wrapped_key, v.sealed, v.created_at, a.id, a.border_wall, a.signed_at
			FROM vendor_affidavits a JOIN vendors v ON v.id = a.vendor_id
			WHERE v.organization_id = ? ORDER BY v.id, a.signed_at DESC, a.id`, orgID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var d amparo.VendorDeclaration
			var v amparo.Vendor
			var wrapped, sealed []byte
			var wall int
			if err := rows.Scan(&v.ID, &v.OrganizationID, &wrapped, &sealed, scanTime{&v.CreatedAt}, &d.AffidavitID, &wall, scanTime{&d.SignedAt}); err != nil {
				return mapError(err)
			}
			if len(out) > 0 && out[len(out)-1].Vendor.ID == v.ID {
				continue // an older affidavit of the same vendor
			}
			var s sealedVendor
			if err := tx.unsealJSON(v.ID, wrapped, sealed, &s); err != nil {
				return err
			}
			v.Name, v.Aliases, v.Identifiers, v.Address = s.Name, s.Aliases, s.Identifiers, s.Address
			d.Vendor, d.BorderWallWork = &v, wall != 0
			out = append(out, &d)
		}
		return mapError(rows.Err())
	})
	return out, err
}

// FindSolicitations lists the organization's solicitations, newest first,
// with their links (when kept: those made before links were kept have
// none) and how many affidavits came in through each.
func (db *DB) FindSolicitations(ctx context.Context, orgID string) ([]*amparo.Solicitation, error) {
	var out []*amparo.Solicitation
	err := db.inReadTx(ctx, func(tx *Tx) error {
		if !tx.actor.ScreensVendorsOf(orgID) {
			return forbiddenVendors()
		}
		rows, err := tx.query(ctx, `SELECT s.id, s.organization_id, s.title, s.created_at, s.token_wrapped_key, s.token_sealed,
			(SELECT COUNT(*) FROM vendor_affidavits a WHERE a.solicitation_id = s.id)
			FROM solicitations s WHERE s.organization_id = ? ORDER BY s.created_at DESC, s.id`, orgID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var s amparo.Solicitation
			var wrapped, sealed []byte
			if err := rows.Scan(&s.ID, &s.OrganizationID, &s.Title, scanTime{&s.CreatedAt}, &wrapped, &sealed, &s.Affidavits); err != nil {
				return mapError(err)
			}
			if len(sealed) > 0 {
				if err := tx.unsealJSON(s.ID, wrapped, sealed, &s.Token); err != nil {
					return err
				}
			}
			out = append(out, &s)
		}
		return mapError(rows.Err())
	})
	return out, err
}

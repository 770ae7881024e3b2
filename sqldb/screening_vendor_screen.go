package sqldb

import (
	"context"
	"slices"
	"strings"

	"github.com/amparo-project/amparo"
)

// CurrentRegistryVersion returns the registry version in force, from its
// one row: cheap enough to ask before every screening.
func (db *DB) CurrentRegistryVersion(ctx context.Context) (*amparo.RegistryVersion, error) {
	var v *amparo.RegistryVersion
	err := db.inReadTx(ctx, func(tx *Tx) (err error) {
		v, err = tx.registryVersion(ctx, 0)
		return err
	})
	return v, err
}

// RecordScreenings stores screenings, all or none, each audited.
func (db *DB) RecordScreenings(ctx context.Context, ss []*amparo.Screening) error {
	return db.inTx(ctx, func(tx *Tx) error { return tx.recordScreenings(ctx, ss) })
}

func (tx *Tx) recordScreenings(ctx context.Context, ss []*amparo.Screening) error {
	orgs := map[string]string{}
	insert, err := tx.prepared(ctx, `INSERT INTO vendor_screenings (id, organization_id, vendor_id, at, day, policy_version, registry_version,
		registry_hash, algorithm, result_hash, author, wrapped_key, sealed) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
	if err != nil {
		return err
	}
	for _, s := range ss {
		org, ok := orgs[s.VendorID]
		if !ok {
			if err := tx.queryRow(ctx, "SELECT organization_id FROM vendors WHERE id = ?", s.VendorID).Scan(&org); err != nil {
				return mapError(err)
			}
			orgs[s.VendorID] = org
		}
		if !tx.actor.ScreensVendorsOf(org) {
			return forbiddenVendors()
		}
		s.ID, s.OrganizationID, s.Author, s.At = amparo.NewID(), org, tx.actor.ID, tx.now
		dk, wrapped, err := tx.db.cipher.NewDataKey(s.ID)
		if err != nil {
			return err
		}
		if _, err := insert.ExecContext(ctx, s.ID, org, s.VendorID, formatTime(s.At), s.Day.String(), s.PolicyVersion, s.RegistryVersion,
			s.RegistryHash, s.Algorithm, s.ResultHash, s.Author, wrapped, dk.Seal(s.Results, []byte(s.ID))); err != nil {
			return mapError(err)
		}
		if err := tx.audit(ctx, amparo.AuditVendorScreen, s.VendorID); err != nil {
			return err
		}
	}
	return nil
}

const screeningColumns = `id, organization_id, vendor_id, at, day, policy_version, registry_version, registry_hash, algorithm,
	result_hash, author, wrapped_key, sealed`

func (tx *Tx) scanScreening(row interface{ Scan(...any) error }) (*amparo.Screening, error) {
	var s amparo.Screening
	var day string
	var wrapped, sealed []byte
	if err := row.Scan(&s.ID, &s.OrganizationID, &s.VendorID, scanTime{&s.At}, &day, &s.PolicyVersion, &s.RegistryVersion, &s.RegistryHash,
		&s.Algorithm, &s.ResultHash, &s.Author, &wrapped, &sealed); err != nil {
		return nil, mapError(err)
	}
	if !tx.actor.ScreensVendorsOf(s.OrganizationID) {
		return nil, amparo.Errorf(amparo.ENOTFOUND, "no such screening").Localize("screen.vendor.err.not_found")
	}
	var err error
	if s.Day, err = amparo.ParseDate(day); err != nil {
		return nil, err
	}
	plain, err := tx.unseal(s.ID, wrapped, sealed, []byte(s.ID))
	if err != nil {
		return nil, err
	}
	s.Results = plain
	return &s, nil
}

// FindScreeningByID returns one screening.
func (db *DB) FindScreeningByID(ctx context.Context, id string) (*amparo.Screening, error) {
	var s *amparo.Screening
	err := db.inReadTx(ctx, func(tx *Tx) (err error) {
		s, err = tx.scanScreening(tx.queryRow(ctx, "SELECT "+screeningColumns+" FROM vendor_screenings WHERE id = ?", id))
		return err
	})
	return s, err
}

// LatestScreening returns a vendor's newest screening.
func (db *DB) LatestScreening(ctx context.Context, vendorID string) (*amparo.Screening, error) {
	var s *amparo.Screening
	err := db.inReadTx(ctx, func(tx *Tx) (err error) {
		s, err = tx.scanScreening(tx.queryRow(ctx, "SELECT "+screeningColumns+
			" FROM vendor_screenings WHERE vendor_id = ? ORDER BY at DESC, id DESC LIMIT 1", vendorID))
		return err
	})
	return s, err
}

// The sealed part of a decision: its reason.
type sealedDecision struct{ Reason string }

// DecideHit stores a reviewer's decision on (vendor, entity).
func (db *DB) DecideHit(ctx context.Context, d *amparo.HitDecision) error {
	return db.inTx(ctx, func(tx *Tx) error {
		var org string
		if err := tx.queryRow(ctx, "SELECT organization_id FROM vendors WHERE id = ?", d.VendorID).Scan(&org); err != nil {
			if amparo.ErrorCode(mapError(err)) == amparo.ENOTFOUND {
				return amparo.Errorf(amparo.ENOTFOUND, "no such vendor").Localize("screen.vendor.err.not_found")
			}
			return mapError(err)
		}
		if !tx.actor.ScreensVendorsOf(org) {
			return forbiddenVendors()
		}
		if err := d.Validate(); err != nil {
			return err
		}
		d.Author, d.At = tx.actor.ID, tx.now
		key := d.VendorID + "/" + d.EntityID
		wrapped, sealed, err := tx.sealJSON(key, sealedDecision{d.Reason})
		if err != nil {
			return err
		}
		if _, err := tx.exec(ctx, "DELETE FROM vendor_hit_decisions WHERE vendor_id = ? AND entity_id = ?", d.VendorID, d.EntityID); err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `INSERT INTO vendor_hit_decisions (vendor_id, entity_id, entity_hash, verdict, author, at, wrapped_key, sealed)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, d.VendorID, d.EntityID, d.EntityHash, string(d.Verdict), d.Author, formatTime(d.At), wrapped, sealed); err != nil {
			return err
		}
		return tx.audit(ctx, amparo.AuditVendorDecideHit, d.VendorID)
	})
}

// HitDecisions returns the decisions on the vendors, by vendor ID; the
// vendors of other organizations are left out.
func (db *DB) HitDecisions(ctx context.Context, vendorIDs []string) (map[string][]*amparo.HitDecision, error) {
	out := map[string][]*amparo.HitDecision{}
	err := db.inReadTx(ctx, func(tx *Tx) error {
		for chunk := range slices.Chunk(vendorIDs, 500) {
			q := `SELECT d.vendor_id, d.entity_id, d.entity_hash, d.verdict, d.author, d.at, d.wrapped_key, d.sealed, v.organization_id
				FROM vendor_hit_decisions d JOIN vendors v ON v.id = d.vendor_id WHERE d.vendor_id IN (?` + strings.Repeat(", ?", len(chunk)-1) + `)
				ORDER BY d.vendor_id, d.entity_id`
			args := make([]any, len(chunk))
			for i, id := range chunk {
				args[i] = id
			}
			rows, err := tx.query(ctx, q, args...)
			if err != nil {
				return err
			}
			for rows.Next() {
				var d amparo.HitDecision
				var verdict, org string
				var wrapped, sealed []byte
				if err := rows.Scan(&d.VendorID, &d.EntityID, &d.EntityHash, &verdict, &d.Author, scanTime{&d.At}, &wrapped, &sealed, &org); err != nil {
					rows.Close()
					return mapError(err)
				}
				if !tx.actor.ScreensVendorsOf(org) {
					continue
				}
				d.Verdict = amparo.HitVerdict(verdict)
				var s sealedDecision
				if err := tx.unsealJSON(d.VendorID+"/"+d.EntityID, wrapped, sealed, &s); err != nil {
					rows.Close()
					return err
				}
				d.Reason = s.Reason
				out[d.VendorID] = append(out[d.VendorID], &d)
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return mapError(err)
			}
		}
		return nil
	})
	return out, err
}

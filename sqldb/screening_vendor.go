package sqldb

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/screening"
)

var (
	_ amparo.VendorService  = (*DB)(nil)
	_ amparo.ScreeningStore = (*DB)(nil)
)

// A vendor's names, aliases, identifiers and address are sealed together
// under its data key, bound to its ID: a vendor may be one person.
type sealedVendor struct {
	Name        string
	Aliases     []string                    `json:",omitempty"`
	Identifiers []amparo.RegistryIdentifier `json:",omitempty"`
	Address     string                      `json:",omitempty"`
}

func forbiddenVendors() error {
	return amparo.Errorf(amparo.EFORBIDDEN, "only the organization's procurement officers keep its vendors").Localize("screen.vendor.err.forbidden")
}

// sealJSON seals v's JSON under a new data key bound to id.
func (tx *Tx) sealJSON(id string, v any) (wrapped, sealed []byte, err error) {
	plain, err := json.Marshal(v)
	if err != nil {
		return nil, nil, err
	}
	dk, wrapped, err := tx.db.cipher.NewDataKey(id)
	if err != nil {
		return nil, nil, err
	}
	return wrapped, dk.Seal(plain, []byte(id)), nil
}

// CreateVendor stores one vendor.
func (db *DB) CreateVendor(ctx context.Context, v *amparo.Vendor) error {
	return db.CreateVendors(ctx, []*amparo.Vendor{v})
}

// CreateVendors stores every vendor or none.
func (db *DB) CreateVendors(ctx context.Context, vs []*amparo.Vendor) error {
	return db.inTx(ctx, func(tx *Tx) error { return tx.createVendors(ctx, vs) })
}

func (tx *Tx) createVendors(ctx context.Context, vs []*amparo.Vendor) error {
	for i, v := range vs {
		if v.OrganizationID == "" {
			v.OrganizationID = tx.actor.OrganizationID
		}
		if !tx.actor.ScreensVendorsOf(v.OrganizationID) {
			return forbiddenVendors()
		}
		if v.ID != "" {
			// A vendor already stored (a file's row that is a known
			// vendor): kept as it is, if it is the organization's.
			// Its organization is all there is to check: nothing is
			// opened.
			var org string
			if err := tx.queryRow(ctx, "SELECT organization_id FROM vendors WHERE id = ?", v.ID).Scan(&org); err != nil && !errors.Is(err, sql.ErrNoRows) {
				return err
			}
			if org == "" || org != v.OrganizationID {
				return amparo.Errorf(amparo.ENOTFOUND, "no such vendor").Localize("screen.vendor.err.not_found")
			}
			continue
		}
		if err := v.Validate(); err != nil {
			var e *amparo.Error
			if len(vs) > 1 && errors.As(err, &e) {
				e.Field = fmt.Sprintf("vendor %d: %s", i+1, e.Field)
			}
			return err
		}
		if err := tx.insertVendor(ctx, v); err != nil {
			return err
		}
	}
	return nil
}

func (tx *Tx) insertVendor(ctx context.Context, v *amparo.Vendor) error {
	v.ID, v.CreatedAt = amparo.NewID(), tx.now
	wrapped, sealed, err := tx.sealJSON(v.ID, sealedVendor{v.Name, v.Aliases, v.Identifiers, v.Address})
	if err != nil {
		return err
	}
	if _, err := tx.exec(ctx, "INSERT INTO vendors (id, organization_id, wrapped_key, sealed, created_at) VALUES (?, ?, ?, ?, ?)",
		v.ID, v.OrganizationID, wrapped, sealed, formatTime(tx.now)); err != nil {
		return err
	}
	return tx.audit(ctx, amparo.AuditVendorCreate, v.ID)
}

func (tx *Tx) scanVendor(row interface{ Scan(...any) error }) (*amparo.Vendor, error) {
	var v amparo.Vendor
	var wrapped, sealed []byte
	if err := row.Scan(&v.ID, &v.OrganizationID, &wrapped, &sealed, scanTime{&v.CreatedAt}); err != nil {
		return nil, mapError(err)
	}
	var s sealedVendor
	if err := tx.unsealJSON(v.ID, wrapped, sealed, &s); err != nil {
		return nil, err
	}
	v.Name, v.Aliases, v.Identifiers, v.Address = s.Name, s.Aliases, s.Identifiers, s.Address
	return &v, nil
}

const vendorColumns = "id, organization_id, wrapped_key, sealed, created_at"

// FindVendorByID returns a vendor the actor screens.
func (db *DB) FindVendorByID(ctx context.Context, id string) (*amparo.Vendor, error) {
	var v *amparo.Vendor
	err := db.inReadTx(ctx, func(tx *Tx) (err error) {
		v, err = tx.findVendor(ctx, id)
		return err
	})
	return v, err
}

func (tx *Tx) findVendor(ctx context.Context, id string) (*amparo.Vendor, error) {
	v, err := tx.scanVendor(tx.queryRow(ctx, "SELECT "+vendorColumns+" FROM vendors WHERE id = ?", id))
	if err != nil {
		return nil, err
	}
	if !tx.actor.ScreensVendorsOf(v.OrganizationID) {
		return nil, amparo.Errorf(amparo.ENOTFOUND, "no such vendor").Localize("screen.vendor.err.not_found")
	}
	return v, nil
}

// FindVendors lists an organization's vendors by name.
func (db *DB) FindVendors(ctx context.Context, orgID string) ([]*amparo.Vendor, error) {
	var out []*amparo.Vendor
	err := db.inReadTx(ctx, func(tx *Tx) (err error) {
		if !tx.actor.ScreensVendorsOf(orgID) {
			return forbiddenVendors()
		}
		out, err = tx.vendorsOf(ctx, orgID)
		return err
	})
	return out, err
}

func (tx *Tx) vendorsOf(ctx context.Context, orgID string) ([]*amparo.Vendor, error) {
	rows, err := tx.query(ctx, "SELECT "+vendorColumns+" FROM vendors WHERE organization_id = ?", orgID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*amparo.Vendor
	for rows.Next() {
		v, err := tx.scanVendor(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, mapError(err)
	}
	slices.SortFunc(out, func(a, b *amparo.Vendor) int {
		if c := strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	return out, nil
}

func tokenHash(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

// CreateSolicitation stores a solicitation with a new public link.
func (db *DB) CreateSolicitation(ctx context.Context, s *amparo.Solicitation) error {
	return db.inTx(ctx, func(tx *Tx) error {
		if s.OrganizationID == "" {
			s.OrganizationID = tx.actor.OrganizationID
		}
		if !tx.actor.ScreensVendorsOf(s.OrganizationID) {
			return forbiddenVendors()
		}
		s.Title = strings.TrimSpace(s.Title)
		if s.Title == "" {
			return amparo.Invalid("title", "the solicitation's title is required").Localize("screen.solicitation.err.title")
		}
		if err := checkText("title", s.Title, 300); err != nil {
			return err
		}
		var b [24]byte
		rand.Read(b[:])
		s.ID, s.Token, s.CreatedAt = amparo.NewID(), base64.RawURLEncoding.EncodeToString(b[:]), tx.now
		wrapped, sealed, err := tx.sealJSON(s.ID, s.Token)
		if err != nil {
			return err
		}
		_, err = tx.exec(ctx, `INSERT INTO solicitations (id, organization_id, token_hash, title, created_at, token_wrapped_key, token_sealed)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, s.ID, s.OrganizationID, tokenHash(s.Token), s.Title, formatTime(tx.now), wrapped, sealed)
		return err
	})
}

func checkText(field, s string, n int) error {
	v := amparo.Vendor{Name: "x", Address: s}
	if err := v.Validate(); err != nil || len([]rune(s)) > n {
		return amparo.Invalid(field, "a control character, invalid text, or too long").Localize("screen.registry.err.text", field)
	}
	return nil
}

// FindSolicitationByToken returns the solicitation of a public link.
func (db *DB) FindSolicitationByToken(ctx context.Context, token string) (*amparo.Solicitation, error) {
	var s *amparo.Solicitation
	err := db.inReadTx(ctx, func(tx *Tx) (err error) {
		s, err = tx.solicitationByToken(ctx, token)
		return err
	})
	return s, err
}

func (tx *Tx) solicitationByToken(ctx context.Context, token string) (*amparo.Solicitation, error) {
	var s amparo.Solicitation
	err := tx.queryRow(ctx, "SELECT id, organization_id, title, created_at FROM solicitations WHERE token_hash = ?", tokenHash(token)).
		Scan(&s.ID, &s.OrganizationID, &s.Title, scanTime{&s.CreatedAt})
	if err != nil {
		if amparo.ErrorCode(mapError(err)) == amparo.ENOTFOUND {
			return nil, amparo.Errorf(amparo.ENOTFOUND, "no such solicitation").Localize("screen.solicitation.err.not_found")
		}
		return nil, mapError(err)
	}
	return &s, nil
}

// The sealed part of an affidavit: everything the vendor wrote.
type sealedAffidavit struct {
	Vendor      sealedVendor
	Work        string `json:",omitempty"`
	SignerName  string
	SignerTitle string
	Attestation string
}

// SubmitAffidavit files an affidavit through a public link.
func (db *DB) SubmitAffidavit(ctx context.Context, token string, a *amparo.Affidavit) error {
	return db.inTx(ctx, func(tx *Tx) error {
		s, err := tx.solicitationByToken(ctx, token)
		if err != nil {
			return err
		}
		if err := a.Validate(); err != nil {
			return err
		}
		vs, err := tx.vendorsOf(ctx, s.OrganizationID)
		if err != nil {
			return err
		}
		var found *amparo.Vendor
		for _, v := range vs {
			if screening.SameVendor(v, &a.Vendor) {
				found = v
				break
			}
		}
		if found == nil {
			nv := a.Vendor
			nv.OrganizationID = s.OrganizationID
			if err := tx.insertVendor(ctx, &nv); err != nil {
				return err
			}
			found = &nv
		}
		a.ID, a.SolicitationID, a.VendorID, a.FormVersion, a.SignedAt = amparo.NewID(), s.ID, found.ID, amparo.AffidavitFormVersion, tx.now
		a.Vendor.ID, a.Vendor.OrganizationID = found.ID, s.OrganizationID
		wrapped, sealed, err := tx.sealJSON(a.ID, sealedAffidavit{sealedVendor{a.Vendor.Name, a.Vendor.Aliases, a.Vendor.Identifiers, a.Vendor.Address},
			a.Work, a.SignerName, a.SignerTitle, a.Attestation})
		if err != nil {
			return err
		}
		wall := 0
		if a.BorderWallWork {
			wall = 1
		}
		if _, err := tx.exec(ctx, `INSERT INTO vendor_affidavits (id, vendor_id, solicitation_id, border_wall, form_version, wrapped_key, sealed, signed_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, a.ID, a.VendorID, s.ID, wall, a.FormVersion, wrapped, sealed, formatTime(tx.now)); err != nil {
			return err
		}
		return tx.audit(ctx, amparo.AuditVendorAffidavit, a.VendorID)
	})
}

// VendorAffidavits lists a vendor's affidavits, newest first.
func (db *DB) VendorAffidavits(ctx context.Context, vendorID string) ([]*amparo.Affidavit, error) {
	var out []*amparo.Affidavit
	err := db.inReadTx(ctx, func(tx *Tx) error {
		v, err := tx.findVendor(ctx, vendorID)
		if err != nil {
			return err
		}
		rows, err := tx.query(ctx, `SELECT id, solicitation_id, border_wall, form_version, wrapped_key, sealed, signed_at
			FROM vendor_affidavits WHERE vendor_id = ? ORDER BY signed_at DESC, id`, vendorID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			a := &amparo.Affidavit{VendorID: vendorID}
			var wall int
			var wrapped, sealed []byte
			if err := rows.Scan(&a.ID, &a.SolicitationID, &wall, &a.FormVersion, &wrapped, &sealed, scanTime{&a.SignedAt}); err != nil {
				return mapError(err)
			}
			var s sealedAffidavit
			if err := tx.unsealJSON(a.ID, wrapped, sealed, &s); err != nil {
				return err
			}
			a.BorderWallWork = wall != 0
			a.Vendor = amparo.Vendor{ID: v.ID, OrganizationID: v.OrganizationID, Name: s.Vendor.Name, Aliases: s.Vendor.Aliases,
				Identifiers: s.Vendor.Identifiers, Address: s.Vendor.Address}
			a.Work, a.SignerName, a.SignerTitle, a.Attestation = s.Work, s.SignerName, s.SignerTitle, s.Attestation
			out = append(out, a)
		}
		return mapError(rows.Err())
	})
	return out, err
}

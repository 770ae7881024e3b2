package sqldb

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"time"

	"github.com/amparo-project/amparo"
)

var _ amparo.ScreeningRunStore = (*DB)(nil)

// The sealed part of a screening run: what the file said about its
// refused rows, and the failure's message.
type sealedRun struct {
	Problems json.RawMessage `json:",omitempty"`
	Failure  json.RawMessage `json:",omitempty"`
}

func runNotFound() error {
	return amparo.Errorf(amparo.ENOTFOUND, "no such screening run").Localize("screen.web.run.not_found")
}

// StartScreeningRun stores the file's vendors, the run and its job at once.
func (db *DB) StartScreeningRun(ctx context.Context, r *amparo.ScreeningRun, vendors []*amparo.Vendor) error {
	return db.inTx(ctx, func(tx *Tx) error {
		if r.OrganizationID == "" {
			r.OrganizationID = tx.actor.OrganizationID
		}
		if !tx.actor.ScreensVendorsOf(r.OrganizationID) {
			return forbiddenVendors()
		}
		for _, v := range vendors {
			v.OrganizationID = r.OrganizationID
		}
		if err := tx.createVendors(ctx, vendors); err != nil {
			return err
		}
		if _, err := tx.exec(ctx, "DELETE FROM screening_runs WHERE finished_at < ?", formatTime(tx.now.Add(-amparo.ScreeningRunKept))); err != nil {
			return err
		}
		r.ID, r.OwnerID, r.StartedAt, r.FinishedAt, r.Done = amparo.NewID(), tx.actor.ID, tx.now, time.Time{}, 0
		r.Total, r.VendorIDs, r.ScreeningIDs, r.Failure = len(vendors), make([]string, len(vendors)), nil, nil
		for i, v := range vendors {
			r.VendorIDs[i] = v.ID
		}
		wrapped, sealed, err := tx.sealJSON(r.ID, sealedRun{Problems: r.Problems})
		if err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `INSERT INTO screening_runs (id, organization_id, owner_id, total, done, vendor_ids, wrapped_key, sealed, started_at)
			VALUES (?, ?, ?, ?, 0, ?, ?, ?, ?)`, r.ID, r.OrganizationID, r.OwnerID, r.Total, strings.Join(r.VendorIDs, ","), wrapped, sealed,
			formatTime(tx.now)); err != nil {
			return mapError(err)
		}
		args, _ := json.Marshal(map[string]string{"run": r.ID})
		_, err = tx.enqueue(ctx, &amparo.Job{Kind: amparo.JobScreenFile, Args: args, MaxAttempts: 5})
		return err
	})
}

// FindScreeningRun returns a run, unsealed.
func (db *DB) FindScreeningRun(ctx context.Context, id string) (*amparo.ScreeningRun, error) {
	var r *amparo.ScreeningRun
	err := db.inReadTx(ctx, func(tx *Tx) (err error) {
		r, err = tx.screeningRun(ctx, id)
		return err
	})
	return r, err
}

func (tx *Tx) screeningRun(ctx context.Context, id string) (*amparo.ScreeningRun, error) {
	var r amparo.ScreeningRun
	var vendors, screenings string
	var wrapped, sealed []byte
	err := tx.queryRow(ctx, `SELECT id, organization_id, owner_id, total, done, vendor_ids, screening_ids, wrapped_key, sealed, started_at, finished_at
		FROM screening_runs WHERE id = ?`, id).Scan(&r.ID, &r.OrganizationID, &r.OwnerID, &r.Total, &r.Done, &vendors, &screenings, &wrapped, &sealed,
		scanTime{&r.StartedAt}, scanTime{&r.FinishedAt})
	if err != nil {
		if e := mapError(err); amparo.ErrorCode(e) == amparo.ENOTFOUND {
			return nil, runNotFound()
		}
		return nil, mapError(err)
	}
	if !tx.actor.ScreensVendorsOf(r.OrganizationID) || (r.Finished() && tx.now.Sub(r.FinishedAt) > amparo.ScreeningRunKept) {
		return nil, runNotFound()
	}
	r.VendorIDs, r.ScreeningIDs = splitIDs(vendors), splitIDs(screenings)
	var s sealedRun
	if err := tx.unsealJSON(r.ID, wrapped, sealed, &s); err != nil {
		return nil, err
	}
	r.Problems, r.Failure = s.Problems, s.Failure
	return &r, nil
}

func splitIDs(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}

// ScreeningRunVendors reads a run's vendors in a few queries, however
// many, and only them, however many the organization keeps.
func (db *DB) ScreeningRunVendors(ctx context.Context, id string) ([]*amparo.Vendor, error) {
	var out []*amparo.Vendor
	err := db.inReadTx(ctx, func(tx *Tx) error {
		r, err := tx.screeningRun(ctx, id)
		if err != nil {
			return err
		}
		byID := make(map[string]*amparo.Vendor, len(r.VendorIDs))
		for start := 0; start < len(r.VendorIDs); start += 500 {
			chunk := r.VendorIDs[start:min(start+500, len(r.VendorIDs))]
			args := make([]any, len(chunk)+1)
			args[0] = r.OrganizationID
			for i, id := range chunk {
				args[i+1] = id
			}
			rows, err := tx.query(ctx, "SELECT "+vendorColumns+" FROM vendors WHERE organization_id = ? AND id IN (?"+strings.Repeat(", ?", len(chunk)-1)+")", args...)
			if err != nil {
				return err
			}
			for rows.Next() {
				v, err := tx.scanVendor(rows)
				if err != nil {
					rows.Close()
					return err
				}
				byID[v.ID] = v
			}
			if err := rows.Err(); err != nil {
				rows.Close()
				return err
			}
			if err := rows.Close(); err != nil {
				return err
			}
		}
		out = make([]*amparo.Vendor, len(r.VendorIDs))
		for i, id := range r.VendorIDs {
			if out[i] = byID[id]; out[i] == nil {
				return amparo.Errorf(amparo.ENOTFOUND, "a vendor of the run is gone").Localize("screen.vendor.err.not_found")
			}
		}
		return nil
	})
	return out, err
}

// ScreeningRunProgress records a running run's progress.
func (db *DB) ScreeningRunProgress(ctx context.Context, id string, done int) error {
	return db.inTx(ctx, func(tx *Tx) error {
		if _, err := tx.screeningRun(ctx, id); err != nil {
			return err
		}
		_, err := tx.exec(ctx, "UPDATE screening_runs SET done = ? WHERE id = ? AND finished_at IS NULL", done, id)
		return err
	})
}

// FinishScreeningRun ends a run once: the UPDATE that ends it comes first
// and ends only a run still going, so a second attempt (its job retried
// while the first was still finishing) waits for the first's row lock,
// then finds it finished and records nothing.
func (db *DB) FinishScreeningRun(ctx context.Context, id string, screenings []*amparo.Screening, failure []byte) (bool, error) {
	var finished bool
	err := db.inTx(ctx, func(tx *Tx) error {
		r, err := tx.screeningRun(ctx, id)
		if err != nil {
			return err
		}
		res, err := tx.exec(ctx, "UPDATE screening_runs SET finished_at = ? WHERE id = ? AND finished_at IS NULL", formatTime(tx.now), id)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return err
		}
		for _, s := range screenings {
			if !slices.Contains(r.VendorIDs, s.VendorID) {
				return amparo.Invalid("vendor", "the run has no such vendor")
			}
		}
		if err := tx.recordScreenings(ctx, screenings); err != nil {
			return err
		}
		ids := make([]string, len(screenings))
		for i, s := range screenings {
			ids[i] = s.ID
		}
		done := r.Done
		if failure == nil {
			done = r.Total
		}
		wrapped, sealed, err := tx.sealJSON(r.ID, sealedRun{Problems: r.Problems, Failure: failure})
		if err != nil {
			return err
		}
		if _, err := tx.exec(ctx, "UPDATE screening_runs SET done = ?, screening_ids = ?, wrapped_key = ?, sealed = ? WHERE id = ?",
			done, strings.Join(ids, ","), wrapped, sealed, id); err != nil {
			return err
		}
		finished = true
		return nil
	})
	return finished, err
}

// FindScreenings returns screenings by ID in a few queries, however many.
func (db *DB) FindScreenings(ctx context.Context, ids []string) ([]*amparo.Screening, error) {
	out := make([]*amparo.Screening, 0, len(ids))
	err := db.inReadTx(ctx, func(tx *Tx) error {
		byID := make(map[string]*amparo.Screening, len(ids))
		for start := 0; start < len(ids); start += 500 {
			chunk := ids[start:min(start+500, len(ids))]
			args := make([]any, len(chunk))
			for i, id := range chunk {
				args[i] = id
			}
			rows, err := tx.query(ctx, "SELECT "+screeningColumns+" FROM vendor_screenings WHERE id IN (?"+strings.Repeat(", ?", len(chunk)-1)+")", args...)
			if err != nil {
				return err
			}
			for rows.Next() {
				s, err := tx.scanScreening(rows)
				if err != nil {
					rows.Close()
					return err
				}
				byID[s.ID] = s
			}
			if err := rows.Err(); err != nil {
				rows.Close()
				return err
			}
			if err := rows.Close(); err != nil {
				return err
			}
		}
		for _, id := range ids {
			s, ok := byID[id]
			if !ok {
				return amparo.Errorf(amparo.ENOTFOUND, "no such screening").Localize("screen.vendor.err.not_found")
			}
			out = append(out, s)
		}
		return nil
	})
	return out, err
}

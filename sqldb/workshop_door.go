package sqldb

import (
	"context"

	"github.com/amparo-project/amparo"
)

// DoorList returns a workshop's ticket codes for the offline door.
func (db *DB) DoorList(ctx context.Context, id string) (*amparo.DoorList, error) {
	out := &amparo.DoorList{Tickets: []amparo.DoorTicket{}}
	err := db.inReadTx(ctx, func(tx *Tx) error {
		s, err := tx.organizerOnly(tx.readWorkshop(ctx, id))
		if err != nil {
			return err
		}
		out.WorkshopID, out.PublicKey = s.w.ID, s.w.PublicKey
		rows, err := tx.query(ctx, `SELECT code, party_size, status IN (?, ?), checked_in_at IS NOT NULL FROM workshop_registrations
			WHERE workshop_id = ? AND code IS NOT NULL ORDER BY code`, string(amparo.RegistrationConfirmed), string(amparo.RegistrationOffered), id)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var t amparo.DoorTicket
			if err := rows.Scan(&t.Code, &t.PartySize, &t.Holds, &t.CheckedIn); err != nil {
				return mapError(err)
			}
			out.Tickets = append(out.Tickets, t)
		}
		return mapError(rows.Err())
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// CheckIns records the door's queued scans, each in its own transaction:
// one refused leaves the others recorded.
func (db *DB) CheckIns(ctx context.Context, id string, scans []amparo.CheckIn) ([]*amparo.CheckInResult, []error, error) {
	err := db.inReadTx(ctx, func(tx *Tx) error {
		_, err := tx.organizerOnly(tx.readWorkshop(ctx, id))
		return err
	})
	if err != nil {
		return nil, nil, err
	}
	if len(scans) == 0 || len(scans) > amparo.MaxDoorUpload {
		return nil, nil, amparo.Invalid("scans", "send from 1 to %d scans", amparo.MaxDoorUpload).Localize("checkin.err.upload", amparo.MaxDoorUpload)
	}
	res, errs := make([]*amparo.CheckInResult, len(scans)), make([]error, len(scans))
	for i, c := range scans {
		r, err := db.CheckIn(ctx, id, c)
		if amparo.ErrorCode(err) == amparo.EINVALID {
			errs[i] = err
			continue
		} else if err != nil {
			return nil, nil, err
		}
		res[i] = r
	}
	return res, errs, nil
}

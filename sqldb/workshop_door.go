package sqldb

import (
	"context"

	"github.com/amparo-project/amparo"
)

// DoorList returns a workshop's ticket codes for the offline door.
func (db *DB) DoorList(ctx context.Context, id string) ([]amparo.DoorTicket, error) {
	var out []amparo.DoorTicket
	err := db.inReadTx(ctx, func(tx *Tx) error {
		s, err := tx.readWorkshop(ctx, id)
		if err != nil {
			return err
		}
		if !s.organizedBy(tx.actor) {
			return amparo.Errorf(amparo.EFORBIDDEN, "you cannot organize workshops of this organization")
		}
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
			out = append(out, t)
		}
		return mapError(rows.Err())
	})
	return out, err
}

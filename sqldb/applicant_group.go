package sqldb

import (
	"context"
	"slices"
	"strings"

	"github.com/amparo-project/amparo"
)

// SetPriorityGroups stores the priority group the queue ranked each
// applicant of groups into, under policy version. It reads the stored
// groups first (no decryption) and writes, in batches by group, only
// those that changed: ranking a line that did not move writes nothing.
func (db *DB) SetPriorityGroups(ctx context.Context, version int, groups map[string]string) error {
	if len(groups) == 0 {
		return nil
	}
	ids := make([]string, 0, len(groups))
	for id := range groups {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	changed := map[string][]string{} // group -> IDs
	err := db.inReadTx(ctx, func(tx *Tx) error {
		scope, scopeArgs, err := clientScope(tx.actor)
		if err != nil {
			return err
		}
		for chunk := range slices.Chunk(ids, 500) {
			args := append(slices.Clone(scopeArgs), strArgs(chunk)...)
			rows, err := tx.query(ctx, `SELECT c.id, c.priority_group, c.priority_policy FROM applicants c WHERE `+scope+
				` AND c.id IN (`+marks(len(chunk))+`)`, args...)
			if err != nil {
				return mapError(err)
			}
			for rows.Next() {
				var id, g string
				var v int
				if err := rows.Scan(&id, &g, &v); err != nil {
					rows.Close()
					return mapError(err)
				}
				if want := groups[id]; want != g || v != version {
					changed[want] = append(changed[want], id)
				}
			}
			err = rows.Err()
			rows.Close()
			if err != nil {
				return mapError(err)
			}
		}
		return nil
	})
	if err != nil || len(changed) == 0 {
		return err
	}
	return db.inTx(ctx, func(tx *Tx) error {
		scope, scopeArgs, err := clientScope(tx.actor)
		if err != nil {
			return err
		}
		for g, ids := range changed {
			for chunk := range slices.Chunk(ids, 500) {
				args := append(append([]any{g, version}, scopeArgs...), strArgs(chunk)...)
				if _, err := tx.exec(ctx, `UPDATE applicants SET priority_group = ?, priority_policy = ? WHERE `+
					strings.ReplaceAll(scope, "c.", "")+` AND id IN (`+marks(len(chunk))+`)`, args...); err != nil {
					return mapError(err)
				}
			}
		}
		return nil
	})
}

var _ amparo.ApplicantGroups = (*DB)(nil)

package sqldb

import (
	"context"
	"encoding/json"
	"slices"
	"strconv"
	"strings"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/names"
)

var _ amparo.ConflictService = (*DB)(nil)

// nameHash keys the conflict check's tokens under the master key.
func (tx *Tx) nameHash(key string) []byte {
	return tx.db.cipher.MAC("conflict name", []byte(key))[:16]
}

// indexConflictName replaces a record's conflict-check tokens.
func (tx *Tx) indexConflictName(ctx context.Context, orgID, recordType, recordID, name string, birth amparo.Date) error {
	if _, err := tx.exec(ctx, "DELETE FROM name_keys WHERE record_type = ? AND record_id = ?", recordType, recordID); err != nil {
		return err
	}
	keys := names.Keys(names.NewPerson(name, birth.Time), tx.nameHash)
	// One statement per 200 keys: a name has dozens of them.
	for len(keys) > 0 {
		n := min(len(keys), 200)
		args := make([]any, 0, 4*n)
		for _, k := range keys[:n] {
			args = append(args, orgID, recordType, recordID, k)
		}
		if _, err := tx.exec(ctx, "INSERT INTO name_keys (organization_id, record_type, record_id, key) VALUES (?, ?, ?, ?)"+
			strings.Repeat(", (?, ?, ?, ?)", n-1), args...); err != nil {
			return err
		}
		keys = keys[n:]
	}
	return nil
}

// CreateParty records an adverse or related party of the actor's
// organization.
func (db *DB) CreateParty(ctx context.Context, p *amparo.Party) error {
	if a, ok := amparo.ActorFromContext(ctx); ok && p.OrganizationID == "" {
		p.OrganizationID = a.OrganizationID
	}
	p.Name, p.Note = strings.TrimSpace(p.Name), strings.TrimSpace(p.Note)
	return db.inTx(ctx, func(tx *Tx) error {
		if err := tx.checkClientOrg(p.OrganizationID); err != nil {
			return err
		}
		if p.Name == "" || len(p.Name) > 200 {
			return amparo.Invalid("name", "is required, at most 200 characters")
		}
		p.ID, p.CreatedAt = amparo.NewID(), tx.now
		dk, wrapped, err := tx.db.cipher.NewDataKey(p.ID)
		if err != nil {
			return err
		}
		plain, _ := json.Marshal(p)
		if _, err := tx.exec(ctx, "INSERT INTO parties (id, organization_id, wrapped_key, sealed, created_at) VALUES (?, ?, ?, ?, ?)",
			p.ID, p.OrganizationID, wrapped, dk.Seal(plain, []byte(p.ID)), formatTime(tx.now)); err != nil {
			return err
		}
		if err := tx.indexConflictName(ctx, p.OrganizationID, "party", p.ID, p.Name, p.BirthDate); err != nil {
			return err
		}
		return tx.audit(ctx, "party.create", "party", p.ID)
	})
}

// maxCandidates bounds the records a check decrypts and scores.
const maxCandidates = 500

// ConflictCheck finds the organization's people close to a name through
// the keyed tokens, then scores only those few, decrypted.
func (db *DB) ConflictCheck(ctx context.Context, name string, birth amparo.Date, exclude string) ([]*amparo.Candidate, error) {
	var out []*amparo.Candidate
	err := db.inTx(ctx, func(tx *Tx) error {
		if _, _, err := clientScope(tx.actor); err != nil {
			return err
		}
		org := tx.actor.OrganizationID
		query := names.NewPerson(name, birth.Time)
		keys := names.QueryKeys(query, tx.nameHash)
		if len(keys) == 0 {
			return nil
		}
		args := []any{org}
		for _, k := range keys {
			args = append(args, k)
		}
		rows, err := tx.query(ctx, `SELECT record_type, record_id, COUNT(*) FROM name_keys WHERE organization_id = ? AND key IN (?`+
			strings.Repeat(", ?", len(keys)-1)+`) GROUP BY record_type, record_id ORDER BY COUNT(*) DESC LIMIT `+strconv.Itoa(maxCandidates), args...)
		if err != nil {
			return err
		}
		type ref struct{ typ, id string }
		var refs []ref
		for rows.Next() {
			var r ref
			var n int
			if err := rows.Scan(&r.typ, &r.id, &n); err != nil {
				rows.Close()
				return err
			}
			if r.id != exclude {
				refs = append(refs, r)
			}
		}
		rows.Close()
		for _, r := range refs {
			cname, cbirth, err := tx.personOf(ctx, r.typ, r.id)
			if err != nil {
				return err
			}
			res := names.Score(query, names.NewPerson(cname, cbirth.Time))
			if res.Decision == names.NoMatch {
				continue
			}
			c := &amparo.Candidate{RecordType: r.typ, RecordID: r.id, Name: cname, BirthDate: cbirth, Score: res.Score, Decision: res.Decision.String()}
			for _, why := range res.Reasons {
				c.ReasonsEN, c.ReasonsES = append(c.ReasonsEN, why.English), append(c.ReasonsES, why.Spanish)
			}
			out = append(out, c)
		}
		slices.SortStableFunc(out, func(a, b *amparo.Candidate) int {
			if a.Score > b.Score {
				return -1
			} else if a.Score < b.Score {
				return 1
			}
			return 0
		})
		return tx.audit(ctx, "conflict.check", "organization", org)
	})
	return out, err
}

// personOf reads the name and birth date of a record the check found.
func (tx *Tx) personOf(ctx context.Context, typ, id string) (string, amparo.Date, error) {
	q := map[string]string{
		"client":    "SELECT k.wrapped, c.sealed FROM clients c JOIN client_keys k ON k.client_id = c.id WHERE c.id = ?",
		"applicant": "SELECT wrapped_key, sealed FROM applicants WHERE id = ?",
		"party":     "SELECT wrapped_key, sealed FROM parties WHERE id = ?",
	}[typ]
	if q == "" {
		return "", amparo.Date{}, amparo.Errorf(amparo.EINTERNAL, "unknown record type %q", typ)
	}
	var wrapped, sealed []byte
	if err := tx.queryRow(ctx, q, id).Scan(&wrapped, &sealed); err != nil {
		return "", amparo.Date{}, mapError(err)
	}
	dk, err := tx.db.cipher.OpenDataKey(id, wrapped)
	if err != nil {
		return "", amparo.Date{}, decryptError(err)
	}
	plain, err := dk.Open(sealed, []byte(id))
	if err != nil {
		return "", amparo.Date{}, decryptError(err)
	}
	var v struct {
		LegalName string
		Name      string
		BirthDate amparo.Date
	}
	if err := json.Unmarshal(plain, &v); err != nil {
		return "", amparo.Date{}, err
	}
	if v.LegalName != "" {
		return v.LegalName, v.BirthDate, nil
	}
	return v.Name, v.BirthDate, nil
}

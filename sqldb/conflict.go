package sqldb

import (
	"cmp"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"database/sql"
	"encoding/binary"
	"encoding/json"
	"errors"
	"maps"
	"math/bits"
	"runtime"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/sync/errgroup"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/names"
)

var _ amparo.ConflictService = (*DB)(nil)

// conflictKeys returns the numbers under which name_keys files p for an
// organization: the first 8 bytes of each blocking key's HMAC under a key
// derived from the index key and the organization, so that neither the
// name nor the organization can be read back from them.
func (tx *Tx) conflictKeys(org string, p names.Person, query bool) []int64 {
	m := hmac.New(sha256.New, tx.db.cipher.MAC("conflict name", []byte(org)))
	hash := func(k string) []byte {
		m.Reset()
		m.Write([]byte(k))
		return m.Sum(nil)
	}
	ks := names.Keys
	if query {
		ks = names.QueryKeys
	}
	hashed := ks(p, hash)
	out := make([]int64, len(hashed))
	for i, k := range hashed {
		out[i] = int64(binary.BigEndian.Uint64(k))
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// conflictName is what conflict_names seals of a person: the date of
// birth (or nothing), "|", the name.
type conflictName struct {
	Name  string
	Birth amparo.Date
}

func (n conflictName) seal(dk dataKey, recordID string) []byte {
	d := ""
	if !n.Birth.IsZero() {
		d = n.Birth.String()
	}
	return dk.Seal([]byte(d+"|"+n.Name), []byte(recordID))
}

func (tx *Tx) openConflictName(recordID string, wrapped, sealed []byte) (conflictName, error) {
	var n conflictName
	plain, err := tx.unseal(recordID, wrapped, sealed, []byte(recordID))
	if err != nil {
		return n, err
	}
	d, name, ok := strings.Cut(string(plain), "|")
	if !ok {
		return n, amparo.Errorf(amparo.EINTERNAL, "a conflict check entry is malformed")
	}
	n.Name = name
	if d != "" {
		n.Birth, err = amparo.ParseDate(d)
	}
	return n, err
}

// indexConflictName files a new record's name for the conflict check.
func (tx *Tx) indexConflictName(ctx context.Context, orgID, recordType, recordID, name string, birth amparo.Date) error {
	dk, wrapped, err := tx.db.cipher.NewDataKey(recordID)
	if err != nil {
		return err
	}
	insertName, err := tx.prepared(ctx, "INSERT INTO conflict_names (organization_id, record_type, record_id, wrapped_key, sealed) VALUES (?, ?, ?, ?, ?) RETURNING id")
	if err != nil {
		return err
	}
	var id int64
	if err := insertName.QueryRowContext(ctx, orgID, recordType, recordID, wrapped, conflictName{name, birth}.seal(dk, recordID)).Scan(&id); err != nil {
		return mapError(err)
	}
	_, keys, arg := tx.db.dialect.int64s(tx.conflictKeys(orgID, names.NewPerson(name, birth.Time), false))
	insertKeys, err := tx.prepared(ctx, "INSERT INTO name_keys (key, name_id) SELECT k, ? FROM "+keys)
	if err != nil {
		return err
	}
	_, err = insertKeys.ExecContext(ctx, id, arg)
	return mapError(err)
}

// unindexConflictName removes a record's name from the conflict check. The
// keys are found again from the sealed name, so name_keys needs no second
// index; should they not all be found (keys of another version), every key
// of the record is looked for.
func (tx *Tx) unindexConflictName(ctx context.Context, recordType, recordID string) error {
	var id int64
	var org string
	var wrapped, sealed []byte
	err := tx.queryRow(ctx, "SELECT id, organization_id, wrapped_key, sealed FROM conflict_names WHERE record_type = ? AND record_id = ?",
		recordType, recordID).Scan(&id, &org, &wrapped, &sealed)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	} else if err != nil {
		return mapError(err)
	}
	n, err := tx.openConflictName(recordID, wrapped, sealed)
	if err != nil {
		return err
	}
	ks := tx.conflictKeys(org, names.NewPerson(n.Name, n.Birth.Time), false)
	in, _, arg := tx.db.dialect.int64s(ks)
	res, err := tx.exec(ctx, "DELETE FROM name_keys WHERE name_id = ? AND key"+in, id, arg)
	if err != nil {
		return err
	}
	if gone, _ := res.RowsAffected(); gone != int64(len(ks)) {
		if _, err := tx.exec(ctx, "DELETE FROM name_keys WHERE name_id = ?", id); err != nil {
			return err
		}
	}
	_, err = tx.exec(ctx, "DELETE FROM conflict_names WHERE id = ?", id)
	return err
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
		return tx.audit(ctx, amparo.AuditPartyCreate, p.ID)
	})
}

// ConflictCheck finds the organization's people close to a name through
// the keyed tokens, then scores only those, decrypted: every person who
// shares a key with the name, however many.
func (db *DB) ConflictCheck(ctx context.Context, name string, birth amparo.Date, exclude string) ([]*amparo.Candidate, error) {
	found, err := db.conflictChecks(ctx, []amparo.ConflictQuery{{Name: name, Birth: birth, Exclude: exclude}}, false)
	if err != nil {
		return nil, err
	}
	return found[0], nil
}

// ConflictChecks is ConflictCheck on each of several names, in one pass
// over the index: the people who share a key with any of them are read,
// decrypted and parsed once, then scored against each name they share a
// key with.
func (db *DB) ConflictChecks(ctx context.Context, qs []amparo.ConflictQuery) ([][]*amparo.Candidate, error) {
	return db.conflictChecks(ctx, qs, false)
}

// checksAtOnce is how many names one pass checks: a person's queries are a
// bit mask.
const checksAtOnce = 64

// conflictChecks is ConflictChecks; with scan, it decrypts and scores every
// person of the organization against every name instead, which only
// benchmarks and tests do. Each name checked is audited.
func (db *DB) conflictChecks(ctx context.Context, qs []amparo.ConflictQuery, scan bool) ([][]*amparo.Candidate, error) {
	out := make([][]*amparo.Candidate, len(qs))
	err := db.inTx(ctx, func(tx *Tx) error {
		if _, _, err := clientScope(tx.actor); err != nil {
			return err
		}
		for from := 0; from < len(qs); from += checksAtOnce {
			to := min(len(qs), from+checksAtOnce)
			if err := tx.conflictChecks(ctx, qs[from:to], out[from:to], scan); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// conflictEntry is a person of conflict_names, sealed, and the names
// checked (a bit each) they share a key with.
type conflictEntry struct {
	typ, id         string
	wrapped, sealed []byte
	of              uint64
	found           []*amparo.Candidate // by the entry's bits, in order; nil where not close
}

// conflictChecks checks up to checksAtOnce names, putting each one's
// candidates, best first, in out.
func (tx *Tx) conflictChecks(ctx context.Context, qs []amparo.ConflictQuery, out [][]*amparo.Candidate, scan bool) error {
	org := tx.actor.OrganizationID
	people := make([]names.Person, len(qs))
	queriesOf := map[int64]uint64{} // key -> the names that have it
	var checked uint64              // the names with a key: a name without any finds no one
	for i, q := range qs {
		people[i] = names.NewPerson(q.Name, q.Birth.Time)
		for _, k := range tx.conflictKeys(org, people[i], true) {
			queriesOf[k] |= 1 << i
			checked |= 1 << i
		}
	}
	if checked == 0 {
		return nil
	}
	q, arg := "SELECT id, organization_id, record_type, record_id, wrapped_key, sealed FROM conflict_names WHERE organization_id = ?", any(org)
	of := map[int64]uint64{} // person (conflict_names.id) -> the names they share a key with
	if !scan {
		// First the people who share keys, by number, with the names
		// they share keys with (each key's names' bits; rows of the same
		// person are OR-ed here); then each read by its number. The keys
		// are the organization's own: its ID is checked below rather than
		// filtered on.
		// (CROSS JOIN keeps SQLite from reading name_keys whole.)
		ks, args := tx.keysAndMasks(queriesOf)
		rows, err := tx.query(ctx, "SELECT DISTINCT n.name_id, ks.m FROM "+ks+" CROSS JOIN name_keys n WHERE n.key = ks.k", args...)
		if err != nil {
			return err
		}
		for rows.Next() {
			var id, m int64
			if err := rows.Scan(&id, &m); err != nil {
				rows.Close()
				return err
			}
			of[id] |= uint64(m)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		in, _, ids := tx.db.dialect.int64s(slices.Sorted(maps.Keys(of)))
		arg = ids
		q = "SELECT id, organization_id, record_type, record_id, wrapped_key, sealed FROM conflict_names WHERE id" + in
	}
	rows, err := tx.query(ctx, q+" ORDER BY id", arg)
	if err != nil {
		return err
	}
	var es []conflictEntry
	for rows.Next() {
		var e conflictEntry
		var id int64
		var eorg string
		if err := rows.Scan(&id, &eorg, &e.typ, &e.id, &e.wrapped, &e.sealed); err != nil {
			rows.Close()
			return err
		}
		e.of = of[id]
		if scan {
			e.of = checked
		}
		for i, q := range qs {
			if q.Exclude != "" && e.id == q.Exclude {
				e.of &^= 1 << i
			}
		}
		if eorg == org && e.of != 0 {
			es = append(es, e)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	if err := tx.decideConflicts(people, es); err != nil {
		return err
	}
	for _, e := range es {
		n := 0
		for i := range qs {
			if e.of&(1<<i) != 0 {
				if c := e.found[n]; c != nil {
					out[i] = append(out[i], c)
				}
				n++
			}
		}
	}
	for i := range qs {
		slices.SortStableFunc(out[i], func(a, b *amparo.Candidate) int { return cmp.Compare(b.Score, a.Score) })
		if checked&(1<<i) != 0 {
			if err := tx.audit(ctx, amparo.AuditConflictCheck, org); err != nil {
				return err
			}
		}
	}
	return nil
}

// keysAndMasks is the SQL table ks of the keys looked up (k) and, for
// each, the bits of the names that have it (m), through one argument or
// two, as dialect.int64s passes a list.
func (tx *Tx) keysAndMasks(queriesOf map[int64]uint64) (string, []any) {
	keys := slices.Sorted(maps.Keys(queriesOf))
	if tx.db.dialect == postgresDialect {
		ks, ms := make([]string, len(keys)), make([]string, len(keys))
		for i, k := range keys {
			ks[i], ms[i] = strconv.FormatInt(k, 10), strconv.FormatInt(int64(queriesOf[k]), 10)
		}
		return "(SELECT unnest(?::bigint[]) AS k, unnest(?::bigint[]) AS m) AS ks",
			[]any{"{" + strings.Join(ks, ",") + "}", "{" + strings.Join(ms, ",") + "}"}
	}
	pairs := make([]string, len(keys))
	for i, k := range keys {
		pairs[i] = "[" + strconv.FormatInt(k, 10) + "," + strconv.FormatInt(int64(queriesOf[k]), 10) + "]"
	}
	return "(SELECT json_extract(value, '$[0]') AS k, json_extract(value, '$[1]') AS m FROM json_each(?)) AS ks",
		[]any{"[" + strings.Join(pairs, ",") + "]"}
}

// decideConflicts decrypts each entry and decides, against each name of
// people it shares a key with, whether it may be that person: its name is
// parsed only when some date of birth does not rule it out. Deciding is
// most of the work: each core takes a share.
func (tx *Tx) decideConflicts(people []names.Person, es []conflictEntry) error {
	var g errgroup.Group
	workers := min(runtime.GOMAXPROCS(0), 1+len(es)/64)
	for w := range workers {
		g.Go(func() error {
			for j := w; j < len(es); j += workers {
				e := &es[j]
				n, err := tx.openConflictName(e.id, e.wrapped, e.sealed)
				if err != nil {
					return err
				}
				// Dates of birth far apart rule a name out unread, as
				// Score would.
				e.found = make([]*amparo.Candidate, 0, bits.OnesCount64(e.of))
				var p *names.Person
				for i, query := range people {
					if e.of&(1<<i) == 0 {
						continue
					}
					if names.BirthsRuleOut(query.Birth, n.Birth.Time) {
						e.found = append(e.found, nil)
						continue
					}
					if p == nil {
						p = &names.Person{Name: names.Parse(n.Name), Birth: n.Birth.Time}
					}
					e.found = append(e.found, candidate(query, *p, e.typ, e.id, n))
				}
			}
			return nil
		})
	}
	return g.Wait()
}

// candidate is the person p of a record, as a candidate close to query,
// or nil when p cannot be query.
func candidate(query, p names.Person, typ, id string, n conflictName) *amparo.Candidate {
	if _, d := names.Decide(query, p); d == names.NoMatch {
		return nil
	}
	res := names.Score(query, p)
	c := &amparo.Candidate{RecordType: typ, RecordID: id, Name: n.Name, BirthDate: n.Birth, Score: res.Score, Decision: res.Decision.String()}
	for _, why := range res.Reasons {
		c.Reasons = append(c.Reasons, amparo.Msg{Key: why.Key, Args: why.Args})
	}
	return c
}

// reindexConflictNames files every record's name for the conflict check
// again when the keys were made by another version of package names (or
// never made), in one transaction. Migrate calls it.
func (db *DB) reindexConflictNames(ctx context.Context) error {
	count := -1 // nothing rebuilt
	if err := db.inLockedTx(ctx, lockConflictNames, func(tx *Tx) error { return tx.reindexConflictNames(ctx, &count) }); err != nil {
		return err
	}
	if count >= 0 {
		db.logger.Info("conflict check index rebuilt", "people", count, "keys_version", names.KeysVersion)
	}
	return nil
}

// reindexConflictNames files every record's name again, counting them,
// unless the keys are of the current version.
func (tx *Tx) reindexConflictNames(ctx context.Context, count *int) error {
	want := strconv.Itoa(names.KeysVersion)
	if got, _, err := tx.metaValue(ctx, "conflict_keys_version"); err != nil || got == want {
		return err
	}
	for _, q := range []string{"DELETE FROM name_keys", "DELETE FROM conflict_names"} {
		if _, err := tx.exec(ctx, q); err != nil {
			return err
		}
	}
	n := 0
	for _, src := range []struct{ typ, q string }{
		{"client", "SELECT c.id, c.organization_id, k.wrapped, c.sealed FROM clients c JOIN client_keys k ON k.client_id = c.id WHERE c.id > ? ORDER BY c.id LIMIT 500"},
		{"applicant", "SELECT id, organization_id, wrapped_key, sealed FROM applicants WHERE id > ? ORDER BY id LIMIT 500"},
		{"party", "SELECT id, organization_id, wrapped_key, sealed FROM parties WHERE id > ? ORDER BY id LIMIT 500"},
	} {
		for after := ""; ; {
			type record struct {
				id, org         string
				wrapped, sealed []byte
			}
			var page []record
			rows, err := tx.query(ctx, src.q, after)
			if err != nil {
				return err
			}
			for rows.Next() {
				var r record
				if err := rows.Scan(&r.id, &r.org, &r.wrapped, &r.sealed); err != nil {
					rows.Close()
					return err
				}
				page = append(page, r)
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
			if len(page) == 0 {
				break
			}
			for _, r := range page {
				name, birth, err := tx.nameOf(r.id, r.wrapped, r.sealed)
				if err != nil {
					return err
				}
				if err := tx.indexConflictName(ctx, r.org, src.typ, r.id, name, birth); err != nil {
					return err
				}
			}
			n += len(page)
			after = page[len(page)-1].id
		}
	}
	*count = n
	return tx.setMeta(ctx, "conflict_keys_version", want)
}

// nameOf reads the name and date of birth of a sealed client, applicant or
// party.
func (tx *Tx) nameOf(id string, wrapped, sealed []byte) (string, amparo.Date, error) {
	var v struct {
		LegalName string
		Name      string
		BirthDate amparo.Date
	}
	if err := tx.unsealJSON(id, wrapped, sealed, &v); err != nil {
		return "", amparo.Date{}, err
	}
	if v.LegalName != "" {
		return v.LegalName, v.BirthDate, nil
	}
	return v.Name, v.BirthDate, nil
}

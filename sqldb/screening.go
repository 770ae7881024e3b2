package sqldb

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/amparo-project/amparo"
)

var _ amparo.RegistryService = (*DB)(nil)

// Kinds of registry_records rows.
const (
	recEntity      = "entity"
	recRelation    = "relation"
	recInvolvement = "involvement"
)

// registryState is one version's records by ID.
type registryState struct {
	entities     map[string]*amparo.RegistryEntity
	relations    map[string]*amparo.RegistryRelation
	involvements map[string]*amparo.RegistryInvolvement
}

// ApplyRegistryChange stores c as a new version, or nothing.
func (db *DB) ApplyRegistryChange(ctx context.Context, c *amparo.RegistryChange) (*amparo.RegistryVersion, error) {
	var v *amparo.RegistryVersion
	err := db.inTx(ctx, func(tx *Tx) error {
		if !tx.actor.RunsProgram() {
			return amparo.Errorf(amparo.EFORBIDDEN, "only the program office changes the border-wall registry").Localize("screen.registry.err.forbidden")
		}
		if strings.TrimSpace(c.Reason) == "" {
			return amparo.Invalid("reason", "say why the registry changes").Localize("screen.registry.err.reason")
		}
		cur, err := tx.registryVersion(ctx, 0)
		if err != nil {
			return err
		}
		old, err := tx.registryState(ctx, cur.Number)
		if err != nil {
			return err
		}
		next, err := applyChange(old, c)
		if err != nil {
			return err
		}
		docs, err := next.docs()
		if err != nil {
			return err
		}
		oldDocs, err := old.docs()
		if err != nil {
			return err
		}
		v = &amparo.RegistryVersion{Number: cur.Number + 1, Author: tx.actor.ID, Reason: strings.TrimSpace(c.Reason), CreatedAt: tx.now,
			Hash: docs.hash(), Entities: len(next.entities), Relations: len(next.relations), Involvements: len(next.involvements)}
		if v.Hash == cur.Hash {
			return amparo.Invalid("change", "the change changes nothing").Localize("screen.registry.err.no_change")
		}
		if _, err := tx.exec(ctx, `INSERT INTO registry_versions (number, author, reason, created_at, hash, entities, relations, involvements)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, v.Number, v.Author, v.Reason, formatTime(v.CreatedAt), v.Hash, v.Entities, v.Relations, v.Involvements); err != nil {
			return err
		}
		end, err := tx.prepared(ctx, "UPDATE registry_records SET version_to = ? WHERE kind = ? AND id = ? AND version_to IS NULL")
		if err != nil {
			return err
		}
		put, err := tx.prepared(ctx, "INSERT INTO registry_records (kind, id, version_from, doc) VALUES (?, ?, ?, ?)")
		if err != nil {
			return err
		}
		for k, doc := range oldDocs {
			if docs[k] != doc {
				if _, err := end.ExecContext(ctx, v.Number, k.kind, k.id); err != nil {
					return mapError(err)
				}
			}
		}
		for k, doc := range docs {
			if prev, ok := oldDocs[k]; !ok || prev != doc {
				if _, err := put.ExecContext(ctx, k.kind, k.id, v.Number, doc); err != nil {
					return mapError(err)
				}
			}
		}
		return tx.audit(ctx, amparo.AuditRegistryChange, strconv.Itoa(v.Number))
	})
	return v, err
}

// applyChange returns the state c makes of old, checked whole.
func applyChange(old *registryState, c *amparo.RegistryChange) (*registryState, error) {
	next := &registryState{map[string]*amparo.RegistryEntity{}, map[string]*amparo.RegistryRelation{}, map[string]*amparo.RegistryInvolvement{}}
	if !c.Replace {
		for k, e := range old.entities {
			next.entities[k] = e
		}
		for k, r := range old.relations {
			next.relations[k] = r
		}
		for k, i := range old.involvements {
			next.involvements[k] = i
		}
	}
	for _, id := range c.DeleteEntities {
		if _, ok := next.entities[id]; !ok {
			return nil, recordErr(recEntity, id, amparo.Errorf(amparo.ENOTFOUND, "no such entity").Localize("screen.registry.err.no_entity", id))
		}
		delete(next.entities, id)
		for k, r := range next.relations {
			if r.From == id || r.To == id {
				delete(next.relations, k)
			}
		}
		for k, i := range next.involvements {
			if i.EntityID == id {
				delete(next.involvements, k)
			}
		}
	}
	for _, id := range c.DeleteRelations {
		if _, ok := next.relations[id]; !ok {
			return nil, recordErr(recRelation, id, amparo.Errorf(amparo.ENOTFOUND, "no such relation").Localize("screen.registry.err.no_relation", id))
		}
		delete(next.relations, id)
	}
	for _, id := range c.DeleteInvolvements {
		if _, ok := next.involvements[id]; !ok {
			return nil, recordErr(recInvolvement, id, amparo.Errorf(amparo.ENOTFOUND, "no such involvement").Localize("screen.registry.err.no_involvement", id))
		}
		delete(next.involvements, id)
	}
	seen := map[string]bool{}
	for _, e := range c.PutEntities {
		e := clone(e)
		if err := e.Validate(); err != nil {
			return nil, recordErr(recEntity, e.ID, err)
		}
		if seen[recEntity+e.ID] {
			return nil, recordErr(recEntity, e.ID, amparo.Invalid("id", "listed twice").Localize("screen.registry.err.twice", e.ID))
		}
		seen[recEntity+e.ID] = true
		next.entities[e.ID] = e
	}
	for _, r := range c.PutRelations {
		r := clone(r)
		if err := r.Validate(); err != nil {
			return nil, recordErr(recRelation, r.ID, err)
		}
		if seen[recRelation+r.ID] {
			return nil, recordErr(recRelation, r.ID, amparo.Invalid("id", "listed twice").Localize("screen.registry.err.twice", r.ID))
		}
		seen[recRelation+r.ID] = true
		next.relations[r.ID] = r
	}
	for _, i := range c.PutInvolvements {
		i := clone(i)
		if err := i.Validate(); err != nil {
			return nil, recordErr(recInvolvement, i.ID, err)
		}
		if seen[recInvolvement+i.ID] {
			return nil, recordErr(recInvolvement, i.ID, amparo.Invalid("id", "listed twice").Localize("screen.registry.err.twice", i.ID))
		}
		seen[recInvolvement+i.ID] = true
		next.involvements[i.ID] = i
	}
	// Every end must exist in the new version: in sorted order, so the
	// same change always reports the same first problem.
	for _, id := range sortedKeys(next.relations) {
		r := next.relations[id]
		for _, end := range []struct{ field, id string }{{"from", r.From}, {"to", r.To}} {
			if _, ok := next.entities[end.id]; !ok {
				return nil, recordErr(recRelation, id, amparo.Invalid(end.field, "no entity %q", end.id).Localize("screen.registry.err.dangling", end.id))
			}
		}
	}
	for _, id := range sortedKeys(next.involvements) {
		if e := next.involvements[id].EntityID; next.entities[e] == nil {
			return nil, recordErr(recInvolvement, id, amparo.Invalid("entity", "no entity %q", e).Localize("screen.registry.err.dangling", e))
		}
	}
	return next, nil
}

// recordErr names the record an error is about in its field.
func recordErr(kind, id string, err error) error {
	var e *amparo.Error
	if !errors.As(err, &e) {
		return err
	}
	out := *e
	out.Field = kind + " " + id
	if e.Field != "" {
		out.Field += ": " + e.Field
	}
	return &out
}

// clone copies a record through JSON, so that Validate's canonical forms
// never change the caller's value and stored documents share nothing.
func clone[T any](v *T) *T {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // registry records always marshal
	}
	out := new(T)
	if err := json.Unmarshal(b, out); err != nil {
		panic(err)
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

type recKey struct{ kind, id string }

// recDocs is a version's records as their stored JSON documents.
type recDocs map[recKey]string

func (s *registryState) docs() (recDocs, error) {
	out := recDocs{}
	add := func(kind, id string, v any) error {
		b, err := json.Marshal(v)
		out[recKey{kind, id}] = string(b)
		return err
	}
	for id, e := range s.entities {
		if err := add(recEntity, id, e); err != nil {
			return nil, err
		}
	}
	for id, r := range s.relations {
		if err := add(recRelation, id, r); err != nil {
			return nil, err
		}
	}
	for id, i := range s.involvements {
		if err := add(recInvolvement, id, i); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// hash is the SHA-256 of the documents in (kind, id) order, each on a line
// after its kind and ID: the same content always has the same hash.
func (d recDocs) hash() string {
	keys := make([]recKey, 0, len(d))
	for k := range d {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b recKey) int { return strings.Compare(a.kind+"\x00"+a.id, b.kind+"\x00"+b.id) })
	h := sha256.New()
	for _, k := range keys {
		fmt.Fprintf(h, "%s\t%s\t%s\n", k.kind, k.id, d[k])
	}
	return hex.EncodeToString(h.Sum(nil))
}

// emptyRegistryHash is the hash of the registry before any change.
var emptyRegistryHash = recDocs{}.hash()

// registryVersion returns version n, the one in force for n 0.
func (tx *Tx) registryVersion(ctx context.Context, n int) (*amparo.RegistryVersion, error) {
	q := "SELECT number, author, reason, created_at, hash, entities, relations, involvements FROM registry_versions"
	var args []any
	if n > 0 {
		q += " WHERE number = ?"
		args = append(args, n)
	} else {
		q += " ORDER BY number DESC LIMIT 1"
	}
	var v amparo.RegistryVersion
	err := tx.queryRow(ctx, q, args...).Scan(&v.Number, &v.Author, &v.Reason, scanTime{&v.CreatedAt}, &v.Hash, &v.Entities, &v.Relations, &v.Involvements)
	if amparo.ErrorCode(mapError(err)) == amparo.ENOTFOUND {
		if n > 0 {
			return nil, amparo.Errorf(amparo.ENOTFOUND, "no registry version %d", n).Localize("screen.registry.err.no_version", n)
		}
		return &amparo.RegistryVersion{Hash: emptyRegistryHash, Reason: "the empty registry"}, nil
	}
	return &v, mapError(err)
}

// registryState reads the records of version n (none for version 0).
func (tx *Tx) registryState(ctx context.Context, n int) (*registryState, error) {
	s := &registryState{map[string]*amparo.RegistryEntity{}, map[string]*amparo.RegistryRelation{}, map[string]*amparo.RegistryInvolvement{}}
	if n == 0 {
		return s, nil
	}
	rows, err := tx.query(ctx, `SELECT kind, id, doc FROM registry_records
		WHERE version_from <= ? AND (version_to IS NULL OR version_to > ?)`, n, n)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var kind, id, doc string
		if err := rows.Scan(&kind, &id, &doc); err != nil {
			return nil, mapError(err)
		}
		var target any
		switch kind {
		case recEntity:
			e := &amparo.RegistryEntity{}
			s.entities[id], target = e, e
		case recRelation:
			r := &amparo.RegistryRelation{}
			s.relations[id], target = r, r
		case recInvolvement:
			i := &amparo.RegistryInvolvement{}
			s.involvements[id], target = i, i
		default:
			return nil, fmt.Errorf("sqldb: registry record of unknown kind %q", kind)
		}
		if err := json.Unmarshal([]byte(doc), target); err != nil {
			return nil, fmt.Errorf("sqldb: registry %s %s: %w", kind, id, err)
		}
	}
	return s, mapError(rows.Err())
}

// registry is s as a Registry of version v, every list in ID order.
func (s *registryState) registry(v *amparo.RegistryVersion) *amparo.Registry {
	r := &amparo.Registry{Version: *v}
	for _, id := range sortedKeys(s.entities) {
		r.Entities = append(r.Entities, s.entities[id])
	}
	for _, id := range sortedKeys(s.relations) {
		r.Relations = append(r.Relations, s.relations[id])
	}
	for _, id := range sortedKeys(s.involvements) {
		r.Involvements = append(r.Involvements, s.involvements[id])
	}
	return r
}

// RegistryAt returns the registry at version n (0: in force).
func (db *DB) RegistryAt(ctx context.Context, n int) (*amparo.Registry, error) {
	var r *amparo.Registry
	err := db.inReadTx(ctx, func(tx *Tx) error {
		v, err := tx.registryVersion(ctx, n)
		if err != nil {
			return err
		}
		s, err := tx.registryState(ctx, v.Number)
		if err != nil {
			return err
		}
		r = s.registry(v)
		return nil
	})
	return r, err
}

// FindRegistryEntity returns entity id at version n with its relations
// (either end) and involvements.
func (db *DB) FindRegistryEntity(ctx context.Context, n int, id string) (*amparo.Registry, error) {
	all, err := db.RegistryAt(ctx, n)
	if err != nil {
		return nil, err
	}
	r := &amparo.Registry{Version: all.Version}
	for _, e := range all.Entities {
		if e.ID == id {
			r.Entities = append(r.Entities, e)
		}
	}
	if len(r.Entities) == 0 {
		return nil, amparo.Errorf(amparo.ENOTFOUND, "no entity %q in registry version %d", id, all.Version.Number).Localize("screen.registry.err.no_entity", id)
	}
	for _, rel := range all.Relations {
		if rel.From == id || rel.To == id {
			r.Relations = append(r.Relations, rel)
		}
	}
	for _, i := range all.Involvements {
		if i.EntityID == id {
			r.Involvements = append(r.Involvements, i)
		}
	}
	return r, nil
}

// RegistryVersions lists every stored version, newest first.
func (db *DB) RegistryVersions(ctx context.Context) ([]*amparo.RegistryVersion, error) {
	var out []*amparo.RegistryVersion
	err := db.inReadTx(ctx, func(tx *Tx) error {
		rows, err := tx.query(ctx, `SELECT number, author, reason, created_at, hash, entities, relations, involvements
			FROM registry_versions ORDER BY number DESC`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var v amparo.RegistryVersion
			if err := rows.Scan(&v.Number, &v.Author, &v.Reason, scanTime{&v.CreatedAt}, &v.Hash, &v.Entities, &v.Relations, &v.Involvements); err != nil {
				return mapError(err)
			}
			out = append(out, &v)
		}
		return mapError(rows.Err())
	})
	return out, err
}

package sqldb

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/envelope"
	"github.com/amparo-project/amparo/names"
)

var _ amparo.ClientService = (*DB)(nil)

// nameField keys the blind index of clients' legal and preferred names.
const nameField = "client.name"

// clientScope returns the condition that limits client queries to what the
// actor may see: its own organization's clients, or none at all.
func clientScope(a amparo.Actor) (string, []any, error) {
	if !a.SeesClients() {
		return "", nil, amparo.Errorf(amparo.EFORBIDDEN, "your role does not see client records")
	}
	if a.SeesEveryOrganization() {
		return "1 = 1", nil, nil
	}
	return "c.organization_id = ?", []any{a.OrganizationID}, nil
}

// FindClientByID returns one client of the actor's organization. A client
// of another organization is "not found", so its existence is not revealed.
// The read is audited.
func (db *DB) FindClientByID(ctx context.Context, id string) (*amparo.Client, error) {
	var c *amparo.Client
	err := db.inTx(ctx, func(tx *Tx) error {
		if id == "" { // an empty filter matches everyone: no ID is no record
			return amparo.Errorf(amparo.ENOTFOUND, "client not found")
		}
		cs, _, err := tx.findClients(ctx, amparo.ClientFilter{ID: id, Limit: 1})
		if err != nil {
			return err
		} else if len(cs) == 0 {
			return amparo.Errorf(amparo.ENOTFOUND, "client not found")
		}
		c = cs[0]
		return tx.audit(ctx, amparo.AuditClientView, id)
	})
	return c, err
}

// FindClients lists the actor's organization's clients, oldest first
// unless f sorts them otherwise. A name filter is answered from the blind index, never by decrypting every
// client. The search is audited, without its terms.
func (db *DB) FindClients(ctx context.Context, f amparo.ClientFilter) ([]*amparo.Client, int, error) {
	var out []*amparo.Client
	var n int
	err := db.inTx(ctx, func(tx *Tx) error {
		var err error
		if out, n, err = tx.findClients(ctx, f); err != nil {
			return err
		}
		return tx.audit(ctx, amparo.AuditClientList, tx.actor.OrganizationID)
	})
	return out, n, err
}

// clientOrders maps each ClientFilter.Sort the database can answer to its
// ORDER BY, the ID last so that pages are stable; each is one index read
// (migrations 00005 and 00019). "name" is not here: names are sealed, and
// an order-revealing key would leak them, so a name sort opens the set
// (at most amparo.MaxNameSort clients) and sorts it in memory.
var clientOrders = map[string]string{
	"created":  "c.created_at, c.id",
	"-created": "c.created_at DESC, c.id DESC",
	"updated":  "c.updated_at, c.id",
	"-updated": "c.updated_at DESC, c.id DESC",
}

func (tx *Tx) findClients(ctx context.Context, f amparo.ClientFilter) ([]*amparo.Client, int, error) {
	scope, args, err := clientScope(tx.actor)
	if err != nil {
		return nil, 0, err
	}
	sort := f.Sort
	if sort == "" {
		sort = "created"
	}
	order, ok := clientOrders[sort]
	byName := strings.TrimPrefix(sort, "-") == "name"
	if !ok && !byName {
		return nil, 0, amparo.Invalid("sort", "clients cannot be sorted by %q", f.Sort).Localize("list.bad_sort")
	}
	from, where := "clients c", "WHERE "+scope
	if f.ID != "" {
		where, args = where+" AND c.id = ?", append(args, f.ID)
	}
	if f.OrganizationID != "" {
		where, args = where+" AND c.organization_id = ?", append(args, f.OrganizationID)
	}
	if f.Name != "" {
		var ok bool
		if from, where, args, ok = tx.byName(nameField, f.Name, "client_name_tokens", "client_id", "clients", where, args); !ok {
			return nil, 0, nil
		}
	}
	var n int
	if err := tx.queryRow(ctx, "SELECT COUNT(*) FROM "+from+" "+where, args...).Scan(&n); err != nil {
		return nil, 0, mapError(err)
	}
	if n == 0 || (f.Offset > 0 && f.Offset >= n) {
		return nil, n, nil
	}
	offset, limit := f.Offset, f.Limit
	if byName {
		if n > amparo.MaxNameSort {
			return nil, 0, amparo.Invalid("sort", "only up to %d clients can be sorted by name; search to narrow the list", amparo.MaxNameSort).
				Localize("clients.err.name_sort", amparo.MaxNameSort)
		}
		order, offset, limit = "c.id", 0, amparo.MaxNameSort
	}
	// The page's IDs first, from the order's index alone (from its nearer
	// end), then their records: a late page skips index entries, not
	// sealed rows.
	inner := order
	if !byName {
		var reverse bool
		if offset, limit, reverse = window(offset, limit, n); reverse {
			inner = clientOrders[flipSort(sort)]
		}
	}
	rows, err := tx.query(ctx, `SELECT c.id, c.organization_id, c.sealed, k.wrapped, c.created_at, c.updated_at
		FROM (`+page("SELECT c.id FROM "+from+" "+where+" ORDER BY "+inner, offset, limit)+`) p
		JOIN clients c ON c.id = p.id JOIN client_keys k ON k.client_id = c.id ORDER BY `+order, args...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var out []*amparo.Client
	for rows.Next() {
		var c amparo.Client
		var sealed, wrapped []byte
		if err := rows.Scan(&c.ID, &c.OrganizationID, &sealed, &wrapped, scanTime{&c.CreatedAt}, scanTime{&c.UpdatedAt}); err != nil {
			return nil, 0, err
		}
		if err := tx.unsealJSON(c.ID, wrapped, sealed, &c.Personal); err != nil {
			return nil, 0, err
		}
		out = append(out, &c)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, err
	}
	if byName {
		out = sortByName(out, sort[0] == '-', f.Offset, f.Limit)
	}
	return out, n, nil
}

// sortByName orders clients by legal name, ignoring case and accents (the
// one name fold), the ID breaking ties, and returns the page asked for.
func sortByName(cs []*amparo.Client, desc bool, offset, limit int) []*amparo.Client {
	keys := make(map[string]string, len(cs))
	for _, c := range cs {
		keys[c.ID] = names.Normalize(c.LegalName)
	}
	slices.SortStableFunc(cs, func(a, b *amparo.Client) int {
		r := cmp.Or(cmp.Compare(keys[a.ID], keys[b.ID]), cmp.Compare(a.ID, b.ID))
		if desc {
			return -r
		}
		return r
	})
	if offset >= len(cs) {
		return nil
	}
	cs = cs[offset:]
	if limit > 0 && limit < len(cs) {
		cs = cs[:limit]
	}
	return cs
}

// unseal opens what a record's data key sealed: wrapped is that key as
// stored beside the record (id), aad what the seal was bound to.
func (tx *Tx) unseal(id string, wrapped, sealed, aad []byte) ([]byte, error) {
	dk, err := tx.db.cipher.OpenDataKey(id, wrapped)
	if err != nil {
		return nil, decryptError(err)
	}
	plain, err := dk.Open(sealed, aad)
	if err != nil {
		return nil, decryptError(err)
	}
	return plain, nil
}

// unsealJSON opens a record's JSON sealed under its data key, bound to its
// ID, into v.
func (tx *Tx) unsealJSON(id string, wrapped, sealed []byte, v any) error {
	plain, err := tx.unseal(id, wrapped, sealed, []byte(id))
	if err != nil {
		return err
	}
	return json.Unmarshal(plain, v)
}

func decryptError(err error) error {
	if errors.Is(err, envelope.ErrDecrypt) {
		return errors.New("a client record cannot be decrypted: the master key is wrong or the record was altered")
	}
	return err
}

// CreateClient stores a client of the actor's organization, sealed with a
// new data key.
func (db *DB) CreateClient(ctx context.Context, c *amparo.Client) error {
	return db.CreateClients(ctx, []*amparo.Client{c})
}

// CreateClients stores a batch of clients in one transaction: if one is
// invalid, none is stored.
func (db *DB) CreateClients(ctx context.Context, cs []*amparo.Client) error {
	a, _ := amparo.ActorFromContext(ctx)
	for _, c := range cs {
		if c.OrganizationID == "" {
			c.OrganizationID = a.OrganizationID
		}
		if err := c.Validate(); err != nil {
			return err
		}
	}
	return db.inTx(ctx, func(tx *Tx) error {
		for _, c := range cs {
			if err := tx.createClient(ctx, c); err != nil {
				return err
			}
		}
		return nil
	})
}

func (tx *Tx) createClient(ctx context.Context, c *amparo.Client) error {
	if err := tx.checkClientOrg(c.OrganizationID); err != nil {
		return err
	}
	if c.ID == "" {
		c.ID = amparo.NewID()
	}
	c.CreatedAt, c.UpdatedAt = tx.now, tx.now
	dk, wrapped, err := tx.db.cipher.NewDataKey(c.ID)
	if err != nil {
		return err
	}
	sealed, err := sealPersonal(dk, c)
	if err != nil {
		return err
	}
	if _, err := tx.exec(ctx, "INSERT INTO clients (id, organization_id, sealed, created_at, updated_at) VALUES (?, ?, ?, ?, ?)",
		c.ID, c.OrganizationID, sealed, formatTime(c.CreatedAt), formatTime(c.UpdatedAt)); err != nil {
		return err
	}
	if _, err := tx.exec(ctx, "INSERT INTO client_keys (client_id, wrapped) VALUES (?, ?)", c.ID, wrapped); err != nil {
		return err
	}
	if err := tx.indexName(ctx, c); err != nil {
		return err
	}
	if err := tx.indexConflictName(ctx, c.OrganizationID, "client", c.ID, c.LegalName, c.BirthDate); err != nil {
		return err
	}
	return tx.audit(ctx, amparo.AuditClientCreate, c.ID)
}

// UpdateClient replaces a client's personal fields, unless the record
// changed since c was read (c.UpdatedAt): a stale edit overwrites nothing.
// A client never moves to another organization.
func (db *DB) UpdateClient(ctx context.Context, c *amparo.Client) error {
	if err := c.Validate(); err != nil {
		return err
	}
	return db.inTx(ctx, func(tx *Tx) error {
		if err := tx.checkClientOrg(c.OrganizationID); err != nil {
			return err
		}
		var wrapped []byte
		var stored time.Time
		err := tx.queryRow(ctx, `SELECT k.wrapped, c.created_at, c.updated_at FROM clients c JOIN client_keys k ON k.client_id = c.id
			WHERE c.id = ? AND c.organization_id = ?`+tx.db.dialect.forUpdate(), c.ID, c.OrganizationID).Scan(&wrapped, scanTime{&c.CreatedAt}, scanTime{&stored})
		if errors.Is(err, sql.ErrNoRows) {
			return amparo.Errorf(amparo.ENOTFOUND, "client not found")
		} else if err != nil {
			return mapError(err)
		}
		if !stored.Equal(c.UpdatedAt) {
			// Someone saved the client since c was read: overwrite nothing.
			return amparo.Errorf(amparo.ECONFLICT, "the client was changed by someone else since it was read")
		}
		dk, err := db.cipher.OpenDataKey(c.ID, wrapped)
		if err != nil {
			return decryptError(err)
		}
		sealed, err := sealPersonal(dk, c)
		if err != nil {
			return err
		}
		c.UpdatedAt = tx.now
		if _, err := tx.exec(ctx, "UPDATE clients SET sealed = ?, updated_at = ? WHERE id = ?", sealed, formatTime(c.UpdatedAt), c.ID); err != nil {
			return err
		}
		if _, err := tx.exec(ctx, "DELETE FROM client_name_tokens WHERE client_id = ?", c.ID); err != nil {
			return err
		}
		if err := tx.indexName(ctx, c); err != nil {
			return err
		}
		if err := tx.unindexConflictName(ctx, "client", c.ID); err != nil {
			return err
		}
		if err := tx.indexConflictName(ctx, c.OrganizationID, "client", c.ID, c.LegalName, c.BirthDate); err != nil {
			return err
		}
		return tx.audit(ctx, amparo.AuditClientUpdate, c.ID)
	})
}

// DeleteClient erases a client for good. Its active letters are revoked;
// its data key, sealed fields and name tokens are deleted, and SQLite
// overwrites them in its files (secure_delete, then a WAL checkpoint). The
// audit event names only the ID. The erasure is kept outside the erased
// rows (erasure.go): in the erasures table, and in the erasure log if one
// is set, so that restoring an older backup cannot bring the client back
// unnoticed.
func (db *DB) DeleteClient(ctx context.Context, id string) error {
	return db.deleteClient(ctx, id, true)
}

// deleteClient erases the client id; toLog is false when amparo restore
// applies an erasure again that the log already holds.
func (db *DB) deleteClient(ctx context.Context, id string, toLog bool) error {
	err := db.inTx(ctx, func(tx *Tx) error {
		scope, args, err := clientScope(tx.actor)
		if err != nil {
			return err
		}
		var orgID string
		if err := tx.queryRow(ctx, "SELECT c.organization_id FROM clients c WHERE c.id = ? AND "+scope, append([]any{id}, args...)...).Scan(&orgID); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return amparo.Errorf(amparo.ENOTFOUND, "client not found")
			}
			return mapError(err)
		}
		active, _, err := tx.findLetters(ctx, amparo.LetterFilter{ClientID: id, Status: amparo.LetterActive})
		if err != nil {
			return err
		}
		for _, l := range active {
			if err := tx.revokeCredential(ctx, l); err != nil {
				return err
			}
			l.Status, l.RevokedAt, l.RevokeReason, l.UpdatedAt = amparo.LetterRevoked, tx.now, "client record erased", tx.now
			if err := tx.setRevoked(ctx, l); err != nil {
				return err
			}
		}
		if _, err := tx.exec(ctx, "UPDATE letters SET sealed_qr = NULL WHERE client_id = ?", id); err != nil {
			return err
		}
		if err := tx.eraseAlerts(ctx, id); err != nil {
			return err
		}
		if _, err := tx.exec(ctx, "DELETE FROM clients WHERE id = ?", id); err != nil {
			return err
		}
		if err := tx.unindexConflictName(ctx, "client", id); err != nil {
			return err
		}
		if err := tx.audit(ctx, amparo.AuditClientErase, id); err != nil {
			return err
		}
		return tx.recordErasure(ctx, id, orgID, toLog)
	})
	if err == nil {
		db.dialect.afterErase(ctx, db.db)
	}
	return err
}

// checkClientOrg refuses to write a client outside the actor's organization.
func (tx *Tx) checkClientOrg(orgID string) error {
	if _, _, err := clientScope(tx.actor); err != nil {
		return err
	}
	if !tx.actor.WritesClientsOf(orgID) {
		return amparo.Errorf(amparo.EFORBIDDEN, "you cannot write clients of another organization")
	}
	return nil
}

func (tx *Tx) indexName(ctx context.Context, c *amparo.Client) error {
	for _, t := range tx.nameTokens(nameField, c.LegalName+" "+c.PreferredName) {
		if _, err := tx.exec(ctx, "INSERT INTO client_name_tokens (token, client_id) VALUES (?, ?)", t, c.ID); err != nil {
			return err
		}
	}
	return nil
}

func sealPersonal(dk dataKey, c *amparo.Client) ([]byte, error) {
	plain, err := json.Marshal(&c.Personal)
	if err != nil {
		return nil, err
	}
	return dk.Seal(plain, []byte(c.ID)), nil
}

// byName narrows a query of table (aliased c, filtered by where and args)
// to the records whose name tokens, in tokens keyed by owner, hold every
// word of name: the records holding every token drive the query, and a
// CROSS JOIN keeps SQLite from scanning the organization's records
// instead. ok is false when name makes no token: nothing matches.
func (tx *Tx) byName(field, name, tokens, owner, table, where string, args []any) (string, string, []any, bool) {
	ts := tx.nameTokens(field, name)
	if len(ts) == 0 {
		return "", "", nil, false
	}
	all := make([]any, 0, len(ts)+1+len(args))
	for _, t := range ts {
		all = append(all, t)
	}
	all = append(append(all, len(ts)), args...)
	from := "(SELECT " + owner + " FROM " + tokens + " WHERE token IN (?" + strings.Repeat(", ?", len(ts)-1) +
		") GROUP BY " + owner + " HAVING COUNT(*) = ?) m CROSS JOIN " + table + " c"
	return from, where + " AND c.id = m." + owner, all, true
}

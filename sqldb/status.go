package sqldb

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/binary"
	"time"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/credential"
)

// Status lists have credential.MinStatusListLen entries; a list takes new
// letters until half its entries are assigned, so that every index hides
// among at least 65,536 others, then a new list starts.
const (
	statusListLen  = credential.MinStatusListLen
	statusListFill = statusListLen / 2
)

// statusList is a stored list: which indexes are assigned, which revoked.
type statusList struct {
	orgID    string
	id       uint32
	assigned []byte
	revoked  *credential.StatusList
	used     int
}

func (tx *Tx) loadStatusList(ctx context.Context, where string, args ...any) (*statusList, error) {
	var l statusList
	var revoked []byte
	err := tx.queryRow(ctx, "SELECT organization_id, list_id, assigned, revoked, used FROM status_lists WHERE "+where+tx.db.dialect.forUpdate(), args...).
		Scan(&l.orgID, &l.id, &l.assigned, &revoked, &l.used)
	if err != nil {
		return nil, mapError(err)
	}
	l.revoked, err = credential.StatusListFromBits(l.orgID, l.id, revoked)
	return &l, err
}

// assignStatusIndex gives a new letter of the organization a random unused
// index in a status list with room, starting a new list when none has.
func (tx *Tx) assignStatusIndex(ctx context.Context, orgID string) (uint32, uint32, error) {
	l, err := tx.loadStatusList(ctx, "organization_id = ? AND used < ? ORDER BY used DESC LIMIT 1", orgID, statusListFill)
	if amparo.ErrorCode(err) == amparo.ENOTFOUND {
		l, err = tx.newStatusList(ctx, orgID)
	}
	if err != nil {
		return 0, 0, err
	}
	i, err := credential.RandomIndex(statusListLen, func(i uint32) bool { return l.assigned[i/8]&(0x80>>(i%8)) != 0 })
	if err != nil {
		return 0, 0, err
	}
	l.assigned[i/8] |= 0x80 >> (i % 8)
	if _, err := tx.exec(ctx, "UPDATE status_lists SET assigned = ?, used = used + 1 WHERE organization_id = ? AND list_id = ?",
		l.assigned, orgID, l.id); err != nil {
		return 0, 0, err
	}
	return l.id, i, nil
}

// newStatusList starts an empty, signed list with a random ID.
func (tx *Tx) newStatusList(ctx context.Context, orgID string) (*statusList, error) {
	var b [4]byte
	rand.Read(b[:])
	id := binary.BigEndian.Uint32(b[:]) >> 1 // fits a signed 32-bit column too
	revoked, err := credential.NewStatusList(orgID, id, statusListLen)
	if err != nil {
		return nil, err
	}
	l := &statusList{orgID: orgID, id: id, assigned: make([]byte, statusListLen/8), revoked: revoked}
	signed, err := tx.signStatusList(ctx, l)
	if err != nil {
		return nil, err
	}
	_, err = tx.exec(ctx, `INSERT INTO status_lists (organization_id, list_id, assigned, revoked, used, signed, issued_at)
		VALUES (?, ?, ?, ?, 0, ?, ?)`, orgID, id, l.assigned, revoked.Bits(), signed, formatTime(revoked.IssuedAt))
	return l, err
}

// signStatusList signs l as of now with its organization's issuing key.
func (tx *Tx) signStatusList(ctx context.Context, l *statusList) ([]byte, error) {
	_, priv, err := tx.issuingKey(ctx, l.orgID)
	if err != nil {
		return nil, err
	}
	l.revoked.IssuedAt = tx.now.Truncate(time.Second)
	return credential.SignStatusList(l.revoked, priv)
}

// issuingKey returns the organization's active issuing key that a published
// trust list certifies and that may sign now.
func (tx *Tx) issuingKey(ctx context.Context, orgID string) (string, ed25519.PrivateKey, error) {
	var id string
	err := tx.queryRow(ctx, `SELECT id FROM signing_keys WHERE organization_id = ? AND kind = ? AND status = ?
		AND certified_at IS NOT NULL AND valid_from <= ? AND valid_to > ? ORDER BY created_at DESC LIMIT 1`,
		orgID, amparo.KeyIssuing, amparo.KeyActive, formatTime(tx.now), formatTime(tx.now)).Scan(&id)
	if err != nil {
		if amparo.ErrorCode(mapError(err)) == amparo.ENOTFOUND {
			return "", nil, amparo.Errorf(amparo.ECONFLICT, "the organization has no certified issuing key: run amparo keys org new --org %s, then amparo trust sign", orgID)
		}
		return "", nil, err
	}
	priv, err := tx.privateKey(ctx, id)
	return id, priv, err
}

// revokeStatus sets a letter's bit and re-signs its list, so verifiers see
// the revocation at their next refresh. Without a usable issuing key the
// bit is still stored, and the list is signed once the organization has
// one again.
func (tx *Tx) revokeStatus(ctx context.Context, orgID string, listID, index uint32) error {
	l, err := tx.loadStatusList(ctx, "organization_id = ? AND list_id = ?", orgID, listID)
	if err != nil {
		return err
	}
	if err := l.revoked.SetRevoked(index, true); err != nil {
		return err
	}
	if _, err := tx.exec(ctx, "UPDATE status_lists SET revoked = ? WHERE organization_id = ? AND list_id = ?",
		l.revoked.Bits(), orgID, listID); err != nil {
		return err
	}
	return tx.storeSigned(ctx, l)
}

func (tx *Tx) storeSigned(ctx context.Context, l *statusList) error {
	signed, err := tx.signStatusList(ctx, l)
	if amparo.ErrorCode(err) == amparo.ECONFLICT {
		tx.db.logger.Warn("status list not re-signed: no usable issuing key", "organization", l.orgID, "list", l.id)
		return nil
	} else if err != nil {
		return err
	}
	_, err = tx.exec(ctx, "UPDATE status_lists SET signed = ?, issued_at = ? WHERE organization_id = ? AND list_id = ?",
		signed, formatTime(l.revoked.IssuedAt), l.orgID, l.id)
	return err
}

// RefreshStatusLists re-signs every status list last signed before
// olderThan ago, so verifiers can tell fresh revocation data from stale.
func (db *DB) RefreshStatusLists(ctx context.Context, olderThan time.Duration) (int, error) {
	var n int
	err := db.inTx(ctx, func(tx *Tx) error {
		if err := tx.keyAdmin(); err != nil {
			return err
		}
		rows, err := tx.query(ctx, "SELECT organization_id, list_id FROM status_lists WHERE issued_at < ?", formatTime(tx.now.Add(-olderThan)))
		if err != nil {
			return err
		}
		type key struct {
			org string
			id  uint32
		}
		var stale []key
		for rows.Next() {
			var k key
			if err := rows.Scan(&k.org, &k.id); err != nil {
				rows.Close()
				return err
			}
			stale = append(stale, k)
		}
		rows.Close()
		for _, k := range stale {
			l, err := tx.loadStatusList(ctx, "organization_id = ? AND list_id = ?", k.org, k.id)
			if err != nil {
				return err
			}
			if err := tx.storeSigned(ctx, l); err != nil {
				return err
			}
			n++
		}
		return rows.Err()
	})
	return n, err
}

// FindStatusList returns a signed status list, as published.
func (db *DB) FindStatusList(ctx context.Context, orgID string, listID uint32) (*amparo.SignedDocument, error) {
	return db.findSigned(ctx, "status list", "SELECT signed, issued_at FROM status_lists WHERE organization_id = ? AND list_id = ?", orgID, listID)
}

// findSigned reads one signed document (a status list, a roster) by the
// query; what names it in the error when there is none.
func (db *DB) findSigned(ctx context.Context, what, query string, args ...any) (*amparo.SignedDocument, error) {
	var d amparo.SignedDocument
	err := db.inReadTx(ctx, func(tx *Tx) error {
		err := tx.queryRow(ctx, query, args...).Scan(&d.Bytes, scanTime{&d.IssuedAt})
		if amparo.ErrorCode(mapError(err)) == amparo.ENOTFOUND {
			return amparo.Errorf(amparo.ENOTFOUND, "%s not found", what)
		}
		return mapError(err)
	})
	if err != nil {
		return nil, err
	}
	return &d, nil
}

// FindStatusLists returns every signed status list, for a trust bundle.
func (db *DB) FindStatusLists(ctx context.Context) ([]*amparo.SignedDocument, error) {
	return db.findAllSigned(ctx, "SELECT signed, issued_at FROM status_lists ORDER BY organization_id, list_id")
}

// findAllSigned reads every signed document the query selects.
func (db *DB) findAllSigned(ctx context.Context, query string) ([]*amparo.SignedDocument, error) {
	var out []*amparo.SignedDocument
	err := db.inReadTx(ctx, func(tx *Tx) error {
		rows, err := tx.query(ctx, query)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var d amparo.SignedDocument
			if err := rows.Scan(&d.Bytes, scanTime{&d.IssuedAt}); err != nil {
				return err
			}
			out = append(out, &d)
		}
		return rows.Err()
	})
	return out, err
}

// FindBundle assembles the trust bundle; its time is its newest part's.
func (db *DB) FindBundle(ctx context.Context) (*amparo.SignedDocument, error) {
	root, err := db.FindRootPublicKey(ctx)
	if err != nil {
		return nil, err
	}
	tl, err := db.FindTrustList(ctx)
	if err != nil {
		return nil, err
	}
	lists, err := db.FindStatusLists(ctx)
	if err != nil {
		return nil, err
	}
	b := &credential.Bundle{Root: root, TrustList: tl.Bytes}
	at := tl.IssuedAt
	for _, l := range lists {
		b.StatusLists = append(b.StatusLists, l.Bytes)
		at = later(at, l.IssuedAt)
	}
	rosters, err := db.findRosters(ctx)
	if err != nil {
		return nil, err
	}
	for _, r := range rosters {
		b.Rosters = append(b.Rosters, r.Bytes)
		at = later(at, r.IssuedAt)
	}
	data, err := credential.MarshalBundle(b)
	if err != nil {
		return nil, err
	}
	return &amparo.SignedDocument{Bytes: data, IssuedAt: at}, nil
}

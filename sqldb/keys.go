package sqldb

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/credential"
)

var (
	_ amparo.KeyService   = (*DB)(nil)
	_ amparo.TrustService = (*DB)(nil)
)

// Issuing keys may sign letters for this long after they are made; rotate
// before then.
const issuingKeyLifetime = 2 * 365 * 24 * time.Hour

const keyColumns = `id, kind, COALESCE(organization_id, ''), kid, public_key, sealed_private IS NOT NULL,
	valid_from, valid_to, status, certified_at, created_at`

func scanKey(row interface{ Scan(...any) error }) (*amparo.SigningKey, error) {
	var k amparo.SigningKey
	var kid []byte
	err := row.Scan(&k.ID, &k.Kind, &k.OrganizationID, &kid, &k.PublicKey, &k.HasPrivate,
		scanTime{&k.ValidFrom}, scanTime{&k.ValidTo}, &k.Status, scanTime{&k.CertifiedAt}, scanTime{&k.CreatedAt})
	k.KeyID = hex.EncodeToString(kid)
	return &k, mapError(err)
}

// keyAdmin refuses anyone but the operator and the program office.
func (tx *Tx) keyAdmin() error {
	if !tx.actor.ManagesKeys() {
		return amparo.Errorf(amparo.EFORBIDDEN, "only the program office manages keys")
	}
	return nil
}

// FindSigningKeys lists every key, root first.
func (db *DB) FindSigningKeys(ctx context.Context) ([]*amparo.SigningKey, error) {
	var out []*amparo.SigningKey
	err := db.inTx(ctx, func(tx *Tx) error {
		rows, err := tx.query(ctx, "SELECT "+keyColumns+" FROM signing_keys ORDER BY kind DESC, organization_id, created_at")
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			k, err := scanKey(rows)
			if err != nil {
				return err
			}
			out = append(out, k)
		}
		return rows.Err()
	})
	return out, err
}

// CreateRootKey makes the program root key and keeps it sealed here.
func (db *DB) CreateRootKey(ctx context.Context) (*amparo.SigningKey, error) {
	pub, priv, _ := ed25519.GenerateKey(rand.Reader)
	return db.insertRootKey(ctx, pub, priv.Seed())
}

// SetRootPublicKey records a root key kept elsewhere.
func (db *DB) SetRootPublicKey(ctx context.Context, pub []byte) (*amparo.SigningKey, error) {
	if len(pub) != ed25519.PublicKeySize {
		return nil, amparo.Invalid("public_key", "must be a %d-byte Ed25519 public key", ed25519.PublicKeySize)
	}
	return db.insertRootKey(ctx, pub, nil)
}

func (db *DB) insertRootKey(ctx context.Context, pub ed25519.PublicKey, seed []byte) (*amparo.SigningKey, error) {
	var k *amparo.SigningKey
	err := db.inTx(ctx, func(tx *Tx) (err error) {
		if err := tx.keyAdmin(); err != nil {
			return err
		}
		var n int
		if err := tx.queryRow(ctx, "SELECT COUNT(*) FROM signing_keys WHERE kind = ?", amparo.KeyRoot).Scan(&n); err != nil {
			return mapError(err)
		} else if n > 0 {
			return amparo.Errorf(amparo.ECONFLICT, "the program already has a root key")
		}
		k, err = tx.insertKey(ctx, amparo.KeyRoot, "", pub, seed, tx.now, tx.now.AddDate(100, 0, 0))
		if err != nil {
			return err
		}
		return tx.audit(ctx, amparo.AuditKeyCreate, k.ID)
	})
	return k, err
}

func (tx *Tx) insertKey(ctx context.Context, kind amparo.KeyKind, orgID string, pub ed25519.PublicKey, seed []byte, from, to time.Time) (*amparo.SigningKey, error) {
	k := &amparo.SigningKey{ID: amparo.NewID(), Kind: kind, OrganizationID: orgID, PublicKey: pub,
		HasPrivate: seed != nil, ValidFrom: from.Truncate(time.Second), ValidTo: to.Truncate(time.Second),
		Status: amparo.KeyActive, CreatedAt: tx.now}
	kid := credential.KeyIDOf(pub)
	k.KeyID = kid.String()
	var wrapped, sealed []byte
	if seed != nil {
		dk, w, err := tx.db.cipher.NewDataKey(k.ID)
		if err != nil {
			return nil, err
		}
		wrapped, sealed = w, dk.Seal(seed, []byte("signing key "+k.ID))
	}
	var org any
	if orgID != "" {
		org = orgID
	}
	_, err := tx.exec(ctx, `INSERT INTO signing_keys (id, kind, organization_id, kid, public_key, wrapped_key,
		sealed_private, valid_from, valid_to, status, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		k.ID, kind, org, kid[:], []byte(pub), wrapped, sealed, formatTime(k.ValidFrom), formatTime(k.ValidTo), k.Status, formatTime(k.CreatedAt))
	return k, err
}

// privateKey opens the sealed private key of the key id.
func (tx *Tx) privateKey(ctx context.Context, id string) (ed25519.PrivateKey, error) {
	var wrapped, sealed []byte
	if err := tx.queryRow(ctx, "SELECT wrapped_key, sealed_private FROM signing_keys WHERE id = ?", id).Scan(&wrapped, &sealed); err != nil {
		return nil, mapError(err)
	}
	if sealed == nil {
		return nil, amparo.Errorf(amparo.ECONFLICT, "the private key is not on this server")
	}
	seed, err := tx.unseal(id, wrapped, sealed, []byte("signing key "+id))
	if err != nil {
		return nil, err
	}
	return ed25519.NewKeyFromSeed(seed), nil
}

func (tx *Tx) rootKey(ctx context.Context) (*amparo.SigningKey, error) {
	k, err := scanKey(tx.queryRow(ctx, "SELECT "+keyColumns+" FROM signing_keys WHERE kind = ?", amparo.KeyRoot))
	if amparo.ErrorCode(err) == amparo.ENOTFOUND {
		return nil, amparo.Errorf(amparo.ENOTFOUND, "the program has no root key yet: run amparo keys root new")
	}
	return k, err
}

// ExportRootKey returns the root private key's seed.
func (db *DB) ExportRootKey(ctx context.Context) ([]byte, error) {
	var seed []byte
	err := db.inTx(ctx, func(tx *Tx) error {
		if err := tx.keyAdmin(); err != nil {
			return err
		}
		k, err := tx.rootKey(ctx)
		if err != nil {
			return err
		}
		priv, err := tx.privateKey(ctx, k.ID)
		if err != nil {
			return err
		}
		seed = priv.Seed()
		return tx.audit(ctx, amparo.AuditKeyExport, k.ID)
	})
	return seed, err
}

// ForgetRootKey deletes the root private key; the server keeps running on
// its signed trust list.
func (db *DB) ForgetRootKey(ctx context.Context) error {
	return db.inTx(ctx, func(tx *Tx) error {
		if err := tx.keyAdmin(); err != nil {
			return err
		}
		k, err := tx.rootKey(ctx)
		if err != nil {
			return err
		}
		if _, err := tx.exec(ctx, "UPDATE signing_keys SET wrapped_key = NULL, sealed_private = NULL WHERE id = ?", k.ID); err != nil {
			return err
		}
		return tx.audit(ctx, amparo.AuditKeyForget, k.ID)
	})
}

// CreateIssuingKey makes an organization's new issuing key and retires its
// active one: letters the old key signed stay valid until they expire, and
// status lists are signed by the new key once a trust list certifies it.
func (db *DB) CreateIssuingKey(ctx context.Context, orgID string) (*amparo.SigningKey, error) {
	var k *amparo.SigningKey
	err := db.inTx(ctx, func(tx *Tx) (err error) {
		if err := tx.keyAdmin(); err != nil {
			return err
		}
		if err := tx.retireKeys(ctx, orgID); err != nil {
			return err
		}
		pub, priv, _ := ed25519.GenerateKey(rand.Reader)
		if k, err = tx.insertKey(ctx, amparo.KeyIssuing, orgID, pub, priv.Seed(), tx.now, tx.now.Add(issuingKeyLifetime)); err != nil {
			if amparo.ErrorCode(err) == amparo.EINVALID {
				return amparo.Invalid("organization_id", "no such organization")
			}
			return err
		}
		return tx.audit(ctx, amparo.AuditKeyCreate, k.ID)
	})
	return k, err
}

// retireKeys ends the validity of an organization's active keys now (at
// least a second after it began, as a trust list requires).
func (tx *Tx) retireKeys(ctx context.Context, orgID string) error {
	rows, err := tx.query(ctx, "SELECT id, valid_from FROM signing_keys WHERE organization_id = ? AND status = ?", orgID, amparo.KeyActive)
	if err != nil {
		return err
	}
	ends := map[string]time.Time{}
	for rows.Next() {
		var id string
		var from time.Time
		if err := rows.Scan(&id, scanTime{&from}); err != nil {
			rows.Close()
			return err
		}
		ends[id] = later(tx.now.Truncate(time.Second), from.Add(time.Second))
	}
	rows.Close()
	for id, to := range ends {
		if _, err := tx.exec(ctx, "UPDATE signing_keys SET status = ?, valid_to = ? WHERE id = ?", amparo.KeyRetired, formatTime(to), id); err != nil {
			return err
		}
	}
	return rows.Err()
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// RevokeKey revokes an issuing key. It takes effect for verifiers once a
// newly signed trust list is published.
func (db *DB) RevokeKey(ctx context.Context, id string) error {
	return db.inTx(ctx, func(tx *Tx) error {
		if err := tx.keyAdmin(); err != nil {
			return err
		}
		r, err := tx.exec(ctx, "UPDATE signing_keys SET status = ? WHERE id = ? AND kind = ?", amparo.KeyRevoked, id, amparo.KeyIssuing)
		if err != nil {
			return err
		}
		if err := mustAffect(r, "issuing key"); err != nil {
			return err
		}
		return tx.audit(ctx, amparo.AuditKeyRevoke, id)
	})
}

// trustList builds the trust list of every issuing key.
func (tx *Tx) trustList(ctx context.Context) (*credential.TrustList, error) {
	// Each list must be newer than the last, to the second.
	latest, err := tx.latestTrustList(ctx)
	if err != nil {
		return nil, err
	}
	tl := &credential.TrustList{IssuedAt: later(tx.now.Truncate(time.Second), latest.Add(time.Second))}
	rows, err := tx.query(ctx, `SELECT k.organization_id, o.name, k.public_key, k.valid_from, k.valid_to, k.status
		FROM signing_keys k JOIN organizations o ON o.id = k.organization_id
		WHERE k.kind = ? ORDER BY k.organization_id, k.created_at`, amparo.KeyIssuing)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var orgID, orgName, status string
		var pub []byte
		var from, to time.Time
		if err := rows.Scan(&orgID, &orgName, &pub, scanTime{&from}, scanTime{&to}, &status); err != nil {
			return nil, err
		}
		k := credential.NewTrustedKey(orgID, orgName, pub, from, to)
		if err := k.Status.UnmarshalText([]byte(status)); err != nil {
			return nil, err
		}
		tl.Keys = append(tl.Keys, k)
	}
	return tl, rows.Err()
}

// TrustListRequest returns the trust list to sign, as JSON, for signing on
// the machine that keeps the root key.
func (db *DB) TrustListRequest(ctx context.Context) ([]byte, error) {
	var out []byte
	err := db.inTx(ctx, func(tx *Tx) error {
		if err := tx.keyAdmin(); err != nil {
			return err
		}
		tl, err := tx.trustList(ctx)
		if err != nil {
			return err
		}
		out, err = json.MarshalIndent(tl, "", "  ")
		return err
	})
	return out, err
}

// SignTrustList signs the trust list with the root key, the stored one
// when seed is nil, and publishes it.
func (db *DB) SignTrustList(ctx context.Context, seed []byte) (*amparo.SignedDocument, error) {
	var doc *amparo.SignedDocument
	err := db.inTx(ctx, func(tx *Tx) error {
		if err := tx.keyAdmin(); err != nil {
			return err
		}
		root, err := tx.rootKey(ctx)
		if err != nil {
			return err
		}
		var priv ed25519.PrivateKey
		if seed != nil {
			if len(seed) != ed25519.SeedSize {
				return amparo.Invalid("root", "is not an Ed25519 private key")
			}
			priv = ed25519.NewKeyFromSeed(seed)
			if !bytes.Equal(priv.Public().(ed25519.PublicKey), root.PublicKey) {
				return amparo.Invalid("root", "is not this program's root key")
			}
		} else if priv, err = tx.privateKey(ctx, root.ID); err != nil {
			return err
		}
		tl, err := tx.trustList(ctx)
		if err != nil {
			return err
		}
		signed, err := credential.SignTrustList(tl, priv)
		if err != nil {
			return err
		}
		doc = &amparo.SignedDocument{Bytes: signed, IssuedAt: tl.IssuedAt}
		return tx.publishTrustList(ctx, tl, signed)
	})
	return doc, err
}

// ImportTrustList publishes a trust list signed elsewhere.
func (db *DB) ImportTrustList(ctx context.Context, signed []byte) error {
	return db.inTx(ctx, func(tx *Tx) error {
		if err := tx.keyAdmin(); err != nil {
			return err
		}
		root, err := tx.rootKey(ctx)
		if err != nil {
			return err
		}
		tl, err := credential.VerifyTrustList(signed, root.PublicKey)
		if err != nil {
			return amparo.Errorf(amparo.EINVALID, "the trust list is not signed by this program's root key, or is damaged: %v", err)
		}
		return tx.publishTrustList(ctx, tl, signed)
	})
}

// publishTrustList stores a signed trust list as the current one and marks
// the keys it lists as certified. An older list than the current is refused.
func (tx *Tx) publishTrustList(ctx context.Context, tl *credential.TrustList, signed []byte) error {
	latest, err := tx.latestTrustList(ctx)
	if err != nil {
		return err
	}
	if !tl.IssuedAt.After(latest) {
		return amparo.Errorf(amparo.ECONFLICT, "this trust list (%s) is not newer than the published one (%s)", tl.IssuedAt.Format(time.RFC3339), latest.Format(time.RFC3339))
	}
	if _, err := tx.exec(ctx, "INSERT INTO trust_lists (signed, issued_at) VALUES (?, ?)", signed, formatTime(tl.IssuedAt)); err != nil {
		return err
	}
	for _, k := range tl.Keys {
		if _, err := tx.exec(ctx, "UPDATE signing_keys SET certified_at = ? WHERE public_key = ? AND certified_at IS NULL",
			formatTime(tx.now), []byte(k.PublicKey)); err != nil {
			return err
		}
	}
	return tx.audit(ctx, amparo.AuditTrustPublish, tl.IssuedAt.UTC().Format(time.RFC3339))
}

// latestTrustList returns the issue time of the published trust list, zero
// when there is none.
func (tx *Tx) latestTrustList(ctx context.Context) (time.Time, error) {
	var latest time.Time
	err := tx.queryRow(ctx, "SELECT issued_at FROM trust_lists ORDER BY seq DESC LIMIT 1").Scan(scanTime{&latest})
	if amparo.ErrorCode(mapError(err)) == amparo.ENOTFOUND {
		return time.Time{}, nil
	}
	return latest, err
}

// FindRootPublicKey returns the program root public key.
func (db *DB) FindRootPublicKey(ctx context.Context) (ed25519.PublicKey, error) {
	var pub ed25519.PublicKey
	err := db.inReadTx(ctx, func(tx *Tx) error {
		k, err := tx.rootKey(ctx)
		if err == nil {
			pub = k.PublicKey
		}
		return err
	})
	return pub, err
}

// FindTrustList returns the published trust list.
func (db *DB) FindTrustList(ctx context.Context) (*amparo.SignedDocument, error) {
	var d amparo.SignedDocument
	err := db.inReadTx(ctx, func(tx *Tx) error {
		err := tx.queryRow(ctx, "SELECT signed, issued_at FROM trust_lists ORDER BY seq DESC LIMIT 1").Scan(&d.Bytes, scanTime{&d.IssuedAt})
		if err := mapError(err); amparo.ErrorCode(err) == amparo.ENOTFOUND {
			return amparo.Errorf(amparo.ENOTFOUND, "no trust list is published yet: run amparo trust sign")
		}
		return mapError(err)
	})
	if err != nil {
		return nil, err
	}
	return &d, nil
}

// SignTrustListRequest signs a trust list request (TrustListRequest's
// JSON) with a root key's seed, on a machine with no database: the program
// root key can live offline.
func SignTrustListRequest(request, seed []byte) ([]byte, error) {
	if len(seed) != ed25519.SeedSize {
		return nil, errors.New("the root key must be a 32-byte Ed25519 seed")
	}
	var tl credential.TrustList
	if err := json.Unmarshal(request, &tl); err != nil {
		return nil, fmt.Errorf("the trust list request is not valid JSON: %v", err)
	}
	return credential.SignTrustList(&tl, ed25519.NewKeyFromSeed(seed))
}

package credential

import (
	"bytes"
	"crypto/ed25519"
	"errors"
	"fmt"
	"time"

	"filippo.io/edwards25519"
)

// KeyStatus is the state of an issuing key in the trust list.
type KeyStatus uint8

const (
	// KeyActive keys sign new letters and status lists.
	KeyActive KeyStatus = 1
	// KeyRetired keys sign nothing new; letters they signed while valid stay
	// valid until they expire.
	KeyRetired KeyStatus = 2
	// KeyRevoked keys are distrusted: every letter they signed fails as
	// issuer_revoked.
	KeyRevoked KeyStatus = 3
)

var keyStatusNames = [...]string{KeyActive: "active", KeyRetired: "retired", KeyRevoked: "revoked"}

func (s KeyStatus) String() string {
	if s >= KeyActive && s <= KeyRevoked {
		return keyStatusNames[s]
	}
	return fmt.Sprintf("KeyStatus(%d)", uint8(s))
}

// MarshalText encodes the status as "active", "retired" or "revoked".
func (s KeyStatus) MarshalText() ([]byte, error) {
	if s < KeyActive || s > KeyRevoked {
		return nil, fmt.Errorf("credential: invalid key status %d", uint8(s))
	}
	return []byte(s.String()), nil
}

// UnmarshalText decodes "active", "retired" or "revoked".
func (s *KeyStatus) UnmarshalText(b []byte) error {
	for i, name := range keyStatusNames {
		if name != "" && name == string(b) {
			*s = KeyStatus(i)
			return nil
		}
	}
	return fmt.Errorf("credential: unknown key status %q", b)
}

// TrustedKey is an organization's issuing key as the program root certifies
// it. Letters it signs must be issued within [ValidFrom, ValidTo].
type TrustedKey struct {
	KeyID     KeyID             `json:"kid"`
	OrgID     string            `json:"org_id"`
	OrgName   string            `json:"org_name"`
	PublicKey ed25519.PublicKey `json:"public_key"`
	ValidFrom time.Time         `json:"valid_from"`
	ValidTo   time.Time         `json:"valid_to"`
	Status    KeyStatus         `json:"status"`
}

// NewTrustedKey returns an active trust list entry for pub, with its kid.
func NewTrustedKey(orgID, orgName string, pub ed25519.PublicKey, from, to time.Time) TrustedKey {
	return TrustedKey{KeyID: KeyIDOf(pub), OrgID: orgID, OrgName: orgName, PublicKey: pub,
		ValidFrom: from.Truncate(time.Second), ValidTo: to.Truncate(time.Second), Status: KeyActive}
}

// TrustList is the list of organization issuing keys, signed by the program
// root key. A newer IssuedAt supersedes an older list.
type TrustList struct {
	IssuedAt time.Time    `json:"issued_at"`
	Keys     []TrustedKey `json:"keys"`
}

// Limits on trust list text fields.
const (
	MaxOrgIDLen   = 32  // printable ASCII
	MaxOrgNameLen = 120 // characters
)

type trustWire struct {
	IssuedAt uint64         `cbor:"1,keyasint"`
	Keys     []trustKeyWire `cbor:"2,keyasint"`
}

type trustKeyWire struct {
	KeyID     []byte `cbor:"1,keyasint"`
	OrgID     string `cbor:"2,keyasint"`
	OrgName   string `cbor:"3,keyasint"`
	PublicKey []byte `cbor:"4,keyasint"`
	ValidFrom uint64 `cbor:"5,keyasint"`
	ValidTo   uint64 `cbor:"6,keyasint"`
	Status    uint8  `cbor:"7,keyasint"`
}

// Validate reports the first invalid field, naming it (keys[i].field).
func (tl *TrustList) Validate() error {
	if tl.IssuedAt.Unix() <= 0 {
		return fieldErr("issued_at", "required")
	}
	seen := make(map[string]bool, len(tl.Keys))
	for i := range tl.Keys {
		k := &tl.Keys[i]
		f := func(name string) string { return fmt.Sprintf("keys[%d].%s", i, name) }
		if len(k.PublicKey) != ed25519.PublicKeySize {
			return fieldErr(f("public_key"), "want %d bytes", ed25519.PublicKeySize)
		}
		if !CanonicalPublicKey(k.PublicKey) {
			return fieldErr(f("public_key"), "not the canonical encoding of a point of the prime-order subgroup")
		}
		if k.KeyID != KeyIDOf(k.PublicKey) {
			return fieldErr(f("kid"), "does not match the public key")
		}
		if seen[string(k.PublicKey)] {
			return fieldErr(f("public_key"), "listed twice")
		}
		seen[string(k.PublicKey)] = true
		if err := checkASCII(f("org_id"), k.OrgID, MaxOrgIDLen); err != nil {
			return err
		}
		if err := checkText(f("org_name"), k.OrgName, MaxOrgNameLen, 4*MaxOrgNameLen); err != nil {
			return err
		}
		if k.ValidFrom.Unix() <= 0 {
			return fieldErr(f("valid_from"), "required")
		}
		if k.ValidTo.Unix() <= k.ValidFrom.Unix() {
			return fieldErr(f("valid_to"), "must be after valid_from")
		}
		if k.Status < KeyActive || k.Status > KeyRevoked {
			return fieldErr(f("status"), "want active, retired or revoked")
		}
	}
	return nil
}

// SignTrustList validates tl and signs it with the program root key.
func SignTrustList(tl *TrustList, root ed25519.PrivateKey) ([]byte, error) {
	if err := tl.Validate(); err != nil {
		return nil, err
	}
	w := trustWire{IssuedAt: uint64(tl.IssuedAt.Unix()), Keys: make([]trustKeyWire, len(tl.Keys))}
	for i, k := range tl.Keys {
		w.Keys[i] = trustKeyWire{KeyID: k.KeyID[:], OrgID: k.OrgID, OrgName: k.OrgName,
			PublicKey: k.PublicKey, ValidFrom: uint64(k.ValidFrom.Unix()),
			ValidTo: uint64(k.ValidTo.Unix()), Status: uint8(k.Status)}
	}
	payload, err := encMode.Marshal(&w)
	if err != nil {
		return nil, err
	}
	return signSign1(root, payload, aadTrust)
}

// VerifyTrustList checks a signed trust list against the program root public
// key and returns it.
func VerifyTrustList(signed []byte, root ed25519.PublicKey) (*TrustList, error) {
	m, err := decodeSign1(signed)
	if err != nil {
		return nil, fmt.Errorf("credential: trust list: %w", err)
	}
	if len(root) != ed25519.PublicKeySize {
		return nil, errors.New("credential: trust list: root key is not an Ed25519 public key")
	}
	if m.kid != KeyIDOf(root) || !verifyLarge(&m, root, aadTrust) {
		return nil, errors.New("credential: trust list: not signed by the program root key")
	}
	var w trustWire
	if err := decodeCanonical(m.payload, &w); err != nil {
		return nil, fmt.Errorf("credential: trust list: %w", err)
	}
	tl := &TrustList{IssuedAt: unixTime(w.IssuedAt), Keys: make([]TrustedKey, len(w.Keys))}
	for i, k := range w.Keys {
		if len(k.KeyID) != len(KeyID{}) {
			return nil, fieldErr(fmt.Sprintf("keys[%d].kid", i), "want 8 bytes")
		}
		tk := TrustedKey{OrgID: k.OrgID, OrgName: k.OrgName, PublicKey: ed25519.PublicKey(k.PublicKey),
			ValidFrom: unixTime(k.ValidFrom), ValidTo: unixTime(k.ValidTo), Status: KeyStatus(k.Status)}
		copy(tk.KeyID[:], k.KeyID)
		tl.Keys[i] = tk
	}
	if err := tl.Validate(); err != nil {
		return nil, fmt.Errorf("credential: trust list: %w", err)
	}
	return tl, nil
}

// verifyLarge is sign1.verify for documents of any size.
func verifyLarge(m *sign1, pub ed25519.PublicKey, aad []byte) bool {
	msg := appendSigStructure(make([]byte, 0, len(m.payload)+64), m, aad)
	return len(pub) == ed25519.PublicKeySize && ed25519.Verify(pub, msg, m.signature)
}

// keysByKID indexes the trust list for verification.
func (tl *TrustList) keysByKID() map[KeyID][]*TrustedKey {
	idx := make(map[KeyID][]*TrustedKey, len(tl.Keys))
	for i := range tl.Keys {
		k := &tl.Keys[i]
		idx[k.KeyID] = append(idx[k.KeyID], k)
	}
	return idx
}

// issuedWithin reports whether t falls in the key's validity window.
func (k *TrustedKey) issuedWithin(t time.Time) bool {
	return !t.Before(k.ValidFrom) && !t.After(k.ValidTo)
}

// lMinus1 is the group order L minus 1, little-endian: a canonical scalar.
var lMinus1 = func() *edwards25519.Scalar {
	b := [32]byte{0xec, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10}
	s, err := new(edwards25519.Scalar).SetCanonicalBytes(b[:])
	if err != nil {
		panic(err)
	}
	return s
}()

// CanonicalPublicKey reports whether pub is a key a trust list may carry
// (docs/credential.md section 5): the canonical encoding (y < p, no
// negative zero) of a point of the prime-order subgroup, as every key made
// from a seed is. Such keys verify the same in every Ed25519 verifier, Go's
// (cofactorless) and the verify page's fallback (cofactored), which differ
// only on keys of small or mixed order.
func CanonicalPublicKey(pub []byte) bool {
	if len(pub) != ed25519.PublicKeySize {
		return false
	}
	p, err := new(edwards25519.Point).SetBytes(pub)
	if err != nil || !bytes.Equal(p.Bytes(), pub) {
		return false
	}
	id := edwards25519.NewIdentityPoint()
	if new(edwards25519.Point).MultByCofactor(p).Equal(id) == 1 {
		return false // small order
	}
	// [L]p = [L-1]p + p is the identity exactly when p has no torsion part.
	lp := new(edwards25519.Point).ScalarMult(lMinus1, p)
	return lp.Add(lp, p).Equal(id) == 1
}

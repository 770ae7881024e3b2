package credential

import (
	"crypto/ed25519"
	"errors"
	"fmt"
)

// MaxBundleSize bounds a trust bundle read from a file or a URL.
const MaxBundleSize = 64 << 20

// Bundle is everything an offline verifier needs: the program root public
// key, the signed trust list and the signed status lists. It is not signed
// itself; each part carries its own signature, and the root key should be
// checked against one obtained independently (Fingerprint).
type Bundle struct {
	Root        ed25519.PublicKey
	TrustList   []byte
	StatusLists [][]byte
	Rosters     [][]byte // signed rosters (version 2 letters name their member from these)
}

type bundleWire struct {
	Root        []byte   `cbor:"1,keyasint"`
	TrustList   []byte   `cbor:"2,keyasint"`
	StatusLists [][]byte `cbor:"3,keyasint"`
	Rosters     [][]byte `cbor:"4,keyasint,omitempty"`
}

// MarshalBundle encodes b as deterministic CBOR.
func MarshalBundle(b *Bundle) ([]byte, error) {
	return encMode.Marshal(&bundleWire{Root: b.Root, TrustList: b.TrustList, StatusLists: b.StatusLists, Rosters: b.Rosters})
}

// ParseBundle decodes a bundle without checking any signature.
func ParseBundle(data []byte) (*Bundle, error) {
	if len(data) > MaxBundleSize {
		return nil, errors.New("credential: trust bundle too large")
	}
	var w bundleWire
	if err := decMode.Unmarshal(data, &w); err != nil {
		return nil, fmt.Errorf("credential: not a trust bundle: %w", err)
	}
	if len(w.Root) != ed25519.PublicKeySize || len(w.TrustList) == 0 {
		return nil, errors.New("credential: not a trust bundle: root key or trust list missing")
	}
	return &Bundle{Root: w.Root, TrustList: w.TrustList, StatusLists: w.StatusLists, Rosters: w.Rosters}, nil
}

// Fingerprint names a root public key for people to compare: its kid.
func Fingerprint(root ed25519.PublicKey) string { return KeyIDOf(root).String() }

// Verifier checks the bundle's trust list against its root key and loads
// every status list and roster it can trust. Those it rejects (a revoked key's,
// say) are returned as errors beside a working verifier; letters they
// would have covered verify without revocation data.
func (b *Bundle) Verifier() (*Verifier, []error, error) {
	tl, err := VerifyTrustList(b.TrustList, b.Root)
	if err != nil {
		return nil, nil, err
	}
	v, err := NewVerifier(tl)
	if err != nil {
		return nil, nil, err
	}
	var rejected []error
	for i, l := range b.StatusLists {
		if _, err := v.AddStatusList(l); err != nil {
			rejected = append(rejected, fmt.Errorf("status list %d: %w", i, err))
		}
	}
	for i, r := range b.Rosters {
		if _, err := v.AddRoster(r); err != nil {
			rejected = append(rejected, fmt.Errorf("roster %d: %w", i, err))
		}
	}
	return v, rejected, nil
}

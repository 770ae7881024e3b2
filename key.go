package amparo

import (
	"context"
	"time"
)

// KeyKind says what a signing key signs.
type KeyKind string

// Signing key kinds.
const (
	KeyRoot    KeyKind = "root"    // the program root key: certifies issuing keys in the trust list
	KeyIssuing KeyKind = "issuing" // an organization's key: signs its letters and status lists
)

// KeyStatus says whether a signing key signs, and whether what it signed
// still verifies.
type KeyStatus string

// Signing key statuses.
const (
	KeyActive  KeyStatus = "active"
	KeyRetired KeyStatus = "retired" // rotated out: its letters stay valid until they expire
	KeyRevoked KeyStatus = "revoked" // compromised: its letters fail as "issuer revoked"
)

// SigningKey is an Ed25519 key of the program or of an organization. Its
// private half, when the server holds it, is sealed under the master key and
// never leaves the store except through ExportRootKey.
type SigningKey struct {
	ID             string
	Kind           KeyKind
	OrganizationID string // issuing keys only
	KeyID          string // the credential kid, hex
	PublicKey      []byte
	HasPrivate     bool // false for a root key kept offline
	ValidFrom      time.Time
	ValidTo        time.Time
	Status         KeyStatus
	CertifiedAt    time.Time // when a signed trust list first listed it; zero until then
	CreatedAt      time.Time
}

// KeyService manages the program's keys, its signed trust list and its
// status lists. Trust-list documents cross this interface as bytes: the
// credential package defines them.
type KeyService interface {
	// FindSigningKeys lists every key, root first, without private halves.
	// Keys are public: any actor may list them.
	FindSigningKeys(ctx context.Context) ([]*SigningKey, error)
	// CreateRootKey makes the root key and keeps it sealed in the store.
	// ECONFLICT if the program has one; EFORBIDDEN unless the actor manages
	// keys (Actor.ManagesKeys), as for every method below.
	CreateRootKey(ctx context.Context) (*SigningKey, error)
	// SetRootPublicKey records a root key made and kept elsewhere.
	// EINVALID for a key that is not an Ed25519 public key; ECONFLICT if
	// the program has a root key; EFORBIDDEN.
	SetRootPublicKey(ctx context.Context, pub []byte) (*SigningKey, error)
	// ExportRootKey returns the root private key's seed, to keep offline.
	// ENOTFOUND if there is no root key; ECONFLICT if its private half is
	// not on this server; EFORBIDDEN.
	ExportRootKey(ctx context.Context) ([]byte, error)
	// ForgetRootKey deletes the root private key from the store. ENOTFOUND
	// if there is no root key; EFORBIDDEN.
	ForgetRootKey(ctx context.Context) error
	// CreateIssuingKey makes a new issuing key for an organization; its
	// active key, if any, is retired (rotation). EINVALID for an
	// organization that does not exist; EFORBIDDEN.
	CreateIssuingKey(ctx context.Context, orgID string) (*SigningKey, error)
	// RevokeKey revokes an issuing key. ENOTFOUND if there is no such
	// issuing key; EFORBIDDEN.
	RevokeKey(ctx context.Context, id string) error
	// TrustListRequest returns the trust list to sign, as JSON.
	// ENOTFOUND if there is no root key; EFORBIDDEN.
	TrustListRequest(ctx context.Context) ([]byte, error)
	// SignTrustList signs the trust list with the root key (the stored one
	// when root is nil) and publishes it. EINVALID for a root seed that
	// is not the root key's; ENOTFOUND if there is no root key; ECONFLICT
	// if root is nil and the private half is not on this server;
	// EFORBIDDEN.
	SignTrustList(ctx context.Context, root []byte) (*SignedDocument, error)
	// ImportTrustList publishes a trust list signed elsewhere, after
	// checking it against the root public key. EINVALID if it does not
	// verify; ECONFLICT if it is not newer than the published one;
	// ENOTFOUND if there is no root key; EFORBIDDEN.
	ImportTrustList(ctx context.Context, signed []byte) error
	// RefreshStatusLists re-signs status lists issued before olderThan ago
	// and returns how many it signed. EFORBIDDEN.
	RefreshStatusLists(ctx context.Context, olderThan time.Duration) (int, error)
}

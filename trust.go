package amparo

import (
	"context"
	"crypto/ed25519"
	"time"
)

// SignedDocument is a signed trust list or status list, as published for
// verifiers (COSE_Sign1 bytes; see docs/credential.md).
type SignedDocument struct {
	Bytes    []byte
	IssuedAt time.Time
}

// TrustService publishes what a verifier needs, to anyone: the root public
// key, the signed trust list and the signed status lists. Nothing it
// returns is personal.
type TrustService interface {
	// FindRootPublicKey returns the program root public key. ENOTFOUND if
	// there is none yet. Public: any actor, a visitor above all.
	FindRootPublicKey(ctx context.Context) (ed25519.PublicKey, error)
	// FindTrustList returns the published trust list. ENOTFOUND if none is
	// published yet. Public.
	FindTrustList(ctx context.Context) (*SignedDocument, error)
	// FindStatusList returns an organization's signed status list, as
	// published. ENOTFOUND if there is none with that number. Public.
	FindStatusList(ctx context.Context, orgID string, listID uint32) (*SignedDocument, error)
	// FindBundle returns the trust bundle: root key, trust list and every
	// status list in one file, for offline verifiers (docs/credential.md).
	// ENOTFOUND until a root key and a trust list exist. Public.
	FindBundle(ctx context.Context) (*SignedDocument, error)
	// FindRoster returns an organization's signed roster (its members by
	// reference, for version 2 letters), as published. ENOTFOUND if there
	// is none. Public.
	FindRoster(ctx context.Context, orgID string) (*SignedDocument, error)
}

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
	FindRootPublicKey(ctx context.Context) (ed25519.PublicKey, error)
	FindTrustList(ctx context.Context) (*SignedDocument, error)
	FindStatusList(ctx context.Context, orgID string, listID uint32) (*SignedDocument, error)
	// FindBundle returns the trust bundle: root key, trust list and every
	// status list in one file, for offline verifiers (docs/credential.md).
	FindBundle(ctx context.Context) (*SignedDocument, error)
}

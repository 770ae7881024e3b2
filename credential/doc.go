// Package credential provides the signed QR credential behind every letter of
// representation: the claims and their deterministic CBOR encoding, COSE_Sign1
// signing with Ed25519, the QR text (a verify-page URL with the credential in
// its fragment) and its rendering as a QR code, the signed trust list of
// organization issuing keys, signed status lists for revocation, and offline
// verification.
//
// The format is specified in docs/credential.md; TestSpecVectors keeps this
// package and that document in agreement.
//
// The package is pure: it must never import a database, HTTP or other network
// package, so that the same code verifies a letter on a server, on the command
// line and in tests, offline.
package credential

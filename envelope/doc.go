// Package envelope encrypts clients' personal data at rest.
//
// A 256-bit master key lives outside the database (a key file or an
// environment variable). Each client gets its own random data key; the data
// key is wrapped (AES-256-GCM) by a key derived from the master key and
// stored beside the client, and the client's fields are sealed
// (AES-256-GCM) by the data key. Destroying a data key erases the client for
// good. Names stay searchable through blind-index tokens: keyed HMACs of
// words the caller has folded (names.Words), so no name is ever stored in
// clear.
//
// The package must never import a database or HTTP package.
package envelope

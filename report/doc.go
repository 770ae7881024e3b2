// Package report makes the council's public reports: definitions as data
// (definition.go, council.txt), the release workflow that counts each
// definition's metric through the store (and the sources plugged in, such
// as the fund's), protects the counts with package disclosure against the
// previous release, and stores them as an immutable, hashed snapshot that a
// program admin approves; and the release's published forms (JSON, CSV).
//
// It sees counts only, never person-level rows, and must never import a
// database driver or net/http.
package report

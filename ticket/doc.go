// Package ticket signs and verifies workshop tickets: the text of a
// ticket's QR code, which a door checks offline with the workshop's
// public key (docs/workshop-tickets.md describes the format).
//
// It is pure: it must never import a database or HTTP package.
package ticket

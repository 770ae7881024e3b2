// Package auth provides the building blocks of staff sign-in: argon2id
// password hashing with bounded concurrency and the password policy, TOTP
// second factors with single-use codes, one-time recovery codes, random
// session and invitation tokens with the hashes the database keeps instead of
// them, and an in-memory sign-in limiter per account and per address.
//
// Limiter is Amparo's one rate limiter, and its configurations live here:
// DefaultLimiterConfig for signing in (and checking a password again),
// IntakeLimiterConfig for the public intake form. The one other brake, on
// wrong phone-page PINs, is the store's (sqldb/phone.go): it is kept per
// link in the database, so it survives restarts and holds across servers.
//
// The package is pure: it must never import a database, HTTP or other network
// package. The store decides what is kept and the
// web layer what is shown; this package only computes. Errors that a person
// should see carry a code (PasswordError.Code) for the web layer to translate.
//
// Stored formats, which must not change without a migration:
//
//   - password hashes are PHC strings, $argon2id$v=19$m=..,t=..,p=..$salt$hash,
//     of the password after Unicode NFKC normalization (so that "ñ" typed as one
//     code point or as "n" plus a combining tilde is the same password);
//   - token and recovery-code hashes are SHA-256 digests (see TokenHash and
//     HashRecoveryCode); both secrets carry at least 80 random bits, so a fast
//     hash suffices where a password needs a slow one.
package auth

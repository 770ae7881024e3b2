package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
)

// TokenBytes is the size of session and invitation tokens: 128 random bits,
// as OWASP ASVS asks of session tokens.
const TokenBytes = 16

var tokenEncoding = base64.RawURLEncoding.Strict()

// NewToken returns a fresh random token for a session cookie or an
// invitation link: 128 bits from crypto/rand, base64url without padding
// (22 characters, safe in a URL and a cookie). crypto/rand does not fail.
func NewToken() string {
	b := make([]byte, TokenBytes)
	rand.Read(b)
	return tokenEncoding.EncodeToString(b)
}

// WellFormedToken reports whether s could be a token NewToken made, so that
// garbage from a cookie or URL is refused before any lookup.
func WellFormedToken(s string) bool {
	if len(s) != tokenEncoding.EncodedLen(TokenBytes) {
		return false
	}
	_, err := tokenEncoding.DecodeString(s)
	return err == nil
}

// TokenHash returns the SHA-256 of a token: the database stores and looks up
// this, never the token, so that a copy of the database opens no session and
// accepts no invitation. A token has 128 random bits, so no salt or slow hash
// is needed: there is nothing to guess that is cheaper than the token itself.
func TokenHash(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

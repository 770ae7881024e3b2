package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"strings"
)

// Recovery codes are one-time codes a person writes down at TOTP enrollment
// and types instead of a TOTP code when the phone is lost.
//
// A code is 16 characters from a 32-symbol alphabet, 2-9 and the lowercase
// letters but i and l, shown as four groups of four: "k7mq-3xtp-9wfa-h2ce".
// Without 0, 1, i and l nothing in it can be misread; a typed 0 is taken for
// an o, capitals for lowercase, and spaces and dashes are ignored.
//
// 16 characters is 80 random bits, which is why the store may keep a plain
// SHA-256 of each: searching 2^80 candidates, even against every code of
// every account at once, is out of reach, so a slow hash (an argon2id run per
// stored code at each attempt, itself a lever for denial of service) would buy
// nothing. The "xxxx-xxxx" codes common elsewhere have 40 bits, which a leaked
// database gives up in minutes unless a server-held key or a slow hash is
// added; four more characters typed once in a rare recovery are cheaper than
// either.
const RecoveryCodeCount = 10

const (
	recoveryAlphabet = "23456789abcdefghjkmnopqrstuvwxyz"
	recoveryGroups   = 4
	recoveryGroupLen = 4
	recoveryLen      = recoveryGroups * recoveryGroupLen
)

// NewRecoveryCodes returns n fresh recovery codes (RecoveryCodeCount if
// n <= 0) to show once, and their hashes, in the same order, to store.
func NewRecoveryCodes(n int) (codes []string, hashes [][]byte) {
	if n <= 0 {
		n = RecoveryCodeCount
	}
	for range n {
		var raw [recoveryLen]byte
		rand.Read(raw[:])
		var b strings.Builder
		for i, r := range raw {
			if i > 0 && i%recoveryGroupLen == 0 {
				b.WriteByte('-')
			}
			b.WriteByte(recoveryAlphabet[r%32]) // 256 is a multiple of 32: no bias
		}
		code := b.String()
		codes = append(codes, code)
		hashes = append(hashes, HashRecoveryCode(code))
	}
	return codes, hashes
}

// HashRecoveryCode returns the hash the store keeps of a recovery code, or
// nil if code cannot be one (so that nothing typed can match a hash of
// garbage). The code is normalized first, so "K7MQ 3XTP 9WFA H2CE" and
// "k7mq-3xtp-9wfa-h2ce" have the same hash.
func HashRecoveryCode(code string) []byte {
	c, ok := normalizeRecoveryCode(code)
	if !ok {
		return nil
	}
	h := sha256.Sum256([]byte("amparo recovery code\x00" + c))
	return h[:]
}

// MatchRecoveryCode reports which of the stored hashes, if any, the typed
// code matches. Every hash is compared, in constant time, whatever matches.
// The caller deletes the matched hash in the same transaction that accepts it,
// so that each code works once.
func MatchRecoveryCode(code string, hashes [][]byte) (index int, ok bool) {
	h := HashRecoveryCode(code)
	if h == nil {
		return -1, false
	}
	index = -1
	for i, s := range hashes {
		if subtle.ConstantTimeCompare(h, s) == 1 && index < 0 {
			index = i
		}
	}
	return index, index >= 0
}

func normalizeRecoveryCode(code string) (string, bool) {
	if len(code) > 4*recoveryLen {
		return "", false
	}
	var b strings.Builder
	for _, r := range strings.ToLower(code) {
		switch {
		case r == ' ' || r == '-' || r == '\t':
			continue
		case r == '0':
			r = 'o'
		case r > 127 || !strings.ContainsRune(recoveryAlphabet, r):
			return "", false
		}
		b.WriteRune(r)
	}
	if b.Len() != recoveryLen {
		return "", false
	}
	return b.String(), true
}

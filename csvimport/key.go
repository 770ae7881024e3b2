package csvimport

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"hash"
	"slices"
	"strings"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/names"
)

// KeyVersion changes whenever RowKey or NameKey gives another key for the
// same name and date of birth, so that stores recompute the keys they keep
// (a re-import would otherwise add everyone again). 1 had its own fold of
// names; 2 folds them as package names does.
const KeyVersion = 2

// NormalizeName returns a name as the duplicate keys compare it: folded as
// the conflict check and the name search fold it (names.Words), its words
// sorted, so that "PRUEBA, Ana Ejemplo" and "Ana Ejemplo Prueba" are the
// same name, and "María O'Neil" is "maria oneil" as it is everywhere. It
// is no fuzzy match: a typo makes another name.
func NormalizeName(name string) string {
	words := names.Words(name)
	slices.Sort(words)
	return strings.Join(words, " ")
}

// RowKey returns the stable key of a person: an HMAC-SHA256, under secret,
// of the normalized legal name and the date of birth (which may be zero).
// Importing a row whose key is already stored adds nobody, so re-importing
// a file creates no duplicates. With a secret kept apart from the data, the
// key can be stored and indexed beside encrypted names without letting a
// reader test guesses of a name and birth date against it.
func RowKey(secret []byte, legalName string, birth amparo.Date) string {
	return newKeyer(secret).row(NormalizeName(legalName), birth)
}

// NameKey is RowKey without the date of birth. Two people with the same
// NameKey and different RowKeys are likely duplicates, for a person to
// review.
func NameKey(secret []byte, legalName string) string {
	return newKeyer(secret).name(NormalizeName(legalName))
}

// keyer computes keys of normalized names; Parse keeps one for the file.
type keyer struct {
	mac hash.Hash
	buf []byte
}

func newKeyer(secret []byte) *keyer { return &keyer{mac: hmac.New(sha256.New, secret)} }

func (k *keyer) row(name string, birth amparo.Date) string {
	return k.digest("row", name, birth.String())
}

func (k *keyer) name(name string) string { return k.digest("name", name) }

func (k *keyer) digest(parts ...string) string {
	k.mac.Reset()
	k.buf = k.buf[:0]
	for _, p := range parts {
		k.buf = append(append(k.buf, p...), 0)
	}
	k.mac.Write(k.buf)
	k.buf = k.mac.Sum(k.buf[:0])
	return hex.EncodeToString(k.buf[:16])
}

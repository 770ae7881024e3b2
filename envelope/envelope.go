package envelope

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"strings"
)

// KeySize is the size of the master key and of every data key, in bytes.
const KeySize = 32

// version is the first byte of every wrapped key and sealed value, so the
// format can change without guessing.
const version = 1

// ErrDecrypt means a value could not be decrypted: the wrong key, or data
// that was changed.
var ErrDecrypt = errors.New("envelope: cannot decrypt: wrong key or corrupted data")

// Keyring holds the keys derived from the master key. It is safe for
// concurrent use.
type Keyring struct {
	wrap     cipher.AEAD
	indexKey []byte
	check    []byte
}

// New derives a keyring from a 32-byte master key.
func New(master []byte) (*Keyring, error) {
	if len(master) != KeySize {
		return nil, fmt.Errorf("master key is %d bytes; it must be exactly %d (generate one with `amparo keys master`)", len(master), KeySize)
	}
	derive := func(purpose string) []byte {
		k, err := hkdf.Key(sha256.New, master, nil, "amparo/"+purpose+"/v1", KeySize)
		if err != nil {
			panic(err) // only for lengths HKDF cannot produce
		}
		return k
	}
	wrap, err := newAEAD(derive("wrap"))
	if err != nil {
		return nil, err
	}
	m := hmac.New(sha256.New, derive("check"))
	m.Write([]byte("amparo master key check"))
	return &Keyring{wrap: wrap, indexKey: derive("blind-index"), check: m.Sum(nil)}, nil
}

// GenerateMasterKey returns a new random master key.
func GenerateMasterKey() []byte {
	k := make([]byte, KeySize)
	rand.Read(k)
	return k
}

// EncodeKey returns the text form of a key, as kept in key files and
// environment variables: standard base64.
func EncodeKey(k []byte) string { return base64.StdEncoding.EncodeToString(k) }

// DecodeKey reads the text form of a master key, ignoring surrounding space.
func DecodeKey(s string) ([]byte, error) {
	k, err := base64.StdEncoding.DecodeString(strings.TrimSpace(s))
	if err != nil {
		return nil, fmt.Errorf("master key is not base64: %w", err)
	}
	if len(k) != KeySize {
		return nil, fmt.Errorf("master key is %d bytes; it must be exactly %d", len(k), KeySize)
	}
	return k, nil
}

// ReadKeyFile reads a master key file.
func ReadKeyFile(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	k, err := DecodeKey(string(b))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return k, nil
}

// WriteKeyFile writes a master key file readable by its owner alone. It
// never overwrites an existing file.
func WriteKeyFile(path string, k []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := f.WriteString(EncodeKey(k) + "\n"); err != nil {
		f.Close()
		os.Remove(path)
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// KeyCheck returns a value that identifies the master key without
// revealing it; a store keeps it to refuse a wrong key with a clear error.
func (k *Keyring) KeyCheck() []byte { return k.check }

// DataKey seals and opens one record's values.
type DataKey struct{ aead cipher.AEAD }

// NewDataKey returns a fresh data key for the record id, and its wrapped
// form to store. The id is bound to the wrapped key, so a wrapped key copied
// to another record does not open.
func (k *Keyring) NewDataKey(id string) (*DataKey, []byte, error) {
	raw := make([]byte, KeySize)
	rand.Read(raw)
	dk, err := newAEAD(raw)
	if err != nil {
		return nil, nil, err
	}
	return &DataKey{dk}, seal(k.wrap, raw, []byte(id)), nil
}

// OpenDataKey unwraps a stored data key of the record id.
func (k *Keyring) OpenDataKey(id string, wrapped []byte) (*DataKey, error) {
	raw, err := open(k.wrap, wrapped, []byte(id))
	if err != nil {
		return nil, err
	}
	dk, err := newAEAD(raw)
	if err != nil {
		return nil, err
	}
	return &DataKey{dk}, nil
}

// Seal encrypts plaintext; aad binds it to its place (a record ID and field).
func (d *DataKey) Seal(plaintext, aad []byte) []byte { return seal(d.aead, plaintext, aad) }

// Open decrypts what Seal returned with the same aad.
func (d *DataKey) Open(sealed, aad []byte) ([]byte, error) { return open(d.aead, sealed, aad) }

// TokenSize is the size of a blind-index token.
const TokenSize = 16

// Tokens returns the blind-index tokens of words, each keyed with the
// index key and the field, so the database can match words while it never
// holds a name. The caller folds the words (names.Words, for names): equal
// words give equal tokens. Repeated words give one token.
func (k *Keyring) Tokens(field string, words []string) [][]byte {
	out := make([][]byte, 0, len(words))
	seen := make(map[string]bool, len(words))
	m := hmac.New(sha256.New, k.indexKey)
	for _, w := range words {
		if w == "" || seen[w] {
			continue
		}
		seen[w] = true
		m.Reset()
		m.Write([]byte(field))
		m.Write([]byte{0})
		m.Write([]byte(w))
		out = append(out, m.Sum(nil)[:TokenSize])
	}
	return out
}

// MAC returns a keyed HMAC-SHA256 of data for a purpose, under the index
// key: a value the database may keep (a PIN's check value, a cookie's
// signature) that nobody can compute or test guesses against without the
// master key.
func (k *Keyring) MAC(purpose string, data []byte) []byte {
	m := hmac.New(sha256.New, k.indexKey)
	m.Write([]byte("mac:" + purpose))
	m.Write([]byte{0})
	m.Write(data)
	return m.Sum(nil)
}

func newAEAD(key []byte) (cipher.AEAD, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

func seal(a cipher.AEAD, plaintext, aad []byte) []byte {
	out := make([]byte, 1+a.NonceSize(), 1+a.NonceSize()+len(plaintext)+a.Overhead())
	out[0] = version
	rand.Read(out[1:])
	return a.Seal(out, out[1:], plaintext, aad)
}

func open(a cipher.AEAD, sealed, aad []byte) ([]byte, error) {
	n := a.NonceSize()
	if len(sealed) < 1+n+a.Overhead() || sealed[0] != version {
		return nil, ErrDecrypt
	}
	pt, err := a.Open(nil, sealed[1:1+n], sealed[1+n:], aad)
	if err != nil {
		return nil, ErrDecrypt
	}
	return pt, nil
}

package credential

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"

	"github.com/veraison/go-cose"
)

// KeyID names a public key in the COSE kid header: the first 8 bytes of the
// SHA-256 of the raw 32-byte Ed25519 public key. Two keys may share a kid, so
// a verifier tries every trusted key whose kid matches.
type KeyID [8]byte

// KeyIDOf derives the kid of an Ed25519 public key.
func KeyIDOf(pub ed25519.PublicKey) KeyID {
	sum := sha256.Sum256(pub)
	var kid KeyID
	copy(kid[:], sum[:])
	return kid
}

func (k KeyID) String() string { return hex.EncodeToString(k[:]) }

// MarshalText encodes the kid as 16 lower-case hex digits.
func (k KeyID) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// UnmarshalText decodes 16 hex digits.
func (k *KeyID) UnmarshalText(b []byte) error {
	if hex.DecodedLen(len(b)) != len(k) {
		return errors.New("credential: kid: want 16 hex digits")
	}
	_, err := hex.Decode(k[:], b)
	return err
}

// External AAD of each kind of signed document (RFC 9052 section 4.3). It
// is not transmitted; it keeps a signature over one kind of document from
// verifying as another (an issuing key signs both letters and status lists).
var (
	aadLetter = []byte("amparo letter v1")
	aadTrust  = []byte("amparo trust list v1")
	aadStatus = []byte("amparo status list v1")
)

// The only protected header this package writes or accepts, as serialized:
// {1: -8, 4: h'<kid>'} (alg EdDSA, kid of 8 bytes), deterministic encoding.
var protectedPrefix = [...]byte{0xa2, 0x01, 0x27, 0x04, 0x48}

const protectedLen = len(protectedPrefix) + len(KeyID{}) // 13

// sign1 is a decoded COSE_Sign1. Its slices alias the decoded bytes.
type sign1 struct {
	protected []byte // serialized protected header map
	kid       KeyID
	payload   []byte
	signature []byte
}

// signSign1 signs payload with go-cose as an untagged COSE_Sign1 with alg
// and kid in the protected header, then checks that the result is in the one
// form decodeSign1 accepts.
func signSign1(key ed25519.PrivateKey, payload, aad []byte) ([]byte, error) {
	if len(key) != ed25519.PrivateKeySize {
		return nil, errors.New("credential: signing key is not an Ed25519 private key")
	}
	pub := key.Public().(ed25519.PublicKey)
	kid := KeyIDOf(pub)
	signer, err := cose.NewSigner(cose.AlgorithmEdDSA, key)
	if err != nil {
		return nil, fmt.Errorf("credential: %w", err)
	}
	headers := cose.Headers{Protected: cose.ProtectedHeader{
		cose.HeaderLabelAlgorithm: cose.AlgorithmEdDSA,
		cose.HeaderLabelKeyID:     kid[:],
	}}
	out, err := cose.Sign1Untagged(rand.Reader, signer, headers, payload, aad)
	if err != nil {
		return nil, fmt.Errorf("credential: sign: %w", err)
	}
	m, err := decodeSign1(out)
	if err != nil || !m.verify(pub, aad) {
		return nil, errors.New("credential: internal error: COSE_Sign1 not in the expected form")
	}
	return out, nil
}

var (
	errSign1 = errors.New("credential: not a COSE_Sign1 in the expected form")
	errTrail = errors.New("credential: bytes after the COSE_Sign1")
)

// decodeSign1 parses an untagged COSE_Sign1 strictly, without allocating:
//
//	84                          array(4)
//	4d a2 01 27 04 48 <kid:8>   protected: bstr .cbor {1: -8, 4: h'kid'}
//	a0                          unprotected: {}
//	<bstr>                      payload (shortest-form length)
//	58 40 <signature:64>        signature
//
// Anything else, including trailing bytes, is rejected, so every encoding of
// a signed credential is unique.
func decodeSign1(b []byte) (sign1, error) {
	var m sign1
	const head = 2 + protectedLen + 1 // 84 4d <13 bytes> a0
	if len(b) < head || b[0] != 0x84 || b[1] != 0x40|byte(protectedLen) ||
		string(b[2:2+len(protectedPrefix)]) != string(protectedPrefix[:]) ||
		b[head-1] != 0xa0 {
		return m, errSign1
	}
	m.protected = b[2 : 2+protectedLen]
	copy(m.kid[:], b[2+len(protectedPrefix):])
	rest := b[head:]
	var err error
	if m.payload, rest, err = readBstr(rest); err != nil {
		return m, err
	}
	if m.signature, rest, err = readBstr(rest); err != nil {
		return m, err
	}
	if len(m.signature) != ed25519.SignatureSize {
		return m, errSign1
	}
	if len(rest) != 0 {
		return m, errTrail
	}
	return m, nil
}

// readBstr reads one definite-length byte string in shortest form.
func readBstr(b []byte) (s, rest []byte, err error) {
	if len(b) == 0 || b[0]>>5 != 2 {
		return nil, nil, errSign1
	}
	n, hl := uint64(b[0]&0x1f), 1
	switch {
	case n < 24:
	case n == 24 && len(b) >= 2:
		n, hl = uint64(b[1]), 2
		if n < 24 {
			return nil, nil, errSign1
		}
	case n == 25 && len(b) >= 3:
		n, hl = uint64(b[1])<<8|uint64(b[2]), 3
		if n < 1<<8 {
			return nil, nil, errSign1
		}
	case n == 26 && len(b) >= 5:
		n, hl = uint64(b[1])<<24|uint64(b[2])<<16|uint64(b[3])<<8|uint64(b[4]), 5
		if n < 1<<16 {
			return nil, nil, errSign1
		}
	default:
		return nil, nil, errSign1
	}
	if n > uint64(len(b)-hl) {
		return nil, nil, errSign1
	}
	end := hl + int(n)
	return b[hl:end:end], b[end:], nil
}

// appendSigStructure appends the RFC 9052 Sig_structure that Ed25519 signs:
//
//	["Signature1", protected: bstr, external_aad: bstr, payload: bstr]
func appendSigStructure(dst []byte, m *sign1, aad []byte) []byte {
	dst = append(dst, 0x84, 0x6a)
	dst = append(dst, "Signature1"...)
	dst = appendBstr(dst, m.protected)
	dst = appendBstr(dst, aad)
	return appendBstr(dst, m.payload)
}

func appendBstr(dst, s []byte) []byte {
	n := len(s)
	switch {
	case n < 24:
		dst = append(dst, 0x40|byte(n))
	case n < 1<<8:
		dst = append(dst, 0x58, byte(n))
	case n < 1<<16:
		dst = append(dst, 0x59, byte(n>>8), byte(n))
	default:
		dst = append(dst, 0x5a, byte(n>>24), byte(n>>16), byte(n>>8), byte(n))
	}
	return append(dst, s...)
}

// verify checks the signature with one public key. Verification builds the
// Sig_structure itself and calls crypto/ed25519 directly instead of going
// through go-cose, whose Verify decodes the headers into maps and re-encodes
// the Sig_structure with reflection on every call: the offline check must
// cost little more than the Ed25519 verification itself (BenchmarkVerifyQR).
func (m *sign1) verify(pub ed25519.PublicKey, aad []byte) bool {
	var buf [1024]byte
	return len(pub) == ed25519.PublicKeySize &&
		ed25519.Verify(pub, appendSigStructure(buf[:0], m, aad), m.signature)
}

// Sign validates the claims and signs them with an organization's issuing
// key, returning the COSE_Sign1 bytes that go into the QR text (see Encode).
func Sign(c *Claims, key ed25519.PrivateKey) ([]byte, error) {
	payload, err := c.MarshalCBOR()
	if err != nil {
		return nil, err
	}
	return signSign1(key, payload, aadLetter)
}

package credential

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Credential version 2 (docs/credential.md, "Version 2"): a smaller QR that
// names the member by a reference into the organization's signed roster
// instead of carrying the member's name, bar number and phone.
//
//	credential = 02 <kid: 4 bytes> <claims: CBOR array> <signature: 64 bytes>
//
// The signature is Ed25519 over "amparo letter v2" followed by every byte
// before the signature. Version 1 credentials start with 84 (a COSE_Sign1
// array), so the first byte tells the two apart.
const (
	v2Tag    = 0x02
	v2KIDLen = 4
	v2Head   = 1 + v2KIDLen
	// v2MinLen is the tag, the kid, the shortest claims array and a signature.
	v2MinLen = v2Head + 1 + ed25519.SignatureSize
)

var aadLetterV2 = []byte("amparo letter v2")

// ShortID is the random 64-bit credential ID of a version 2 letter.
type ShortID [8]byte

// NewShortID returns a random short credential ID from crypto/rand.
func NewShortID() (ShortID, error) {
	var id ShortID
	_, err := rand.Read(id[:])
	return id, err
}

func (id ShortID) String() string { return hex.EncodeToString(id[:]) }

// MarshalText encodes the ID as 16 lower-case hex digits.
func (id ShortID) MarshalText() ([]byte, error) { return []byte(id.String()), nil }

// UnmarshalText decodes 16 hex digits.
func (id *ShortID) UnmarshalText(b []byte) error {
	if hex.DecodedLen(len(b)) != len(id) {
		return errors.New("credential: id: want 16 hex digits")
	}
	_, err := hex.Decode(id[:], b)
	return err
}

// MemberRef names a member in its organization's roster. It is a small
// number, unique within the organization, that means nothing without the
// roster: the QR carries it instead of the member's name and numbers.
type MemberRef uint32

// ClaimsV2 is everything a version 2 letter's QR says. The member is a
// reference into the issuer organization's roster.
//
// IssuedOn is a UTC day (00:00 UTC); Expires is a whole UTC hour after it.
// V2Dates turns a letter's issue and expiry instants into these.
type ClaimsV2 struct {
	ID           ShortID   `json:"id"`
	IssuedOn     time.Time `json:"issued_on"`
	Expires      time.Time `json:"expires"`
	StatusListID uint32    `json:"status_list_id"`
	StatusIndex  uint32    `json:"status_index"`
	ClientName   string    `json:"client_name"`
	Member       MemberRef `json:"member"`
}

// claimsV2Wire is the CBOR array of docs/credential.md section V2.3:
// [id, issued_day, expires_hours, status_list_id, status_index, client_name, member].
type claimsV2Wire struct {
	_            struct{} `cbor:",toarray"`
	ID           []byte
	IssuedDay    uint32
	ExpiresHours uint32
	StatusListID uint32
	StatusIndex  uint32
	ClientName   string
	Member       uint32
}

const day = 24 * time.Hour

// V2Dates returns the version 2 form of a letter's issue and expiry
// instants: the UTC day of issue, and expiry rounded up to a whole hour, so
// that a letter never expires before the instant its letter prints (the
// program's local midnight, a whole hour in every zone with whole-hour
// offsets; a zone with a half-hour offset gains at most 59 minutes).
func V2Dates(issuedAt, expires time.Time) (issuedOn, exp time.Time) {
	issuedOn = issuedAt.UTC().Truncate(day)
	exp = expires.UTC()
	if t := exp.Truncate(time.Hour); !t.Equal(exp) {
		exp = t.Add(time.Hour)
	}
	return issuedOn, exp
}

// Validate reports the first invalid field, naming it.
func (c *ClaimsV2) Validate() error {
	switch {
	case c.ID == (ShortID{}):
		return fieldErr("id", "required")
	case c.IssuedOn.Unix() <= 0:
		return fieldErr("issued_on", "required")
	case c.IssuedOn.Unix()%86400 != 0:
		return fieldErr("issued_on", "must be 00:00 UTC of a day")
	case c.IssuedOn.Unix()/86400 > 1<<20:
		return fieldErr("issued_on", "too far in the future")
	case c.Expires.Unix()%3600 != 0:
		return fieldErr("expires", "must be a whole hour")
	case c.Expires.Unix() <= c.IssuedOn.Unix():
		return fieldErr("expires", "must be after issued_on")
	case (c.Expires.Unix()-c.IssuedOn.Unix())/3600 >= 1<<20:
		return fieldErr("expires", "too far after issued_on")
	case c.Member == 0:
		return fieldErr("member", "required")
	}
	return checkName("client_name", c.ClientName)
}

// MarshalCBOR validates the claims and returns their deterministic CBOR.
func (c *ClaimsV2) MarshalCBOR() ([]byte, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	d := c.IssuedOn.Unix() / 86400
	w := claimsV2Wire{ID: c.ID[:], IssuedDay: uint32(d),
		ExpiresHours: uint32((c.Expires.Unix() - d*86400) / 3600),
		StatusListID: c.StatusListID, StatusIndex: c.StatusIndex, ClientName: c.ClientName, Member: uint32(c.Member)}
	return encMode.Marshal(&w)
}

// UnmarshalCBOR decodes claims, accepting only their deterministic encoding.
func (c *ClaimsV2) UnmarshalCBOR(b []byte) error {
	if len(b) > 0 && b[0]>>5 == 5 {
		return errors.New("credential: version 2 framing around version 1 claims (a CBOR map)")
	}
	var w claimsV2Wire
	if err := decodeCanonical(b, &w); err != nil {
		return fmt.Errorf("credential: claims v2: %w", err)
	}
	if len(w.ID) != len(c.ID) {
		return fieldErr("id", "want %d bytes", len(c.ID))
	}
	issued := time.Unix(int64(w.IssuedDay)*86400, 0).UTC()
	d := ClaimsV2{IssuedOn: issued, Expires: issued.Add(time.Duration(w.ExpiresHours) * time.Hour),
		StatusListID: w.StatusListID, StatusIndex: w.StatusIndex, ClientName: w.ClientName, Member: MemberRef(w.Member)}
	copy(d.ID[:], w.ID)
	if err := d.Validate(); err != nil {
		return err
	}
	*c = d
	return nil
}

// SignV2 validates the claims and signs them with an organization's issuing
// key, returning the version 2 credential bytes that go into the QR text
// (see Encode).
func SignV2(c *ClaimsV2, key ed25519.PrivateKey) ([]byte, error) {
	if len(key) != ed25519.PrivateKeySize {
		return nil, errors.New("credential: signing key is not an Ed25519 private key")
	}
	claims, err := c.MarshalCBOR()
	if err != nil {
		return nil, err
	}
	kid := KeyIDOf(key.Public().(ed25519.PublicKey))
	out := make([]byte, 0, v2Head+len(claims)+ed25519.SignatureSize)
	out = append(out, v2Tag)
	out = append(out, kid[:v2KIDLen]...)
	out = append(out, claims...)
	msg := append(append([]byte(nil), aadLetterV2...), out...)
	return append(out, ed25519.Sign(key, msg)...), nil
}

// signedV2 is a parsed version 2 credential; its slices alias the input.
type signedV2 struct {
	kid       [v2KIDLen]byte
	head      []byte // everything before the signature
	claims    []byte
	signature []byte
}

var errV1Framing = errors.New("credential: not a version 2 credential (version 1 framing)")

func parseV2(b []byte) (signedV2, error) {
	var s signedV2
	if len(b) > 0 && b[0] == 0x84 {
		return s, errV1Framing
	}
	if len(b) < v2MinLen || b[0] != v2Tag {
		return s, errors.New("credential: not a version 2 credential")
	}
	copy(s.kid[:], b[1:v2Head])
	end := len(b) - ed25519.SignatureSize
	s.head, s.claims, s.signature = b[:end], b[v2Head:end], b[end:]
	return s, nil
}

func (s *signedV2) verify(pub ed25519.PublicKey) bool {
	var buf [maxSign1Len + 32]byte
	msg := append(append(buf[:0], aadLetterV2...), s.head...)
	return len(pub) == ed25519.PublicKeySize && ed25519.Verify(pub, msg, s.signature)
}

// ParseV2 returns the claims of a version 2 QR text without checking its
// signature (for display and tests; Verifier.Verify checks everything).
func ParseV2(text string) (*ClaimsV2, error) {
	b, err := ParseQR(text)
	if err != nil {
		return nil, err
	}
	s, err := parseV2(b)
	if err != nil {
		return nil, err
	}
	c := new(ClaimsV2)
	if err := c.UnmarshalCBOR(s.claims); err != nil {
		return nil, err
	}
	return c, nil
}

// Version reports the credential version of a QR text by its first byte:
// 1, 2, or 0 when the text is not a credential.
func Version(text string) int {
	cred, err := credentialPart(text)
	if err != nil || len(cred) < 2 {
		return 0
	}
	v0, v1 := b32val[cred[0]], b32val[cred[1]]
	if v0 == 0xff || v1 == 0xff {
		return 0
	}
	switch v0<<3 | v1>>2 {
	case 0x84:
		return 1
	case v2Tag:
		return 2
	}
	return 0
}

// CompactPrefix returns the QR prefix for a verify page URL: its scheme and
// host in upper case (both are case-insensitive, RFC 3986 section 6.2.2.1),
// so that "HTTPS://HOST/" joins the credential in the QR alphanumeric mode,
// and the path as it is (paths are case-sensitive), then "#".
func CompactPrefix(verifyURL string) string {
	u := strings.TrimSuffix(verifyURL, "#")
	i := strings.Index(u, "://")
	if i < 0 {
		return u + "#"
	}
	end := len(u)
	if j := strings.IndexAny(u[i+3:], "/?"); j >= 0 {
		end = i + 3 + j
	}
	return strings.ToUpper(u[:end]) + u[end:] + "#"
}

package credential

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/fxamacker/cbor/v2"
)

// Limits on claim fields. They bound the size of the QR code, so raising one
// makes every letter's QR larger (see TestQRVersion).
const (
	MaxNameLen   = 40 // characters in ClientName, MemberName and Organization
	MaxNameBytes = 64 // UTF-8 bytes in the same fields (40 Latin characters with accents fit)
	MaxCodeLen   = 16 // printable ASCII in BarJurisdiction, BarNumber and Accreditation
	MaxPhoneLen  = 20 // characters in Phone: digits, space and + - ( ) .
)

// CredentialID is a random 128-bit identifier. It is random, not a hash of the
// credential, so that it names the letter and nothing else.
type CredentialID [16]byte

// NewCredentialID returns a random credential ID from crypto/rand.
func NewCredentialID() (CredentialID, error) {
	var id CredentialID
	_, err := rand.Read(id[:])
	return id, err
}

func (id CredentialID) String() string { return hex.EncodeToString(id[:]) }

// MarshalText encodes the ID as 32 lower-case hex digits.
func (id CredentialID) MarshalText() ([]byte, error) { return []byte(id.String()), nil }

// UnmarshalText decodes 32 hex digits.
func (id *CredentialID) UnmarshalText(b []byte) error {
	if hex.DecodedLen(len(b)) != len(id) {
		return errors.New("credential: id: want 32 hex digits")
	}
	_, err := hex.Decode(id[:], b)
	return err
}

// Claims is everything a letter's QR says, and nothing else: no immigration
// situation, address, date of birth or case number. A member is either an
// attorney (BarJurisdiction and BarNumber) or an accredited representative
// (Organization and Accreditation), never both.
//
// Times are encoded as whole Unix seconds; sub-second parts are dropped.
type Claims struct {
	ID              CredentialID `json:"id"`
	IssuedAt        time.Time    `json:"issued_at"`
	Expires         time.Time    `json:"expires"`
	StatusListID    uint32       `json:"status_list_id"`
	StatusIndex     uint32       `json:"status_index"`
	ClientName      string       `json:"client_name"`
	MemberName      string       `json:"member_name"`
	BarJurisdiction string       `json:"bar_jurisdiction,omitempty"`
	BarNumber       string       `json:"bar_number,omitempty"`
	Organization    string       `json:"organization,omitempty"` // recognized organization
	Accreditation   string       `json:"accreditation,omitempty"`
	Phone           string       `json:"phone"`
}

// claimsWire is the CBOR form of Claims; the integer keys are the key table
// in docs/credential.md.
type claimsWire struct {
	ID              []byte `cbor:"1,keyasint"`
	IssuedAt        uint64 `cbor:"2,keyasint"`
	Expires         uint64 `cbor:"3,keyasint"`
	StatusListID    uint32 `cbor:"4,keyasint"`
	StatusIndex     uint32 `cbor:"5,keyasint"`
	ClientName      string `cbor:"6,keyasint"`
	MemberName      string `cbor:"7,keyasint"`
	BarJurisdiction string `cbor:"8,keyasint,omitempty"`
	BarNumber       string `cbor:"9,keyasint,omitempty"`
	Organization    string `cbor:"10,keyasint,omitempty"`
	Accreditation   string `cbor:"11,keyasint,omitempty"`
	Phone           string `cbor:"12,keyasint"`
}

// FieldError reports an invalid field by its JSON name.
type FieldError struct {
	Field   string
	Problem string
}

func (e *FieldError) Error() string { return "credential: " + e.Field + ": " + e.Problem }

func fieldErr(field, format string, args ...any) error {
	return &FieldError{Field: field, Problem: fmt.Sprintf(format, args...)}
}

// Validate reports the first invalid field, naming it.
func (c *Claims) Validate() error {
	if c.ID == (CredentialID{}) {
		return fieldErr("id", "required")
	}
	if c.IssuedAt.Unix() <= 0 {
		return fieldErr("issued_at", "required")
	}
	if c.Expires.Unix() <= c.IssuedAt.Unix() {
		return fieldErr("expires", "must be after issued_at")
	}
	if c.Expires.Unix() > 1<<32 {
		return fieldErr("expires", "too far in the future")
	}
	if err := checkName("client_name", c.ClientName); err != nil {
		return err
	}
	if err := checkName("member_name", c.MemberName); err != nil {
		return err
	}
	attorney := c.BarJurisdiction != "" || c.BarNumber != ""
	accredited := c.Organization != "" || c.Accreditation != ""
	switch {
	case attorney && accredited:
		return fieldErr("bar_number", "an attorney's bar number and an accredited representative's organization cannot both be set")
	case attorney:
		if err := checkCode("bar_jurisdiction", c.BarJurisdiction); err != nil {
			return err
		}
		if err := checkCode("bar_number", c.BarNumber); err != nil {
			return err
		}
	case accredited:
		if err := checkName("organization", c.Organization); err != nil {
			return err
		}
		if err := checkCode("accreditation", c.Accreditation); err != nil {
			return err
		}
	default:
		return fieldErr("bar_number", "required (or organization and accreditation)")
	}
	return checkPhone(c.Phone)
}

func checkName(field, s string) error { return checkText(field, s, MaxNameLen, MaxNameBytes) }

// checkText accepts non-empty, trimmed, printable UTF-8 text (the ASCII space
// is the only space allowed) of at most maxRunes characters and maxBytes bytes.
func checkText(field, s string, maxRunes, maxBytes int) error {
	switch {
	case s == "":
		return fieldErr(field, "required")
	case !utf8.ValidString(s):
		return fieldErr(field, "not valid UTF-8")
	case utf8.RuneCountInString(s) > maxRunes:
		return fieldErr(field, "longer than %d characters", maxRunes)
	case len(s) > maxBytes:
		return fieldErr(field, "longer than %d bytes in UTF-8", maxBytes)
	case strings.TrimSpace(s) != s:
		return fieldErr(field, "leading or trailing space")
	}
	for _, r := range s {
		if !unicode.IsPrint(r) {
			return fieldErr(field, "contains non-printing character %U", r)
		}
	}
	return nil
}

func checkCode(field, s string) error { return checkASCII(field, s, MaxCodeLen) }

// checkASCII accepts non-empty, trimmed, printable ASCII of at most max bytes.
func checkASCII(field, s string, max int) error {
	switch {
	case s == "":
		return fieldErr(field, "required")
	case len(s) > max:
		return fieldErr(field, "longer than %d characters", max)
	case strings.TrimSpace(s) != s:
		return fieldErr(field, "leading or trailing space")
	}
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e {
			return fieldErr(field, "only printable ASCII is allowed")
		}
	}
	return nil
}

func checkPhone(s string) error {
	if s == "" {
		return fieldErr("phone", "required")
	}
	if len(s) > MaxPhoneLen {
		return fieldErr("phone", "longer than %d characters", MaxPhoneLen)
	}
	digits := 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
			digits++
		case strings.IndexByte("+ -().", c) >= 0:
		default:
			return fieldErr("phone", "only digits, space and + - ( ) . are allowed")
		}
	}
	if digits < 3 {
		return fieldErr("phone", "too few digits")
	}
	return nil
}

// MarshalCBOR validates the claims and returns their deterministic CBOR
// encoding (RFC 8949 core deterministic: shortest forms, sorted keys).
func (c *Claims) MarshalCBOR() ([]byte, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	w := claimsWire{
		ID:              c.ID[:],
		IssuedAt:        uint64(c.IssuedAt.Unix()),
		Expires:         uint64(c.Expires.Unix()),
		StatusListID:    c.StatusListID,
		StatusIndex:     c.StatusIndex,
		ClientName:      c.ClientName,
		MemberName:      c.MemberName,
		BarJurisdiction: c.BarJurisdiction,
		BarNumber:       c.BarNumber,
		Organization:    c.Organization,
		Accreditation:   c.Accreditation,
		Phone:           c.Phone,
	}
	return encMode.Marshal(&w)
}

// UnmarshalCBOR decodes claims, accepting only their deterministic encoding
// with known keys and valid fields: there is exactly one encoding of any
// claims.
func (c *Claims) UnmarshalCBOR(b []byte) error {
	var w claimsWire
	if err := decodeCanonical(b, &w); err != nil {
		return fmt.Errorf("credential: claims: %w", err)
	}
	if len(w.ID) != len(c.ID) {
		return fieldErr("id", "want %d bytes", len(c.ID))
	}
	if w.IssuedAt > 1<<32 {
		return fieldErr("issued_at", "too far in the future")
	}
	if w.Expires > 1<<32 {
		return fieldErr("expires", "too far in the future")
	}
	d := Claims{
		IssuedAt:        unixTime(w.IssuedAt),
		Expires:         unixTime(w.Expires),
		StatusListID:    w.StatusListID,
		StatusIndex:     w.StatusIndex,
		ClientName:      w.ClientName,
		MemberName:      w.MemberName,
		BarJurisdiction: w.BarJurisdiction,
		BarNumber:       w.BarNumber,
		Organization:    w.Organization,
		Accreditation:   w.Accreditation,
		Phone:           w.Phone,
	}
	copy(d.ID[:], w.ID)
	if err := d.Validate(); err != nil {
		return err
	}
	*c = d
	return nil
}

func unixTime(s uint64) time.Time { return time.Unix(int64(s), 0).UTC() }

// Shared CBOR modes: deterministic encoding; strict decoding (no duplicate
// keys, indefinite lengths, tags or unknown fields).
var (
	encMode = must(cbor.CoreDetEncOptions().EncMode())
	decMode = must(cbor.DecOptions{
		DupMapKey:         cbor.DupMapKeyEnforcedAPF,
		IndefLength:       cbor.IndefLengthForbidden,
		TagsMd:            cbor.TagsForbidden,
		ExtraReturnErrors: cbor.ExtraDecErrorUnknownField,
		MaxNestedLevels:   4,
	}.DecMode())
)

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// decodeCanonical decodes b into v (a pointer to a wire struct) and insists
// that b is exactly the deterministic encoding of the result, so that no
// field is missing, repeated, unknown or encoded in a longer form.
func decodeCanonical(b []byte, v any) error {
	if err := decMode.Unmarshal(b, v); err != nil {
		return err
	}
	again, err := encMode.Marshal(v)
	if err != nil {
		return err
	}
	if string(again) != string(b) {
		return errors.New("not in deterministic CBOR encoding, or a field is missing")
	}
	return nil
}

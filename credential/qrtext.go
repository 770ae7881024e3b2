package credential

import (
	"encoding/base32"
	"errors"
	"fmt"
	"strings"
)

// MaxQRText is the longest QR text ParseQR and Verify accept; longer input
// is rejected before any decoding. A letter's QR text is about 400 bytes.
const MaxQRText = 2048

// maxSign1Len is the most COSE_Sign1 bytes a QR text of MaxQRText can carry.
const maxSign1Len = MaxQRText * 5 / 8

// b32 is RFC 4648 base32 (A–Z, 2–7) without padding: every character is in
// the QR alphanumeric set, so the credential is one alphanumeric segment.
var b32 = base32.StdEncoding.WithPadding(base32.NoPadding)

// Errors from ParseQR (Verify reports them as not_genuine).
var (
	ErrQRTooLong = fmt.Errorf("credential: QR text longer than %d bytes", MaxQRText)
	ErrQREmpty   = errors.New("credential: QR text has no credential after '#'")
)

// Encode returns the QR text of a signed credential: prefix, then '#' unless
// prefix already ends with one, then the COSE_Sign1 bytes in upper-case
// base32 without padding. prefix is the verify page URL, for example
// "https://amparo.example.org/v#"; the credential travels in the URL
// fragment, which browsers never send to the server.
func Encode(prefix string, signed []byte) string {
	if !strings.HasSuffix(prefix, "#") {
		prefix += "#"
	}
	return prefix + b32.EncodeToString(signed)
}

// ParseQR returns the COSE_Sign1 bytes of a QR text. Any prefix up to the
// last '#' is accepted (a text with no '#' is taken as the credential alone);
// the credential must be canonical upper-case base32 without padding. It
// does not check the signature: see Verifier.Verify.
func ParseQR(text string) ([]byte, error) {
	cred, err := credentialPart(text)
	if err != nil {
		return nil, err
	}
	out := make([]byte, len(cred)*5/8)
	n, err := decodeBase32(out, cred)
	return out[:n], err
}

func credentialPart(text string) (string, error) {
	if len(text) > MaxQRText {
		return "", ErrQRTooLong
	}
	cred := text[strings.LastIndexByte(text, '#')+1:]
	if cred == "" {
		return "", ErrQREmpty
	}
	return cred, nil
}

// b32val maps a byte to its base32 value, or 0xff.
var b32val = func() (t [256]byte) {
	for i := range t {
		t[i] = 0xff
	}
	for i, c := range "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567" {
		t[c] = byte(i)
	}
	return t
}()

// decodeBase32 decodes s into dst (at least len(s)*5/8 bytes) strictly:
// only A–Z and 2–7, no padding, no white space, a length that whole bytes
// produce, and zero unused bits at the end, so that each byte string has
// exactly one text. (encoding/base32 skips newlines and ignores unused bits.)
func decodeBase32(dst []byte, s string) (int, error) {
	switch len(s) % 8 {
	case 1, 3, 6:
		return 0, errors.New("credential: QR text: credential length is not a whole number of bytes")
	}
	var acc uint64
	bits, n := 0, 0
	for i := 0; i < len(s); i++ {
		v := b32val[s[i]]
		if v == 0xff {
			return 0, fmt.Errorf("credential: QR text: character %q at %d is not in A–Z or 2–7", s[i], i)
		}
		acc = acc<<5 | uint64(v)
		bits += 5
		if bits >= 8 {
			bits -= 8
			dst[n] = byte(acc >> bits)
			n++
		}
	}
	if acc&(1<<bits-1) != 0 {
		return 0, errors.New("credential: QR text: non-zero padding bits in the last character")
	}
	return n, nil
}

package credential

import (
	"bytes"
	"strings"
	"testing"
)

// FuzzParseQR: the QR text parser and Verify never panic, and no text is
// valid unless its credential is exactly the one the seed corpus signed
// (only the prefix before the last '#' may differ).
//
//	go test -run '^$' -fuzz FuzzParseQR -fuzztime 10s ./credential/
func FuzzParseQR(f *testing.F) {
	w := newWorld(f, nil)
	signed, err := Sign(testClaims(), w.keyA)
	if err != nil {
		f.Fatal(err)
	}
	text := Encode(testPrefix, signed)
	cred := text[len(testPrefix):]
	textB := qr(f, testClaims(), w.keyB)
	genuine := map[string]bool{cred: true, textB[len(testPrefix):]: true}
	for _, s := range []string{
		text, cred, testPrefix, "", "#", "##", strings.ToLower(text), text + "A",
		text[:len(text)-1], "https://x/#" + cred[:40], testPrefix + "QQA76", testPrefix + "AAAAAAAA",
		textB, qr(f, testClaims(), testKey(9)),
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		b, err := ParseQR(s)
		if err == nil {
			// Canonical: the bytes re-encode to the credential part.
			if got := Encode("", b)[1:]; got != s[strings.LastIndexByte(s, '#')+1:] {
				t.Fatalf("ParseQR(%q) = %x, which encodes as %q", s, b, got)
			}
		}
		r := w.v.Verify(s, testNow)
		if r.Status == StatusValid && !genuine[s[strings.LastIndexByte(s, '#')+1:]] {
			t.Fatalf("mutated text %q verified as valid", s)
		}
		if (r.Status == StatusValid) != (r.Claims != nil && r.Status == StatusValid) {
			t.Fatalf("valid without claims: %+v", r)
		}
	})
}

// FuzzDecodeSign1: COSE_Sign1 and CBOR decoding never panic, accept only
// canonical bytes, and nothing but the exact signed bytes verifies.
//
//	go test -run '^$' -fuzz FuzzDecodeSign1 -fuzztime 10s ./credential/
func FuzzDecodeSign1(f *testing.F) {
	w := newWorld(f, nil)
	letter, err := Sign(testClaims(), w.keyA)
	if err != nil {
		f.Fatal(err)
	}
	list, err := SignStatusList(w.listA, w.keyA)
	if err != nil {
		f.Fatal(err)
	}
	claims, _ := testClaims().MarshalCBOR()
	for _, b := range [][]byte{
		letter, w.signed, list, claims, {}, {0x84}, {0xd2, 0x84}, letter[:len(letter)-1],
		append(append([]byte{}, letter...), 0), mustSignF(f, testClaims()),
	} {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if m, err := decodeSign1(b); err == nil {
			again := []byte{0x84, 0x40 | byte(protectedLen)}
			again = append(again, m.protected...)
			again = append(again, 0xa0)
			again = appendBstr(appendBstr(again, m.payload), m.signature)
			if !bytes.Equal(again, b) {
				t.Fatalf("decodeSign1 accepted non-canonical %x", b)
			}
		}
		if r := w.v.VerifySigned(b, testNow); r.Status == StatusValid && !bytes.Equal(b, letter) {
			t.Fatalf("mutated letter %x verified as valid", b)
		}
		if _, err := VerifyTrustList(b, pub(w.root)); err == nil && !bytes.Equal(b, w.signed) {
			t.Fatalf("mutated trust list %x verified", b)
		}
		if _, err := w.trust.VerifyStatusList(b); err == nil && !bytes.Equal(b, list) {
			t.Fatalf("mutated status list %x verified", b)
		}
		var c Claims
		if c.UnmarshalCBOR(b) == nil {
			if again, err := c.MarshalCBOR(); err != nil || !bytes.Equal(again, b) {
				t.Fatalf("claims %x decoded but re-encode to %x, %v", b, again, err)
			}
		}
	})
}

func mustSignF(tb testing.TB, c *Claims) []byte {
	tb.Helper()
	signed, err := Sign(c, testKey(2))
	if err != nil {
		tb.Fatal(err)
	}
	return signed
}

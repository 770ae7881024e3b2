package credential

import (
	"bytes"
	"strings"
	"testing"
)

// FuzzParseV2: the version 2 parser and Verify never panic, and no text is
// valid unless its credential is exactly one the seed corpus signed.
//
//	go test -run '^$' -fuzz FuzzParseV2 -fuzztime 10s ./credential/
func FuzzParseV2(f *testing.F) {
	w := newWorldV2(f, nil)
	text := qrV2(f, testClaimsV2(), w.keyA)
	textB := qrV2(f, testClaimsV2(), w.keyB)
	v1 := qr(f, testClaims(), w.keyA)
	genuine := map[string]bool{}
	for _, s := range []string{text, textB, v1} {
		genuine[s[strings.LastIndexByte(s, '#')+1:]] = true
	}
	cred := text[len(testPrefixUpper):]
	for _, s := range []string{
		text, cred, textB, v1, testPrefixUpper, "", "#", strings.ToLower(text), text + "A",
		text[:len(text)-1], testPrefixUpper + cred[:40], testPrefixUpper + "AE", testPrefixUpper + "AEAAAAAA",
		qrV2(f, testClaimsV2(), testKey(9)),
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if c, err := ParseV2(s); err == nil {
			if b, err := c.MarshalCBOR(); err != nil || len(b) == 0 {
				t.Fatalf("ParseV2(%q) = %+v, which does not re-encode: %v", s, c, err)
			}
		}
		r := w.v.Verify(s, testNow)
		if r.Status == StatusValid && !genuine[s[strings.LastIndexByte(s, '#')+1:]] {
			t.Fatalf("mutated text %q verified as valid", s)
		}
		if r.Status != StatusValid && r.Status != StatusExpired && r.Status != StatusRevoked &&
			(r.ClaimsV2 != nil || r.Member != nil || r.Contact != "") {
			t.Fatalf("%q shows claims or a contact: %+v", r.Status, r)
		}
	})
}

// FuzzDecodeRoster: the roster decoder never panics, accepts only canonical
// rosters, and only the exact signed bytes verify.
//
//	go test -run '^$' -fuzz FuzzDecodeRoster -fuzztime 10s ./credential/
func FuzzDecodeRoster(f *testing.F) {
	w := newWorld(f, nil)
	good, err := SignRoster(testRoster("org-a"), w.keyA)
	if err != nil {
		f.Fatal(err)
	}
	small := testRoster("org-a")
	small.Members = small.Members[:1]
	goodSmall, _ := SignRoster(small, w.keyA)
	status, _ := SignStatusList(w.listA, w.keyA)
	for _, b := range [][]byte{good, goodSmall, good[:len(good)-1], status, nil, {0x84}, append(bytes.Clone(good), 0)} {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if r, err := DecodeRoster(b); err == nil {
			if err := r.Validate(); err != nil {
				t.Fatalf("decoded an invalid roster: %v", err)
			}
		}
		if _, err := w.trust.VerifyRoster(b); err == nil && !bytes.Equal(b, good) && !bytes.Equal(b, goodSmall) {
			t.Fatalf("changed roster %x verified", b)
		}
	})
}

package credential

import (
	"bytes"
	"crypto/ed25519"
	"testing"
	"time"
)

// testNow is the fixed "now" of the tests.
var testNow = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

const testPrefix = "https://amparo.example.org/v#"

// testKey returns a fixed Ed25519 key whose seed is 32 copies of b.
func testKey(b byte) ed25519.PrivateKey {
	return ed25519.NewKeyFromSeed(bytes.Repeat([]byte{b}, ed25519.SeedSize))
}

func pub(k ed25519.PrivateKey) ed25519.PublicKey { return k.Public().(ed25519.PublicKey) }

// testClaims returns a fictional attorney's letter, issued a month before
// testNow for a year, in status list 1.
func testClaims() *Claims {
	return &Claims{
		ID:              CredentialID{0x6f, 0x1c, 0x2a, 0x90, 0x11, 0x52, 0x4b, 0x0e, 0x9d, 0x33, 0x01, 0xaa, 0x7e, 0x45, 0xc2, 0x18},
		IssuedAt:        testNow.AddDate(0, -1, 0),
		Expires:         testNow.AddDate(1, -1, 0),
		StatusListID:    1,
		StatusIndex:     94321,
		ClientName:      "Ana Ejemplo Prueba",
		MemberName:      "Lic. Tomás Ficticio",
		BarJurisdiction: "CA",
		BarNumber:       "999001",
		Phone:           "+1 213 555 0100",
	}
}

// world is a program with a root key, two organizations and their status
// lists, signed and loaded into a verifier.
type world struct {
	root       ed25519.PrivateKey
	keyA, keyB ed25519.PrivateKey // issuing keys of org-a and org-b
	trust      *TrustList
	signed     []byte // the signed trust list
	listA      *StatusList
	v          *Verifier
}

func newWorld(tb testing.TB, edit func(*TrustList)) *world {
	tb.Helper()
	w := &world{root: testKey(1), keyA: testKey(2), keyB: testKey(3)}
	from, to := testNow.AddDate(-1, 0, 0), testNow.AddDate(2, 0, 0)
	w.trust = &TrustList{IssuedAt: testNow.Add(-time.Hour), Keys: []TrustedKey{
		NewTrustedKey("org-a", "Centro Legal Ficticio", pub(w.keyA), from, to),
		NewTrustedKey("org-b", "Fictional Defenders Collective", pub(w.keyB), from, to),
	}}
	if edit != nil {
		edit(w.trust)
	}
	var err error
	if w.signed, err = SignTrustList(w.trust, w.root); err != nil {
		tb.Fatal(err)
	}
	trust, err := VerifyTrustList(w.signed, pub(w.root))
	if err != nil {
		tb.Fatal(err)
	}
	if w.v, err = NewVerifier(trust); err != nil {
		tb.Fatal(err)
	}
	if w.listA, err = NewStatusList("org-a", 1, MinStatusListLen); err != nil {
		tb.Fatal(err)
	}
	w.listA.IssuedAt = testNow.Add(-2 * time.Hour)
	listB, _ := NewStatusList("org-b", 1, MinStatusListLen)
	listB.IssuedAt = w.listA.IssuedAt
	// edit may have revoked or retired a key: such lists are left out.
	for _, l := range []struct {
		list *StatusList
		key  ed25519.PrivateKey
	}{{w.listA, w.keyA}, {listB, w.keyB}} {
		signed, err := SignStatusList(l.list, l.key)
		if err != nil {
			tb.Fatal(err)
		}
		if _, err := w.v.AddStatusList(signed); err != nil && edit == nil {
			tb.Fatal(err)
		}
	}
	return w
}

func (w *world) addList(tb testing.TB, l *StatusList, key ed25519.PrivateKey) {
	tb.Helper()
	signed, err := SignStatusList(l, key)
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := w.v.AddStatusList(signed); err != nil {
		tb.Fatal(err)
	}
}

// qr signs c with key and returns its QR text.
func qr(tb testing.TB, c *Claims, key ed25519.PrivateKey) string {
	tb.Helper()
	signed, err := Sign(c, key)
	if err != nil {
		tb.Fatal(err)
	}
	return Encode(testPrefix, signed)
}

package credential

import (
	"crypto/ed25519"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/veraison/go-cose"

	"github.com/amparo-project/amparo/internal/testenv"
)

func TestVerify(t *testing.T) {
	w := newWorld(t, nil)
	revoked := testClaims()
	revoked.StatusIndex = 7
	if err := w.listA.SetRevoked(7, true); err != nil {
		t.Fatal(err)
	}
	w.listA.IssuedAt = w.listA.IssuedAt.Add(time.Minute)
	w.addList(t, w.listA, w.keyA)
	noList := testClaims()
	noList.StatusListID = 99
	forged := forgeKID(t, testClaims(), testKey(9), KeyIDOf(pub(w.keyA)))

	tests := []struct {
		name  string
		text  string
		now   time.Time
		want  Status
		claim bool // claims in the result
	}{
		{"Valid", qr(t, testClaims(), w.keyA), testNow, StatusValid, true},
		{"ValidOtherOrganization", qr(t, testClaims(), w.keyB), testNow, StatusValid, true},
		{"Expired", qr(t, testClaims(), w.keyA), testClaims().Expires, StatusExpired, true},
		{"Revoked", qr(t, revoked, w.keyA), testNow, StatusRevoked, true},
		{"RevokedAndExpired", qr(t, revoked, w.keyA), testNow.AddDate(2, 0, 0), StatusExpired, true},
		{"NoStatusList", qr(t, noList, w.keyA), testNow, StatusValid, true},
		{"UnknownIssuer", qr(t, testClaims(), testKey(9)), testNow, StatusUnknownIssuer, false},
		{"WrongKey", forged, testNow, StatusNotGenuine, false},
		{"Garbage", testPrefix + "NOTACREDENTIAL", testNow, StatusNotGenuine, false},
		{"Empty", "", testNow, StatusNotGenuine, false},
		{"TooLong", testPrefix + strings.Repeat("A", MaxQRText), testNow, StatusNotGenuine, false},
		{"LowerCase", strings.ToLower(qr(t, testClaims(), w.keyA)), testNow, StatusNotGenuine, false},
		{"OtherPrefix", "HTTPS://ELSEWHERE.EXAMPLE/V#x#" + qr(t, testClaims(), w.keyA)[len(testPrefix):], testNow, StatusValid, true},
		{"NoPrefix", qr(t, testClaims(), w.keyA)[len(testPrefix):], testNow, StatusValid, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := w.v.Verify(tt.text, tt.now)
			if r.Status != tt.want {
				t.Fatalf("status %q (%s), want %q", r.Status, r.Reason, tt.want)
			}
			if (r.Claims != nil) != tt.claim {
				t.Errorf("claims %+v, want present=%v", r.Claims, tt.claim)
			}
			if tt.claim && r.Claims.ClientName != testClaims().ClientName {
				t.Errorf("claims %+v", r.Claims)
			}
			if !r.CheckedAt.Equal(tt.now) {
				t.Errorf("checked_at %v, want %v", r.CheckedAt, tt.now)
			}
		})
	}

	t.Run("StatusListAsOf", func(t *testing.T) {
		r := w.v.Verify(qr(t, testClaims(), w.keyA), testNow)
		if r.StatusListAsOf == nil || !r.StatusListAsOf.Equal(w.listA.IssuedAt) {
			t.Fatalf("status_list_as_of %v, want %v", r.StatusListAsOf, w.listA.IssuedAt)
		}
		if r := w.v.Verify(qr(t, noList, w.keyA), testNow); r.StatusListAsOf != nil || r.Reason == "" {
			t.Errorf("no list: as of %v, reason %q", r.StatusListAsOf, r.Reason)
		}
	})

	t.Run("JSON", func(t *testing.T) {
		b, err := json.Marshal(w.v.Verify(qr(t, testClaims(), w.keyA), testNow))
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{`"status":"valid"`, `"client_name":"Ana Ejemplo Prueba"`,
			`"status_list_as_of":"2026-03-01T10:01:00Z"`, `"id":"6f1c2a9011524b0e9d3301aa7e45c218"`} {
			if !strings.Contains(string(b), want) {
				t.Errorf("%s lacks %s", b, want)
			}
		}
	})

	t.Run("KidCollision", func(t *testing.T) {
		// Two trusted keys share a kid: the verifier tries both.
		w := newWorld(t, nil)
		kid := KeyIDOf(pub(w.keyA))
		decoy := &TrustedKey{KeyID: kid, OrgID: "org-x", OrgName: "Decoy", PublicKey: pub(testKey(8)),
			ValidFrom: time.Unix(1, 0), ValidTo: time.Unix(1<<32, 0), Status: KeyActive}
		w.v.byKID[kid] = append([]*TrustedKey{decoy}, w.v.byKID[kid]...)
		if r := w.v.Verify(qr(t, testClaims(), w.keyA), testNow); r.Status != StatusValid || r.Issuer != "Centro Legal Ficticio" {
			t.Fatalf("%q %q (%s)", r.Status, r.Issuer, r.Reason)
		}
	})
}

// forgeKID signs c with key but names the kid of another key.
func forgeKID(t *testing.T, c *Claims, key ed25519.PrivateKey, kid KeyID) string {
	t.Helper()
	payload, err := c.MarshalCBOR()
	if err != nil {
		t.Fatal(err)
	}
	signer, _ := cose.NewSigner(cose.AlgorithmEdDSA, key)
	h := cose.Headers{Protected: cose.ProtectedHeader{cose.HeaderLabelAlgorithm: cose.AlgorithmEdDSA, cose.HeaderLabelKeyID: kid[:]}}
	signed, err := cose.Sign1Untagged(nil, signer, h, payload, aadLetter)
	if err != nil {
		t.Fatal(err)
	}
	return Encode(testPrefix, signed)
}

func TestVerify_IssuerRevoked(t *testing.T) {
	w := newWorld(t, func(tl *TrustList) { tl.Keys[0].Status = KeyRevoked })
	r := w.v.Verify(qr(t, testClaims(), w.keyA), testNow)
	if r.Status != StatusIssuerRevoked || r.Claims != nil {
		t.Fatalf("org-a letter: %q claims %v (%s)", r.Status, r.Claims, r.Reason)
	}
	// No other organization's letters are touched.
	if r := w.v.Verify(qr(t, testClaims(), w.keyB), testNow); r.Status != StatusValid {
		t.Fatalf("org-b letter: %q (%s)", r.Status, r.Reason)
	}
}

func TestVerify_RotatedKey(t *testing.T) {
	rotation := testNow.AddDate(0, 0, -10)
	newKey := testKey(4)
	w := newWorld(t, func(tl *TrustList) {
		tl.Keys[0].Status = KeyRetired
		tl.Keys[0].ValidTo = rotation
		tl.Keys = append(tl.Keys, NewTrustedKey("org-a", "Centro Legal Ficticio", pub(newKey), rotation, testNow.AddDate(2, 0, 0)))
	})
	before := testClaims() // issued a month ago, before the rotation
	after := testClaims()
	after.IssuedAt = rotation.Add(time.Hour)
	tests := []struct {
		name string
		text string
		now  time.Time
		want Status
	}{
		{"OldLetterOldKey", qr(t, before, w.keyA), testNow, StatusValid},
		{"OldLetterExpires", qr(t, before, w.keyA), before.Expires, StatusExpired},
		{"NewLetterNewKey", qr(t, after, newKey), testNow, StatusValid},
		{"NewLetterRetiredKey", qr(t, after, w.keyA), testNow, StatusUnknownIssuer},
		{"BeforeNewKeyValid", qr(t, before, newKey), testNow, StatusUnknownIssuer},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if r := w.v.Verify(tt.text, tt.now); r.Status != tt.want {
				t.Fatalf("%q (%s), want %q", r.Status, r.Reason, tt.want)
			}
		})
	}
	t.Run("StatusListFromNewKey", func(t *testing.T) {
		// The organization's new key signs the list its old letters use.
		l, _ := NewStatusList("org-a", 1, MinStatusListLen)
		l.IssuedAt = testNow.Add(-time.Minute)
		_ = l.SetRevoked(before.StatusIndex, true)
		w.addList(t, l, newKey)
		if r := w.v.Verify(qr(t, before, w.keyA), testNow); r.Status != StatusRevoked {
			t.Fatalf("%q (%s)", r.Status, r.Reason)
		}
	})
}

// Every change of one byte of the signed bytes, and of one character of the
// QR text's credential, fails; so does every truncation.
func TestVerify_EveryByteChanged(t *testing.T) {
	w := newWorld(t, nil)
	signed, err := Sign(testClaims(), w.keyA)
	if err != nil {
		t.Fatal(err)
	}
	if r := w.v.VerifySigned(signed, testNow); r.Status != StatusValid {
		t.Fatalf("unchanged: %q (%s)", r.Status, r.Reason)
	}
	mutated := make([]byte, len(signed))
	// CI changes every byte in all 255 ways; a developer's go test ./...
	// in each single bit and all bits at once.
	deltas := make([]int, 0, 255)
	for d := 1; d < 256; d++ {
		if testenv.CI() || d&(d-1) == 0 || d == 255 {
			deltas = append(deltas, d)
		}
	}
	for i := range signed {
		for _, d := range deltas {
			copy(mutated, signed)
			mutated[i] ^= byte(d)
			if r := w.v.VerifySigned(mutated, testNow); r.Status != StatusNotGenuine && r.Status != StatusUnknownIssuer {
				t.Fatalf("byte %d ^ %#x: %q", i, d, r.Status)
			}
		}
		if r := w.v.VerifySigned(signed[:i], testNow); r.Status != StatusNotGenuine {
			t.Fatalf("truncated to %d: %q", i, r.Status)
		}
	}
	text := Encode(testPrefix, signed)
	for i := len(testPrefix); i < len(text); i++ {
		for _, c := range "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567=a0 #" {
			if byte(c) == text[i] {
				continue
			}
			m := text[:i] + string(c) + text[i+1:]
			if r := w.v.Verify(m, testNow); r.Status == StatusValid {
				t.Fatalf("char %d → %q: valid", i, c)
			}
		}
	}
}

func TestVerify_StatusListSignedByWrongKey(t *testing.T) {
	w := newWorld(t, nil)
	tests := []struct {
		name string
		key  ed25519.PrivateKey
		org  string
	}{
		{"UntrustedKey", testKey(9), "org-a"},
		{"OtherOrganizationsKey", w.keyB, "org-a"},
		{"RootKey", w.root, "org-a"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l, _ := NewStatusList(tt.org, 1, MinStatusListLen)
			l.IssuedAt = testNow
			signed, err := SignStatusList(l, tt.key)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := w.v.AddStatusList(signed); err == nil {
				t.Fatal("accepted")
			}
			if _, err := w.trust.VerifyStatusList(signed); err == nil {
				t.Fatal("TrustList.VerifyStatusList accepted")
			}
		})
	}
	t.Run("RevokedKey", func(t *testing.T) {
		w := newWorld(t, func(tl *TrustList) { tl.Keys[1].Status = KeyRevoked })
		l, _ := NewStatusList("org-b", 1, MinStatusListLen)
		l.IssuedAt = testNow
		signed, _ := SignStatusList(l, w.keyB)
		if _, err := w.v.AddStatusList(signed); err == nil {
			t.Fatal("accepted")
		}
	})
	t.Run("OutsideKeyValidity", func(t *testing.T) {
		l, _ := NewStatusList("org-a", 1, MinStatusListLen)
		l.IssuedAt = testNow.AddDate(5, 0, 0)
		signed, _ := SignStatusList(l, w.keyA)
		if _, err := w.v.AddStatusList(signed); err == nil {
			t.Fatal("accepted")
		}
	})
	t.Run("LetterSignatureAsStatusList", func(t *testing.T) {
		signed, _ := Sign(testClaims(), w.keyA)
		if _, err := w.v.AddStatusList(signed); err == nil {
			t.Fatal("accepted")
		}
	})
}

func TestVerify_OlderStatusListIgnored(t *testing.T) {
	w := newWorld(t, nil)
	old, _ := NewStatusList("org-a", 1, MinStatusListLen)
	old.IssuedAt = w.listA.IssuedAt.Add(-time.Hour)
	_ = old.SetRevoked(testClaims().StatusIndex, true)
	w.addList(t, old, w.keyA)
	if r := w.v.Verify(qr(t, testClaims(), w.keyA), testNow); r.Status != StatusValid {
		t.Fatalf("%q: an older list replaced a newer one", r.Status)
	}
}

// go-cose verifies what Sign produces, so other COSE libraries can too.
func TestSign_GoCoseInterop(t *testing.T) {
	key := testKey(2)
	signed, err := Sign(testClaims(), key)
	if err != nil {
		t.Fatal(err)
	}
	var m cose.UntaggedSign1Message
	if err := m.UnmarshalCBOR(signed); err != nil {
		t.Fatal(err)
	}
	verifier, _ := cose.NewVerifier(cose.AlgorithmEdDSA, pub(key))
	if err := m.Verify(aadLetter, verifier); err != nil {
		t.Fatal(err)
	}
	kid := KeyIDOf(pub(key))
	if got, _ := m.Headers.Protected[cose.HeaderLabelKeyID].([]byte); string(got) != string(kid[:]) {
		t.Errorf("protected kid %x, want %x", got, kid)
	}
	if len(m.Headers.Unprotected) != 0 {
		t.Errorf("unprotected header %v, want empty", m.Headers.Unprotected)
	}
}

package credential

import (
	"bytes"
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"filippo.io/edwards25519"
)

func TestVerifyTrustList(t *testing.T) {
	w := newWorld(t, nil)
	t.Run("RoundTrip", func(t *testing.T) {
		got, err := VerifyTrustList(w.signed, pub(w.root))
		if err != nil {
			t.Fatal(err)
		}
		a, _ := json.Marshal(got)
		b, _ := json.Marshal(w.trust)
		if string(a) != string(b) {
			t.Fatalf("got %s\nwant %s", a, b)
		}
	})
	t.Run("WrongRoot", func(t *testing.T) {
		if _, err := VerifyTrustList(w.signed, pub(testKey(9))); err == nil {
			t.Fatal("accepted a trust list against the wrong root")
		}
		forged, _ := SignTrustList(w.trust, testKey(9))
		if _, err := VerifyTrustList(forged, pub(w.root)); err == nil {
			t.Fatal("accepted a trust list signed by the wrong root")
		}
	})
	t.Run("SignedByIssuingKey", func(t *testing.T) {
		forged, _ := SignTrustList(w.trust, w.keyA)
		if _, err := VerifyTrustList(forged, pub(w.root)); err == nil {
			t.Fatal("accepted")
		}
	})
	t.Run("EveryByteChanged", func(t *testing.T) {
		m := make([]byte, len(w.signed))
		for i := range w.signed {
			copy(m, w.signed)
			m[i] ^= 0x01
			if _, err := VerifyTrustList(m, pub(w.root)); err == nil {
				t.Fatalf("byte %d changed: accepted", i)
			}
		}
	})
}

func TestTrustList_Validate(t *testing.T) {
	tests := []struct {
		name, field string
		edit        func(*TrustList)
	}{
		{"NoIssuedAt", "issued_at", func(tl *TrustList) { tl.IssuedAt = time.Time{} }},
		{"WrongKID", "keys[0].kid", func(tl *TrustList) { tl.Keys[0].KeyID[0] ^= 1 }},
		{"ShortKey", "keys[1].public_key", func(tl *TrustList) { tl.Keys[1].PublicKey = tl.Keys[1].PublicKey[:31] }},
		{"DuplicateKey", "keys[1].public_key", func(tl *TrustList) { tl.Keys[1] = tl.Keys[0] }},
		{"NoOrgID", "keys[0].org_id", func(tl *TrustList) { tl.Keys[0].OrgID = "" }},
		{"NoOrgName", "keys[0].org_name", func(tl *TrustList) { tl.Keys[0].OrgName = "" }},
		{"ValidToBeforeFrom", "keys[0].valid_to", func(tl *TrustList) { tl.Keys[0].ValidTo = tl.Keys[0].ValidFrom }},
		{"BadStatus", "keys[0].status", func(tl *TrustList) { tl.Keys[0].Status = 0 }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newWorld(t, nil)
			tt.edit(w.trust)
			_, err := SignTrustList(w.trust, w.root)
			var fe *FieldError
			if !errors.As(err, &fe) || fe.Field != tt.field {
				t.Fatalf("error %v, want one for %s", err, tt.field)
			}
		})
	}
}

func TestKeyStatus_Text(t *testing.T) {
	for _, s := range []KeyStatus{KeyActive, KeyRetired, KeyRevoked} {
		b, err := s.MarshalText()
		var back KeyStatus
		if err != nil || back.UnmarshalText(b) != nil || back != s {
			t.Errorf("%v: %s, %v → %v", s, b, err, back)
		}
	}
	var s KeyStatus
	if s.UnmarshalText([]byte("lost")) == nil {
		t.Error("accepted an unknown status")
	}
}

// TestCanonicalPublicKey: a trust list carries only canonical keys of the
// prime-order subgroup, which every Ed25519 verifier treats alike.
func TestCanonicalPublicKey(t *testing.T) {
	seeded := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{7}, 32)).Public().(ed25519.PublicKey)
	identity := append([]byte{1}, make([]byte, 31)...)
	pPlus1 := append([]byte{0xee}, append(bytes.Repeat([]byte{0xff}, 30), 0x7f)...)
	negZero := append(append([]byte{1}, make([]byte, 30)...), 0x80) // y = 1 with the sign bit: x = 0 negated
	// The seeded key plus a point of order 8 (a point of mixed order).
	order8, _ := hex.DecodeString("c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a")
	a, _ := new(edwards25519.Point).SetBytes(seeded)
	t8, err := new(edwards25519.Point).SetBytes(order8)
	if err != nil {
		t.Fatal(err)
	}
	mixed := new(edwards25519.Point).Add(a, t8).Bytes()
	for _, tt := range []struct {
		name string
		pub  []byte
		want bool
	}{
		{"made from a seed", seeded, true},
		{"identity (small order)", identity, false},
		{"order 8", order8, false},
		{"mixed order", mixed, false},
		{"y = p + 1 (not canonical)", pPlus1, false},
		{"negative zero x", negZero, false},
		{"not on the curve", append([]byte{2}, make([]byte, 31)...), false},
		{"31 bytes", seeded[:31], false},
	} {
		if got := CanonicalPublicKey(tt.pub); got != tt.want {
			t.Errorf("%s: %v, want %v", tt.name, got, tt.want)
		}
	}
	tl := &TrustList{IssuedAt: time.Unix(1e9, 0), Keys: []TrustedKey{NewTrustedKey("org-a", "Org A", ed25519.PublicKey(mixed), time.Unix(1e9, 0), time.Unix(2e9, 0))}}
	if err := tl.Validate(); err == nil || !strings.Contains(err.Error(), "keys[0].public_key") {
		t.Errorf("a trust list with a key of mixed order: %v", err)
	}
}

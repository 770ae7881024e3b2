package credential

import (
	"encoding/json"
	"errors"
	"testing"
	"time"
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

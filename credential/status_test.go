package credential

import (
	"testing"
	"time"
)

func TestStatusList(t *testing.T) {
	l, err := NewStatusList("org-a", 3, MinStatusListLen)
	if err != nil {
		t.Fatal(err)
	}
	for _, i := range []uint32{0, 7, 8, 131071} {
		if err := l.SetRevoked(i, true); err != nil {
			t.Fatal(err)
		}
	}
	if err := l.SetRevoked(MinStatusListLen, true); err == nil {
		t.Error("SetRevoked past the end succeeded")
	}
	_ = l.SetRevoked(8, false)
	if l.bits[0] != 0x81 || l.bits[1] != 0 || l.bits[len(l.bits)-1] != 0x01 {
		t.Fatalf("bit order: first bytes %x %x, last %x", l.bits[0], l.bits[1], l.bits[len(l.bits)-1])
	}
	if !l.Revoked(MinStatusListLen) {
		t.Error("an index past the end must count as revoked")
	}
	for _, n := range []int{0, MinStatusListLen - 8, MinStatusListLen + 1, MaxStatusListLen + 8} {
		if _, err := NewStatusList("org-a", 1, n); err == nil {
			t.Errorf("NewStatusList(%d) succeeded", n)
		}
	}
}

// A list of 131,072 entries with 1,000 revoked at random indexes stays under
// 2 KB compressed, and round-trips through signing and verification.
func TestStatusList_Size(t *testing.T) {
	w := newWorld(t, nil)
	l, _ := NewStatusList("org-a", 1, MinStatusListLen)
	revoked := map[uint32]bool{}
	for len(revoked) < 1000 {
		i, err := RandomIndex(MinStatusListLen, func(i uint32) bool { return revoked[i] })
		if err != nil {
			t.Fatal(err)
		}
		revoked[i] = true
		_ = l.SetRevoked(i, true)
	}
	l.IssuedAt = testNow
	signed, err := SignStatusList(l, w.keyA)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("signed status list of %d entries, %d revoked: %d bytes", l.Len(), len(revoked), len(signed))
	if len(signed) >= 2048 {
		t.Fatalf("signed status list is %d bytes, want under 2048", len(signed))
	}
	got, err := w.trust.VerifyStatusList(signed)
	if err != nil {
		t.Fatal(err)
	}
	if got.OrgID != "org-a" || got.ID != 1 || !got.IssuedAt.Equal(testNow) || got.Len() != MinStatusListLen {
		t.Fatalf("got %s/%d at %v, %d entries", got.OrgID, got.ID, got.IssuedAt, got.Len())
	}
	for i := uint32(0); i < MinStatusListLen; i++ {
		if got.Revoked(i) != revoked[i] {
			t.Fatalf("index %d: revoked %v", i, got.Revoked(i))
		}
	}
}

func TestStatusList_RejectsBombs(t *testing.T) {
	for name, z := range map[string][]byte{
		"TooShort": gz(t, make([]byte, MinStatusListLen/8-1)),
		"TooLong":  gz(t, make([]byte, MaxStatusListLen/8+1)),
		"NotGzip":  []byte("not gzip"),
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := gunzip(z); err == nil {
				t.Fatal("accepted")
			}
		})
	}
}

func gz(t *testing.T, b []byte) []byte {
	t.Helper()
	l := &StatusList{OrgID: "org-a", ID: 1, IssuedAt: time.Unix(1, 0), bits: b}
	signed, err := SignStatusList(l, testKey(2))
	if err != nil {
		t.Fatal(err)
	}
	m, _ := decodeSign1(signed)
	var w statusWire
	if err := decodeCanonical(m.payload, &w); err != nil {
		t.Fatal(err)
	}
	return w.Bits
}

func TestRandomIndex(t *testing.T) {
	t.Run("AvoidsUsed", func(t *testing.T) {
		used := map[uint32]bool{}
		for i := 0; i < 64; i++ {
			n, err := RandomIndex(64, func(i uint32) bool { return used[i] })
			if err != nil {
				t.Fatal(err)
			}
			if used[n] || n >= 64 {
				t.Fatalf("index %d reused or out of range", n)
			}
			used[n] = true
		}
		if _, err := RandomIndex(64, func(i uint32) bool { return used[i] }); err != ErrStatusListFull {
			t.Fatalf("full list: %v", err)
		}
	})
	t.Run("Spread", func(t *testing.T) {
		var low int
		for i := 0; i < 1000; i++ {
			n, _ := RandomIndex(MinStatusListLen, func(uint32) bool { return false })
			if n < MinStatusListLen/2 {
				low++
			}
		}
		if low < 400 || low > 600 {
			t.Fatalf("%d of 1000 indexes in the lower half", low)
		}
	})
}

package credential

import (
	"bytes"
	"testing"
)

func TestBundle_RoundTrip(t *testing.T) {
	w := newWorld(t, nil)
	c := testClaims()
	w.listA.SetRevoked(c.StatusIndex, true)
	statusA, err := SignStatusList(w.listA, w.keyA)
	if err != nil {
		t.Fatal(err)
	}
	b := &Bundle{Root: pub(w.root), TrustList: w.signed, StatusLists: [][]byte{statusA, []byte("junk")}}
	data, err := MarshalBundle(b)
	if err != nil {
		t.Fatal(err)
	}
	got, err := ParseBundle(data)
	if err != nil {
		t.Fatal(err)
	}
	v, rejected, err := got.Verifier()
	if err != nil {
		t.Fatal(err)
	}
	if len(rejected) != 1 {
		t.Fatalf("rejected %v, want the junk list alone", rejected)
	}
	if r := v.Verify(qr(t, c, w.keyA), testNow); r.Status != StatusRevoked {
		t.Fatalf("status %s, want revoked from the bundle's status list", r.Status)
	}
	other := *got
	other.Root = bytes.Repeat([]byte{1}, 32)
	if _, _, err := other.Verifier(); err == nil {
		t.Fatal("a trust list accepted under another root")
	}
	if _, err := ParseBundle([]byte("not cbor")); err == nil {
		t.Fatal("junk parsed as a bundle")
	}
}

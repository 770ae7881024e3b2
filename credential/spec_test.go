package credential

import (
	"bytes"
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"
)

// specVectors reads the fenced blocks marked ```vector NAME from the
// specification, with white space removed except in JSON blocks.
func specVectors(t *testing.T) map[string]string {
	t.Helper()
	doc, err := os.ReadFile("../docs/credential.md")
	if err != nil {
		t.Fatal(err)
	}
	vectors := map[string]string{}
	for _, m := range regexp.MustCompile("(?s)```vector ([a-z0-9-]+)\n(.*?)```").FindAllStringSubmatch(string(doc), -1) {
		v := m[2]
		if !strings.HasPrefix(v, "{") {
			v = strings.Join(strings.Fields(v), "")
		}
		vectors[m[1]] = v
	}
	return vectors
}

// TestSpecVectors checks that the code reproduces the test vectors in
// docs/credential.md exactly, and verifies them as the document says.
func TestSpecVectors(t *testing.T) {
	vec := specVectors(t)
	unhex := func(name string) []byte {
		t.Helper()
		v, ok := vec[name]
		if !ok {
			t.Fatalf("vector %s missing from docs/credential.md", name)
		}
		b, err := hex.DecodeString(v)
		if err != nil {
			t.Fatalf("vector %s: %v", name, err)
		}
		return b
	}
	equal := func(name string, got []byte) {
		t.Helper()
		if want := unhex(name); !bytes.Equal(got, want) {
			t.Errorf("vector %s:\n got %x\nwant %x", name, got, want)
		}
	}

	issuer := ed25519.NewKeyFromSeed(unhex("issuer-seed"))
	root := ed25519.NewKeyFromSeed(unhex("root-seed"))
	equal("issuer-public-key", pub(issuer))
	equal("root-public-key", pub(root))
	kid, rootKID := KeyIDOf(pub(issuer)), KeyIDOf(pub(root))
	equal("issuer-kid", kid[:])
	equal("root-kid", rootKID[:])

	var c Claims
	if err := json.Unmarshal([]byte(vec["claims"]), &c); err != nil {
		t.Fatalf("vector claims: %v", err)
	}
	cb, err := c.MarshalCBOR()
	if err != nil {
		t.Fatal(err)
	}
	equal("claims-cbor", cb)
	signed, err := Sign(&c, issuer)
	if err != nil {
		t.Fatal(err)
	}
	equal("letter-cose", signed)
	m, err := decodeSign1(signed)
	if err != nil {
		t.Fatal(err)
	}
	equal("sig-structure", appendSigStructure(nil, &m, aadLetter))
	text := Encode("https://amparo.example.org/v#", signed)
	if text != vec["qr-text"] {
		t.Errorf("vector qr-text:\n got %s\nwant %s", text, vec["qr-text"])
	}
	if q, err := NewQR(text); err != nil || q.Version != 11 {
		t.Errorf("QR version %v, %v; the document says 11", q, err)
	}

	day := func(y int, mo time.Month, d, h int) time.Time { return time.Date(y, mo, d, h, 0, 0, 0, time.UTC) }
	tl := &TrustList{IssuedAt: day(2026, 1, 15, 0), Keys: []TrustedKey{
		NewTrustedKey("org-ficticia", "Centro Legal Ficticio", pub(issuer), day(2026, 1, 1, 0), day(2028, 1, 1, 0))}}
	signedTL, err := SignTrustList(tl, root)
	if err != nil {
		t.Fatal(err)
	}
	equal("trust-list-cose", signedTL)

	trust, err := VerifyTrustList(unhex("trust-list-cose"), pub(root))
	if err != nil {
		t.Fatal(err)
	}
	v, err := NewVerifier(trust)
	if err != nil {
		t.Fatal(err)
	}
	list, err := v.AddStatusList(unhex("status-list-cose"))
	if err != nil {
		t.Fatal(err)
	}
	if list.OrgID != "org-ficticia" || list.ID != 1 || !list.IssuedAt.Equal(day(2026, 2, 28, 6)) ||
		list.Len() != MinStatusListLen || !list.Revoked(7) || list.Revoked(c.StatusIndex) {
		t.Fatalf("status list vector: %s/%d at %v, %d entries", list.OrgID, list.ID, list.IssuedAt, list.Len())
	}
	for _, tt := range []struct {
		now  time.Time
		want Status
	}{{day(2026, 3, 1, 0), StatusValid}, {day(2027, 2, 1, 12), StatusExpired}} {
		r := v.Verify(vec["qr-text"], tt.now)
		if r.Status != tt.want || r.StatusListAsOf == nil || !r.StatusListAsOf.Equal(list.IssuedAt) {
			t.Errorf("at %v: %q as of %v (%s), want %q", tt.now, r.Status, r.StatusListAsOf, r.Reason, tt.want)
		}
	}
	_ = list.SetRevoked(c.StatusIndex, true)
	list.IssuedAt = list.IssuedAt.Add(time.Hour)
	newer, _ := SignStatusList(list, issuer)
	if _, err := v.AddStatusList(newer); err != nil {
		t.Fatal(err)
	}
	if r := v.Verify(vec["qr-text"], day(2026, 3, 1, 0)); r.Status != StatusRevoked {
		t.Errorf("after revocation: %q", r.Status)
	}

	t.Run("v2", func(t *testing.T) { specVectorsV2(t, vec, unhex, equal, issuer, trust) })
}

// specVectorsV2 checks part II of the specification: the version 2 claims,
// credential, QR text and roster, and their verification.
func specVectorsV2(t *testing.T, vec map[string]string, unhex func(string) []byte, equal func(string, []byte),
	issuer ed25519.PrivateKey, trust *TrustList) {
	v, err := NewVerifier(trust) // the status list without the revocation above
	if err != nil {
		t.Fatal(err)
	}
	if _, err := v.AddStatusList(unhex("status-list-cose")); err != nil {
		t.Fatal(err)
	}
	var c ClaimsV2
	if err := json.Unmarshal([]byte(vec["claims-v2"]), &c); err != nil {
		t.Fatalf("vector claims-v2: %v", err)
	}
	cb, err := c.MarshalCBOR()
	if err != nil {
		t.Fatal(err)
	}
	equal("claims-v2-cbor", cb)
	signed, err := SignV2(&c, issuer)
	if err != nil {
		t.Fatal(err)
	}
	equal("letter-v2", signed)
	text := Encode(CompactPrefix("https://amparo.example.org/v"), signed)
	if text != vec["qr-text-v2"] {
		t.Errorf("vector qr-text-v2:\n got %s\nwant %s", text, vec["qr-text-v2"])
	}
	if q, err := NewQR(text); err != nil || q.Version != 8 {
		t.Errorf("QR version %v, %v; the document says 8", q, err)
	}
	r, err := v.AddRoster(unhex("roster-cose"))
	if err != nil {
		t.Fatal(err)
	}
	if r.OrgID != "org-ficticia" || r.Phone != "+1 213 555 0199" || len(r.Members) != 2 ||
		r.Members[0].Name != "Lic. Tomás Ficticio" || r.Members[1].State != MemberLeft {
		t.Fatalf("roster vector: %+v", r)
	}
	resigned, err := SignRoster(r, issuer)
	if err != nil {
		t.Fatal(err)
	}
	equal("roster-cose", resigned)
	day := func(y int, mo time.Month, d, h int) time.Time { return time.Date(y, mo, d, h, 0, 0, 0, time.UTC) }
	for _, tt := range []struct {
		now  time.Time
		want Status
	}{{day(2026, 3, 1, 0), StatusValid}, {day(2027, 2, 2, 8), StatusExpired}, {day(2027, 2, 2, 7), StatusValid}} {
		res := v.Verify(vec["qr-text-v2"], tt.now)
		if res.Status != tt.want || res.MemberNotice != "" || res.Contact != "+1 213 555 0100" || res.Version != 2 {
			t.Errorf("at %v: %q notice %q contact %q (%s), want %q", tt.now, res.Status, res.MemberNotice, res.Contact, res.Reason, tt.want)
		}
	}
	r.IssuedAt = r.IssuedAt.Add(time.Hour)
	r.Members[0].State = MemberLeft
	newer, _ := SignRoster(r, issuer)
	if _, err := v.AddRoster(newer); err != nil {
		t.Fatal(err)
	}
	if res := v.Verify(vec["qr-text-v2"], day(2026, 3, 1, 0)); res.Status != StatusValid || res.MemberNotice != NoticeLeft || res.Contact != "+1 213 555 0199" {
		t.Errorf("member left: %q notice %q contact %q", res.Status, res.MemberNotice, res.Contact)
	}
}

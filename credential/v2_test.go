package credential

import (
	"bytes"
	"crypto/ed25519"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// testPrefixUpper is testPrefix as CompactPrefix writes it: scheme and host
// (case-insensitive) in upper case, the path as it is.
const testPrefixUpper = "HTTPS://AMPARO.EXAMPLE.ORG/v#"

// testClaimsV2 returns a fictional client's version 2 letter, issued a
// month before testNow for a year, member 7 of its organization.
func testClaimsV2() *ClaimsV2 {
	on, exp := V2Dates(testNow.AddDate(0, -1, 0).Add(5*time.Hour+17*time.Minute), testNow.AddDate(1, -1, 0).Add(8*time.Hour))
	return &ClaimsV2{
		ID:           ShortID{0x6f, 0x1c, 0x2a, 0x90, 0x11, 0x52, 0x4b, 0x0e},
		IssuedOn:     on,
		Expires:      exp,
		StatusListID: 1,
		StatusIndex:  94321,
		ClientName:   "Ana Ejemplo Prueba",
		Member:       7,
	}
}

func qrV2(tb testing.TB, c *ClaimsV2, key ed25519.PrivateKey) string {
	tb.Helper()
	signed, err := SignV2(c, key)
	if err != nil {
		tb.Fatal(err)
	}
	return Encode(testPrefixUpper, signed)
}

// testRoster returns org's roster: member 7 an active attorney, 8 left,
// 9 suspended, 10 an active accredited representative.
func testRoster(org string) *Roster {
	return &Roster{OrgID: org, IssuedAt: testNow.Add(-3 * time.Hour), Phone: "+1 213 555 0199", Members: []RosterMember{
		{Ref: 7, Name: "Lic. Tomás Ficticio", BarJurisdiction: "California", BarNumber: "999001", Phone: "+1 213 555 0100", State: MemberActive},
		{Ref: 8, Name: "Dana Inventada", BarJurisdiction: "California", BarNumber: "999002", State: MemberLeft},
		{Ref: 9, Name: "Rafael Supuesto", BarJurisdiction: "New York", BarNumber: "999003", Phone: "+1 212 555 0101", State: MemberSuspended},
		{Ref: 10, Name: "Mei Ejemplar", Organization: "Centro Legal Ficticio", Accreditation: "2025-06-01", Phone: "+1 213 555 0102", State: MemberActive},
	}}
}

func (w *world) addRoster(tb testing.TB, r *Roster, key ed25519.PrivateKey) {
	tb.Helper()
	signed, err := SignRoster(r, key)
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := w.v.AddRoster(signed); err != nil {
		tb.Fatal(err)
	}
}

func newWorldV2(tb testing.TB, edit func(*TrustList)) *world {
	tb.Helper()
	w := newWorld(tb, edit)
	if edit == nil {
		w.addRoster(tb, testRoster("org-a"), w.keyA)
	}
	return w
}

func TestClaimsV2_RoundTrip(t *testing.T) {
	c := testClaimsV2()
	b, err := c.MarshalCBOR()
	if err != nil {
		t.Fatal(err)
	}
	var d ClaimsV2
	if err := d.UnmarshalCBOR(b); err != nil {
		t.Fatal(err)
	}
	if d != *c {
		t.Fatalf("round trip:\n got %+v\nwant %+v", d, *c)
	}
	got, err := ParseV2(qrV2(t, c, testKey(2)))
	if err != nil || *got != *c {
		t.Fatalf("ParseV2: %+v, %v", got, err)
	}
	if Version(qrV2(t, c, testKey(2))) != 2 || Version(qr(t, testClaims(), testKey(2))) != 1 || Version(testPrefix+"AAAA") != 0 {
		t.Error("Version does not tell v1, v2 and neither apart")
	}
}

func TestCompactPrefix(t *testing.T) {
	for in, want := range map[string]string{
		"https://amparo.example.org/v":      "HTTPS://AMPARO.EXAMPLE.ORG/v#",
		"https://amparo.example.org/v#":     "HTTPS://AMPARO.EXAMPLE.ORG/v#",
		"http://localhost:8080/v":           "HTTP://LOCALHOST:8080/v#",
		"https://Amparo.Example.org/city/v": "HTTPS://AMPARO.EXAMPLE.ORG/city/v#",
		"https://amparo.example.org":        "HTTPS://AMPARO.EXAMPLE.ORG#",
		"not a url":                         "not a url#",
	} {
		if got := CompactPrefix(in); got != want {
			t.Errorf("CompactPrefix(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestV2Dates(t *testing.T) {
	la := time.FixedZone("PST", -8*3600)
	on, exp := V2Dates(time.Date(2026, 12, 3, 22, 30, 0, 0, la), time.Date(2027, 12, 4, 0, 0, 0, 0, la))
	if want := time.Date(2026, 12, 4, 0, 0, 0, 0, time.UTC); !on.Equal(want) {
		t.Errorf("issued on %v, want %v (the UTC day)", on, want)
	}
	if want := time.Date(2027, 12, 4, 8, 0, 0, 0, time.UTC); !exp.Equal(want) {
		t.Errorf("expires %v, want the same instant %v", exp, want)
	}
	india := time.FixedZone("IST", 5*3600+1800)
	_, exp = V2Dates(on, time.Date(2027, 12, 4, 0, 0, 0, 0, india))
	if want := time.Date(2027, 12, 3, 19, 0, 0, 0, time.UTC); !exp.Equal(want) {
		t.Errorf("half-hour zone: expires %v, want rounded up to %v", exp, want)
	}
}

func TestClaimsV2_Validate(t *testing.T) {
	for _, tt := range []struct {
		field string
		edit  func(*ClaimsV2)
	}{
		{"id", func(c *ClaimsV2) { c.ID = ShortID{} }},
		{"issued_on", func(c *ClaimsV2) { c.IssuedOn = c.IssuedOn.Add(time.Hour) }},
		{"expires", func(c *ClaimsV2) { c.Expires = c.Expires.Add(time.Minute) }},
		{"expires", func(c *ClaimsV2) { c.Expires = c.IssuedOn }},
		{"member", func(c *ClaimsV2) { c.Member = 0 }},
		{"client_name", func(c *ClaimsV2) { c.ClientName = "" }},
		{"client_name", func(c *ClaimsV2) { c.ClientName = strings.Repeat("a", 41) }},
		{"client_name", func(c *ClaimsV2) { c.ClientName = strings.Repeat("한", 22) }},
	} {
		c := testClaimsV2()
		tt.edit(c)
		_, err := SignV2(c, testKey(2))
		fe, ok := err.(*FieldError)
		if !ok || fe.Field != tt.field {
			t.Errorf("%s: got %v", tt.field, err)
		}
	}
}

func TestVerifyV2(t *testing.T) {
	w := newWorldV2(t, nil)
	revoked := testClaimsV2()
	revoked.StatusIndex = 7
	_ = w.listA.SetRevoked(7, true)
	w.listA.IssuedAt = w.listA.IssuedAt.Add(time.Minute)
	w.addList(t, w.listA, w.keyA)
	left, suspended, unknown, rep := testClaimsV2(), testClaimsV2(), testClaimsV2(), testClaimsV2()
	left.Member, suspended.Member, unknown.Member, rep.Member = 8, 9, 99, 10
	roster := testRoster("org-a")

	tests := []struct {
		name    string
		text    string
		now     time.Time
		want    Status
		claims  bool
		notice  string
		contact string
	}{
		{"Valid", qrV2(t, testClaimsV2(), w.keyA), testNow, StatusValid, true, "", roster.Members[0].Phone},
		{"LowerCasePrefix", testPrefix + qrV2(t, testClaimsV2(), w.keyA)[len(testPrefixUpper):], testNow, StatusValid, true, "", roster.Members[0].Phone},
		{"AccreditedRepresentative", qrV2(t, rep, w.keyA), testNow, StatusValid, true, "", roster.Members[3].Phone},
		{"MemberLeft", qrV2(t, left, w.keyA), testNow, StatusValid, true, NoticeLeft, roster.Phone},
		{"MemberSuspended", qrV2(t, suspended, w.keyA), testNow, StatusValid, true, NoticeSuspended, roster.Phone},
		{"UnknownMember", qrV2(t, unknown, w.keyA), testNow, StatusValid, true, NoticeUnknownMember, roster.Phone},
		{"NoRoster", qrV2(t, testClaimsV2(), w.keyB), testNow, StatusValid, true, NoticeNoRoster, ""},
		{"Expired", qrV2(t, testClaimsV2(), w.keyA), testClaimsV2().Expires, StatusExpired, true, "", roster.Members[0].Phone},
		{"LastHourBeforeExpiry", qrV2(t, testClaimsV2(), w.keyA), testClaimsV2().Expires.Add(-time.Second), StatusValid, true, "", roster.Members[0].Phone},
		{"Revoked", qrV2(t, revoked, w.keyA), testNow, StatusRevoked, true, "", roster.Members[0].Phone},
		{"UnknownIssuer", qrV2(t, testClaimsV2(), testKey(9)), testNow, StatusUnknownIssuer, false, "", ""},
		{"WrongKey", forgeKIDV2(t, testClaimsV2(), testKey(9), pub(w.keyA)), testNow, StatusNotGenuine, false, "", ""},
		{"Truncated", qrV2(t, testClaimsV2(), w.keyA)[:60], testNow, StatusNotGenuine, false, "", ""},
		{"TruncatedWhole", qrV2(t, testClaimsV2(), w.keyA)[:len(testPrefixUpper)+8], testNow, StatusNotGenuine, false, "", ""},
		{"Megabytes", testPrefixUpper + strings.Repeat("A", 3<<20), testNow, StatusNotGenuine, false, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := w.v.Verify(tt.text, tt.now)
			if r.Status != tt.want {
				t.Fatalf("status %q (%s), want %q", r.Status, r.Reason, tt.want)
			}
			if (r.ClaimsV2 != nil) != tt.claims || r.Claims != nil {
				t.Fatalf("claims %+v / %+v, want v2 present=%v", r.Claims, r.ClaimsV2, tt.claims)
			}
			if !tt.claims {
				if r.Member != nil || r.Contact != "" {
					t.Errorf("member %+v, contact %q shown for %q", r.Member, r.Contact, r.Status)
				}
				return
			}
			if r.Version != 2 || r.ClaimsV2.ClientName != testClaimsV2().ClientName {
				t.Errorf("version %d, claims %+v", r.Version, r.ClaimsV2)
			}
			if r.MemberNotice != tt.notice || r.Contact != tt.contact {
				t.Errorf("notice %q contact %q, want %q %q", r.MemberNotice, r.Contact, tt.notice, tt.contact)
			}
		})
	}

	t.Run("JSON", func(t *testing.T) {
		b, err := json.Marshal(w.v.Verify(qrV2(t, left, w.keyA), testNow))
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{`"credential_version":2`, `"member_notice":"left"`, `"contact":"+1 213 555 0199"`, `"state":"left"`, `"member":8`} {
			if !bytes.Contains(b, []byte(want)) {
				t.Errorf("JSON %s lacks %s", b, want)
			}
		}
	})

	t.Run("NewerRosterWins", func(t *testing.T) {
		w := newWorldV2(t, nil)
		r := testRoster("org-a")
		r.IssuedAt = r.IssuedAt.Add(time.Minute)
		r.Members[0].State = MemberLeft
		w.addRoster(t, r, w.keyA)
		old := testRoster("org-a")
		old.IssuedAt = old.IssuedAt.Add(-time.Hour)
		w.addRoster(t, old, w.keyA)
		if res := w.v.Verify(qrV2(t, testClaimsV2(), w.keyA), testNow); res.MemberNotice != NoticeLeft || res.Contact != r.Phone {
			t.Errorf("after the member left: notice %q contact %q", res.MemberNotice, res.Contact)
		}
	})
}

// forgeKIDV2 signs c with key but writes kid's first bytes into the frame.
func forgeKIDV2(tb testing.TB, c *ClaimsV2, key ed25519.PrivateKey, victim ed25519.PublicKey) string {
	tb.Helper()
	signed, err := SignV2(c, key)
	if err != nil {
		tb.Fatal(err)
	}
	kid := KeyIDOf(victim)
	copy(signed[1:v2Head], kid[:v2KIDLen])
	return Encode(testPrefixUpper, signed)
}

func TestVerifyV2_EveryByteChanged(t *testing.T) {
	w := newWorldV2(t, nil)
	signed, err := SignV2(testClaimsV2(), w.keyA)
	if err != nil {
		t.Fatal(err)
	}
	for i := range signed {
		for _, flip := range []byte{0x01, 0x80, 0xff} {
			b := bytes.Clone(signed)
			b[i] ^= flip
			if r := w.v.VerifySigned(b, testNow); r.Status == StatusValid {
				t.Fatalf("byte %d ^ %#x: valid", i, flip)
			}
		}
	}
	for n := 0; n < len(signed); n++ {
		if r := w.v.VerifySigned(signed[:n], testNow); r.Status == StatusValid {
			t.Fatalf("truncated to %d bytes: valid", n)
		}
	}
	if r := w.v.VerifySigned(append(bytes.Clone(signed), 0), testNow); r.Status == StatusValid {
		t.Fatal("trailing byte: valid")
	}
}

func TestVerifyV2_Issuers(t *testing.T) {
	t.Run("IssuerRevoked", func(t *testing.T) {
		w := newWorldV2(t, func(tl *TrustList) { tl.Keys[0].Status = KeyRevoked })
		if r := w.v.Verify(qrV2(t, testClaimsV2(), w.keyA), testNow); r.Status != StatusIssuerRevoked || r.ClaimsV2 != nil {
			t.Fatalf("%q (%s)", r.Status, r.Reason)
		}
	})
	t.Run("RotatedKey", func(t *testing.T) {
		// keyA retired at testNow - 10 days; a new key took over.
		rotated := testNow.AddDate(0, 0, -10)
		w := newWorldV2(t, func(tl *TrustList) {
			tl.Keys[0].Status, tl.Keys[0].ValidTo = KeyRetired, rotated
			tl.Keys = append(tl.Keys, NewTrustedKey("org-a", "Centro Legal Ficticio", pub(testKey(4)), rotated, testNow.AddDate(2, 0, 0)))
		})
		w.addRoster(t, testRoster("org-a"), testKey(4))
		before := testClaimsV2() // issued a month ago: within the old key's window
		if r := w.v.Verify(qrV2(t, before, w.keyA), testNow); r.Status != StatusValid || r.Contact == "" {
			t.Errorf("old key, issued before rotation: %q (%s)", r.Status, r.Reason)
		}
		sameDay := testClaimsV2()
		sameDay.IssuedOn = rotated.Truncate(day)
		if r := w.v.Verify(qrV2(t, sameDay, w.keyA), testNow); r.Status != StatusValid {
			t.Errorf("old key, issued on the day of rotation: %q (%s)", r.Status, r.Reason)
		}
		after := testClaimsV2()
		after.IssuedOn = rotated.Truncate(day).Add(2 * day)
		if r := w.v.Verify(qrV2(t, after, w.keyA), testNow); r.Status != StatusUnknownIssuer {
			t.Errorf("old key, issued after rotation: %q (%s)", r.Status, r.Reason)
		}
		if r := w.v.Verify(qrV2(t, after, testKey(4)), testNow); r.Status != StatusValid {
			t.Errorf("new key: %q (%s)", r.Status, r.Reason)
		}
	})
}

// TestVerify_CrossFraming: version 2 claims in version 1 framing and version
// 1 claims in version 2 framing, each properly signed, are not genuine.
func TestVerify_CrossFraming(t *testing.T) {
	w := newWorldV2(t, nil)
	v2claims, _ := testClaimsV2().MarshalCBOR()
	v1claims, _ := testClaims().MarshalCBOR()
	for _, aad := range [][]byte{aadLetter, aadLetterV2} {
		cose1, err := signSign1(w.keyA, v2claims, aad)
		if err != nil {
			t.Fatal(err)
		}
		if r := w.v.Verify(Encode(testPrefix, cose1), testNow); r.Status != StatusNotGenuine || r.Reason == "" {
			t.Errorf("v1 framing, v2 claims, aad %s: %q (%s)", aad, r.Status, r.Reason)
		}
	}
	kid := KeyIDOf(pub(w.keyA))
	for _, aad := range [][]byte{aadLetter, aadLetterV2} {
		b := append([]byte{v2Tag}, kid[:v2KIDLen]...)
		b = append(b, v1claims...)
		b = append(b, ed25519.Sign(w.keyA, append(bytes.Clone(aad), b...))...)
		if r := w.v.Verify(Encode(testPrefixUpper, b), testNow); r.Status != StatusNotGenuine || r.Reason == "" {
			t.Errorf("v2 framing, v1 claims, aad %s: %q (%s)", aad, r.Status, r.Reason)
		}
	}
	// A v1 letter still verifies, next to v2 ones.
	if r := w.v.Verify(qr(t, testClaims(), w.keyA), testNow); r.Status != StatusValid || r.Version != 1 || r.Claims == nil {
		t.Errorf("v1 letter: %q version %d", r.Status, r.Version)
	}
}

func TestRoster(t *testing.T) {
	w := newWorld(t, nil)
	good, err := SignRoster(testRoster("org-a"), w.keyA)
	if err != nil {
		t.Fatal(err)
	}
	t.Run("RoundTrip", func(t *testing.T) {
		r, err := w.trust.VerifyRoster(good)
		if err != nil {
			t.Fatal(err)
		}
		want := testRoster("org-a")
		a, _ := json.Marshal(r)
		b, _ := json.Marshal(want)
		if !bytes.Equal(a, b) {
			t.Fatalf("round trip:\n got %s\nwant %s", a, b)
		}
		if m := r.Member(9); m == nil || m.State != MemberSuspended || r.Member(11) != nil {
			t.Errorf("Member lookup: %+v", m)
		}
	})
	t.Run("Rejected", func(t *testing.T) {
		other, _ := SignRoster(testRoster("org-a"), w.keyB) // another organization's key
		stranger, _ := SignRoster(testRoster("org-a"), testKey(9))
		revokedW := newWorld(t, func(tl *TrustList) { tl.Keys[0].Status = KeyRevoked })
		statusList, _ := SignStatusList(w.listA, w.keyA) // a status list is not a roster
		late := testRoster("org-a")
		late.IssuedAt = testNow.AddDate(3, 0, 0)
		lateSigned, _ := SignRoster(late, w.keyA)
		for name, tt := range map[string]struct {
			tl     *TrustList
			signed []byte
		}{
			"OtherOrganizationsKey": {w.trust, other},
			"UntrustedKey":          {w.trust, stranger},
			"RevokedKey":            {revokedW.trust, good},
			"StatusListAsRoster":    {w.trust, statusList},
			"OutsideKeyValidity":    {w.trust, lateSigned},
			"Truncated":             {w.trust, good[:len(good)-1]},
			"TooLarge":              {w.trust, make([]byte, MaxRosterSize+1)},
		} {
			if _, err := tt.tl.VerifyRoster(tt.signed); err == nil {
				t.Errorf("%s: accepted", name)
			}
		}
		// and a roster is not a status list
		if _, err := w.trust.VerifyStatusList(good); err == nil {
			t.Error("roster accepted as a status list")
		}
		listB, _ := NewStatusList("org-a", 2, MinStatusListLen)
		listB.IssuedAt = testNow
		wrongOrg, _ := SignStatusList(listB, w.keyB)
		if _, err := w.trust.VerifyStatusList(wrongOrg); err == nil {
			t.Error("status list of org-a signed by org-b's key accepted")
		}
	})
	t.Run("EveryByteChanged", func(t *testing.T) {
		for i := range good {
			b := bytes.Clone(good)
			b[i] ^= 0x01
			if _, err := w.trust.VerifyRoster(b); err == nil {
				t.Fatalf("byte %d changed: accepted", i)
			}
		}
	})
	t.Run("Invalid", func(t *testing.T) {
		for _, tt := range []struct {
			field string
			edit  func(*Roster)
		}{
			{"phone", func(r *Roster) { r.Phone = "12" }},
			{"members[1].ref", func(r *Roster) { r.Members[1].Ref = 7 }},
			{"members[0].ref", func(r *Roster) { r.Members[0].Ref = 0 }},
			{"members[0].phone", func(r *Roster) { r.Members[0].Phone = "" }},
			{"members[0].state", func(r *Roster) { r.Members[0].State = 0 }},
			{"members[0].bar_number", func(r *Roster) { r.Members[0].Organization = "X" }},
			{"members[3].bar_number", func(r *Roster) { r.Members[3].Organization, r.Members[3].Accreditation = "", "" }},
			{"members", func(r *Roster) {
				r.Members = make([]RosterMember, MaxRosterMembers+1)
			}},
		} {
			r := testRoster("org-a")
			tt.edit(r)
			_, err := SignRoster(r, w.keyA)
			fe, ok := err.(*FieldError)
			if !ok || fe.Field != tt.field {
				t.Errorf("%s: got %v", tt.field, err)
			}
		}
	})
}

func TestBundle_Rosters(t *testing.T) {
	w := newWorld(t, nil)
	roster, _ := SignRoster(testRoster("org-a"), w.keyA)
	bad, _ := SignRoster(testRoster("org-a"), w.keyB)
	data, err := MarshalBundle(&Bundle{Root: pub(w.root), TrustList: w.signed, Rosters: [][]byte{roster, bad}})
	if err != nil {
		t.Fatal(err)
	}
	b, err := ParseBundle(data)
	if err != nil {
		t.Fatal(err)
	}
	v, rejected, err := b.Verifier()
	if err != nil || len(rejected) != 1 {
		t.Fatalf("rejected %v, err %v", rejected, err)
	}
	if r := v.Verify(qrV2(t, testClaimsV2(), w.keyA), testNow); r.Member == nil || r.Member.Name != "Lic. Tomás Ficticio" {
		t.Errorf("member from the bundle's roster: %+v", r)
	}
}

// longestNames are client names in several scripts, repeated to the limit
// (40 characters, or the 64 bytes of UTF-8 a name may not exceed, whichever
// comes first) by TestQRVersionV2.
var longestNames = map[string]string{
	"ascii":         "Alexandria Montgomery Featherstonehaughs Smith",
	"latin-accents": "María José Ñúñez Güemes de la Peña Ibáñez",
	"vietnamese":    "Nguyễn Thị Phương Hằng Trần Lê Đặng Võ",
	"armenian":      "Անահիտ Պետրոսյան Գրիգորյան Հովհաննիսյան",
	"korean":        "김서연 박지민 이하은 최윤서 정다은 강민준 조서준",
	"chinese":       "欧阳明月司马春花诸葛秋菊慕容雪梅上官云飞",
}

// atLimit repeats name's words until it reaches MaxNameLen characters or
// MaxNameBytes bytes, then trims the trailing space.
func atLimit(name string) string {
	out := ""
	for _, r := range strings.Repeat(name+" ", 4) {
		next := out + string(r)
		if utf8.RuneCountInString(next) > MaxNameLen || len(next) > MaxNameBytes {
			break
		}
		out = next
	}
	return strings.TrimSpace(out)
}

// TestQRVersionV2 prints and checks the QR versions of version 2 letters
// behind the 29-character prefix, in both cases: a typical letter at most
// version 9 at M, the longest allowed names at most version 10.
func TestQRVersionV2(t *testing.T) {
	key := testKey(2)
	typical := []string{"Ana Ejemplo Prueba", "Jorge Luis Ficticio", "Lucía Fernández Ruiz"}
	check := func(label, name string, max int) {
		t.Helper()
		c := testClaimsV2()
		c.ClientName = strings.TrimSpace(name)
		c.StatusIndex = MinStatusListLen - 1 // a 4-byte index
		c.Member = 65535                     // a 3-byte reference
		c.StatusListID = 1<<31 - 1           // a random 31-bit list ID
		signed, err := SignV2(c, key)
		if err != nil {
			t.Fatalf("%s: %v", label, err)
		}
		for _, prefix := range []string{testPrefixUpper, testPrefix, strings.ToUpper(testPrefix)} {
			q, err := NewQR(Encode(prefix, signed))
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%-26s %2d chars %2d bytes  %3d-byte credential  prefix %s: version %d at M",
				label, utf8.RuneCountInString(c.ClientName), len(c.ClientName), len(signed), prefix, q.Version)
			if q.Version > max {
				t.Errorf("%s behind %s: version %d, want at most %d", label, prefix, q.Version, max)
			}
		}
	}
	for _, n := range typical {
		check("typical "+n, n, 9)
	}
	for _, script := range []string{"ascii", "latin-accents", "vietnamese", "armenian", "korean", "chinese"} {
		n := atLimit(longestNames[script])
		check("longest "+script, n, 10)
	}
}

// TestRoster1000 reports the signed size of a roster of 1,000 members and
// checks that re-signing it takes under 10 ms (best of 5, so that a busy
// machine does not fail it).
func TestRoster1000(t *testing.T) {
	r := roster1000()
	best := time.Hour
	var signed []byte
	for i := 0; i < 5; i++ {
		start := time.Now()
		var err error
		if signed, err = SignRoster(r, testKey(2)); err != nil {
			t.Fatal(err)
		}
		best = min(best, time.Since(start))
	}
	t.Logf("roster of %d members: %d bytes signed, re-signed in %v (best of 5)", len(r.Members), len(signed), best)
	if best > 10*time.Millisecond {
		t.Errorf("re-signing took %v, want under 10 ms", best)
	}
}

func roster1000() *Roster {
	r := testRoster("org-a")
	r.Members = nil
	for i := 1; i <= 1000; i++ {
		m := RosterMember{Ref: MemberRef(i), Name: fmt.Sprintf("Abogada Ficticia Número %04d", i),
			Phone: fmt.Sprintf("+1 213 555 %04d", i%10000), State: MemberActive}
		if i%10 == 0 {
			m.Organization, m.Accreditation = "Centro Legal Ficticio de Ejemplo", "2025-06-01"
		} else {
			m.BarJurisdiction, m.BarNumber = "California", fmt.Sprintf("9%06d", i)
		}
		if i%50 == 0 {
			m.State = MemberLeft
		}
		r.Members = append(r.Members, m)
	}
	return r
}

func BenchmarkRosterSign1000(b *testing.B) {
	r, key := roster1000(), testKey(2)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := SignRoster(r, key); err != nil {
			b.Fatal(err)
		}
	}
}

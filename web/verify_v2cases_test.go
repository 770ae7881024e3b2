package web_test

import (
	"bytes"
	"crypto/ed25519"
	"encoding/hex"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/amparo-project/amparo/credential"
)

// signV2 writes a version 2 credential (docs/credential.md V2.2) around any
// claims bytes, with kid4 given apart from the key.
func signV2(key ed25519.PrivateKey, kid4, claims []byte) []byte {
	head := append(append([]byte{0x02}, kid4...), claims...)
	return append(head, ed25519.Sign(key, append([]byte("amparo letter v2"), head...))...)
}

func cbArray(items ...[]byte) []byte {
	out := cbHead(4, uint64(len(items)))
	for _, it := range items {
		out = append(out, it...)
	}
	return out
}

// rosterEntry is one member of a roster, in its wire order.
type rosterEntry struct {
	ref, state                                       uint64
	name, phone, barJ, barN, organization, accredits string
}

func (e rosterEntry) cbor() []byte {
	return cbArray(cbUint(e.ref), cbUint(e.state), cbText(e.name), cbText(e.phone), cbText(e.barJ), cbText(e.barN),
		cbText(e.organization), cbText(e.accredits))
}

func rosterPayload(org string, issued uint64, phone string, members ...rosterEntry) []byte {
	items := make([][]byte, len(members))
	for i, m := range members {
		items[i] = m.cbor()
	}
	return cbMap([]pair{{1, cbText(org)}, {2, cbUint(issued)}, {3, cbText(phone)}, {4, cbArray(items...)}})
}

// conformanceScenariosV2 are the version 2 cases of TestVerifyJS_SameAsGo:
// the spec's vectors, every one-bit change and truncation of the vector
// letter, cross-framing, claims in every form, and rosters in every form,
// signed by the right key, another organization's key or none.
func conformanceScenariosV2(t *testing.T) []scenario {
	t.Helper()
	vec := docVectors(t)
	b := func(name string) []byte {
		h, err := hex.DecodeString(vec[name])
		if err != nil || len(h) == 0 {
			t.Fatalf("vector %s: %v", name, err)
		}
		return h
	}
	issuer, root := ed25519.NewKeyFromSeed(b("issuer-seed")), ed25519.NewKeyFromSeed(b("root-seed"))
	const prefix = "HTTPS://AMPARO.EXAMPLE.ORG/v#"
	march := float64(time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC).Unix())
	const rosterIssued = 1772258400 // 2026-02-28T06:00:00Z
	tomas := rosterEntry{7, 1, "Lic. Tomás Ficticio", "+1 213 555 0100", "California", "999001", "", ""}
	dana := rosterEntry{8, 2, "Dana Inventada", "", "California", "999002", "", ""}
	roster := func(key ed25519.PrivateKey, kid []byte, payload []byte, aad string) string {
		return hex.EncodeToString(sign1(key, kid, payload, aad))
	}
	vectorRoster := rosterPayload("org-ficticia", rosterIssued, "+1 213 555 0199", tomas, dana)
	if roster(issuer, kidOf(issuer), vectorRoster, "amparo roster v1") != vec["roster-cose"] {
		t.Fatal("the test's roster writing does not reproduce the vector")
	}
	base := func(name string) scenario {
		return scenario{Name: name, Root: vec["root-public-key"], Trust: vec["trust-list-cose"], Lists: []string{vec["status-list-cose"]},
			Rosters: []string{vec["roster-cose"]}, Now: march}
	}
	var out []scenario

	qr := vec["qr-text-v2"]
	left := roster(issuer, kidOf(issuer), rosterPayload("org-ficticia", rosterIssued+3600, "+1 213 555 0199",
		rosterEntry{7, 2, "Lic. Tomás Ficticio", "", "California", "999001", "", ""}, dana), "amparo roster v1")
	for name, now := range map[string]float64{"2026-03-01": march, "expiry": 1801555200, "just before expiry": 1801555199.5} {
		s := base("v2 spec vectors at " + name)
		s.Now = now
		s.add("qr-text-v2", qr)
		s.add("qr-text-v2, lower-case prefix", "https://amparo.example.org/v#"+qr[strings.LastIndexByte(qr, '#')+1:])
		s.add("qr-text (v1)", vec["qr-text"])
		out = append(out, s)
		s = base("v2 spec vectors, member 7 left, at " + name)
		s.Now = now
		s.Rosters = append(s.Rosters, left)
		s.add("qr-text-v2", qr)
		out = append(out, s)
	}

	// Every one-bit change (two per byte) and every truncation.
	letterV2 := b("letter-v2")
	s := base("v2 changed letters")
	for i := range letterV2 {
		for _, bit := range []byte{0x01, 0x80} {
			m := bytes.Clone(letterV2)
			m[i] ^= bit
			s.add(fmt.Sprintf("byte %d ^ %#02x", i, bit), credential.Encode(prefix, m))
		}
	}
	for n := range len(letterV2) {
		s.add(fmt.Sprintf("first %d bytes", n), credential.Encode(prefix, letterV2[:n]))
	}
	s.add("a byte after", credential.Encode(prefix, append(bytes.Clone(letterV2), 0)))
	s.add("first byte 03", credential.Encode(prefix, append([]byte{0x03}, letterV2[1:]...)))
	s.add("first byte 00", credential.Encode(prefix, append([]byte{0x00}, letterV2[1:]...)))
	s.add("a megabyte of base32", prefix+strings.Repeat("A", 1<<20))
	s.add("two letters", credential.Encode(prefix, append(bytes.Clone(letterV2), letterV2...)))
	out = append(out, s)

	// Claims in every form, signed with the issuer key.
	kid4 := kidOf(issuer)[:4]
	id, _ := hex.DecodeString("6f1c2a9011524b0e")
	items := [][]byte{cbBytes(id), cbUint(20485), cbUint(8792), cbUint(1), cbUint(94321), cbText("Ana Ejemplo Prueba"), cbUint(7)}
	claims := func(edit func(it [][]byte) [][]byte) []byte {
		it := make([][]byte, len(items))
		copy(it, items)
		if edit != nil {
			it = edit(it)
		}
		return cbArray(it...)
	}
	if !bytes.Equal(claims(nil), b("claims-v2-cbor")) || !bytes.Equal(signV2(issuer, kid4, claims(nil)), letterV2) {
		t.Fatal("the test's version 2 writing does not reproduce the vectors")
	}
	set := func(i int, v []byte) []byte { return claims(func(it [][]byte) [][]byte { it[i] = v; return it }) }
	letter := func(c []byte) string { return credential.Encode(prefix, signV2(issuer, kid4, c)) }
	v1claims := b("claims-cbor")
	s = base("v2 claims")
	for _, tt := range []struct {
		name   string
		claims []byte
	}{
		{"canonical", claims(nil)},
		{"six items", claims(func(it [][]byte) [][]byte { return it[:6] })},
		{"eight items", claims(func(it [][]byte) [][]byte { return append(it, cbUint(1)) })},
		{"a byte after", append(claims(nil), 0)},
		{"indefinite array", append(append([]byte{0x9f}, claims(nil)[1:]...), 0xff)},
		{"long form array length", append([]byte{0x98, 7}, claims(nil)[1:]...)},
		{"version 1 claims (a map) in version 2 framing", v1claims},
		{"id of 7 bytes", set(0, cbBytes(id[:7]))}, {"id of 9 bytes", set(0, cbBytes(append(bytes.Clone(id), 1)))},
		{"id of 16 bytes", set(0, cbBytes(append(bytes.Clone(id), id...)))},
		{"id of zeros", set(0, cbBytes(make([]byte, 8)))}, {"id null", set(0, []byte{0xf6})}, {"id as text", set(0, cbText("6f1c2a90"))},
		{"day 0", set(1, cbUint(0))}, {"day 2^20", claims(func(it [][]byte) [][]byte { it[1] = cbUint(1 << 20); return it })},
		{"day 2^20+1", set(1, cbUint(1<<20+1))}, {"day long form", set(1, []byte{0x1a, 0, 0, 0x50, 0x05})},
		{"day 2^32", set(1, cbUint(1<<32))}, {"day negative", set(1, cbHead(1, 5))},
		{"hours 0", set(2, cbUint(0))}, {"hours 1", set(2, cbUint(1))}, {"hours 2^20-1", set(2, cbUint(1<<20-1))},
		{"hours 2^20", set(2, cbUint(1<<20))}, {"hours as float", set(2, []byte{0xf9, 0x3c, 0x00})},
		{"list 2, not held", set(3, cbUint(2))}, {"list 2^32", set(3, cbUint(1<<32))},
		{"index 7", set(4, cbUint(7))}, {"index 6", set(4, cbUint(6))}, {"index past the list", set(4, cbUint(131072))},
		{"index 2^32-1", set(4, cbUint(1<<32-1))}, {"index 2^32", set(4, cbUint(1<<32))},
		{"member 0", set(6, cbUint(0))}, {"member 8 (left)", set(6, cbUint(8))}, {"member 9 (not listed)", set(6, cbUint(9))},
		{"member 2^32-1", set(6, cbUint(1<<32-1))}, {"member 2^32", set(6, cbUint(1<<32))}, {"member as text", set(6, cbText("7"))},
		{"day before the key", set(1, cbUint(20453))}, {"day the key starts", set(1, cbUint(20454))},
		{"day the key ends", set(1, cbUint(21184))}, {"day after the key", set(1, cbUint(21185))},
		{"tagged id", set(0, append([]byte{0xd8, 0x40}, cbBytes(id)...))},
	} {
		s.add(tt.name, letter(tt.claims))
	}
	for _, name := range []string{" Ana", "Ana ", strings.Repeat("n", 40), strings.Repeat("n", 41), strings.Repeat("é", 32),
		strings.Repeat("é", 33), "Ana\u00a0Prueba", "Ana\tPrueba", strings.Repeat("漢", 21), strings.Repeat("漢", 22), "",
		"Nguyễn Thị Minh Khai", "Անի Օրինակյան", "김민지 예시", "王小明"} {
		s.add(fmt.Sprintf("client %q", name), letter(set(5, cbText(name))))
	}
	for _, tt := range []struct {
		name   string
		signed []byte
	}{
		{"version 2 claims in a version 1 COSE_Sign1", sign1(issuer, kidOf(issuer), claims(nil), "amparo letter v1")},
		{"version 2 claims in a COSE_Sign1 signed as v2", sign1(issuer, kidOf(issuer), claims(nil), "amparo letter v2")},
		{"signed as version 1", func() []byte {
			head := append(append([]byte{0x02}, kid4...), claims(nil)...)
			return append(head, ed25519.Sign(issuer, append([]byte("amparo letter v1"), head...))...)
		}()},
		{"signed by the root key, issuer's kid", signV2(root, kid4, claims(nil))},
		{"kid4 of nobody", signV2(issuer, []byte{1, 2, 3, 4}, claims(nil))},
		{"kid of 8 bytes", signV2(issuer, kidOf(issuer), claims(nil))},
	} {
		s.add(tt.name, credential.Encode(prefix, tt.signed))
	}
	out = append(out, s)

	// Rosters in every form.
	other := seedKey(9)
	key := []pair{{1, cbBytes(kidOf(issuer))}, {2, cbText("org-ficticia")}, {3, cbText("Centro Legal Ficticio")},
		{4, cbBytes(pubOf(issuer))}, {5, cbUint(1767225600)}, {6, cbUint(1830297600)}, {7, cbUint(1)}}
	otherKey := with(with(with(key, 1, cbBytes(kidOf(other))), 4, cbBytes(pubOf(other))), 2, cbText("org-otra"))
	twoOrgs := hex.EncodeToString(sign1(root, kidOf(root), cbMap([]pair{{1, cbUint(1768435200)},
		{2, append(append(cbHead(4, 2), cbMap(key)...), cbMap(otherKey)...)}}), "amparo trust list v1"))
	ok := func(members ...rosterEntry) []byte {
		return rosterPayload("org-ficticia", rosterIssued, "+1 213 555 0199", members...)
	}
	signed := func(p []byte) string { return roster(issuer, kidOf(issuer), p, "amparo roster v1") }
	many := make([]rosterEntry, 5001)
	for i := range many {
		many[i] = rosterEntry{uint64(i + 1), 1, fmt.Sprintf("Miembro Ficticio %d", i+1), "+1 213 555 0100", "California", fmt.Sprint(100000 + i), "", ""}
	}
	many[6] = tomas
	huge := rosterPayload("org-ficticia", rosterIssued, "+1 213 555 0199", many[:5000]...)
	accredited := rosterEntry{7, 1, "Lic. Tomás Ficticio", "+1 213 555 0100", "", "", "Centro Legal Ficticio", "R-12345"}
	for _, tt := range []struct {
		name    string
		trust   string
		rosters []string
	}{
		{"none", "", nil},
		{"vector", "", []string{vec["roster-cose"]}},
		{"newer (member 7 left), then older", "", []string{left, vec["roster-cose"]}},
		{"suspended", "", []string{signed(ok(rosterEntry{7, 3, "Lic. Tomás Ficticio", "+1 213 555 0100", "California", "999001", "", ""}))}},
		{"left, no organization phone", "", []string{signed(rosterPayload("org-ficticia", rosterIssued, "", dana, rosterEntry{7, 2, "Lic. Tomás Ficticio", "", "California", "999001", "", ""}))}},
		{"member not listed", "", []string{signed(ok(dana))}},
		{"no members", "", []string{signed(ok())}},
		{"members null", "", []string{signed(cbMap([]pair{{1, cbText("org-ficticia")}, {2, cbUint(rosterIssued)}, {3, cbText("")}, {4, []byte{0xf6}}}))}},
		{"accredited representative", "", []string{signed(ok(accredited))}},
		{"5000 members", "", []string{signed(huge)}},
		{"5001 members", "", []string{signed(rosterPayload("org-ficticia", rosterIssued, "", many...))}},
		{"signed by another organization's key", twoOrgs, []string{roster(other, kidOf(other), vectorRoster, "amparo roster v1")}},
		{"another organization's roster", twoOrgs, []string{roster(other, kidOf(other), rosterPayload("org-otra", rosterIssued, "", tomas), "amparo roster v1")}},
		{"another key with the issuer's kid", "", []string{roster(other, kidOf(issuer), vectorRoster, "amparo roster v1")}},
		{"signed by the root key", "", []string{roster(root, kidOf(root), vectorRoster, "amparo roster v1")}},
		{"signed as a status list", "", []string{roster(issuer, kidOf(issuer), vectorRoster, "amparo status list v1")}},
		{"a status list as a roster", "", []string{vec["status-list-cose"]}},
		{"signed as a letter", "", []string{roster(issuer, kidOf(issuer), vectorRoster, "amparo letter v1")}},
		{"issued before the key", "", []string{signed(rosterPayload("org-ficticia", 1767225599, "", tomas))}},
		{"issued after the key", "", []string{signed(rosterPayload("org-ficticia", 1830297601, "", tomas))}},
		{"issued 0", "", []string{signed(rosterPayload("org-ficticia", 0, "", tomas))}},
		{"refs out of order", "", []string{signed(ok(dana, tomas))}},
		{"ref twice", "", []string{signed(ok(tomas, tomas))}},
		{"ref 0", "", []string{signed(ok(rosterEntry{0, 1, "Cero", "+1 213 555 0100", "California", "1", "", ""}, tomas))}},
		{"active without phone", "", []string{signed(ok(rosterEntry{7, 1, "Lic. Tomás Ficticio", "", "California", "999001", "", ""}))}},
		{"state 0", "", []string{signed(ok(rosterEntry{7, 0, "Lic. Tomás Ficticio", "+1 213 555 0100", "California", "999001", "", ""}))}},
		{"state 4", "", []string{signed(ok(rosterEntry{7, 4, "Lic. Tomás Ficticio", "+1 213 555 0100", "California", "999001", "", ""}))}},
		{"state 256", "", []string{signed(ok(rosterEntry{7, 256, "Lic. Tomás Ficticio", "+1 213 555 0100", "California", "999001", "", ""}))}},
		{"attorney and representative", "", []string{signed(ok(rosterEntry{7, 1, "Lic. Tomás Ficticio", "+1 213 555 0100", "California", "999001", "Centro", "R-1"}))}},
		{"neither", "", []string{signed(ok(rosterEntry{7, 1, "Lic. Tomás Ficticio", "+1 213 555 0100", "", "", "", ""}))}},
		{"bar number alone", "", []string{signed(ok(rosterEntry{7, 1, "Lic. Tomás Ficticio", "+1 213 555 0100", "", "999001", "", ""}))}},
		{"name of 120", "", []string{signed(ok(rosterEntry{7, 1, strings.Repeat("ñ", 120), "+1 213 555 0100", "CA", "1", "", ""}))}},
		{"name of 121", "", []string{signed(ok(rosterEntry{7, 1, strings.Repeat("n", 121), "+1 213 555 0100", "CA", "1", "", ""}))}},
		{"bar number of 40", "", []string{signed(ok(rosterEntry{7, 1, "Tomás", "+1 213 555 0100", "CA", strings.Repeat("9", 40), "", ""}))}},
		{"bar number of 41", "", []string{signed(ok(rosterEntry{7, 1, "Tomás", "+1 213 555 0100", "CA", strings.Repeat("9", 41), "", ""}))}},
		{"member phone abc", "", []string{signed(ok(rosterEntry{7, 1, "Tomás", "abc", "CA", "1", "", ""}))}},
		{"left member with an old phone", "", []string{signed(ok(rosterEntry{7, 2, "Lic. Tomás Ficticio", "+1 213 555 0100", "California", "999001", "", ""}))}},
		{"organization phone abc", "", []string{signed(rosterPayload("org-ficticia", rosterIssued, "abc", tomas))}},
		{"org_id empty", "", []string{signed(rosterPayload("", rosterIssued, "", tomas))}},
		{"keys out of order", "", []string{signed(cbMap([]pair{{2, cbUint(rosterIssued)}, {1, cbText("org-ficticia")}, {3, cbText("")}, {4, cbArray(tomas.cbor())}}))}},
		{"phone key missing", "", []string{signed(cbMap([]pair{{1, cbText("org-ficticia")}, {2, cbUint(rosterIssued)}, {4, cbArray(tomas.cbor())}}))}},
		{"unknown key 5", "", []string{signed(cbMap([]pair{{1, cbText("org-ficticia")}, {2, cbUint(rosterIssued)}, {3, cbText("")}, {4, cbArray(tomas.cbor())}, {5, cbUint(1)}}))}},
		{"a member of 7 items", "", []string{signed(cbMap([]pair{{1, cbText("org-ficticia")}, {2, cbUint(rosterIssued)}, {3, cbText("")}, {4, cbArray(cbArray(cbUint(7), cbUint(1), cbText(tomas.name), cbText(tomas.phone), cbText(tomas.barJ), cbText(tomas.barN), cbText("")))}}))}},
		{"a member as a map", "", []string{signed(cbMap([]pair{{1, cbText("org-ficticia")}, {2, cbUint(rosterIssued)}, {3, cbText("")}, {4, cbArray(cbMap([]pair{{1, cbUint(7)}}))}}))}},
		{"a byte after", "", []string{signed(append(ok(tomas), 0))}},
		{"over a megabyte", "", []string{signed(rosterPayload("org-ficticia", rosterIssued, "", rosterEntry{7, 1, "Lic. Tomás Ficticio", "+1 213 555 0100", "California", "999001", "", ""},
			rosterEntry{9, 2, "Relleno", "", "CA", "1", strings.Repeat("x", 1<<20), "R"}))}},
	} {
		sc := base("roster " + tt.name)
		if tt.trust != "" {
			sc.Trust = tt.trust
		}
		sc.Rosters = tt.rosters
		sc.add("qr-text-v2", qr)
		sc.add("member 8", letter(set(6, cbUint(8))))
		sc.add("index 7, revoked", letter(set(4, cbUint(7))))
		out = append(out, sc)
	}
	return out
}

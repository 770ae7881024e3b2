package web_test

import (
	"bytes"
	"crypto/ed25519"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/amparo-project/amparo/credential"
)

// conformanceScenarios builds the inputs of TestVerifyJS_SameAsGo from the
// vectors of docs/credential.md: the spec's root and issuer keys, trust
// list, status list and letter, and every variation of them worth trying.
func conformanceScenarios(t *testing.T) []scenario {
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
	const prefix = "https://amparo.example.org/v#"
	march := float64(time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC).Unix())
	base := func(name string) scenario {
		return scenario{Name: name, Root: vec["root-public-key"], Trust: vec["trust-list-cose"], Lists: []string{vec["status-list-cose"]}, Now: march}
	}
	var out []scenario

	// The vectors, at the times the spec gives, and half a second before expiry.
	qr := vec["qr-text"]
	for name, now := range map[string]float64{"2026-03-01": march, "expiry": 1801483200, "just before expiry": 1801483199.5} {
		s := base("spec vectors at " + name)
		s.Now = now
		s.add("qr-text", qr)
		out = append(out, s)
	}

	// Every one-bit change (two per byte) and every truncation of the letter.
	cose := b("letter-cose")
	s := base("changed letters")
	for i := range cose {
		for _, bit := range []byte{0x01, 0x80} {
			m := bytes.Clone(cose)
			m[i] ^= bit
			s.add(fmt.Sprintf("byte %d ^ %#02x", i, bit), credential.Encode(prefix, m))
		}
	}
	for n := range len(cose) {
		s.add(fmt.Sprintf("first %d bytes", n), credential.Encode(prefix, cose[:n]))
	}
	s.add("a byte after", credential.Encode(prefix, append(bytes.Clone(cose), 0)))
	s.add("tag 18", credential.Encode(prefix, append([]byte{0xd2}, cose...)))
	out = append(out, s)

	// QR texts.
	const b32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
	cred := qr[strings.LastIndexByte(qr, '#')+1:]
	last := strings.IndexByte(b32, cred[len(cred)-1])
	long := func(n int, filler string) string {
		return "https://amparo.example.org/" + strings.Repeat("a", n-len(qr)-len(filler)) + filler + "v#" + cred
	}
	s = base("QR texts")
	for _, tt := range [][2]string{
		{"credential alone", cred}, {"another prefix", "HTTP://ELSEWHERE.EXAMPLE/#" + cred},
		{"two #", "https://x.example/v#ABC#" + cred}, {"lower case", prefix + strings.ToLower(cred)},
		{"one lower-case letter", prefix + cred[:10] + strings.ToLower(cred[10:11]) + cred[11:]},
		{"padding", prefix + cred + "="}, {"space", prefix + cred[:20] + " " + cred[20:]},
		{"newline", prefix + cred[:20] + "\n" + cred[20:]}, {"0 for O", prefix + strings.ReplaceAll(cred, "O", "0")},
		{"last character dropped", prefix + cred[:len(cred)-1]}, {"two dropped", prefix + cred[:len(cred)-2]},
		{"unused bits set", prefix + cred[:len(cred)-1] + string(b32[last|1])},
		{"empty credential", prefix}, {"# at the end", qr + "#"}, {"nothing", ""},
		{"2048 bytes", long(2048, "")}, {"2049 bytes", long(2049, "")}, {"2048 characters, 2049 bytes", long(2049, "é")},
	} {
		s.add(tt[0], tt[1])
	}
	out = append(out, s)

	// Claims in every form, signed with the issuer key.
	id, _ := hex.DecodeString("6f1c2a9011524b0e9d3301aa7e45c218")
	claims := []pair{{1, cbBytes(id)}, {2, cbUint(1769947200)}, {3, cbUint(1801483200)}, {4, cbUint(1)}, {5, cbUint(94321)},
		{6, cbText("Ana Ejemplo Prueba")}, {7, cbText("Lic. Tomás Ficticio")}, {8, cbText("CA")}, {9, cbText("999001")}, {12, cbText("+1 213 555 0100")}}
	if !bytes.Equal(cbMap(claims), b("claims-cbor")) || !bytes.Equal(sign1(issuer, kidOf(issuer), cbMap(claims), "amparo letter v1"), cose) {
		t.Fatal("the test's CBOR and COSE writing does not reproduce the vectors")
	}
	letter := func(payload []byte) string {
		return credential.Encode(prefix, sign1(issuer, kidOf(issuer), payload, "amparo letter v1"))
	}
	set := func(k uint64, v []byte) []byte { return cbMap(with(claims, k, v)) }
	accredited := with(with(with(with(claims, 8, nil), 9, nil), 10, cbText("Centro Legal Ficticio")), 11, cbText("R-12345"))
	canonical := cbMap(claims)
	swapped := slices.Clone(claims)
	swapped[5], swapped[6] = swapped[6], swapped[5]
	s = base("claims")
	for _, tt := range []struct {
		name    string
		payload []byte
	}{
		{"canonical", canonical}, {"accredited representative", cbMap(accredited)},
		{"keys out of order", cbMap(swapped)},
		{"key repeated", cbMap(append(slices.Clone(claims), pair{12, cbText("+1 213 555 0100")}))},
		{"unknown key 13", set(13, cbText("x"))}, {"unknown key 0", set(0, cbUint(1))},
		{"text key", append([]byte{canonical[0], 0x61, '1'}, canonical[2:]...)},
		{"long form map length", append([]byte{0xb8, 10}, canonical[1:]...)},
		{"indefinite map", append(append([]byte{0xbf}, canonical[1:]...), 0xff)},
		{"a byte after", append(bytes.Clone(canonical), 0)},
		{"an array", append([]byte{0x8a}, canonical[1:]...)},
		{"no id", set(1, nil)}, {"no status list", set(4, nil)}, {"no phone", set(12, nil)}, {"no member", set(7, nil)},
		{"empty bar jurisdiction kept", cbMap(with(accredited, 8, cbText("")))},
		{"id as text", set(1, cbText("0123456789abcdef"))}, {"id of 15 bytes", set(1, cbBytes(id[:15]))},
		{"id of 17 bytes", set(1, cbBytes(append(bytes.Clone(id), 1)))},
		{"id of zeros", set(1, cbBytes(make([]byte, 16)))}, {"id null", set(1, []byte{0xf6})},
		{"tagged id", set(1, append([]byte{0xd8, 0x40}, cbBytes(id)...))},
		{"long form uint", set(4, []byte{0x18, 0x01})}, {"long form text", set(9, append([]byte{0x78, 6}, "999001"...))},
		{"float issued_at", set(2, []byte{0xfa, 0x4e, 0xd2, 0xfe, 0x81})}, {"negative index", set(5, cbHead(1, 5))},
		{"index 2^32", set(5, cbUint(1<<32))}, {"index 2^32-1", set(5, cbUint(1<<32-1))},
		{"index past the list", set(5, cbUint(131072))}, {"index 7", set(5, cbUint(7))}, {"index 6", set(5, cbUint(6))},
		{"list 2, not held", set(4, cbUint(2))}, {"list 0", set(4, cbUint(0))},
		{"issued_at 0", set(2, cbUint(0))}, {"expires = issued_at", set(3, cbUint(1769947200))},
		{"expires 2^32", set(3, cbUint(1<<32))}, {"expires 2^32+1", set(3, cbUint(1<<32+1))},
		{"expires 2^64-1", set(3, cbUint(1<<64-1))},
		{"issued_at 2^32+1", cbMap(with(with(claims, 2, cbUint(1<<32+1)), 3, cbUint(1<<32+2)))},
		{"issued before the key", set(2, cbUint(1767225599))}, {"issued as the key starts", set(2, cbUint(1767225600))},
		{"issued after the key", cbMap(with(with(claims, 2, cbUint(1830297601)), 3, cbUint(1830300000)))},
		{"issued as the key ends", cbMap(with(with(claims, 2, cbUint(1830297600)), 3, cbUint(1830300000)))},
		{"attorney and representative", cbMap(with(with(claims, 10, cbText("Centro")), 11, cbText("R-1")))},
		{"neither", cbMap(with(with(claims, 8, nil), 9, nil))}, {"bar jurisdiction alone", set(9, nil)},
		{"accreditation alone", cbMap(with(with(with(claims, 8, nil), 9, nil), 11, cbText("R-1")))},
		{"invalid UTF-8 name", set(7, append(cbHead(3, 3), 'L', 0xff, 0xfe))},
		{"bar number of 16", set(9, cbText("1234567890123456"))}, {"bar number of 17", set(9, cbText("12345678901234567"))},
		{"bar number with é", set(9, cbText("99é"))}, {"bar number with tab", set(9, cbText("99\t1"))},
		{"bar number, space first", set(9, cbText(" 999"))}, {"empty bar number", set(9, cbText(""))},
		{"phone abc", set(12, cbText("abc"))}, {"phone of 2 digits", set(12, cbText("12"))}, {"phone of 3 digits", set(12, cbText("123"))},
		{"phone of 20", set(12, cbText("+1 (213) 555-0100.99"))}, {"phone of 21", set(12, cbText("+1 (213) 555-0100.999"))},
		{"phone with x", set(12, cbText("+1 213 555 0100x1"))}, {"phone with slash", set(12, cbText("213/555"))},
	} {
		s.add(tt.name, letter(tt.payload))
	}
	for _, name := range []string{" Lic. Tomás", "Lic. Tomás ", strings.Repeat("n", 40), strings.Repeat("n", 41),
		strings.Repeat("é", 32), strings.Repeat("é", 33), "Lic.\aTomás", "Lic.\u00a0Tomás", "Lic. Tomás 😀", "Lic. To\u200dmás",
		"Lic. Tome\u0301s", "Lic.\tTomás", strings.Repeat("漢", 21), strings.Repeat("漢", 22), "", "Ø", "Lic.  Tomás", "\u2028x"} {
		s.add(fmt.Sprintf("member %q", name), letter(set(7, cbText(name))))
		s.add(fmt.Sprintf("client %q", name), letter(set(6, cbText(name))))
	}
	for _, tt := range []struct {
		name string
		sig  []byte
	}{
		{"alg ES256", sign1Raw(issuer, append([]byte{0xa2, 0x01, 0x26, 0x04, 0x48}, kidOf(issuer)...), canonical, "amparo letter v1")},
		{"protected keys swapped", sign1Raw(issuer, append(append([]byte{0xa2, 0x04, 0x48}, kidOf(issuer)...), 0x01, 0x27), canonical, "amparo letter v1")},
		{"kid in the unprotected header", unprotected(sign1(issuer, kidOf(issuer), canonical, "amparo letter v1"), append([]byte{0xa1, 0x04, 0x48}, kidOf(issuer)...))},
		{"signed as a status list", sign1(issuer, kidOf(issuer), canonical, "amparo status list v1")},
		{"signed by the root key", sign1(root, kidOf(root), canonical, "amparo letter v1")},
		{"signed by the root key, issuer's kid", sign1(root, kidOf(issuer), canonical, "amparo letter v1")},
	} {
		s.add(tt.name, credential.Encode(prefix, tt.sig))
	}
	out = append(out, s)

	// Trust lists in every form, signed with the root key.
	key := []pair{{1, cbBytes(kidOf(issuer))}, {2, cbText("org-ficticia")}, {3, cbText("Centro Legal Ficticio")},
		{4, cbBytes(pubOf(issuer))}, {5, cbUint(1767225600)}, {6, cbUint(1830297600)}, {7, cbUint(1)}}
	keys := func(ks ...[]pair) []byte {
		arr := cbHead(4, uint64(len(ks)))
		for _, k := range ks {
			arr = append(arr, cbMap(k)...)
		}
		return arr
	}
	trust := func(v []byte) []byte { return cbMap([]pair{{1, cbUint(1768435200)}, {2, v}}) }
	if !bytes.Equal(sign1(root, kidOf(root), trust(keys(key)), "amparo trust list v1"), b("trust-list-cose")) {
		t.Fatal("the test's trust list writing does not reproduce the vector")
	}
	other := seedKey(9)
	otherKey := with(with(with(key, 1, cbBytes(kidOf(other))), 4, cbBytes(pubOf(other))), 2, cbText("org-otra"))
	k := func(f uint64, v []byte) []byte { return trust(keys(with(key, f, v))) }
	index7 := letter(set(5, cbUint(7)))
	for _, tt := range []struct {
		name   string
		signed []byte
	}{
		{"signed by the issuer, root kid", sign1(issuer, kidOf(root), trust(keys(key)), "amparo trust list v1")},
		{"signed as a letter", sign1(root, kidOf(root), trust(keys(key)), "amparo letter v1")},
		{"root key, issuer kid", sign1(root, kidOf(issuer), trust(keys(key)), "amparo trust list v1")},
	} {
		sc := base("trust list " + tt.name)
		sc.Trust = hex.EncodeToString(tt.signed)
		sc.add("qr-text", qr)
		out = append(out, sc)
	}
	for _, tt := range []struct {
		name    string
		payload []byte
	}{
		{"canonical", trust(keys(key))}, {"no keys", trust(keys())}, {"keys null", trust([]byte{0xf6})},
		{"keys missing", cbMap([]pair{{1, cbUint(1768435200)}})}, {"issued_at missing", cbMap([]pair{{2, keys(key)}})},
		{"issued_at 0", cbMap([]pair{{1, cbUint(0)}, {2, keys(key)}})}, {"issued_at 2^63", cbMap([]pair{{1, cbUint(1 << 63)}, {2, keys(key)}})},
		{"issued_at 2^63-1", cbMap([]pair{{1, cbUint(1<<63 - 1)}, {2, keys(key)}})},
		{"two organizations", trust(keys(key, otherKey))}, {"key listed twice", trust(keys(key, key))},
		{"same key for two organizations", trust(keys(key, with(key, 2, cbText("org-otra"))))},
		{"key entry null", trust(append(cbHead(4, 2), append(cbMap(key), 0xf6)...))},
		{"kid of another key", k(1, cbBytes(kidOf(root)))}, {"kid of 7 bytes", k(1, cbBytes(kidOf(issuer)[:7]))},
		{"kid null", k(1, []byte{0xf6})}, {"public key of 31 bytes", k(4, cbBytes(pubOf(issuer)[:31]))},
		{"status 0", k(7, cbUint(0))}, {"retired", k(7, cbUint(2))}, {"revoked", k(7, cbUint(3))}, {"status 4", k(7, cbUint(4))},
		{"status 256", k(7, cbUint(256))}, {"valid_to = valid_from", k(6, cbUint(1767225600))}, {"valid_from 0", k(5, cbUint(0))},
		{"valid_to 2^63", k(6, cbUint(1<<63))}, {"valid_to 2^64-1", k(6, cbUint(1<<64-1))},
		{"valid_to 2^53+1", k(6, cbUint(1<<53+1))},
		{"key valid only later", trust(keys(with(key, 5, cbUint(1800000000))))},
		{"org_id of 32", k(2, cbText(strings.Repeat("o", 32)))}, {"org_id of 33", k(2, cbText(strings.Repeat("o", 33)))},
		{"org_id with ñ", k(2, cbText("org-españa"))}, {"org_id, space last", k(2, cbText("org "))}, {"org_id empty", k(2, cbText(""))},
		{"org_name of 120", k(3, cbText(strings.Repeat("ñ", 120)))}, {"org_name of 121", k(3, cbText(strings.Repeat("n", 121)))},
		{"org_name empty", k(3, cbText(""))}, {"org_name with a control character", k(3, cbText("Centro\x01"))},
		{"unknown key field", k(8, cbUint(1))}, {"key fields out of order", trust(keys(append(slices.Clone(key[1:]), key[0])))},
		{"a byte after", append(trust(keys(key)), 0)},
	} {
		sc := base("trust list " + tt.name)
		sc.Trust = hex.EncodeToString(sign1(root, kidOf(root), tt.payload, "amparo trust list v1"))
		sc.add("qr-text", qr)
		sc.add("index 7", index7)
		sc.add("issued by the other organization", credential.Encode(prefix, sign1(other, kidOf(other), canonical, "amparo letter v1")))
		out = append(out, sc)
	}

	// Status lists in every form, signed with the issuer key.
	bits := make([]byte, 16384)
	bits[0] = 0x01 // entry 7
	status := []pair{{1, cbText("org-ficticia")}, {2, cbUint(1)}, {3, cbUint(1772258400)}, {4, cbBytes(gz(bits))}}
	newer := with(with(status, 3, cbUint(1772262000)), 4, cbBytes(gz(revoke(bits, 94321))))
	badCRC := gz(bits)
	badCRC[len(badCRC)-5] ^= 1
	badSize := gz(bits)
	badSize[len(badSize)-1] ^= 1
	list := func(ps []pair) string {
		return hex.EncodeToString(sign1(issuer, kidOf(issuer), cbMap(ps), "amparo status list v1"))
	}
	st := func(f uint64, v []byte) []string { return []string{list(with(status, f, v))} }
	for _, tt := range []struct {
		name  string
		lists []string
	}{
		{"canonical", st(0, nil)}, {"none", nil}, {"newer, then older", []string{list(newer), list(status)}},
		{"older, then newer", []string{list(status), list(newer)}},
		{"of another organization", st(1, cbText("org-otra"))}, {"list 2", st(2, cbUint(2))}, {"list 2^32", st(2, cbUint(1<<32))},
		{"issued before the key", st(3, cbUint(1767225599))}, {"issued as the key starts", st(3, cbUint(1767225600))},
		{"issued after the key", st(3, cbUint(1830297601))}, {"issued 2^32+1", st(3, cbUint(1<<32+1))},
		{"bits not gzip", st(4, cbBytes(bits))}, {"bits null", st(4, []byte{0xf6})}, {"bits missing", st(4, nil)},
		{"16383 bytes", st(4, cbBytes(gz(bits[:16383])))}, {"16385 bytes", st(4, cbBytes(gz(append(bytes.Clone(bits), 0))))},
		{"2 MiB", st(4, cbBytes(gz(make([]byte, 1<<21))))}, {"2 MiB and a byte", st(4, cbBytes(gz(make([]byte, 1<<21+1))))},
		{"bad CRC", st(4, cbBytes(badCRC))}, {"bad size", st(4, cbBytes(badSize))},
		{"gzip cut short", st(4, cbBytes(gz(bits)[:20]))}, {"unknown key", st(5, cbUint(1))},
		{"keys out of order", []string{list([]pair{status[1], status[0], status[2], status[3]})}},
		{"signed by the root key", []string{hex.EncodeToString(sign1(root, kidOf(root), cbMap(status), "amparo status list v1"))}},
		{"signed as a letter", []string{hex.EncodeToString(sign1(issuer, kidOf(issuer), cbMap(status), "amparo letter v1"))}},
		// Bytes after the gzip member are left out: Go ignores them and
		// DecompressionStream rejects them; issuers never write any.
	} {
		sc := base("status list " + tt.name)
		sc.Lists = tt.lists
		sc.add("qr-text", qr)
		sc.add("index 7", index7)
		out = append(out, sc)
	}
	// A key valid past 2^32: only the status list's own limit rejects it.
	sc := base("status list issued 2^32+1 by a key valid until 2^40")
	sc.Trust = hex.EncodeToString(sign1(root, kidOf(root), trust(keys(with(key, 6, cbUint(1<<40)))), "amparo trust list v1"))
	sc.Lists = st(3, cbUint(1<<32+1))
	sc.add("qr-text", qr)
	return append(out, sc)
}

func revoke(bits []byte, i int) []byte {
	out := bytes.Clone(bits)
	out[i/8] |= 0x80 >> (i % 8)
	return out
}

// sign1Raw signs payload under any protected header bytes.
func sign1Raw(key ed25519.PrivateKey, prot, payload []byte, aad string) []byte {
	tbs := append([]byte{0x84, 0x6a}, "Signature1"...)
	tbs = append(append(append(tbs, cbBytes(prot)...), cbBytes([]byte(aad))...), cbBytes(payload)...)
	out := append(append([]byte{0x84}, cbBytes(prot)...), 0xa0)
	return append(append(out, cbBytes(payload)...), cbBytes(ed25519.Sign(key, tbs))...)
}

// unprotected replaces the empty unprotected header of a COSE_Sign1.
func unprotected(signed, header []byte) []byte {
	return append(append(bytes.Clone(signed[:15]), header...), signed[16:]...)
}

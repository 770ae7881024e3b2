package web_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/amparo-project/amparo/credential"
	"github.com/amparo-project/amparo/internal/testenv"
	"github.com/chromedp/chromedp"
)

// The page's verifier (web/static/credential.js) must give the Go
// reference's result for the same input. These tests run both on the
// vectors of docs/credential.md, on every one-byte change and truncation of
// the vector letter, on malformed QR texts, and on claims, trust lists and
// status lists signed in every non-canonical or invalid form, and compare.

// scenario is a trust list, status lists and QR texts checked at now.
type scenario struct {
	Name    string   `json:"-"`
	Root    string   `json:"root"`
	Trust   string   `json:"trust"`
	Lists   []string `json:"lists"`
	Rosters []string `json:"rosters"`
	Texts   []string `json:"texts"`
	Names   []string `json:"-"`
	Now     float64  `json:"now"` // Unix seconds
}

func (s *scenario) add(name, text string) {
	s.Names = append(s.Names, name)
	s.Texts = append(s.Texts, text)
}

type outcome struct {
	Trust   bool      `json:"trust"`
	Lists   []bool    `json:"lists"`
	Rosters []bool    `json:"rosters"`
	Results []verdict `json:"results"`
}

type verdict struct {
	Status     string `json:"status"`
	AsOf       *int64 `json:"asOf"`
	ID         string `json:"id"`
	Member     string `json:"member"`
	Notice     string `json:"notice"`
	Contact    string `json:"contact"`
	RosterAsOf *int64 `json:"rosterAsOf"`
}

func (v verdict) String() string {
	at := func(p *int64) string {
		if p == nil {
			return "none"
		}
		return fmt.Sprint(*p)
	}
	return fmt.Sprintf("%s (as of %s, id %q, member %q, notice %q, contact %q, roster as of %s)",
		v.Status, at(v.AsOf), v.ID, v.Member, v.Notice, v.Contact, at(v.RosterAsOf))
}

const runScenarios = `const c = await import(location.origin + '/v/static/credential.js');
	const out = [];
	for (const s of arg) {
		let trust;
		try { trust = await c.verifyTrustList(c.unhex(s.trust), c.unhex(s.root)); } catch (e) { out.push({trust: false, lists: [], results: []}); continue; }
		const v = new c.Verifier(trust);
		const lists = [];
		for (const l of s.lists || []) lists.push(await v.addStatusList(c.unhex(l)).then(() => true, () => false));
		const rosters = [];
		for (const l of s.rosters || []) rosters.push(await v.addRoster(c.unhex(l)).then(() => true, () => false));
		const results = [];
		for (const text of s.texts) {
			const r = await v.verify(text, s.now);
			const id = r.claims ? r.claims.id : r.claimsV2 ? r.claimsV2.id : '';
			const member = r.claims ? r.claims.memberName : r.member ? r.member.name : '';
			results.push({status: r.status, asOf: r.statusListAsOf, id, member, notice: r.memberNotice || '', contact: r.contact || '',
				rosterAsOf: r.rosterAsOf ?? null});
		}
		out.push({trust: true, lists, rosters, results});
	}
	return out;`

// goOutcome runs a scenario through package credential.
func goOutcome(s scenario) outcome {
	root, _ := hex.DecodeString(s.Root)
	signed, _ := hex.DecodeString(s.Trust)
	tl, err := credential.VerifyTrustList(signed, root)
	if err != nil {
		return outcome{}
	}
	v, err := credential.NewVerifier(tl)
	if err != nil {
		return outcome{}
	}
	out := outcome{Trust: true}
	for _, l := range s.Lists {
		b, _ := hex.DecodeString(l)
		_, err := v.AddStatusList(b)
		out.Lists = append(out.Lists, err == nil)
	}
	for _, l := range s.Rosters {
		b, _ := hex.DecodeString(l)
		_, err := v.AddRoster(b)
		out.Rosters = append(out.Rosters, err == nil)
	}
	now := time.Unix(0, int64(s.Now*1e9))
	for _, text := range s.Texts {
		r := v.Verify(text, now)
		got := verdict{Status: string(r.Status)}
		if r.StatusListAsOf != nil {
			sec := r.StatusListAsOf.Unix()
			got.AsOf = &sec
		}
		if r.Claims != nil {
			got.ID, got.Member = r.Claims.ID.String(), r.Claims.MemberName
		}
		if r.ClaimsV2 != nil {
			got.ID = r.ClaimsV2.ID.String()
		}
		if r.Member != nil {
			got.Member = r.Member.Name
		}
		got.Notice, got.Contact = r.MemberNotice, r.Contact
		if r.RosterAsOf != nil {
			sec := r.RosterAsOf.Unix()
			got.RosterAsOf = &sec
		}
		out.Results = append(out.Results, got)
	}
	return out
}

func compareWithGo(t *testing.T, ctx context.Context, scenarios []scenario) {
	t.Helper()
	var js []outcome
	evalJSON(t, ctx, runScenarios, scenarios, &js)
	if len(js) != len(scenarios) {
		t.Fatalf("%d outcomes for %d scenarios", len(js), len(scenarios))
	}
	n := 0
	for i, s := range scenarios {
		want := goOutcome(s)
		if js[i].Trust != want.Trust {
			t.Errorf("%s: trust list accepted: JS %v, Go %v", s.Name, js[i].Trust, want.Trust)
			continue
		}
		if fmt.Sprint(js[i].Lists) != fmt.Sprint(want.Lists) {
			t.Errorf("%s: status lists accepted: JS %v, Go %v", s.Name, js[i].Lists, want.Lists)
		}
		if fmt.Sprint(js[i].Rosters) != fmt.Sprint(want.Rosters) {
			t.Errorf("%s: rosters accepted: JS %v, Go %v", s.Name, js[i].Rosters, want.Rosters)
		}
		for j := range want.Results {
			n++
			if j >= len(js[i].Results) || js[i].Results[j].String() != want.Results[j].String() {
				var got any = "nothing"
				if j < len(js[i].Results) {
					got = js[i].Results[j]
				}
				t.Errorf("%s, %s: JS %v, Go %v", s.Name, s.Names[j], got, want.Results[j])
			}
		}
	}
	t.Logf("%d scenarios, %d letters: the page's verifier agrees with the Go reference", len(scenarios), n)
}

// docVectors reads the ```vector NAME blocks of docs/credential.md.
func docVectors(t *testing.T) map[string]string {
	t.Helper()
	doc, err := os.ReadFile("../docs/credential.md")
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, m := range regexp.MustCompile("(?s)```vector ([a-z0-9-]+)\n(.*?)```").FindAllStringSubmatch(string(doc), -1) {
		out[m[1]] = strings.Join(strings.Fields(m[2]), "")
	}
	return out
}

// Minimal CBOR writing, to build documents in any form, canonical or not.
type pair struct {
	k uint64
	v []byte
}

func cbHead(major byte, n uint64) []byte {
	switch {
	case n < 24:
		return []byte{major<<5 | byte(n)}
	case n < 1<<8:
		return []byte{major<<5 | 24, byte(n)}
	case n < 1<<16:
		return []byte{major<<5 | 25, byte(n >> 8), byte(n)}
	case n < 1<<32:
		return []byte{major<<5 | 26, byte(n >> 24), byte(n >> 16), byte(n >> 8), byte(n)}
	}
	return []byte{major<<5 | 27, byte(n >> 56), byte(n >> 48), byte(n >> 40), byte(n >> 32), byte(n >> 24), byte(n >> 16), byte(n >> 8), byte(n)}
}

func cbUint(n uint64) []byte  { return cbHead(0, n) }
func cbText(s string) []byte  { return append(cbHead(3, uint64(len(s))), s...) }
func cbBytes(b []byte) []byte { return append(cbHead(2, uint64(len(b))), b...) }

func cbMap(ps []pair) []byte {
	out := cbHead(5, uint64(len(ps)))
	for _, p := range ps {
		out = append(append(out, cbUint(p.k)...), p.v...)
	}
	return out
}

// with returns ps with key k set to v (appended when absent, kept sorted
// when the keys were); v nil removes k.
func with(ps []pair, k uint64, v []byte) []pair {
	var out []pair
	done := false
	for _, p := range ps {
		if p.k == k {
			if v != nil {
				out = append(out, pair{k, v})
			}
			done = true
			continue
		}
		if !done && p.k > k && v != nil {
			out = append(out, pair{k, v})
			done = true
		}
		out = append(out, p)
	}
	if !done && v != nil {
		out = append(out, pair{k, v})
	}
	return out
}

// sign1 signs payload as the spec's COSE_Sign1, with kid given apart from
// the key so that a document can claim another key's kid.
func sign1(key ed25519.PrivateKey, kid, payload []byte, aad string) []byte {
	return sign1Raw(key, append([]byte{0xa2, 0x01, 0x27, 0x04, 0x48}, kid...), payload, aad)
}

func kidOf(k ed25519.PrivateKey) []byte {
	kid := credential.KeyIDOf(pubOf(k))
	return kid[:]
}

func gz(b []byte) []byte {
	var z bytes.Buffer
	w := gzip.NewWriter(&z)
	w.Write(b)
	w.Close()
	return z.Bytes()
}

func TestVerifyJS_SameAsGo(t *testing.T) {
	t.Parallel()
	v2 := conformanceScenariosV2(t)
	// The version 2 cases reach every status, every member notice, and
	// rosters both accepted and rejected (by Go; JS must agree).
	seen := map[string]int{}
	for _, s := range v2 {
		o := goOutcome(s)
		for _, r := range o.Results {
			seen[r.Status]++
			seen["notice "+r.Notice]++
		}
		for _, ok := range o.Rosters {
			seen[fmt.Sprint("roster accepted ", ok)]++
		}
	}
	for _, want := range []string{"valid", "revoked", "expired", "not_genuine", "unknown_issuer", "notice ", "notice left",
		"notice suspended", "notice unknown_member", "notice no_roster", "roster accepted true", "roster accepted false"} {
		if seen[want] == 0 {
			t.Errorf("no version 2 case gives %q (%v)", want, seen)
		}
	}
	if n := seen["valid"] + seen["revoked"] + seen["expired"] + seen["not_genuine"] + seen["unknown_issuer"]; n < 300 {
		t.Errorf("only %d version 2 letters", n)
	}
	scenarios := append(conformanceScenarios(t), v2...)
	t.Run("WebCrypto", func(t *testing.T) {
		ctx, _, _ := nocodePage(t)
		compareWithGo(t, ctx, scenarios)
	})
	t.Run("PlainJavaScript", func(t *testing.T) {
		// The pure-JavaScript curve is slow in a page: outside CI, a
		// spread of the scenarios (the WebCrypto run above checks all).
		ctx, _, _ := nocodePage(t, withoutWebCryptoEd25519())
		compareWithGo(t, ctx, testenv.Sample(t, scenarios, 40))
		if n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`window.sha512Digests`)); err != nil || n == 0 {
			t.Errorf("the plain-JavaScript Ed25519 was not used (%v)", err)
		}
	})
}

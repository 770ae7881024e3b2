package web_test

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math/big"
	"math/rand/v2"
	"os"
	"strings"
	"testing"
	"time"

	"filippo.io/edwards25519"
	"github.com/amparo-project/amparo/credential"
	"github.com/amparo-project/amparo/internal/browsertest"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// noWebCryptoEd25519 makes a page behave like a browser whose WebCrypto
// lacks Ed25519, so that the page must use its plain-JavaScript verifier.
// It counts SHA-512 digests, which only that verifier asks for.
const noWebCryptoEd25519 = `(() => {
	const isEd = (a) => /^ed25519$/i.test(typeof a === 'string' ? a : (a && a.name) || '');
	const P = SubtleCrypto.prototype;
	for (const m of ['importKey', 'verify', 'generateKey']) {
		const orig = P[m];
		P[m] = function (...args) {
			if (isEd(m === 'importKey' ? args[2] : args[0])) return Promise.reject(new DOMException('no Ed25519 here', 'NotSupportedError'));
			return orig.apply(this, args);
		};
	}
	const digest = P.digest;
	window.sha512Digests = 0;
	P.digest = function (alg, data) {
		if (/^sha-512$/i.test(typeof alg === 'string' ? alg : alg.name)) window.sha512Digests++;
		return digest.call(this, alg, data);
	};
})()`

func withoutWebCryptoEd25519() chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: noWebCryptoEd25519})
		return err
	})
}

// evalJSON runs an async JavaScript function body on the page, with the
// JSON of arg as `arg`, and decodes its result into out.
func evalJSON(t *testing.T, ctx context.Context, body string, arg, out any) {
	t.Helper()
	a, err := json.Marshal(arg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(ctx, 3*time.Minute)
	defer cancel()
	res, err := chromedp.Run(ctx, chromedp.Evaluate[[]byte](fmt.Sprintf("(async (arg) => {%s})(%s)", body, a), chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(res, out); err != nil {
		t.Fatalf("%v: %s", err, res)
	}
}

// nocodePage starts a browser (after setup) on the verify page without a
// letter, so that the page's modules can be imported and run.
func nocodePage(t *testing.T, setup ...chromedp.Action[chromedp.Void]) (context.Context, *program, string) {
	t.Helper()
	p := newProgram(t)
	ts, _ := newVerifyServer(t, p.trust)
	ctx := newBrowser(t, setup...)
	if err := chromedp.Do(ctx, chromedp.Navigate(ts.URL+"/v")); err != nil {
		t.Fatal(err)
	}
	return ctx, p, ts.URL
}

type sigCase struct {
	Name string `json:"-"`
	Pub  string `json:"pub"`
	Msg  string `json:"msg"`
	Sig  string `json:"sig"`
	Want bool   `json:"-"`
}

// rfc8032 are the test vectors of RFC 8032 section 7.1 (TEST 1, 2, 3 and
// SHA(abc)): secret key, public key, message, signature.
var rfc8032 = [][4]string{
	{"9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60", "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "",
		"e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"},
	{"4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb", "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", "72",
		"92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00"},
	{"c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7", "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025", "af82",
		"6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a"},
	{"833fe62409237b9d62ec77587520911e9a759cec1d19755b7da901b96dca3d42", "ec172b93ad5e563bf4932c70e1245034c35467ef2efd4d64ebf819683467e2bf",
		"ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f",
		"dc2a4459e7369633a52b1bf277839a00201009a3efbf3ecb69bea2186c26b58909351fc9ac90b3ecfdfbc7c66431e0303dca179c138ac17ad9bef1177331a704"},
}

// ed25519Cases are the RFC 8032 vectors, signatures made here, and the
// same spoiled in every way that matters, each with Go's verdict.
func ed25519Cases(t *testing.T) []sigCase {
	t.Helper()
	var cases []sigCase
	add := func(name string, pub, msg, sig []byte) {
		cases = append(cases, sigCase{name, hex.EncodeToString(pub), hex.EncodeToString(msg), hex.EncodeToString(sig),
			len(pub) == 32 && ed25519.Verify(pub, msg, sig)})
	}
	flip := func(b []byte, i int, bit byte) []byte {
		c := append([]byte(nil), b...)
		c[i] ^= bit
		return c
	}
	for i, v := range rfc8032 {
		seed, _ := hex.DecodeString(v[0])
		pub, _ := hex.DecodeString(v[1])
		msg, _ := hex.DecodeString(v[2])
		sig, _ := hex.DecodeString(v[3])
		if !ed25519.NewKeyFromSeed(seed).Public().(ed25519.PublicKey).Equal(ed25519.PublicKey(pub)) || !ed25519.Verify(pub, msg, sig) {
			t.Fatalf("RFC 8032 vector %d does not hold in Go", i)
		}
		add(fmt.Sprintf("RFC 8032 vector %d", i), pub, msg, sig)
		add(fmt.Sprintf("RFC 8032 vector %d, bad signature", i), pub, msg, flip(sig, 10, 1))
	}
	r := rand.New(rand.NewPCG(1, 2))
	L, _ := new(big.Int).SetString("7237005577332262213973186563042994240857116359379907606001950938285454250989", 10)
	for i, n := range []int{0, 1, 32, 64, 111, 112, 127, 128, 129, 200, 1023, 4096} {
		seed := make([]byte, 32)
		for j := range seed {
			seed[j] = byte(r.Uint32())
		}
		key := ed25519.NewKeyFromSeed(seed)
		pub := key.Public().(ed25519.PublicKey)
		msg := make([]byte, n)
		for j := range msg {
			msg[j] = byte(r.Uint32())
		}
		sig := ed25519.Sign(key, msg)
		add(fmt.Sprintf("message of %d bytes", n), pub, msg, sig)
		add("R changed", pub, msg, flip(sig, i%32, 4))
		add("S changed", pub, msg, flip(sig, 32+i%31, 2))
		if n > 0 {
			add("message changed", pub, flip(msg, n/2, 1), sig)
		}
		add("key changed", flip(pub, i%31, 1), msg, sig)
		add("other key", pubOf(seedKey(byte(i))), msg, sig)
		// S + L is the same scalar, not in canonical form: rejected.
		s := new(big.Int).SetBytes(reverse(sig[32:]))
		s.Add(s, L)
		r := sig[:32:32]
		add("S + L", pub, msg, append(r, reverse(s.FillBytes(make([]byte, 32)))...))
	}
	// Keys of small order, and a y at or above p, which Go accepts: the
	// identity signs everything with R = identity, S = 0. No trust list
	// carries such keys (credential.CanonicalPublicKey).
	identity := append([]byte{1}, make([]byte, 31)...)
	pPlus1 := append([]byte{0xee}, append(bytesOf(0xff, 30), 0x7f)...)
	for name, pub := range map[string][]byte{"identity key": identity, "identity key, y = p + 1": pPlus1,
		"key y = 0": make([]byte, 32), "key not on the curve": append([]byte{2}, make([]byte, 31)...)} {
		add(name, pub, []byte("x"), append(identity[:32:32], make([]byte, 32)...))
	}
	// A key's holder can make a signature whose R has a part of order 8:
	// Go's cofactorless check refuses it, a cofactored one accepts it.
	key := seedKey(9)
	h := sha512.Sum512(key.Seed())
	sk, _ := new(edwards25519.Scalar).SetBytesWithClamping(h[:32])
	rh := sha512.Sum512([]byte("nonce"))
	rs, _ := new(edwards25519.Scalar).SetUniformBytes(rh[:])
	order8, _ := hex.DecodeString("c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a")
	t8, _ := new(edwards25519.Point).SetBytes(order8)
	R := new(edwards25519.Point).Add(new(edwards25519.Point).ScalarBaseMult(rs), t8).Bytes()
	msg := []byte("a letter")
	kh := sha512.New()
	kh.Write(R)
	kh.Write(pubOf(key))
	kh.Write(msg)
	k, _ := new(edwards25519.Scalar).SetUniformBytes(kh.Sum(nil))
	S := new(edwards25519.Scalar).MultiplyAdd(k, sk, rs)
	add("R with a part of order 8", pubOf(key), msg, append(R, S.Bytes()...))
	return cases
}

func reverse(b []byte) []byte {
	out := make([]byte, len(b))
	for i := range b {
		out[len(b)-1-i] = b[i]
	}
	return out
}

func bytesOf(b byte, n int) []byte { return []byte(strings.Repeat(string([]byte{b}), n)) }

// TestVerifyJS_Ed25519Fallback: the page's verifySignature, with WebCrypto's
// Ed25519 and with the vendored noble, accepts exactly the signatures Go
// accepts for every key a trust list may carry, and nothing for any other
// key; its canonicalKey agrees with credential.CanonicalPublicKey.
func TestVerifyJS_Ed25519Fallback(t *testing.T) {
	t.Parallel()
	cases := ed25519Cases(t)
	canonical := 0
	for i := range cases {
		pub, _ := hex.DecodeString(cases[i].Pub)
		if credential.CanonicalPublicKey(pub) {
			canonical++
		} else {
			cases[i].Want = false // refused: no trust list carries this key
		}
	}
	if canonical == len(cases) || canonical == 0 {
		t.Fatalf("%d of %d cases with a canonical key", canonical, len(cases))
	}
	type jsOut struct {
		Verifies  []bool `json:"verifies"`
		Canonical []bool `json:"canonical"`
	}
	const run = `const m = await import(location.origin + '/v/static/credential.js');
		const out = {verifies: [], canonical: []};
		for (const c of arg) {
			const pub = m.unhex(c.pub);
			out.canonical.push(m.canonicalKey(pub));
			out.verifies.push(m.canonicalKey(pub) && await m.verifySignature(pub, m.unhex(c.msg), m.unhex(c.sig)));
		}
		return out;`
	for _, mode := range []struct {
		name  string
		setup []chromedp.Action[chromedp.Void]
	}{{"WebCrypto", nil}, {"Noble", []chromedp.Action[chromedp.Void]{withoutWebCryptoEd25519()}}} {
		t.Run(mode.name, func(t *testing.T) {
			ctx, _, _ := nocodePage(t, mode.setup...)
			var got jsOut
			evalJSON(t, ctx, run, cases, &got)
			if len(got.Verifies) != len(cases) {
				t.Fatalf("%d results for %d cases", len(got.Verifies), len(cases))
			}
			for i, c := range cases {
				pub, _ := hex.DecodeString(c.Pub)
				if got.Canonical[i] != credential.CanonicalPublicKey(pub) {
					t.Errorf("%s: canonical key: JS %v, Go %v", c.Name, got.Canonical[i], !got.Canonical[i])
				}
				if got.Verifies[i] != c.Want {
					t.Errorf("%s: JS says %v, Go says %v", c.Name, got.Verifies[i], c.Want)
				}
			}
			if mode.name == "Noble" {
				if n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`window.sha512Digests`)); err != nil || n == 0 {
					t.Errorf("noble was not used (%d SHA-512 digests, %v)", n, err)
				}
			}
		})
	}

	// The whole page, in a browser whose WebCrypto lacks Ed25519.
	ctx, p, url := nocodePage(t, withoutWebCryptoEd25519())
	valid := p.letter(t, p.keyA, nil)
	if got := open(t, ctx, url+"/v#"+valid); got.Word != "VALID" {
		t.Errorf("valid letter with noble: %q", got.Word)
	}
	n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`window.sha512Digests`))
	if err != nil || n == 0 {
		t.Errorf("the page did not use noble (%d SHA-512 digests, %v)", n, err)
	}
	forged := p.letter(t, p.stranger, nil)
	forged = valid[:40] + forged[40:] // org-a's kid, a stranger's signature
	if got := open(t, ctx, url+"/v#"+forged); got.Word != "NOT GENUINE" {
		t.Errorf("forged letter with noble: %q", got.Word)
	}
}

// TestVendoredNoble: the vendored file is the one VENDOR.md records, and
// the hand-written ed25519.js and sha2.js are gone.
func TestVendoredNoble(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile("static/noble-ed25519.js")
	if err != nil {
		t.Fatal(err)
	}
	vendor, err := os.ReadFile("static/VENDOR.md")
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(b)
	if !strings.Contains(string(vendor), "`"+hex.EncodeToString(sum[:])+"`") || !strings.Contains(string(vendor), "| 3.2.0 |") ||
		!strings.Contains(string(vendor), "MIT") {
		t.Errorf("VENDOR.md does not record noble-ed25519.js (SHA-256 %x), version 3.2.0 and MIT", sum)
	}
	for _, gone := range []string{"static/ed25519.js", "static/sha2.js"} {
		if _, err := os.Stat(gone); err == nil {
			t.Errorf("%s is still there", gone)
		}
	}
}

// TestVerifyPage_InsecureContext opens the page at a plain-HTTP address of
// another host, as a QR with an http:// verify URL does: no WebCrypto and
// no service worker. The page checks nothing and says, in the reader's
// language, to open it over https; it never shows a verdict.
func TestVerifyPage_InsecureContext(t *testing.T) {
	t.Parallel()
	p := newProgram(t)
	ts, log := newVerifyServer(t, p.trust)
	ctx := browsertest.Start(t, []chromedp.ExecAllocatorOption{chromedp.Flag("host-resolver-rules", "MAP amparo.test 127.0.0.1")})
	base := strings.Replace(ts.URL, "127.0.0.1", "amparo.test", 1)
	valid := p.letter(t, p.keyA, nil)
	for _, tt := range []struct{ lang, want string }{{"en", "secure connection (an address starting with https://)"}, {"es", "conexión segura"}} {
		wait, cancel := context.WithTimeout(ctx, 30*time.Second)
		err := chromedp.Do(wait, chromedp.Navigate("about:blank"), chromedp.Navigate(base+"/v?lang="+tt.lang+"#"+valid))
		var text string
		// A poll racing the new document's setup is tried again.
		for try := 0; err == nil && try < 5; try++ {
			text, err = chromedp.Run(wait, chromedp.Poll[string](`document.readyState === 'complete' && (document.getElementById('insecure') || {}).textContent`,
				chromedp.WithPollingInterval(50*time.Millisecond)))
			if err != nil && (strings.Contains(err.Error(), "context") || strings.Contains(err.Error(), "navigated")) && try < 4 {
				err = nil
				time.Sleep(100 * time.Millisecond)
				continue
			}
			break
		}
		cancel()
		if err != nil || !strings.Contains(text, tt.want) {
			body, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body.innerText`))
			t.Fatalf("%s: the page does not say to use https (%v):\n%s", tt.lang, err, body)
		}
		verdict, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.querySelector('#result .verdict') !== null`))
		if err != nil || verdict {
			t.Errorf("%s: a verdict is shown in an insecure context (%v)", tt.lang, err)
		}
	}
	insecure, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`!window.isSecureContext && !(window.crypto && window.crypto.subtle) && !('serviceWorker' in navigator)`))
	if err != nil || !insecure {
		t.Fatalf("the page was in a secure context (%v): the test proves nothing", err)
	}
	log.mu.Lock()
	defer log.mu.Unlock()
	for _, s := range log.seen {
		if strings.Contains(s, valid[:24]) {
			t.Errorf("request %q holds part of the credential", s)
		}
	}
}

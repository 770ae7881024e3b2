package web_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/credential"
	"github.com/amparo-project/amparo/internal/browsertest"
	"github.com/amparo-project/amparo/web"
	"github.com/chromedp/chromedp"
)

// memTrust is a TrustService held in memory.
type memTrust struct {
	root  ed25519.PublicKey
	trust *amparo.SignedDocument
	mu    sync.Mutex
	lists map[string]*amparo.SignedDocument // by "org/list"
}

func (m *memTrust) setList(key string, d *amparo.SignedDocument) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.lists[key] = d
}

func (m *memTrust) FindRootPublicKey(context.Context) (ed25519.PublicKey, error) { return m.root, nil }

func (m *memTrust) FindTrustList(context.Context) (*amparo.SignedDocument, error) {
	return m.trust, nil
}

func (m *memTrust) FindStatusList(_ context.Context, org string, id uint32) (*amparo.SignedDocument, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if d, ok := m.lists[fmt.Sprintf("%s/%d", org, id)]; ok {
		return d, nil
	}
	return nil, amparo.Errorf(amparo.ENOTFOUND, "No such status list.")
}

func (m *memTrust) FindRoster(_ context.Context, org string) (*amparo.SignedDocument, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if d, ok := m.lists["roster/"+org]; ok {
		return d, nil
	}
	return nil, amparo.Errorf(amparo.ENOTFOUND, "No such roster.")
}

func (m *memTrust) FindBundle(context.Context) (*amparo.SignedDocument, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	b := &credential.Bundle{Root: m.root, TrustList: m.trust.Bytes}
	for _, k := range slices.Sorted(maps.Keys(m.lists)) {
		if strings.HasPrefix(k, "roster/") {
			b.Rosters = append(b.Rosters, m.lists[k].Bytes)
		} else {
			b.StatusLists = append(b.StatusLists, m.lists[k].Bytes)
		}
	}
	data, err := credential.MarshalBundle(b)
	return &amparo.SignedDocument{Bytes: data, IssuedAt: m.trust.IssuedAt}, err
}

func seedKey(b byte) ed25519.PrivateKey {
	return ed25519.NewKeyFromSeed(bytes.Repeat([]byte{b}, ed25519.SeedSize))
}

func pubOf(k ed25519.PrivateKey) ed25519.PublicKey { return k.Public().(ed25519.PublicKey) }

// program is a fictional program signed with package credential: org-a's
// key is active, org-b's revoked, and stranger is in no trust list. Status
// list 1 of org-a has entry 7 revoked.
type program struct {
	root, keyA, keyB, stranger ed25519.PrivateKey
	trust                      *memTrust
	now                        time.Time
}

func newProgram(t *testing.T) *program {
	t.Helper()
	p := &program{root: seedKey(1), keyA: seedKey(2), keyB: seedKey(3), stranger: seedKey(4), now: time.Now()}
	from, to := p.now.AddDate(-1, 0, 0), p.now.AddDate(2, 0, 0)
	b := credential.NewTrustedKey("org-b", "Fictional Defenders Collective", pubOf(p.keyB), from, to)
	b.Status = credential.KeyRevoked
	tl := &credential.TrustList{IssuedAt: p.now.Add(-time.Hour).Truncate(time.Second), Keys: []credential.TrustedKey{
		credential.NewTrustedKey("org-a", "Centro Legal Ficticio", pubOf(p.keyA), from, to), b}}
	signedTrust, err := credential.SignTrustList(tl, p.root)
	if err != nil {
		t.Fatal(err)
	}
	list, err := credential.NewStatusList("org-a", 1, credential.MinStatusListLen)
	if err != nil {
		t.Fatal(err)
	}
	list.SetRevoked(7, true)
	list.IssuedAt = p.now.Add(-30 * time.Minute).Truncate(time.Second)
	signedList, err := credential.SignStatusList(list, p.keyA)
	if err != nil {
		t.Fatal(err)
	}
	roster := &credential.Roster{OrgID: "org-a", IssuedAt: list.IssuedAt, Phone: "+1 213 555 0199", Members: []credential.RosterMember{
		{Ref: 1, Name: "Lic. Tomás Ficticio", BarJurisdiction: "California", BarNumber: "999001", Phone: "+1 213 555 0100", State: credential.MemberActive},
		{Ref: 2, Name: "Dana Inventada", BarJurisdiction: "California", BarNumber: "999002", State: credential.MemberLeft}}}
	signedRoster, err := credential.SignRoster(roster, p.keyA)
	if err != nil {
		t.Fatal(err)
	}
	p.trust = &memTrust{root: pubOf(p.root), trust: &amparo.SignedDocument{Bytes: signedTrust, IssuedAt: tl.IssuedAt},
		lists: map[string]*amparo.SignedDocument{"org-a/1": {Bytes: signedList, IssuedAt: list.IssuedAt},
			"roster/org-a": {Bytes: signedRoster, IssuedAt: roster.IssuedAt}}}
	return p
}

// letter returns the credential (the text after '#') of an attorney's
// letter signed with key, issued an hour ago for a year at entry 1000 of
// list 1, as edit changes it.
func (p *program) letter(t *testing.T, key ed25519.PrivateKey, edit func(*credential.Claims)) string {
	t.Helper()
	id, _ := credential.NewCredentialID()
	c := &credential.Claims{ID: id, IssuedAt: p.now.Add(-time.Hour), Expires: p.now.AddDate(1, 0, 0),
		StatusListID: 1, StatusIndex: 1000, ClientName: "Ana Ejemplo Prueba", MemberName: "Lic. Tomás Ficticio",
		BarJurisdiction: "CA", BarNumber: "999001", Phone: "+1 213 555 0100"}
	if edit != nil {
		edit(c)
	}
	signed, err := credential.Sign(c, key)
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimPrefix(credential.Encode("#", signed), "#")
}

// goStatus is what the Go reference verifier says of a credential.
func (p *program) goStatus(t *testing.T, cred string) credential.Status {
	t.Helper()
	tl, err := credential.VerifyTrustList(p.trust.trust.Bytes, p.trust.root)
	if err != nil {
		t.Fatal(err)
	}
	v, _ := credential.NewVerifier(tl)
	for k, l := range p.trust.lists {
		var err error
		if strings.HasPrefix(k, "roster/") {
			_, err = v.AddRoster(l.Bytes)
		} else {
			_, err = v.AddStatusList(l.Bytes)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	return v.Verify(cred, time.Now()).Status
}

// requestLog records every request the server gets, to show that no
// credential ever reaches it.
type requestLog struct {
	mu   sync.Mutex
	seen []string
}

func (l *requestLog) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		l.mu.Lock()
		l.seen = append(l.seen, r.URL.RequestURI()+" referer="+r.Referer())
		l.mu.Unlock()
		h.ServeHTTP(w, r)
	})
}

// assertPrivate checks that no request carried any of the credentials, or
// any long base32 run, and that the browser did fetch the signed lists.
func (l *requestLog) assertPrivate(t *testing.T, creds ...string) {
	t.Helper()
	l.mu.Lock()
	defer l.mu.Unlock()
	run := regexp.MustCompile(`[A-Z2-7]{16,}`)
	all := strings.Join(l.seen, "\n")
	for _, s := range l.seen {
		if run.MatchString(s) {
			t.Errorf("request %q holds a base32 run", s)
		}
		for _, c := range creds {
			for i := 0; i+24 <= len(c); i += 24 {
				if strings.Contains(s, c[i:i+24]) {
					t.Errorf("request %q holds part of a credential", s)
				}
			}
		}
	}
	for _, want := range []string{"/v/trust", "/v/status/org-a/1"} {
		if !strings.Contains(all, want) {
			t.Errorf("the browser never fetched %s; requests:\n%s", want, all)
		}
	}
}

// newVerifyServer serves the real web handler with a SQLite store and trust.
func newVerifyServer(t *testing.T, trust amparo.TrustService) (*httptest.Server, *requestLog) {
	t.Helper()
	db, k := openStore(t)
	_, h := newTestServer(t, db, k, func(s *web.Services) { s.Trust = trust })
	log := &requestLog{}
	ts := httptest.NewServer(log.wrap(h))
	t.Cleanup(ts.Close)
	return ts, log
}

func TestVerifyHandlers(t *testing.T) {
	t.Parallel()
	p := newProgram(t)
	ts, _ := newVerifyServer(t, p.trust)

	res, body := get(t, ts.URL+"/v")
	if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("GET /v: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	for _, want := range []string{`data-root-key="` + hex.EncodeToString(p.trust.root) + `"`, "<noscript>", "amparo verify",
		`<script type="module" src="/v/static/verify.js"></script>`, `aria-live="polite"`, `data-key="status.valid">VALID<`} {
		if !strings.Contains(body, want) {
			t.Errorf("GET /v lacks %q", want)
		}
	}
	if regexp.MustCompile(`<script(?:\s+type="module")?>`).MatchString(body) || strings.Contains(body, " onclick=") {
		t.Error("GET /v has inline script, which the CSP forbids")
	}
	if got := res.Header.Get("Content-Security-Policy"); !strings.Contains(got, "default-src 'self'") {
		t.Errorf("CSP %q", got)
	}
	if _, body := get(t, ts.URL+"/v", "Accept-Language", "es-MX"); !strings.Contains(body, ">VÁLIDA<") || !strings.Contains(body, "Verificar una carta") {
		t.Error("Spanish page lacks Spanish strings")
	}
	for _, lang := range []string{"en", "es"} {
		if _, body := get(t, ts.URL+"/v?lang="+lang); strings.Contains(body, ">verify.") {
			t.Errorf("%s page shows an untranslated key", lang)
		}
	}
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	if res, err := noFollow.Get(ts.URL + "/v/"); err != nil || res.StatusCode != 301 || res.Header.Get("Location") != "/v" {
		t.Errorf("GET /v/ does not redirect to /v (%v)", err)
	} else {
		res.Body.Close()
	}

	for _, tt := range []struct {
		path string
		doc  *amparo.SignedDocument
	}{{"/v/trust", p.trust.trust}, {"/v/status/org-a/1", p.trust.lists["org-a/1"]}, {"/v/roster/org-a", p.trust.lists["roster/org-a"]}} {
		res, body := get(t, ts.URL+tt.path)
		h := res.Header
		if res.StatusCode != 200 || body != string(tt.doc.Bytes) {
			t.Fatalf("GET %s: %d, %d bytes", tt.path, res.StatusCode, len(body))
		}
		if h.Get("Content-Type") != "application/cose" || h.Get("Cache-Control") != "public, max-age=300" ||
			h.Get("Access-Control-Allow-Origin") != "*" || h.Get("Last-Modified") != tt.doc.IssuedAt.UTC().Format(http.TimeFormat) || h.Get("ETag") == "" {
			t.Errorf("GET %s: headers %v", tt.path, h)
		}
		if res, _ := get(t, ts.URL+tt.path, "If-None-Match", h.Get("ETag")); res.StatusCode != http.StatusNotModified {
			t.Errorf("GET %s with its ETag: %d, want 304", tt.path, res.StatusCode)
		}
	}

	for _, path := range []string{"/v/status/org-a/2", "/v/status/org-z/1", "/v/status/org-a/x", "/v/status/org-a/4294967296",
		"/v/static/nope.js", "/v/static/sw.js", "/v/roster/org-z"} {
		if res, _ := get(t, ts.URL+path); res.StatusCode != 404 {
			t.Errorf("GET %s: %d, want 404", path, res.StatusCode)
		} else if (strings.HasPrefix(path, "/v/status/") || strings.HasPrefix(path, "/v/roster/")) && res.Header.Get("Access-Control-Allow-Origin") != "*" {
			t.Errorf("GET %s: 404 without CORS", path)
		}
	}

	for path, ctype := range map[string]string{"/v/static/verify.js": "javascript", "/v/static/noble-ed25519.js": "javascript",
		"/v/static/verify.css": "text/css", "/v/sw.js": "javascript"} {
		res, body := get(t, ts.URL+path)
		if res.StatusCode != 200 || !strings.Contains(res.Header.Get("Content-Type"), ctype) || res.Header.Get("ETag") == "" {
			t.Errorf("GET %s: %d %q", path, res.StatusCode, res.Header.Get("Content-Type"))
		}
		if path == "/v/sw.js" && (res.Header.Get("Service-Worker-Allowed") != "/v" || !strings.HasPrefix(body, "const VERSION = '")) {
			t.Errorf("GET /v/sw.js: Service-Worker-Allowed %q, body %.40q", res.Header.Get("Service-Worker-Allowed"), body)
		}
	}
	if res, _ := get(t, ts.URL+"/v/static/verify.js"); !strings.Contains(res.Header.Get("Cache-Control"), "no-cache") {
		t.Errorf("static Cache-Control %q", res.Header.Get("Cache-Control"))
	}
}

func TestVerifyHandlers_WithoutTrust(t *testing.T) {
	t.Parallel()
	ts, _ := newServer(t) // main set no TrustService
	for _, path := range []string{"/v", "/v/trust", "/v/status/org-a/1"} {
		if res, _ := get(t, ts.URL+path); res.StatusCode != 404 {
			t.Errorf("GET %s: %d, want 404", path, res.StatusCode)
		}
	}
}

// newBrowser starts headless Chromium for one test, running setup first.
func newBrowser(t *testing.T, setup ...chromedp.Action[chromedp.Void]) context.Context {
	t.Helper()
	return browsertest.Start(t, nil, setup...)
}

// shown is the verify page's result as a person sees it.
type shown struct {
	Status string `json:"status"`
	Word   string `json:"word"`
	Text   string `json:"text"`
	Tel    string `json:"tel"`
}

const shownJS = `(() => {
	const v = document.querySelector('#result .verdict');
	return v && {status: v.dataset.status, word: v.querySelector('h2').textContent,
		text: document.getElementById('result').innerText, tel: (document.querySelector('#result a.tel') || {}).href || ''};
})()`

// open loads url in a fresh page and waits for the verdict.
func open(t *testing.T, ctx context.Context, url string) shown {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, 40*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.Navigate("about:blank"), chromedp.Navigate(url)); err != nil {
		t.Fatalf("loading %.60s…: %v", url, err)
	}
	// A poll started while the new document's script context is still being
	// set up fails with "Cannot find context" or "navigated": poll again.
	var v shown
	var err error
	for try := 0; try < 5; try++ {
		v, err = chromedp.Run(ctx, chromedp.Poll[shown](shownJS, chromedp.WithPollingInterval(50*time.Millisecond), chromedp.WithPollingTimeout(30*time.Second)))
		if err == nil || !strings.Contains(err.Error(), "context") && !strings.Contains(err.Error(), "navigated") {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err != nil {
		text, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body.innerText`))
		t.Fatalf("no verdict for %.60s…: %v; page says:\n%s", url, err, text)
	}
	return v
}

func TestVerifyPage_OfflineAfterOneVisit(t *testing.T) {
	t.Parallel()
	p := newProgram(t)
	ts, log := newVerifyServer(t, p.trust)
	ctx := newBrowser(t)
	first := p.letter(t, p.keyA, nil)
	second := p.letter(t, p.keyA, func(c *credential.Claims) {
		c.MemberName, c.Phone, c.StatusIndex = "Mtra. Rosa Inventada", "(213) 555-0199", 2000
	})

	got := open(t, ctx, ts.URL+"/v#"+first)
	if got.Word != "VALID" || !strings.Contains(got.Text, "Lic. Tomás Ficticio") || got.Tel != "tel:+12135550100" ||
		!strings.Contains(got.Text, "Revocation data as of") || !strings.Contains(got.Text, "Ana Ejemplo Prueba") {
		t.Fatalf("first letter online: %+v", got)
	}
	wait, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	if _, err := chromedp.Run(wait, chromedp.Poll[bool](`document.getElementById('verify').dataset.offline === 'ready'`,
		chromedp.WithPollingInterval(50*time.Millisecond))); err != nil {
		t.Fatalf("the service worker never kept the page for offline use: %v", err)
	}

	// Online, a revocation shows at once, whatever the caches hold.
	list, _ := credential.NewStatusList("org-a", 1, credential.MinStatusListLen)
	list.SetRevoked(7, true)
	list.SetRevoked(1000, true) // the first letter
	list.IssuedAt = p.now.Truncate(time.Second)
	signed, err := credential.SignStatusList(list, p.keyA)
	if err != nil {
		t.Fatal(err)
	}
	p.trust.setList("org-a/1", &amparo.SignedDocument{Bytes: signed, IssuedAt: list.IssuedAt})
	if got := open(t, ctx, ts.URL+"/v#"+first); got.Word != "REVOKED" {
		t.Fatalf("first letter revoked on the server: the page shows %q", got.Word)
	}

	ts.CloseClientConnections()
	ts.Close()
	if res, err := http.Get(ts.URL + "/v"); err == nil {
		res.Body.Close()
		t.Fatal("the server still answers")
	}
	got = open(t, ctx, ts.URL+"/v#"+second)
	if got.Word != "VALID" || !strings.Contains(got.Text, "Mtra. Rosa Inventada") || got.Tel != "tel:2135550199" ||
		!strings.Contains(got.Text, "Revocation data as of") {
		t.Fatalf("second letter offline: %+v", got)
	}
	sw, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(async () => navigator.serviceWorker.controller !== null &&
		!!(await caches.match('/v/trust')) && !!(await caches.match('/v/status/org-a/1')))()`, chromedp.EvalAwaitPromise))
	if err != nil || !sw {
		t.Errorf("offline page not served by the service worker with the lists kept (%v)", err)
	}
	log.assertPrivate(t, first, second)
}

func TestVerifyPage_Statuses(t *testing.T) {
	t.Parallel()
	p := newProgram(t)
	ts, log := newVerifyServer(t, p.trust)
	ctx := newBrowser(t, chromedp.EmulateViewport(320, 640))
	valid := p.letter(t, p.keyA, nil)
	i := len(valid) - 20 // a character inside the signature
	changed := valid[:i] + map[bool]string{true: "B", false: "A"}[valid[i] == 'A'] + valid[i+1:]
	tests := []struct {
		name, cred string
		status     credential.Status
		word       string
	}{
		{"Valid", valid, credential.StatusValid, "VALID"},
		{"Revoked", p.letter(t, p.keyA, func(c *credential.Claims) { c.StatusIndex = 7 }), credential.StatusRevoked, "REVOKED"},
		{"Expired", p.letter(t, p.keyA, func(c *credential.Claims) {
			c.IssuedAt, c.Expires = p.now.AddDate(0, -2, 0), p.now.Add(-24*time.Hour)
		}), credential.StatusExpired, "EXPIRED"},
		{"NotGenuine", changed, credential.StatusNotGenuine, "NOT GENUINE"},
		{"UnknownIssuer", p.letter(t, p.stranger, nil), credential.StatusUnknownIssuer, "UNKNOWN OR REVOKED ISSUER"},
		{"IssuerRevoked", p.letter(t, p.keyB, nil), credential.StatusIssuerRevoked, "UNKNOWN OR REVOKED ISSUER"},
	}
	var creds []string
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if s := p.goStatus(t, tt.cred); s != tt.status {
				t.Fatalf("the Go verifier says %s, want %s", s, tt.status)
			}
			got := open(t, ctx, ts.URL+"/v#"+tt.cred)
			if got.Status != string(tt.status) || got.Word != tt.word {
				t.Errorf("page shows %q (%s), want %q", got.Word, got.Status, tt.word)
			}
			// Claims are shown only for valid, revoked and expired letters.
			withClaims := tt.status == credential.StatusValid || tt.status == credential.StatusRevoked || tt.status == credential.StatusExpired
			if strings.Contains(got.Text, "Lic. Tomás Ficticio") != withClaims {
				t.Errorf("claims shown: %v, want %v:\n%s", !withClaims, withClaims, got.Text)
			}
			if w, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth`)); err != nil || w > 320 {
				t.Errorf("page is %d px wide on a 320 px screen (%v)", w, err)
			}
		})
		creds = append(creds, tt.cred)
	}

	// The next scan in the same tab changes only the fragment: it is checked too.
	open(t, ctx, ts.URL+"/v#"+valid)
	wait, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	if _, err := chromedp.Run(wait, chromedp.Poll[bool](`(location.hash = '#`+tests[1].cred+`',
		document.querySelector('#result .verdict[data-status="revoked"]') !== null)`, chromedp.WithPollingInterval(50*time.Millisecond))); err != nil {
		t.Errorf("a new fragment was not checked: %v", err)
	}
	log.assertPrivate(t, creds...)
}

func TestVerifyPage_Spanish(t *testing.T) {
	t.Parallel()
	p := newProgram(t)
	ts, log := newVerifyServer(t, p.trust)
	ctx := newBrowser(t)
	valid := p.letter(t, p.keyA, nil)
	revoked := p.letter(t, p.keyA, func(c *credential.Claims) { c.StatusIndex = 7 })

	if got := open(t, ctx, ts.URL+"/v#"+valid); got.Word != "VALID" {
		t.Fatalf("English page: %q", got.Word)
	}
	// The language switch keeps the letter.
	href, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('a[hreflang="es"]').href`))
	if err != nil || !strings.HasSuffix(href, "?lang=es#"+valid) {
		t.Fatalf("Spanish link %q (%v)", href, err)
	}
	if got := open(t, ctx, href); got.Word != "VÁLIDA" || !strings.Contains(got.Text, "Datos de revocación") {
		t.Errorf("Spanish valid letter: %+v", got)
	}
	// The choice is remembered.
	if got := open(t, ctx, ts.URL+"/v#"+revoked); got.Word != "REVOCADA" {
		t.Errorf("Spanish revoked letter: %q", got.Word)
	}
	log.assertPrivate(t, valid, revoked)
}

func TestVerifyBundle(t *testing.T) {
	t.Parallel()
	p := newProgram(t)
	ts, _ := newVerifyServer(t, p.trust)
	res, body := get(t, ts.URL+"/v/bundle")
	if res.StatusCode != 200 || res.Header.Get("Access-Control-Allow-Origin") != "*" {
		t.Fatalf("GET /v/bundle: %d", res.StatusCode)
	}
	b, err := credential.ParseBundle([]byte(body))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(b.Root, p.trust.root) || !bytes.Equal(b.TrustList, p.trust.trust.Bytes) || len(b.StatusLists)+len(b.Rosters) != len(p.trust.lists) || len(b.Rosters) != 1 {
		t.Fatalf("bundle holds %d status lists and %d rosters, want %d in all, 1 roster", len(b.StatusLists), len(b.Rosters), len(p.trust.lists))
	}
	if _, rejected, err := b.Verifier(); err != nil || len(rejected) != 0 {
		t.Fatalf("bundle does not verify: %v %v", err, rejected)
	}
}

package web_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/internal/browsertest"
	"github.com/amparo-project/amparo/internal/storetest"
	"github.com/amparo-project/amparo/qrscan"
	"github.com/amparo-project/amparo/sqldb"
	"github.com/amparo-project/amparo/web"
)

var system = amparo.NewContextWithActor(context.Background(), amparo.SystemActor)

// phoneWorld is a real store with one issued letter, served by the web app.
type phoneWorld struct {
	ts     *httptest.Server
	db     *sqldb.DB
	letter *amparo.Letter
	link   *amparo.PhoneLink
	log    *strings.Builder
}

func newPhoneWorld(t *testing.T) *phoneWorld {
	t.Helper()
	db, k := openStore(t)
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	_, err := db.CreateRootKey(system)
	must(err)
	org := &amparo.Organization{Name: "Centro Legal Ejemplo", Kind: amparo.OrgNonprofit, Languages: []string{"en", "es"}}
	must(db.CreateOrganization(system, org))
	_, err = db.CreateIssuingKey(system, org.ID)
	must(err)
	_, err = db.SignTrustList(system, nil)
	must(err)
	m := &amparo.Member{OrganizationID: org.ID, Name: "Lic. Tomás Ficticio", Kind: amparo.MemberAttorney, BarJurisdiction: "CA",
		BarNumber: "900001", Languages: []string{"es"}, PublicPhone: "+1 213 555 0142"}
	must(db.CreateMember(system, m))
	c := &amparo.Client{OrganizationID: org.ID, Personal: amparo.Personal{LegalName: "Zacarías Quiñónez Ejemplo", Language: "es",
		Situation: amparo.SituationTPS, TPSCountry: "SV", Address: amparo.Address{Line1: "4821 Placeholder Blvd"}}}
	must(db.CreateClient(system, c))
	l := &amparo.Letter{ClientID: c.ID, MemberID: m.ID, OrganizationID: org.ID}
	must(db.CreateLetter(system, l))
	_, err = db.IssueLetter(storetest.SignerFor(t, db, m), l.ID)
	must(err)
	l, err = db.FindLetterByID(system, l.ID)
	must(err)
	link, err := db.FindPhoneLink(system, l.ID)
	must(err)

	w := &phoneWorld{db: db, letter: l, link: link, log: &strings.Builder{}}
	_, h := newTestServer(t, db, k, func(s *web.Services) { s.Logger = slog.New(slog.NewTextHandler(w.log, nil)) })
	w.ts = httptest.NewServer(h)
	t.Cleanup(w.ts.Close)
	return w
}

func (w *phoneWorld) url() string { return w.ts.URL + "/p/" + w.link.Token }

func TestPhonePage_Handlers(t *testing.T) {
	t.Parallel()
	w := newPhoneWorld(t)
	c := &http.Client{Jar: newJar(t)}
	res, err := c.Get(w.url())
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 200 || res.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("PIN form: %d %q", res.StatusCode, res.Header.Get("Cache-Control"))
	}
	// A cross-site form post is refused.
	req, _ := http.NewRequest("POST", w.url(), strings.NewReader("pin="+w.link.PIN))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	if res, _ := c.Do(req); res.StatusCode != http.StatusForbidden {
		t.Fatalf("cross-site PIN post: %d", res.StatusCode)
	}
	res, err = c.PostForm(w.url(), url.Values{"pin": {w.link.PIN}})
	if err != nil {
		t.Fatal(err)
	}
	body := readAll(res)
	if res.StatusCode != 200 || !strings.Contains(body, "Zacarías Quiñónez Ejemplo") || !strings.Contains(body, `lang="es"`) {
		t.Fatalf("letter page: %d\n%s", res.StatusCode, body)
	}
	// The page shows what the letter shows, and nothing else.
	for _, secret := range []string{"Placeholder", "4821", "TPS", "tps", "SV"} {
		if strings.Contains(body, secret) {
			t.Errorf("the phone page shows %q", secret)
		}
	}
	if res, _ := c.Get(w.url() + "/qr.png"); res.StatusCode != 200 || res.Header.Get("Content-Type") != "image/png" {
		t.Fatalf("qr.png: %d", res.StatusCode)
	}
	if res, _ := http.Get(w.url() + "/qr.png"); res.StatusCode != http.StatusForbidden {
		t.Fatalf("qr.png without the cookie: %d", res.StatusCode)
	}
	// Forgetting asks first; going back keeps the letter on the phone.
	res, _ = c.Get(w.url() + "/forget")
	if body := readAll(res); res.StatusCode != 200 || !strings.Contains(body, `id="confirm-title"`) || !strings.Contains(body, `action="/p/`) ||
		res.Header.Get("Clear-Site-Data") != "" {
		t.Fatalf("the confirmation before forgetting: %d\n%s", res.StatusCode, body)
	}
	if res, _ := c.Get(w.url()); strings.Contains(readAll(res), `name="pin"`) {
		t.Fatal("asking to forget forgot the phone")
	}
	res, _ = c.PostForm(w.url()+"/forget", url.Values{"confirmed": {"1"}})
	if res.Header.Get("Clear-Site-Data") == "" {
		t.Fatal("forget does not send Clear-Site-Data")
	}
	if res, _ := c.Get(w.url()); !strings.Contains(readAll(res), `name="pin"`) {
		t.Fatal("after forget the page opens without the PIN")
	}
	// Nothing personal in the log: the token is in paths, never names.
	if strings.Contains(w.log.String(), "Quiñónez") || strings.Contains(w.log.String(), w.link.PIN) {
		t.Fatalf("the log holds personal data:\n%s", w.log.String())
	}
}

// from is an HTTP client whose requests come from a loopback address of
// its own (all of 127.0.0.0/8 reaches the test server), keeping cookies.
func from(addr string) *http.Client {
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(addr)}}
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, Transport: &http.Transport{DialContext: d.DialContext}}
}

// pin posts a PIN and returns the status and the page it ends on.
func (w *phoneWorld) pin(t *testing.T, c *http.Client, pin string) (int, string) {
	t.Helper()
	res, err := c.PostForm(w.url(), url.Values{"pin": {pin}})
	if err != nil {
		t.Fatal(err)
	}
	return res.StatusCode, readAll(res)
}

// TestPhonePage_WrongPINsLockTheirAddress: three wrong PINs lock out the
// address that sent them, not a browser that opened the page before, nor
// the client's phone on another address.
func TestPhonePage_WrongPINsLockTheirAddress(t *testing.T) {
	t.Parallel()
	w := newPhoneWorld(t)
	opened, guesser, fresh := from("127.0.0.1"), from("127.0.0.2"), from("127.0.0.3")
	if status, body := w.pin(t, opened, w.link.PIN); status != 200 || !strings.Contains(body, "Zacarías Quiñónez Ejemplo") {
		t.Fatalf("the right PIN: %d", status)
	}
	wrong := wrongPIN(w.link)
	for range 3 {
		if status, _ := w.pin(t, guesser, wrong); status != http.StatusUnauthorized {
			t.Fatalf("a wrong PIN: %d", status)
		}
	}
	if status, body := w.pin(t, guesser, w.link.PIN); status != http.StatusTooManyRequests || !strings.Contains(body, "Too many wrong PINs") {
		t.Fatalf("the guesser's address after three wrong PINs: %d", status)
	}
	res, err := opened.Get(w.url())
	if err != nil {
		t.Fatal(err)
	}
	if body := readAll(res); res.StatusCode != 200 || !strings.Contains(body, "Zacarías Quiñónez Ejemplo") {
		t.Fatalf("the browser that opened the page before: %d\n%s", res.StatusCode, body)
	}
	if status, body := w.pin(t, fresh, w.link.PIN); status != 200 || !strings.Contains(body, "Zacarías Quiñónez Ejemplo") {
		t.Fatalf("another address with the right PIN: %d", status)
	}
}

// TestPhonePage_DailyBudget: guessing from many addresses stops at the
// link's daily budget of wrong PINs; a browser that opened the page before
// still reads it.
func TestPhonePage_DailyBudget(t *testing.T) {
	t.Parallel()
	w := newPhoneWorld(t)
	opened := from("127.0.0.1")
	if status, _ := w.pin(t, opened, w.link.PIN); status != 200 {
		t.Fatalf("the right PIN: %d", status)
	}
	wrong, refused := 0, 0
	for i := range 30 {
		switch status, _ := w.pin(t, from(fmt.Sprintf("127.0.1.%d", i+1)), wrongPIN(w.link)); status {
		case http.StatusUnauthorized:
			wrong++
		case http.StatusTooManyRequests:
			refused++
		default:
			t.Fatalf("guess %d: %d", i, status)
		}
	}
	if wrong != sqldbPINDailyBudget || refused != 30-sqldbPINDailyBudget {
		t.Fatalf("%d wrong PINs checked and %d refused from 30 addresses, want %d checked", wrong, refused, sqldbPINDailyBudget)
	}
	if status, _ := w.pin(t, from("127.0.2.1"), w.link.PIN); status != http.StatusTooManyRequests {
		t.Fatalf("a new address with the right PIN once the budget is spent: %d", status)
	}
	res, err := opened.Get(w.url())
	if err != nil {
		t.Fatal(err)
	}
	if body := readAll(res); res.StatusCode != 200 || !strings.Contains(body, "Zacarías Quiñónez Ejemplo") {
		t.Fatalf("the browser that opened the page before: %d", res.StatusCode)
	}
}

// sqldbPINDailyBudget is the store's daily budget of wrong PINs per link
// (docs/security.md).
const sqldbPINDailyBudget = 10

func wrongPIN(link *amparo.PhoneLink) string {
	if link.PIN == "000000" {
		return "111111"
	}
	return "000000"
}

// TestPhonePage_Offline: link, PIN, the page shows; then with the
// network cut, opening the link again shows the QR, the names and the
// rights, from what the service worker kept of that first visit.
func TestPhonePage_Offline(t *testing.T) {
	t.Parallel()
	w := newPhoneWorld(t)
	ctx := browsertest.Start(t, nil)
	do(t, ctx, chromedp.Navigate(w.url()), chromedp.WaitVisible("#pin"),
		chromedp.SendKeys("#pin", w.link.PIN), chromedp.Submit("#pin"),
		chromedp.WaitVisible("img.qr"))
	waitKept(t, ctx, true)
	w.ts.Close() // the network to the server is cut
	do(t, ctx, chromedp.Navigate("about:blank"), chromedp.Navigate(w.url()), chromedp.WaitVisible("img.qr"))
	if page, loaded := phoneText(ctx), qrLoaded(t, ctx); !loaded || !strings.Contains(page, "Sus derechos") ||
		!strings.Contains(page, "Lic. Tomás Ficticio") || !strings.Contains(page, "Zacarías Quiñónez Ejemplo") {
		t.Fatalf("offline: QR loaded %v, page:\n%s", loaded, page)
	}
	if got := browserQR(t, ctx); got != w.letter.QR {
		t.Fatalf("offline QR reads %q, want the letter's", got)
	}
}

// waitKept waits until the service worker holds the page (and its QR, if
// withQR), as it does once the first visit is over.
func waitKept(t *testing.T, ctx context.Context, withQR bool) {
	t.Helper()
	kept, err := chromedp.Run(ctx, chromedp.Poll[bool](`(async () => {
		if (!navigator.serviceWorker.controller) return false;
		for (const n of await caches.keys()) {
			const c = await caches.open(n);
			if (await c.match(location.pathname) && (!`+strconv.FormatBool(withQR)+` || await c.match(location.pathname + '/qr.png'))) return true;
		}
		return false; })()`, chromedp.WithPollingInterval(200*time.Millisecond), chromedp.WithPollingTimeout(20*time.Second)))
	if err != nil || !kept {
		t.Fatalf("the page was not kept for offline use: %v", err)
	}
}

func phoneText(ctx context.Context) string {
	s, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body.innerText`))
	return s
}

func qrLoaded(t *testing.T, ctx context.Context) bool {
	return eval[bool](t, ctx, `(async () => { const i = document.querySelector('img.qr'); await i.decode().catch(() => {}); return i.naturalWidth > 100; })()`)
}

// browserQR reads the QR the page shows, as the browser gets it.
func browserQR(t *testing.T, ctx context.Context) string {
	t.Helper()
	b64 := eval[string](t, ctx, `(async () => {
		const b = new Uint8Array(await (await fetch(document.querySelector('img.qr').src)).arrayBuffer());
		let s = ''; for (const c of b) s += String.fromCharCode(c);
		return btoa(s); })()`)
	png, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		t.Fatal(err)
	}
	texts, err := qrscan.FromImage(bytes.NewReader(png))
	if err != nil || len(texts) != 1 {
		t.Fatalf("the page's QR: %v %v", texts, err)
	}
	return texts[0]
}

// TestPhonePage_RenewalKeepsLink: after a renewal the client's link, with
// no new PIN, shows the new letter, online and then offline.
func TestPhonePage_RenewalKeepsLink(t *testing.T) {
	t.Parallel()
	w := newPhoneWorld(t)
	ctx := browsertest.Start(t, nil)
	do(t, ctx, chromedp.Navigate(w.url()), chromedp.WaitVisible("#pin"),
		chromedp.SendKeys("#pin", w.link.PIN), chromedp.Submit("#pin"),
		chromedp.WaitVisible("img.qr"))
	if got := browserQR(t, ctx); got != w.letter.QR {
		t.Fatalf("before renewal the QR reads %q", got)
	}
	waitKept(t, ctx, true)

	m, err := w.db.FindMemberByID(system, w.letter.MemberID)
	if err != nil {
		t.Fatal(err)
	}
	renewed, err := w.db.RenewLetter(storetest.SignerFor(t, w.db, m), w.letter.ID)
	if err != nil {
		t.Fatal(err)
	}
	renewed, err = w.db.FindLetterByID(system, renewed.ID)
	if err != nil {
		t.Fatal(err)
	}
	if link, err := w.db.FindPhoneLink(system, renewed.ID); err != nil || link.Token != w.link.Token || link.PIN != w.link.PIN {
		t.Fatalf("the renewed letter's link: %+v %v", link, err)
	}
	do(t, ctx, chromedp.Navigate(w.url()), chromedp.WaitVisible("img.qr"))
	if page := phoneText(ctx); strings.Contains(page, "No muestre") || !strings.Contains(page, "Zacarías Quiñónez Ejemplo") {
		t.Fatalf("after renewal the page:\n%s", page)
	}
	if got := browserQR(t, ctx); got != renewed.QR {
		t.Fatalf("after renewal the QR reads %q, want the new letter's", got)
	}
	waitKept(t, ctx, true)
	w.ts.Close()
	do(t, ctx, chromedp.Navigate("about:blank"), chromedp.Navigate(w.url()), chromedp.WaitVisible("img.qr"))
	if got := browserQR(t, ctx); got != renewed.QR {
		t.Fatalf("offline after renewal the QR reads %q, want the new letter's", got)
	}

	// And a phone that never opened the link opens it with the same PIN.
	// (The server is closed: this is the store's side.)
	page, err := w.db.OpenPhoneLetter(system, w.link.Token, w.link.PIN, "192.0.2.10")
	if err != nil || page.LetterID != renewed.ID {
		t.Fatalf("the same PIN after renewal: %+v %v", page, err)
	}
}

// TestPhonePage_WrongPINAndRevoked: wrong PINs are refused, then throttled
// for the browser that sent them, never for the client's browser that
// opened the page before; a revoked letter's page says so, online and then
// offline.
func TestPhonePage_WrongPINAndRevoked(t *testing.T) {
	t.Parallel()
	w := newPhoneWorld(t)
	client := browsertest.Start(t, nil)
	do(t, client, chromedp.Navigate(w.url()), chromedp.WaitVisible("#pin"),
		chromedp.SendKeys("#pin", w.link.PIN), chromedp.Submit("#pin"),
		chromedp.WaitVisible("img.qr"))
	waitKept(t, client, true)

	// Another browser (its own cookies), from the same address.
	other, cancel := chromedp.NewContext(client, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	if err := chromedp.Do(other); err != nil { // the tab, outside do's deadline
		t.Fatal(err)
	}
	wrong := wrongPIN(w.link)
	try := func(pin, then string) string {
		t.Helper()
		do(t, other, chromedp.Navigate(w.url()), chromedp.WaitVisible("#pin"),
			chromedp.SendKeys("#pin", pin), chromedp.Submit("#pin"), chromedp.WaitVisible(then))
		return eval[string](t, other, `document.querySelector('main').innerText`)
	}
	if s := try(wrong, ".error-summary"); !strings.Contains(s, "does not work") && !strings.Contains(s, "no funciona") {
		t.Fatalf("wrong PIN: %s", s)
	}
	try(wrong, ".error-summary")
	try(wrong, ".error-summary")
	if s := try(w.link.PIN, ".error-summary"); !strings.Contains(s, "Too many") && !strings.Contains(s, "Demasiados") {
		t.Fatalf("after three wrong PINs the right one is not throttled: %s", s)
	}
	// The client's browser, which opened the page before, is not locked out.
	do(t, client, chromedp.Navigate(w.url()), chromedp.WaitVisible("img.qr"))
	if page := phoneText(client); !strings.Contains(page, "Zacarías Quiñónez Ejemplo") {
		t.Fatalf("the client's browser after another's wrong PINs:\n%s", page)
	}

	if _, err := w.db.RevokeLetter(system, w.letter.ID, "Representation ended"); err != nil {
		t.Fatal(err)
	}
	do(t, client, chromedp.Navigate(w.url()), chromedp.WaitVisible("h1.not-valid"))
	if s := phoneText(client); !strings.Contains(s, "revocada") && !strings.Contains(s, "revoked") {
		t.Fatalf("revoked letter's page: %s", s)
	}
	// What the phone keeps is the revoked page now, without the QR.
	noQR := eval[bool](t, client, `(async () => {
		for (const n of await caches.keys()) if (await (await caches.open(n)).match(location.pathname + '/qr.png')) return false;
		return true; })()`)
	if !noQR {
		t.Fatal("the revoked letter's QR is still kept")
	}
	w.ts.Close()
	do(t, client, chromedp.Navigate("about:blank"), chromedp.Navigate(w.url()), chromedp.WaitVisible("h1.not-valid"))
	if s := phoneText(client); !strings.Contains(s, "revocada") && !strings.Contains(s, "revoked") {
		t.Fatalf("revoked letter's page offline: %s", s)
	}
}

func readAll(res *http.Response) string {
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return string(b)
}

// cookieJar keeps every cookie for every path. Only the benchmarks use it;
// the tests keep cookies in net/http/cookiejar, which scopes them by path
// and sends Secure ones over TLS only, as a browser does.
type cookieJar struct{ cookies []*http.Cookie }

func (j *cookieJar) SetCookies(_ *url.URL, cs []*http.Cookie) {
	for _, c := range cs {
		kept := j.cookies[:0]
		for _, o := range j.cookies {
			if o.Name != c.Name {
				kept = append(kept, o)
			}
		}
		j.cookies = kept
		if c.MaxAge >= 0 {
			j.cookies = append(kept, c)
		}
	}
}

func (j *cookieJar) Cookies(*url.URL) []*http.Cookie { return j.cookies }

// TestLetterPage_PhoneLinkSurvivesRenewal: the renewed letter's page shows
// the link and PIN the client already has.
func TestLetterPage_PhoneLinkSurvivesRenewal(t *testing.T) {
	t.Parallel()
	w := newAccountWorld(t)
	m := w.withKeys(t)
	b := w.signedIn(t)
	c := &amparo.Client{OrganizationID: w.org.ID, Personal: amparo.Personal{LegalName: "Zacarías Quiñónez Ejemplo", Language: "es",
		Situation: amparo.SituationTPS, TPSCountry: "SV"}}
	if err := w.db.CreateClient(system, c); err != nil {
		t.Fatal(err)
	}
	l := &amparo.Letter{ClientID: c.ID, MemberID: m.ID, OrganizationID: w.org.ID}
	if err := w.db.CreateLetter(system, l); err != nil {
		t.Fatal(err)
	}
	signer := storetest.SignerFor(t, w.db, m)
	if _, err := w.db.IssueLetter(signer, l.ID); err != nil {
		t.Fatal(err)
	}
	shown := func(id string) (string, string) {
		t.Helper()
		_, body := b.get("/letters/" + id)
		u := regexp.MustCompile(`id="phone-url">([^<]+)<`).FindStringSubmatch(body)
		p := regexp.MustCompile(`id="phone-pin">([0-9]+)<`).FindStringSubmatch(body)
		if u == nil || p == nil {
			t.Fatalf("letter %s's page shows no phone link:\n%s", id, body)
		}
		return u[1], p[1]
	}
	url1, pin1 := shown(l.ID)
	renewed, err := w.db.RenewLetter(signer, l.ID)
	if err != nil {
		t.Fatal(err)
	}
	if url2, pin2 := shown(renewed.ID); url2 != url1 || pin2 != pin1 {
		t.Fatalf("after renewal the page shows %s %s, want the client's %s %s", url2, pin2, url1, pin1)
	}
}

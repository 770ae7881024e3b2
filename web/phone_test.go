package web_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/document"
	"github.com/amparo-project/amparo/internal/browsertest"
	"github.com/amparo-project/amparo/locale"
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
	_, err = db.IssueLetter(signerFor(t, db, m), l.ID)
	must(err)
	l, err = db.FindLetterByID(system, l.ID)
	must(err)
	link, err := db.FindPhoneLink(system, l.ID)
	must(err)

	w := &phoneWorld{db: db, letter: l, link: link, log: &strings.Builder{}}
	cat, _ := locale.Load()
	s := &web.Server{Programs: db, Organizations: db, DB: db, Trust: db, Phones: db, MAC: k.MAC, Documents: db, Renderer: document.New(cat), Catalog: cat,
		Logger: slog.New(slog.NewTextHandler(w.log, nil))}
	h, err := s.Handler()
	must(err)
	w.ts = httptest.NewServer(h)
	t.Cleanup(w.ts.Close)
	return w
}

func (w *phoneWorld) url() string { return w.ts.URL + "/p/" + w.link.Token }

func TestPhonePage_Handlers(t *testing.T) {
	w := newPhoneWorld(t)
	jar := &cookieJar{}
	c := &http.Client{Jar: jar}
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
	res, _ = c.PostForm(w.url()+"/forget", nil)
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

// TestPhonePage_Browser: the page opens with the PIN, reads offline, wrong
// PINs are refused then throttled, and a revoked letter says so.
func TestPhonePage_Browser(t *testing.T) {
	w := newPhoneWorld(t)
	ctx := browsertest.Start(t, nil)
	run := func(actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		tctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		if err := chromedp.Do(tctx, actions...); err != nil {
			t.Fatal(err)
		}
	}
	text := func() string {
		s, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body.innerText`))
		return s
	}
	run(chromedp.Navigate(w.url()), chromedp.WaitVisible("#pin"),
		chromedp.SendKeys("#pin", w.link.PIN), chromedp.Submit("#pin"),
		chromedp.WaitVisible("img.qr"))
	// Once the service worker controls the page, a reload goes through it
	// and it keeps the page and its QR.
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`!!navigator.serviceWorker.controller`,
		chromedp.WithPollingTimeout(20*time.Second))); err != nil {
		t.Fatalf("no service worker: %v", err)
	}
	run(chromedp.Reload(), chromedp.WaitVisible("img.qr"))
	kept, err := chromedp.Run(ctx, chromedp.Poll[bool](`(async () => {
		for (const n of await caches.keys()) {
			const c = await caches.open(n);
			if (await c.match(location.pathname) && await c.match(location.pathname + '/qr.png')) return true;
		}
		return false; })()`, chromedp.WithPollingInterval(200*time.Millisecond), chromedp.WithPollingTimeout(20*time.Second)))
	if err != nil || !kept {
		t.Fatalf("the page was not kept for offline use: %v", err)
	}
	w.ts.Close() // the network to the server is cut
	run(chromedp.Reload(), chromedp.WaitVisible("img.qr"))
	loaded, _ := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.querySelector('img.qr').naturalWidth > 100`))
	if page := text(); !loaded || !strings.Contains(page, "Sus derechos") || !strings.Contains(page, "Lic. Tomás Ficticio") {
		t.Fatalf("offline reload: QR loaded %v, page:\n%s", loaded, page)
	}
}

func TestPhonePage_WrongPINAndRevoked(t *testing.T) {
	w := newPhoneWorld(t)
	ctx := browsertest.Start(t, nil)
	wrong := "000000"
	if wrong == w.link.PIN {
		wrong = "111111"
	}
	try := func(pin, then string) string {
		t.Helper()
		tctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		if err := chromedp.Do(tctx, chromedp.Navigate(w.url()), chromedp.WaitVisible("#pin"),
			chromedp.SendKeys("#pin", pin), chromedp.Submit("#pin"),
			chromedp.WaitVisible(then)); err != nil {
			t.Fatal(err)
		}
		s, _ := chromedp.Run(tctx, chromedp.Evaluate[string](`document.querySelector('main').innerText`))
		return s
	}
	if s := try(wrong, ".error-summary"); !strings.Contains(s, "does not work") && !strings.Contains(s, "no funciona") {
		t.Fatalf("wrong PIN: %s", s)
	}
	try(wrong, ".error-summary")
	try(wrong, ".error-summary")
	if s := try(w.link.PIN, ".error-summary"); !strings.Contains(s, "Too many") && !strings.Contains(s, "Demasiados") {
		t.Fatalf("after three wrong PINs the right one is not throttled: %s", s)
	}

	// A fresh link, then the letter is revoked: its page says so.
	link, err := w.db.CreatePhoneLink(system, w.letter.ID)
	if err != nil {
		t.Fatal(err)
	}
	w.link = link
	if _, err := w.db.RevokeLetter(system, w.letter.ID, "Representation ended"); err != nil {
		t.Fatal(err)
	}
	if s := try(link.PIN, "h1.not-valid"); !strings.Contains(s, "revocada") && !strings.Contains(s, "revoked") {
		t.Fatalf("revoked letter's page: %s", s)
	}
}

func readAll(res *http.Response) string {
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return string(b)
}

// cookieJar keeps every cookie for every path: enough for one test server.
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

package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/internal/browsertest"
	"github.com/amparo-project/amparo/internal/storetest"
)

// fakeClock makes Date.now() answer the milliseconds in sessionStorage
// "now", when set: the verify page checks letters at Date.now().
const fakeClock = `(() => {
	const real = Date.now;
	Date.now = () => Number(sessionStorage.getItem('now')) || real();
})()`

// TestVerifyPage_LastDayInTheProgramsZone: a program in Los Angeles issues
// a letter late on 3 December 2026 (already the 4th in UTC), valid through
// 3 December 2027. A browser in Tokyo, where it is already the 4th at the
// last minute of the 3rd in Los Angeles, shows it VALID at 23:59 there and
// EXPIRED at midnight, and prints 3 December 2027 both times; the letter
// page and the phone page print the same day.
func TestVerifyPage_LastDayInTheProgramsZone(t *testing.T) {
	t.Parallel()
	w := newAccountWorld(t)
	la, err := time.LoadLocation("America/Los_Angeles")
	if err != nil {
		t.Fatal(err)
	}
	p, _ := w.db.FindProgram(system)
	p.TimeZone = la.String()
	if err := w.db.UpdateProgram(system, p); err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, la)
	w.db.Now = func() time.Time { return now }
	m := w.withKeys(t)
	c := &amparo.Client{OrganizationID: w.org.ID, Personal: amparo.Personal{LegalName: "Ana Ejemplo Prueba", Language: "es", Situation: amparo.SituationDACA}}
	if err := w.db.CreateClient(system, c); err != nil {
		t.Fatal(err)
	}
	l := &amparo.Letter{ClientID: c.ID, MemberID: m.ID, OrganizationID: w.org.ID}
	if err := w.db.CreateLetter(system, l); err != nil {
		t.Fatal(err)
	}
	now = time.Date(2026, 12, 3, 22, 30, 0, 0, la)
	if _, err := w.db.IssueLetter(storetest.SignerFor(t, w.db, m), l.ID); err != nil {
		t.Fatal(err)
	}
	l, _ = w.db.FindLetterByID(system, l.ID)
	if want := time.Date(2027, 12, 4, 0, 0, 0, 0, la); !l.ValidUntil.Equal(want) {
		t.Fatalf("valid until %v, want %v", l.ValidUntil.In(la), want)
	}
	w.db.Now = time.Now

	// The letter page and the phone page print the same last day.
	b := w.signedIn(t)
	if _, body := b.get("/letters/" + l.ID); !strings.Contains(body, `<time id="last-day" datetime="2027-12-03">December 3, 2027</time>`) {
		t.Fatalf("the letter page does not print December 3, 2027 (2027-12-03):\n%s", body)
	}
	link, err := w.db.FindPhoneLink(system, l.ID)
	if err != nil {
		t.Fatal(err)
	}
	phone := &http.Client{Jar: newJar(t)}
	res, err := phone.PostForm(w.ts.URL+"/p/"+link.Token, url.Values{"pin": {link.PIN}})
	if err != nil {
		t.Fatal(err)
	}
	if body := readAll(res); !strings.Contains(body, `datetime="2027-12-03"`) {
		t.Fatalf("the phone page does not print 2027-12-03:\n%s", body)
	}

	// A browser in Tokyo, with its clock set by the test.
	ctx := browsertest.Start(t, []chromedp.ExecAllocatorOption{chromedp.Env("TZ=Asia/Tokyo")},
		chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
			_, err := cdp.Call(ctx, t, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: fakeClock})
			return err
		}))
	do(t, ctx, chromedp.Navigate(w.ts.URL+"/v?lang=en"), chromedp.WaitReady("body"))
	if zone := eval[string](t, ctx, `Intl.DateTimeFormat().resolvedOptions().timeZone`); zone != "Asia/Tokyo" {
		t.Fatalf("the browser runs in %s, want Asia/Tokyo", zone)
	}
	fragment := l.QR[strings.Index(l.QR, "#"):]
	for _, tt := range []struct {
		at   time.Time
		want string
	}{
		{time.Date(2027, 12, 3, 23, 59, 0, 0, la), "valid"},
		{time.Date(2027, 12, 4, 0, 0, 0, 0, la), "expired"},
	} {
		eval[string](t, ctx, `sessionStorage.setItem('now', '`+strconv.FormatInt(tt.at.UnixMilli(), 10)+`'); location.hash = ''; ''`)
		eval[string](t, ctx, `location.hash = '`+fragment+`'; ''`)
		got := waitFor(ctx, `(document.querySelector('#result .verdict') || {dataset: {}}).dataset.status || ''`, tt.want)
		if got != tt.want {
			t.Fatalf("at %v: %q, want %q", tt.at, got, tt.want)
		}
		day := eval[string](t, ctx, `(e => e ? e.getAttribute('datetime') + ' ' + e.textContent : '')(document.getElementById('last-day'))`)
		if day != "2027-12-03 December 3, 2027" {
			t.Fatalf("at %v the page prints %q, want 2027-12-03 December 3, 2027", tt.at, day)
		}
	}
}

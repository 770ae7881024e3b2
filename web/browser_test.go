package web_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/pquerna/otp/totp"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/internal/browsertest"
	"github.com/amparo-project/amparo/internal/storetest"
	"github.com/amparo-project/amparo/internal/testenv"
)

// withKeys gives the world's organization a certified issuing key and a
// member, so letters can be issued.
func (w *accountWorld) withKeys(t *testing.T) *amparo.Member {
	t.Helper()
	if _, err := w.db.CreateRootKey(system); err != nil {
		t.Fatal(err)
	}
	if _, err := w.db.CreateIssuingKey(system, w.org.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := w.db.SignTrustList(system, nil); err != nil {
		t.Fatal(err)
	}
	m := &amparo.Member{OrganizationID: w.org.ID, Name: "Lic. Tomás Ficticio", Kind: amparo.MemberAttorney, BarJurisdiction: "CA",
		BarNumber: "900001", Languages: []string{"es"}, PublicPhone: "+1 213 555 0142"}
	if err := w.db.CreateMember(system, m); err != nil {
		t.Fatal(err)
	}
	return m
}

// do runs browser actions with a deadline, failing the test on error.
func do(t *testing.T, ctx context.Context, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	timed, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := chromedp.Do(timed, actions...); err != nil {
		// The page as it is, read in a few seconds of its own.
		look, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		text, _ := chromedp.Run(look, chromedp.Evaluate[string](`location.pathname + "\n" + document.body.innerText`))
		t.Fatalf("%v; the page:\n%s", err, text)
	}
}

func eval[T any](t *testing.T, ctx context.Context, js string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](js, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("%s: %v", js, err)
	}
	return v
}

// TestBrowser_StaffFlow: accept an invitation, set a password, enroll TOTP,
// sign in again; in Spanish, create a client, issue a letter and download
// it, revoke it, and see the verify page say so.
func TestBrowser_StaffFlow(t *testing.T) {
	t.Parallel()
	w := newAccountWorld(t)
	m := w.withKeys(t)
	ctx := browsertest.Start(t, nil)
	// Rosa is the attorney on the organization's letters: her invitation
	// is for her member record (a member record is linked only to an
	// account with the member role), so she approves them herself.
	inv := &amparo.Invitation{Email: "rosa@centro-ejemplo.example", Role: amparo.RoleMember, OrganizationID: w.org.ID, MemberID: m.ID}
	if err := w.db.CreateInvitation(system, inv); err != nil {
		t.Fatal(err)
	}
	// httptest serves on 127.0.0.1; browsers treat localhost as secure,
	// so the session cookie is __Host- and Secure there as well.
	base := strings.Replace(w.ts.URL, "127.0.0.1", "localhost", 1)
	password := "faro verde sobre la bahía tranquila"
	do(t, ctx, chromedp.Navigate(base+"/invite/"+inv.Token),
		chromedp.SendKeys("#name", "Rosa Ejemplo"), chromedp.SendKeys("#password", password), chromedp.SendKeys("#confirm", password),
		chromedp.Submit("#name"), chromedp.WaitVisible("#secret"))
	secret := eval[string](t, ctx, `document.getElementById('secret').textContent`)
	code, _ := totp.GenerateCode(secret, time.Now())
	do(t, ctx, chromedp.SendKeys("#code", code), chromedp.Submit("#code"), chromedp.WaitVisible("#recovery-codes"),
		chromedp.Click("#recovery-saved"))
	// Every signed-in page has the header's sign-out: wait for the dashboard itself.
	if got := waitFor(ctx, `location.pathname == '/dashboard' && document.readyState == 'complete' ? 'READY' : 'at ' + location.pathname`, "READY"); got != "READY" {
		t.Fatalf("after saving the codes: %s", got)
	}
	do(t, ctx, chromedp.Submit(`form[action="/signout"] button`), chromedp.WaitVisible("#email"))

	// Sign in again, with the next code.
	code, _ = totp.GenerateCode(secret, time.Now().Add(30*time.Second))
	do(t, ctx, chromedp.SendKeys("#email", inv.Email), chromedp.SendKeys("#password", password), chromedp.Submit("#email"),
		chromedp.WaitVisible("#code"), chromedp.SendKeys("#code", code), chromedp.Submit("#code"),
		chromedp.WaitVisible(`form[action="/signout"]`))

	// Switch to Spanish and create a client.
	do(t, ctx, chromedp.Navigate(base+"/clients/new?lang=es"), chromedp.WaitVisible("#legal_name"))
	if h1 := eval[string](t, ctx, `document.querySelector('h1').textContent`); h1 != "Agregar cliente" {
		t.Fatalf("the page is not in Spanish: %q", h1)
	}
	do(t, ctx, chromedp.SendKeys("#legal_name", "Zacarías Quiñónez Ejemplo"), chromedp.SetValue("#situation", "daca"),
		chromedp.Click("#consent"), chromedp.Submit("#legal_name"), chromedp.WaitVisible(`a[href^="/letters/new"]`),
		chromedp.Click(`a[href^="/letters/new"]`), chromedp.WaitVisible("#member"), chromedp.Submit("#member"),
		chromedp.WaitVisible(`form[action$="/issue"]`), chromedp.Submit(`form[action$="/issue"] button`),
		chromedp.WaitVisible("#phone-pin"))
	// The download is a PDF.
	pdf := eval[string](t, ctx, `fetch(document.querySelector('a[href$="/letter.pdf"]').href).then(r => r.headers.get('Content-Type') + ' ' + r.status)`)
	if pdf != "application/pdf 200" {
		t.Fatalf("letter download: %s", pdf)
	}
	letterPath := eval[string](t, ctx, `location.pathname`)
	// Revoking is confirmed on its own page (issue 12).
	do(t, ctx, chromedp.SendKeys("#reason", "Terminó la representación"), chromedp.Submit("#reason"),
		chromedp.WaitVisible("#confirm-button"), chromedp.Click("#confirm-button"))
	if h1 := waitFor(ctx, `(document.querySelector('h1') || {}).textContent || ''`, "Revocada"); !strings.Contains(h1, "Revocada") {
		t.Fatalf("after revoking, the page says %q", h1)
	}
	l, err := w.db.FindLetterByID(system, strings.TrimPrefix(letterPath, "/letters/"))
	if err != nil {
		t.Fatal(err)
	}
	// No name or address typed in these pages reached the log, nor the
	// invitation's token (in the path it was accepted at) or the second
	// factor's secret.
	for _, canary := range []string{"Zacarías", "Quiñónez", password, inv.Email, inv.Token, secret} {
		if strings.Contains(w.log.String(), canary) {
			t.Errorf("the log holds %q", canary)
		}
	}
	// The verify page (the QR's URL, on this server) shows it revoked.
	verifyURL := base + "/v" + l.QR[strings.Index(l.QR, "#"):]
	do(t, ctx, chromedp.Navigate(verifyURL))
	word, err := chromedp.Run(ctx, chromedp.Poll[string](`(document.querySelector('#result .verdict h2') || {}).textContent || ''`,
		chromedp.WithPollingTimeout(30*time.Second)))
	if err != nil || (word != "REVOKED" && word != "REVOCADA") {
		t.Fatalf("verify page: %q %v", word, err)
	}
}

// navigate opens url, again if the browser aborted the load (a load can
// be cut short by the end of the previous page's own navigation, on a
// loaded machine).
func navigate(t *testing.T, ctx context.Context, url string) {
	t.Helper()
	var err error
	for try := 0; try < 3; try++ {
		if err = chromedp.Do(ctx, chromedp.Navigate(url)); err == nil || !strings.Contains(err.Error(), "ERR_ABORTED") {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	if err != nil {
		t.Fatalf("%s: %v; the page:\n%s", url, err, text(t, ctx))
	}
}

// readyFor returns a wait for a selector in ctx's page, loaded: the test
// fails with the page's text when it never shows.
func readyFor(t *testing.T, ctx context.Context) func(sel string) {
	return func(sel string) {
		t.Helper()
		if got := waitFor(ctx, `document.readyState == 'complete' && document.querySelector('`+sel+`') ? 'READY' : ''`, "READY"); got != "READY" {
			t.Fatalf("%s never shows; the page:\n%s", sel, text(t, ctx))
		}
	}
}

// waitFor evaluates js until its text holds want, across page loads (whose
// evaluation errors it waits out), for up to 20 seconds; it returns the last text.
func waitFor(ctx context.Context, js, want string) string {
	var last string
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if v, err := chromedp.Run(ctx, chromedp.Evaluate[string](js)); err == nil {
			if last = v; strings.Contains(v, want) {
				break
			}
		}
	}
	return last
}

// setCookie puts a session cookie in the browser for the test server.
func setCookie(url, name, value string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		yes := true
		_, err := cdp.Call(ctx, t, network.SetCookie, network.SetCookieParams{Name: name, Value: value, URL: url, Path: "/",
			Secure: &yes, HTTPOnly: &yes})
		return err
	})
}

// TestAccessibility runs axe-core on every main page, signed in as each
// role it serves, on a 375-pixel phone: no serious or critical violation
// may remain, and no page may be wider than the phone.
func TestAccessibility(t *testing.T) {
	t.Parallel()
	axe, err := os.ReadFile("testdata/axe/axe.min.js")
	if err != nil {
		t.Fatal(err)
	}
	w := newAccountWorld(t)
	m := w.withKeys(t)
	c := &amparo.Client{OrganizationID: w.org.ID, Personal: amparo.Personal{LegalName: "Ana Ejemplo Prueba", Language: "es", Situation: amparo.SituationDACA}}
	if err := w.db.CreateClient(system, c); err != nil {
		t.Fatal(err)
	}
	l := &amparo.Letter{ClientID: c.ID, MemberID: m.ID, OrganizationID: w.org.ID}
	w.db.CreateLetter(system, l)
	if _, err := w.db.IssueLetter(storetest.SignerFor(t, w.db, m), l.ID); err != nil {
		t.Fatal(err)
	}
	link, _ := w.db.FindPhoneLink(system, l.ID)
	ap := &amparo.Applicant{Key: "k", Facts: amparo.Facts{Personal: amparo.Personal{LegalName: "Eva Muestra", Language: "es", Situation: amparo.SituationAsylum}}}
	if _, err := w.db.CreateApplicants(amparo.NewContextWithActor(t.Context(), amparo.Actor{ID: "i", Role: amparo.RoleIntake, OrganizationID: w.org.ID}), []*amparo.Applicant{ap}); err != nil {
		t.Fatal(err)
	}
	inv := &amparo.Invitation{Email: "nuevo@example.org", Role: amparo.RoleIntake, OrganizationID: w.org.ID}
	w.db.CreateInvitation(system, inv)
	base := strings.Replace(w.ts.URL, "127.0.0.1", "localhost", 1)
	ctx := browsertest.Start(t, nil, chromedp.EmulateViewport(375, 812))
	checked := 0
	// First, axe must catch a page that is plainly wrong.
	do(t, ctx, chromedp.Navigate(base+"/"), chromedp.WaitReady("body"))
	bad := eval[string](t, ctx, string(axe)+`;document.querySelector('main').insertAdjacentHTML('beforeend', '<img src="x.png">');`+
		`axe.run(document).then(r => r.violations.map(v => v.id).join(' '))`)
	if !strings.Contains(bad, "image-alt") {
		t.Fatalf("axe missed an image without alt text: %q", bad)
	}

	session := func(role amparo.Role, org string) string {
		b := w.signedInAs(t, role, org)
		return b.session()
	}
	pages := []struct {
		role  amparo.Role // "" for signed out
		paths []string
	}{
		{"", []string{"/", "/signin", "/invite/" + inv.Token, "/p/" + link.Token, "/v", "/intake/" + w.org.ID}},
		{amparo.RoleOrgAdmin, []string{"/dashboard", "/clients", "/clients/new", "/clients/" + c.ID, "/clients/" + c.ID + "/edit",
			"/clients/" + c.ID + "/delete", "/letters", "/letters/" + l.ID, "/letters/new?client=" + c.ID, "/organizations/" + w.org.ID, "/account", "/queue", "/applicants", "/applicants/new", "/matches", "/applicants/" + ap.ID}},
		{amparo.RoleMember, []string{"/dashboard", "/clients", "/letters/" + l.ID}},
		{amparo.RoleIntake, []string{"/dashboard", "/clients/new"}},
		{amparo.RoleProgramAdmin, []string{"/dashboard", "/organizations", "/settings", "/policy", "/policy/format"}},
		{amparo.RoleAuditor, []string{"/dashboard", "/audit"}},
	}
	for _, p := range pages {
		org := ""
		if p.role.OrganizationRole() {
			org = w.org.ID
		}
		if p.role != "" {
			do(t, ctx, setCookie(base, "__Host-session", session(p.role, org)))
		}
		for li, lang := range []string{"en", "es"} {
			for pi, path := range p.paths {
				// Outside CI each page is checked once, in English and
				// Spanish by turns; CI checks every page in both.
				if !testenv.CI() && (pi+li)%2 == 1 {
					continue
				}
				sep := "?"
				if strings.Contains(path, "?") {
					sep = "&"
				}
				do(t, ctx, chromedp.Navigate(base+path+sep+"lang="+lang), chromedp.WaitReady("body"))
				if got := eval[string](t, ctx, `location.pathname`); !strings.HasPrefix(path, got) {
					t.Errorf("%s as %q: landed on %s", path, p.role, got)
					continue
				}
				if wide := eval[int](t, ctx, `document.documentElement.scrollWidth`); wide > 375 {
					over := eval[string](t, ctx, `[...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > 375.5).map(e => e.tagName + '.' + e.className + '#' + e.id + ' ' + Math.round(e.getBoundingClientRect().right)).slice(-6).join(', ')`)
					t.Errorf("%s (%s, as %q) is %d pixels wide on a 375-pixel phone: %s", path, lang, p.role, wide, over)
				}
				checkAxe(t, ctx, fmt.Sprintf("%s (%s, as %q)", path, lang, p.role))
				checked++
			}
		}
	}
	// Pages visited: outside CI, axe checks only those of a shape no
	// test of this binary has checked yet.
	want := 2 * 34
	if !testenv.CI() {
		want = 34
	}
	if checked != want {
		t.Fatalf("axe checked %d pages, want %d", checked, want)
	}
}

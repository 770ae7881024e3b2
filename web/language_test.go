package web_test

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/pquerna/otp/totp"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/internal/browsertest"
)

// TestBrowser_LanguageSwitchKeepsThePage, on a 375-pixel phone in Spanish:
// the recovery codes survive a switch of language and download as a file;
// a one-word name is refused until the single-name box is ticked; a client
// search keeps its result when the language changes.
func TestBrowser_LanguageSwitchKeepsThePage(t *testing.T) {
	t.Parallel()
	w := newAccountWorld(t)
	ctx := browsertest.Start(t, nil, chromedp.EmulateViewport(375, 812))
	inv := &amparo.Invitation{Email: "rosa@centro-ejemplo.example", Role: amparo.RoleOrgAdmin, OrganizationID: w.org.ID}
	if err := w.db.CreateInvitation(system, inv); err != nil {
		t.Fatal(err)
	}
	base := strings.Replace(w.ts.URL, "127.0.0.1", "localhost", 1)
	password := "faro verde sobre la bahía tranquila"
	do(t, ctx, chromedp.Navigate(base+"/invite/"+inv.Token+"?lang=es"),
		chromedp.SendKeys("#name", "Rosa Ejemplo"), chromedp.SendKeys("#password", password), chromedp.SendKeys("#confirm", password),
		chromedp.Submit("#name"), chromedp.WaitVisible("#secret"))
	secret := eval[string](t, ctx, `document.getElementById('secret').textContent`)
	code, _ := totp.GenerateCode(secret, time.Now())
	do(t, ctx, chromedp.SendKeys("#code", code), chromedp.Submit("#code"), chromedp.WaitVisible("#recovery-codes"))
	codes := `[...document.querySelectorAll('#recovery-codes code')].map(c => c.textContent).join(' ')`
	shown := eval[string](t, ctx, codes)
	if len(strings.Fields(shown)) != 10 || !strings.Contains(eval[string](t, ctx, `document.body.innerText`), "Guárdelos") {
		t.Fatalf("recovery codes in Spanish: %q", shown)
	}
	if wide := eval[float64](t, ctx, `document.documentElement.scrollWidth`); wide > 375 {
		t.Errorf("the recovery page is %v pixels wide on a 375-pixel phone", wide)
	}
	do(t, ctx, chromedp.Click(`nav a[hreflang="en"]`), chromedp.WaitVisible("#recovery-codes"))
	if got := eval[string](t, ctx, codes); got != shown || !strings.Contains(eval[string](t, ctx, `document.body.innerText`), "Keep them somewhere safe") {
		t.Fatalf("after switching to English the codes are %q, want %q", got, shown)
	}
	do(t, ctx, chromedp.Click(`nav a[hreflang="es"]`), chromedp.WaitVisible("#recovery-codes"))
	file := eval[string](t, ctx, `(async () => { const r = await fetch(document.getElementById('recovery-download').href);
		return r.headers.get('content-disposition') + '\n' + await r.text(); })()`)
	if !strings.HasPrefix(file, `attachment; filename="amparo-recovery-codes.txt"`) || !strings.Contains(file, "Códigos de recuperación") {
		t.Fatalf("the download: %q", file)
	}
	for _, c := range strings.Fields(shown) {
		if !strings.Contains(file, c) {
			t.Fatalf("the file lacks %s", c)
		}
	}
	do(t, ctx, chromedp.Click("#recovery-saved"))
	// Every signed-in page has the header's sign-out: wait for the dashboard itself.
	if got := waitFor(ctx, `location.pathname == '/dashboard' && document.readyState == 'complete' ? 'READY' : 'at ' + location.pathname`, "READY"); got != "READY" {
		t.Fatalf("after saving the codes: %s", got)
	}

	// A one-word name is refused, with what was typed kept, until the
	// person is marked as having a single name.
	do(t, ctx, chromedp.Navigate(base+"/clients/new"), chromedp.WaitVisible("#legal_name"),
		chromedp.SendKeys("#legal_name", "Zacarías"), chromedp.SendKeys("#phone", "+1 213 555 0199"), chromedp.SetValue("#situation", "daca"),
		chromedp.Click("#consent"), chromedp.Submit("#legal_name"), chromedp.WaitVisible(".error-summary"))
	summary := eval[string](t, ctx, `document.querySelector('.error-summary').innerText`)
	if !strings.Contains(summary, "nombre único") || eval[string](t, ctx, `document.getElementById('legal_name').value`) != "Zacarías" ||
		eval[string](t, ctx, `document.getElementById('phone').value`) != "+1 213 555 0199" {
		t.Fatalf("one-word name: %q", summary)
	}
	do(t, ctx, chromedp.Click("#single_name"), chromedp.Click("#consent"), chromedp.Submit("#legal_name"),
		chromedp.WaitVisible(`a[href^="/letters/new"]`))
	cs, _, _ := w.db.FindClients(system, amparo.ClientFilter{})
	if len(cs) != 1 || cs[0].LegalName != "Zacarías" || !cs[0].SingleName {
		t.Fatalf("stored %+v", cs)
	}

	// Search, then switch language: the result is still there.
	// The list shows the client before the search too: wait for the
	// search's own page before clicking on it.
	do(t, ctx, chromedp.Navigate(base+"/clients"), chromedp.WaitVisible("#q"), chromedp.SendKeys("#q", "zacarias"),
		chromedp.Submit("#q"))
	waitFor(ctx, `location.search`, "q=zacarias")
	do(t, ctx, chromedp.WaitVisible(`#clients a[href="/clients/`+cs[0].ID+`"]`),
		chromedp.Click(`nav a[hreflang="en"]`), chromedp.WaitVisible(`#clients a[href="/clients/`+cs[0].ID+`"]`))
	if q, h1 := eval[string](t, ctx, `document.getElementById('q').value`), eval[string](t, ctx, `document.querySelector('h1').textContent`); q != "zacarias" || h1 != "Clients" {
		t.Fatalf("after switching language: search %q, heading %q", q, h1)
	}
}

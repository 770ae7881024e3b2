package web_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/internal/browsertest"
)

// TestJourney_ScreeningFile: on a 375-pixel phone, in Spanish, a
// procurement officer opens a solicitation from the list of
// solicitations; a vendor, without JavaScript, files its affidavit
// through the link, declaring no border-wall work; the officer sees it
// counted, uploads a vendor file containing that vendor, follows the
// screening's progress bar, reads the contradiction with the registry
// when it is done, and edits the vendor (a UEI of the wrong length named
// first). Every new page passes axe and fits the phone. The companies are
// fictional.
func TestJourney_ScreeningFile(t *testing.T) {
	t.Parallel()
	w, gate, _ := screeningWorld(t)
	base := strings.Replace(w.ts.URL, "127.0.0.1", "localhost", 1)
	officer := browsertest.Start(t, nil, chromedp.EmulateViewport(375, 812))
	vendor := browsertest.Start(t, nil, chromedp.EmulateViewport(375, 812))
	do(t, officer, setCookie(base, "__Host-session", w.signedInAs(t, amparo.RoleProcurement, w.org.ID).session()))
	do(t, vendor, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true})
		return err
	}))
	check := func(ctx context.Context, what string) {
		t.Helper()
		if wide := eval[int](t, ctx, `document.documentElement.scrollWidth`); wide > 375 {
			t.Errorf("%s is %d pixels wide on a 375-pixel phone", what, wide)
		}
		checkAxe(t, ctx, what)
	}
	ready := func(ctx context.Context, sel string) {
		t.Helper()
		waitFor(ctx, `document.readyState`, "complete")
		do(t, ctx, chromedp.WaitVisible(sel))
	}

	// 1. The officer opens a solicitation from the list.
	navigate(t, officer, base+"/vendors/solicitations?lang=es")
	ready(officer, `#new-solicitation`)
	check(officer, "the solicitations")
	do(t, officer, chromedp.SendKeys(`#title`, "Licitación de banquetas de ejemplo"), chromedp.Click(`#new-solicitation`))
	ready(officer, `#affidavit-link`)
	check(officer, "the solicitation's link")
	link := eval[string](t, officer, `document.getElementById('affidavit-link').href`)
	if !strings.Contains(link, "/affidavit/") {
		t.Fatalf("the link: %q", link)
	}

	// 2. The vendor files its affidavit, declaring no border-wall work.
	// The link names the server as the officer's browser reached it
	// (https for localhost); the test's server is plain http.
	navigate(t, vendor, base+link[strings.Index(link, "/affidavit/"):]+"?lang=es")
	ready(vendor, `#sign`)
	do(t, vendor,
		chromedp.SendKeys(`#name`, "Zephyrine Barrier Builders"),
		chromedp.SendKeys(`#uei`, "ZPHR5678EFGH"),
		chromedp.Click(`#declares-none`),
		chromedp.SendKeys(`#signer_name`, "Bruno Ejemplo Ficticio"),
		chromedp.SendKeys(`#signer_title`, "Gerente"),
		chromedp.SendKeys(`#attestation`, "Bruno Ejemplo Ficticio"),
		chromedp.Click(`#sign`))
	if got := waitFor(vendor, `(document.getElementById('affidavit-done') || {}).textContent || ''`, "Se recibió"); !strings.Contains(got, "Se recibió") {
		t.Fatalf("after signing:\n%s", pageText(t, vendor))
	}

	// 3. The list counts it, beside the link.
	navigate(t, officer, base+"/vendors/solicitations?lang=es")
	ready(officer, `#solicitations`)
	row := `[...document.querySelectorAll('#solicitations tr')].filter(r => r.textContent.includes('banquetas')).map(r => r.querySelector('.affidavits').textContent + ' ' + r.querySelector('.affidavit-link').href).join('')`
	if got := waitFor(officer, row, "1 "+link); got != "1 "+link { // the same link as when opened
		t.Fatalf("the solicitation's row: %q\n%s", got, pageText(t, officer))
	}
	check(officer, "the solicitations with an affidavit")

	// 4. A vendor file with that vendor: the progress, then the results.
	file := filepath.Join(t.TempDir(), "proveedores.csv")
	if err := os.WriteFile(file, []byte("name,uei\n\"ZEPHYRINE BARRIER BUILDERS, L.L.C.\",ZPHR5678EFGH\nEjemplo Panadería Ficticia,\nEjemplo Tlapalería Ficticia,\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	navigate(t, officer, base+"/vendors?lang=es")
	ready(officer, `#upload`)
	do(t, officer, chromedp.SetUploadFiles(`#file`, []string{file}), chromedp.Click(`#upload`))
	ready(officer, `#run-progress`)
	if got := eval[string](t, officer, `document.getElementById('run-text').textContent + '|' + document.getElementById('run-progress').max + '|' + document.getElementById('run-text').getAttribute('role')`); got != "0 de 3 proveedores revisados.|3|status" {
		t.Errorf("the progress: %q", got)
	}
	check(officer, "the screening's progress")
	close(gate)
	ready(officer, `#screened-count`)
	waitFor(officer, `document.readyState`, "complete")
	page := pageText(t, officer)
	for _, want := range []string{"3 proveedores revisados", "La declaración jurada dice que no hay trabajo en el muro fronterizo", "USACE", "Example County Gazette", "Descargar los resultados"} {
		if !strings.Contains(page, want) {
			t.Errorf("the results do not say %q:\n%s", want, page)
		}
	}
	check(officer, "the screened file")

	// 5. The officer edits the vendor: a short UEI first.
	do(t, officer, chromedp.Click(`#screened a`))
	ready(officer, `#edit`)
	do(t, officer, chromedp.Click(`#edit`))
	ready(officer, `#save`)
	check(officer, "the vendor edit page")
	do(t, officer, chromedp.SetValue(`#uei`, "ZPHR5678"), chromedp.Click(`#save`))
	if got := waitFor(officer, `(document.getElementById('uei-error') || {}).textContent || ''`, "no es un UEI"); !strings.Contains(got, "«ZPHR5678» no es un UEI") {
		t.Fatalf("a short UEI: %q\n%s", got, pageText(t, officer))
	}
	check(officer, "the vendor edit page with an error")
	do(t, officer, chromedp.SetValue(`#uei`, "ZPHR5678EFGH"), chromedp.SetValue(`#name`, "Zephyrine Barrier Builders Ejemplo"), chromedp.Click(`#save`))
	waitFor(officer, `(document.getElementById('banner') || {}).textContent || ''`, "Se guardó")
	if got := waitFor(officer, `(document.getElementById('vendor-name') || {}).textContent || ''`, "Ejemplo"); got != "Zephyrine Barrier Builders Ejemplo" {
		t.Fatalf("after the edit: %q\n%s", got, pageText(t, officer))
	}
	// Its earlier screening is kept.
	if !strings.Contains(pageText(t, officer), "La declaración jurada dice que no hay trabajo") {
		t.Errorf("the earlier screening is gone:\n%s", pageText(t, officer))
	}
}

// pageText is the page's text once it is loaded (text reads a page in
// the middle of a navigation as none).
func pageText(t *testing.T, ctx context.Context) string {
	t.Helper()
	waitFor(ctx, `document.readyState`, "complete")
	return eval[string](t, ctx, `document.body ? document.body.innerText : ''`)
}

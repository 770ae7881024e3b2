package web_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/internal/browsertest"
)

// TestJourney_Screening: on a 375-pixel phone, a vendor files its
// disclosure affidavit in Spanish without JavaScript, declaring no
// border-wall work; a procurement officer, in Spanish, screens it, reads
// the hit's explanation and the contradiction with the affidavit, marks
// the hit a false positive with a reason, screens again and sees the
// decision reused. Every staff page passes axe and fits the phone. The
// companies are fictional.
func TestJourney_Screening(t *testing.T) {
	t.Parallel()
	w := newAccountWorld(t)
	base := strings.Replace(w.ts.URL, "127.0.0.1", "localhost", 1)
	admin := amparo.NewContextWithActor(t.Context(), amparo.Actor{ID: "pa", Role: amparo.RoleProgramAdmin})
	src := amparo.RegistrySource{Document: "Example County Gazette", Retrieved: amparo.MustDate("2025-01-02")}
	if _, err := w.db.ApplyRegistryChange(admin, &amparo.RegistryChange{Reason: "test compilation",
		PutEntities: []*amparo.RegistryEntity{{ID: "zephyrine-barrier", Kind: amparo.RegistryCompany,
			Names:       []amparo.RegistryName{{Kind: amparo.RegistryNamePrimary, Name: "Zephyrine Barrier Builders LLC"}},
			Identifiers: []amparo.RegistryIdentifier{{Kind: amparo.RegistryUEI, Value: "ZPHR5678EFGH"}}, Source: src}},
		PutInvolvements: []*amparo.RegistryInvolvement{{ID: "i1", EntityID: "zephyrine-barrier", Agency: "USACE", Project: "Example barrier segment",
			Role: amparo.RegistryPrime, AwardDate: amparo.MustDate("2019-05-01"), Status: amparo.AwardAwarded, Source: src}},
	}); err != nil {
		t.Fatal(err)
	}
	sol := &amparo.Solicitation{OrganizationID: w.org.ID, Title: "Licitación de cercas de ejemplo"}
	if err := w.db.CreateSolicitation(system, sol); err != nil {
		t.Fatal(err)
	}

	officer := browsertest.Start(t, nil, chromedp.EmulateViewport(375, 812))
	vendor := browsertest.Start(t, nil, chromedp.EmulateViewport(375, 812))
	do(t, officer, setCookie(base, "__Host-session", w.signedInAs(t, amparo.RoleProcurement, w.org.ID).session()))
	do(t, vendor, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true})
		return err
	}))
	check := func(ctx context.Context, what string, axe bool) {
		t.Helper()
		// Measured once the page's styles are in: a page still loading
		// them is as wide as its longest line.
		waitFor(ctx, `document.readyState`, "complete")
		if wide := eval[int](t, ctx, `document.documentElement.scrollWidth`); wide > 375 {
			t.Errorf("%s is %d pixels wide on a 375-pixel phone", what, wide)
		}
		if axe {
			checkAxe(t, ctx, what)
		}
	}
	ready := func(ctx context.Context, sel string) {
		t.Helper()
		waitFor(ctx, `document.readyState`, "complete")
		do(t, ctx, chromedp.WaitVisible(sel))
	}

	// 1. The vendor files its affidavit, in Spanish, without JavaScript;
	// first without the attestation, which is named.
	navigate(t, vendor, base+"/affidavit/"+sol.Token+"?lang=es")
	ready(vendor, `#sign`)
	check(vendor, "the affidavit form", false)
	do(t, vendor,
		chromedp.SendKeys(`#name`, "Zephyrine Barrier Builders, L.L.C."),
		chromedp.SendKeys(`#uei`, "ZPHR5678EFGH"),
		chromedp.Click(`#declares-none`),
		chromedp.SendKeys(`#signer_name`, "Bruno Ejemplo Ficticio"),
		chromedp.SendKeys(`#signer_title`, "Gerente"),
		chromedp.Click(`#sign`))
	if got := waitFor(vendor, `(document.getElementById('attestation-error') || {}).textContent || ''`, "atestación"); !strings.Contains(got, "atestación") {
		t.Fatalf("without the attestation:\n%s", text(t, vendor))
	}
	do(t, vendor, chromedp.SendKeys(`#attestation`, "Bruno Ejemplo Ficticio"), chromedp.Click(`#sign`))
	if got := waitFor(vendor, `(document.getElementById('affidavit-done') || {}).textContent || ''`, "Se recibió"); !strings.Contains(got, "Se recibió") {
		t.Fatalf("after signing:\n%s", text(t, vendor))
	}
	// The form passes axe too (read in the officer's browser, which runs it).
	navigate(t, officer, base+"/affidavit/"+sol.Token+"?lang=es")
	ready(officer, `#sign`)
	check(officer, "the affidavit form", true)

	// 2. The officer screens the vendor, in Spanish.
	navigate(t, officer, base+"/vendors?lang=es")
	ready(officer, `#vendors a`)
	check(officer, "the vendors", true)
	do(t, officer, chromedp.Click(`#vendors a`))
	ready(officer, `#screen`)
	do(t, officer, chromedp.Click(`#screen`))
	ready(officer, `#hit-zephyrine-barrier`)
	check(officer, "the vendor's screening", true)
	page := text(t, officer)
	for _, want := range []string{"UEI idéntico: ZPHR5678EFGH", "La declaración jurada dice que no hay trabajo en el muro fronterizo", "USACE", "Example County Gazette"} {
		if !strings.Contains(page, want) {
			t.Errorf("the screening does not say %q:\n%s", want, page)
		}
	}

	// 3. A false positive, with a reason.
	do(t, officer, chromedp.Click(`#v-0-f`), chromedp.SendKeys(`#reason-0`, "Otra empresa del mismo nombre, en otro estado"), chromedp.Click(`#decide-0`))
	if got := waitFor(officer, `(document.getElementById('review-zephyrine-barrier') || {}).textContent || ''`, "sigue vigente"); !strings.Contains(got, "Falso positivo") {
		t.Fatalf("after deciding: %q\n%s", got, text(t, officer))
	}
	// 4. Screened again: the decision is reused.
	ready(officer, `#screen`)
	do(t, officer, chromedp.Click(`#screen`))
	waitFor(officer, `(document.getElementById('banner') || {}).textContent || ''`, "Se revisó")
	if got := waitFor(officer, `(document.getElementById('review-zephyrine-barrier') || {}).textContent || ''`, "sigue vigente"); !strings.Contains(got, "Otra empresa del mismo nombre") ||
		!strings.Contains(got, "Decidido el ") || !strings.Contains(got, strconv.Itoa(time.Now().Year())) {
		t.Fatalf("after screening again: %q\n%s", got, text(t, officer))
	}
	check(officer, "the vendor re-screened", true)
}

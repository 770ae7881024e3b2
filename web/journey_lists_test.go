package web_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/internal/browsertest"
	"github.com/amparo-project/amparo/internal/storetest"
	"github.com/amparo-project/amparo/internal/testenv"
)

// TestClientsAndLetters_Journey walks clients and letters in Chromium as
// the office does, at 1280 pixels: the admin adds a client (a banner says
// so), finds them by searching the list, opens their record, prepares a
// letter (a banner, and a preview marked as a draft) and sends it for
// approval; the member named, with their second factor, approves it (a
// banner, the QR); revoking asks on a confirmation page, where going back
// changes nothing, and confirming revokes (a banner). The list and record
// pages, and the confirmation, pass axe in English and Spanish at 1280
// pixels (TestClientsAndLetters_Phone checks them at 375).
func TestClientsAndLetters_Journey(t *testing.T) {
	t.Parallel()
	w := newAccountWorld(t)
	attorney := w.withKeys(t)
	storetest.SignerFor(t, w.db, attorney)
	base := strings.Replace(w.ts.URL, "127.0.0.1", "localhost", 1)
	desk := browsertest.Start(t, nil, chromedp.EmulateViewport(1280, 900))
	adminSession := w.signedInAs(t, amparo.RoleOrgAdmin, w.org.ID).session()
	memberSession, err := w.db.CreateSession(system, attorney.AccountID, true)
	if err != nil {
		t.Fatal(err)
	}
	as := func(ctx context.Context, token string) {
		do(t, ctx, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			_, err := cdp.Call(ctx, tg, network.ClearBrowserCookies, cdp.Empty{})
			return err
		}), setCookie(base, "__Host-session", token))
	}
	checkAxe := func(ctx context.Context, where string, width int) { // width: 1280 here
		t.Helper()
		if wide := eval[int](t, ctx, `document.documentElement.scrollWidth`); wide > width {
			t.Errorf("%s is %d pixels wide at %d", where, wide, width)
		}
		checkAxe(t, ctx, fmt.Sprintf("%s at %d", where, width))
	}
	banner := func(ctx context.Context, want string) {
		t.Helper()
		// The banner, on a page loaded whole: the next step may navigate.
		if got := waitFor(ctx, `document.readyState == 'complete' ? (document.getElementById('banner') || {}).textContent || '' : ''`, want); !strings.Contains(got, want) {
			t.Fatalf("the banner says %q, want %q; the page:\n%s", got, want, text(t, ctx))
		}
	}

	// 1. The admin adds a client: a banner says it was saved.
	as(desk, adminSession)
	name := "Valeria Ejemplo Prueba"
	navigate(t, desk, base+"/clients/new?lang=en")
	do(t, desk, chromedp.WaitVisible("#legal_name"),
		chromedp.SendKeys("#legal_name", name), chromedp.SendKeys(`[id="address.line1"]`, "4821 Placeholder Blvd"),
		chromedp.SetValue("#country_of_birth", "SV"), chromedp.Click("#notice_to_appear"), chromedp.Click("#consent"),
		chromedp.Submit("#legal_name"))
	banner(desk, "Client "+name+" saved.")
	clientPath := eval[string](t, desk, `location.pathname`)

	// 2. The list finds them by a word of the name, without accents or
	// capitals, and links the name to the record.
	navigate(t, desk, base+"/clients")
	do(t, desk, chromedp.WaitVisible("#q"), chromedp.SendKeys("#q", "valeria"), chromedp.Submit("#q"))
	// The count is read on the answer to the search, loaded whole (the
	// list page before it has a count too).
	if got := waitFor(desk, `location.search.includes('q=valeria') && document.readyState == 'complete' ? (document.getElementById('list-count') || {}).textContent || '' : ''`, "1–1 of 1"); got != "1–1 of 1" {
		t.Fatalf("the search counts %q", got)
	}
	for _, lang := range testenv.Pick(t, []string{"en", "es"}) {
		navigate(t, desk, base+"/clients?q=valeria&lang="+lang)
		do(t, desk, chromedp.WaitVisible("#clients"))
		checkAxe(desk, "/clients ("+lang+")", 1280)
	}
	navigate(t, desk, base+"/clients?q=valeria&lang=en")
	do(t, desk, chromedp.WaitVisible("#clients"),
		chromedp.Click(`#clients a[href="`+clientPath+`"]`), chromedp.WaitVisible("#client-details"))

	// 3. The record shows what was entered, readably.
	details := eval[string](t, desk, `document.getElementById('client-details').innerText`)
	for _, want := range []string{"4821 Placeholder Blvd", "El Salvador", name} {
		if !strings.Contains(details, want) {
			t.Fatalf("the record lacks %q:\n%s", want, details)
		}
	}
	if got := eval[string](t, desk, `document.getElementById('f-notice_to_appear').textContent`); got != "Yes" {
		t.Fatalf("notice to appear shows %q", got)
	}
	for _, lang := range testenv.Pick(t, []string{"en", "es"}) {
		navigate(t, desk, base+clientPath+"?lang="+lang)
		do(t, desk, chromedp.WaitVisible("#client-details"))
		checkAxe(desk, clientPath+" ("+lang+")", 1280)
	}

	// 4. A letter for them: a banner, a preview marked as a draft; sent
	// for approval, another banner.
	navigate(t, desk, base+clientPath+"?lang=en")
	do(t, desk, chromedp.WaitVisible("#new-letter"), chromedp.Click("#new-letter"),
		chromedp.WaitVisible("#member"), chromedp.SetValue("#member", attorney.ID), chromedp.Submit("#member"))
	banner(desk, "Draft letter for "+name+" prepared.")
	letterPath := eval[string](t, desk, `location.pathname`)
	if got := eval[string](t, desk, `document.getElementById('preview').innerText`); !strings.Contains(got, "Draft") || !strings.Contains(got, name) ||
		!strings.Contains(got, attorney.Name) {
		t.Fatalf("the preview says:\n%s", got)
	}
	do(t, desk, chromedp.Click(`form[action$="/submit"] button`), chromedp.WaitVisible("#submitted"))
	banner(desk, "The letter for "+name+" was sent for approval.")
	if n := eval[int](t, desk, `document.querySelectorAll('form[action$="/issue"], #revoke-form').length`); n != 0 {
		t.Fatal("the admin is shown a button to issue or revoke a draft")
	}

	// 5. The member named approves it: a banner, the QR, who did what.
	as(desk, memberSession)
	navigate(t, desk, base+letterPath+"?lang=en")
	do(t, desk, chromedp.WaitVisible(`form[action$="/issue"]`),
		chromedp.Click(`form[action$="/issue"] button`))
	banner(desk, "The letter for "+name+" was approved and issued.")
	do(t, desk, chromedp.WaitVisible("#letter-qr"))
	if ok := eval[bool](t, desk, `document.getElementById('letter-qr').naturalWidth > 100`); !ok {
		t.Fatal("the QR image does not load")
	}
	for id, want := range map[string]string{"preparer": "Cuenta", "submitted": "Cuenta", "approver": attorney.Name} {
		if got := eval[string](t, desk, `document.getElementById('`+id+`').textContent`); !strings.Contains(got, want) {
			t.Errorf("#%s says %q, want %q", id, got, want)
		}
	}
	for _, lang := range testenv.Pick(t, []string{"en", "es"}) {
		navigate(t, desk, base+letterPath+"?lang="+lang)
		do(t, desk, chromedp.WaitVisible("#letter-details"))
		checkAxe(desk, letterPath+" ("+lang+")", 1280)
	}

	// 6. Revoking asks first; going back changes nothing.
	revoke := func() {
		navigate(t, desk, base+letterPath+"?lang=en")
		do(t, desk, chromedp.WaitVisible("#reason"),
			chromedp.SendKeys("#reason", "Terminó la representación"), chromedp.Submit("#reason"), chromedp.WaitVisible("#confirm-title"))
	}
	revoke()
	if got := eval[string](t, desk, `document.getElementById('confirm-what').innerText`); !strings.Contains(got, name) || !strings.Contains(got, "Terminó la representación") {
		t.Fatalf("the confirmation says:\n%s", got)
	}
	checkAxe(desk, "the revoke confirmation", 1280)
	do(t, desk, chromedp.Click("#confirm-cancel"), chromedp.WaitVisible("#letter-details"))
	id := strings.TrimPrefix(letterPath, "/letters/")
	if l, err := w.db.FindLetterByID(system, id); err != nil || l.Status != amparo.LetterActive {
		t.Fatalf("after going back the letter is %v (%v)", l.Status, err)
	}
	revoke()
	do(t, desk, chromedp.Click("#confirm-button"))
	banner(desk, "The letter for "+name+" was revoked.")
	if l, err := w.db.FindLetterByID(system, id); err != nil || l.Status != amparo.LetterRevoked {
		t.Fatalf("after confirming the letter is %v (%v)", l.Status, err)
	}

	// 7. The letters list names the client and the member, and links the
	// letter; then every list and record page at 375 pixels.
	navigate(t, desk, base+"/letters?lang=en&status=revoked")
	do(t, desk, chromedp.WaitVisible("#letters"))
	if row := eval[string](t, desk, `document.querySelector('#letters tbody tr').innerText`); !strings.Contains(row, name) || !strings.Contains(row, attorney.Name) {
		t.Fatalf("the letters list row: %q", row)
	}
	for _, lang := range testenv.Pick(t, []string{"en", "es"}) {
		navigate(t, desk, base+"/letters?lang="+lang)
		do(t, desk, chromedp.WaitVisible("#letters"))
		checkAxe(desk, "/letters ("+lang+")", 1280)
	}
}

// TestClientsAndLetters_Phone: the client and letter lists, both record
// pages and the confirmation pages (revoke, renew, delete), at 375 pixels
// in English and Spanish: nothing scrolls sideways, and axe finds nothing
// serious or critical.
func TestClientsAndLetters_Phone(t *testing.T) {
	t.Parallel()
	w := newAccountWorld(t)
	m := w.withKeys(t)
	signer := storetest.SignerFor(t, w.db, m)
	c := &amparo.Client{OrganizationID: w.org.ID, Personal: amparo.Personal{LegalName: "Valeria Ejemplo Prueba", Language: "es",
		Situation: amparo.SituationTPS, TPSCountry: "SV", CountryOfBirth: "SV", Address: amparo.Address{Line1: "4821 Placeholder Blvd", City: "Los Angeles"}}}
	if err := w.db.CreateClient(system, c); err != nil {
		t.Fatal(err)
	}
	l := &amparo.Letter{ClientID: c.ID, MemberID: m.ID, OrganizationID: w.org.ID}
	if err := w.db.CreateLetter(system, l); err != nil {
		t.Fatal(err)
	}
	if _, err := w.db.IssueLetter(signer, l.ID); err != nil {
		t.Fatal(err)
	}
	session, err := w.db.CreateSession(system, m.AccountID, true)
	if err != nil {
		t.Fatal(err)
	}
	base := strings.Replace(w.ts.URL, "127.0.0.1", "localhost", 1)
	ctx := browsertest.Start(t, nil, chromedp.EmulateViewport(375, 812))
	navigate(t, ctx, base+"/")
	do(t, ctx, chromedp.WaitReady("body"), setCookie(base, "__Host-session", session))
	check := func(where string) {
		t.Helper()
		if wide := eval[int](t, ctx, `document.documentElement.scrollWidth`); wide > 375 {
			t.Errorf("%s is %d pixels wide on a 375-pixel phone", where, wide)
		}
		checkAxe(t, ctx, where)
	}
	for _, lang := range testenv.Pick(t, []string{"en", "es"}) {
		for _, p := range []string{"/clients", "/clients/" + c.ID, "/clients/" + c.ID + "/delete", "/letters", "/letters/" + l.ID, "/letters/" + l.ID + "/renew"} {
			navigate(t, ctx, base+p+"?lang="+lang)
			do(t, ctx, chromedp.WaitReady("body"))
			check(p + " (" + lang + ")")
		}
		navigate(t, ctx, base+"/letters/"+l.ID+"?lang="+lang)
		do(t, ctx, chromedp.WaitVisible("#reason"),
			chromedp.SendKeys("#reason", "Prueba"), chromedp.Submit("#reason"), chromedp.WaitVisible("#confirm-title"))
		check("the revoke confirmation (" + lang + ")")
	}
}

package web_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/internal/browsertest"
	"github.com/amparo-project/amparo/qrscan"
	"github.com/amparo-project/amparo/ticket"
)

// TestJourney_Workshop: on a 375-pixel phone, an organizer creates a
// workshop and publishes it; a visitor, in Spanish and without
// JavaScript, registers giving no name and gets a ticket whose QR decodes
// to a ticket the workshop's key verifies; the organizer checks the ticket
// in by its code, and the attendance counts it. Every page passes axe with
// no serious or critical violation and fits the phone.
func TestJourney_Workshop(t *testing.T) {
	t.Parallel()
	w := newAccountWorld(t)
	base := strings.Replace(w.ts.URL, "127.0.0.1", "localhost", 1)
	organizerSession := w.signedInAs(t, amparo.RoleOrganizer, w.org.ID).session()
	organizer := browsertest.Start(t, nil, chromedp.EmulateViewport(375, 812))
	visitor := browsertest.Start(t, nil, chromedp.EmulateViewport(375, 812))
	do(t, organizer, setCookie(base, "__Host-session", organizerSession))
	do(t, visitor, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true})
		return err
	}))

	checked := map[string]bool{}
	check := func(ctx context.Context, what string) {
		t.Helper()
		if wide := eval[int](t, ctx, `document.documentElement.scrollWidth`); wide > 375 {
			t.Errorf("%s is %d pixels wide on a 375-pixel phone", what, wide)
		}
		if ctx == visitor || checked[what] {
			return // axe needs JavaScript: the organizer's browser checks the public pages
		}
		checked[what] = true
		checkAxe(t, ctx, what)
	}

	// 1. The organizer creates the workshop, a week from now.
	day := time.Now().AddDate(0, 0, 7).Format(time.DateOnly)
	navigate(t, organizer, base+"/workshops/new?lang=en")
	do(t, organizer, chromedp.WaitVisible(`#save-workshop`))
	check(organizer, "the new workshop form")
	do(t, organizer,
		chromedp.SendKeys(`input[name="title.en"]`, "Know your rights at home"),
		chromedp.SendKeys(`input[name="title.es"]`, "Conozca sus derechos en casa"),
		chromedp.SetValue(`#date`, day),
		chromedp.SendKeys(`#venue`, "Salón Parroquial Ejemplo"),
		chromedp.SendKeys(`#address`, "100 Calle Ficticia, Ciudad Ejemplo"),
		chromedp.Click(`#save-workshop`))
	path := waitFor(organizer, `/^\/workshops\/[0-9a-f]{32}$/.test(location.pathname) ? 'ID:' + location.pathname : location.pathname`, "ID:")
	id := strings.TrimPrefix(path, "ID:/workshops/")
	if len(id) != 32 {
		t.Fatalf("saving led to %s:\n%s", path, text(t, organizer))
	}
	do(t, organizer, chromedp.WaitVisible(`#to-published`))
	check(organizer, "the workshop's page")
	do(t, organizer, chromedp.Click(`#to-published`), chromedp.WaitVisible(`#confirm-button`))
	check(organizer, "the confirmation")
	do(t, organizer, chromedp.Click(`#confirm-button`))
	if got := waitFor(organizer, `(document.getElementById('w-status') || {}).textContent || ''`, "Published"); got != "Published" {
		t.Fatalf("after publishing, the status reads %q", got)
	}

	// 2. A visitor, in Spanish and without JavaScript, finds it on the
	// public page and registers two people under no name.
	navigate(t, visitor, base+"/events?lang=es")
	do(t, visitor, chromedp.WaitVisible(`a[href="/events/`+id+`"]`))
	check(visitor, "the public page")
	do(t, visitor, chromedp.Click(`a[href="/events/`+id+`"]`), chromedp.WaitVisible(`#register`))
	check(visitor, "the workshop's public page")
	if addr := eval[string](t, visitor, `document.getElementById('event-address').textContent`); strings.Contains(addr, "Calle Ficticia") {
		t.Errorf("the public page shows the address kept for registered people: %q", addr)
	}
	do(t, visitor, chromedp.SetValue(`#party_size`, "2"), chromedp.Click(`#register`))
	if p := waitFor(visitor, `location.pathname`, "/ticket/"); !strings.HasPrefix(p, "/ticket/") {
		t.Fatalf("registering led to %s:\n%s", p, text(t, visitor))
	}
	do(t, visitor, chromedp.WaitVisible(`#ticket-code`))
	check(visitor, "the ticket")
	ticketURL := eval[string](t, visitor, `location.href`)
	code := strings.TrimSpace(eval[string](t, visitor, `document.getElementById('ticket-code').textContent`))
	page := text(t, visitor)
	if eval[string](t, visitor, `document.documentElement.lang`) != "es" || !strings.Contains(page, "Está inscrito/a") || !strings.Contains(page, "100 Calle Ficticia") {
		t.Fatalf("the ticket, in Spanish with the address, reads:\n%s", page)
	}
	if amparo.NormalizeTicketCode(code) != code {
		t.Fatalf("the ticket's code %q", code)
	}
	// Its QR, as a camera sees it, is the workshop's signed ticket.
	shot, err := chromedp.Run(visitor, chromedp.ScreenshotScale(`.totp-qr`, 2))
	if err != nil {
		t.Fatal(err)
	}
	texts, err := qrscan.FromImage(bytes.NewReader(shot))
	if err != nil || len(texts) != 1 {
		t.Fatalf("the ticket's QR: %v %v", texts, err)
	}
	ws, err := w.db.FindWorkshopByID(system, id)
	if err != nil {
		t.Fatal(err)
	}
	if tk, err := ticket.Verify(ed25519.PublicKey(ws.PublicKey), id, texts[0]); err != nil || tk.Code != code {
		t.Fatalf("the QR %q: %+v %v", texts[0], tk, err)
	}
	// The organizer's browser checks the public pages with axe.
	navigate(t, organizer, base+"/events?lang=es")
	check(organizer, "the public page")
	navigate(t, organizer, base+"/events/"+id+"?lang=es")
	check(organizer, "the workshop's public page")
	navigate(t, organizer, ticketURL)
	check(organizer, "the ticket")

	// 3. At the door, the organizer types the code, lower case.
	navigate(t, organizer, base+"/workshops/"+id+"/checkin?lang=es")
	do(t, organizer, chromedp.WaitVisible(`#code`))
	check(organizer, "the check-in page")
	do(t, organizer, chromedp.SendKeys(`#code`, strings.ToLower(code)), chromedp.Click(`#checkin-code`))
	if got := waitFor(organizer, `document.readyState == 'complete' ? (document.getElementById('checkin-result') || {}).textContent || '' : ''`, "Bienvenida"); !strings.Contains(got, code) || !strings.Contains(got, "2 personas") {
		t.Fatalf("checking in reads %q", got)
	}
	check(organizer, "the check-in page with a result")
	// The same code again: already checked in. (The result is read on a
	// page loaded whole: the next step types into its form.)
	do(t, organizer, chromedp.SendKeys(`#code`, code), chromedp.Click(`#checkin-code`))
	if got := waitFor(organizer, `document.readyState == 'complete' ? (document.getElementById('checkin-result') || {}).textContent || '' : ''`, "ya se registró"); !strings.Contains(got, "ya se registró") {
		t.Fatalf("checking in twice reads %q", got)
	}

	// 4. The attendance counts them.
	navigate(t, organizer, base+"/workshops/"+id+"?lang=es")
	do(t, organizer, chromedp.WaitVisible(`#att-came`))
	if came, rate := eval[string](t, organizer, `document.getElementById('att-came').textContent`), eval[string](t, organizer, `document.getElementById('att-show-rate').textContent`); !strings.HasPrefix(came, "1 (2 personas)") || rate != "100 %" {
		t.Fatalf("attendance: came %q, show rate %q", came, rate)
	}
}

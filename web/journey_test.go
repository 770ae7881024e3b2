package web_test

import (
	"context"
	"encoding/base64"
	"net"
	"net/http"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"

	"github.com/chromedp/chromedp"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/internal/browsertest"
	"github.com/amparo-project/amparo/internal/storetest"
	"github.com/amparo-project/amparo/internal/testenv"
	"github.com/amparo-project/amparo/qrscan"
)

// TestJourney_IntakeToLetter walks the whole path a letter takes, in
// Chromium, as the people who take it: a person applies on a 375-pixel
// phone in Spanish, leaving the situation unanswered, and applies again
// now detained; intake staff find them and see the update, and the queue
// puts them in the detained tier; the organization's admin accepts the
// proposed match, which makes the client and a draft; intake staff send it
// for approval; another member cannot issue it, the member named does;
// the card's QR verifies VALID with the card's last day, in a browser in
// another time zone; the client opens the phone link with the PIN, then
// offline; another browser's wrong PINs do not lock the client's; a
// renewal leaves the old card VALID and the same link shows the new
// letter; a revocation shows on the verify page and the phone page.
func TestJourney_IntakeToLetter(t *testing.T) {
	t.Parallel()
	testenv.Commands(t, "pdftotext", "pdftoppm")
	w := newAccountWorld(t)
	la, err := time.LoadLocation("America/Los_Angeles")
	if err != nil {
		t.Fatal(err)
	}
	p, err := w.db.FindProgram(system)
	if err != nil {
		t.Fatal(err)
	}
	p.TimeZone = la.String()
	if err := w.db.UpdateProgram(system, p); err != nil {
		t.Fatal(err)
	}
	attorney := w.withKeys(t)
	attorney.CaseCapacity = 5 // the one member with room for a new client
	if err := w.db.UpdateMember(system, attorney); err != nil {
		t.Fatal(err)
	}
	colleague := &amparo.Member{OrganizationID: w.org.ID, Name: "Lic. Marta Ficticia", Kind: amparo.MemberAttorney, BarJurisdiction: "CA",
		BarNumber: "900002", Languages: []string{"es"}, PublicPhone: "+1 213 555 0143"}
	if err := w.db.CreateMember(system, colleague); err != nil {
		t.Fatal(err)
	}
	base := strings.Replace(w.ts.URL, "127.0.0.1", "localhost", 1)
	phoneSite := newSwitchableServer(t, w.ts.Config.Handler)

	// Two browsers, in a time zone other than the program's: the client's
	// phone, and the office's computer, where each person signs in in turn.
	zone := []chromedp.ExecAllocatorOption{chromedp.Env("TZ=Pacific/Honolulu")}
	phone := browsertest.Start(t, zone, chromedp.EmulateViewport(375, 812))
	office := browsertest.Start(t, zone)
	session := func(accountID string) string {
		token, err := w.db.CreateSession(system, accountID, true)
		if err != nil {
			t.Fatal(err)
		}
		return token
	}
	storetest.SignerFor(t, w.db, attorney)
	storetest.SignerFor(t, w.db, colleague)
	staffSession := w.signedInAs(t, amparo.RoleIntake, w.org.ID).session()
	adminSession := w.signedInAs(t, amparo.RoleOrgAdmin, w.org.ID).session()
	memberSession, otherSession := session(attorney.AccountID), session(colleague.AccountID)
	// as signs the office's browser in with a session, or out ("").
	as := func(token string) context.Context {
		actions := []chromedp.Action[chromedp.Void]{chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			_, err := cdp.Call(ctx, tg, network.ClearBrowserCookies, cdp.Empty{})
			return err
		})}
		if token != "" {
			actions = append(actions, setCookie(base, "__Host-session", token))
		}
		do(t, office, actions...)
		return office
	}

	// 1. A person applies on the phone, in Spanish, leaving the situation unanswered.
	form := base + "/intake/" + w.org.ID + "?lang=es"
	name := "Julia Ejemplo Muestra"
	do(t, phone, chromedp.Navigate(form), chromedp.WaitVisible("#legal_name"), chromedp.SendKeys("#legal_name", name), chromedp.SetValue("#birth_date", "1990-04-12"),
		chromedp.SendKeys("#phone", "213-555-0166"), chromedp.Click("#consent"), chromedp.Click("#send"))
	confirmed(t, phone)
	if wide := eval[int](t, phone, `document.documentElement.scrollWidth`); wide > 375 {
		t.Fatalf("the confirmation is %d pixels wide on a 375-pixel phone", wide)
	}
	ref := eval[string](t, phone, `document.getElementById('reference').textContent`)
	stored := w.applicants(t)
	if len(stored) != 1 || stored[0].Reference != ref || stored[0].Situation != amparo.SituationUnknown {
		t.Fatalf("after the first intake: %d applicants, reference shown %q", len(stored), ref)
	}
	applicantID := stored[0].ID

	// 2. They apply again, now detained, with the reference code.
	do(t, phone, chromedp.Navigate(form), chromedp.WaitVisible("#legal_name"), chromedp.SendKeys("#legal_name", name), chromedp.SetValue("#birth_date", "1990-04-12"), chromedp.Click("#detained"),
		chromedp.SendKeys("#reference", ref), chromedp.Click("#consent"), chromedp.Click("#send"))
	confirmed(t, phone)
	if got := eval[string](t, phone, `document.getElementById('reference').textContent`); got != ref || len(w.applicants(t)) != 1 {
		t.Fatalf("writing again shows %q (want %q), %d applicants", got, ref, len(w.applicants(t)))
	}

	// 3. Intake staff find them by the code, see the phone and the update;
	// the queue puts them in the detained tier.
	staff := as(staffSession)
	do(t, staff, chromedp.Navigate(base+"/applicants?lang=es&q="+strings.ToLower(ref)),
		chromedp.WaitVisible(`a[href="/applicants/`+applicantID+`"]`), chromedp.Click(`a[href="/applicants/`+applicantID+`"]`),
		chromedp.WaitVisible("h1"))
	if page := text(t, staff); !strings.Contains(page, "213-555-0166") || !strings.Contains(page, ref) ||
		!strings.Contains(page, "Actualizado por la persona") {
		t.Fatalf("the applicant's page lacks the phone, the code or the update:\n%s", page)
	}
	do(t, staff, chromedp.Navigate(base+"/queue?lang=es"), chromedp.WaitVisible("table"))
	if row := eval[string](t, staff, `[...document.querySelectorAll('tbody tr')].map(r => r.innerText).find(r => r.includes('`+name+`')) || ''`); !strings.Contains(row, "Nivel 2") {
		t.Fatalf("the queue's row: %q, want tier 2 (detained)", row)
	}

	// 4. The admin accepts the proposed match: the client is made, after the
	// conflict check, and a draft letter opens.
	admin := as(adminSession)
	do(t, admin, chromedp.Navigate(base+"/matches?lang=es"), chromedp.WaitVisible("#m-"+applicantID))
	eval[string](t, admin, `document.querySelector('form[action="/matches/accept"] input[name=applicant][value="`+applicantID+`"]').form.requestSubmit(); ''`)
	letterPath := waitFor(admin, `location.pathname`, "/letters/")
	if !strings.HasPrefix(letterPath, "/letters/") {
		t.Fatalf("accepting the match led to %q", letterPath)
	}
	letterID := strings.TrimPrefix(letterPath, "/letters/")
	client, err := w.db.FindApplicantClient(system, applicantID)
	if err != nil || client.LegalName != name || client.Phone != "213-555-0166" || !client.Detained || len(client.Consents) == 0 {
		t.Fatalf("the client made from the applicant: %+v, %v", client, err)
	}
	events, _ := w.db.FindApplicantEvents(system, applicantID)
	if last := events[len(events)-1]; last.Status != amparo.ApplicantMatched || !strings.Contains(last.Reason, "conflict check") {
		t.Fatalf("the history does not record the match and its conflict check: %+v", last)
	}

	// 5. Intake staff send the draft for approval.
	staff = as(staffSession)
	do(t, staff, chromedp.Navigate(base+letterPath+"?lang=es"), chromedp.WaitVisible(`form[action$="/submit"]`),
		chromedp.Click(`form[action$="/submit"] button`), chromedp.WaitVisible("#submitted"))

	// 6. Another member cannot issue it; the member named does.
	other := as(otherSession)
	do(t, other, chromedp.Navigate(base+letterPath), chromedp.WaitVisible("#approval-note"))
	if n := eval[int](t, other, `document.querySelectorAll('form[action$="/issue"]').length`); n != 0 {
		t.Fatal("another member is offered to issue the letter")
	}
	if status := eval[int](t, other, `fetch('`+letterPath+`/issue', {method: 'POST'}).then(r => r.status)`); status != http.StatusForbidden {
		t.Fatalf("another member's issue: %d, want 403", status)
	}
	member := as(memberSession)
	do(t, member, chromedp.Navigate(base+letterPath+"?lang=es"), chromedp.WaitVisible(`form[action$="/issue"]`),
		chromedp.Click(`form[action$="/issue"] button`), chromedp.WaitVisible("#phone-pin"))
	if approver := eval[string](t, member, `document.getElementById('approver').textContent`); !strings.Contains(approver, attorney.Name) {
		t.Fatalf("approved by %q, want %s", approver, attorney.Name)
	}
	phoneURL := eval[string](t, member, `document.getElementById('phone-url').textContent`)
	pin := eval[string](t, member, `document.getElementById('phone-pin').textContent`)
	token := phoneURL[strings.LastIndex(phoneURL, "/p/")+len("/p/"):]
	if ap, _ := w.db.FindApplicantByID(system, applicantID); ap.Status != amparo.ApplicantServed {
		t.Fatalf("after the letter was issued the applicant is %s", ap.Status)
	}

	// 7. The letter and the card download; the card's QR verifies VALID in
	// Honolulu with the same last day the card prints.
	l, err := w.db.FindLetterByID(system, letterID)
	if err != nil {
		t.Fatal(err)
	}
	lastDay := amparo.LastValidDay(l.ValidUntil, la).Format("January 2, 2006")
	dir := t.TempDir()
	for _, doc := range []string{"letter.pdf", "card.pdf"} {
		b64 := eval[string](t, member, `fetch('`+letterPath+`/`+doc+`').then(r => r.arrayBuffer()).then(b => {
			let s = ''; for (const c of new Uint8Array(b)) s += String.fromCharCode(c); return btoa(s); })`)
		pdf, err := base64.StdEncoding.DecodeString(b64)
		if err != nil || !strings.HasPrefix(string(pdf), "%PDF-") {
			t.Fatalf("%s is not a PDF: %v", doc, err)
		}
		writeFile(t, filepath.Join(dir, doc), pdf)
	}
	cardText, err := exec.Command("pdftotext", filepath.Join(dir, "card.pdf"), "-").Output()
	if err != nil || !strings.Contains(string(cardText), lastDay) || !strings.Contains(string(cardText), name) {
		t.Fatalf("the card does not print %q and %q: %v\n%s", name, lastDay, err, cardText)
	}
	qrs, err := qrscan.FromPDF(t.Context(), filepath.Join(dir, "card.pdf"))
	if err != nil || len(qrs) != 1 || qrs[0] != l.QR {
		t.Fatalf("the card's QR reads %q (%v), want the letter's", qrs, err)
	}
	verify := func(qr, want string) {
		t.Helper()
		checker := as("")
		do(t, checker, chromedp.Navigate(base+"/v?lang=en"+qr[strings.Index(qr, "#"):]), chromedp.WaitReady("body"))
		got := waitFor(checker, `(document.querySelector('#result .verdict') || {dataset: {}}).dataset.status || ''`, want)
		if got != want {
			t.Fatalf("the verify page says %q, want %q:\n%s", got, want, text(t, checker))
		}
	}
	verify(qrs[0], "valid")
	if day := eval[string](t, office, `(document.getElementById('last-day') || {}).textContent || ''`); day != lastDay {
		t.Fatalf("the verify page's last day is %q, the card's %q", day, lastDay)
	}

	// 8. The client opens the phone link with the PIN, then offline.
	phonePage := phoneSite.url + "/p/" + token
	do(t, phone, chromedp.Navigate(phonePage), chromedp.WaitVisible("#pin"), chromedp.SendKeys("#pin", pin),
		chromedp.Submit("#pin"), chromedp.WaitVisible("img.qr"))
	waitKept(t, phone, true)
	phoneSite.down()
	do(t, phone, chromedp.Navigate("about:blank"), chromedp.Navigate(phonePage), chromedp.WaitVisible("img.qr"))
	if page := text(t, phone); !qrLoaded(t, phone) || !strings.Contains(page, name) || !strings.Contains(page, attorney.Name) || !strings.Contains(page, "Sus derechos") {
		t.Fatalf("offline, the phone page:\n%s", page)
	}
	if got := browserQR(t, phone); got != l.QR {
		t.Fatalf("offline, the phone's QR reads %q", got)
	}
	phoneSite.up()

	// 9. Three wrong PINs from another browser do not lock the client's.
	wrong := string('0'+(pin[0]-'0'+1)%10) + pin[1:]
	guesser := as("")
	for range 3 {
		do(t, guesser, chromedp.Navigate(phonePage), chromedp.WaitVisible("#pin"), chromedp.SendKeys("#pin", wrong), chromedp.Submit("#pin"),
			chromedp.WaitVisible(".error-summary"))
	}
	do(t, phone, chromedp.Navigate(phonePage), chromedp.WaitVisible("img.qr"))
	if got := browserQR(t, phone); got != l.QR {
		t.Fatalf("after another's guesses the client's phone shows %q", got)
	}

	// 10. Renewal: confirmed, it says what to give the client; the old card
	// still verifies, and the same link shows the new letter.
	member = as(memberSession)
	do(t, member, chromedp.Navigate(base+letterPath+"/renew?lang=es"), chromedp.WaitVisible(`form[action$="/renew"]`),
		chromedp.Click(`form[action$="/renew"] button`), chromedp.WaitVisible("#renewed"))
	renewedPath := eval[string](t, member, `location.pathname`)
	if renewedPath == letterPath || !strings.Contains(text(t, member), "tarjeta") {
		t.Fatalf("after renewing: %s\n%s", renewedPath, text(t, member))
	}
	next, err := w.db.FindLetterByID(system, strings.TrimPrefix(renewedPath, "/letters/"))
	if err != nil {
		t.Fatal(err)
	}
	verify(qrs[0], "valid")
	verify(next.QR, "valid")
	do(t, phone, chromedp.Navigate(phonePage), chromedp.WaitVisible("img.qr"))
	if got := browserQR(t, phone); got != next.QR {
		t.Fatal("after renewal the client's link does not show the new letter")
	}

	// 11. Revoked, with a reason: the verify page and the phone page say so.
	member = as(memberSession)
	do(t, member, chromedp.Navigate(base+renewedPath+"?lang=es"), chromedp.WaitVisible("#reason"),
		chromedp.SendKeys("#reason", "Terminó la representación"), chromedp.Submit("#reason"),
		// Revoking is confirmed on its own page (issue 12).
		chromedp.WaitVisible("#confirm-button"), chromedp.Click("#confirm-button"))
	if h1 := waitFor(member, `(document.querySelector('h1') || {}).textContent || ''`, "Revocada"); !strings.Contains(h1, "Revocada") {
		t.Fatalf("after revoking, the letter page says %q", h1)
	}
	if !strings.Contains(text(t, member), "se revocó junto con esta carta") {
		t.Fatalf("the letter page does not say the earlier card was revoked with it:\n%s", text(t, member))
	}
	verify(next.QR, "revoked")
	// The older card the client may still carry stops working with it.
	verify(qrs[0], "revoked")
	do(t, phone, chromedp.Navigate(phonePage), chromedp.WaitReady("body"))
	if page := waitFor(phone, `document.body.innerText`, "revocada"); !strings.Contains(strings.ToLower(page), "revocada") {
		t.Fatalf("after revoking, the phone page:\n%s", page)
	}

	// Nothing personal reached the log.
	for _, canary := range []string{name, "213-555-0166", ref, token, pin} {
		if strings.Contains(w.log.String(), canary) {
			t.Errorf("the log holds %q", canary)
		}
	}
}

// confirmed waits for the intake's confirmation page (whose code has the
// id the form's code field has).
func confirmed(t *testing.T, ctx context.Context) {
	t.Helper()
	if path := waitFor(ctx, `location.pathname`, "/done"); !strings.HasSuffix(path, "/done") {
		t.Fatalf("the intake led to %s:\n%s", path, text(t, ctx))
	}
	do(t, ctx, chromedp.WaitVisible("#reference"))
}

func text(t *testing.T, ctx context.Context) string {
	return eval[string](t, ctx, `document.body.innerText`)
}

// switchableServer serves a handler on one address that a test can take
// down and bring back, as a phone loses and finds the network.
type switchableServer struct {
	t   *testing.T
	h   http.Handler
	url string
	srv *http.Server
}

func newSwitchableServer(t *testing.T, h http.Handler) *switchableServer {
	s := &switchableServer{t: t, h: h}
	s.listen("127.0.0.1:0")
	t.Cleanup(func() { s.srv.Close() })
	return s
}

func (s *switchableServer) listen(addr string) {
	s.t.Helper()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		s.t.Fatal(err)
	}
	s.url = "http://" + ln.Addr().String()
	s.srv = &http.Server{Handler: s.h}
	go s.srv.Serve(ln)
}

func (s *switchableServer) down() { s.srv.Close() }

func (s *switchableServer) up() { s.listen(strings.TrimPrefix(s.url, "http://")) }

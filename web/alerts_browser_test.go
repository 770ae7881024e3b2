package web_test

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/internal/browsertest"
	"github.com/amparo-project/amparo/internal/storetest"
	"github.com/amparo-project/amparo/locale"
	"github.com/amparo-project/amparo/notify"
	"github.com/amparo-project/amparo/sqldb"
	"github.com/amparo-project/amparo/web"
)

// TestBrowser_AlertButtonAndAcknowledgement: on the phone page, the
// client presses "Me están deteniendo" and double-taps the confirmation:
// one alert. A hotline worker acknowledges it from the alerts page with
// a note, and its timeline shows the acknowledgement. No name or number
// reaches the log.
func TestBrowser_AlertButtonAndAcknowledgement(t *testing.T) {
	t.Parallel()
	w := newAccountWorld(t)
	m := w.withKeys(t)
	base, _ := w.messagesAlerts(t)
	c := &amparo.Client{Personal: amparo.Personal{LegalName: "Zacarías Quiñónez Ejemplo", Language: "es", Phone: "+15555550301"}}
	_, link := w.clientWithPlan(t, m, c, &amparo.ResponsePlan{Messages: map[string]string{"es": "Llamen a mi hermana."},
		Responders: []amparo.Responder{
			{Kind: amparo.ResponderAttorney, Name: "Lic. Tomás Ficticio", Phone: "+15555550302", Language: "es", Channels: []amparo.Channel{amparo.ChannelSMS, amparo.ChannelVoice}},
			{Kind: amparo.ResponderHotline, Name: "Línea Ejemplo", Phone: "+15555550303", Language: "es", Channels: []amparo.Channel{amparo.ChannelSMS}},
		}})

	ctx := browsertest.Start(t, nil, chromedp.EmulateViewport(375, 812))
	do(t, ctx, chromedp.Navigate(base+"/p/"+link.Token), chromedp.WaitVisible("#pin"),
		chromedp.SendKeys("#pin", link.PIN), chromedp.Submit("#pin"), chromedp.WaitVisible("#alert-button"))
	if got := eval[string](t, ctx, `document.getElementById('alert-button').textContent`); got != "Me están deteniendo" {
		t.Errorf("the button says %q", got)
	}
	if sms := eval[string](t, ctx, `document.getElementById('alert-sms').getAttribute('href')`); sms != "sms:+15555550303?body=DETENIDO" {
		t.Errorf("sms fallback %q", sms)
	}
	do(t, ctx, chromedp.Click("#alert-button"), chromedp.WaitVisible("#alert-confirm"))
	// A double tap: the form is sent twice with its one key.
	do(t, ctx, chromedp.Evaluate[chromedp.Void](`(() => { const f = document.getElementById('alert-form');
		const b = document.getElementById('alert-confirm'); b.click(); f.requestSubmit(b); })()`))
	if got := waitFor(ctx, `(document.getElementById('alert-sent') || {}).textContent || ''`, "Su alerta se envió"); got != "Su alerta se envió" {
		t.Fatalf("after confirming: %q", got)
	}
	as, err := w.db.FindAlerts(system, amparo.AlertFilter{})
	if err != nil || len(as) != 1 || as[0].Source != amparo.AlertFromPhonePage || as[0].Status != amparo.AlertOpen {
		t.Fatalf("%v %+v", err, as)
	}

	// The hotline worker.
	do(t, ctx, setCookie(base, "__Host-session", w.signedInAs(t, amparo.RoleIntake, w.org.ID).session()),
		chromedp.Navigate(base+"/alerts?lang=en"), chromedp.WaitVisible("#alert-"+as[0].ID))
	do(t, ctx, chromedp.SendKeys("#note-"+as[0].ID, "on my way"), chromedp.Click("#alert-"+as[0].ID+" button.ack"))
	timeline := waitFor(ctx, `(document.querySelector('#alert-`+as[0].ID+` .timeline') || {}).textContent || ''`, "acknowledged")
	if !strings.Contains(timeline, "acknowledged") {
		t.Fatalf("timeline: %q", timeline)
	}
	if h := eval[string](t, ctx, `document.querySelector('#alert-`+as[0].ID+` h2').textContent`); !strings.HasPrefix(h, "Acknowledged") {
		t.Errorf("heading %q", h)
	}
	a, err := w.db.FindAlertByID(system, as[0].ID)
	if err != nil || a.Status != amparo.AlertAcknowledged || a.AckChannel != "web" || a.Note != "on my way" {
		t.Errorf("%v %+v", err, a)
	}
	for _, canary := range []string{"Zacarías", "Quiñónez", "5555550", "Tomás", link.Token} {
		if strings.Contains(w.log.String(), canary) {
			t.Errorf("the log holds %q", canary)
		}
	}
}

// TestBrowser_AlertsPageKeepsCurrent: on the alerts page (375 px, in
// Spanish, axe clean) a hotline worker filling the first alert's note is
// never disturbed — a second alert raised meanwhile waits — and once the
// field is left as it was, the second alert appears without a reload,
// marked and announced to screen readers; the refresh link is there for
// a page without JavaScript.
func TestBrowser_AlertsPageKeepsCurrent(t *testing.T) {
	t.Parallel()
	const poll = time.Second
	w := newAccountWorld(t, func(s *web.Services, _ *sqldb.DB) { s.Deployment.AlertsPoll = poll })
	base, _ := w.messagesAlerts(t)
	var clients []string
	for i, name := range []string{"Primera Ficticia Ejemplo", "Segundo Ficticio Ejemplo"} {
		c := &amparo.Client{OrganizationID: w.org.ID, Personal: amparo.Personal{LegalName: name, Language: "es"}}
		if err := w.db.CreateClient(system, c); err != nil {
			t.Fatal(err)
		}
		plan := &amparo.ResponsePlan{ClientID: c.ID, Responders: []amparo.Responder{{Kind: amparo.ResponderHotline, Name: "Línea Ejemplo",
			Phone: "+1555555040" + string(rune('1'+i)), Language: "es", Channels: []amparo.Channel{amparo.ChannelSMS}}}}
		if err := w.db.SetResponsePlan(system, plan); err != nil {
			t.Fatal(err)
		}
		clients = append(clients, c.ID)
	}
	first, _, err := w.db.RaiseAlert(system, amparo.RaiseAlertRequest{Key: "first", Source: amparo.AlertFromHotline, ClientID: clients[0]})
	if err != nil {
		t.Fatal(err)
	}
	ctx := browsertest.Start(t, nil, chromedp.EmulateViewport(375, 812))
	do(t, ctx, setCookie(base, "__Host-session", w.signedInAs(t, amparo.RoleIntake, w.org.ID).session()),
		chromedp.Navigate(base+"/alerts?lang=es"), chromedp.WaitVisible("#alert-"+first.ID))
	waitFor(ctx, `document.readyState`, "complete")
	if got := eval[string](t, ctx, `document.getElementById('alerts-refresh').textContent`); got != "Actualizar la lista" {
		t.Errorf("the refresh link says %q", got)
	}
	checkAxe(t, ctx, "alerts page")
	// A note being written: the page does not change under it.
	do(t, ctx, chromedp.SendKeys("#note-"+first.ID, "voy en camino"))
	second, _, err := w.db.RaiseAlert(system, amparo.RaiseAlertRequest{Key: "second", Source: amparo.AlertFromHotline, ClientID: clients[1]})
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(3 * poll) // three reads of the page
	if n := eval[int](t, ctx, `document.querySelectorAll('#alert-`+second.ID+`').length`); n != 0 {
		t.Fatal("the list changed while a note was being written")
	}
	if v := eval[string](t, ctx, `document.getElementById('note-`+first.ID+`').value`); v != "voy en camino" {
		t.Fatalf("the note being written became %q", v)
	}
	// The worker clears the field and leaves it: the new alert comes in.
	do(t, ctx, chromedp.Evaluate[chromedp.Void](`(() => { const f = document.getElementById('note-`+first.ID+`'); f.value = ''; f.blur(); })()`))
	got := waitFor(ctx, `(document.querySelector('#alert-`+second.ID+`.alert-new mark') || {}).textContent || ''`, "Nueva")
	if got != "Nueva" {
		t.Fatalf("the second alert did not appear marked: %q; list %q; script %v; busy fields %q", got,
			eval[string](t, ctx, `document.getElementById('alert-list').textContent.slice(0, 300)`),
			eval[bool](t, ctx, `!!document.querySelector('script[src="/static/alerts.js"]')`),
			eval[string](t, ctx, `Array.from(document.querySelectorAll('#alert-list input, #alert-list textarea, #alert-list select')).filter(f => f === document.activeElement || (f.tagName !== 'SELECT' && f.value !== f.defaultValue)).map(f => f.id).join(',') + ' hidden=' + document.hidden`))
	}
	if live := eval[string](t, ctx, `document.getElementById('alerts-live').textContent`); live != "Una alerta nueva." {
		t.Errorf("the announcement: %q", live)
	}
	// Unacknowledged first, newest first: the second alert leads.
	if id := eval[string](t, ctx, `document.querySelector('#alert-list section.alert').id`); id != "alert-"+second.ID {
		t.Errorf("the first alert in the list is %s", id)
	}
	checkAxe(t, ctx, "alerts page with a new alert")
}

// messagesAlerts makes the world's store message alerts with links to the
// test server as the browser reaches it (localhost, a secure context),
// and returns that address and the catalog.
func (w *accountWorld) messagesAlerts(t *testing.T) (string, *locale.Catalog) {
	t.Helper()
	cat, err := locale.Load()
	if err != nil {
		t.Fatal(err)
	}
	base := strings.Replace(w.ts.URL, "127.0.0.1", "localhost", 1)
	u, _ := url.Parse(base)
	w.db.AlertMessage = notify.AlertMessage(cat, u)
	return base, cat
}

// clientWithPlan creates c with a letter m issued and the plan's
// responders, and returns the letter's phone link.
func (w *accountWorld) clientWithPlan(t *testing.T, m *amparo.Member, c *amparo.Client, plan *amparo.ResponsePlan) (*amparo.Letter, *amparo.PhoneLink) {
	t.Helper()
	c.OrganizationID = w.org.ID
	if err := w.db.CreateClient(system, c); err != nil {
		t.Fatal(err)
	}
	l := &amparo.Letter{ClientID: c.ID, MemberID: m.ID, OrganizationID: w.org.ID}
	if err := w.db.CreateLetter(system, l); err != nil {
		t.Fatal(err)
	}
	if _, err := w.db.IssueLetter(storetest.SignerFor(t, w.db, m), l.ID); err != nil {
		t.Fatal(err)
	}
	link, err := w.db.FindPhoneLink(system, l.ID)
	if err != nil {
		t.Fatal(err)
	}
	plan.ClientID = c.ID
	if err := w.db.SetResponsePlan(system, plan); err != nil {
		t.Fatal(err)
	}
	return l, link
}

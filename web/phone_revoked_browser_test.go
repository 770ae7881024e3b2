package web_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/internal/browsertest"
	"github.com/amparo-project/amparo/internal/testenv"
)

// TestBrowser_RevokedLetterStillRaisesAlert: a letter revoked after the
// client saved its phone link still lets them raise an alert from the
// phone page (at 375 px, in Spanish): the page says the letter is
// revoked, the button works, one alert is made; the hotline is told and
// the attorney, who no longer represents them, is withheld, as the
// alert's timeline on the staff page shows in both languages.
func TestBrowser_RevokedLetterStillRaisesAlert(t *testing.T) {
	t.Parallel()
	w := newAccountWorld(t)
	m := w.withKeys(t)
	base, cat := w.messagesAlerts(t)
	c := &amparo.Client{Personal: amparo.Personal{LegalName: "Eulalia Ficticia Revocada", Language: "es", Phone: "+15555550401"}}
	l, link := w.clientWithPlan(t, m, c, &amparo.ResponsePlan{Messages: map[string]string{"es": "Llamen a mi hermano."},
		Responders: []amparo.Responder{
			{Kind: amparo.ResponderAttorney, Name: "Lic. Ramiro Inventado", Phone: "+15555550402", Language: "es", Channels: []amparo.Channel{amparo.ChannelSMS, amparo.ChannelVoice}},
			{Kind: amparo.ResponderHotline, Name: "Línea Ejemplo", Phone: "+15555550403", Language: "es", Channels: []amparo.Channel{amparo.ChannelSMS}},
		}})
	if _, err := w.db.RevokeLetter(system, l.ID, "Terminó la representación"); err != nil {
		t.Fatal(err)
	}

	ctx := browsertest.Start(t, nil, chromedp.EmulateViewport(375, 812))
	do(t, ctx, chromedp.Navigate(base+"/p/"+link.Token), chromedp.WaitVisible("#pin"),
		chromedp.SendKeys("#pin", link.PIN), chromedp.Submit("#pin"), chromedp.WaitVisible("#alert-button"))
	waitFor(ctx, `document.readyState`, "complete")
	if got := eval[string](t, ctx, `document.querySelector('h1.not-valid').textContent`); got != cat.T("es", "phone.status.revoked") {
		t.Errorf("the revoked letter's page says %q", got)
	}
	do(t, ctx, chromedp.Click("#alert-button"), chromedp.WaitVisible("#alert-confirm"), chromedp.Click("#alert-confirm"))
	if got := waitFor(ctx, `(document.getElementById('alert-sent') || {}).textContent || ''`, "Su alerta se envió"); got != "Su alerta se envió" {
		t.Fatalf("after confirming: %q", got)
	}
	as, err := w.db.FindAlerts(system, amparo.AlertFilter{})
	if err != nil || len(as) != 1 || as[0].Source != amparo.AlertFromPhonePage || as[0].Status != amparo.AlertOpen {
		t.Fatalf("%v %+v", err, as)
	}
	a, err := w.db.FindAlertByID(system, as[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	var withheld, hotline int
	for _, e := range a.Events {
		switch {
		case e.Kind == amparo.AlertWithheld && e.Responder == 0:
			withheld++
		case e.Kind == amparo.AlertMessaged && e.Responder == 0:
			t.Error("the attorney of a revoked letter was messaged")
		case e.Kind == amparo.AlertMessaged && e.Responder == 1:
			hotline++
		}
	}
	if withheld != 1 || hotline != 1 {
		t.Fatalf("the attorney withheld %d times, the hotline messaged %d times", withheld, hotline)
	}

	// The staff page's timeline shows the attorney withheld.
	do(t, ctx, setCookie(base, "__Host-session", w.signedInAs(t, amparo.RoleIntake, w.org.ID).session()))
	for _, lang := range testenv.Pick(t, []string{"en", "es"}) {
		do(t, ctx, chromedp.Navigate(base+"/alerts?lang="+lang), chromedp.WaitVisible("#alert-"+as[0].ID))
		waitFor(ctx, `document.readyState`, "complete")
		want := cat.T(lang, "alerts.event.withheld") + " · " + cat.T(lang, "alerts.responder", 0)
		timeline := waitFor(ctx, `(document.querySelector('#alert-`+as[0].ID+` .timeline') || {}).textContent || ''`, want)
		if !strings.Contains(timeline, want) {
			t.Errorf("%s: the timeline does not show the attorney withheld (%q):\n%s", lang, want, timeline)
		}
	}
	for _, canary := range []string{"Eulalia", "Revocada", "5555550", "Ramiro", link.Token} {
		if strings.Contains(w.log.String(), canary) {
			t.Errorf("the log holds %q", canary)
		}
	}
}

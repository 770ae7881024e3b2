package web_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/internal/browsertest"
	"github.com/amparo-project/amparo/internal/testenv"
)

// workerOffline cuts (or restores) the network of the service workers of
// the site at base, as offline does for a page: a worker's own fetches
// (Background Sync's) go through its own target. It keeps the workers'
// sessions open until the test ends, since the emulation ends with them.
func workerOffline(t *testing.T, ctx context.Context, base string, off bool, attached map[string]context.Context) {
	t.Helper()
	var targets int
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		infos, err := chromedp.Targets(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, ti := range infos {
			if ti.Type != "service_worker" || !strings.HasPrefix(ti.URL, base) {
				continue
			}
			targets++
			wctx, ok := attached[string(ti.TargetID)]
			if !ok {
				var cancel context.CancelFunc
				wctx, cancel = chromedp.NewContext(ctx, chromedp.WithTargetID(ti.TargetID), chromedp.WithDetachOnCancel())
				t.Cleanup(cancel)
				// The first run binds the session's life to its context:
				// this one, not do's deadline.
				if err := chromedp.Do(wctx); err != nil {
					t.Fatalf("attaching to the service worker: %v", err)
				}
				attached[string(ti.TargetID)] = wctx
			}
			do(t, wctx, offline(off))
		}
		if targets > 0 {
			return
		}
	}
	t.Fatalf("no service worker of %s to take offline", base)
}

// TestBrowser_PhoneAlertOffline: on a 375-pixel phone, the client opens
// the phone page, loses the connection (the page and its worker), presses
// "I am being stopped" and confirms (a double tap), then presses and
// confirms again: the page says the alert waits for a connection and
// offers the text message to the hotline, and the server has no alert.
// Back online, the page sends it and says so: exactly one alert. In
// English and in Spanish, the client's language.
func TestBrowser_PhoneAlertOffline(t *testing.T) {
	t.Parallel()
	w := newAccountWorld(t)
	m := w.withKeys(t)
	base, _ := w.messagesAlerts(t)
	for _, tc := range testenv.Pick(t, []struct{ lang, name, button, waiting, sent string }{
		{"es", "Zacarías Quiñónez Ejemplo", "Me están deteniendo", "Su alerta está esperando conexión", "Su alerta se envió"},
		{"en", "Ximena Ficticia Prueba", "I am being stopped", "Your alert is waiting for a connection", "Your alert was sent"},
	}) {
		t.Run(tc.lang, func(t *testing.T) {
			c := &amparo.Client{Personal: amparo.Personal{LegalName: tc.name, Language: tc.lang}}
			_, link := w.clientWithPlan(t, m, c, &amparo.ResponsePlan{Responders: []amparo.Responder{
				{Kind: amparo.ResponderAttorney, Name: "Lic. Tomás Ficticio", Phone: "+15555550302", Language: tc.lang, Channels: []amparo.Channel{amparo.ChannelSMS}},
				{Kind: amparo.ResponderHotline, Name: "Línea Ejemplo", Phone: "+15555550303", Language: tc.lang, Channels: []amparo.Channel{amparo.ChannelSMS}},
			}})
			alerts := func() int {
				t.Helper()
				as, err := w.db.FindAlerts(system, amparo.AlertFilter{})
				if err != nil {
					t.Fatal(err)
				}
				n := 0
				for _, a := range as {
					if a.ClientID == c.ID {
						n++
					}
				}
				return n
			}

			ctx := browsertest.Start(t, nil, chromedp.EmulateViewport(375, 812))
			do(t, ctx, chromedp.Navigate(base+"/p/"+link.Token), chromedp.WaitVisible("#pin"),
				chromedp.SendKeys("#pin", link.PIN), chromedp.Submit("#pin"), chromedp.WaitVisible("#alert-button"))
			waitKept(t, ctx, true)
			if got := eval[string](t, ctx, `document.getElementById('alert-button').textContent`); got != tc.button {
				t.Errorf("the button says %q", got)
			}

			// No connection, for the page and for its worker.
			workers := map[string]context.Context{}
			do(t, ctx, offline(true))
			workerOffline(t, ctx, base, true, workers)
			press := func() {
				t.Helper()
				do(t, ctx, chromedp.Click("#alert-button"), chromedp.WaitVisible("#alert-confirm"))
				// A double tap on the confirmation.
				do(t, ctx, chromedp.Evaluate[chromedp.Void](`(() => { const f = document.getElementById('alert-form');
					const b = document.getElementById('alert-confirm'); b.click(); f.requestSubmit(b); })()`))
				if got := waitFor(ctx, `(document.getElementById('alert-waiting') || {}).textContent || ''`, tc.waiting); !strings.HasPrefix(got, tc.waiting) {
					t.Fatalf("offline, after confirming: %q; the page:\n%s", got, text(t, ctx))
				}
			}
			press()
			if sms := eval[string](t, ctx, `document.getElementById('alert-sms-now').getAttribute('href')`); sms != "sms:+15555550303?body=DETENIDO" {
				t.Errorf("the text message offered at once: %q", sms)
			}
			checkPhonePage(t, ctx, "the phone page with an alert waiting ("+tc.lang+")")
			key := eval[string](t, ctx, `amparoAlerts.get(document.getElementById('phone').dataset.token).then(e => e.key)`)
			press() // pressed again while it waits: the same alert
			if again := eval[string](t, ctx, `amparoAlerts.get(document.getElementById('phone').dataset.token).then(e => e.key)`); again != key {
				t.Errorf("a second press offline made a new key")
			}
			time.Sleep(time.Second) // the page and its worker have tried by now
			if n := alerts(); n != 0 {
				t.Fatalf("offline, the server has %d alerts", n)
			}

			// Online again: sent, once.
			workerOffline(t, ctx, base, false, workers)
			do(t, ctx, offline(false))
			if got := waitFor(ctx, `(document.getElementById('alert-sent') || {}).textContent || ''`, tc.sent); got != tc.sent {
				t.Logf("the kept alert, sent once more by hand: %s", eval[string](t, ctx, `(async () => { const e = await amparoAlerts.get(document.getElementById('phone').dataset.token); let r; try { r = JSON.stringify(await amparoAlerts.send(e)); } catch (x) { r = 'err ' + x; } return navigator.onLine + ' ' + JSON.stringify(e) + ' ' + r; })()`))
				t.Fatalf("back online: %q; the page:\n%s", got, text(t, ctx))
			}
			if n := alerts(); n != 1 {
				t.Fatalf("back online, the server has %d alerts, want 1", n)
			}
			// Sent again (a retry whose answer was lost): still one.
			if state := eval[string](t, ctx, `amparoAlerts.get(document.getElementById('phone').dataset.token).then(e => { e.state = 'waiting'; return amparoAlerts.put(e).then(() => amparoAlerts.send(e)); }).then(e => e.state)`); state != "sent" {
				t.Errorf("the retried alert: %q", state)
			}
			if n := alerts(); n != 1 {
				t.Fatalf("after a retry, the server has %d alerts, want 1", n)
			}
			checkPhonePage(t, ctx, "the phone page with the alert sent ("+tc.lang+")")
		})
	}
}

package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/internal/fakegateway"
	"github.com/amparo-project/amparo/internal/storetest"
	"github.com/amparo-project/amparo/locale"
	"github.com/amparo-project/amparo/notify"
)

const (
	alertAttorney = "+15555550201"
	alertHotline  = "+15555550202"
	alertContact  = "+15555550203"
	alertClient   = "+15555550204"
)

// alertRig is a hookRig whose webhooks take the alerts' replies and whose
// runner also escalates alerts, with a client and the client's plan.
// Whatever a test did, no name or number is in the log.
type alertRig struct {
	*hookRig
	client string
}

func newAlertRig(t testing.TB, opts fakegateway.Options) *alertRig {
	rig := &alertRig{hookRig: startHookRig(t, opts, true, "5555550", "Ficticia", "Ficticio", "Llame a mi", "Call my")}
	db := rig.db
	if _, err := db.CreateRootKey(storetest.System); err != nil {
		t.Fatal(err)
	}
	org := storetest.MustCreateOrganization(t, db, "Rapid Response Legal Aid")
	c := storetest.MustCreateClient(t, storetest.System, db, &amparo.Client{OrganizationID: org.ID,
		Personal: amparo.Personal{LegalName: "Cliente Ficticia Prueba", Language: "es", Phone: alertClient}})
	rig.client = c.ID
	plan := &amparo.ResponsePlan{ClientID: c.ID, Messages: map[string]string{"es": "Llame a mi hermana.", "en": "Call my sister."},
		Responders: []amparo.Responder{
			{Kind: amparo.ResponderAttorney, Name: "Abogada Ficticia", Phone: alertAttorney, Language: "en", Channels: []amparo.Channel{amparo.ChannelSMS, amparo.ChannelVoice}},
			{Kind: amparo.ResponderHotline, Name: "Hotline Ficticia", Phone: alertHotline, Language: "es", Channels: []amparo.Channel{amparo.ChannelSMS, amparo.ChannelVoice}},
			{Kind: amparo.ResponderContact, Name: "Hermana Ficticia", Phone: alertContact, Language: "es", Relation: "hermana", Consent: true,
				Channels: []amparo.Channel{amparo.ChannelSMS}},
		}}
	if err := db.SetResponsePlan(storetest.System, plan); err != nil {
		t.Fatal(err)
	}
	return rig
}

// run runs the jobs due now until none is, then waits for the gateway's
// callbacks.
func (rig *alertRig) run(t testing.TB) {
	t.Helper()
	for range 20 {
		n, err := rig.runner.Tick(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			rig.gw.Wait()
			return
		}
	}
	t.Fatal("jobs still due")
}

func calls(recs []fakegateway.Record) (sms, voice map[string]int) {
	sms, voice = map[string]int{}, map[string]int{}
	for _, r := range recs {
		if r.Kind == "call" {
			voice[r.To]++
		} else {
			sms[r.To]++
		}
	}
	return sms, voice
}

// An alert reaches every responder by SMS; after the plan's wait with no
// answer the attorney is called; the hotline's "1" acknowledges, and the
// next step calls no one. The timeline shows each delivery's status.
func TestAlerts_FanOutEscalationAndAcknowledgement(t *testing.T) {
	t.Parallel()
	rig := newAlertRig(t, fakegateway.Options{})
	a, _, err := rig.db.RaiseAlert(storetest.System, amparo.RaiseAlertRequest{Key: "k1", Source: amparo.AlertFromHotline, ClientID: rig.client})
	if err != nil {
		t.Fatal(err)
	}
	rig.run(t)
	sms, voice := calls(rig.gw.Records())
	if len(sms) != 3 || sms[alertAttorney] != 1 || sms[alertHotline] != 1 || sms[alertContact] != 1 || len(voice) != 0 {
		t.Fatalf("after the fan-out: sms %v voice %v", sms, voice)
	}
	for _, r := range rig.gw.Records() {
		if !strings.Contains(r.Body, "Cliente Ficticia Prueba") || !strings.Contains(r.Body, rig.ts.URL+"/a/") {
			t.Errorf("message %q", r.Body)
		}
	}
	// Not yet the wait: no call.
	rig.now = rig.now.Add(time.Minute)
	rig.run(t)
	if _, voice := calls(rig.gw.Records()); len(voice) != 0 {
		t.Fatalf("called before the wait: %v", voice)
	}
	rig.now = rig.now.Add(time.Minute + time.Second)
	rig.run(t)
	_, voice = calls(rig.gw.Records())
	if len(voice) != 1 || voice[alertAttorney] != 1 {
		t.Fatalf("after the wait: calls %v, want the attorney's", voice)
	}
	// The hotline's language is Spanish: the thanks are in Spanish.
	if r := rig.reply(t, alertHotline, " 1 "); !strings.Contains(r, "gracias") {
		t.Errorf("acknowledgement reply: %s", r)
	}
	rig.now = rig.now.Add(10 * time.Minute)
	rig.run(t)
	if _, voice := calls(rig.gw.Records()); len(voice) != 1 {
		t.Errorf("calls after the acknowledgement: %v", voice)
	}
	got, err := rig.db.FindAlertByID(storetest.System, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != amparo.AlertAcknowledged || got.AckBy != "hotline:1" || got.AckChannel != amparo.ChannelSMS || got.FirstSentAt.IsZero() {
		t.Errorf("%+v", got)
	}
	for _, e := range got.Events {
		if e.Kind == amparo.AlertMessaged && e.Status != amparo.MessageDelivered {
			t.Errorf("timeline: %s message to %d is %s", e.Channel, e.Responder, e.Status)
		}
	}
}

// The keyword from the client's number raises one alert, confirmed by a
// reply; again within minutes, the same alert; from another number,
// nothing; a STOP-family word is never an alert keyword.
func TestAlerts_SMSKeyword(t *testing.T) {
	t.Parallel()
	rig := newAlertRig(t, fakegateway.Options{})
	if r := rig.reply(t, alertClient, "detenido"); !strings.Contains(r, "recibimos su alerta") {
		t.Errorf("keyword reply: %s", r)
	}
	rig.reply(t, alertClient, "DETENIDO!")
	if r := rig.reply(t, "+15555550299", "DETENIDO"); r != "<Response></Response>" {
		t.Errorf("from a number with no plan: %s", r)
	}
	as, err := rig.db.FindAlerts(storetest.System, amparo.AlertFilter{})
	if err != nil || len(as) != 1 || as[0].Source != amparo.AlertFromSMS {
		t.Fatalf("%v %+v", err, as)
	}
	for _, bad := range [][]string{{"STOP"}, {"baja"}, {"AYUDA"}, {"OK"}, {"two words"}} {
		if _, err := notify.AlertKeywords(bad); err == nil {
			t.Errorf("keyword %q accepted", bad)
		}
	}
	if kw, err := notify.AlertKeywords([]string{" auxilio "}); err != nil || kw[0] != "AUXILIO" {
		t.Errorf("%v %v", kw, err)
	}
}

// Replies through the webhook are in the language of the number: the
// alert's confirmation in the client's, an acknowledgement's thanks and
// HELP or AYUDA in the responder's as their plan gives it, whatever the
// word's language; for a number no plan names, in the word's.
func TestAlerts_RepliesInTheirLanguage(t *testing.T) {
	t.Parallel()
	rig := newAlertRig(t, fakegateway.Options{})
	// The client (Spanish) writes the English keyword.
	if r := rig.reply(t, alertClient, "HELPME"); !strings.Contains(r, "recibimos su alerta") {
		t.Errorf("the alert's confirmation to a Spanish-speaking client: %s", r)
	}
	rig.run(t)
	for _, c := range []struct{ from, body, want string }{
		{alertAttorney, "SÍ", "thank you"},      // the attorney reads English
		{alertHotline, "OK", "gracias"},         // the hotline, Spanish
		{alertHotline, "HELP", "Responda BAJA"}, // HELP from a Spanish-speaking responder
		{alertAttorney, "AYUDA", "Reply STOP"},  // AYUDA from an English-speaking one
		{alertClient, "help", "Responda BAJA"},  // the client, by their own language
		{"+15555550298", "AYUDA", "Responda BAJA"},
		{"+15555550298", "HELP", "Reply STOP"},
	} {
		if r := rig.reply(t, c.from, c.body); !strings.Contains(r, c.want) {
			t.Errorf("%s from %s: %s, want %q", c.body, c.from[len(c.from)-3:], r, c.want)
		}
	}
}

// The plan form: a plan with no responder, or a number not in E.164, is
// refused with the field named and nothing stored; a good one is saved
// and shown again; another organization's staff do not see it.
func TestAlerts_PlanForm(t *testing.T) {
	t.Parallel()
	w := newAccountWorld(t)
	c := &amparo.Client{OrganizationID: w.org.ID, Personal: amparo.Personal{LegalName: "Zacarías Quiñónez Ejemplo", Language: "es"}}
	if err := w.db.CreateClient(system, c); err != nil {
		t.Fatal(err)
	}
	b := w.signedInAs(t, amparo.RoleIntake, w.org.ID)
	if res, body := b.get("/clients/" + c.ID + "/plan?lang=en"); res.StatusCode != http.StatusOK || !strings.Contains(body, "Response plan") {
		t.Fatalf("%d %s", res.StatusCode, body)
	}
	res, body := b.post("/clients/"+c.ID+"/plan?lang=en", url.Values{"kind0": {"attorney"}, "language0": {"en"}})
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "Name at least one responder") {
		t.Errorf("no responder: %d", res.StatusCode)
	}
	res, body = b.post("/clients/"+c.ID+"/plan?lang=en", url.Values{"kind0": {"attorney"}, "name0": {"Abogada Ficticia"}, "phone0": {"213-555-0100"},
		"language0": {"en"}, "channel0.sms": {"1"}})
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "international form") || !strings.Contains(body, "213-555-0100") {
		t.Errorf("a number not in E.164: %d", res.StatusCode)
	}
	if p, err := w.db.FindResponsePlan(system, c.ID); err != nil || len(p.Responders) != 0 {
		t.Fatalf("a refused plan was stored: %v %+v", err, p)
	}
	res, _ = b.post("/clients/"+c.ID+"/plan?lang=en", url.Values{"kind0": {"attorney"}, "name0": {"Abogada Ficticia"}, "phone0": {"+15555550100"},
		"language0": {"en"}, "channel0.sms": {"1"}, "channel0.voice": {"1"}, "kind1": {"contact"}, "name1": {"Hermana Ficticia"},
		"phone1": {"+15555550101"}, "language1": {"es"}, "consent1": {"1"}, "channel1.sms": {"1"}, "message.es": {"Llamen a mi hermana."}, "minutes": {"3"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("a good plan: %d", res.StatusCode)
	}
	p, err := w.db.FindResponsePlan(system, c.ID)
	if err != nil || len(p.Responders) != 2 || !p.Responders[0].Has(amparo.ChannelVoice) || !p.Responders[1].Consent || p.Timeout != 3*time.Minute ||
		p.Messages["es"] != "Llamen a mi hermana." {
		t.Fatalf("%v %+v", err, p)
	}
	other := &amparo.Organization{Name: "Otra Organización Ejemplo", Kind: amparo.OrgNonprofit, Languages: []string{"en"}}
	if err := w.db.CreateOrganization(system, other); err != nil {
		t.Fatal(err)
	}
	if res, _ := w.signedInAs(t, amparo.RoleIntake, other.ID).get("/clients/" + c.ID + "/plan"); res.StatusCode != http.StatusNotFound {
		t.Errorf("another organization's staff: %d", res.StatusCode)
	}
}

// The phone page's alert, bad input: without the PIN's cookie, nothing;
// with no plan, a clear answer and the sms: fallback is absent; the same
// key sent many times is one alert; a flood of new keys is refused after
// the hour's budget, never the first; a revoked link raises nothing.
func TestAlerts_PhonePageBadInput(t *testing.T) {
	t.Parallel()
	w := newPhoneWorld(t)
	cat, _ := locale.Load()
	w.db.AlertMessage = notify.AlertMessage(cat, &url.URL{Path: "/"})
	c := from("127.0.0.1")
	post := func(key string) (int, string) {
		t.Helper()
		res, err := c.PostForm(w.url()+"/alert", url.Values{"key": {key}})
		if err != nil {
			t.Fatal(err)
		}
		return res.StatusCode, readAll(res)
	}
	if code, _ := post("k0"); code != http.StatusForbidden {
		t.Errorf("without the PIN: %d", code)
	}
	if code, _ := w.pin(t, c, w.link.PIN); code != http.StatusOK {
		t.Fatalf("PIN: %d", code)
	}
	if code, body := post("k0"); code != http.StatusNotFound || !strings.Contains(body, "llame a su abogado/a") {
		t.Errorf("no plan: %d", code)
	}
	plan := &amparo.ResponsePlan{ClientID: w.letter.ClientID, Responders: []amparo.Responder{
		{Kind: amparo.ResponderHotline, Name: "Línea Ejemplo", Phone: "+15555550401", Language: "es", Channels: []amparo.Channel{amparo.ChannelSMS}}}}
	if err := w.db.SetResponsePlan(system, plan); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if code, body := post("k1"); code != http.StatusOK || !strings.Contains(body, "Su alerta se envió") {
			t.Fatalf("k1: %d", code)
		}
	}
	as, _ := w.db.FindAlerts(system, amparo.AlertFilter{})
	if len(as) != 1 {
		t.Fatalf("%d alerts from one key", len(as))
	}
	// Each resolved, the next press is a new alert, up to the budget.
	for i := 2; ; i++ {
		as, _ := w.db.FindAlerts(system, amparo.AlertFilter{Status: amparo.AlertOpen})
		for _, a := range as {
			if err := w.db.ResolveAlert(system, a.ID, "false_alarm", "", amparo.Checklist{}); err != nil {
				t.Fatal(err)
			}
		}
		code, body := post("k" + string(rune('0'+i)))
		if i <= amparo.MaxAlertsPerHour {
			if code != http.StatusOK {
				t.Fatalf("alert %d: %d", i, code)
			}
			continue
		}
		if code != http.StatusTooManyRequests || !strings.Contains(body, "Demasiadas alertas") || !strings.Contains(body, "15555550401?body=DETENIDO") {
			t.Errorf("the flood: %d\n%s", code, body)
		}
		break
	}
	if err := w.db.RevokePhoneLink(system, w.letter.ID); err != nil {
		t.Fatal(err)
	}
	if code, _ := post("k-revoked"); code != http.StatusNotFound {
		t.Errorf("a revoked link: %d", code)
	}
	if n, _ := w.db.FindAlerts(system, amparo.AlertFilter{}); len(n) != amparo.MaxAlertsPerHour {
		t.Errorf("%d alerts, want %d", len(n), amparo.MaxAlertsPerHour)
	}
	if strings.Contains(w.log.String(), "5555550401") || strings.Contains(w.log.String(), w.link.Token) {
		t.Error("the log holds the hotline's number or the link")
	}
}

package web_test

import (
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/internal/fakegateway"
	"github.com/amparo-project/amparo/internal/storetest"
	"github.com/amparo-project/amparo/jobs"
	"github.com/amparo-project/amparo/locale"
	"github.com/amparo-project/amparo/notify"
	"github.com/amparo-project/amparo/sqldb"
	"github.com/amparo-project/amparo/web"
)

const programNumber = "+15555550100"

// hookRig is a server with its webhooks, a fake gateway, and the outbox's
// job runner on a clock the test moves.
type hookRig struct {
	log    *syncBuffer // everything the server and the outbox logged
	db     *sqldb.DB
	gw     *fakegateway.Gateway
	ts     *httptest.Server
	runner *jobs.Runner
	now    time.Time
}

func newHookRig(t *testing.T, opts fakegateway.Options) *hookRig {
	// Whatever a test did, no phone number or message text is in the log.
	return startHookRig(t, opts, false, "555555", "Alerta", "Recordatorio", "STOP", "baja")
}

// startHookRig starts a hookRig whose log, at the test's end, must hold
// none of canaries. With alerts, the webhooks also take the alerts'
// replies and the runner also escalates alerts.
func startHookRig(t testing.TB, opts fakegateway.Options, alerts bool, canaries ...string) *hookRig {
	db, k := openStore(t)
	rig := &hookRig{db: db, gw: fakegateway.New(t, opts), now: time.Now(), log: &syncBuffer{}}
	logger := slog.New(slog.NewTextHandler(rig.log, &slog.HandlerOptions{Level: slog.LevelDebug}))
	t.Cleanup(func() {
		for _, canary := range canaries {
			if strings.Contains(rig.log.String(), canary) {
				t.Errorf("the log holds %q:\n%s", canary, rig.log.String())
			}
		}
	})
	db.Now = func() time.Time { return rig.now }
	rig.ts = httptest.NewServer(nil)
	t.Cleanup(rig.ts.Close)
	public, _ := url.Parse(rig.ts.URL)
	cat, err := locale.Load()
	if err != nil {
		t.Fatal(err)
	}
	hooks := &notify.Hooks{Store: db, Catalog: cat, Logger: logger}
	gateway := &notify.Gateway{BaseURL: rig.gw.URL, AccountSID: rig.gw.SID, AuthToken: rig.gw.Token, From: programNumber,
		StatusCallback: rig.ts.URL + "/hooks/twilio/status"}
	outbox := &notify.Outbox{Store: db, Logger: logger, Senders: map[amparo.Channel]notify.Sender{amparo.ChannelSMS: gateway, amparo.ChannelVoice: gateway}}
	handlers := map[string]jobs.Handler{amparo.JobSendMessage: outbox.SendJob}
	if alerts {
		db.AlertMessage = notify.AlertMessage(cat, public)
		a := &notify.Alerts{Store: db, Catalog: cat, Logger: logger, Now: func() time.Time { return rig.now }}
		hooks.Replies = []notify.Replier{a.Reply}
		hooks.Language = a.Language
		handlers[amparo.JobEscalateAlert] = a.EscalateJob
	}
	_, h := newTestServer(t, db, k, func(s *web.Services) {
		s.Deployment.PublicURL = public
		s.Webhooks = web.Webhooks{Hooks: hooks, AuthToken: rig.gw.Token}
		s.Logger = logger
	})
	rig.ts.Config.Handler = h
	rig.runner = &jobs.Runner{Store: db, Worker: "test", Now: func() time.Time { return rig.now }, Batch: 50, Logger: logger, Handlers: handlers}
	return rig
}

// drain runs the send jobs, moving the clock past each backoff, until
// none is left; then waits for the gateway's callbacks.
func (rig *hookRig) drain(t *testing.T) {
	t.Helper()
	for range 20 {
		if _, err := rig.runner.Tick(t.Context()); err != nil {
			t.Fatal(err)
		}
		pending, _, err := rig.db.FindJobs(storetest.System, amparo.JobFilter{State: amparo.JobPending})
		if err != nil {
			t.Fatal(err)
		}
		if len(pending) == 0 {
			rig.gw.Wait()
			return
		}
		rig.now = rig.now.Add(jobs.Backoff(3) * 2)
	}
	t.Fatal("send jobs still pending")
}

func (rig *hookRig) enqueue(t *testing.T, m *amparo.Message) *amparo.Message {
	t.Helper()
	if _, err := rig.db.EnqueueMessage(storetest.System, m); err != nil {
		t.Fatal(err)
	}
	return m
}

func (rig *hookRig) message(t *testing.T, id string) *amparo.Message {
	t.Helper()
	m, err := rig.db.FindMessageByID(storetest.System, id)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// reply sends an inbound SMS from the number, signed as the gateway
// signs it, and returns the TwiML answer.
func (rig *hookRig) reply(t *testing.T, from, body string) string {
	t.Helper()
	res, err := rig.gw.Inbound(rig.ts.URL+"/hooks/twilio/inbound", from, programNumber, body)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/xml") {
		t.Fatalf("%s: %d %s", body, res.StatusCode, b)
	}
	return string(b)
}

func number(i int) string { return fmt.Sprintf("+1555555%04d", 1000+i) }

// A fan-out of N messages reaches each recipient once, counted by
// idempotency token at the gateway, although some of the gateway's
// answers were lost (the sender retried with the same token) and every
// receipt came twice and last first: each message ends delivered, never
// taken back to sent.
func TestHooks_FanOutOnceEachWithDuplicateAndOutOfOrderReceipts(t *testing.T) {
	t.Parallel()
	const n = 24
	rig := newHookRig(t, fakegateway.Options{Duplicate: true, Reorder: true, LoseAnswers: 5})
	var msgs []*amparo.Message
	for i := range n {
		body := "Alerta de prueba: su contacto necesita ayuda."
		if i%3 == 0 {
			body = strings.Repeat("Alerta de prueba larga. ", 10) // 240 GSM characters: 2 parts
		}
		msgs = append(msgs, rig.enqueue(t, &amparo.Message{Channel: amparo.ChannelSMS, To: number(i), Body: body, EventKey: "alert:fanout"}))
	}
	rig.drain(t)
	recs := rig.gw.Records()
	tokens, to := map[string]int{}, map[string]int{}
	for _, r := range recs {
		tokens[r.Token]++
		to[r.To]++
	}
	if len(recs) != n || len(tokens) != n || len(to) != n {
		t.Fatalf("gateway sent %d messages, %d tokens, to %d numbers; want %d each", len(recs), len(tokens), len(to), n)
	}
	if got := rig.gw.Requests(); got != n+5 {
		t.Errorf("%d send requests, want %d (5 answers lost, retried)", got, n+5)
	}
	for i, m := range msgs {
		got := rig.message(t, m.ID)
		if to[m.To] != 1 || tokens[got.IdempotencyKey] != 1 {
			t.Errorf("message %d: %d sends to its number, %d with its token", i, to[m.To], tokens[got.IdempotencyKey])
		}
		wantSegs := 1
		if i%3 == 0 {
			wantSegs = 2
		}
		if got.Status != amparo.MessageDelivered || got.Segments != wantSegs || got.ProviderID == "" {
			t.Errorf("message %d: %s, %d segments, provider %q", i, got.Status, got.Segments, got.ProviderID)
		}
	}
	if !strings.Contains(rig.log.String(), "message handed over") {
		t.Errorf("the outbox logged no hand-over: the log's check shows nothing")
	}
	if bad := rig.gw.CallbackAnswers(); bad[http.StatusNoContent] == 0 || len(bad) != 1 {
		t.Errorf("webhook answers %v, want 204 only", bad)
	}
}

// A voice call's receipts (initiated, ringing, completed) end delivered.
func TestHooks_VoiceCall(t *testing.T) {
	t.Parallel()
	rig := newHookRig(t, fakegateway.Options{Reorder: true})
	m := rig.enqueue(t, &amparo.Message{Channel: amparo.ChannelVoice, To: number(1), Body: "Alerta: llame al programa.", Language: "es",
		EventKey: "alert:voice", Emergency: true})
	rig.drain(t)
	recs := rig.gw.Records()
	if len(recs) != 1 || recs[0].Kind != "call" || !strings.Contains(recs[0].Twiml, `<Say language="es-MX">Alerta: llame al programa.</Say>`) {
		t.Fatalf("%+v", recs)
	}
	if got := rig.message(t, m.ID); got.Status != amparo.MessageDelivered {
		t.Errorf("call %s", got.Status)
	}
}

// The gateway's 21610 fails the message and marks the number opted out;
// later non-emergency messages to it are not sent at all, an emergency
// one is tried.
func TestHooks_OptedOutAtTheGateway(t *testing.T) {
	t.Parallel()
	rig := newHookRig(t, fakegateway.Options{})
	rig.gw.OptOut(number(7))
	first := rig.enqueue(t, &amparo.Message{Channel: amparo.ChannelSMS, To: number(7), Body: "Recordatorio de prueba.", EventKey: "e:1"})
	rig.drain(t)
	if got := rig.message(t, first.ID); got.Status != amparo.MessageFailed || got.Attempts != 1 {
		t.Errorf("first: %s after %d attempts", got.Status, got.Attempts)
	}
	if out, _ := rig.db.OptedOut(storetest.System, number(7)); !out {
		t.Fatal("21610 did not mark the number opted out")
	}
	requests := rig.gw.Requests()
	second := rig.enqueue(t, &amparo.Message{Channel: amparo.ChannelSMS, To: number(7), Body: "Otro recordatorio.", EventKey: "e:2"})
	urgent := rig.enqueue(t, &amparo.Message{Channel: amparo.ChannelSMS, To: number(7), Body: "Alerta.", EventKey: "e:3", Emergency: true})
	rig.drain(t)
	if got := rig.message(t, second.ID); got.Status != amparo.MessageFailed {
		t.Errorf("second: %s", got.Status)
	}
	if got := rig.gw.Requests(); got != requests+1 {
		t.Errorf("%d requests after the opt-out, want 1 (the emergency's)", got-requests)
	}
	if got := rig.message(t, urgent.ID); got.LastError == "the number opted out" {
		t.Errorf("the emergency was held back by the opt-out")
	}
}

func post(t *testing.T, target string, form url.Values, sig string) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, target, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if sig != "" {
		req.Header.Set("X-Twilio-Signature", sig)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	return res, string(b)
}

// Unsigned, wrongly signed or signed for another address, a receipt or
// an inbound SMS gets 403 and changes nothing; a malformed receipt 400;
// an unknown message 404.
func TestHooks_SignatureRequired(t *testing.T) {
	t.Parallel()
	rig := newHookRig(t, fakegateway.Options{})
	m := rig.enqueue(t, &amparo.Message{Channel: amparo.ChannelSMS, To: number(2), Body: "Prueba.", EventKey: "e:sig"})
	if err := rig.db.RecordSend(storetest.System, m.ID, amparo.SendResult{ProviderID: "SMsig", Segments: 1}); err != nil {
		t.Fatal(err)
	}
	status := rig.ts.URL + "/hooks/twilio/status?m=" + m.ID
	inbound := rig.ts.URL + "/hooks/twilio/inbound"
	receipt := url.Values{"MessageSid": {"SMsig"}, "MessageStatus": {"failed"}, "To": {number(2)}, "ErrorCode": {"21610"}}
	stop := url.Values{"From": {number(2)}, "Body": {"STOP"}, "To": {programNumber}}
	for name, c := range map[string]struct {
		target string
		form   url.Values
		sig    string
	}{
		"unsigned receipt":      {status, receipt, ""},
		"wrong key":             {status, receipt, notify.Signature("not-the-token", status, receipt)},
		"other address":         {status, receipt, notify.Signature(rig.gw.Token, "https://elsewhere.example.org/hooks/twilio/status?m="+m.ID, receipt)},
		"other message":         {rig.ts.URL + "/hooks/twilio/status?m=other", receipt, notify.Signature(rig.gw.Token, status, receipt)},
		"altered params":        {status, url.Values{"MessageSid": {"SMsig"}, "MessageStatus": {"failed"}}, notify.Signature(rig.gw.Token, status, receipt)},
		"unsigned inbound stop": {inbound, stop, ""},
		"garbage signature":     {inbound, stop, "%%%not-base64"},
	} {
		res, body := post(t, c.target, c.form, c.sig)
		if res.StatusCode != http.StatusForbidden || !strings.Contains(body, "X-Twilio-Signature") {
			t.Errorf("%s: %d %q", name, res.StatusCode, body)
		}
	}
	if got := rig.message(t, m.ID); got.Status != amparo.MessageSent {
		t.Errorf("status %s after refused receipts", got.Status)
	}
	if out, _ := rig.db.OptedOut(storetest.System, number(2)); out {
		t.Error("a refused request opted the number out")
	}
	sign := func(target string, f url.Values) string { return notify.Signature(rig.gw.Token, target, f) }
	malformed := url.Values{"MessageStatus": {"delivered"}}
	if res, _ := post(t, status, malformed, sign(status, malformed)); res.StatusCode != http.StatusBadRequest {
		t.Errorf("malformed: %d", res.StatusCode)
	}
	unknown := url.Values{"MessageSid": {"SMnone"}, "MessageStatus": {"delivered"}}
	u := rig.ts.URL + "/hooks/twilio/status"
	if res, _ := post(t, u, unknown, sign(u, unknown)); res.StatusCode != http.StatusNotFound {
		t.Errorf("unknown message: %d", res.StatusCode)
	}
	badFrom := url.Values{"From": {"555-0100"}, "Body": {"STOP"}}
	if res, _ := post(t, inbound, badFrom, sign(inbound, badFrom)); res.StatusCode != http.StatusBadRequest {
		t.Errorf("sender not E.164: %d", res.StatusCode)
	}
	delivered := url.Values{"MessageSid": {"SMsig"}, "MessageStatus": {"delivered"}}
	if res, _ := post(t, status, delivered, sign(status, delivered)); res.StatusCode != http.StatusNoContent {
		t.Errorf("signed receipt: %d", res.StatusCode)
	}
	if got := rig.message(t, m.ID); got.Status != amparo.MessageDelivered {
		t.Errorf("status %s after a signed receipt", got.Status)
	}
}

// STOP and BAJA stop non-emergency messages to the number, START and
// ALTA restore them, HELP and AYUDA answer in their language.
func TestHooks_InboundKeywords(t *testing.T) {
	t.Parallel()
	rig := newHookRig(t, fakegateway.Options{})
	say := func(body string) string { return rig.reply(t, number(3), body) }
	optedOut := func() bool {
		out, err := rig.db.OptedOut(storetest.System, number(3))
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	if r := say("baja"); !strings.Contains(r, "ya no recibirá") || !optedOut() {
		t.Errorf("BAJA: %s, opted out %v", r, optedOut())
	}
	held := rig.enqueue(t, &amparo.Message{Channel: amparo.ChannelSMS, To: number(3), Body: "Recordatorio.", EventKey: "k:1"})
	rig.drain(t)
	if got := rig.message(t, held.ID); got.Status != amparo.MessageFailed || len(rig.gw.Records()) != 0 {
		t.Errorf("after BAJA: %s, %d sent", got.Status, len(rig.gw.Records()))
	}
	if r := say("START"); !strings.Contains(r, "receive messages from this number again") || optedOut() {
		t.Errorf("START: %s", r)
	}
	if r := say("STOP"); !strings.Contains(r, "no more messages") || !optedOut() {
		t.Errorf("STOP: %s", r)
	}
	if r := say("Alta"); !strings.Contains(r, "volverá a recibir") || optedOut() {
		t.Errorf("ALTA: %s", r)
	}
	if r := say("HELP"); !strings.Contains(r, "Reply STOP") {
		t.Errorf("HELP: %s", r)
	}
	if r := say("ayuda"); !strings.Contains(r, "Responda BAJA") {
		t.Errorf("AYUDA: %s", r)
	}
	if r := say("hola"); r != "<Response></Response>" {
		t.Errorf("other: %s", r)
	}
	sent := rig.enqueue(t, &amparo.Message{Channel: amparo.ChannelSMS, To: number(3), Body: "Recordatorio.", EventKey: "k:2"})
	rig.drain(t)
	if got := rig.message(t, sent.ID); got.Status != amparo.MessageDelivered {
		t.Errorf("after ALTA: %s", got.Status)
	}
}

// syncBuffer is a log written by the server's goroutines and read by the
// test.
type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

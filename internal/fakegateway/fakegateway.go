// Package fakegateway is an SMS and voice gateway for tests, speaking the
// Twilio REST API as notify.Gateway does: it records every message and
// call with its idempotency token (a token seen before sends nothing
// more), refuses opted-out numbers with error 21610, and posts status
// callbacks signed with X-Twilio-Signature — one per part of a
// multi-part message, duplicated or out of order on request. It also
// posts signed inbound SMS to a webhook. Users never see it.
package fakegateway

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/amparo-project/amparo/notify"
)

// Options change how the gateway behaves.
type Options struct {
	Duplicate bool // post every callback twice
	Reorder   bool // post each message's callbacks last first (delivered before sent)
	// Undelivered numbers get "undelivered" receipts (error 30003).
	Undelivered []string
	// LoseAnswers is how many accepted sends answer 500 as if the answer
	// were lost on the way: the sender retries with the same token.
	LoseAnswers int
	// OnRecord, if set, is called with each message or call accepted (a
	// benchmark times its arrival).
	OnRecord func(Record)
}

// Record is a message or call the gateway accepted.
type Record struct {
	SID      string
	Kind     string // "sms" or "call"
	To, From string
	Body     string // an SMS's text
	Twiml    string // a call's TwiML
	Token    string // I-Twilio-Idempotency-Token
	Callback string
	Segments int
	At       time.Time
}

// Gateway is the fake. Make it with New; it stops when the test ends.
type Gateway struct {
	URL   string // the base URL, for notify.Gateway.BaseURL
	SID   string
	Token string // the auth token: requests' basic auth, callbacks' signature key

	opts     Options
	srv      *httptest.Server
	mu       sync.Mutex
	records  []*Record
	byToken  map[string]*Record
	optedOut map[string]bool
	requests int
	lose     int
	inflight sync.WaitGroup
	client   *http.Client
	// callbackStatus counts the webhook's answers to callbacks by
	// status (0: no answer).
	callbackStatus map[int]int
}

// New starts a gateway.
func New(tb testing.TB, opts Options) *Gateway {
	g := &Gateway{SID: "AC" + randomHex(16), Token: randomHex(16), opts: opts, byToken: map[string]*Record{},
		optedOut: map[string]bool{}, lose: opts.LoseAnswers, client: &http.Client{Timeout: 10 * time.Second}, callbackStatus: map[int]int{}}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /2010-04-01/Accounts/{sid}/Messages.json", func(w http.ResponseWriter, r *http.Request) { g.create(w, r, "sms") })
	mux.HandleFunc("POST /2010-04-01/Accounts/{sid}/Calls.json", func(w http.ResponseWriter, r *http.Request) { g.create(w, r, "call") })
	g.srv = httptest.NewServer(mux)
	g.URL = g.srv.URL
	tb.Cleanup(func() {
		g.Wait()
		g.srv.Close()
	})
	return g
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// OptOut makes the gateway refuse number with 21610, as Twilio does after
// the number replied STOP.
func (g *Gateway) OptOut(number string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.optedOut[number] = true
}

// Records returns what the gateway accepted, in order.
func (g *Gateway) Records() []Record {
	g.mu.Lock()
	defer g.mu.Unlock()
	out := make([]Record, len(g.records))
	for i, r := range g.records {
		out[i] = *r
	}
	return out
}

// Requests is how many send requests came, retries included.
func (g *Gateway) Requests() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.requests
}

// CallbackAnswers counts the webhook's answers to callbacks by status.
func (g *Gateway) CallbackAnswers() map[int]int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return maps.Clone(g.callbackStatus)
}

// Wait waits for every callback posted so far to be answered.
func (g *Gateway) Wait() { g.inflight.Wait() }

func (g *Gateway) fail(w http.ResponseWriter, status, code int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]any{"code": code, "message": msg, "status": status})
}

func (g *Gateway) create(w http.ResponseWriter, r *http.Request, kind string) {
	user, pass, ok := r.BasicAuth()
	if !ok || user != g.SID || pass != g.Token || r.PathValue("sid") != g.SID {
		g.fail(w, http.StatusUnauthorized, 20003, "Authenticate")
		return
	}
	if err := r.ParseForm(); err != nil {
		g.fail(w, http.StatusBadRequest, 21100, "bad form")
		return
	}
	to, from := r.PostForm.Get("To"), r.PostForm.Get("From")
	if to == "" || from == "" || kind == "sms" && r.PostForm.Get("Body") == "" || kind == "call" && r.PostForm.Get("Twiml") == "" {
		g.fail(w, http.StatusBadRequest, 21604, "A 'To', 'From' and 'Body' or 'Twiml' are required")
		return
	}
	token := r.Header.Get("I-Twilio-Idempotency-Token")
	g.mu.Lock()
	g.requests++
	if rec, ok := g.byToken[token]; ok && token != "" {
		// Seen before: the same answer, nothing sent.
		g.mu.Unlock()
		g.answer(w, rec)
		return
	}
	if g.optedOut[to] {
		g.mu.Unlock()
		g.fail(w, http.StatusBadRequest, 21610, "Attempt to send to unsubscribed recipient")
		return
	}
	prefix := "SM"
	if kind == "call" {
		prefix = "CA"
	}
	rec := &Record{SID: prefix + randomHex(16), Kind: kind, To: to, From: from, Body: r.PostForm.Get("Body"), Twiml: r.PostForm.Get("Twiml"),
		Token: token, Callback: r.PostForm.Get("StatusCallback"), Segments: 1, At: time.Now()}
	if kind == "sms" {
		rec.Segments, _ = notify.Segments(rec.Body)
	}
	g.records = append(g.records, rec)
	if token != "" {
		g.byToken[token] = rec
	}
	lose := g.lose > 0
	if lose {
		g.lose--
	}
	g.mu.Unlock()
	if g.opts.OnRecord != nil {
		g.opts.OnRecord(*rec)
	}
	if rec.Callback != "" {
		g.inflight.Add(1)
		go func() {
			defer g.inflight.Done()
			g.callbacks(rec)
		}()
	}
	if lose {
		g.fail(w, http.StatusInternalServerError, 20500, "Internal Server Error")
		return
	}
	g.answer(w, rec)
}

func (g *Gateway) answer(w http.ResponseWriter, rec *Record) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusCreated)
	json.NewEncoder(w).Encode(map[string]any{"sid": rec.SID, "status": "queued", "to": rec.To, "from": rec.From,
		"num_segments": strconv.Itoa(rec.Segments), "account_sid": g.SID})
}

// callbacks posts rec's receipts: for an SMS, sent and then delivered
// (or undelivered) for each part; for a call, initiated, ringing,
// completed.
func (g *Gateway) callbacks(rec *Record) {
	var forms []url.Values
	if rec.Kind == "sms" {
		final, code := "delivered", ""
		if slices.Contains(g.opts.Undelivered, rec.To) {
			final, code = "undelivered", "30003"
		}
		for range rec.Segments {
			for _, s := range []string{"sent", final} {
				f := url.Values{"MessageSid": {rec.SID}, "SmsSid": {rec.SID}, "MessageStatus": {s}, "SmsStatus": {s},
					"To": {rec.To}, "From": {rec.From}, "AccountSid": {g.SID}, "ApiVersion": {"2010-04-01"}}
				if s == final && code != "" {
					f.Set("ErrorCode", code)
				}
				forms = append(forms, f)
			}
		}
	} else {
		for _, s := range []string{"initiated", "ringing", "completed"} {
			forms = append(forms, url.Values{"CallSid": {rec.SID}, "CallStatus": {s}, "To": {rec.To}, "From": {rec.From},
				"AccountSid": {g.SID}, "ApiVersion": {"2010-04-01"}})
		}
	}
	if g.opts.Reorder {
		slices.Reverse(forms)
	}
	for _, f := range forms {
		for range 1 + btoi(g.opts.Duplicate) {
			g.post(rec.Callback, f)
		}
	}
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// post sends a callback to a webhook, signed, and counts its answer.
func (g *Gateway) post(target string, f url.Values) {
	resp, err := g.postSigned(target, f)
	status := 0
	if err == nil {
		status = resp.StatusCode
		resp.Body.Close()
	}
	g.mu.Lock()
	g.callbackStatus[status]++
	g.mu.Unlock()
}

// postSigned posts a form to a webhook with its X-Twilio-Signature.
func (g *Gateway) postSigned(target string, f url.Values) (*http.Response, error) {
	req, err := http.NewRequest(http.MethodPost, target, strings.NewReader(f.Encode()))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Twilio-Signature", notify.Signature(g.Token, target, f))
	return g.client.Do(req)
}

// Inbound posts an SMS from a number to the program's number, to the
// inbound webhook at target, signed, and returns the webhook's answer.
func (g *Gateway) Inbound(target, from, to, body string) (*http.Response, error) {
	f := url.Values{"MessageSid": {"SM" + randomHex(16)}, "SmsSid": {"SM" + randomHex(16)}, "AccountSid": {g.SID},
		"From": {from}, "To": {to}, "Body": {body}, "NumMedia": {"0"}, "ApiVersion": {"2010-04-01"}}
	return g.postSigned(target, f)
}

// String names the gateway in test logs.
func (g *Gateway) String() string { return fmt.Sprintf("fake gateway at %s", g.URL) }

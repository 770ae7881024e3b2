package web_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
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

// From a message's commit to the gateway receiving it, with the job
// runner running as a serving process runs it (polling every second,
// woken on commit): p50 and p95.
func BenchmarkOutbox_CommitToGateway(b *testing.B) {
	for _, dialect := range []string{"sqlite", "postgres"} {
		b.Run(dialect, func(b *testing.B) {
			db, _, _ := benchStore(b, dialect)
			var mu sync.Mutex
			arrived := map[string]chan time.Time{}
			gw := fakegateway.New(b, fakegateway.Options{OnRecord: func(r fakegateway.Record) {
				mu.Lock()
				c := arrived[r.Body]
				mu.Unlock()
				if c != nil {
					c <- time.Now()
				}
			}})
			defer serveJobs(db, gw, &jobs.Runner{})()
			var lat []time.Duration
			i := 0
			for b.Loop() {
				body := fmt.Sprintf("Alerta de prueba %d.", i)
				c := make(chan time.Time, 1)
				mu.Lock()
				arrived[body] = c
				mu.Unlock()
				start := time.Now()
				if _, err := db.EnqueueMessage(storetest.System, &amparo.Message{Channel: amparo.ChannelSMS, To: number(i % 1000), Body: body,
					EventKey: fmt.Sprintf("bench:%d", i), Emergency: true}); err != nil {
					b.Fatal(err)
				}
				select {
				case at := <-c:
					lat = append(lat, at.Sub(start))
				case <-time.After(30 * time.Second):
					b.Fatal("the message never reached the gateway")
				}
				i++
			}
			reportPercentiles(b, lat)
			if testing.Verbose() {
				b.Logf("%s: %d messages", strings.ToUpper(dialect), len(lat))
			}
		})
	}
}

// serveJobs runs r as a serving process runs it, woken on each commit,
// with the outbox sending SMS and calls through gw as well as r's own
// handlers; stop ends it and waits for it.
func serveJobs(db *sqldb.DB, gw *fakegateway.Gateway, r *jobs.Runner) (stop func()) {
	gateway := &notify.Gateway{BaseURL: gw.URL, AccountSID: gw.SID, AuthToken: gw.Token, From: programNumber}
	outbox := &notify.Outbox{Store: db, Senders: map[amparo.Channel]notify.Sender{amparo.ChannelSMS: gateway, amparo.ChannelVoice: gateway}}
	r.Store, r.Worker = db, "bench"
	if r.Handlers == nil {
		r.Handlers = map[string]jobs.Handler{}
	}
	r.Handlers[amparo.JobSendMessage] = outbox.SendJob
	db.JobEnqueued = r.Wake
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { r.Run(ctx); close(done) }()
	return func() { cancel(); <-done }
}

// Delivery receipts handled by one process: signed, checked, recorded,
// from parallel clients.
func BenchmarkHooks_DeliveryReceipts(b *testing.B) {
	db, k, _ := benchStore(b, "sqlite")
	gwToken := "bench-token"
	ts := httptest.NewServer(nil)
	b.Cleanup(ts.Close)
	public, _ := url.Parse(ts.URL)
	cat, _ := locale.Load()
	_, h := newTestServer(b, db, k, func(s *web.Services) {
		s.Deployment.PublicURL = public
		s.Webhooks = web.Webhooks{Hooks: &notify.Hooks{Store: db, Catalog: cat}, AuthToken: gwToken}
	})
	ts.Config.Handler = h
	const n = 500
	ids := make([]string, n)
	for i := range n {
		m := &amparo.Message{Channel: amparo.ChannelSMS, To: number(i), Body: "Prueba.", EventKey: fmt.Sprintf("bench:%d", i)}
		if _, err := db.EnqueueMessage(storetest.System, m); err != nil {
			b.Fatal(err)
		}
		if err := db.RecordSend(storetest.System, m.ID, amparo.SendResult{ProviderID: fmt.Sprintf("SM%032d", i), Segments: 1}); err != nil {
			b.Fatal(err)
		}
		ids[i] = m.ID
	}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	var next atomic.Int64
	statuses := []string{"sent", "delivered", "delivered"}
	b.ResetTimer() // ns/op without the 500 messages stored above
	start := time.Now()
	b.SetParallelism(8)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := int(next.Add(1))
			target := ts.URL + "/hooks/twilio/status?m=" + ids[i%n]
			f := url.Values{"MessageSid": {fmt.Sprintf("SM%032d", i%n)}, "MessageStatus": {statuses[(i/n)%3]}}
			req, _ := http.NewRequest(http.MethodPost, target, strings.NewReader(f.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("X-Twilio-Signature", notify.Signature(gwToken, target, f))
			res, err := client.Do(req)
			if err != nil {
				b.Error(err)
				return
			}
			io.Copy(io.Discard, res.Body)
			res.Body.Close()
			if res.StatusCode != http.StatusNoContent {
				b.Errorf("status %d", res.StatusCode)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "receipts/s")
}

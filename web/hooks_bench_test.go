package web_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/internal/fakegateway"
	"github.com/amparo-project/amparo/internal/storetest"
	"github.com/amparo-project/amparo/jobs"
	"github.com/amparo-project/amparo/notify"
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
			gateway := &notify.Gateway{BaseURL: gw.URL, AccountSID: gw.SID, AuthToken: gw.Token, From: programNumber}
			outbox := &notify.Outbox{Store: db, Senders: map[amparo.Channel]notify.Sender{amparo.ChannelSMS: gateway}}
			r := &jobs.Runner{Store: db, Worker: "bench", Handlers: map[string]jobs.Handler{amparo.JobSendMessage: outbox.SendJob}}
			db.JobEnqueued = r.Wake
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan struct{})
			go func() { r.Run(ctx); close(done) }()
			defer func() { cancel(); <-done }()
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
			slices.Sort(lat)
			b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
			b.ReportMetric(float64(lat[len(lat)*95/100].Microseconds())/1000, "p95-ms")
			if testing.Verbose() {
				b.Logf("%s: %d messages", strings.ToUpper(dialect), len(lat))
			}
		})
	}
}

package web_test

import (
	"fmt"
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
	"github.com/amparo-project/amparo/web"
)

// BenchmarkAlertFanOut: from a hotline worker's POST /alerts to the fake
// gateway receiving the alert's first SMS, with the job runner running as
// a serving process runs it (woken on commit), p50 and p95, on SQLite and
// PostgreSQL. Each alert is for a client of its own (a client's second
// alert while the first is open is the same alert), with a plan of three
// responders. The figure to meet: p95 under 500 ms.
func BenchmarkAlertFanOut(b *testing.B) {
	for _, dialect := range []string{"sqlite", "postgres"} {
		b.Run(dialect, func(b *testing.B) {
			db, k, _ := benchStore(b, dialect)
			org := storetest.MustCreateOrganization(b, db, "Bench Legal Aid")
			cat, _ := locale.Load()
			ts := httptest.NewServer(nil)
			b.Cleanup(ts.Close)
			public, _ := url.Parse(ts.URL)
			db.AlertMessage = notify.AlertMessage(cat, public)
			_, h := newTestServer(b, db, k, func(s *web.Services) { s.Deployment.PublicURL = public })
			ts.Config.Handler = h

			var mu sync.Mutex
			arrived := map[string]chan time.Time{} // by the alert's link prefix: its client's name
			gw := fakegateway.New(b, fakegateway.Options{OnRecord: func(r fakegateway.Record) {
				mu.Lock()
				defer mu.Unlock()
				for name, c := range arrived {
					if strings.Contains(r.Body, name) {
						delete(arrived, name)
						c <- time.Now()
					}
				}
			}})
			alerts := &notify.Alerts{Store: db, Catalog: cat}
			defer serveJobs(db, gw, &jobs.Runner{Concurrency: 8, Batch: 32, Handlers: map[string]jobs.Handler{amparo.JobEscalateAlert: alerts.EscalateJob}})()

			inv := &amparo.Invitation{Email: "hotline-bench@example.org", Role: amparo.RoleIntake, OrganizationID: org.ID}
			if err := db.CreateInvitation(storetest.System, inv); err != nil {
				b.Fatal(err)
			}
			acct, err := db.AcceptInvitation(storetest.System, inv.Token, "Cuenta Ejemplo", "$argon2id$unused")
			if err != nil {
				b.Fatal(err)
			}
			session, err := db.CreateSession(storetest.System, acct.ID, true)
			if err != nil {
				b.Fatal(err)
			}
			client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

			var lat []time.Duration
			i := 0
			for b.Loop() {
				b.StopTimer()
				name := fmt.Sprintf("Cliente Ficticia Banco%06d", i)
				c := &amparo.Client{OrganizationID: org.ID, Personal: amparo.Personal{LegalName: name, Language: "es"}}
				if err := db.CreateClient(storetest.System, c); err != nil {
					b.Fatal(err)
				}
				plan := &amparo.ResponsePlan{ClientID: c.ID, Messages: map[string]string{"es": "Llamen a mi hermana."},
					Responders: []amparo.Responder{
						{Kind: amparo.ResponderAttorney, Name: "Abogada Ficticia", Phone: number(3 * i % 1000), Language: "es", Channels: []amparo.Channel{amparo.ChannelSMS, amparo.ChannelVoice}},
						{Kind: amparo.ResponderHotline, Name: "Línea Ficticia", Phone: number((3*i + 1) % 1000), Language: "es", Channels: []amparo.Channel{amparo.ChannelSMS}},
						{Kind: amparo.ResponderContact, Name: "Hermana Ficticia", Phone: number((3*i + 2) % 1000), Language: "es", Consent: true, Channels: []amparo.Channel{amparo.ChannelSMS}},
					}}
				if err := db.SetResponsePlan(storetest.System, plan); err != nil {
					b.Fatal(err)
				}
				arrivedAt := make(chan time.Time, 1)
				mu.Lock()
				arrived[name] = arrivedAt
				mu.Unlock()
				b.StartTimer()
				start := time.Now()
				f := url.Values{"key": {fmt.Sprintf("bench-%d", i)}, "client_id": {c.ID}}
				req, _ := http.NewRequest(http.MethodPost, ts.URL+"/alerts", strings.NewReader(f.Encode()))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				req.AddCookie(&http.Cookie{Name: "__Host-session", Value: session})
				res, err := client.Do(req)
				if err != nil {
					b.Fatal(err)
				}
				res.Body.Close()
				if res.StatusCode != http.StatusSeeOther {
					b.Fatalf("POST /alerts: %d", res.StatusCode)
				}
				select {
				case at := <-arrivedAt:
					lat = append(lat, at.Sub(start))
				case <-time.After(30 * time.Second):
					b.Fatal("the alert's first SMS never reached the gateway")
				}
				i++
			}
			reportPercentiles(b, lat)
		})
	}
}

// BenchmarkAlertBurst: 1,000 alerts raised at once, three responders
// each, on SQLite with the job runner running: the time until the fake
// gateway holds all 3,000 SMS (the figure to meet: under 10 s).
func BenchmarkAlertBurst(b *testing.B) {
	const n = 1000
	for b.Loop() {
		b.StopTimer()
		db, _, _ := benchStore(b, "sqlite")
		org := storetest.MustCreateOrganization(b, db, "Burst Legal Aid")
		cat, _ := locale.Load()
		public, _ := url.Parse("https://amparo.example")
		db.AlertMessage = notify.AlertMessage(cat, public)
		clients := make([]string, n)
		for i := range n {
			c := &amparo.Client{OrganizationID: org.ID, Personal: amparo.Personal{LegalName: fmt.Sprintf("Cliente Ficticia Ráfaga%04d", i), Language: "es"}}
			if err := db.CreateClient(storetest.System, c); err != nil {
				b.Fatal(err)
			}
			plan := &amparo.ResponsePlan{ClientID: c.ID, Responders: []amparo.Responder{
				{Kind: amparo.ResponderAttorney, Name: "Abogada Ficticia", Phone: number(3 * i), Language: "es", Channels: []amparo.Channel{amparo.ChannelSMS}},
				{Kind: amparo.ResponderHotline, Name: "Línea Ficticia", Phone: number(3*i + 1), Language: "es", Channels: []amparo.Channel{amparo.ChannelSMS}},
				{Kind: amparo.ResponderContact, Name: "Hermana Ficticia", Phone: number(3*i + 2), Language: "es", Consent: true, Channels: []amparo.Channel{amparo.ChannelSMS}},
			}}
			if err := db.SetResponsePlan(storetest.System, plan); err != nil {
				b.Fatal(err)
			}
			clients[i] = c.ID
		}
		all := make(chan struct{})
		var got sync.WaitGroup
		got.Add(3 * n)
		go func() { got.Wait(); close(all) }()
		gw := fakegateway.New(b, fakegateway.Options{OnRecord: func(fakegateway.Record) { got.Done() }})
		stop := serveJobs(db, gw, &jobs.Runner{Concurrency: 8, Batch: 32})
		b.StartTimer()
		start := time.Now()
		var raised sync.WaitGroup
		for i := range n {
			raised.Go(func() {
				if _, _, err := db.RaiseAlert(storetest.System, amparo.RaiseAlertRequest{Key: fmt.Sprint("burst-", i), Source: amparo.AlertFromHotline, ClientID: clients[i]}); err != nil {
					b.Error(err)
				}
			})
		}
		raised.Wait()
		select {
		case <-all:
		case <-time.After(60 * time.Second):
			b.Fatal("not every SMS reached the gateway in a minute")
		}
		took := time.Since(start)
		b.StopTimer()
		stop()
		b.ReportMetric(took.Seconds(), "s-to-3000-sms")
		b.StartTimer()
	}
}

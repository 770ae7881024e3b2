package main_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	domain "github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/envelope"
	"github.com/amparo-project/amparo/internal/pgtest"
	"github.com/amparo-project/amparo/internal/storetest"
	"github.com/amparo-project/amparo/internal/testenv"
)

// BenchmarkServeThroughput measures requests a second and the 95th
// percentile latency through three serve processes on one PostgreSQL
// database behind a small reverse proxy on loopback, against one process
// behind the same proxy, in the same run, for: the verifiers' trust bundle
// (GET /v/bundle), the public intake form (POST /intake/{org}) and a
// signed-in client list (GET /clients, 50 clients sealed each). The load
// generator is bounded: loadWorkers requests in flight, b.N in all, on
// loopback only. Run it with a fixed count, e.g.
//
//	go test ./cmd/amparo/ -run '^$' -bench ServeThroughput -benchtime 1000x
//
// The intake form's limit (30 forms per address, then one per 30 s) is not
// raised by a flag: the proxy passes each request's own address in
// X-Forwarded-For, as a load balancer passes each person's, and the
// generator sends each form from another address.
func BenchmarkServeThroughput(b *testing.B) {
	cl, err := pgtest.Start()
	if err != nil {
		testenv.Missing(b, "postgres: "+err.Error())
		return
	}
	b.Cleanup(func() { cl.Stop() })
	dsn, err := cl.CreateDatabase(b.Context(), "throughput")
	if err != nil {
		b.Fatal(err)
	}
	master := envelope.GenerateMasterKey()
	env := []string{"AMPARO_DB=" + dsn, "AMPARO_MASTER_KEY=" + envelope.EncodeKey(master)}

	// What the requests read: the trust bundle, 50 clients, and a session
	// of an intake worker with the second factor.
	db := storetest.MustOpenDSN(b, dsn, master)
	org := storetest.MustCreateOrganization(b, db, "Centro Legal Ejemplo")
	if _, err := db.CreateIssuingKey(storetest.System, org.ID); err != nil {
		b.Fatal(err)
	}
	if _, err := db.SignTrustList(storetest.System, nil); err != nil {
		b.Fatal(err)
	}
	staff := domain.NewContextWithActor(b.Context(), domain.Actor{ID: "bench", Role: domain.RoleIntake, OrganizationID: org.ID})
	for range 50 {
		storetest.MustCreateClient(b, staff, db, &domain.Client{})
	}
	inv := &domain.Invitation{Email: "intake@centro-ejemplo.example", Role: domain.RoleIntake, OrganizationID: org.ID}
	if err := db.CreateInvitation(storetest.System, inv); err != nil {
		b.Fatal(err)
	}
	a, err := db.AcceptInvitation(storetest.System, inv.Token, "Rosa Ejemplo", "$argon2id$unused")
	if err != nil {
		b.Fatal(err)
	}
	session, err := db.CreateSession(storetest.System, a.ID, true)
	if err != nil {
		b.Fatal(err)
	}
	db.Close()

	// The proxy: each request to the next of the processes in use, with
	// the generator's address for the client's.
	var targets atomic.Pointer[[]*url.URL]
	var next atomic.Int64
	proxy := httptest.NewServer(&httputil.ReverseProxy{
		Rewrite: func(r *httputil.ProxyRequest) {
			ts := *targets.Load()
			r.SetURL(ts[int(next.Add(1))%len(ts)])
			r.Out.Header["X-Forwarded-For"] = r.In.Header["X-Forwarded-For"]
			r.SetXForwarded()
		},
		Transport: &http.Transport{MaxIdleConnsPerHost: 2 * loadWorkers},
	})
	defer proxy.Close()
	var backends []*url.URL
	for range 3 {
		cmd := exec.Command(binary, "serve", "--addr", "127.0.0.1:0", "--public-url", proxy.URL, "--trusted-proxy", "127.0.0.1")
		cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + b.TempDir()}, env...)
		u, _ := url.Parse(startServing(b, cmd))
		backends = append(backends, u)
	}

	client := &http.Client{
		Transport:     &http.Transport{MaxIdleConnsPerHost: 2 * loadWorkers},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	var sent atomic.Int64
	routes := []struct {
		name string
		want int
		req  func() *http.Request
	}{
		{"bundle", 200, func() *http.Request {
			r, _ := http.NewRequest("GET", proxy.URL+"/v/bundle", nil)
			return r
		}},
		{"intake", http.StatusSeeOther, func() *http.Request {
			n := sent.Add(1)
			form := url.Values{"legal_name": {fmt.Sprintf("Persona Ficticia %d Ejemplo", n)}, "language": {"es"}, "situation": {"tps"},
				"tps_country": {"SV"}, "consent": {"on"}}
			r, _ := http.NewRequest("POST", proxy.URL+"/intake/"+org.ID, strings.NewReader(form.Encode()))
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			r.Header.Set("X-Forwarded-For", fmt.Sprintf("10.%d.%d.%d", n>>16&255, n>>8&255, n&255))
			return r
		}},
		{"clients", 200, func() *http.Request {
			r, _ := http.NewRequest("GET", proxy.URL+"/clients", nil)
			r.AddCookie(&http.Cookie{Name: "__Host-session", Value: session})
			return r
		}},
	}
	b.Logf("GOMAXPROCS %d, CPUs %d; %d requests in flight", runtime.GOMAXPROCS(0), runtime.NumCPU(), loadWorkers)
	for _, rt := range routes {
		for _, n := range []int{1, 3} {
			b.Run(fmt.Sprintf("%s/processes=%d", rt.name, n), func(b *testing.B) {
				use := backends[:n]
				targets.Store(&use)
				load(b, client, rt.want, rt.req)
			})
		}
	}
}

// loadWorkers is how many requests the generator keeps in flight.
const loadWorkers = 16

// load sends b.N requests made by req, loadWorkers at a time, and reports
// requests a second and the 95th percentile latency. Any answer other than
// want fails the benchmark.
func load(b *testing.B, client *http.Client, want int, req func() *http.Request) {
	latencies := make([]time.Duration, b.N)
	var next atomic.Int64
	var failed atomic.Pointer[error] // the first, whatever its type
	var wg sync.WaitGroup
	b.ResetTimer()
	start := time.Now()
	for range loadWorkers {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= b.N {
					return
				}
				t0 := time.Now()
				res, err := client.Do(req())
				if err == nil {
					io.Copy(io.Discard, res.Body)
					res.Body.Close()
					if res.StatusCode != want {
						err = fmt.Errorf("status %d, want %d", res.StatusCode, want)
					}
				}
				latencies[i] = time.Since(t0)
				if err != nil {
					failed.CompareAndSwap(nil, &err)
				}
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	if err := failed.Load(); err != nil {
		b.Fatal(*err)
	}
	slices.Sort(latencies)
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "req/s")
	b.ReportMetric(float64(latencies[len(latencies)*95/100].Microseconds())/1000, "p95-ms")
}

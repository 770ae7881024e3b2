package main_test

import (
	"bufio"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/amparo-project/amparo/envelope"
	"github.com/amparo-project/amparo/internal/pgtest"
	"github.com/amparo-project/amparo/internal/testenv"
)

// TestServe_SeveralProcesses runs three serve processes on one PostgreSQL
// database behind a reverse proxy of the test's own, as a statewide
// program does: a session started through one works through the others,
// sign-in guesses spread over the three are limited as if to one, and the
// hourly jobs run once however many processes serve.
func TestServe_SeveralProcesses(t *testing.T) {
	t.Parallel()
	cl, err := pgtest.Start()
	if err != nil {
		testenv.Missing(t, "postgres: "+err.Error())
		return
	}
	t.Cleanup(func() { cl.Stop() })
	dsn, err := cl.CreateDatabase(t.Context(), "several")
	if err != nil {
		t.Fatal(err)
	}
	env := []string{"AMPARO_DB=" + dsn, "AMPARO_MASTER_KEY=" + envelope.EncodeKey(envelope.GenerateMasterKey())}
	if _, errOut, code := amparo(t, env, "migrate"); code != 0 {
		t.Fatalf("migrate: %s", errOut)
	}

	// The proxy: each request to the next process in turn.
	var backends []*url.URL
	var next atomic.Int64
	proxy := httptest.NewServer(&httputil.ReverseProxy{Rewrite: func(r *httputil.ProxyRequest) {
		r.SetURL(backends[int(next.Add(1))%len(backends)])
		r.SetXForwarded()
	}})
	defer proxy.Close()
	for range 3 {
		cmd := exec.Command(binary, "serve", "--addr", "127.0.0.1:0", "--public-url", proxy.URL, "--trusted-proxy", "127.0.0.1")
		cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir()}, env...)
		stdout, _ := cmd.StdoutPipe()
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { cmd.Process.Signal(syscall.SIGTERM); cmd.Wait() })
		s := bufio.NewScanner(stdout)
		for s.Scan() {
			if u := regexp.MustCompile(`http://127\.0\.0\.1:\d+/`).FindString(s.Text()); u != "" {
				b, _ := url.Parse(u)
				backends = append(backends, b)
				break
			}
		}
		go func() {
			for s.Scan() {
			}
		}()
		if !waitHealthy(backends[len(backends)-1].String() + "healthz") {
			t.Fatal("a process never answered")
		}
	}
	if len(backends) != 3 {
		t.Fatalf("%d processes serving, want 3", len(backends))
	}

	// A session started through one process works through every other.
	out, errOut, code := amparo(t, env, "invite", "--email", "ines@example.org", "--role", "program_admin")
	link := regexp.MustCompile(regexp.QuoteMeta(proxy.URL) + `/invite/[A-Za-z0-9_-]{22}`).FindString(out)
	if code != 0 || link == "" {
		t.Fatalf("invite: %d %s\n%s", code, errOut, out)
	}
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	password := "faro verde sobre la bahía tranquila"
	res, err := noFollow.PostForm(link, url.Values{"name": {"Inés Ejemplo"}, "password": {password}, "confirm": {password}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	var session *http.Cookie
	for _, c := range res.Cookies() {
		if strings.HasSuffix(c.Name, "session") {
			session = c
		}
	}
	if session == nil {
		t.Fatalf("no session after accepting the invitation: %d", res.StatusCode)
	}
	for i, b := range backends {
		req, _ := http.NewRequest("GET", b.String()+"dashboard", nil)
		req.AddCookie(session)
		res, err := noFollow.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		// Signed in, the second factor not set up yet: sent to set it up,
		// not to sign in.
		if loc := res.Header.Get("Location"); loc != "/account/totp" {
			t.Errorf("process %d sends the session to %q, want /account/totp", i, loc)
		}
	}

	// Guesses spread over the three processes, from one address: five
	// get a password check, as from one process; the rest wait.
	checked := 0
	for i := range 9 {
		res, err := noFollow.PostForm(backends[i%3].String()+"signin", url.Values{"email": {"ines@example.org"}, "password": {"not the password"}})
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		switch res.StatusCode {
		case http.StatusUnprocessableEntity, http.StatusUnauthorized:
			checked++
		case http.StatusTooManyRequests:
		default:
			t.Fatalf("guess %d: %d", i, res.StatusCode)
		}
	}
	if checked != 5 {
		t.Errorf("%d of 9 guesses over three processes were checked, want 5 (as one process)", checked)
	}

	// The hourly jobs ran once this hour, though three processes serve.
	var jobs []struct{ Kind, State string }
	for try := 0; try < 100; try++ {
		out, errOut, code := amparo(t, env, "jobs", "list", "--json")
		if code != 0 {
			t.Fatalf("jobs list: %s", errOut)
		}
		jobs = nil
		json.Unmarshal([]byte(out), &jobs)
		done := 0
		for _, j := range jobs {
			if j.State == "done" {
				done++
			}
		}
		if done == 4 {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	kinds := map[string]int{}
	for _, j := range jobs {
		kinds[j.Kind]++
		if j.State != "done" {
			t.Errorf("%s is %s", j.Kind, j.State)
		}
	}
	for _, k := range []string{"status_lists.refresh", "letters.expire", "limits.prune", "messages.purge"} {
		if kinds[k] != 1 {
			t.Errorf("%s ran %d times this period across three processes, want once", k, kinds[k])
		}
	}
}

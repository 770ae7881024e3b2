package main_test

import (
	"bufio"
	"database/sql"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	domain "github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/envelope"
	"github.com/amparo-project/amparo/internal/pgtest"
	"github.com/amparo-project/amparo/internal/storetest"
	"github.com/amparo-project/amparo/internal/testenv"
	"github.com/amparo-project/amparo/sqldb"
)

// TestServe_SeveralProcesses runs three serve processes on one PostgreSQL
// database behind a reverse proxy of the test's own, as a statewide
// program does: a session started through one works through the others,
// sign-in guesses spread over the three are limited as if to one, the
// hourly jobs run once however many processes serve, and stopping a
// process that holds a job (kill -9, then SIGTERM) loses no job.
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
	master := envelope.GenerateMasterKey()
	env := []string{"AMPARO_DB=" + dsn, "AMPARO_MASTER_KEY=" + envelope.EncodeKey(master)}
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
	var procs []*exec.Cmd
	for range 3 {
		cmd := exec.Command(binary, "serve", "--addr", "127.0.0.1:0", "--public-url", proxy.URL, "--trusted-proxy", "127.0.0.1")
		// A claimed job is its process's for 3 s, not 5 minutes, so that
		// the test sees another process take over a stopped one's job.
		cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir(), "AMPARO_JOB_LEASE=3s"}, env...)
		procs = append(procs, cmd)
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
		if done == 5 {
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
	for _, k := range []string{"status_lists.refresh", "letters.expire", "limits.prune", "workshops.forget", "messages.purge", "workshops.remind"} {
		if kinds[k] != 1 {
			t.Errorf("%s ran %d times this period across three processes, want once", k, kinds[k])
		}
	}

	// Stopping a process loses no job. A job is held in its handler (the
	// table it prunes is locked) by whichever process claimed it; that
	// process is stopped. Killed (-9), it leaves its claim, which another
	// process takes when the lease ends; stopped with SIGTERM, it gives
	// the job back as failed before exiting, and another retries it.
	k, err := envelope.New(master)
	if err != nil {
		t.Fatal(err)
	}
	db, err := sqldb.Open(dsn, k, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	raw, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	type listed struct {
		ID, State, LockedBy, LastError string
		Attempt                        int
	}
	find := func(id string) listed {
		t.Helper()
		out, errOut, code := amparo(t, env, "jobs", "list", "--json")
		if code != 0 {
			t.Fatalf("jobs list: %s", errOut)
		}
		var all []struct {
			ID        string `json:"id"`
			State     string `json:"state"`
			Attempt   int    `json:"attempt"`
			LockedBy  string `json:"locked_by"`
			LastError string `json:"last_error"`
		}
		if err := json.Unmarshal([]byte(out), &all); err != nil {
			t.Fatalf("jobs list --json: %v", err)
		}
		for _, j := range all {
			if j.ID == id {
				return listed{ID: j.ID, State: j.State, LockedBy: j.LockedBy, Attempt: j.Attempt, LastError: j.LastError}
			}
		}
		t.Fatalf("job %s is not listed", id)
		return listed{}
	}
	waitFor := func(id string, ok func(listed) bool) listed {
		t.Helper()
		var j listed
		for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
			if j = find(id); ok(j) {
				return j
			}
		}
		t.Fatalf("job %s stays %+v", id, j)
		return j
	}
	stopped := map[int]bool{}
	for _, stop := range []syscall.Signal{syscall.SIGKILL, syscall.SIGTERM} {
		lock, err := raw.BeginTx(t.Context(), nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := lock.Exec("LOCK TABLE limits IN ACCESS EXCLUSIVE MODE"); err != nil {
			t.Fatal(err)
		}
		job := &domain.Job{Kind: "limits.prune", MaxAttempts: 5}
		if _, err := db.EnqueueJob(storetest.System, job); err != nil {
			t.Fatal(err)
		}
		held := waitFor(job.ID, func(j listed) bool { return j.State == "running" })
		var holder *exec.Cmd
		for _, p := range procs {
			if strings.Contains(held.LockedBy, "-"+strconv.Itoa(p.Process.Pid)+"-") {
				holder = p
			}
		}
		if holder == nil || stopped[holder.Process.Pid] {
			t.Fatalf("the job is held by %q, no process still serving", held.LockedBy)
		}
		holder.Process.Signal(stop)
		holder.Wait()
		stopped[holder.Process.Pid] = true
		if err := lock.Rollback(); err != nil {
			t.Fatal(err)
		}
		done := waitFor(job.ID, func(j listed) bool { return j.State == "done" })
		// Run once to completion: the stopped process's attempt did not
		// finish (its transaction never committed), the next one did.
		if done.Attempt != 2 {
			t.Errorf("after %v, the job was done at attempt %d, want 2", stop, done.Attempt)
		}
		// SIGTERM: the process said why it gave the job back.
		if stop == syscall.SIGTERM && done.LastError == "" {
			t.Error("after SIGTERM, the job was not given back before the process exited")
		}
		t.Logf("after %v of the process holding it, the job was done by another (attempt %d; last error %q)", stop, done.Attempt, done.LastError)
	}
}

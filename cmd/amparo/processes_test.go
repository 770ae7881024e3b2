package main_test

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"database/sql"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/http/httputil"
	"net/mail"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
	"github.com/pquerna/otp/totp"

	domain "github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/auth"
	"github.com/amparo-project/amparo/envelope"
	"github.com/amparo-project/amparo/internal/storetest"
	"github.com/amparo-project/amparo/sqldb"
)

// TestServe_SeveralProcesses runs three serve processes on one PostgreSQL
// database behind a reverse proxy of the test's own, as a statewide
// program does: a session started through one works through the others,
// sign-in guesses spread over the three are limited as if to one, the
// hourly jobs run once however many processes serve, invitations made
// through the proxy each e-mail their person once although one process
// is killed (-9) and another stopped (SIGTERM) while they send, and
// stopping a process that holds a job (kill -9, then SIGTERM) loses no job.
func TestServe_SeveralProcesses(t *testing.T) {
	t.Parallel()
	cl := sharedCluster(t)
	if cl == nil {
		return
	}
	dsn, err := cl.CreateDatabase(t.Context(), "several")
	if err != nil {
		t.Fatal(err)
	}
	master := envelope.GenerateMasterKey()
	env := []string{"AMPARO_DB=" + dsn, "AMPARO_MASTER_KEY=" + envelope.EncodeKey(master)}
	if _, errOut, code := amparo(t, env, "migrate"); code != 0 {
		t.Fatalf("migrate: %s", errOut)
	}
	inbox := startInbox(t)
	smtpHost, smtpPort, _ := net.SplitHostPort(inbox.addr)

	// The proxy: each request to the next serving process in turn. A
	// process leaves the turn before it is stopped, as a load balancer's
	// health check takes it out, and its replacement joins it.
	var (
		mu   sync.Mutex
		live []*servingProcess
		next atomic.Int64
	)
	proxy := httptest.NewServer(&httputil.ReverseProxy{Rewrite: func(r *httputil.ProxyRequest) {
		mu.Lock()
		b := live[int(next.Add(1))%len(live)].url
		mu.Unlock()
		r.SetURL(b)
		r.SetXForwarded()
	}})
	defer proxy.Close()
	start := func() *servingProcess {
		t.Helper()
		cmd := exec.Command(binary, "serve", "--addr", "127.0.0.1:0", "--public-url", proxy.URL, "--trusted-proxy", "127.0.0.1",
			"--smtp-host", smtpHost, "--smtp-port", smtpPort, "--smtp-from", "programa@cartas.example.org", "--smtp-ca-file", inbox.caFile)
		// A claimed job is its process's for 3 s, not 5 minutes, so that
		// the test sees another process take over a stopped one's job.
		cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir(), "AMPARO_JOB_LEASE=3s"}, env...)
		p := &servingProcess{cmd: cmd}
		p.url, _ = url.Parse(startServing(t, cmd))
		mu.Lock()
		live = append(live, p)
		mu.Unlock()
		return p
	}
	stop := func(p *servingProcess, sig syscall.Signal) {
		mu.Lock()
		live = slices.DeleteFunc(live, func(q *servingProcess) bool { return q == p })
		mu.Unlock()
		p.cmd.Process.Signal(sig)
		p.cmd.Wait()
	}
	serving := func() []*servingProcess {
		mu.Lock()
		defer mu.Unlock()
		return slices.Clone(live)
	}
	for range 3 {
		start()
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
	ps := serving()
	for i, p := range ps {
		req, _ := http.NewRequest("GET", p.url.String()+"dashboard", nil)
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

	// Guesses spread over the three processes in turn, from one address,
	// until one is refused. One process alone gives an account five
	// checked guesses from an address, then makes each further guess wait
	// 1 s, 2 s, 4 s ... after the last failure. Shared, the limit refuses a
	// guess at a process that has itself checked fewer than five (three
	// limits of their own would each check five, fifteen in all, before
	// the first refusal); and a sixth or later guess may be checked only
	// if the wait had run out (on a loaded machine a guess can take more
	// than a second: then the next is rightly checked), measured from the
	// previous checked guess's sending to this one's answer, the widest the
	// server's clock can have seen.
	type guess struct {
		sent, answered time.Time
		checked        bool
	}
	var guesses []guess
	refused := -1
	for i := 0; i < 15 && refused < 0; i++ {
		g := guess{sent: time.Now()}
		res, err := noFollow.PostForm(ps[i%3].url.String()+"signin", url.Values{"email": {"ines@example.org"}, "password": {"not the password"}})
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		g.answered = time.Now()
		switch res.StatusCode {
		case http.StatusUnprocessableEntity, http.StatusUnauthorized:
			g.checked = true
		case http.StatusTooManyRequests:
			refused = i
		default:
			t.Fatalf("guess %d: %d", i, res.StatusCode)
		}
		guesses = append(guesses, g)
	}
	checkedAt := func(proc int) (n int) {
		for i, g := range guesses {
			if g.checked && i%3 == proc {
				n++
			}
		}
		return n
	}
	switch {
	case refused < 0:
		t.Errorf("15 guesses over three processes were all checked: each process limits on its own")
	case refused < 5:
		t.Errorf("guess %d was refused: the first five are free", refused)
	case checkedAt(refused%3) >= 5:
		t.Errorf("the first refusal came at guess %d, from a process that had checked five itself", refused)
	}
	last, n := -1, 0
	for i, g := range guesses {
		if !g.checked {
			continue
		}
		if n >= 5 {
			wait := time.Second << (n - 5)
			if took := g.answered.Sub(guesses[last].sent); took < wait {
				t.Errorf("guess %d was checked %v after guess %d: the shared limit makes it wait %v", i, took, last, wait)
			}
		}
		last, n = i, n+1
	}
	t.Logf("%d guesses over three processes: %d checked, the first refused at guess %d", len(guesses), n, refused)

	// The hourly jobs ran once this hour, though three processes serve.
	var jobs []struct{ Kind, State string }
	periodic := []string{"status_lists.refresh", "letters.expire", "limits.prune", "workshops.forget", "messages.purge", "workshops.remind"}
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
		if done == len(periodic) {
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
	for _, k := range periodic {
		if kinds[k] != 1 {
			t.Errorf("%s ran %d times this period across three processes, want once", k, kinds[k])
		}
	}

	// Jobs enqueued by requests run once in all, and stopping a process
	// loses none: the administrator, second factor set up, makes
	// invitations through the proxy (so through the three in turn), each
	// of which enqueues its e-mail with it. A third of the way, the
	// process that took the last one is killed (-9), two thirds of the
	// way another is stopped (SIGTERM); each is started again. The SMTP
	// server answers each message 50 ms after taking it, so a stop may
	// fall between its taking a message and the sender hearing so: that
	// message is sent again with the same Message-ID (its idempotency
	// key), which a receiving server recognizes. Every person gets their
	// e-mail under one Message-ID, none is lost, and none is left to send.
	jar, _ := cookiejar.New(nil)
	public, _ := url.Parse(proxy.URL)
	jar.SetCookies(public, []*http.Cookie{session})
	admin := &http.Client{Jar: jar, CheckRedirect: noFollow.CheckRedirect}
	enrollment, err := auth.NewTOTP("Amparo", "ines@example.org")
	if err != nil {
		t.Fatal(err)
	}
	totpCode, _ := totp.GenerateCode(enrollment.Secret, time.Now())
	res, err = admin.PostForm(proxy.URL+"/account/totp", url.Values{"secret": {enrollment.Secret}, "code": {totpCode}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/account/recovery" {
		t.Fatalf("second factor: %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
	const invitations = 24
	for i := range invitations {
		if i == invitations/3 || i == 2*invitations/3 {
			sig := syscall.SIGKILL
			if i == 2*invitations/3 {
				sig = syscall.SIGTERM
			}
			mu.Lock()
			victim := live[int(next.Load())%len(live)] // the one that took the last invitation
			mu.Unlock()
			stop(victim, sig)
			start()
			t.Logf("after %d invitations: process %d stopped with %v, another started", i, victim.cmd.Process.Pid, sig)
		}
		res, err := admin.PostForm(proxy.URL+"/accounts/invitations", url.Values{"email": {invitee(i)}, "role": {"auditor"}})
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("invitation %d: %d", i, res.StatusCode)
		}
	}
	type outboxCounts map[string]struct{ Queued, Retrying, Failed int }
	var left outboxCounts
	for deadline := time.Now().Add(90 * time.Second); ; time.Sleep(200 * time.Millisecond) {
		out, errOut, code := amparo(t, env, "outbox", "status", "--json")
		if code != 0 {
			t.Fatalf("outbox status: %s", errOut)
		}
		left = nil
		if err := json.Unmarshal([]byte(out), &left); err != nil {
			t.Fatalf("outbox status --json: %v: %s", err, out)
		}
		if e := left["email"]; e.Queued+e.Retrying+e.Failed == 0 && len(inbox.recipients()) == invitations || time.Now().After(deadline) {
			break
		}
	}
	if e := left["email"]; e.Queued+e.Retrying+e.Failed != 0 {
		t.Errorf("e-mails left in the outbox: %+v", e)
	}
	got := inbox.recipients()
	ids := map[string]bool{}
	for i := range invitations {
		to := invitee(i)
		if len(got[to]) != 1 {
			t.Errorf("%s got %d e-mails under distinct Message-IDs %v, want 1", to, len(got[to]), got[to])
		}
		for _, id := range got[to] {
			if ids[id] {
				t.Errorf("Message-ID %s reached two people", id)
			}
			ids[id] = true
		}
	}
	if len(got) != invitations {
		t.Errorf("%d people got e-mail, want %d", len(got), invitations)
	}
	deliveries, withoutLink := inbox.counts(proxy.URL + "/invite/")
	if withoutLink != 0 {
		t.Errorf("%d e-mails lack an invitation link under the public URL", withoutLink)
	}
	t.Logf("%d invitations: %d e-mails under %d Message-IDs (%d sent again after a stop, under the same Message-ID)",
		invitations, deliveries, len(ids), deliveries-len(ids))

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
	for _, sig := range []syscall.Signal{syscall.SIGKILL, syscall.SIGTERM} {
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
		var holder *servingProcess
		for _, p := range serving() {
			if strings.Contains(held.LockedBy, "-"+strconv.Itoa(p.cmd.Process.Pid)+"-") {
				holder = p
			}
		}
		if holder == nil {
			t.Fatalf("the job is held by %q, no process still serving", held.LockedBy)
		}
		stop(holder, sig)
		if err := lock.Rollback(); err != nil {
			t.Fatal(err)
		}
		done := waitFor(job.ID, func(j listed) bool { return j.State == "done" })
		// Run once to completion: the stopped process's attempt did not
		// finish (its transaction never committed), the next one did.
		if done.Attempt != 2 {
			t.Errorf("after %v, the job was done at attempt %d, want 2", sig, done.Attempt)
		}
		// SIGTERM: the process said why it gave the job back.
		if sig == syscall.SIGTERM && done.LastError == "" {
			t.Error("after SIGTERM, the job was not given back before the process exited")
		}
		t.Logf("after %v of the process holding it, the job was done by another (attempt %d; last error %q)", sig, done.Attempt, done.LastError)
	}
}

// servingProcess is one `amparo serve` of TestServe_SeveralProcesses.
type servingProcess struct {
	cmd *exec.Cmd
	url *url.URL
}

// invitee is the fictional address of the test's i-th invitation.
func invitee(i int) string { return fmt.Sprintf("persona.prueba%02d@example.org", i) }

// inbox is a real SMTP server (STARTTLS with a CA of its own, no
// authentication) that keeps, for each recipient, the Message-IDs of the
// e-mails it took, as a receiving server that recognizes a message sent
// again would. It answers each message 50 ms after taking it.
type inbox struct {
	addr, caFile string
	mu           sync.Mutex
	byRecipient  map[string][]string // distinct Message-IDs
	deliveries   int
	bodies       [][]byte
}

func startInbox(t *testing.T) *inbox {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(13), Subject: pkix.Name{CommonName: "127.0.0.1"}, IPAddresses: []net.IP{net.ParseIP("127.0.0.1")},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	in := &inbox{caFile: filepath.Join(t.TempDir(), "ca.pem"), byRecipient: map[string][]string{}}
	if err := os.WriteFile(in.caFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	s := smtp.NewServer(in)
	s.Domain = "127.0.0.1"
	s.ReadTimeout, s.WriteTimeout = 30*time.Second, 30*time.Second
	s.TLSConfig = &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	in.addr = l.Addr().String()
	go s.Serve(l)
	t.Cleanup(func() { s.Close() })
	return in
}

func (in *inbox) NewSession(*smtp.Conn) (smtp.Session, error) { return &inboxSession{in: in}, nil }

// recipients is, for each recipient, the Message-IDs it got.
func (in *inbox) recipients() map[string][]string {
	in.mu.Lock()
	defer in.mu.Unlock()
	got := map[string][]string{}
	for to, ids := range in.byRecipient {
		got[to] = slices.Clone(ids)
	}
	return got
}

// counts is how many e-mails the server took, and how many of them lack
// a link starting with prefix.
func (in *inbox) counts(prefix string) (deliveries, without int) {
	in.mu.Lock()
	defer in.mu.Unlock()
	for _, b := range in.bodies {
		// Quoted-printable: a long line is cut with "=\r\n".
		if !bytes.Contains(bytes.ReplaceAll(b, []byte("=\r\n"), nil), []byte(prefix)) {
			without++
		}
	}
	return in.deliveries, without
}

type inboxSession struct {
	in *inbox
	to []string
}

func (s *inboxSession) Mail(string, *smtp.MailOptions) error { return nil }
func (s *inboxSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.to = append(s.to, to)
	return nil
}
func (s *inboxSession) Reset()        { s.to = nil }
func (s *inboxSession) Logout() error { return nil }

func (s *inboxSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	msg, err := mail.ReadMessage(bytes.NewReader(b))
	if err != nil {
		return err
	}
	id := msg.Header.Get("Message-Id")
	s.in.mu.Lock()
	s.in.deliveries++
	s.in.bodies = append(s.in.bodies, b)
	for _, to := range s.to {
		if !slices.Contains(s.in.byRecipient[to], id) {
			s.in.byRecipient[to] = append(s.in.byRecipient[to], id)
		}
	}
	s.in.mu.Unlock()
	time.Sleep(50 * time.Millisecond)
	return nil
}

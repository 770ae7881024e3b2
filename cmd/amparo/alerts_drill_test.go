package main_test

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	osexec "os/exec"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	domain "github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/auth"
	"github.com/amparo-project/amparo/internal/fakegateway"
	"github.com/amparo-project/amparo/internal/testenv"
)

// drillAlerts is how many alerts the alert drill raises under CI=true
// (and with AMPARO_DRILL_KILLS set); a developer's run raises 30.
const drillAlerts = 200

// TestDrill_KillAlertFanOut kills amparo serve (kill -9) at random moments
// while 200 alerts, raised by a hotline worker one after another and each
// retried with its own key until serve answers, fan out to three responders
// each by SMS through the fake gateway, and restarts it on the same folder
// and port each time: 20 kills under CI=true, 2 elsewhere (or
// AMPARO_DRILL_KILLS). At the end every responder of every alert got its
// message at the gateway exactly once — one record per acknowledgement
// link, one per idempotency token, to the responder's own number — no
// alert is lost or doubled, every alert's timeline is whole (raised, then
// one message line per responder, numbered without a gap, each message
// handed over), and the store passes its checks.
func TestDrill_KillAlertFanOut(t *testing.T) {
	t.Parallel()
	kills, drillAlerts := drillKills(t), drillAlerts
	if !testenv.CI() && os.Getenv("AMPARO_DRILL_KILLS") == "" {
		kills, drillAlerts = 2, 30
	}
	r := drillRand(t)
	data, signer := demoAttorney(t)
	password := regexp.MustCompile(`with the password "([^"]+)"`).FindStringSubmatch(demoSeeded.out)
	if password == nil {
		t.Fatal("the demo printed no password")
	}
	gw := fakegateway.New(t, fakegateway.Options{})
	addr := freePort(t)
	base := "http://" + addr
	var cmd *osexec.Cmd
	var log bytes.Buffer
	kill := func() {
		if cmd != nil {
			cmd.Process.Kill()
			cmd.Wait()
			cmd = nil
		}
	}
	start := func() {
		t.Helper()
		c := command(t, "serve", "--data", data, "--addr", addr, "--public-url", base,
			"--sms-base-url", gw.URL, "--sms-account-sid", gw.SID, "--sms-from", "+12135550999")
		// A dead process's claimed sends are taken again after 1 s, not 5 minutes.
		c.Env = append(c.Env, "AMPARO_SMS_AUTH_TOKEN="+gw.Token, "AMPARO_JOB_LEASE=1s")
		log.Reset()
		c.Stdout, c.Stderr = io.Discard, &log
		if err := c.Start(); err != nil {
			t.Fatal(err)
		}
		cmd = c
		if !waitHealthy(base + "/healthz") {
			kill()
			t.Fatalf("serve never answered:\n%s", log.String())
		}
	}
	start()
	t.Cleanup(kill)

	jar, _ := cookiejar.New(nil)
	is := &issuer{base: base, issued: map[string]bool{},
		c: &http.Client{Jar: jar, Timeout: 30 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	if code, loc, err := is.post("/signin", url.Values{"email": {signer.email}, "password": {password[1]}}); err != nil || code != http.StatusSeeOther {
		t.Fatalf("sign in: %d %q %v", code, loc, err)
	}
	if code, loc, err := is.post("/signin/code", url.Values{"code": {signer.codes(t)()}}); err != nil || code != http.StatusSeeOther {
		t.Fatalf("second step: %d %q %v", code, loc, err)
	}

	// 200 clients, each with a plan of three responders by SMS and voice
	// (an hour's wait: no escalation call during the drill), each
	// responder's number the drill's own.
	began := time.Now()
	clients := make([]string, drillAlerts)
	phones := map[string][3]string{} // client: its responders' numbers
	for i := range drillAlerts {
		clients[i] = domain.NewID()
		code, loc, err := is.post("/clients", url.Values{"id": {clients[i]}, "legal_name": {fmt.Sprintf("Alerta%d Ejemplo Ficticia", i)},
			"birth_date": {fmt.Sprintf("19%02d-%02d-%02d", 60+i%40, 1+i%12, 1+i%28)}, "language": {"es"}, "situation": {"daca"},
			"consent": {"on"}, "conflicts_reviewed": {"on"}})
		if err != nil || code != http.StatusSeeOther {
			t.Fatalf("client %d: %d %q %v", i, code, loc, err)
		}
		var p [3]string
		plan := url.Values{"minutes": {"60"}, "message.es": {"Me están deteniendo."}, "message.en": {"I am being stopped."}}
		for k, kind := range []string{"attorney", "hotline", "contact"} {
			n := fmt.Sprint(k)
			p[k] = fmt.Sprintf("+1646555%04d", 3*i+k)
			plan.Set("kind"+n, kind)
			plan.Set("name"+n, fmt.Sprintf("Respondedor%d Ficticio", k))
			plan.Set("phone"+n, p[k])
			plan.Set("language"+n, []string{"en", "es"}[k%2])
			plan.Set("channel"+n+".sms", "on")
			plan.Set("channel"+n+".voice", "on")
			if kind == "contact" {
				plan.Set("consent"+n, "on")
				plan.Set("relation"+n, "hermana")
			}
		}
		phones[clients[i]] = p
		if code, loc, err := is.post("/clients/"+clients[i]+"/plan", plan); err != nil || code != http.StatusSeeOther {
			t.Fatalf("plan %d: %d %q %v", i, code, loc, err)
		}
	}

	t.Logf("%d clients and plans made in %v", drillAlerts, time.Since(began).Round(time.Millisecond))
	began = time.Now()
	// The hotline worker raises the alerts one after another; a request
	// serve did not answer is sent again with the same key once it is back.
	keys := make([]string, drillAlerts)
	for i := range keys {
		keys[i] = auth.NewToken()
	}
	var mu sync.Mutex
	acked := map[string]string{} // client: the alert serve answered with
	// Each run of serve gets its share of the alerts to raise, so that
	// every kill falls while alerts are raised and fanning out.
	share := drillAlerts / (kills + 1)
	allowed := share
	done := make(chan error, 1)
	go func() {
		for i := 0; i < drillAlerts; {
			mu.Lock()
			wait := i >= allowed
			mu.Unlock()
			if wait {
				time.Sleep(5 * time.Millisecond)
				continue
			}
			code, loc, err := is.post("/alerts", url.Values{"key": {keys[i]}, "client_id": {clients[i]}})
			if err != nil {
				time.Sleep(20 * time.Millisecond)
				continue
			}
			if code != http.StatusSeeOther || !strings.HasPrefix(loc, "/alerts#alert-") {
				done <- fmt.Errorf("alert %d: %d to %q", i, code, loc)
				return
			}
			mu.Lock()
			acked[clients[i]] = strings.TrimPrefix(loc, "/alerts#alert-")
			mu.Unlock()
			i++
		}
		done <- nil
	}()
	for k := 1; k <= kills; k++ {
		enoughTime(t, 20*time.Second, k-1, kills)
		d := between(r, 10*time.Millisecond, 400*time.Millisecond)
		time.Sleep(d)
		kill()
		mu.Lock()
		n := len(acked)
		mu.Unlock()
		t.Logf("kill %d after %v: %d alerts acknowledged, %d messages at the gateway", k, d.Round(time.Millisecond), n, len(gw.Records()))
		start()
		mu.Lock()
		allowed += share
		if k == kills {
			allowed = drillAlerts
		}
		mu.Unlock()
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}

	// Every message handed over: 3 per alert at the gateway.
	want := 3 * drillAlerts
	deadline := time.Now().Add(2 * time.Minute)
	t.Logf("raised %d alerts through %d kills in %v", drillAlerts, kills, time.Since(began).Round(time.Millisecond))
	ours := map[string]bool{}
	for _, p := range phones {
		for _, n := range p {
			ours[n] = true
		}
	}
	began = time.Now()
	atGateway := func() (n int) {
		for _, rec := range gw.Records() {
			if ours[rec.To] {
				n++
			}
		}
		return n
	}
	for atGateway() < want && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
	}
	t.Logf("%d messages at the gateway %v after the last alert", atGateway(), time.Since(began).Round(time.Millisecond))
	// The drill's alerts are open; the demo's are resolved, and its e-mail
	// waits for a mail server this serve does not have.
	db := openSQLite(t, data)
	for time.Now().Before(deadline) {
		if count(t, db, `SELECT COUNT(*) FROM messages m JOIN alert_events e ON e.message_id = m.id JOIN alerts a ON a.id = e.alert_id
			WHERE a.source = 'hotline' AND a.status <> 'resolved' AND m.status = 'queued'`) == 0 {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	time.Sleep(300 * time.Millisecond) // the last callbacks
	kill()
	gw.Wait()
	checkStore(t, data, "the end")

	// Exactly one record per responder per alert, by acknowledgement link
	// and by idempotency token, to that responder's number.
	link := regexp.MustCompile(regexp.QuoteMeta(base) + `/a/([A-Za-z0-9_-]+)`)
	byLink, byToken := map[string]int{}, map[string]int{}
	for _, rec := range gw.Records() {
		if !ours[rec.To] {
			continue // the demo's own messages, queued when it ran
		}
		if rec.Kind != "sms" {
			t.Fatalf("a %s to a responder during the drill: no escalation was due", rec.Kind)
		}
		m := link.FindStringSubmatch(rec.Body)
		if m == nil {
			t.Fatalf("an SMS with no acknowledgement link: %q", rec.Body)
		}
		byLink[m[1]]++
		byToken[rec.Token]++
		var alertID, client string
		var idx int
		if err := db.QueryRow("SELECT r.alert_id, r.idx, a.client_id FROM alert_recipients r JOIN alerts a ON a.id = r.alert_id WHERE r.token_hash = ?",
			auth.TokenHash(m[1])).Scan(&alertID, &idx, &client); err != nil {
			t.Fatalf("the link of a message at the gateway names no alert's responder: %v", err)
		}
		if got := phones[client]; idx > 2 || got[idx] != rec.To {
			t.Fatalf("alert %s: responder %d's message went to another number", alertID, idx)
		}
	}
	for l, n := range byLink {
		if n != 1 {
			t.Errorf("acknowledgement link %s…: %d messages at the gateway", l[:6], n)
		}
	}
	for tok, n := range byToken {
		if n != 1 || tok == "" {
			t.Errorf("idempotency token %q: %d messages", tok, n)
		}
	}
	if len(byLink) != want {
		t.Errorf("%d responders' messages at the gateway, want %d", len(byLink), want)
	}

	// One alert per client, the one serve answered with; each timeline whole.
	for _, c := range clients {
		if n := count(t, db, "SELECT COUNT(*) FROM alerts WHERE client_id = ?", c); n != 1 {
			t.Fatalf("client %s: %d alerts, want 1", c, n)
		}
		var id string
		if err := db.QueryRow("SELECT id FROM alerts WHERE client_id = ?", c).Scan(&id); err != nil {
			t.Fatalf("client's alert: %v", err)
		}
		if acked[c] != id {
			t.Errorf("client %s: serve answered alert %s, the store holds %s", c, acked[c], id)
		}
		rows, err := db.Query(`SELECT e.seq, e.kind, e.responder, COALESCE(m.status, '') FROM alert_events e LEFT JOIN messages m ON m.id = e.message_id
			WHERE e.alert_id = ? ORDER BY e.seq`, id)
		if err != nil {
			t.Fatal(err)
		}
		var line []string
		seq := 0
		for rows.Next() {
			var n, resp int
			var kind, status string
			rows.Scan(&n, &kind, &resp, &status)
			if n != seq {
				t.Errorf("alert %s: line %d numbered %d", id, seq, n)
			}
			seq++
			if kind == "message" && status != "sent" && status != "delivered" {
				t.Errorf("alert %s: responder %d's message is %s", id, resp, status)
			}
			line = append(line, fmt.Sprintf("%s:%d", kind, resp))
		}
		rows.Close()
		if got := strings.Join(line, ","); got != "raised:-1,message:0,message:1,message:2" {
			t.Errorf("alert %s: timeline %s", id, got)
		}
	}
	t.Logf("alert drill: %d kills; %d alerts, %d messages at the gateway from %d send requests", kills, drillAlerts, len(gw.Records()), gw.Requests())
}

package main_test

import (
	"bufio"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// A deployment's settings are checked before anything is opened: one
// line naming the setting and the fix, a non-zero exit, no data folder.
func TestServe_DeploymentSettingsChecked(t *testing.T) {
	for _, tt := range []struct {
		args []string
		says string
	}{
		{[]string{"--public-url", "ftp://cartas.example.org"}, "--public-url \"ftp://cartas.example.org\": give the site's address alone"},
		{[]string{"--public-url", "https://cartas.example.org/v?x=1"}, "--public-url"},
		{[]string{"--trusted-proxy", "10.0.0.0/8,10.0.0.0/33"}, "--trusted-proxy \"10.0.0.0/33\": not an address or CIDR range"},
		{[]string{"--trusted-proxy", "balancer"}, "--trusted-proxy \"balancer\""},
		{[]string{"--tls-cert", "cert.pem"}, "--tls-cert and --tls-key go together"},
		{[]string{"--tls-cert", "missing-cert.pem", "--tls-key", "missing-key.pem"}, "--tls-cert missing-cert.pem, --tls-key missing-key.pem: open missing-cert.pem: no such file or directory: give the PEM files"},
		{[]string{"--public-url", "https://cartas.example.org"}, "trusts no proxy to end TLS for it"},
	} {
		data := filepath.Join(t.TempDir(), "data")
		_, errOut, code := amparo(t, nil, append([]string{"serve", "--data", data, "--addr", "127.0.0.1:0"}, tt.args...)...)
		if code == 0 || !strings.Contains(errOut, tt.says) || strings.Count(strings.TrimSpace(errOut), "\n") > 0 {
			t.Errorf("serve %v: exit %d, said %q; want one line with %q", tt.args, code, errOut, tt.says)
		}
		if _, err := os.Stat(data); err == nil {
			t.Errorf("serve %v made the data folder", tt.args)
		}
	}
}

// Behind a proxy that serves https://cartas.example.org, every link the
// program gives out starts with the public URL (an invitation's, and the
// phone link of a letter the demo issued before the public URL was set),
// and HSTS is sent.
func TestServe_BehindAProxy(t *testing.T) {
	data := demoData(t)
	env := []string{"AMPARO_DATA=" + data}
	cmd := exec.Command(binary, "serve", "--addr", "127.0.0.1:0", "--public-url", "https://cartas.example.org", "--trusted-proxy", "127.0.0.1")
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH")}, env...)
	stdout, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cmd.Process.Signal(syscall.SIGTERM); cmd.Wait() }()
	urlc := make(chan string, 1)
	go func() {
		s := bufio.NewScanner(stdout)
		for s.Scan() {
			if u := regexp.MustCompile(`http://127\.0\.0\.1:\d+/`).FindString(s.Text()); u != "" {
				urlc <- u
			}
		}
	}()
	var base string
	select {
	case base = <-urlc:
	case <-time.After(60 * time.Second):
		t.Fatal("serve printed no address")
	}
	if !waitHealthy(base + "healthz") {
		t.Fatal("never healthy")
	}
	res, err := http.Get(base)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.Header.Get("Strict-Transport-Security") == "" {
		t.Error("no HSTS behind an https public URL")
	}
	out, errOut, code := amparo(t, env, "invite", "--email", "inés@example.org", "--role", "program_admin")
	if code != 0 || !regexp.MustCompile(`\n  https://cartas\.example\.org/invite/[A-Za-z0-9_-]{22}\n`).MatchString(out) {
		t.Errorf("invite: %d %s\n%s", code, errOut, out)
	}
	var active string
	for _, l := range decode[[]letterJSON](t, ok(t, "letter", "list", "--json", "--data", data)) {
		if l.Status == "active" {
			active = l.ID
		}
	}
	if phone := decode[phoneJSON](t, ok(t, "letter", "phone", active, "--json", "--data", data)); !strings.HasPrefix(phone.URL, "https://cartas.example.org/p/") {
		t.Errorf("the phone link is %q, not under the public URL", phone.URL)
	}
}

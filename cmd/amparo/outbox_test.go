package main

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"io"
	"math/big"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"github.com/amparo-project/amparo"
)

// testMailServer is a real SMTP server (STARTTLS with its own CA, AUTH
// PLAIN) that refuses nadie@ for good.
type testMailServer struct {
	addr, caFile string
	mu           sync.Mutex
	got          [][]byte
}

func (ms *testMailServer) NewSession(*smtp.Conn) (smtp.Session, error) {
	return &testMailSession{ms: ms}, nil
}

func (ms *testMailServer) mails() [][]byte {
	ms.mu.Lock()
	defer ms.mu.Unlock()
	return append([][]byte(nil), ms.got...)
}

type testMailSession struct {
	ms   *testMailServer
	auth bool
}

func (s *testMailSession) AuthMechanisms() []string { return []string{sasl.Plain} }
func (s *testMailSession) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, u, p string) error {
		if u != "amparo" || p != "smtp-test-password" {
			return &smtp.SMTPError{Code: 535, EnhancedCode: smtp.EnhancedCode{5, 7, 8}, Message: "no"}
		}
		s.auth = true
		return nil
	}), nil
}
func (s *testMailSession) Mail(string, *smtp.MailOptions) error {
	if !s.auth {
		return smtp.ErrAuthRequired
	}
	return nil
}
func (s *testMailSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	if strings.HasPrefix(to, "nadie@") {
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such mailbox"}
	}
	return nil
}
func (s *testMailSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	s.ms.mu.Lock()
	s.ms.got = append(s.ms.got, b)
	s.ms.mu.Unlock()
	return err
}
func (s *testMailSession) Reset()        {}
func (s *testMailSession) Logout() error { return nil }

func startTestMailServer(t *testing.T) *testMailServer {
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(7), Subject: pkix.Name{CommonName: "127.0.0.1"}, IPAddresses: []net.IP{net.ParseIP("127.0.0.1")},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	ms := &testMailServer{caFile: filepath.Join(t.TempDir(), "ca.pem")}
	if err := os.WriteFile(ms.caFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	s := smtp.NewServer(ms)
	s.Domain = "127.0.0.1"
	s.TLSConfig = &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ms.addr = l.Addr().String()
	go s.Serve(l)
	t.Cleanup(func() { s.Close() })
	return ms
}

// lockedBuffer is a buffer two goroutines write and read.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func waitFor(t *testing.T, what string, ok func() bool) {
	t.Helper()
	for range 600 {
		if ok() {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("waited 30 s for %s", what)
}

// A serving process with SMTP configured e-mails each new invitation's
// link, in English and Spanish, built from --public-url; a bounce is a
// failed message that `amparo outbox status` counts and `amparo outbox
// retry` queues again. No address or token reaches the log.
func TestServe_InvitationEmailAndOutboxCommands(t *testing.T) {
	ms := startTestMailServer(t)
	host, port, _ := net.SplitHostPort(ms.addr)
	data := t.TempDir()
	var stdout, stderr lockedBuffer
	m := &Main{Stdout: &stdout, Stderr: &stderr, Getenv: func(k string) string {
		if k == "AMPARO_SMTP_PASSWORD" {
			return "smtp-test-password"
		}
		return ""
	}}
	ctx, cancel := context.WithCancel(t.Context())
	served := make(chan error, 1)
	go func() {
		served <- runServe(ctx, m, []string{"--data", data, "--addr", "127.0.0.1:0", "--public-url", "http://cartas.example.org",
			"--smtp-host", host, "--smtp-port", port, "--smtp-user", "amparo", "--smtp-from", "programa@cartas.example.org", "--smtp-ca-file", ms.caFile})
	}()
	defer func() {
		cancel()
		if err := <-served; err != nil {
			t.Errorf("serve: %v", err)
		}
	}()
	waitFor(t, "the server", func() bool { return strings.Contains(stdout.String(), "Amparo is serving on") })

	sys := amparo.NewContextWithActor(context.Background(), amparo.SystemActor)
	inv := &amparo.Invitation{Email: "ana.prueba@example.org", Role: amparo.RoleProgramAdmin}
	if err := m.DB.CreateInvitation(sys, inv); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the invitation e-mail", func() bool { return len(ms.mails()) == 1 })
	msg, err := mail.ReadMessage(bytes.NewReader(ms.mails()[0]))
	if err != nil {
		t.Fatal(err)
	}
	subject, _ := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	body, _ := io.ReadAll(quotedprintable.NewReader(msg.Body))
	link := "http://cartas.example.org/invite/" + inv.Token
	if subject != "Your invitation to Amparo / Su invitación a Amparo" || !strings.Contains(string(body), "You are invited to join Amparo as program administrator") ||
		!strings.Contains(string(body), "Se le invita a unirse a Amparo") || strings.Count(string(body), link) != 2 {
		t.Errorf("subject %q, body:\n%s", subject, body)
	}

	bounced := &amparo.Invitation{Email: "nadie@example.org", Role: amparo.RoleAuditor}
	if err := m.DB.CreateInvitation(sys, bounced); err != nil {
		t.Fatal(err)
	}
	type counts map[string]map[string]int
	status := func() counts {
		var out, errOut lockedBuffer
		if code := run(context.Background(), []string{"outbox", "status", "--json", "--data", data}, &out, &errOut); code != 0 {
			t.Fatalf("outbox status: %d %s", code, errOut.String())
		}
		var c counts
		if err := json.Unmarshal([]byte(out.String()), &c); err != nil {
			t.Fatalf("%v: %s", err, out.String())
		}
		return c
	}
	waitFor(t, "the bounce", func() bool { return status()["email"]["failed"] == 1 })
	if c := status(); c["sms"]["failed"] != 0 || c["voice"]["queued"] != 0 || c["email"]["queued"] != 0 {
		t.Errorf("outbox %v", c)
	}
	sends, _, err := m.DB.FindJobs(sys, amparo.JobFilter{Kind: amparo.JobSendMessage})
	if err != nil || len(sends) != 2 {
		t.Fatalf("%v %d send jobs", err, len(sends))
	}
	var args struct {
		ID string `json:"message_id"`
	}
	json.Unmarshal(sends[0].Args, &args) // newest first: the bounce
	var out, errOut lockedBuffer
	if code := run(context.Background(), []string{"outbox", "retry", args.ID, "--data", data}, &out, &errOut); code != 0 ||
		!strings.Contains(out.String(), "queued again") {
		t.Fatalf("outbox retry: %d %s %s", code, out.String(), errOut.String())
	}
	// Sent again, and refused again.
	waitFor(t, "the second bounce", func() bool {
		m, err := m.DB.FindMessageByID(sys, args.ID)
		return err == nil && m.Status == amparo.MessageFailed
	})
	out, errOut = lockedBuffer{}, lockedBuffer{}
	if code := run(context.Background(), []string{"outbox", "retry", "no-such-message", "--data", data}, &out, &errOut); code == 0 ||
		!strings.Contains(errOut.String(), "not found") {
		t.Errorf("retry of nothing: %d %s", code, errOut.String())
	}
	out = lockedBuffer{}
	if code := run(context.Background(), []string{"outbox", "status", "--data", data}, &out, &errOut); code != 0 ||
		!strings.Contains(out.String(), "CHANNEL") || !strings.Contains(out.String(), "email") {
		t.Errorf("outbox status: %s", out.String())
	}
	for _, secret := range []string{"ana.prueba", "nadie@", inv.Token, bounced.Token, "smtp-test-password"} {
		if strings.Contains(stderr.String(), secret) || strings.Contains(stdout.String(), secret) {
			t.Errorf("the log holds %q", secret)
		}
	}
}

// Bad messaging settings stop serve before anything is opened, with one
// line naming the setting; nothing is written to the data folder.
func TestServe_BadMessagingSettings(t *testing.T) {
	tests := []struct {
		args []string
		env  map[string]string
		want string
	}{
		{[]string{"--smtp-host", "127.0.0.1", "--smtp-from", "not an address"}, nil, "--smtp-from"},
		{[]string{"--smtp-host", "127.0.0.1", "--smtp-from", "p@example.org", "--smtp-port", "x"}, nil, "--smtp-port"},
		{[]string{"--smtp-host", "127.0.0.1", "--smtp-from", "p@example.org", "--smtp-tls", "none"}, nil, "--smtp-tls"},
		{[]string{"--smtp-host", "127.0.0.1", "--smtp-from", "p@example.org", "--smtp-user", "u"}, nil, "AMPARO_SMTP_PASSWORD"},
		{[]string{"--smtp-host", "127.0.0.1", "--smtp-from", "p@example.org"}, nil, "--public-url"},
		{[]string{"--smtp-host", "127.0.0.1", "--smtp-from", "p@example.org", "--public-url", "http://x.example.org", "--smtp-ca-file", "/nonexistent/ca.pem"}, nil, "--smtp-ca-file"},
		{[]string{"--sms-account-sid", "AC1", "--sms-from", "2135550100"}, nil, "--sms-from"},
		{[]string{"--sms-account-sid", "AC1", "--sms-from", "+12135550100"}, nil, "AMPARO_SMS_AUTH_TOKEN"},
		{[]string{"--sms-account-sid", "AC1", "--sms-from", "+12135550100"}, map[string]string{"AMPARO_SMS_AUTH_TOKEN": "t"}, "--public-url"},
		{[]string{"--sms-account-sid", "AC1", "--sms-from", "+12135550100", "--sms-base-url", "ftp://x"}, nil, "--sms-base-url"},
		{[]string{"--message-retention", "90d"}, nil, "--message-retention"},
	}
	for _, tt := range tests {
		data := t.TempDir()
		var stdout, stderr lockedBuffer
		m := &Main{Stdout: &stdout, Stderr: &stderr, Getenv: func(k string) string { return tt.env[k] }}
		err := runServe(t.Context(), m, append([]string{"--data", data, "--addr", "127.0.0.1:0"}, tt.args...))
		if err == nil || !strings.Contains(err.Error(), tt.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%v: %v, want one line naming %s", tt.args, err, tt.want)
		}
		if entries, _ := os.ReadDir(data); len(entries) != 0 {
			t.Errorf("%v: wrote %d files", tt.args, len(entries))
		}
		m.Close()
	}
}

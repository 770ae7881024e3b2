package notify_test

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"io"
	"math/big"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/internal/storetest"
	"github.com/amparo-project/amparo/notify"
)

// mailServer is a real SMTP server (emersion/go-smtp) on loopback:
// STARTTLS with a test certificate, AUTH PLAIN, and mailboxes that refuse
// for good (nadie@) or for now (lleno@).
type mailServer struct {
	addr  string
	roots *x509.CertPool
	mu    sync.Mutex
	got   []received
}

type received struct {
	from, to string
	data     []byte
	tls      bool
	user     string
}

const (
	smtpUser = "amparo"
	smtpPass = "test-password-not-secret"
)

func newCert(t *testing.T) (tls.Certificate, *x509.CertPool) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "localhost"}, DNSNames: []string{"localhost"},
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, pool
}

func startMailServer(t *testing.T, withTLS bool) *mailServer {
	ms := &mailServer{}
	s := smtp.NewServer(ms)
	s.Domain = "localhost"
	s.ReadTimeout, s.WriteTimeout = 10*time.Second, 10*time.Second
	if withTLS {
		cert, pool := newCert(t)
		s.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}}
		ms.roots = pool
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ms.addr = l.Addr().String()
	go s.Serve(l)
	t.Cleanup(func() { s.Close() })
	return ms
}

func (ms *mailServer) NewSession(c *smtp.Conn) (smtp.Session, error) {
	return &mailSession{ms: ms, conn: c}, nil
}

func (ms *mailServer) received() []received {
	ms.mu.Lock()
	defer ms.mu.Unlock()
	return append([]received(nil), ms.got...)
}

type mailSession struct {
	ms       *mailServer
	conn     *smtp.Conn
	user     string
	from, to string
}

func (s *mailSession) AuthMechanisms() []string { return []string{sasl.Plain} }

func (s *mailSession) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, pass string) error {
		if user != smtpUser || pass != smtpPass {
			return &smtp.SMTPError{Code: 535, EnhancedCode: smtp.EnhancedCode{5, 7, 8}, Message: "bad credentials"}
		}
		s.user = user
		return nil
	}), nil
}

func (s *mailSession) Mail(from string, _ *smtp.MailOptions) error {
	if s.user == "" {
		return smtp.ErrAuthRequired
	}
	s.from = from
	return nil
}

func (s *mailSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	switch to {
	case "nadie@example.org":
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such mailbox: nadie@example.org"}
	case "lleno@example.org":
		return &smtp.SMTPError{Code: 452, EnhancedCode: smtp.EnhancedCode{4, 2, 2}, Message: "mailbox full"}
	}
	s.to = to
	return nil
}

func (s *mailSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	_, isTLS := s.conn.TLSConnectionState()
	s.ms.mu.Lock()
	s.ms.got = append(s.ms.got, received{s.from, s.to, b, isTLS, s.user})
	s.ms.mu.Unlock()
	return nil
}

func (s *mailSession) Reset()        {}
func (s *mailSession) Logout() error { return nil }

func (ms *mailServer) mailer(pass string) *notify.Mailer {
	host, port, _ := net.SplitHostPort(ms.addr)
	p, _ := strconv.Atoi(port)
	return &notify.Mailer{Host: host, Port: p, Username: smtpUser, Password: pass, From: "programa@amparo.example.org",
		TLSConfig: &tls.Config{RootCAs: ms.roots, ServerName: "localhost"}, Timeout: 10 * time.Second}
}

func testMail(to string) *amparo.Message {
	return &amparo.Message{ID: "m1", Channel: amparo.ChannelEmail, To: to, Subject: "Su invitación a Amparo — acción requerida",
		Body: "Señora Pérez: ¿cómo está? Abra el enlace: https://amparo.example.org/invite/x\n", EventKey: "invitation:1",
		IdempotencyKey: "0123456789abcdef0123456789abcdef", Language: "es"}
}

// An e-mail goes over STARTTLS, authenticated, with its UTF-8 subject and
// body whole and a Message-ID made from its idempotency key.
func TestMailer_STARTTLSAuthUTF8(t *testing.T) {
	ms := startMailServer(t, true)
	m := testMail("ana.prueba@example.org")
	res, err := ms.mailer(smtpPass).Send(t.Context(), m)
	if err != nil {
		t.Fatal(err)
	}
	got := ms.received()
	if len(got) != 1 {
		t.Fatalf("%d messages received", len(got))
	}
	r := got[0]
	if !r.tls || r.user != smtpUser || r.to != "ana.prueba@example.org" || r.from != "programa@amparo.example.org" {
		t.Errorf("received %+v", r)
	}
	msg, err := mail.ReadMessage(bytes.NewReader(r.data))
	if err != nil {
		t.Fatal(err)
	}
	subject, err := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	if err != nil || subject != m.Subject {
		t.Errorf("subject %q (%v)", subject, err)
	}
	if id := msg.Header.Get("Message-Id"); id != "<0123456789abcdef0123456789abcdef@amparo.example.org>" || res.ProviderID != id {
		t.Errorf("Message-ID %q, provider ID %q", id, res.ProviderID)
	}
	if !strings.Contains(msg.Header.Get("Content-Type"), "charset=UTF-8") {
		t.Errorf("Content-Type %q", msg.Header.Get("Content-Type"))
	}
	body, err := io.ReadAll(quotedprintable.NewReader(msg.Body))
	if err != nil || strings.ReplaceAll(string(body), "\r\n", "\n") != m.Body {
		t.Errorf("body %q (%v)", body, err)
	}
}

// Without STARTTLS the mailer sends nothing; with a wrong password
// neither; the errors name no address.
func TestMailer_RefusesPlaintextAndBadAuth(t *testing.T) {
	plain := startMailServer(t, false)
	if _, err := plain.mailer(smtpPass).Send(t.Context(), testMail("ana.prueba@example.org")); err == nil {
		t.Error("sent without TLS")
	}
	if n := len(plain.received()); n != 0 {
		t.Errorf("%d messages received in clear", n)
	}
	ms := startMailServer(t, true)
	_, err := ms.mailer("wrong").Send(t.Context(), testMail("ana.prueba@example.org"))
	if err == nil || strings.Contains(err.Error(), "ana.prueba") {
		t.Errorf("bad password: %v", err)
	}
	if n := len(ms.received()); n != 0 {
		t.Errorf("%d messages received with a bad password", n)
	}
}

// Through the outbox: a permanent refusal (550, a bounce) fails the
// message for good; a temporary one (452) leaves it to retry.
func TestOutbox_EmailBounceFails(t *testing.T) {
	db, _ := storetest.OpenSQLite(t)
	ms := startMailServer(t, true)
	o := &notify.Outbox{Store: db, Senders: map[amparo.Channel]notify.Sender{amparo.ChannelEmail: ms.mailer(smtpPass)}}
	ctx := storetest.System
	enqueue := func(to string) *amparo.Message {
		m := testMail(to)
		m.EventKey = "test:" + to
		if _, err := db.EnqueueMessage(ctx, m); err != nil {
			t.Fatal(err)
		}
		return m
	}
	bounced, full, fine := enqueue("nadie@example.org"), enqueue("lleno@example.org"), enqueue("ana.prueba@example.org")
	if err := o.Send(context.Background(), bounced.ID); err != nil {
		t.Fatalf("a bounce is no error to retry: %v", err)
	}
	m, _ := db.FindMessageByID(ctx, bounced.ID)
	if m.Status != amparo.MessageFailed || !strings.Contains(m.LastError, "5.1.1") || strings.Contains(m.LastError, "nadie") {
		t.Errorf("bounced: %s %q", m.Status, m.LastError)
	}
	err := o.Send(context.Background(), full.ID)
	var perm *notify.PermanentError
	if err == nil || errors.As(err, &perm) {
		t.Errorf("a full mailbox: %v, want a temporary error", err)
	}
	m, _ = db.FindMessageByID(ctx, full.ID)
	if m.Status != amparo.MessageQueued || m.Attempts != 1 {
		t.Errorf("full: %s, %d attempts", m.Status, m.Attempts)
	}
	if err := o.Send(context.Background(), fine.ID); err != nil {
		t.Fatal(err)
	}
	// The job runs again (a crash before it was marked done): nothing more
	// is sent.
	if err := o.Send(context.Background(), fine.ID); err != nil {
		t.Fatal(err)
	}
	m, _ = db.FindMessageByID(ctx, fine.ID)
	if m.Status != amparo.MessageSent || !strings.HasPrefix(m.ProviderID, "<") {
		t.Errorf("fine: %s %q", m.Status, m.ProviderID)
	}
	if n := len(ms.received()); n != 1 {
		t.Errorf("%d e-mails received, want 1", n)
	}
}

// A message whose channel has no provider in this process is tried again
// later, and failed after its last attempt, not kept queued for ever.
func TestOutbox_NoProvider(t *testing.T) {
	db, _ := storetest.OpenSQLite(t)
	o := &notify.Outbox{Store: db, Senders: map[amparo.Channel]notify.Sender{}}
	m := testMail("ana.prueba@example.org")
	if _, err := db.EnqueueMessage(storetest.System, m); err != nil {
		t.Fatal(err)
	}
	for i := range amparo.MaxSendAttempts {
		err := o.Send(context.Background(), m.ID)
		if last := i == amparo.MaxSendAttempts-1; (err == nil) != last {
			t.Fatalf("attempt %d: %v", i+1, err)
		}
	}
	got, _ := db.FindMessageByID(storetest.System, m.ID)
	if got.Status != amparo.MessageFailed || !strings.Contains(got.LastError, "no email provider") {
		t.Errorf("%s %q", got.Status, got.LastError)
	}
}

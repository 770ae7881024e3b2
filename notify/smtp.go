package notify

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/wneessen/go-mail"

	"github.com/amparo-project/amparo"
)

// Mailer sends e-mail through an SMTP server: STARTTLS required (or TLS
// from the first byte, ImplicitTLS), AUTH when a user is given, UTF-8
// subject and body, and a Message-ID made from the message's idempotency
// key, so a receiving system can tell a retry from a new message.
type Mailer struct {
	Host        string
	Port        int // 587 if 0 (465 with ImplicitTLS)
	Username    string
	Password    string
	From        string // the sender's address
	ImplicitTLS bool
	// TLSConfig, if set, replaces the default (the system's roots); tests
	// give their own certificate's pool.
	TLSConfig *tls.Config
	Timeout   time.Duration // 30 s if 0
}

// domain is what follows @ in the Message-IDs (the sender's domain).
func (ml *Mailer) domain() string {
	if _, d, ok := strings.Cut(ml.From, "@"); ok && d != "" {
		return d
	}
	return "amparo.invalid"
}

// MessageID is the Message-ID of m, without its angle brackets.
func (ml *Mailer) MessageID(m *amparo.Message) string {
	return m.IdempotencyKey + "@" + ml.domain()
}

// Send delivers m to the SMTP server. A 5xx refusal (a mailbox that does
// not exist, a message refused) is a PermanentError: a bounce.
func (ml *Mailer) Send(ctx context.Context, m *amparo.Message) (amparo.SendResult, error) {
	if m.Channel != amparo.ChannelEmail {
		return amparo.SendResult{}, &PermanentError{Msg: "the mailer sends no " + string(m.Channel)}
	}
	msg := mail.NewMsg(mail.WithCharset(mail.CharsetUTF8), mail.WithEncoding(mail.EncodingQP))
	if err := msg.From(ml.From); err != nil {
		return amparo.SendResult{}, &PermanentError{Msg: "the sender's address is not valid"}
	}
	if err := msg.To(m.To); err != nil {
		return amparo.SendResult{}, &PermanentError{Msg: "the recipient's address is not valid"}
	}
	msg.Subject(m.Subject)
	msg.SetBodyString(mail.TypeTextPlain, m.Body)
	id := ml.MessageID(m)
	msg.SetMessageIDWithValue(id)
	msg.SetDate()
	if m.Language != "" {
		msg.SetGenHeader(mail.HeaderContentLang, m.Language)
	}
	c, err := ml.client()
	if err != nil {
		return amparo.SendResult{}, &PermanentError{Msg: err.Error()}
	}
	if err := c.DialAndSendWithContext(ctx, msg); err != nil {
		return amparo.SendResult{}, smtpError(err)
	}
	return amparo.SendResult{ProviderID: "<" + id + ">"}, nil
}

func (ml *Mailer) client() (*mail.Client, error) {
	port, timeout := ml.Port, ml.Timeout
	if port == 0 {
		port = 587
		if ml.ImplicitTLS {
			port = 465
		}
	}
	if timeout == 0 {
		timeout = 30 * time.Second
	}
	tc := ml.TLSConfig
	if tc == nil {
		tc = &tls.Config{ServerName: ml.Host, MinVersion: tls.VersionTLS12}
	}
	opts := []mail.Option{mail.WithPort(port), mail.WithTimeout(timeout), mail.WithTLSConfig(tc)}
	if ml.ImplicitTLS {
		opts = append(opts, mail.WithSSL())
	} else {
		opts = append(opts, mail.WithTLSPolicy(mail.TLSMandatory))
	}
	if ml.Username != "" {
		opts = append(opts, mail.WithSMTPAuth(mail.SMTPAuthPlain), mail.WithUsername(ml.Username), mail.WithPassword(ml.Password))
	}
	return mail.NewClient(ml.Host, opts...)
}

// smtpError keeps the server's reply code and enhanced status, never the
// reply's text (servers quote the address).
func smtpError(err error) error {
	var se *mail.SendError
	if errors.As(err, &se) {
		code := se.ErrorCode()
		if !se.IsTemp() && code >= 500 {
			return &PermanentError{Code: code, Msg: fmt.Sprintf("the mail server refused the message (%s)", se.EnhancedStatusCode())}
		}
		return fmt.Errorf("the mail server answered %d (%s)", code, se.EnhancedStatusCode())
	}
	// Dialing, TLS or authentication: say which, without the reply text.
	s := err.Error()
	switch {
	case strings.Contains(s, "auth"):
		return errors.New("SMTP authentication failed")
	case strings.Contains(s, "tls"), strings.Contains(s, "TLS"), strings.Contains(s, "certificate"):
		return errors.New("SMTP TLS failed: " + firstLine(s))
	}
	return errors.New("SMTP: " + firstLine(s))
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	if len(s) > 200 {
		s = s[:200]
	}
	return s
}

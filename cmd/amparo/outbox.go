package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"flag"
	"fmt"
	"net/mail"
	"net/url"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/jobs"
	"github.com/amparo-project/amparo/locale"
	"github.com/amparo-project/amparo/notify"
	"github.com/amparo-project/amparo/web"
)

// Messaging: the e-mail and SMS providers a serving process sends the
// outbox through, and `amparo outbox` for the operator. Secrets (the SMTP
// password, the gateway's auth token) come from the environment or a
// file, never from a flag, which any user of the machine can read in the
// process list.

// MessagingConfig is the providers' settings.
type MessagingConfig struct {
	SMTPHost, SMTPPort, SMTPUser, SMTPFrom, SMTPTLS string
	SMTPPasswordFile, SMTPCAFile                    string
	SMSBaseURL, SMSAccountSID, SMSFrom              string
	SMSAuthTokenFile                                string
	Retention                                       string
}

func (m *Main) messagingFlags(fs *flag.FlagSet) {
	c := &m.Config.Messaging
	env := func(name, def string) string {
		if v := m.Getenv(name); v != "" {
			return v
		}
		return def
	}
	fs.StringVar(&c.SMTPHost, "smtp-host", env("AMPARO_SMTP_HOST", ""), "SMTP server `HOST` for e-mail (env AMPARO_SMTP_HOST; none: no e-mail is sent)")
	fs.StringVar(&c.SMTPPort, "smtp-port", env("AMPARO_SMTP_PORT", ""), "SMTP `PORT` (env AMPARO_SMTP_PORT; default 587, or 465 with --smtp-tls implicit)")
	fs.StringVar(&c.SMTPUser, "smtp-user", env("AMPARO_SMTP_USER", ""), "SMTP `USER` to authenticate as; its password in env AMPARO_SMTP_PASSWORD or --smtp-password-file (env AMPARO_SMTP_USER)")
	fs.StringVar(&c.SMTPPasswordFile, "smtp-password-file", env("AMPARO_SMTP_PASSWORD_FILE", ""), "`file` holding the SMTP password (env AMPARO_SMTP_PASSWORD_FILE)")
	fs.StringVar(&c.SMTPCAFile, "smtp-ca-file", env("AMPARO_SMTP_CA_FILE", ""), "PEM `file` of the CA that signed the SMTP server's certificate, when not a public CA (env AMPARO_SMTP_CA_FILE)")
	fs.StringVar(&c.SMTPFrom, "smtp-from", env("AMPARO_SMTP_FROM", ""), "the `ADDRESS` e-mail is sent from (env AMPARO_SMTP_FROM)")
	fs.StringVar(&c.SMTPTLS, "smtp-tls", env("AMPARO_SMTP_TLS", "starttls"), "`starttls` (required, port 587) or implicit (TLS from the first byte, port 465) (env AMPARO_SMTP_TLS)")
	fs.StringVar(&c.SMSBaseURL, "sms-base-url", env("AMPARO_SMS_BASE_URL", "https://api.twilio.com"), "base `URL` of the Twilio-compatible SMS and voice gateway (env AMPARO_SMS_BASE_URL)")
	fs.StringVar(&c.SMSAccountSID, "sms-account-sid", env("AMPARO_SMS_ACCOUNT_SID", ""), "the gateway's account `SID`; its auth token in env AMPARO_SMS_AUTH_TOKEN or --sms-auth-token-file (env AMPARO_SMS_ACCOUNT_SID; none: no SMS or call is made)")
	fs.StringVar(&c.SMSAuthTokenFile, "sms-auth-token-file", env("AMPARO_SMS_AUTH_TOKEN_FILE", ""), "`file` holding the gateway's auth token (env AMPARO_SMS_AUTH_TOKEN_FILE)")
	fs.StringVar(&c.SMSFrom, "sms-from", env("AMPARO_SMS_FROM", ""), "the program's phone `NUMBER`, E.164, such as +12135550100 (env AMPARO_SMS_FROM)")
	fs.StringVar(&c.Retention, "message-retention", env("AMPARO_MESSAGE_RETENTION", ""), "how long message bodies are kept, such as 2160h (env AMPARO_MESSAGE_RETENTION; default 90 days)")
}

// messaging is what the settings make: the senders, the webhooks' key,
// and how long bodies are kept.
type messaging struct {
	mailer    *notify.Mailer
	gateway   *notify.Gateway
	retention time.Duration
}

// secret reads a secret from the environment variable, or else the file.
func (m *Main) secret(envName, file, flagName string) (string, error) {
	if v := m.Getenv(envName); v != "" {
		return v, nil
	}
	if file == "" {
		return "", nil
	}
	b, err := os.ReadFile(file)
	if err != nil {
		return "", fmt.Errorf("--%s %s: %v", flagName, file, errors.Unwrap(err))
	}
	return strings.TrimSpace(string(b)), nil
}

// messagingSetup checks the settings before anything is opened: each
// problem one line naming the setting and how to fix it.
func (m *Main) messagingSetup(d web.Deployment) (*messaging, error) {
	c := m.Config.Messaging
	ms := &messaging{retention: amparo.MessageRetention}
	if c.Retention != "" {
		r, err := time.ParseDuration(c.Retention)
		if err != nil || r < time.Hour {
			return nil, fmt.Errorf("--message-retention %q: give a duration of an hour or more, such as 2160h for 90 days", c.Retention)
		}
		ms.retention = r
	}
	if c.SMTPHost != "" {
		if a, err := mail.ParseAddress(c.SMTPFrom); err != nil || a.Address != c.SMTPFrom {
			return nil, fmt.Errorf("--smtp-from %q: give the address e-mail is sent from, such as programa@example.org", c.SMTPFrom)
		}
		port := 0
		if c.SMTPPort != "" {
			p, err := strconv.Atoi(c.SMTPPort)
			if err != nil || p <= 0 || p > 65535 {
				return nil, fmt.Errorf("--smtp-port %q: give a port number, such as 587", c.SMTPPort)
			}
			port = p
		}
		if c.SMTPTLS != "starttls" && c.SMTPTLS != "implicit" {
			return nil, fmt.Errorf("--smtp-tls %q: use starttls or implicit", c.SMTPTLS)
		}
		pass, err := m.secret("AMPARO_SMTP_PASSWORD", c.SMTPPasswordFile, "smtp-password-file")
		if err != nil {
			return nil, err
		}
		if c.SMTPUser != "" && pass == "" {
			return nil, errors.New("--smtp-user needs its password: set AMPARO_SMTP_PASSWORD or --smtp-password-file")
		}
		if d.PublicURL == nil {
			return nil, errors.New("--smtp-host needs --public-url: e-mails carry links to the site")
		}
		ms.mailer = &notify.Mailer{Host: c.SMTPHost, Port: port, Username: c.SMTPUser, Password: pass, From: c.SMTPFrom, ImplicitTLS: c.SMTPTLS == "implicit"}
		if c.SMTPCAFile != "" {
			pem, err := os.ReadFile(c.SMTPCAFile)
			if err != nil {
				return nil, fmt.Errorf("--smtp-ca-file %s: %v", c.SMTPCAFile, errors.Unwrap(err))
			}
			pool := x509.NewCertPool()
			if !pool.AppendCertsFromPEM(pem) {
				return nil, fmt.Errorf("--smtp-ca-file %s: no PEM certificate in it", c.SMTPCAFile)
			}
			ms.mailer.TLSConfig = &tls.Config{RootCAs: pool, ServerName: c.SMTPHost, MinVersion: tls.VersionTLS12}
		}
	}
	if c.SMSAccountSID != "" {
		u, err := url.Parse(c.SMSBaseURL)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return nil, fmt.Errorf("--sms-base-url %q: give the gateway's address, such as https://api.twilio.com", c.SMSBaseURL)
		}
		if !amparo.ValidPhone(c.SMSFrom) {
			return nil, fmt.Errorf("--sms-from %q: give the program's number in E.164 form, such as +12135550100", c.SMSFrom)
		}
		token, err := m.secret("AMPARO_SMS_AUTH_TOKEN", c.SMSAuthTokenFile, "sms-auth-token-file")
		if err != nil {
			return nil, err
		}
		if token == "" {
			return nil, errors.New("--sms-account-sid needs its auth token: set AMPARO_SMS_AUTH_TOKEN or --sms-auth-token-file")
		}
		if d.PublicURL == nil {
			return nil, errors.New("--sms-account-sid needs --public-url: the gateway posts delivery receipts and replies there, signed for that address")
		}
		ms.gateway = &notify.Gateway{BaseURL: c.SMSBaseURL, AccountSID: c.SMSAccountSID, AuthToken: token, From: c.SMSFrom,
			StatusCallback: d.PublicURL.JoinPath("hooks", "twilio", "status").String()}
	}
	return ms, nil
}

// useMessaging wires the outbox into a serving process: invitations
// enqueue their e-mail, a committed message wakes the runner, and the
// webhooks are served.
func (m *Main) useMessaging(cat *locale.Catalog, svc *web.Services) {
	ms := m.messaging
	if ms == nil {
		return
	}
	if ms.mailer != nil {
		m.DB.InvitationMessage = notify.InvitationEmail(cat, m.deploy.PublicURL)
	}
	if ms.mailer != nil || ms.gateway != nil {
		m.DB.WorkshopReminder = notify.WorkshopReminders(cat, m.deploy.PublicURL)
	}
	if ms.gateway != nil {
		svc.Webhooks = web.Webhooks{Hooks: &notify.Hooks{Store: m.DB, Catalog: cat, Logger: m.Logger,
			Replies: []notify.Replier{notify.ReminderReplies(m.DB, cat)}}, AuthToken: ms.gateway.AuthToken}
	}
}

// Message jobs: sending one message, and deleting bodies past their
// retention once a day.
const (
	jobPurgeMessages   = "messages.purge"
	jobRemindWorkshops = "workshops.remind"
)

// messageJobs adds the outbox's handlers to a runner.
func (m *Main) messageJobs(r *jobs.Runner) {
	o := &notify.Outbox{Store: m.DB, Logger: m.Logger, Senders: map[amparo.Channel]notify.Sender{}}
	retention := amparo.MessageRetention
	if ms := m.messaging; ms != nil {
		if ms.mailer != nil {
			o.Senders[amparo.ChannelEmail] = ms.mailer
		}
		if ms.gateway != nil {
			o.Senders[amparo.ChannelSMS], o.Senders[amparo.ChannelVoice] = ms.gateway, ms.gateway
		}
		retention = ms.retention
	}
	r.Handlers[amparo.JobSendMessage] = o.SendJob
	// A fan-out's messages wait on their providers side by side.
	r.Concurrency, r.Batch = 8, 32
	r.Handlers[jobPurgeMessages] = func(ctx context.Context, _ []byte) error { return o.Purge(ctx, retention, time.Now()) }
	r.Periodic = append(r.Periodic, jobs.Periodic{Kind: jobPurgeMessages, Every: 24 * time.Hour})
	// Workshop reminders due (the day before, on the day), each once per
	// registration and kind however often this runs.
	r.Handlers[jobRemindWorkshops] = func(ctx context.Context, _ []byte) error {
		n, err := m.DB.SendDueReminders(system(ctx), time.Now())
		if n > 0 {
			m.Logger.Info("workshop reminders enqueued", "count", n)
		}
		return err
	}
	r.Periodic = append(r.Periodic, jobs.Periodic{Kind: jobRemindWorkshops, Every: 15 * time.Minute})
}

func runOutbox(ctx context.Context, m *Main, args []string) error {
	return m.dispatch(ctx, args, map[string]sub{
		"status": {"[--json]", "count the messages queued, retrying and failed, by channel", outboxStatus},
		"retry":  {"ID", "send a failed message again", outboxRetry},
	})
}

func outboxStatus(ctx context.Context, m *Main, args []string) error {
	fs := m.flags("outbox status")
	m.dataFlags(fs)
	asJSON := fs.Bool("json", false, "print JSON")
	if err := m.parse(fs, args); err != nil {
		return err
	}
	if err := m.open(ctx); err != nil {
		return err
	}
	counts, err := m.DB.OutboxStatus(system(ctx))
	if err != nil {
		return err
	}
	// Every channel and state, zero included: a script reads the same
	// keys whatever the outbox holds.
	type row struct {
		Queued   int `json:"queued"`
		Retrying int `json:"retrying"`
		Failed   int `json:"failed"`
	}
	by := map[amparo.Channel]*row{}
	for _, ch := range amparo.Channels {
		by[ch] = &row{}
	}
	for _, c := range counts {
		r := by[c.Channel]
		if r == nil {
			r = &row{}
			by[c.Channel] = r
		}
		switch c.State {
		case "queued":
			r.Queued = c.Count
		case "retrying":
			r.Retrying = c.Count
		case "failed":
			r.Failed = c.Count
		}
	}
	if *asJSON {
		return m.printJSON(by)
	}
	tw := tabwriter.NewWriter(m.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "CHANNEL\tQUEUED\tRETRYING\tFAILED")
	for _, ch := range amparo.Channels {
		r := by[ch]
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\n", ch, r.Queued, r.Retrying, r.Failed)
	}
	return tw.Flush()
}

func outboxRetry(ctx context.Context, m *Main, args []string) error {
	fs := m.flags("outbox retry")
	m.dataFlags(fs)
	id, err := m.parseID(fs, args, "a message ID")
	if err != nil {
		return err
	}
	if err := m.open(ctx); err != nil {
		return err
	}
	if err := m.DB.RetryMessage(system(ctx), id); err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "Message %s is queued again; a serving process sends it.\n", id)
	return nil
}

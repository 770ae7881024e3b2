package notify

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/locale"
)

// AlertMessage returns what makes an alert's message to a responder, in
// the responder's language: the SMS and e-mail say who may be stopped,
// the prepared message and how to acknowledge (a reply, or the link
// under publicURL); a voice call reads the same without the link. The
// store enqueues it in the alert's transaction.
func AlertMessage(cat *locale.Catalog, publicURL *url.URL) func(n *amparo.AlertNotice) *amparo.Message {
	return func(n *amparo.AlertNotice) *amparo.Message {
		lang := n.Responder.Language
		link := publicURL.JoinPath("a", n.AckToken).String()
		m := &amparo.Message{Language: lang}
		switch n.Channel {
		case amparo.ChannelVoice:
			m.Body = cat.T(lang, "voice.alert", n.ClientName, n.Prepared)
		case amparo.ChannelEmail:
			m.Subject = cat.T(lang, "mail.alert_subject")
			m.Body = cat.T(lang, "sms.alert", n.ClientName, n.Prepared, link) + "\n"
		default:
			m.Body = cat.T(lang, "sms.alert", n.ClientName, n.Prepared, link)
		}
		return m
	}
}

// DefaultAlertKeywords are the words that raise an alert by SMS when no
// others are configured. AYUDA is not one: it is the help word.
var DefaultAlertKeywords = []string{"DETENIDO", "DETENIDA", "HELPME"}

// AlertKeywords checks configured alert keywords: one word each, and
// never a word the opt-out, opt-in or help families already answer (a
// client in danger must never unsubscribe instead).
func AlertKeywords(words []string) ([]string, error) {
	var out []string
	for _, w := range words {
		w = strings.ToUpper(strings.TrimSpace(w))
		if w == "" {
			continue
		}
		if strings.ContainsFunc(w, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) || len(w) > 16 {
			return nil, fmt.Errorf("alert keyword %q: use one word of letters and digits, at most 16", w)
		}
		switch MatchKeyword(w).Kind {
		case OptOutKeyword:
			return nil, fmt.Errorf("alert keyword %q is a STOP-family word: a client sending it would stop messages, not raise an alert", w)
		case OptInKeyword, HelpKeyword:
			return nil, fmt.Errorf("alert keyword %q is already an opt-in or help word", w)
		}
		if isAckWord(w) {
			return nil, fmt.Errorf("alert keyword %q is the acknowledgement reply", w)
		}
		out = append(out, w)
	}
	if len(out) == 0 {
		return DefaultAlertKeywords, nil
	}
	return out, nil
}

func isAckWord(w string) bool { return w == "1" || w == "OK" || w == "SI" || w == "SÍ" }

// Alerts is the alert workflow of the job runner and the SMS hook:
// escalation steps, the alert keyword and acknowledgement replies. It
// acts as the system and logs no number, name or body.
type Alerts struct {
	Store    amparo.AlertService
	Catalog  *locale.Catalog
	Keywords []string // checked by AlertKeywords
	Logger   *slog.Logger
	Now      func() time.Time
}

// EscalateJob is the handler of amparo.JobEscalateAlert.
func (a *Alerts) EscalateJob(ctx context.Context, args []byte) error {
	var p struct {
		ID   string `json:"alert_id"`
		Step int    `json:"step"`
	}
	if err := json.Unmarshal(args, &p); err != nil || p.ID == "" || p.Step < 1 {
		return fmt.Errorf("escalate job: bad arguments")
	}
	did, err := a.Store.EscalateAlert(amparo.NewContextWithActor(ctx, amparo.SystemActor), p.ID, p.Step)
	if did {
		a.logger().Info("alert escalated", "alert", p.ID, "step", p.Step)
	}
	return err
}

// Reply is the Replier of the SMS hook: the alert keyword from a
// client's number on record raises an alert and confirms it; "1" or "OK"
// from a responder acknowledges their newest open alert. Anything else,
// or a number that matches nothing, is not the alerts' to answer.
func (a *Alerts) Reply(ctx context.Context, from, body string) (string, bool, error) {
	ctx = amparo.NewContextWithActor(ctx, amparo.SystemActor)
	w := strings.ToUpper(bareWord(body))
	lang := "en"
	if isAckWord(w) {
		al, err := a.Store.AcknowledgeBySMS(ctx, from)
		if amparo.ErrorCode(err) == amparo.ENOTFOUND {
			return "", false, nil
		} else if err != nil {
			return "", false, err
		}
		a.logger().Info("alert acknowledged by SMS", "alert", al.ID)
		if w == "SI" || w == "SÍ" {
			lang = "es"
		}
		return a.Catalog.T(a.Language(ctx, from, lang), "sms.alert_acknowledged"), true, nil
	}
	keywords := a.Keywords
	if len(keywords) == 0 {
		keywords = DefaultAlertKeywords
	}
	for _, k := range keywords {
		if w != k {
			continue
		}
		// Retries of one SMS (the gateway's) within a few minutes are
		// one alert; the store's window absorbs the rest.
		now := time.Now
		if a.Now != nil {
			now = a.Now
		}
		key := "sms:" + from + ":" + now().UTC().Truncate(5*time.Minute).Format(time.RFC3339)
		al, created, err := a.Store.RaiseAlertBySMS(ctx, from, key)
		if amparo.ErrorCode(err) == amparo.ENOTFOUND {
			return "", false, nil
		} else if err != nil {
			return "", false, err
		}
		a.logger().Info("alert raised by SMS", "alert", al.ID, "new", created)
		if strings.HasPrefix(w, "DETENID") {
			lang = "es"
		}
		return a.Catalog.T(a.Language(ctx, from, lang), "sms.alert_raised"), true, nil
	}
	return "", false, nil
}

// Language returns the language a number is answered in: its
// responder's in the plan of the newest alert that told it, or its
// client's; fallback (the language of the word it sent) for a number no
// plan names, or one the catalog does not speak.
func (a *Alerts) Language(ctx context.Context, from, fallback string) string {
	lang, err := a.Store.NumberLanguage(amparo.NewContextWithActor(ctx, amparo.SystemActor), from)
	if err != nil {
		if amparo.ErrorCode(err) != amparo.ENOTFOUND {
			a.logger().Warn("a number's language not found", "err", err)
		}
		return fallback
	}
	if a.Catalog != nil && !slices.Contains(a.Catalog.Languages(), lang) {
		return fallback
	}
	return lang
}

func (a *Alerts) logger() *slog.Logger { return orDiscard(a.Logger) }

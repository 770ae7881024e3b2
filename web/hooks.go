package web

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"regexp"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/notify"
)

// The gateway's webhooks: delivery receipts and inbound SMS. Each request
// must carry X-Twilio-Signature, the HMAC of the URL as the gateway called
// it (the public URL and the path) and the POST parameters, keyed by the
// auth token: checked in constant time before anything is read or
// changed; unsigned or wrongly signed, 403. Nothing personal (a number,
// a body) reaches the log.

// MessageHooks answers the webhooks (notify.Hooks).
type MessageHooks interface {
	Delivery(ctx context.Context, r notify.Receipt) error
	Receive(ctx context.Context, from, body string) (reply string, err error)
}

// Webhooks are the gateway's webhooks' service and key; with either
// missing, or no public URL, the webhooks are not served.
type Webhooks struct {
	Hooks     MessageHooks
	AuthToken string
}

func (s *Server) hookRoutes(mux *routes) {
	if s.Webhooks.Hooks == nil || s.Webhooks.AuthToken == "" || s.Deployment.PublicURL == nil {
		return
	}
	mux.HandleFunc("POST /hooks/twilio/status", s.signedHook(s.hookStatus))
	mux.HandleFunc("POST /hooks/twilio/inbound", s.signedHook(s.hookInbound))
}

// hookAnswer writes a webhook's plain-text answer.
func hookAnswer(w http.ResponseWriter, status int, text string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write([]byte(text + "\n"))
}

// signedHook lets through only requests the gateway signed.
func (s *Server) signedHook(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		full := s.Deployment.PublicURL.JoinPath(r.URL.EscapedPath()).String()
		if r.URL.RawQuery != "" {
			full += "?" + r.URL.RawQuery
		}
		if !notify.ValidSignature(s.Webhooks.AuthToken, full, r.PostForm, r.Header.Get("X-Twilio-Signature")) {
			s.Logger.WarnContext(r.Context(), "webhook refused: missing or wrong signature", "route", r.Pattern)
			hookAnswer(w, http.StatusForbidden, "forbidden: missing or wrong X-Twilio-Signature")
			return
		}
		h(w, r)
	}
}

// providerIDs and message IDs are short words: anything else is not from
// the gateway or this server.
var hookWord = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

// errHookForm is a webhook form missing what it needs.
var errHookForm = errors.New("malformed webhook form")

// parseReceipt reads a delivery receipt of a message (MessageSid,
// MessageStatus, or the older SmsSid, SmsStatus) or of a call (CallSid,
// CallStatus); query is the callback address's (m: the message ID).
func parseReceipt(form, query url.Values) (notify.Receipt, error) {
	r := notify.Receipt{MessageID: query.Get("m"), ErrorCode: form.Get("ErrorCode"), To: form.Get("To")}
	for _, p := range [][2]string{{"MessageSid", "MessageStatus"}, {"SmsSid", "SmsStatus"}, {"CallSid", "CallStatus"}} {
		if form.Get(p[0]) != "" {
			r.ProviderID, r.Status = form.Get(p[0]), form.Get(p[1])
			break
		}
	}
	if !hookWord.MatchString(r.ProviderID) || r.Status == "" || len(r.Status) > 32 ||
		r.MessageID != "" && !hookWord.MatchString(r.MessageID) || len(r.ErrorCode) > 8 {
		return notify.Receipt{}, errHookForm
	}
	return r, nil
}

func (s *Server) hookStatus(w http.ResponseWriter, r *http.Request) {
	rc, err := parseReceipt(r.PostForm, r.URL.Query())
	if err != nil {
		s.Logger.WarnContext(r.Context(), "delivery receipt refused: malformed")
		hookAnswer(w, http.StatusBadRequest, "malformed receipt: MessageSid and MessageStatus (or CallSid and CallStatus) are required")
		return
	}
	if err := s.Webhooks.Hooks.Delivery(r.Context(), rc); err != nil {
		switch amparo.ErrorCode(err) {
		case amparo.ENOTFOUND:
			s.Logger.WarnContext(r.Context(), "delivery receipt for no message", "provider_id", rc.ProviderID)
			hookAnswer(w, http.StatusNotFound, "no such message")
		case amparo.ECONFLICT, amparo.EINVALID:
			s.Logger.WarnContext(r.Context(), "delivery receipt refused", "provider_id", rc.ProviderID, "err", err)
			hookAnswer(w, http.StatusConflict, "receipt does not match its message")
		default:
			s.Logger.ErrorContext(r.Context(), "delivery receipt not recorded", "err", err)
			hookAnswer(w, http.StatusServiceUnavailable, "not recorded: try again")
		}
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) hookInbound(w http.ResponseWriter, r *http.Request) {
	from, body := r.PostForm.Get("From"), r.PostForm.Get("Body")
	reply, err := s.Webhooks.Hooks.Receive(r.Context(), from, body)
	if err != nil {
		if amparo.ErrorCode(err) == amparo.EINVALID {
			s.Logger.WarnContext(r.Context(), "inbound SMS refused: the sender is not an E.164 number")
			hookAnswer(w, http.StatusBadRequest, "From must be a phone number in E.164 form, such as +12135550100")
			return
		}
		s.Logger.ErrorContext(r.Context(), "inbound SMS not handled", "err", err)
		hookAnswer(w, http.StatusServiceUnavailable, "not handled: try again")
		return
	}
	w.Header().Set("Content-Type", "text/xml; charset=utf-8")
	w.Write([]byte(notify.Reply(reply)))
}

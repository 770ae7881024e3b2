package notify

import (
	"context"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/amparo-project/amparo"
)

// Gateway sends SMS and places voice calls through the Twilio REST API,
// or any gateway that speaks it (BaseURL).
type Gateway struct {
	BaseURL    string // such as https://api.twilio.com, no final slash
	AccountSID string
	AuthToken  string
	From       string // the program's number, E.164
	// StatusCallback is where the gateway posts delivery receipts: the
	// public URL and /hooks/twilio/status (the message's ID is added).
	StatusCallback string
	Client         *http.Client // http.DefaultClient with a 15 s timeout if nil
}

// Send posts the message (sms) or the call (voice, its body spoken),
// with the message's idempotency key as I-Twilio-Idempotency-Token.
func (g *Gateway) Send(ctx context.Context, m *amparo.Message) (amparo.SendResult, error) {
	form := url.Values{"To": {m.To}, "From": {g.From}}
	if g.StatusCallback != "" {
		// The message's ID in the address: a receipt may come before the
		// provider's ID is recorded.
		form.Set("StatusCallback", g.StatusCallback+"?m="+url.QueryEscape(m.ID))
	}
	resource := "Messages.json"
	switch m.Channel {
	case amparo.ChannelSMS:
		form.Set("Body", m.Body)
	case amparo.ChannelVoice:
		resource = "Calls.json"
		form.Set("Twiml", Say(m.Body, m.Language))
	default:
		return amparo.SendResult{}, &PermanentError{Msg: "the gateway sends no " + string(m.Channel)}
	}
	endpoint := strings.TrimSuffix(g.BaseURL, "/") + "/2010-04-01/Accounts/" + url.PathEscape(g.AccountSID) + "/" + resource
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, strings.NewReader(form.Encode()))
	if err != nil {
		return amparo.SendResult{}, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("I-Twilio-Idempotency-Token", m.IdempotencyKey)
	req.SetBasicAuth(g.AccountSID, g.AuthToken)
	client := g.Client
	if client == nil {
		client = &http.Client{Timeout: 15 * time.Second}
	}
	resp, err := client.Do(req)
	if err != nil {
		// The URL names no person; the error may repeat it, nothing more.
		return amparo.SendResult{}, fmt.Errorf("gateway unreachable: %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return amparo.SendResult{}, fmt.Errorf("gateway answer: %w", err)
	}
	var answer struct {
		SID         string `json:"sid"`
		NumSegments string `json:"num_segments"`
		Code        int    `json:"code"`
		Message     string `json:"message"`
	}
	_ = json.Unmarshal(body, &answer) // an unreadable answer is judged by its status
	switch {
	case resp.StatusCode >= 200 && resp.StatusCode < 300 && answer.SID != "":
		segs, _ := strconv.Atoi(answer.NumSegments)
		if m.Channel == amparo.ChannelSMS && segs == 0 {
			segs, _ = Segments(m.Body)
		}
		return amparo.SendResult{ProviderID: answer.SID, Segments: segs}, nil
	case answer.Code == codeOptedOut:
		return amparo.SendResult{}, ErrOptedOut
	case resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500 || resp.StatusCode < 400:
		return amparo.SendResult{}, fmt.Errorf("gateway answered %d (code %d)", resp.StatusCode, answer.Code)
	default:
		// Error messages of Twilio's kind quote the number: keep the code.
		return amparo.SendResult{}, &PermanentError{Code: answer.Code, Msg: fmt.Sprintf("gateway answered %d", resp.StatusCode)}
	}
}

// Say is the TwiML that speaks text in lang (a voice call's message),
// twice, so a person who picks up late still hears it whole.
func Say(text, lang string) string {
	var b strings.Builder
	b.WriteString("<Response>")
	for range 2 {
		b.WriteString("<Say")
		if l := sayLanguage(lang); l != "" {
			b.WriteString(` language="` + l + `"`)
		}
		b.WriteString(">")
		xml.EscapeText(&b, []byte(text))
		b.WriteString("</Say>")
	}
	b.WriteString("</Response>")
	return b.String()
}

func sayLanguage(lang string) string {
	switch strings.ToLower(lang) {
	case "es", "es-mx", "es-us":
		return "es-MX"
	case "en", "en-us":
		return "en-US"
	}
	return ""
}

// Reply is the TwiML answering an inbound SMS with text ("" for none).
func Reply(text string) string {
	if text == "" {
		return "<Response></Response>"
	}
	var b strings.Builder
	b.WriteString("<Response><Message>")
	xml.EscapeText(&b, []byte(text))
	b.WriteString("</Message></Response>")
	return b.String()
}

// DeliveryStatus maps a gateway's message or call status to the lattice;
// false for one that says nothing of delivery (receiving, received).
func DeliveryStatus(s string) (amparo.MessageStatus, bool) {
	switch strings.ToLower(s) {
	case "accepted", "scheduled", "queued":
		return amparo.MessageQueued, true
	case "sending", "sent", "initiated", "ringing", "in-progress":
		return amparo.MessageSent, true
	case "delivered", "read", "completed":
		return amparo.MessageDelivered, true
	case "undelivered", "busy", "no-answer", "canceled":
		return amparo.MessageUndelivered, true
	case "failed":
		return amparo.MessageFailed, true
	}
	return "", false
}

package notify

import (
	"context"
	"log/slog"
	"strconv"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/locale"
)

// Hooks answers the gateway's webhooks, once their signature is checked
// (the caller's duty: Hooks acts as the system): delivery receipts move
// messages up the status lattice; inbound SMS opt out, opt in or ask for
// help.
type Hooks struct {
	Store   amparo.MessageService
	Catalog *locale.Catalog
	Logger  *slog.Logger
	// Replies answer an inbound SMS that is no keyword here (an alert's
	// keyword or acknowledgement, a workshop reminder's YES or NO), in
	// turn: the first that handles it answers.
	Replies []Replier
	// Language, if set, returns the language a number is answered in
	// (Alerts.Language): HELP and AYUDA are answered in it, so a
	// Spanish-speaking attorney who writes HELP reads Spanish; fallback
	// is the keyword's language, for a number it does not know.
	Language func(ctx context.Context, from, fallback string) string
}

// Receipt is a delivery receipt: the provider's message or call ID, its
// status as the gateway names it, its error code, and the recipient.
type Receipt struct {
	MessageID  string // from the callback address; "" if it names none
	ProviderID string
	Status     string
	ErrorCode  string
	To         string
}

// Delivery records a receipt. A status that does not advance the message
// changes nothing; a status the lattice does not know is ignored.
// ENOTFOUND for an unknown provider ID.
func (h *Hooks) Delivery(ctx context.Context, r Receipt) error {
	ctx = amparo.NewContextWithActor(ctx, amparo.SystemActor)
	status, ok := DeliveryStatus(r.Status)
	if !ok {
		return nil
	}
	if r.ErrorCode == strconv.Itoa(codeOptedOut) && amparo.ValidPhone(r.To) {
		if err := h.Store.SetOptOut(ctx, r.To, true, ""); err != nil {
			return err
		}
	}
	_, err := h.Store.RecordDelivery(ctx, r.MessageID, r.ProviderID, status)
	return err
}

// Receive answers an inbound SMS from a number (E.164; EINVALID if not):
// the reply to send back, "" for none. The opt-out words stop every
// non-emergency message to the number; START and ALTA restore them; HELP
// and AYUDA answer in the number's language (Language), or else in their own.
func (h *Hooks) Receive(ctx context.Context, from, body string) (string, error) {
	if !amparo.ValidPhone(from) {
		return "", amparo.Invalid("From", "must be a phone number in E.164 form, such as +12135550100").Localize("invalid.phone_e164")
	}
	ctx = amparo.NewContextWithActor(ctx, amparo.SystemActor)
	k := MatchKeyword(body)
	switch k.Kind {
	case OptOutKeyword:
		if err := h.Store.SetOptOut(ctx, from, true, k.Lang); err != nil {
			return "", err
		}
		h.logger().Info("a number opted out", "lang", k.Lang)
		return h.Catalog.T(k.Lang, "sms.stopped"), nil
	case OptInKeyword:
		if err := h.Store.SetOptOut(ctx, from, false, k.Lang); err != nil {
			return "", err
		}
		h.logger().Info("a number opted in", "lang", k.Lang)
		return h.Catalog.T(k.Lang, "sms.started"), nil
	case HelpKeyword:
		lang := k.Lang
		if h.Language != nil {
			lang = h.Language(ctx, from, k.Lang)
		}
		return h.Catalog.T(lang, "sms.help"), nil
	}
	for _, reply := range h.Replies {
		if answer, ok, err := reply(ctx, from, body); ok || err != nil {
			return answer, err
		}
	}
	return "", nil
}

// Replier answers an inbound SMS it recognizes (ok), from the number from.
type Replier func(ctx context.Context, from, body string) (answer string, ok bool, err error)

func (h *Hooks) logger() *slog.Logger { return orDiscard(h.Logger) }

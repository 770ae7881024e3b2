package notify

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/amparo-project/amparo"
)

// Sender hands one message to its provider, passing m.IdempotencyKey so
// that a second hand-over of the same message sends nothing more.
type Sender interface {
	Send(ctx context.Context, m *amparo.Message) (amparo.SendResult, error)
}

// PermanentError is a refusal that trying again would not change: an
// address that does not exist, a number that opted out, bad credentials.
// Its text names no person.
type PermanentError struct {
	Code int // the provider's code (an SMTP reply code, a Twilio error code)
	Msg  string
}

func (e *PermanentError) Error() string { return fmt.Sprintf("refused (%d): %s", e.Code, e.Msg) }

// Twilio's code for a message to a number that replied STOP.
const codeOptedOut = 21610

// ErrOptedOut is the gateway's refusal of a number that opted out.
var ErrOptedOut = &PermanentError{Code: codeOptedOut, Msg: "the number opted out"}

// isPermanent reports whether err is a refusal not to retry.
func isPermanent(err error) bool {
	var p *PermanentError
	return errors.As(err, &p)
}

var discard = slog.New(slog.DiscardHandler)

// orDiscard is l, or a logger that writes nothing if l is nil.
func orDiscard(l *slog.Logger) *slog.Logger {
	if l == nil {
		return discard
	}
	return l
}

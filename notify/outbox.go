package notify

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/amparo-project/amparo"
)

// Outbox hands the outbox's messages to their providers: the handler of
// the send job, run at least once per message. A message already handed
// over is not handed over again; a second hand-over after a crash carries
// the same idempotency key, which the provider sends once.
type Outbox struct {
	Store   amparo.MessageService
	Senders map[amparo.Channel]Sender // a channel without one: its messages wait
	Logger  *slog.Logger
}

// SendJob is the handler of amparo.JobSendMessage. It returns an error
// only for a failure worth retrying (the job runner backs off); a refusal
// fails the message for good, and the job is done.
func (o *Outbox) SendJob(ctx context.Context, args []byte) error {
	var a struct {
		ID string `json:"message_id"`
	}
	if err := json.Unmarshal(args, &a); err != nil || a.ID == "" {
		return fmt.Errorf("send job: bad arguments")
	}
	return o.Send(ctx, a.ID)
}

// Send hands message id to its provider, unless it has been already.
func (o *Outbox) Send(ctx context.Context, id string) error {
	ctx = amparo.NewContextWithActor(ctx, amparo.SystemActor)
	log := o.logger().With("message", id)
	m, err := o.Store.FindMessageByID(ctx, id)
	if amparo.ErrorCode(err) == amparo.ENOTFOUND {
		log.Warn("send job for no message")
		return nil
	} else if err != nil {
		return err
	}
	// Handed over already (the job ran twice), refused, or past its
	// retention: nothing to do. A message a receipt moved on before its
	// hand-over was recorded (the provider's answer was lost) is handed
	// over again: the provider, given the same key, sends nothing more
	// and answers what it answered first.
	receipted := m.Status != amparo.MessageQueued
	if !m.SentAt.IsZero() || m.BodyPurged || receipted && m.ProviderID == "" || m.Status == amparo.MessageFailed {
		return nil
	}
	log = log.With("channel", string(m.Channel))
	sender := o.Senders[m.Channel]
	if sender == nil {
		// Perhaps another process has one: try again later, and fail
		// the message after its last attempt rather than keep it forever.
		err := fmt.Errorf("no %s provider is configured in this process", m.Channel)
		if failed, rerr := o.Store.RecordSendFailure(ctx, id, err.Error(), false); rerr != nil || failed {
			return rerr
		}
		return err
	}
	if !m.Emergency && m.Channel != amparo.ChannelEmail && !receipted {
		out, err := o.Store.OptedOut(ctx, m.To)
		if err != nil {
			return err
		}
		if out {
			_, err := o.Store.RecordSendFailure(ctx, id, "the number opted out", true)
			log.Info("message not sent: the number opted out")
			return err
		}
	}
	started := time.Now()
	res, err := sender.Send(ctx, m)
	if err == nil {
		log.Info("message handed over", "segments", res.Segments, "took", time.Since(started))
		return o.Store.RecordSend(ctx, id, res)
	}
	if errors.Is(err, ErrOptedOut) {
		if err := o.Store.SetOptOut(ctx, m.To, true, m.Language); err != nil {
			return err
		}
	}
	if receipted {
		// The provider has it (a receipt says so): its answer is lost.
		log.Info("message handed over, its answer lost", "err", err)
		return nil
	}
	permanent := isPermanent(err)
	failed, rerr := o.Store.RecordSendFailure(ctx, id, err.Error(), permanent)
	if rerr != nil {
		return rerr
	}
	if failed {
		log.Warn("message failed", "err", err)
		return nil
	}
	return err
}

// Purge deletes the bodies of the messages older than the retention.
func (o *Outbox) Purge(ctx context.Context, retention time.Duration, now time.Time) error {
	n, err := o.Store.PurgeMessageBodies(amparo.NewContextWithActor(ctx, amparo.SystemActor), now.Add(-retention))
	if n > 0 {
		o.logger().Info("message bodies deleted after their retention", "count", n)
	}
	return err
}

func (o *Outbox) logger() *slog.Logger { return orDiscard(o.Logger) }

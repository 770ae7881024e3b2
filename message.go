package amparo

import (
	"context"
	"regexp"
	"time"
)

// Channel is how a message reaches a person.
type Channel string

const (
	ChannelSMS   Channel = "sms"
	ChannelVoice Channel = "voice"
	ChannelEmail Channel = "email"
)

// Channels lists the channels.
var Channels = []Channel{ChannelSMS, ChannelVoice, ChannelEmail}

// MessageStatus is where a message is on its way. Statuses form a
// lattice: queued → sent → delivered, or undelivered/failed; a status
// only ever moves up (Advances), so a late or repeated delivery receipt
// never takes a message back.
type MessageStatus string

const (
	MessageQueued      MessageStatus = "queued"      // in the outbox, not yet accepted by the provider
	MessageSent        MessageStatus = "sent"        // the provider accepted it
	MessageDelivered   MessageStatus = "delivered"   // the provider says it arrived
	MessageUndelivered MessageStatus = "undelivered" // the provider says it did not arrive
	MessageFailed      MessageStatus = "failed"      // refused, opted out, or every attempt failed
)

// rank orders the lattice. A failure outranks delivery: of a message in
// several parts, one part lost means the message is not whole.
func (s MessageStatus) rank() int {
	switch s {
	case MessageQueued:
		return 0
	case MessageSent:
		return 1
	case MessageDelivered:
		return 2
	case MessageUndelivered, MessageFailed:
		return 3
	}
	return -1
}

// Valid reports whether s is a status.
func (s MessageStatus) Valid() bool { return s.rank() >= 0 }

// Advances reports whether a message in status s may move to next: only
// upward in the lattice, never sideways or back.
func (s MessageStatus) Advances(next MessageStatus) bool {
	return next.Valid() && next.rank() > s.rank()
}

// MaxSendAttempts is how many times the outbox tries to hand a message to
// its provider before it records the message failed.
const MaxSendAttempts = 8

// MessageRetention is how long a message's body is kept by default; its
// status, times and provider ID stay.
const MessageRetention = 90 * 24 * time.Hour

// Message is one message to one person by one channel, kept in the
// outbox. To, Subject and Body are sealed at rest.
type Message struct {
	ID      string
	Channel Channel
	To      string // E.164 phone number (sms, voice) or e-mail address
	Subject string // e-mail only
	Body    string // text; for voice, what is spoken; "" once purged
	// Language is the BCP 47 tag the body is written in (a voice reads
	// it in that language). Sealed with the rest.
	Language string
	// EventKey names the business event that caused the message, such as
	// "invitation:ID"; with the recipient, the channel and AttemptGroup it
	// makes IdempotencyKey: the same message enqueued twice is stored once,
	// and a provider given the key twice sends once.
	EventKey       string
	AttemptGroup   int
	IdempotencyKey string
	// Emergency messages are sent to a number that opted out of others.
	Emergency  bool
	Status     MessageStatus
	ProviderID string // the provider's ID (a Twilio SID; an e-mail Message-ID)
	Segments   int    // SMS segments the provider bills
	Attempts   int    // hand-overs to the provider that failed
	LastError  string // the last failure, without personal data
	BodyPurged bool   // the body was deleted after the retention period
	CreatedAt  time.Time
	UpdatedAt  time.Time
	SentAt     time.Time
}

// MaxSMSLen is the longest SMS or spoken message, in characters: what
// gateways accept (Twilio: 1,600).
const MaxSMSLen = 1600

var e164 = regexp.MustCompile(`^\+[1-9][0-9]{6,14}$`)

// ValidPhone reports whether s is a phone number in E.164 form
// (+ then up to 15 digits, such as +12135550100).
func ValidPhone(s string) bool { return e164.MatchString(s) }

// NotE164 is the error of a field that is not a phone number in E.164
// form (ValidPhone).
func NotE164(field string) *Error {
	return Invalid(field, "must be a phone number in E.164 form, such as +12135550100").Localize("invalid.phone_e164")
}

// e164 records field v unless it is a phone number in E.164 form.
func (c *checker) e164(field, v string) {
	if !ValidPhone(v) {
		c.problems = append(c.problems, NotE164(field))
	}
}

// Validate returns every problem of m, each naming its field.
func (m *Message) Validate() error {
	var c checker
	switch m.Channel {
	case ChannelSMS, ChannelVoice:
		c.e164("to", m.To)
		c.maxLen("body", m.Body, MaxSMSLen)
	case ChannelEmail:
		if !IsEmail(m.To) {
			c.add("to", "invalid.email", "must be an email address, such as name@example.org")
		}
	default:
		c.add("channel", "invalid.channel", "must be sms, voice or email")
	}
	if m.Body == "" {
		c.add("body", "invalid.required", "is required")
	}
	if m.EventKey == "" {
		c.add("event_key", "invalid.required", "is required")
	}
	return c.err()
}

// SendResult is what a provider answered when it accepted a message.
type SendResult struct {
	ProviderID string
	Segments   int
}

// OutboxCount is how many messages of a channel are in a state of the
// outbox: "queued" (not yet tried), "retrying" (tried, and to be tried
// again), "failed".
type OutboxCount struct {
	Channel Channel
	State   string
	Count   int
}

// MessageService keeps the outbox. Messages are usually enqueued inside
// the store, in the transaction of the event that causes them (an
// invitation); EnqueueMessage is for events outside it. The server's
// workers act as the system; the program office reads the outbox. Every
// method answers EFORBIDDEN to anyone else.
type MessageService interface {
	// EnqueueMessage stores m as queued with a job to send it, in one
	// transaction. With m's idempotency key stored already it stores
	// nothing and returns false. EINVALID for a bad message.
	EnqueueMessage(ctx context.Context, m *Message) (bool, error)
	// FindMessageByID returns a message, its sealed fields opened.
	// ENOTFOUND if there is none.
	FindMessageByID(ctx context.Context, id string) (*Message, error)
	// RecordSend records that the provider accepted a queued message:
	// it is sent, unless a receipt already moved it further.
	RecordSend(ctx context.Context, id string, r SendResult) error
	// RecordSendFailure records a failed hand-over (msg names no person):
	// a permanent one, or the last of MaxSendAttempts, fails the message.
	// It returns whether the message is now failed.
	RecordSendFailure(ctx context.Context, id, msg string, permanent bool) (bool, error)
	// RecordDelivery moves a message to status, if that advances it, and
	// reports whether it did. The message is messageID (the receipt's
	// callback address names it, so a receipt that comes before the
	// provider's answer is recorded is not lost), or, if "", the one the
	// provider knows as providerID. ENOTFOUND for an unknown message;
	// ECONFLICT if the provider ID is another message's.
	RecordDelivery(ctx context.Context, messageID, providerID string, status MessageStatus) (bool, error)
	// SetOptOut records that a phone number opted out of non-emergency
	// messages (out) or back in, with the language it wrote in. The
	// number is kept only as a keyed hash. EINVALID if not E.164.
	SetOptOut(ctx context.Context, phone string, out bool, lang string) error
	// OptedOut reports whether a phone number opted out.
	OptedOut(ctx context.Context, phone string) (bool, error)
	// OutboxStatus counts the messages queued, retrying and failed, by
	// channel.
	OutboxStatus(ctx context.Context) ([]OutboxCount, error)
	// RetryMessage queues a failed message again, with a new send job.
	// ENOTFOUND if there is none; ECONFLICT unless it failed before the
	// provider took it.
	RetryMessage(ctx context.Context, id string) error
	// PurgeMessageBodies deletes the recipients, subjects and bodies of
	// messages created before before, keeping their statuses, and
	// returns how many.
	PurgeMessageBodies(ctx context.Context, before time.Time) (int, error)
}

// JobSendMessage is the job that hands one message (args {"message_id"})
// to its provider.
const JobSendMessage = "message.send"

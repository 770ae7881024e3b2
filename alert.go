package amparo

import (
	"context"
	"slices"
	"time"
)

// Rapid response. A client's response plan, prepared with them in
// advance, names who is told when they are stopped, in order; an alert
// tells them all at once and, until one of them acknowledges, calls the
// attorney and the hotline and then the next responder, a step per
// timeout. Everything personal in a plan (names, numbers, messages) is
// sealed under the client's data key: erasing the client erases it.

// ResponderKind is who a responder is to the client.
type ResponderKind string

const (
	ResponderAttorney ResponderKind = "attorney" // the attorney of record
	ResponderHotline  ResponderKind = "hotline"  // the organization's hotline
	ResponderContact  ResponderKind = "contact"  // an emergency contact of the client's choosing
)

// MaxAlertContacts is how many emergency contacts a plan names at most.
const MaxAlertContacts = 5

// DefaultAlertTimeout is how long an alert waits for an acknowledgement
// before it escalates.
const DefaultAlertTimeout = 2 * time.Minute

// Responder is one person or line a plan tells, in its order.
type Responder struct {
	Kind     ResponderKind
	Name     string
	Phone    string // E.164
	Email    string `json:",omitempty"`
	Language string // of the messages they get
	Relation string `json:",omitempty"` // a contact's relation to the client
	// Consent says the client agreed that this contact be told (and the
	// contact to be told); a contact without it is never messaged.
	Consent  bool      `json:",omitempty"`
	Channels []Channel // sms, voice, email
}

// Has reports whether r is reached by channel c.
func (r *Responder) Has(c Channel) bool { return slices.Contains(r.Channels, c) }

// ResponsePlan is a client's plan. Messages holds the short prepared
// message per language (BCP 47 tag), read to each responder in theirs.
type ResponsePlan struct {
	ClientID       string
	OrganizationID string
	Responders     []Responder
	Messages       map[string]string
	Timeout        time.Duration // 0 for DefaultAlertTimeout
	UpdatedAt      time.Time
}

// MaxPreparedMessage is the longest prepared message, in characters: it
// travels inside an SMS with the acknowledgement instructions.
const MaxPreparedMessage = 300

// Validate returns every problem of p, each naming its field.
func (p *ResponsePlan) Validate() error {
	var c checker
	c.required("client_id", p.ClientID)
	if len(p.Responders) == 0 {
		c.add("responders", "invalid.plan_no_responder", "must name at least one responder")
	}
	contacts := 0
	for _, r := range p.Responders {
		c.oneOf("responders.kind", string(r.Kind), string(ResponderAttorney), string(ResponderHotline), string(ResponderContact))
		c.text("responders.name", r.Name, MaxNameLen, true)
		c.e164("responders.phone", r.Phone)
		if r.Email != "" {
			c.email("responders.email", r.Email)
		}
		c.language("responders.language", r.Language)
		c.text("responders.relation", r.Relation, 50, false)
		if len(r.Channels) == 0 {
			c.add("responders.channels", "invalid.required", "is required")
		}
		for _, ch := range r.Channels {
			c.oneOf("responders.channels", string(ch), string(ChannelSMS), string(ChannelVoice), string(ChannelEmail))
			if ch == ChannelEmail && r.Email == "" {
				c.add("responders.email", "invalid.required", "is required")
			}
		}
		if r.Kind == ResponderContact {
			contacts++
		}
	}
	if contacts > MaxAlertContacts {
		c.add("responders", "invalid.plan_contacts", "must name at most %d emergency contacts", MaxAlertContacts)
	}
	for lang, m := range p.Messages {
		c.language("messages", lang)
		c.text("messages", m, MaxPreparedMessage, false)
	}
	if p.Timeout < 0 || p.Timeout > time.Hour {
		c.add("timeout", "invalid.plan_timeout", "must be between 0 (the default of 2 minutes) and an hour")
	}
	return c.err()
}

// EffectiveTimeout is p's timeout, or the default.
func (p *ResponsePlan) EffectiveTimeout() time.Duration {
	if p.Timeout <= 0 {
		return DefaultAlertTimeout
	}
	return p.Timeout
}

// AlertSource is how an alert was raised.
type AlertSource string

const (
	AlertFromPhonePage AlertSource = "phone"   // the client's button
	AlertFromSMS       AlertSource = "sms"     // the keyword to the program's number
	AlertFromHotline   AlertSource = "hotline" // a hotline worker's entry
	AlertFromReport    AlertSource = "report"  // a third party's report of enforcement activity
)

// AlertStatus is where an alert is.
type AlertStatus string

const (
	AlertOpen         AlertStatus = "open"         // no one acknowledged yet
	AlertAcknowledged AlertStatus = "acknowledged" // someone answers
	AlertResolved     AlertStatus = "resolved"     // closed with an outcome
)

// Verification is a third-party report's state.
type Verification string

const (
	ReportUnverified Verification = "unverified"
	ReportVerified   Verification = "verified"
	ReportUnfounded  Verification = "unfounded"
)

// AlertEventKind names a line of an alert's timeline.
type AlertEventKind string

const (
	AlertRaised       AlertEventKind = "raised"
	AlertMessaged     AlertEventKind = "message"      // a message to a responder was enqueued
	AlertEscalated    AlertEventKind = "escalated"    // the timeout passed with no acknowledgement
	AlertAcked        AlertEventKind = "acknowledged" // a responder or staff answered
	AlertResolvedNote AlertEventKind = "resolved"
	AlertVerified     AlertEventKind = "verification"
	// AlertWithheld: a responder the alert did not tell, the attorney of
	// a client whose letters are all revoked or expired (they no longer
	// represent the client); the hotline and contacts are told instead.
	AlertWithheld AlertEventKind = "withheld"
)

// AlertEvent is a line of an alert's timeline. Responder is the index in
// the plan (-1 for none); Channel and MessageID name a message, whose
// status is read when the timeline is.
type AlertEvent struct {
	At        time.Time
	Kind      AlertEventKind
	Responder int
	Channel   Channel
	MessageID string
	Status    MessageStatus // the message's, as it is now
	ActorID   string        // an account that acknowledged or resolved; "" otherwise
	Step      int           // the escalation step
}

// Checklist is what staff record for a detained client. Sealed.
type Checklist struct {
	ANumber   string `json:",omitempty"`
	Facility  string `json:",omitempty"`
	NextSteps string `json:",omitempty"`
}

// Alert is one "I am being stopped". Note, Checklist and Report are
// sealed; its timeline holds no personal data.
type Alert struct {
	ID             string
	OrganizationID string
	ClientID       string // "" for a third-party report
	Source         AlertSource
	Status         AlertStatus
	Verification   Verification // reports only
	Report         string       // a report's text
	RaisedAt       time.Time
	FirstSentAt    time.Time // the first message handed to a provider
	AcknowledgedAt time.Time
	AckBy          string  // who: a responder's kind and index ("attorney:0") or an account ID
	AckChannel     Channel // or "web"
	ResolvedAt     time.Time
	Outcome        string
	Note           string
	Checklist      Checklist
	Timeout        time.Duration
	Step           int // escalation steps taken
	Events         []AlertEvent
}

// AlertOutcomes are the outcomes an alert is resolved with.
var AlertOutcomes = []string{"on_my_way", "g28_filed", "client_released", "client_detained", "false_alarm", "other"}

// RaiseAlertRequest is how an alert is raised. Key is the client's
// idempotency key (a random value the page makes once per press): the
// same key makes the same alert however often it is sent. Exactly one of
// LinkID (the phone page, whose PIN the caller checked), ClientID (a
// hotline worker) or Report (a third party) is given.
type RaiseAlertRequest struct {
	Key            string
	Source         AlertSource
	LinkID         string
	ClientID       string
	OrganizationID string // a report's organization
	Report         string
}

// AlertFilter selects alerts.
type AlertFilter struct {
	OrganizationID string
	Status         AlertStatus
	Limit          int
}

// AlertFigures are an organization's alert figures.
type AlertFigures struct {
	Alerts           int
	FirstDeliveryP50 time.Duration
	AckP50, AckP95   time.Duration
	AckedInTime      int // acknowledged within the plan's timeout
	Acknowledged     int
}

// AlertNotice is what an alert's message to a responder says: the
// client's name, the prepared message in the responder's language, and
// the token of the responder's acknowledgement link.
type AlertNotice struct {
	AlertID    string
	ClientName string
	Responder  Responder
	Index      int
	Prepared   string
	AckToken   string
	Channel    Channel
	Step       int
}

// AlertService keeps response plans and alerts.
type AlertService interface {
	// SetResponsePlan stores a client's plan, replacing the one before.
	// EINVALID for a bad plan; ENOTFOUND if the actor's organization has
	// no such client; EFORBIDDEN unless the actor writes its clients.
	SetResponsePlan(ctx context.Context, p *ResponsePlan) error
	// FindResponsePlan returns a client's plan: one with no responders
	// if none was made yet. ENOTFOUND if the actor's organization has no
	// such client; EFORBIDDEN as SetResponsePlan.
	FindResponsePlan(ctx context.Context, clientID string) (*ResponsePlan, error)
	// PlanByLink returns the plan of a phone link's client, for the phone
	// page (its PIN checked by the caller). ENOTFOUND if none.
	PlanByLink(ctx context.Context, linkID string) (*ResponsePlan, error)
	// RaiseAlert raises an alert and, in the same transaction, enqueues
	// its messages and its first escalation. The same key returns the
	// alert it made (created false); so does a client's open alert raised
	// in the last AlertDedupWindow. EINVALID for a request without a key;
	// ENOTFOUND for a link that does not work or a client with no plan;
	// ECONFLICT when a link raised too many alerts in the last hour (never
	// the first).
	RaiseAlert(ctx context.Context, r RaiseAlertRequest) (a *Alert, created bool, err error)
	// RaiseAlertBySMS raises an alert for the client whose plan names
	// the phone number from as theirs. ENOTFOUND if none does.
	RaiseAlertBySMS(ctx context.Context, from, key string) (*Alert, bool, error)
	// NumberLanguage returns the language a phone number is answered in:
	// that of the responder it is in the newest alert that told it, else
	// that of the client whose plan names it as theirs. ENOTFOUND for a
	// number neither; EINVALID for one not in E.164. The system only.
	NumberLanguage(ctx context.Context, from string) (string, error)
	// FindAlertByID returns an alert with its timeline. ENOTFOUND.
	FindAlertByID(ctx context.Context, id string) (*Alert, error)
	// FindAlerts lists alerts: unacknowledged first, then newest first.
	FindAlerts(ctx context.Context, f AlertFilter) ([]*Alert, error)
	// AcknowledgeAlert records that the actor answers (channel "web").
	// An alert acknowledged already keeps its first acknowledgement.
	// ENOTFOUND; EFORBIDDEN unless the actor sees the organization's clients.
	AcknowledgeAlert(ctx context.Context, id, note string) error
	// AcknowledgeByToken records the answer of the responder whose link
	// carries token. ENOTFOUND for an unknown token.
	AcknowledgeByToken(ctx context.Context, token string) (*Alert, error)
	// AcknowledgeBySMS records the answer of the responder writing from
	// the number from, to their newest open alert. ENOTFOUND if none.
	AcknowledgeBySMS(ctx context.Context, from string) (*Alert, error)
	// ResolveAlert closes an alert with an outcome, a note and the
	// checklist. EINVALID for an unknown outcome; ENOTFOUND; EFORBIDDEN.
	ResolveAlert(ctx context.Context, id, outcome, note string, c Checklist) error
	// VerifyReport sets a third-party report's verification. EINVALID
	// for an alert that is no report.
	VerifyReport(ctx context.Context, id string, v Verification) error
	// EscalateAlert takes escalation step step of an alert, if it is
	// still open and the step not taken (a job may run twice): the next
	// responder's call or message, and the next step's job. It reports
	// whether it did anything. The system only.
	EscalateAlert(ctx context.Context, id string, step int) (bool, error)
	// AlertFigures returns an organization's figures ("" for all).
	AlertFigures(ctx context.Context, orgID string) (*AlertFigures, error)
}

// AlertDedupWindow is how long a client's open alert absorbs new
// presses: a second press is the same emergency.
const AlertDedupWindow = 15 * time.Minute

// MaxAlertsPerHour bounds the alerts one client raises in an hour.
const MaxAlertsPerHour = 5

// JobEscalateAlert is the job (args {"alert_id", "step"}) that escalates
// an alert nobody acknowledged in time.
const JobEscalateAlert = "alert.escalate"

// Percentile returns the p-th percentile (nearest rank) of ds; 0 for none.
func Percentile(ds []time.Duration, p int) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	i := (p*len(s)+99)/100 - 1
	return s[max(0, min(i, len(s)-1))]
}

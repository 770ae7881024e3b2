package amparo

import (
	"context"
	"time"
)

// Workshop reminders: by the channel each registrant consented to, a
// confirmation when they register, one the day before (a reply YES or NO,
// SI or NO, confirms or cancels), and one on the day, with the address
// when it was hidden. Each is sent once per (registration, kind): the
// outbox's idempotency key is made of both.

// ReminderKind is which reminder a message is.
type ReminderKind string

const (
	ReminderConfirmation ReminderKind = "confirmation" // at registration, in its transaction
	ReminderDayBefore    ReminderKind = "day_before"   // asks for YES or NO
	ReminderDayOf        ReminderKind = "day_of"       // with the address if it was hidden
)

// ReminderKinds lists the reminder kinds.
var ReminderKinds = []ReminderKind{ReminderConfirmation, ReminderDayBefore, ReminderDayOf}

// When reminders fall due, in the program's time zone: the day before
// from 10:00, on the day from 8:00 (or an hour before an earlier start).
const (
	DayBeforeReminderHour = 10
	DayOfReminderHour     = 8
)

// ReminderDue is when a reminder of kind k of w is due, loc being the
// program's time zone; zero for the confirmation (due at registration).
func (w *Workshop) ReminderDue(k ReminderKind, loc *time.Location) time.Time {
	day := DayOf(w.StartsAt, loc).Time
	var hour int
	switch k {
	case ReminderDayBefore:
		day, hour = day.AddDate(0, 0, -1), DayBeforeReminderHour
	case ReminderDayOf:
		hour = DayOfReminderHour
	default:
		return time.Time{}
	}
	// Never later than an hour before the start.
	due := time.Date(day.Year(), day.Month(), day.Day(), hour, 0, 0, 0, loc)
	if latest := w.StartsAt.Add(-time.Hour); due.After(latest) {
		return latest
	}
	return due
}

// Reminder is what a reminder message is made of: the store hands it to
// DB.WorkshopReminder, which writes it in the registrant's language.
type Reminder struct {
	Kind     ReminderKind
	Channel  Channel // sms or email
	To       string
	Language string
	Workshop *Workshop // its Address is "" unless the reminder shows it
	Code     string    // the ticket's short code
	Status   RegistrationStatus
	Party    int
	// Token is the ticket link's secret: in the confirmation only (the
	// store keeps no more than its MAC).
	Token string
	// Zone is the program's time zone, for the date and time.
	Zone *time.Location
}

// EventKey is the reminder's event for the outbox: with the channel and
// recipient it makes the idempotency key, so a reminder is stored and sent
// once per (registration, kind) however often the job runs.
func (r *Reminder) EventKey(registrationID string) string {
	return "workshop-reminder:" + registrationID + ":" + string(r.Kind)
}

// ReplyOutcome is what a reply to a day-before reminder did.
type ReplyOutcome string

const (
	ReplyNone      ReplyOutcome = ""          // the number has no registration waiting for a reply
	ReplyConfirmed ReplyOutcome = "confirmed" // YES or SI: coming
	ReplyCancelled ReplyOutcome = "cancelled" // NO: the place goes to the waitlist
)

// ReminderCount is how many registrations of a workshop get a reminder by
// a channel, in a language: what the organizer sees (with the SMS
// segments) before the day-before send.
type ReminderCount struct {
	Channel  Channel
	Language string
	Count    int
}

// WorkshopReminderService sends workshop reminders and takes the replies.
type WorkshopReminderService interface {
	// SendDueReminders enqueues, in the outbox, every day-before and
	// day-of reminder due at now of published workshops not yet started,
	// once per (registration, kind), and returns how many messages it
	// stored. The system only (EFORBIDDEN).
	SendDueReminders(ctx context.Context, now time.Time) (int, error)
	// ReplyToReminder records a reply from phone (E.164) to a day-before
	// reminder: yes confirms the registration, no cancels it and offers
	// its place to the waitlist. It acts on the registrations of that
	// number reminded the day before of workshops not yet started, and
	// returns the outcome (ReplyNone for a number with none) and the
	// registration's language. The system only (EFORBIDDEN).
	ReplyToReminder(ctx context.Context, phone string, yes bool) (ReplyOutcome, string, error)
	// WorkshopReminderCounts counts a workshop's confirmed registrations
	// by reminder channel and language. ENOTFOUND; EFORBIDDEN.
	WorkshopReminderCounts(ctx context.Context, workshopID string) ([]ReminderCount, error)
}

package notify

import (
	"context"
	"net/url"
	"strings"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/locale"
)

// WorkshopReminders writes workshop reminders in their reader's language,
// for the store to enqueue (sqldb.DB.WorkshopReminder); the confirmation
// carries the ticket link under publicURL.
func WorkshopReminders(cat *locale.Catalog, publicURL *url.URL) func(r *amparo.Reminder) *amparo.Message {
	return func(r *amparo.Reminder) *amparo.Message {
		body, subject := ReminderText(cat, publicURL, r)
		return &amparo.Message{Channel: r.Channel, To: r.To, Subject: subject, Body: body, Language: r.Language}
	}
}

// ReminderText is a reminder's body, and its e-mail subject.
func ReminderText(cat *locale.Catalog, publicURL *url.URL, r *amparo.Reminder) (body, subject string) {
	w, lang := r.Workshop, r.Language
	title := w.TitleIn(lang)
	start := w.StartsAt
	if r.Zone != nil {
		start = start.In(r.Zone)
	}
	day, at := cat.Date(lang, start), start.Format("15:04")
	link := ""
	if publicURL != nil && r.Token != "" {
		link = publicURL.JoinPath("ticket", r.Token).String()
	}
	kind := string(r.Kind)
	switch r.Kind {
	case amparo.ReminderConfirmation:
		if r.Status == amparo.RegistrationConfirmed {
			body = cat.T(lang, "workshop.reminder.confirmation", title, day, at, w.Venue, r.Code, link)
		} else {
			kind = "waitlisted"
			body = cat.T(lang, "workshop.reminder.waitlisted", title, day, at, link)
		}
	case amparo.ReminderDayBefore:
		body = cat.T(lang, "workshop.reminder.day_before", title, day, at, w.Venue)
	case amparo.ReminderDayOf:
		body = cat.T(lang, "workshop.reminder.day_of", title, at, w.Venue, r.Code)
	}
	if w.Address != "" && r.Kind != amparo.ReminderDayBefore {
		body += " " + cat.T(lang, "workshop.reminder.address", w.Address)
	}
	return body, cat.T(lang, "workshop.reminder.subject."+kind, title)
}

// ReminderPreview is what the day-before reminder of w will take, by the
// counts of its confirmed registrations: text messages, their SMS
// segments, and e-mails. The organizer sees it before the send.
func ReminderPreview(cat *locale.Catalog, w *amparo.Workshop, counts []amparo.ReminderCount) (texts, segments, mails int) {
	for _, c := range counts {
		switch c.Channel {
		case amparo.ChannelSMS:
			body, _ := ReminderText(cat, nil, &amparo.Reminder{Kind: amparo.ReminderDayBefore, Language: c.Language, Workshop: w})
			n, _ := Segments(body)
			texts, segments = texts+c.Count, segments+n*c.Count
		case amparo.ChannelEmail:
			mails += c.Count
		}
	}
	return texts, segments, mails
}

// ReplyWord is what a reply to a day-before reminder says: yes (YES, Y,
// SI, SÍ, S) or no (NO, N); ok is false for anything else. None is a
// word of the STOP family.
func ReplyWord(body string) (yes, ok bool) {
	if len(body) > 32 {
		return false, false // a message, not a reply
	}
	w := strings.ToUpper(bareWord(body))
	switch w {
	case "YES", "Y", "SI", "SÍ", "S":
		return true, true
	case "NO", "N":
		return false, true
	}
	return false, false
}

// ReminderReplies is the notify.Hooks Replier of workshop reminders: a YES
// or NO from a number reminded the day before confirms or cancels its
// registration, and is answered in the registration's language. A number
// with no such registration is left to the next Replier.
func ReminderReplies(store amparo.WorkshopReminderService, cat *locale.Catalog) Replier {
	return func(ctx context.Context, from, body string) (string, bool, error) {
		yes, ok := ReplyWord(body)
		if !ok {
			return "", false, nil
		}
		outcome, lang, err := store.ReplyToReminder(ctx, from, yes)
		switch {
		case err != nil:
			return "", false, err
		case outcome == amparo.ReplyConfirmed:
			return cat.T(lang, "workshop.reminder.reply_yes"), true, nil
		case outcome == amparo.ReplyCancelled:
			return cat.T(lang, "workshop.reminder.reply_no"), true, nil
		}
		return "", false, nil
	}
}

package sqldb_test

import (
	"bytes"
	"encoding/json"
	"sync"
	"testing"
	"time"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/internal/storetest"
	"github.com/amparo-project/amparo/sqldb"
)

// reminderLog records what the store asked to be written, as a composer
// that writes the kind and code.
type reminderLog struct {
	mu   sync.Mutex
	seen []amparo.Reminder
}

func (l *reminderLog) compose(r *amparo.Reminder) *amparo.Message {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.seen = append(l.seen, *r)
	return &amparo.Message{Channel: r.Channel, To: r.To, Body: string(r.Kind) + " " + r.Code, Language: r.Language}
}

func (l *reminderLog) of(k amparo.ReminderKind) []amparo.Reminder {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []amparo.Reminder
	for _, r := range l.seen {
		if r.Kind == k {
			out = append(out, r)
		}
	}
	return out
}

func queued(t *testing.T, db *sqldb.DB) map[amparo.Channel]int {
	t.Helper()
	counts, err := db.OutboxStatus(system)
	if err != nil {
		t.Fatal(err)
	}
	out := map[amparo.Channel]int{}
	for _, c := range counts {
		if c.State == "queued" {
			out[c.Channel] += c.Count
		}
	}
	return out
}

func TestWorkshopReminderService(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, db *sqldb.DB) {
		log := &reminderLog{}
		db.WorkshopReminder = log.compose
		clock := time.Date(2031, 3, 10, 12, 0, 0, 0, time.UTC)
		db.Now = func() time.Time { return clock }
		org := storetest.MustCreateOrganization(t, db, "Centro Legal Ejemplo")
		start := time.Date(2031, 3, 13, 18, 0, 0, 0, time.UTC) // the program's zone is UTC
		w := storetest.MustCreateWorkshop(t, db, org.ID, &amparo.Workshop{StartsAt: start, Capacity: 3, AddressVisibility: amparo.AddressOnTheDay})

		// The confirmation is enqueued with the registration, by each
		// channel consented to; none without a contact.
		sms := mustRegister(t, db, &amparo.Registration{WorkshopID: w.ID, Phone: "+12135550101", ConsentSMS: true})
		mail := mustRegister(t, db, &amparo.Registration{WorkshopID: w.ID, Language: "en", Email: "ana.prueba@example.org", ConsentMail: true})
		mustRegister(t, db, &amparo.Registration{WorkshopID: w.ID})
		no := mustRegister(t, db, &amparo.Registration{WorkshopID: w.ID, Phone: "+12135550102", ConsentSMS: true}) // waitlisted
		if no.Registration.Status != amparo.RegistrationWaitlisted {
			t.Fatalf("fourth registration is %s, want waitlisted", no.Registration.Status)
		}
		if q := queued(t, db); q[amparo.ChannelSMS] != 2 || q[amparo.ChannelEmail] != 1 {
			t.Fatalf("after registering: %v, want 2 SMS and 1 e-mail", q)
		}
		conf := log.of(amparo.ReminderConfirmation)
		if len(conf) != 3 || conf[0].Token != sms.Token || conf[0].Workshop.Address != "" || conf[1].To != "ana.prueba@example.org" || conf[1].Token != mail.Token ||
			conf[2].Status != amparo.RegistrationWaitlisted {
			t.Fatalf("confirmations: %+v", conf)
		}
		if counts, err := db.WorkshopReminderCounts(system, w.ID); err != nil || len(counts) != 2 {
			t.Errorf("WorkshopReminderCounts: %+v %v", counts, err)
		}
		if _, err := db.WorkshopReminderCounts(visitor, w.ID); amparo.ErrorCode(err) != amparo.EFORBIDDEN {
			t.Errorf("a visitor counts reminders: %v", err)
		}

		send := func(at time.Time) int {
			t.Helper()
			clock = at
			n, err := db.SendDueReminders(system, at)
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
		if n := send(start.Add(-50 * time.Hour)); n != 0 {
			t.Errorf("two days before: %d reminders", n)
		}
		if _, err := db.SendDueReminders(visitor, start); amparo.ErrorCode(err) != amparo.EFORBIDDEN {
			t.Errorf("a visitor sends reminders: %v", err)
		}
		dayBefore := time.Date(2031, 3, 12, 10, 0, 0, 0, time.UTC)
		if n := send(dayBefore.Add(-time.Minute)); n != 0 {
			t.Errorf("before the day-before time: %d reminders", n)
		}
		if n := send(dayBefore); n != 2 {
			t.Errorf("the day before: %d reminders, want 2 (the waitlisted and the one without contact get none)", n)
		}
		if n := send(dayBefore.Add(time.Hour)); n != 0 {
			t.Errorf("the day before, again: %d reminders, want none: once per registration and kind", n)
		}

		t.Run("ReplyYesConfirms", func(t *testing.T) {
			out, lang, err := db.ReplyToReminder(system, "+12135550101", true)
			if err != nil || out != amparo.ReplyConfirmed || lang != "es" {
				t.Fatalf("reply YES: %q %q %v", out, lang, err)
			}
			at, err := db.WorkshopAttendance(system, w.ID)
			if err != nil || at.Confirmed != 1 {
				t.Errorf("attendance: %+v %v, want 1 confirmed", at, err)
			}
		})
		t.Run("ReplyFromUnknownNumber", func(t *testing.T) {
			if out, _, err := db.ReplyToReminder(system, "+12135550199", false); err != nil || out != amparo.ReplyNone {
				t.Errorf("reply from a stranger: %q %v", out, err)
			}
			// Not reminded the day before (it waits): nothing to answer.
			if out, _, err := db.ReplyToReminder(system, "+12135550102", false); err != nil || out != amparo.ReplyNone {
				t.Errorf("reply from the waitlist: %q %v", out, err)
			}
			if _, _, err := db.ReplyToReminder(system, "2135550101", true); amparo.ErrorCode(err) != amparo.EINVALID {
				t.Errorf("a number not in E.164: %v", err)
			}
		})

		// A NO cancels, and the place goes to the waitlist.
		late := mustRegister(t, db, &amparo.Registration{WorkshopID: w.ID, Phone: "+12135550103", ConsentSMS: true})
		if late.Registration.Status != amparo.RegistrationWaitlisted {
			t.Fatalf("late registration: %s", late.Registration.Status)
		}
		if out, lang, err := db.ReplyToReminder(system, "+12135550101", false); err != nil || out != amparo.ReplyCancelled || lang != "es" {
			t.Fatalf("reply NO: %q %q %v", out, lang, err)
		}
		r, _, err := db.FindTicket(visitor, sms.Token)
		if err != nil || r.Status != amparo.RegistrationCancelled {
			t.Fatalf("after NO: %+v %v", r, err)
		}
		if r, _, err := db.FindTicket(visitor, no.Token); err != nil || r.Status != amparo.RegistrationOffered {
			t.Errorf("the first on the waitlist after a NO: %+v %v, want offered", r, err)
		}
		if at, _ := db.WorkshopAttendance(system, w.ID); at.Confirmed != 0 || at.Cancelled != 1 {
			t.Errorf("attendance after NO: %+v", at)
		}
		if err := db.AcceptOffer(visitor, no.Token); err != nil {
			t.Fatal(err)
		}

		// On the day: the confirmed ones, with the address hidden till
		// then; the cancelled one gets nothing.
		dayOf := time.Date(2031, 3, 13, 8, 0, 0, 0, time.UTC)
		if n := send(dayOf); n != 2 {
			t.Errorf("on the day: %d reminders, want 2 (e-mail, and the place taken from the waitlist)", n)
		}
		for _, r := range log.of(amparo.ReminderDayOf) {
			if r.Workshop.Address == "" {
				t.Errorf("day-of reminder without the address: %+v", r)
			}
			if r.To == "+12135550101" {
				t.Error("a cancelled registration was reminded on the day")
			}
		}
		if n := send(start); n != 0 {
			t.Errorf("at the start: %d reminders", n)
		}

		// Forgetting the workshop purges its reminders in the outbox:
		// recipients, subjects and bodies.
		if _, err := db.ForgetWorkshop(system, w.ID); err != nil {
			t.Fatal(err)
		}
		jobs, _, err := db.FindJobs(system, amparo.JobFilter{Kind: amparo.JobSendMessage, Limit: 100})
		if err != nil || len(jobs) == 0 {
			t.Fatalf("send jobs: %d %v", len(jobs), err)
		}
		for _, j := range jobs {
			var a struct {
				ID string `json:"message_id"`
			}
			if err := json.Unmarshal(j.Args, &a); err != nil {
				t.Fatal(err)
			}
			m, err := db.FindMessageByID(system, a.ID)
			if err != nil || !m.BodyPurged || m.To != "" {
				t.Errorf("a reminder after the workshop was forgotten: %+v %v", m, err)
			}
		}
	})
}

func TestWorkshopService_DoorList(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, db *sqldb.DB) {
		org := storetest.MustCreateOrganization(t, db, "Centro Legal Ejemplo")
		w := storetest.MustCreateWorkshop(t, db, org.ID, &amparo.Workshop{Capacity: 1})
		in := mustRegister(t, db, &amparo.Registration{WorkshopID: w.ID, PartySize: 1})
		wait := mustRegister(t, db, &amparo.Registration{WorkshopID: w.ID, PartySize: 1})
		if _, err := db.CheckIn(system, w.ID, amparo.CheckIn{Nonce: "n1", Code: in.Registration.Code}); err != nil {
			t.Fatal(err)
		}
		door, err := db.DoorList(system, w.ID)
		if err != nil || len(door.Tickets) != 2 || !bytes.Equal(door.PublicKey, w.PublicKey) {
			t.Fatalf("DoorList: %+v %v", door, err)
		}
		for _, d := range door.Tickets {
			want := amparo.DoorTicket{Code: in.Registration.Code, PartySize: 1, Holds: true, CheckedIn: true}
			if d.Code == wait.Registration.Code {
				want = amparo.DoorTicket{Code: d.Code, PartySize: 1}
			}
			if d != want {
				t.Errorf("%+v, want %+v", d, want)
			}
		}
		if _, err := db.DoorList(visitor, w.ID); amparo.ErrorCode(err) != amparo.EFORBIDDEN {
			t.Errorf("a visitor reads the door's list: %v", err)
		}
		if _, err := db.ForgetWorkshop(system, w.ID); err != nil {
			t.Fatal(err)
		}
		if door, err := db.DoorList(system, w.ID); err != nil || len(door.Tickets) != 0 {
			t.Errorf("after erasure: %+v %v", door, err)
		}
		// An upload with an unknown code, a bad scan and a repeat: each
		// answered, the good ones recorded once.
		res, errs, err := db.CheckIns(system, w.ID, []amparo.CheckIn{{Nonce: "n1", Code: "ZZZZZZ"}, {Nonce: "", Code: "ZZZZZZ"}, {Nonce: "n2", Code: "ZZZZZZ"}})
		if err != nil || !res[0].Repeat || errs[1] == nil || res[2].Outcome != amparo.CheckInUnknown || res[2].Repeat {
			t.Errorf("CheckIns: %+v %v %v", res, errs, err)
		}
	})
}

// TestWorkshopReminders_DayOfAfterReplies: on the day, whoever replied
// YES to the day-before reminder is reminded (with the address), as is
// whoever did not reply; whoever replied NO is not.
func TestWorkshopReminders_DayOfAfterReplies(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, db *sqldb.DB) {
		log := &reminderLog{}
		db.WorkshopReminder = log.compose
		clock := time.Date(2031, 5, 5, 12, 0, 0, 0, time.UTC)
		db.Now = func() time.Time { return clock }
		org := storetest.MustCreateOrganization(t, db, "Centro Legal Ejemplo")
		start := time.Date(2031, 5, 8, 18, 0, 0, 0, time.UTC) // the program's zone is UTC
		w := storetest.MustCreateWorkshop(t, db, org.ID, &amparo.Workshop{StartsAt: start, Capacity: 10, AddressVisibility: amparo.AddressOnTheDay})
		const yes, no, silent, si = "+12135550111", "+12135550112", "+12135550113", "+12135550114"
		for _, phone := range []string{yes, no, silent, si} {
			mustRegister(t, db, &amparo.Registration{WorkshopID: w.ID, Phone: phone, ConsentSMS: true})
		}
		mustRegister(t, db, &amparo.Registration{WorkshopID: w.ID, Language: "en", Email: "ana.prueba@example.org", ConsentMail: true})
		clock = time.Date(2031, 5, 7, 10, 0, 0, 0, time.UTC)
		if n, err := db.SendDueReminders(system, clock); err != nil || n != 5 {
			t.Fatalf("the day before: %d reminders, %v; want 5", n, err)
		}
		clock = clock.Add(time.Hour)
		for _, r := range []struct {
			phone string
			yes   bool
			want  amparo.ReplyOutcome
		}{{yes, true, amparo.ReplyConfirmed}, {si, true, amparo.ReplyConfirmed}, {no, false, amparo.ReplyCancelled}} {
			if out, _, err := db.ReplyToReminder(system, r.phone, r.yes); err != nil || out != r.want {
				t.Fatalf("the reply of %s: %q %v, want %q", r.phone, out, err, r.want)
			}
		}
		clock = time.Date(2031, 5, 8, 8, 0, 0, 0, time.UTC)
		if n, err := db.SendDueReminders(system, clock); err != nil || n != 4 {
			t.Errorf("on the day: %d reminders, %v; want 4", n, err)
		}
		got := map[string]bool{}
		for _, r := range log.of(amparo.ReminderDayOf) {
			if r.Workshop.Address == "" {
				t.Errorf("a day-of reminder to %s without the address", r.To)
			}
			got[r.To] = true
		}
		for _, to := range []string{yes, si, silent, "ana.prueba@example.org"} {
			if !got[to] {
				t.Errorf("%s was not reminded on the day", to)
			}
		}
		if got[no] {
			t.Errorf("%s replied NO and was reminded on the day", no)
		}
		if n, err := db.SendDueReminders(system, clock.Add(time.Hour)); err != nil || n != 0 {
			t.Errorf("on the day, again: %d reminders, %v", n, err)
		}
	})
}

// TestWorkshopService_RegisterPhoneAsWritten: a phone number written with
// spaces, brackets and dashes is kept in E.164, so its confirmation goes
// out and a reply from it is found; one without its country code is
// refused, naming the phone, and nothing is stored.
func TestWorkshopService_RegisterPhoneAsWritten(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, db *sqldb.DB) {
		log := &reminderLog{}
		db.WorkshopReminder = log.compose
		org := storetest.MustCreateOrganization(t, db, "Centro Legal Ejemplo")
		w := storetest.MustCreateWorkshop(t, db, org.ID, &amparo.Workshop{})
		got := mustRegister(t, db, &amparo.Registration{WorkshopID: w.ID, Phone: " +1 (213) 555-0142 ", ConsentSMS: true})
		if got.Registration.Phone != "+12135550142" {
			t.Errorf("the phone is kept as %q", got.Registration.Phone)
		}
		if q := queued(t, db); q[amparo.ChannelSMS] != 1 {
			t.Fatalf("the confirmation to a phone written with spaces: %v queued, want 1 SMS", q)
		}
		if conf := log.of(amparo.ReminderConfirmation); len(conf) != 1 || conf[0].To != "+12135550142" {
			t.Fatalf("confirmations: %+v", conf)
		}
		_, err := db.Register(visitor, &amparo.Registration{WorkshopID: w.ID, PartySize: 1, Language: "es", Phone: "213 555 0143", ConsentSMS: true})
		wantCode(t, err, amparo.EINVALID)
		if m, ok := amparo.ErrorMsg(err); !ok || m.Key != "invalid.phone_e164" {
			t.Errorf("a phone without its country code: %v (%+v)", err, m)
		}
		if at, _ := db.WorkshopAttendance(system, w.ID); at.Registered != 1 {
			t.Errorf("%d registrations stored, want 1", at.Registered)
		}
	})
}

package notify_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/internal/fakegateway"
	"github.com/amparo-project/amparo/internal/storetest"
	"github.com/amparo-project/amparo/jobs"
	"github.com/amparo-project/amparo/locale"
	"github.com/amparo-project/amparo/notify"
	"github.com/amparo-project/amparo/sqldb"
)

// reminderRig is a store with the reminders wired as serve wires them, a
// fake SMS gateway, a real SMTP server, and a clock the test moves.
type reminderRig struct {
	db      *sqldb.DB
	cat     *locale.Catalog
	gw      *fakegateway.Gateway
	outbox  *notify.Outbox
	mu      sync.Mutex
	clock   time.Time
	workers int
}

func newReminderRig(tb testing.TB, mail *mailServer, opts fakegateway.Options) *reminderRig {
	tb.Helper()
	cat, err := locale.Load()
	if err != nil {
		tb.Fatal(err)
	}
	db, _ := storetest.OpenSQLite(tb)
	if _, err := db.CreateRootKey(storetest.System); err != nil {
		tb.Fatal(err)
	}
	rig := &reminderRig{db: db, cat: cat, gw: fakegateway.New(tb, opts), clock: time.Date(2031, 3, 10, 12, 0, 0, 0, time.UTC)}
	db.Now = rig.now
	pub, _ := url.Parse("https://amparo.example.org/")
	db.WorkshopReminder = notify.WorkshopReminders(cat, pub)
	rig.outbox = &notify.Outbox{Store: db, Senders: map[amparo.Channel]notify.Sender{
		amparo.ChannelSMS: &notify.Gateway{BaseURL: rig.gw.URL, AccountSID: rig.gw.SID, AuthToken: rig.gw.Token, From: "+12135550100"}}}
	if mail != nil {
		rig.outbox.Senders[amparo.ChannelEmail] = mail.mailer(smtpPass)
	}
	return rig
}

func (rig *reminderRig) now() time.Time {
	rig.mu.Lock()
	defer rig.mu.Unlock()
	return rig.clock
}

func (rig *reminderRig) set(t time.Time) {
	rig.mu.Lock()
	rig.clock = t
	rig.mu.Unlock()
}

// worker is a new job runner, as a restarted process has: the send job
// and the periodic reminder job, every 15 minutes.
func (rig *reminderRig) worker() *jobs.Runner {
	rig.workers++
	return &jobs.Runner{Store: rig.db, Worker: fmt.Sprintf("worker-%d", rig.workers), Now: rig.now, Concurrency: 8, Batch: 32,
		Periodic: []jobs.Periodic{{Kind: "workshops.remind", Every: 15 * time.Minute}},
		Handlers: map[string]jobs.Handler{
			amparo.JobSendMessage: rig.outbox.SendJob,
			"workshops.remind": func(ctx context.Context, _ []byte) error {
				_, err := rig.db.SendDueReminders(ctx, rig.now())
				return err
			},
		}}
}

// drain runs r until no job is due.
func drain(tb testing.TB, r *jobs.Runner) {
	tb.Helper()
	for range 10_000 {
		n, err := r.Tick(context.Background())
		if err != nil {
			tb.Fatal(err)
		}
		if n == 0 {
			return
		}
	}
	tb.Fatal("the job queue does not drain")
}

// sms lists the texts the gateway took for a number.
func (rig *reminderRig) sms(to string) []string {
	var out []string
	for _, r := range rig.gw.Records() {
		if r.To == to {
			out = append(out, r.Body)
		}
	}
	return out
}

// Reminders by the channel each person chose, once per (registration,
// kind) across a restart of the worker; a NO cancels; a STOP opts the
// number out of the rest (and is not a NO).
func TestWorkshopReminders_OncePerKindAcrossRestart(t *testing.T) {
	t.Parallel()
	mail := startMailServer(t, true)
	rig := newReminderRig(t, mail, fakegateway.Options{LoseAnswers: 1})
	db := rig.db
	org := storetest.MustCreateOrganization(t, db, "Centro Legal Ejemplo")
	start := time.Date(2031, 3, 13, 18, 0, 0, 0, time.UTC)
	w := storetest.MustCreateWorkshop(t, db, org.ID, &amparo.Workshop{StartsAt: start, AddressVisibility: amparo.AddressOnTheDay})

	const (
		si, yes, stop = "+12135550111", "+12135550112", "+12135550113"
		email         = "ana.prueba@example.org"
	)
	cancelled := storetest.MustRegister(t, db, &amparo.Registration{WorkshopID: w.ID, Language: "es", Phone: si, ConsentSMS: true})
	storetest.MustRegister(t, db, &amparo.Registration{WorkshopID: w.ID, Language: "en", Phone: yes, ConsentSMS: true})
	storetest.MustRegister(t, db, &amparo.Registration{WorkshopID: w.ID, Language: "es", Phone: stop, ConsentSMS: true})
	storetest.MustRegister(t, db, &amparo.Registration{WorkshopID: w.ID, Language: "es", Email: email, ConsentMail: true})
	storetest.MustRegister(t, db, &amparo.Registration{WorkshopID: w.ID, Language: "es", Alias: "Sin contacto"})

	first := rig.worker()
	drain(t, first)
	if got := rig.sms(si); len(got) != 1 || !strings.Contains(got[0], "inscrito/a") || !strings.Contains(got[0], "https://amparo.example.org/ticket/") {
		t.Fatalf("confirmation in Spanish: %q", got)
	}
	if got := rig.sms(yes); len(got) != 1 || !strings.Contains(got[0], "registered") || strings.Contains(got[0], "Calle Ficticia") {
		t.Fatalf("confirmation in English, the address hidden till the day: %q", got)
	}
	if n := len(mail.received()); n != 1 {
		t.Fatalf("%d e-mails after registering, want 1", n)
	}

	// The day before: the first worker runs the reminder job, a send job
	// loses its answer; the worker stops, another starts, the next period's
	// job runs again, and every send job is run once more.
	rig.set(time.Date(2031, 3, 12, 10, 5, 0, 0, time.UTC))
	drain(t, first)
	second := rig.worker()
	rig.set(time.Date(2031, 3, 12, 10, 20, 0, 0, time.UTC))
	drain(t, second)
	for _, m := range rig.allMessages(t) {
		if err := rig.outbox.Send(context.Background(), m); err != nil {
			t.Fatal(err)
		}
	}
	for _, to := range []string{si, yes, stop} {
		got := rig.sms(to)
		if len(got) != 2 {
			t.Fatalf("%s: %d texts after the day-before reminder, want 2: %q", to, len(got), got)
		}
	}
	if got := rig.sms(si)[1]; !strings.Contains(got, "mañana") || !strings.Contains(got, "SI o NO") {
		t.Errorf("day before, in Spanish: %q", got)
	}
	if got := rig.sms(yes)[1]; !strings.Contains(got, "tomorrow") || !strings.Contains(got, "YES or NO") {
		t.Errorf("day before, in English: %q", got)
	}
	if n := len(mail.received()); n != 2 {
		t.Errorf("%d e-mails after the day before, want 2", n)
	}

	hooks := &notify.Hooks{Store: db, Catalog: rig.cat, Replies: []notify.Replier{notify.ReminderReplies(db, rig.cat)}}
	ctx := context.Background()
	if answer, err := hooks.Receive(ctx, si, " No. "); err != nil || answer != rig.cat.T("es", "workshop.reminder.reply_no") {
		t.Errorf("reply NO: %q %v", answer, err)
	}
	if answer, err := hooks.Receive(ctx, yes, "yes"); err != nil || answer != rig.cat.T("en", "workshop.reminder.reply_yes") {
		t.Errorf("reply YES: %q %v", answer, err)
	}
	if answer, err := hooks.Receive(ctx, stop, "STOP"); err != nil || answer != rig.cat.T("en", "sms.stopped") {
		t.Errorf("reply STOP: %q %v", answer, err)
	}
	if out, err := db.OptedOut(storetest.System, stop); err != nil || !out {
		t.Errorf("STOP did not opt the number out: %v %v", out, err)
	}
	if r, _, err := db.FindTicket(storetest.Visitor, cancelled.Token); err != nil || r.Status != amparo.RegistrationCancelled {
		t.Errorf("after NO: %+v %v", r, err)
	}
	at, err := db.WorkshopAttendance(storetest.System, w.ID)
	if err != nil || at.Confirmed != 1 || at.Cancelled != 1 || at.Registered != 4 {
		t.Errorf("attendance: %+v %v, want 1 confirmed, 1 cancelled, 4 registered (STOP is no NO)", at, err)
	}

	// On the day, with the address: not to the cancelled registration,
	// nor to the number that opted out.
	rig.set(time.Date(2031, 3, 13, 8, 1, 0, 0, time.UTC))
	drain(t, rig.worker())
	if got := rig.sms(yes); len(got) != 3 || !strings.Contains(got[2], "today") || !strings.Contains(got[2], "Calle Ficticia") {
		t.Errorf("day of: %q", got)
	}
	if got := rig.sms(si); len(got) != 2 {
		t.Errorf("the cancelled registration got %d texts, want 2", len(got))
	}
	if got := rig.sms(stop); len(got) != 2 {
		t.Errorf("the number that opted out got %d texts, want 2", len(got))
	}
	if n := len(mail.received()); n != 3 {
		t.Errorf("%d e-mails on the day, want 3", n)
	}
	// Every text the gateway took went once: tokens are distinct.
	tokens := map[string]bool{}
	for _, r := range rig.gw.Records() {
		if tokens[r.Token] {
			t.Errorf("token %s sent twice", r.Token)
		}
		tokens[r.Token] = true
	}
}

// allMessages is the IDs of the outbox's send jobs, done or not.
func (rig *reminderRig) allMessages(tb testing.TB) []string {
	tb.Helper()
	js, _, err := rig.db.FindJobs(storetest.System, amparo.JobFilter{Kind: amparo.JobSendMessage, Limit: 1000})
	if err != nil {
		tb.Fatal(err)
	}
	var ids []string
	for _, j := range js {
		var a struct {
			ID string `json:"message_id"`
		}
		if err := json.Unmarshal(j.Args, &a); err == nil {
			ids = append(ids, a.ID)
		}
	}
	return ids
}

func TestReplyWord(t *testing.T) {
	for body, want := range map[string]int{"SI": 1, "sí": 1, "Si.": 1, "YES": 1, "y": 1, "no": 0, "No!": 0, "n": 0,
		"STOP": -1, "CANCEL": -1, "BAJA": -1, "maybe": -1, "no sé": -1} {
		yes, ok := notify.ReplyWord(body)
		got := -1
		if ok && yes {
			got = 1
		} else if ok {
			got = 0
		}
		if got != want {
			t.Errorf("ReplyWord(%q) = %v %v", body, yes, ok)
		}
		if ok && notify.IsOptOutWord(body) {
			t.Errorf("%q is a reply and a STOP-family word", body)
		}
	}
}

func TestReminderPreview(t *testing.T) {
	cat, err := locale.Load()
	if err != nil {
		t.Fatal(err)
	}
	w := &amparo.Workshop{Languages: []string{"en", "es"}, Title: map[string]string{"en": "Know your rights", "es": "Conozca sus derechos"},
		Venue: "Salón Parroquial Ejemplo", StartsAt: time.Date(2031, 3, 13, 18, 0, 0, 0, time.UTC)}
	texts, segments, mails := notify.ReminderPreview(cat, w, []amparo.ReminderCount{
		{Channel: amparo.ChannelSMS, Language: "en", Count: 10}, {Channel: amparo.ChannelSMS, Language: "es", Count: 5},
		{Channel: amparo.ChannelEmail, Language: "es", Count: 3}})
	en, _ := notify.ReminderText(cat, nil, &amparo.Reminder{Kind: amparo.ReminderDayBefore, Language: "en", Workshop: w})
	es, _ := notify.ReminderText(cat, nil, &amparo.Reminder{Kind: amparo.ReminderDayBefore, Language: "es", Workshop: w})
	nen, _ := notify.Segments(en)
	nes, _ := notify.Segments(es)
	if texts != 15 || mails != 3 || segments != 10*nen+5*nes || nes < 2 {
		t.Errorf("preview: %d texts, %d segments, %d mails (en %d, es %d segments each)", texts, segments, mails, nen, nes)
	}
}

// A reply is never a STOP-family word, and only a short word is one.
func FuzzReplyWord(f *testing.F) {
	for _, s := range []string{"SI", "sí", "No.", "YES", "STOP", "baja", "", "no sé", "\u00a0n\u00a0"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		yes, ok := notify.ReplyWord(body)
		if ok && notify.IsOptOutWord(body) {
			t.Errorf("%q is a reply (yes=%v) and a STOP-family word", body, yes)
		}
		if ok && len(body) > 32 {
			t.Errorf("%q: a long message read as a reply", body)
		}
	})
}

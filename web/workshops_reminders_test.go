package web_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/internal/storetest"
	"github.com/amparo-project/amparo/locale"
	"github.com/amparo-project/amparo/notify"
)

// The organizer sees, before the day-before reminder goes out, how many
// texts it sends and how many SMS segments they take, each count in the
// plural form the reader's language takes for it (the catalog's plural
// messages: 1 segment, 2 segments; 1 segmento, 2 segmentos).
func TestWorkshops_ReminderPreview(t *testing.T) {
	t.Parallel()
	w := newAccountWorld(t)
	ws := storetest.MustCreateWorkshop(t, w.db, w.org.ID, &amparo.Workshop{})
	org := w.signedInAs(t, amparo.RoleOrganizer, w.org.ID)
	if _, page := org.get("/workshops/" + ws.ID); !strings.Contains(page, "No one asked for reminders yet.") {
		t.Fatalf("no reminders: %s", between(page, `id="reminder-preview">`, "</p>"))
	}
	if _, err := w.db.Register(amparo.NewContextWithActor(t.Context(), amparo.VisitorActor), &amparo.Registration{WorkshopID: ws.ID,
		PartySize: 1, Language: "es", Email: "gorrion.inventado@example.org", ConsentMail: true}); err != nil {
		t.Fatal(err)
	}
	if _, page := org.get("/workshops/" + ws.ID); !strings.Contains(page, ": 0 text messages (0 SMS segments) and 1 e-mail.") {
		t.Errorf("one e-mail: %q", between(page, `id="reminder-preview">`, "</p>"))
	}
	for i, lang := range []string{"es", "es", "en"} {
		if _, err := w.db.Register(amparo.NewContextWithActor(t.Context(), amparo.VisitorActor), &amparo.Registration{WorkshopID: ws.ID,
			PartySize: 1, Language: lang, Phone: fmt.Sprintf("+1213555%04d", 200+i), ConsentSMS: true}); err != nil {
			t.Fatal(err)
		}
	}
	full, err := w.db.FindWorkshopByID(system, ws.ID)
	if err != nil {
		t.Fatal(err)
	}
	_, segments, _ := notify.ReminderPreview(mustCatalog(t), full, []amparo.ReminderCount{{Channel: amparo.ChannelSMS, Language: "es", Count: 2},
		{Channel: amparo.ChannelSMS, Language: "en", Count: 1}})
	want := fmt.Sprintf(": 3 text messages (%d SMS segments) and 1 e-mail.", segments)
	if _, page := org.get("/workshops/" + ws.ID); !strings.Contains(page, want) || segments < 4 {
		t.Errorf("preview: %q, want %q", between(page, `id="reminder-preview">`, "</p>"), want)
	}
	want = fmt.Sprintf(": 3 mensajes de texto (%d segmentos SMS) y 1 correo electrónico.", segments)
	if _, page := org.get("/workshops/" + ws.ID + "?lang=es"); !strings.Contains(page, want) {
		t.Errorf("preview in Spanish: %q, want %q", between(page, `id="reminder-preview">`, "</p>"), want)
	}
	// One text of one segment (a message the GSM alphabet holds) takes
	// the singular, in both languages.
	cat := mustCatalog(t)
	for _, tt := range []struct{ lang, key, one, two string }{
		{"en", "workshop.reminder.segments", "1 SMS segment", "2 SMS segments"},
		{"es", "workshop.reminder.segments", "1 segmento SMS", "2 segmentos SMS"},
		{"en", "workshop.reminder.texts", "1 text message", "2 text messages"},
		{"es", "workshop.reminder.texts", "1 mensaje de texto", "2 mensajes de texto"},
		{"es", "workshop.reminder.mails", "1 correo electrónico", "2 correos electrónicos"},
	} {
		if one, two := cat.T(tt.lang, tt.key, 1), cat.T(tt.lang, tt.key, 2); one != tt.one || two != tt.two {
			t.Errorf("%s %s: %q and %q, want %q and %q", tt.lang, tt.key, one, two, tt.one, tt.two)
		}
	}
}

func mustCatalog(t *testing.T) *locale.Catalog {
	t.Helper()
	cat, err := locale.Load()
	if err != nil {
		t.Fatal(err)
	}
	return cat
}

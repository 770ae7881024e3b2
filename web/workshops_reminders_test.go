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
// texts it sends and how many SMS segments they take.
func TestWorkshops_ReminderPreview(t *testing.T) {
	t.Parallel()
	w := newAccountWorld(t)
	ws := storetest.MustCreateWorkshop(t, w.db, w.org.ID, &amparo.Workshop{})
	org := w.signedInAs(t, amparo.RoleOrganizer, w.org.ID)
	if _, page := org.get("/workshops/" + ws.ID); !strings.Contains(page, "No one asked for reminders yet.") {
		t.Fatalf("no reminders: %s", between(page, `id="reminder-preview">`, "</p>"))
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
	want := fmt.Sprintf(": 3 text messages (%d SMS segments) and 0 e-mails.", segments)
	if _, page := org.get("/workshops/" + ws.ID); !strings.Contains(page, want) || segments < 4 {
		t.Errorf("preview: %q, want %q", between(page, `id="reminder-preview">`, "</p>"), want)
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

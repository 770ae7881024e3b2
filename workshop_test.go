package amparo_test

import (
	"strings"
	"testing"
	"time"

	"github.com/amparo-project/amparo"
)

// TestWorkshop_AddressShown: the address by its visibility, to the public,
// to a ticket before the day, and on the day in the program's zone.
func TestWorkshop_AddressShown(t *testing.T) {
	la, _ := time.LoadLocation("America/Los_Angeles")
	start := time.Date(2026, 12, 10, 18, 0, 0, 0, la)
	dayBefore, morning := start.Add(-20*time.Hour), start.Add(-10*time.Hour)
	for _, tt := range []struct {
		v                        amparo.AddressVisibility
		public, before, onTheDay bool
	}{
		{amparo.AddressPublic, true, true, true},
		{amparo.AddressRegistered, false, true, true},
		{amparo.AddressOnTheDay, false, false, true},
	} {
		w := &amparo.Workshop{StartsAt: start, AddressVisibility: tt.v}
		got := [3]bool{w.AddressShown(false, morning, la), w.AddressShown(true, dayBefore, la), w.AddressShown(true, morning, la)}
		if got != [3]bool{tt.public, tt.before, tt.onTheDay} {
			t.Errorf("%s: %v", tt.v, got)
		}
	}
}

func TestWorkshopStatus_CanMoveTo(t *testing.T) {
	if !amparo.WorkshopDraft.CanMoveTo(amparo.WorkshopPublished) || amparo.WorkshopCancelled.CanMoveTo(amparo.WorkshopPublished) ||
		amparo.WorkshopHeld.CanMoveTo(amparo.WorkshopDraft) || amparo.WorkshopDraft.CanMoveTo(amparo.WorkshopHeld) {
		t.Fatal("status moves")
	}
}

// FuzzRegistration: whatever a form holds, validating a registration and
// reading a typed code never panic, and a code that reads back is one.
func FuzzRegistration(f *testing.F) {
	f.Add("Paloma", 2, "es", "+1 213 555 0100", "", true, false, "k7m-2qx")
	f.Add("", 0, "", "", "a@b", false, true, "")
	f.Fuzz(func(t *testing.T, alias string, party int, lang, phone, email string, sms, mail bool, code string) {
		r := &amparo.Registration{Alias: alias, PartySize: party, Language: lang, Phone: phone, Email: email, ConsentSMS: sms, ConsentMail: mail}
		if err := r.Validate(); err == nil && (party < 1 || party > amparo.MaxPartySize || (phone != "" && (!sms || !amparo.ValidPhone(amparo.CompactPhone(phone))))) {
			t.Fatalf("%+v passed", r)
		}
		// A phone as written compacts to itself once compacted.
		if c := amparo.CompactPhone(phone); amparo.CompactPhone(c) != c || strings.ContainsAny(c, " ()-.") {
			t.Fatalf("%q compacts to %q", phone, c)
		}
		if c := amparo.NormalizeTicketCode(code); c != "" && (len(c) != amparo.TicketCodeLen || strings.Trim(c, amparo.TicketCodeAlphabet) != "" || amparo.NormalizeTicketCode(c) != c) {
			t.Fatalf("%q read as %q", code, c)
		}
	})
}

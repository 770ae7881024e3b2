package web_test

import (
	"html"
	"maps"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/internal/storetest"
)

// registrations counts a workshop's registrations, whatever their status.
func registrations(t *testing.T, w *accountWorld, id string) int {
	t.Helper()
	at, err := w.db.WorkshopAttendance(system, id)
	if err != nil {
		t.Fatal(err)
	}
	return at.Registered + at.Waitlisted + at.Cancelled
}

// TestEvents_Register_BadInput: each bad registration gets a clear answer
// in the person's language, and nothing is stored; a full workshop puts
// the person on the waitlist.
func TestEvents_Register_BadInput(t *testing.T) {
	t.Parallel()
	w := matrixWorld(t) // limits that never slow the test down
	ws := storetest.MustCreateWorkshop(t, w.db, w.org.ID, &amparo.Workshop{Capacity: 1})
	b := w.browser(t)
	for _, tt := range []struct {
		name   string
		form   url.Values
		status int
		want   string
	}{
		{"AliasTooLong", url.Values{"alias": {strings.Repeat("x", 81)}, "party_size": {"1"}}, 422, "Escriba como máximo 80 caracteres."},
		{"PartyNotANumber", url.Values{"party_size": {"muchos"}}, 422, "Indique cuántas personas vienen: de 1 a 10."},
		{"PartyTooBig", url.Values{"party_size": {"11"}}, 422, "de 1 a 10"},
		{"PhoneWithoutConsent", url.Values{"party_size": {"1"}, "phone": {"+1 213 555 0100"}}, 422, "Marque la casilla para recibir recordatorios por mensaje de texto"},
		{"UnknownField", url.Values{"party_size": {"1"}, "name_on_passport": {"x"}}, 422, "name_on_passport"},
	} {
		res, body := b.post("/events/"+ws.ID+"?lang=es", tt.form)
		if res.StatusCode != tt.status || !strings.Contains(body, tt.want) {
			t.Errorf("%s: %d, want %d with %q", tt.name, res.StatusCode, tt.status, tt.want)
		}
	}
	if n := registrations(t, w, ws.ID); n != 0 {
		t.Fatalf("bad forms stored %d registrations", n)
	}
	// The last place, then the waitlist.
	for i, want := range []string{"Está inscrito/a", "está en la lista de espera"} {
		res, _ := b.post("/events/"+ws.ID+"?lang=es", url.Values{"party_size": {"1"}, "language": {"es"}})
		if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/ticket/") {
			t.Fatalf("registration %d: %d to %q", i, res.StatusCode, res.Header.Get("Location"))
		}
		if _, body := b.get(res.Header.Get("Location")); !strings.Contains(body, want) {
			t.Errorf("ticket %d lacks %q", i, want)
		}
	}
	// A cancelled workshop, and one that has started, take nobody.
	if _, err := w.db.SetWorkshopStatus(system, ws.ID, amparo.WorkshopCancelled); err != nil {
		t.Fatal(err)
	}
	res, body := b.post("/events/"+ws.ID+"?lang=es", url.Values{"party_size": {"1"}})
	if res.StatusCode != http.StatusConflict || !strings.Contains(body, "Este taller está cancelado.") {
		t.Errorf("a cancelled workshop: %d", res.StatusCode)
	}
	started := storetest.MustCreateWorkshop(t, w.db, w.org.ID, &amparo.Workshop{})
	w.db.Now = func() time.Time { return started.StartsAt.Add(time.Minute) }
	res, body = b.post("/events/"+started.ID+"?lang=es", url.Values{"party_size": {"1"}})
	w.db.Now = time.Now
	if res.StatusCode != http.StatusConflict || !strings.Contains(body, "Este taller ya empezó") {
		t.Errorf("a started workshop: %d", res.StatusCode)
	}
	if n := registrations(t, w, started.ID); n != 0 {
		t.Errorf("a started workshop stored %d registrations", n)
	}
}

// TestEvents_Register_Limited: one address sends a burst of
// registrations, then waits, told so in its language with the form kept.
func TestEvents_Register_Limited(t *testing.T) {
	t.Parallel()
	w := newAccountWorld(t) // five forms from one address, then one a minute
	ws := storetest.MustCreateWorkshop(t, w.db, w.org.ID, &amparo.Workshop{})
	b := w.browser(t)
	for i := range 6 {
		res, body := b.post("/events/"+ws.ID+"?lang=es", url.Values{"party_size": {"1"}, "alias": {"Gorrión"}})
		if i < 5 && res.StatusCode != http.StatusSeeOther {
			t.Fatalf("registration %d: %d", i, res.StatusCode)
		}
		if i == 5 && (res.StatusCode != http.StatusTooManyRequests || !strings.Contains(body, "Espere un minuto") || !strings.Contains(body, `value="Gorrión"`)) {
			t.Fatalf("the sixth registration: %d", res.StatusCode)
		}
	}
	if n := registrations(t, w, ws.ID); n != 5 {
		t.Fatalf("%d registrations stored, want 5", n)
	}
}

// TestEvents_PhoneHint: the registration form says, before anyone gets it
// wrong, that the phone needs + and its country code, in both languages,
// tied to the field; after a wrong one the field names the hint and the
// error.
func TestEvents_PhoneHint(t *testing.T) {
	t.Parallel()
	w := matrixWorld(t)
	ws := storetest.MustCreateWorkshop(t, w.db, w.org.ID, &amparo.Workshop{})
	b := w.browser(t)
	for lang, want := range map[string]string{"en": "With + and the country code first, such as +1 213 555 0100.",
		"es": "Con + y el código del país primero, como +1 213 555 0100."} {
		_, body := b.get("/events/" + ws.ID + "?lang=" + lang)
		if got := html.UnescapeString(between(body, `<p class="hint" id="phone-hint">`, "<")); got != want {
			t.Errorf("%s: the phone's hint reads %q, want %q", lang, got, want)
		}
		if !strings.Contains(body, `name="phone" type="tel" autocomplete="off" value="" aria-describedby="phone-hint">`) {
			t.Errorf("%s: the phone field does not name its hint", lang)
		}
	}
	res, body := b.post("/events/"+ws.ID+"?lang=es", url.Values{"party_size": {"1"}, "phone": {"213 555 0100"}, "consent_sms": {"on"}})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `aria-invalid="true" aria-describedby="phone-hint phone-error"`) ||
		!strings.Contains(body, `id="phone-error"`) {
		t.Errorf("a phone without its country code: %d\n%s", res.StatusCode, between(body, `<label for="phone">`, "</fieldset>"))
	}
	if n := registrations(t, w, ws.ID); n != 0 {
		t.Fatalf("a bad phone stored %d registrations", n)
	}
}

// TestEvents_Calendar: a workshop's calendar and the feed list published
// workshops, never drafts, and the address only when it is public.
func TestEvents_Calendar(t *testing.T) {
	t.Parallel()
	w := newAccountWorld(t)
	hidden := storetest.MustCreateWorkshop(t, w.db, w.org.ID, &amparo.Workshop{})
	open := storetest.MustCreateWorkshop(t, w.db, w.org.ID, &amparo.Workshop{AddressVisibility: amparo.AddressPublic, Venue: "Biblioteca Ejemplo", Address: "200 Avenida Inventada"})
	draft := &amparo.Workshop{OrganizationID: w.org.ID, Languages: []string{"es"}, Title: map[string]string{"es": "Borrador secreto"},
		StartsAt: hidden.StartsAt, EndsAt: hidden.EndsAt, Capacity: 5, Venue: "Sala", Address: "Calle 1", AddressVisibility: amparo.AddressPublic}
	if err := w.db.CreateWorkshop(system, draft); err != nil {
		t.Fatal(err)
	}
	b := w.browser(t)
	res, body := b.get("/events/" + hidden.ID + "/calendar.ics?lang=es")
	if res.StatusCode != 200 || res.Header.Get("Content-Type") != "text/calendar; charset=utf-8" ||
		!strings.Contains(body, "SUMMARY:Conozca sus derechos en casa\r\n") || strings.Contains(body, "Ficticia") {
		t.Errorf("a workshop's calendar: %d %q\n%s", res.StatusCode, res.Header.Get("Content-Type"), body)
	}
	_, feed := b.get("/events/calendar.ics?lang=en")
	if strings.Count(feed, "BEGIN:VEVENT") != 2 || !strings.Contains(feed, `LOCATION:Biblioteca Ejemplo\, 200 Avenida Inventada`) ||
		strings.Contains(feed, "Borrador") || strings.Contains(feed, "Ficticia") {
		t.Errorf("the feed:\n%s", feed)
	}
	if res, _ := b.get("/events/" + draft.ID); res.StatusCode != http.StatusNotFound {
		t.Errorf("a draft's public page: %d", res.StatusCode)
	}
	_, list := b.get("/events?lang=es")
	if !strings.Contains(list, "/events/"+open.ID) || strings.Contains(list, "Borrador") {
		t.Errorf("the public list")
	}
}

// TestTicket: the address shown on the day only; leaving the waitlist;
// "I want to talk to a lawyer" opens the public intake in the ticket's
// language with the workshop as its source, and nothing else.
func TestTicket(t *testing.T) {
	t.Parallel()
	w := newAccountWorld(t)
	ws := storetest.MustCreateWorkshop(t, w.db, w.org.ID, &amparo.Workshop{AddressVisibility: amparo.AddressOnTheDay, Capacity: 1})
	b := w.browser(t)
	register := func() string {
		res, _ := b.post("/events/"+ws.ID+"?lang=es", url.Values{"party_size": {"1"}, "language": {"es"}})
		u, _ := url.Parse(res.Header.Get("Location"))
		return u.Path
	}
	first, second := register(), register()
	if _, body := b.get(first); strings.Contains(body, "Ficticia") || !strings.Contains(body, "Se muestra en su entrada el día del taller.") {
		t.Error("the ticket shows the address before the day")
	}
	w.db.Now = func() time.Time { return ws.StartsAt.Add(-time.Hour) }
	if _, body := b.get(first); !strings.Contains(body, "100 Calle Ficticia") {
		t.Error("the ticket hides the address on the day")
	}
	w.db.Now = time.Now
	// The second person leaves the waitlist, after a confirmation.
	if _, body := b.get(second + "/cancel"); !strings.Contains(body, "¿Salir de la lista de espera?") {
		t.Error("no confirmation before leaving the waitlist")
	}
	res, _ := b.post(second+"/cancel", url.Values{"seen": {"waitlisted"}, "confirmed": {"1"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("leaving: %d", res.StatusCode)
	}
	if _, body := b.get(second); !strings.Contains(body, "Esta inscripción está cancelada.") {
		t.Error("the ticket does not say it left")
	}
	// The lawyer link.
	res, _ = b.get(first + "/lawyer")
	want := "/intake/" + w.org.ID + "?lang=es&source=workshop:" + ws.ID
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != want {
		t.Fatalf("the lawyer link leads to %q, want %q", res.Header.Get("Location"), want)
	}
	_, form := b.get(want)
	if !strings.Contains(form, `name="source" value="workshop:`+ws.ID+`"`) || !strings.Contains(form, `lang="es"`) {
		t.Fatal("the intake form does not carry the workshop as its source")
	}
	res, _ = b.post("/intake/"+w.org.ID+"?lang=es", url.Values{"legal_name": {"Marisol Ejemplo Taller"}, "birth_date": {"1991-02-03"},
		"language": {"es"}, "consent": {"on"}, "source": {"workshop:" + ws.ID}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("the intake: %d", res.StatusCode)
	}
	as, _, err := w.db.FindApplicants(system, amparo.ApplicantFilter{OrganizationID: w.org.ID})
	if err != nil || len(as) != 1 {
		t.Fatalf("%d applicants, %v", len(as), err)
	}
	a, err := w.db.FindApplicantByID(system, as[0].ID)
	if err != nil || a.SourceRef != "workshop:"+ws.ID || a.Phone != "" || a.Email != "" {
		t.Fatalf("the applicant: source %q, %v", a.SourceRef, err)
	}
}

// TestWorkshops_CheckInAndForget: the check-in page counts a retried form
// once; erasing now needs its confirmation, then the ticket is gone and
// the counts stay.
func TestWorkshops_CheckInAndForget(t *testing.T) {
	t.Parallel()
	w := newAccountWorld(t)
	ws := storetest.MustCreateWorkshop(t, w.db, w.org.ID, &amparo.Workshop{})
	visitor := w.browser(t)
	res, _ := visitor.post("/events/"+ws.ID, url.Values{"party_size": {"3"}, "alias": {"Colibrí"}})
	ticketPath := strings.SplitN(res.Header.Get("Location"), "?", 2)[0]
	_, ticketPage := visitor.get(ticketPath)
	code := between(ticketPage, `id="ticket-code">`, "<")
	org := w.signedInAs(t, amparo.RoleOrganizer, w.org.ID)
	for range 2 { // a retried upload of the same form
		res, body := org.post("/workshops/"+ws.ID+"/checkin", url.Values{"nonce": {"scan-1"}, "code": {code}})
		if res.StatusCode != 200 || !strings.Contains(body, "Welcome: ticket "+code+", 3 people.") {
			t.Fatalf("check-in: %d %s", res.StatusCode, between(body, `id="checkin-result"`, "</div>"))
		}
	}
	res, body := org.post("/workshops/"+ws.ID+"/checkin", url.Values{"nonce": {"scan-2"}, "walk_in": {"2"}})
	if res.StatusCode != 200 || !strings.Contains(body, "2 walk-ins counted.") || !strings.Contains(body, "Checked in: 1 of 1 registrations; walk-ins: 2.") {
		t.Fatalf("walk-in: %d %s", res.StatusCode, between(body, `id="checkin-result"`, "</div>"))
	}
	if res, _ := org.post("/workshops/"+ws.ID+"/forget", nil); res.StatusCode != http.StatusConflict {
		t.Fatalf("erasing without its confirmation: %d", res.StatusCode)
	}
	_, confirm := org.get("/workshops/" + ws.ID + "/forget")
	seen := between(confirm, `name="seen" value="`, `"`)
	res, _ = org.post("/workshops/"+ws.ID+"/forget", url.Values{"seen": {strings.ReplaceAll(seen, "&#43;", "+")}, "confirmed": {"1"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("erasing: %d", res.StatusCode)
	}
	_, page := org.get("/workshops/" + ws.ID)
	// Each count takes its own plural (a behaviour change: it read "1
	// aliases, 0 contact details, 1 tickets").
	if !strings.Contains(page, "1 registration erased (1 alias, 0 contact details, 1 ticket)") || !strings.Contains(page, `id="att-came">1 (3 people)`) {
		t.Errorf("after erasing, the workshop's page:\n%s", between(page, `id="attendance"`, "</ul>"))
	}
	// The reminders say why none goes out, and erasing again is not offered.
	if got := html.UnescapeString(between(page, `id="reminder-preview">`, "<")); got != "The attendees' details of this workshop were erased: no reminder goes out." {
		t.Errorf("after erasing, the reminders read %q", got)
	}
	// Erasing again is offered while registrations still come in, no
	// longer once they cannot.
	if !strings.Contains(page, `id="forget"`) || !strings.Contains(page, `id="forget-done"`) {
		t.Error("after erasing, a workshop still taking registrations does not offer to erase them")
	}
	if _, err := w.db.SetWorkshopStatus(system, ws.ID, amparo.WorkshopCancelled); err != nil {
		t.Fatal(err)
	}
	if _, page := org.get("/workshops/" + ws.ID); strings.Contains(page, `id="forget"`) || !strings.Contains(page, `id="forget-done"`) {
		t.Error("after erasing, a cancelled workshop's page still offers to erase now")
	}
	_, page = org.get("/workshops/" + ws.ID + "?lang=es")
	if !strings.Contains(page, "1 inscripción borrada (1 seudónimo, 0 datos de contacto, 1 entrada)") ||
		!strings.Contains(page, "Los datos de los asistentes de este taller se borraron: no sale ningún recordatorio.") {
		t.Errorf("after erasing, the workshop's page in Spanish:\n%s", between(page, `id="erasures"`, "</ul>"))
	}
	if res, _ := visitor.get(ticketPath); res.StatusCode != http.StatusNotFound {
		t.Errorf("the erased ticket: %d", res.StatusCode)
	}
}

// between is the text of s after the first from and before the next to.
func between(s, from, to string) string {
	_, s, _ = strings.Cut(s, from)
	s, _, _ = strings.Cut(s, to)
	return s
}

// TestWorkshops_FormSavedOrShownAgain: a workshop's form with a problem
// is shown again, 422, and nothing is stored; a good one is stored, new
// or changed, and leads to its page.
func TestWorkshops_FormSavedOrShownAgain(t *testing.T) {
	t.Parallel()
	w := newAccountWorld(t)
	org := w.signedInAs(t, amparo.RoleOrganizer, w.org.ID)
	day := time.Now().AddDate(0, 0, 7).Format(time.DateOnly)
	form := func(change url.Values) url.Values {
		f := url.Values{"languages": {"en", "es"}, "title.en": {"Know your rights at work"}, "title.es": {"Conozca sus derechos en el trabajo"},
			"date": {day}, "start": {"18:00"}, "end": {"20:00"}, "capacity": {"40"}, "venue": {"Salón Parroquial Ejemplo"},
			"address": {"100 Calle Ficticia"}, "address_visibility": {string(amparo.AddressRegistered)},
			"retention_days": {strconv.Itoa(amparo.DefaultWorkshopRetentionDays)}, "offer_hours": {strconv.Itoa(amparo.DefaultWorkshopOfferHours)}}
		maps.Copy(f, change)
		return f
	}
	id := amparo.NewID()
	if res, body := org.post("/workshops", form(url.Values{"id": {id}, "capacity": {"many"}})); res.StatusCode != http.StatusUnprocessableEntity ||
		!strings.Contains(body, `id="save-workshop"`) {
		t.Fatalf("a new workshop with a bad capacity: %d", res.StatusCode)
	}
	if _, err := w.db.FindWorkshopByID(system, id); amparo.ErrorCode(err) != amparo.ENOTFOUND {
		t.Fatalf("a refused workshop was stored: %v", err)
	}
	if res, _ := org.post("/workshops", form(url.Values{"id": {id}})); res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/workshops/"+id {
		t.Fatalf("a good new workshop: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	ws, err := w.db.FindWorkshopByID(system, id)
	if err != nil || ws.Capacity != 40 {
		t.Fatalf("the new workshop: %v %+v", err, ws)
	}
	stamp := ws.UpdatedAt.UTC().Format(time.RFC3339Nano)
	if res, body := org.post("/workshops/"+id, form(url.Values{"updated_at": {stamp}, "capacity": {"-"}, "venue": {"Otro Salón Ejemplo"}})); res.StatusCode != http.StatusUnprocessableEntity ||
		!strings.Contains(body, `id="save-workshop"`) {
		t.Fatalf("a change with a bad capacity: %d", res.StatusCode)
	}
	if got, err := w.db.FindWorkshopByID(system, id); err != nil || got.Venue != "Salón Parroquial Ejemplo" {
		t.Fatalf("a refused change was stored: %v %+v", err, got)
	}
	if res, _ := org.post("/workshops/"+id, form(url.Values{"updated_at": {stamp}, "venue": {"Otro Salón Ejemplo"}})); res.StatusCode != http.StatusSeeOther ||
		res.Header.Get("Location") != "/workshops/"+id {
		t.Fatalf("a good change: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	if got, err := w.db.FindWorkshopByID(system, id); err != nil || got.Venue != "Otro Salón Ejemplo" {
		t.Fatalf("the changed workshop: %v %+v", err, got)
	}
}

// TestWorkshops_HandedOut: the organizer records the materials handed out
// on the workshop's page; a bad number is shown again, 422, in the
// reader's language (kept for the next pages), naming the material, and
// nothing is stored; a member
// without the organizer role cannot record any.
func TestWorkshops_HandedOut(t *testing.T) {
	t.Parallel()
	w := newAccountWorld(t)
	ws := storetest.MustCreateWorkshop(t, w.db, w.org.ID, &amparo.Workshop{Materials: amparo.Handouts})
	org := w.signedInAs(t, amparo.RoleOrganizer, w.org.ID)
	_, page := org.get("/workshops/" + ws.ID)
	if !strings.Contains(page, `id="handed_out.kyr.card.title" name="handed_out.kyr.card.title" type="number" inputmode="numeric" min="0" max="100000" value="0"`) {
		t.Fatalf("the form of materials handed out:\n%s", between(page, `id="handed-out-h"`, "</form>"))
	}
	path := "/workshops/" + ws.ID + "/handed-out"
	res, body := org.post(path+"?lang=es", url.Values{"handed_out.kyr.title": {"25"}, "handed_out.kyr.card.title": {"muchas"}})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `<a href="#handed_out.kyr.card.title">Indique un número de 0 a 100000.</a>`) ||
		!strings.Contains(body, `value="muchas"`) {
		t.Fatalf("a count that is not a number: %d\n%s", res.StatusCode, between(body, `id="handed-out-h"`, "</form>"))
	}
	if at, _ := w.db.WorkshopAttendance(system, ws.ID); at.HandedOut[0].Count != 0 || at.HandedOut[1].Count != 0 {
		t.Fatalf("a refused form stored %+v", at.HandedOut)
	}
	res, _ = org.post(path, url.Values{"handed_out.kyr.title": {"25"}, "handed_out.kyr.card.title": {"40"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("recording: %d", res.StatusCode)
	}
	_, page = org.get(res.Header.Get("Location"))
	if !strings.Contains(page, "Las cifras de materiales entregados están guardadas.") || !strings.Contains(page, `name="handed_out.kyr.card.title" type="number" inputmode="numeric" min="0" max="100000" value="40"`) {
		t.Fatalf("after recording:\n%s", between(page, `id="handed-out-h"`, "</form>"))
	}
	member := w.signedInAs(t, amparo.RoleMember, w.org.ID)
	if res, _ := member.post(path, url.Values{"handed_out.kyr.title": {"1"}}); res.StatusCode != http.StatusForbidden {
		t.Fatalf("a member records: %d", res.StatusCode)
	}
	if at, _ := w.db.WorkshopAttendance(system, ws.ID); at.HandedOut[0].Count != 25 || at.HandedOut[1].Count != 40 {
		t.Fatalf("stored %+v", at.HandedOut)
	}
}

// TestEvents_WhenReadsOnce: a workshop that ends on the day it starts
// names the day once ("…, 18:00–20:00") on its public page, its ticket and
// the organizer's page; one that ends on another day names both.
func TestEvents_WhenReadsOnce(t *testing.T) {
	t.Parallel()
	w := newAccountWorld(t)
	p, err := w.db.FindProgram(system)
	if err != nil {
		t.Fatal(err)
	}
	loc := amparo.ZoneOf(p.TimeZone)
	day := time.Now().In(loc).AddDate(0, 0, 9)
	start := time.Date(day.Year(), day.Month(), day.Day(), 18, 0, 0, 0, loc)
	cat := mustCatalog(t)
	org := w.signedInAs(t, amparo.RoleOrganizer, w.org.ID)
	for _, tt := range []struct {
		end  time.Time
		want string
	}{
		{start.Add(2 * time.Hour), cat.Date("es", start) + ", 18:00–20:00"},
		{start.Add(26 * time.Hour), cat.Date("es", start) + ", 18:00–" + cat.Date("es", start.AddDate(0, 0, 1)) + ", 20:00"},
	} {
		ws := storetest.MustCreateWorkshop(t, w.db, w.org.ID, &amparo.Workshop{StartsAt: start, EndsAt: tt.end})
		visitor := w.browser(t)
		_, page := visitor.get("/events/" + ws.ID + "?lang=es")
		if got := between(page, `id="event-when">`, "<"); got != tt.want {
			t.Errorf("the public page reads %q, want %q", got, tt.want)
		}
		res, _ := visitor.post("/events/"+ws.ID+"?lang=es", url.Values{"party_size": {"1"}})
		if _, ticket := visitor.get(res.Header.Get("Location")); !strings.Contains(ticket, "<dd>"+tt.want+"</dd>") {
			t.Errorf("the ticket lacks %q", tt.want)
		}
		if _, page := org.get("/workshops/" + ws.ID + "?lang=es"); !strings.Contains(page, "<dd>"+tt.want+"</dd>") {
			t.Errorf("the organizer's page lacks %q", tt.want)
		}
	}
}

// TestEvents_RegisterPhoneAsWritten: a phone number written with spaces
// registers, and its confirmation is queued; one without its country code
// is refused in the person's language, and nothing is stored.
func TestEvents_RegisterPhoneAsWritten(t *testing.T) {
	t.Parallel()
	w := newAccountWorld(t)
	ws := storetest.MustCreateWorkshop(t, w.db, w.org.ID, &amparo.Workshop{})
	b := w.browser(t)
	res, body := b.post("/events/"+ws.ID+"?lang=es", url.Values{"party_size": {"1"}, "phone": {"213 555 0142"}, "consent_sms": {"on"}})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "Escriba el número de teléfono en forma internacional") {
		t.Fatalf("a phone without its country code: %d", res.StatusCode)
	}
	if n := registrations(t, w, ws.ID); n != 0 {
		t.Fatalf("a refused form stored %d registrations", n)
	}
	res, _ = b.post("/events/"+ws.ID+"?lang=es", url.Values{"party_size": {"1"}, "phone": {"+1 (213) 555-0142"}, "consent_sms": {"on"}})
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/ticket/") {
		t.Fatalf("a phone written with spaces: %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
	if counts, err := w.db.WorkshopReminderCounts(system, ws.ID); err != nil || len(counts) != 1 || counts[0].Channel != amparo.ChannelSMS {
		t.Fatalf("reminder counts: %+v %v", counts, err)
	}
}

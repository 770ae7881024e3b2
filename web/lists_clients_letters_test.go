package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/amparo-project/amparo"
)

// fictionalSurnames make distinct made-up names for many clients.
var fictionalGiven = []string{"Ana", "Beto", "Carla", "Dario", "Elena", "Fito", "Gala", "Hugo", "Inés", "Juan", "Kira", "Lalo"}

func manyClients(t *testing.T, w *accountWorld, n int) []*amparo.Client {
	t.Helper()
	cs := make([]*amparo.Client, n)
	for i := range cs {
		cs[i] = &amparo.Client{OrganizationID: w.org.ID, Personal: amparo.Personal{
			LegalName: fmt.Sprintf("%s Ejemplo%s Prueba", fictionalGiven[i%len(fictionalGiven)], fixtureSurname(i+1)), Language: "es"}}
	}
	for _, c := range cs { // one by one: each made after the one before
		if err := w.db.CreateClient(system, c); err != nil {
			t.Fatal(err)
		}
	}
	return cs
}

var hexID = regexp.MustCompile(`>[0-9a-f]{32}<`)

// TestClientList_Paging: 120 clients page by 50: the count says which are
// shown, the last page is reachable from the pagination and holds the
// rest, newest first by default; every row names the client and links to
// its record, never showing an ID.
func TestClientList_Paging(t *testing.T) {
	t.Parallel()
	w := newAccountWorld(t)
	cs := manyClients(t, w, 120)
	b := w.signedIn(t)
	res, body := b.get("/clients")
	if res.StatusCode != 200 || !strings.Contains(body, `id="list-count">1–50 of 120<`) {
		t.Fatalf("first page: %d\n%s", res.StatusCode, body)
	}
	if !strings.Contains(body, `href="/clients?page=3"`) || !strings.Contains(body, `rel="next"`) {
		t.Fatal("the first page does not link to the last")
	}
	if got := strings.Count(body, `<tr><td data-label=`); got != 50 {
		t.Fatalf("first page shows %d rows", got)
	}
	// Newest first: the last made is on page 1, the first made on page 3.
	if !strings.Contains(body, `href="/clients/`+cs[119].ID+`">`+cs[119].LegalName) || strings.Contains(body, cs[0].ID) {
		t.Fatal("the first page is not the newest clients, by name")
	}
	if hexID.MatchString(body) {
		t.Fatal("the list shows an ID as text")
	}
	_, last := b.get("/clients?page=3")
	if !strings.Contains(last, `id="list-count">101–120 of 120<`) || !strings.Contains(last, cs[0].LegalName) || strings.Contains(last, `rel="next"`) {
		t.Fatalf("last page:\n%s", last)
	}
	// Oldest first on request; the sort link is in the header.
	if !strings.Contains(body, `aria-sort="descending"><a href="/clients?sort=created"`) {
		t.Fatalf("the added column does not sort:\n%s", body)
	}
	_, asc := b.get("/clients?sort=created")
	if i, j := strings.Index(asc, cs[0].LegalName), strings.Index(asc, cs[1].LegalName); i < 0 || j < i {
		t.Fatal("sorted oldest first, the first client is not first")
	}
	// Sorting by name is offered when the list is small enough to open.
	_, byName := b.get("/clients?sort=name")
	names := regexp.MustCompile(`">([A-ZÁÉÍÓÚ][a-zé]+) Ejemplo[A-Za-z]* Prueba</a>`).FindAllStringSubmatch(byName, -1)
	if len(names) != 50 || names[0][1] != "Ana" || names[49][1] != "Elena" {
		t.Fatalf("by name: %d rows, from %v", len(names), names[:min(3, len(names))])
	}
	// A search by name: its count, and the search kept in the form.
	res, body = b.get("/clients?q=" + url.QueryEscape("hugo"))
	if want := fmt.Sprintf(`id="list-count">1–%d of %d<`, 10, 10); res.StatusCode != 200 || !strings.Contains(body, want) || !strings.Contains(body, `value="hugo"`) {
		t.Fatalf("search: %d\n%s", res.StatusCode, body)
	}
	if _, body := b.get("/clients?q=nadie"); !strings.Contains(body, `id="list-count">There are none.<`) {
		t.Fatal("an empty search does not say so")
	}
}

// TestLetterList_FiltersAndSorts: letters list by client and member name,
// newest first; filter by status, member, client name and expiry; sort by
// expiry; never an ID as text.
func TestLetterList_FiltersAndSorts(t *testing.T) {
	t.Parallel()
	w := newAccountWorld(t)
	m := w.withKeys(t)
	other := &amparo.Member{OrganizationID: w.org.ID, Name: "Atty. Grace Example", Kind: amparo.MemberAttorney, BarJurisdiction: "CA",
		BarNumber: "900002", Languages: []string{"en"}, PublicPhone: "+1 213 555 0143"}
	if err := w.db.CreateMember(system, other); err != nil {
		t.Fatal(err)
	}
	cs := manyClients(t, w, 60)
	var ls []*amparo.Letter
	for i, c := range cs {
		mem := m
		if i%2 == 1 {
			mem = other
		}
		l := &amparo.Letter{ClientID: c.ID, MemberID: mem.ID, OrganizationID: w.org.ID}
		if err := w.db.CreateLetter(system, l); err != nil {
			t.Fatal(err)
		}
		ls = append(ls, l)
	}
	b := w.signedIn(t) // enrolls the admin, linking nobody
	signer := w.memberSignedIn(t, m)
	// The member issues three of their letters.
	ctxSigner := amparo.NewContextWithActor(t.Context(), amparo.Actor{ID: m.AccountID, Role: amparo.RoleMember, OrganizationID: w.org.ID, SecondFactor: true})
	for _, l := range []*amparo.Letter{ls[0], ls[2], ls[4]} {
		if _, err := w.db.IssueLetter(ctxSigner, l.ID); err != nil {
			t.Fatal(err)
		}
	}
	_ = signer

	res, body := b.get("/letters")
	if res.StatusCode != 200 || !strings.Contains(body, `id="list-count">1–50 of 60<`) {
		t.Fatalf("letters: %d\n%s", res.StatusCode, body)
	}
	if !strings.Contains(body, `href="/letters/`+ls[59].ID+`">`+cs[59].LegalName+`</a>`) || !strings.Contains(body, "Atty. Grace Example") {
		t.Fatal("the newest letter is not first, by its client's name")
	}
	if hexID.MatchString(body) {
		t.Fatal("the letter list shows an ID as text")
	}
	if _, last := b.get("/letters?page=2"); !strings.Contains(last, `id="list-count">51–60 of 60<`) || !strings.Contains(last, cs[0].LegalName) {
		t.Fatal("the last page of letters")
	}
	if _, body := b.get("/letters?status=active"); !strings.Contains(body, `id="list-count">1–3 of 3<`) {
		t.Fatalf("active letters:\n%s", body)
	}
	if _, body := b.get("/letters?member=" + other.ID); !strings.Contains(body, `id="list-count">1–30 of 30<`) || strings.Contains(body, ">Lic. Tomás Ficticio</td>") {
		t.Fatal("letters by member")
	}
	if _, body := b.get("/letters?q=" + url.QueryEscape(strings.Fields(cs[7].LegalName)[1])); !strings.Contains(body, `id="list-count">1–1 of 1<`) || !strings.Contains(body, ls[7].ID) {
		t.Fatalf("letters by the client's name:\n%s", body)
	}
	// Issued today for a year: none expire within 30 days, all within 400.
	if _, body := b.get("/letters?expiring=30"); !strings.Contains(body, `There are none.`) {
		t.Fatal("letters expiring within 30 days")
	}
	if _, body := b.get("/letters?expiring=400&sort=expiry"); !strings.Contains(body, `id="list-count">1–3 of 3<`) || !strings.Contains(body, `aria-sort="ascending"`) {
		t.Fatal("letters expiring within 400 days, by expiry")
	}
	// Sorted by issue date, newest first, the issued come first.
	_, body = b.get("/letters?sort=-issued")
	if i, j := strings.Index(body, ls[4].ID), strings.Index(body, ls[1].ID); i < 0 || j >= 0 && j < i {
		t.Fatal("sorted by issue date, newest first, issued letters are not first")
	}
	_ = time.Now
}

// TestLists_BadInput: a page past the end or negative, an unknown sort or
// filter, a search of a megabyte or of invalid UTF-8: a clear answer in
// the reader's language, never a 500.
func TestLists_BadInput(t *testing.T) {
	t.Parallel()
	w := newAccountWorld(t)
	manyClients(t, w, 3)
	b := w.signedIn(t)
	big := strings.Repeat("a", 1<<20)
	for _, tt := range []struct {
		path string
		want int
		text string // in Spanish
	}{
		{"/clients?page=9", http.StatusNotFound, "No existe la página 9"},
		{"/clients?page=-1", http.StatusBadRequest, "número de página"},
		{"/clients?page=abc", http.StatusBadRequest, "número de página"},
		{"/clients?sort=password", http.StatusBadRequest, "ordenar"},
		{"/clients?q=%ff%fe", http.StatusBadRequest, "búsqueda"},
		{"/letters?page=2", http.StatusNotFound, "No existe la página 2"},
		{"/letters?page=0", http.StatusBadRequest, "número de página"},
		{"/letters?sort=-client_id", http.StatusBadRequest, "ordenar"},
		{"/letters?status=lost", http.StatusBadRequest, "filtrar"},
		{"/letters?member=x%27%20OR%201", http.StatusBadRequest, "filtrar"},
		{"/letters?expiring=-5", http.StatusBadRequest, "filtrar"},
		{"/letters?q=%c3%28", http.StatusBadRequest, "búsqueda"},
	} {
		res, body := b.get(tt.path + "&lang=es")
		if res.StatusCode != tt.want || !strings.Contains(body, tt.text) {
			t.Errorf("%s: %d, want %d with %q\n%s", tt.path, res.StatusCode, tt.want, tt.text, body)
		}
	}
	// A megabyte's search: refused before it reaches the store (the
	// server may refuse so long an address outright), never a 500.
	for _, p := range []string{"/clients?q=", "/letters?q="} {
		if res, _ := b.get(p + big); res.StatusCode >= 500 || res.StatusCode == 200 {
			t.Errorf("%s of a megabyte: %d", p, res.StatusCode)
		}
	}
}

// TestClientsAndLetters_Confirmations: a confirmation replayed after the
// record changed changes nothing (409, in the reader's language); a role
// that cannot revoke is not shown the revoke form; the banners follow
// each action.
func TestClientsAndLetters_Confirmations(t *testing.T) {
	t.Parallel()
	w := newAccountWorld(t)
	m := w.withKeys(t)
	admin := w.signedIn(t)
	res, _ := admin.post("/clients", clientForm)
	clientPath := res.Header.Get("Location")
	if _, body := admin.get(clientPath); !strings.Contains(body, `id="banner"`) || !strings.Contains(body, "Client Zacarías Quiñónez Ejemplo saved.") {
		t.Fatalf("no banner after saving a client:\n%s", body)
	}
	if _, body := admin.get(clientPath); strings.Contains(body, `id="banner"`) {
		t.Fatal("the banner shows twice")
	}

	// Deleting: the page is shown, then the client is edited; the old
	// confirmation is refused and the client stays.
	_, page := admin.get(clientPath + "/delete")
	stale := seenOf(t, page)
	_, form := admin.get(clientPath + "/edit")
	edit := url.Values{"updated_at": {regexp.MustCompile(`name="updated_at" value="([^"]+)"`).FindStringSubmatch(form)[1]}}
	for k, v := range clientForm {
		edit[k] = v
	}
	edit.Del("consent")
	edit.Set("preferred_name", "Zaqui")
	if res, _ := admin.post(clientPath, edit); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("edit: %d", res.StatusCode)
	}
	if _, body := admin.get(clientPath); !strings.Contains(body, "Changes to Zacarías Quiñónez Ejemplo saved.") {
		t.Fatal("no banner after an edit")
	}
	res, body := admin.post(clientPath+"/delete?lang=es", url.Values{"confirm": {"DELETE"}, "seen": {stale}, "confirmed": {"1"}})
	if res.StatusCode != http.StatusConflict || !strings.Contains(body, "El registro cambió") {
		t.Fatalf("a stale delete confirmation: %d\n%s", res.StatusCode, body)
	}
	if res, _ := admin.get(clientPath); res.StatusCode != 200 {
		t.Fatal("a stale confirmation deleted the client")
	}
	admin.get("/clients?lang=en")

	// A letter, issued by its member.
	clientID := strings.TrimPrefix(clientPath, "/clients/")
	res, _ = admin.post("/letters", url.Values{"client": {clientID}, "member": {m.ID}})
	letterPath := res.Header.Get("Location")
	member := w.memberSignedIn(t, m)
	if res, _ := member.post(letterPath+"/issue", nil); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("issue: %d", res.StatusCode)
	}
	if _, body := member.get(letterPath); !strings.Contains(body, "was approved and issued.") || !strings.Contains(body, `id="letter-qr"`) {
		t.Fatal("no banner or QR after issuing")
	}
	if res, _ := member.get(letterPath + "/qr.png"); res.StatusCode != 200 || res.Header.Get("Content-Type") != "image/png" {
		t.Fatalf("the QR image: %d", res.StatusCode)
	}
	// Intake staff cannot revoke: no form, and posting is refused.
	intake := w.signedInAs(t, amparo.RoleIntake, w.org.ID)
	if _, body := intake.get(letterPath); strings.Contains(body, `id="revoke-form"`) || strings.Contains(body, `/renew"`) {
		t.Fatal("intake staff are shown the revoke or renew button")
	}
	if res, _ := intake.post(letterPath+"/revoke", url.Values{"reason": {"Prueba"}}); res.StatusCode != http.StatusForbidden {
		t.Fatalf("intake staff asking to revoke: %d", res.StatusCode)
	}
	// The admin's revoke confirmation, replayed after a renewal, changes
	// nothing.
	if _, body := admin.get(letterPath); !strings.Contains(body, `id="revoke-form"`) {
		t.Fatal("the admin is not shown the revoke form")
	}
	_, confirm := admin.post(letterPath+"/revoke", url.Values{"reason": {"Prueba"}})
	staleLetter := seenOf(t, confirm)
	_, renew := member.get(letterPath + "/renew")
	if res, _ := member.post(letterPath+"/renew", url.Values{"confirmed": {"1"}, "seen": {seenOf(t, renew)}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("renew: %d", res.StatusCode)
	}
	res, body = admin.post(letterPath+"/revoke?lang=es", url.Values{"reason": {"Prueba"}, "seen": {staleLetter}, "confirmed": {"1"}})
	if res.StatusCode != http.StatusConflict || !strings.Contains(body, "El registro cambió") {
		t.Fatalf("a stale revoke confirmation: %d\n%s", res.StatusCode, body)
	}
	if l, _ := w.db.FindLetterByID(system, strings.TrimPrefix(letterPath, "/letters/")); l.Status != amparo.LetterSuperseded {
		t.Fatalf("a stale confirmation changed the letter: %s", l.Status)
	}
	// The renewal's confirmation, replayed, renews nothing again.
	if res, _ := member.post(letterPath+"/renew", url.Values{"confirmed": {"1"}, "seen": {seenOf(t, renew)}}); res.StatusCode != http.StatusConflict {
		t.Fatalf("a replayed renewal: %d", res.StatusCode)
	}
}

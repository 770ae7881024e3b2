package web_test

import (
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/amparo-project/amparo"
)

// signedIn enrolls an organization admin and returns its browser.
func (w *accountWorld) signedIn(t *testing.T) *browser {
	b := w.browser(t)
	w.enroll(t, b)
	return b
}

var clientForm = url.Values{"legal_name": {"Zacarías Quiñónez Ejemplo"}, "language": {"es"}, "situation": {"tps"},
	"tps_country": {"SV"}, "address.line1": {"4821 Placeholder Blvd"}, "consent": {"on"}}

func TestClientPages(t *testing.T) {
	t.Parallel()
	w := newAccountWorld(t)
	b := w.signedIn(t)

	// A mistake keeps what was typed and links the error to its field.
	bad := url.Values{}
	for k, v := range clientForm {
		bad[k] = v
	}
	bad.Set("tps_country", "")
	res, body := b.post("/clients", bad)
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `href="#tps_country"`) ||
		!strings.Contains(body, `value="Zacarías Quiñónez Ejemplo"`) {
		t.Fatalf("invalid client: %d\n%s", res.StatusCode, body)
	}
	res, _ = b.post("/clients", clientForm)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("create: %d", res.StatusCode)
	}
	path := res.Header.Get("Location")
	res, body = b.get(path)
	if res.StatusCode != 200 || !strings.Contains(body, "Zacarías Quiñónez Ejemplo") || res.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("view: %d %q", res.StatusCode, res.Header.Get("Cache-Control"))
	}
	if _, body := b.get("/clients?q=quinonez"); !strings.Contains(body, path) || !strings.Contains(body, `value="quinonez"`) {
		t.Fatal("search by name without accents does not find the client")
	}
	// Switching language keeps the search and its result.
	if _, body := b.get("/clients?q=quinonez"); !strings.Contains(body, `href="/clients?lang=es&amp;q=quinonez"`) {
		t.Fatalf("the language link drops the search:\n%s", body)
	}
	if _, body := b.get("/clients?lang=es&q=quinonez"); !strings.Contains(body, path) || !strings.Contains(body, "Buscar") {
		t.Fatal("the search result is lost in Spanish")
	}
	b.get("/clients?lang=en")

	// A stale edit overwrites nothing.
	_, form := b.get(path + "/edit")
	stamp := regexp.MustCompile(`name="updated_at" value="([^"]+)"`).FindStringSubmatch(form)[1]
	edit := url.Values{"updated_at": {stamp}}
	for k, v := range clientForm {
		edit[k] = v
	}
	edit.Del("consent") // the edit form has no consent box
	edit.Set("preferred_name", "Zaqui")
	if res, _ := b.post(path, edit); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("edit: %d", res.StatusCode)
	}
	edit.Set("preferred_name", "Otro Nombre")
	if res, _ := b.post(path, edit); res.StatusCode != http.StatusConflict {
		t.Fatalf("stale edit: %d, want 409", res.StatusCode)
	}
	if _, body := b.get(path); !strings.Contains(body, "Zaqui") || strings.Contains(body, "Otro Nombre") {
		t.Fatal("a stale edit overwrote the record")
	}

	// Deleting is confirmed on its page, which needs the typed word.
	_, page := b.get(path + "/delete")
	seen := seenOf(t, page)
	if res, _ := b.post(path+"/delete", url.Values{"confirm": {"yes"}, "seen": {seen}, "confirmed": {"1"}}); res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("delete without the word: %d", res.StatusCode)
	}
	if res, _ := b.post(path+"/delete", url.Values{"confirm": {"delete"}, "seen": {seen}, "confirmed": {"1"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("delete: %d", res.StatusCode)
	}
	if res, _ := b.get(path); res.StatusCode != http.StatusNotFound {
		t.Fatalf("deleted client: %d", res.StatusCode)
	}
	// No personal data in the log, not even the search.
	for _, canary := range []string{"Quiñónez", "quinonez", "Placeholder", "Zaqui"} {
		if strings.Contains(w.log.String(), canary) {
			t.Errorf("the log holds %q", canary)
		}
	}
}

// seenOf reads the record's state a confirmation page posts.
func seenOf(t testing.TB, page string) string {
	t.Helper()
	m := regexp.MustCompile(`name="seen" value="([^"]*)"`).FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("the page has no seen field:\n%s", page)
	}
	return html.UnescapeString(m[1])
}

func TestClientPages_BadInput(t *testing.T) {
	t.Parallel()
	w := newAccountWorld(t)
	b := w.signedIn(t)
	_, page := b.get("/clients/new")
	id := regexp.MustCompile(`name="id" value="([0-9a-f]{32})"`).FindStringSubmatch(page)
	if id == nil {
		t.Fatal("the form carries no record ID")
	}
	form := url.Values{"id": {id[1]}}
	for k, v := range clientForm {
		form[k] = v
	}
	// A double-click submits twice: one record, and both land on it.
	r1, _ := b.post("/clients", form)
	r2, _ := b.post("/clients", form)
	if r1.Header.Get("Location") != "/clients/"+id[1] || r2.Header.Get("Location") != r1.Header.Get("Location") {
		t.Fatalf("double submit: %q then %q", r1.Header.Get("Location"), r2.Header.Get("Location"))
	}
	if _, n, _ := w.db.FindClients(system, amparo.ClientFilter{}); n != 1 {
		t.Fatalf("%d clients after a double submit", n)
	}
	for name, tt := range map[string]struct {
		body   string
		status int
	}{
		"InvalidUTF8":  {"legal_name=Ana%ff%feEjemplo&language=es&situation=daca&consent=on", http.StatusBadRequest},
		"UnknownField": {"legal_name=Ana+Ejemplo&language=es&situation=daca&consent=on&is_admin=1", http.StatusBadRequest},
		"TooLarge":     {"legal_name=" + strings.Repeat("A", 70<<10), http.StatusRequestEntityTooLarge},
		"BadDate":      {"legal_name=Ana+Ejemplo&language=es&situation=daca&consent=on&birth_date=2031-02-30", http.StatusUnprocessableEntity},
	} {
		t.Run(name, func(t *testing.T) {
			req, _ := http.NewRequest("POST", b.url+"/clients", strings.NewReader(tt.body))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			res, err := b.c.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body := readAll(res)
			if res.StatusCode != tt.status || len(strings.TrimSpace(body)) == 0 {
				t.Fatalf("status %d, want %d: %q", res.StatusCode, tt.status, body)
			}
		})
	}
	if _, n, _ := w.db.FindClients(system, amparo.ClientFilter{}); n != 1 {
		t.Fatalf("bad input stored something: %d clients", n)
	}
}

func TestClientPages_ConflictCheckBeforeCreating(t *testing.T) {
	t.Parallel()
	w := newAccountWorld(t)
	b := w.signedIn(t)
	if res, _ := b.post("/clients", clientForm); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("first client: %d", res.StatusCode)
	}
	twin := url.Values{}
	for k, v := range clientForm {
		twin[k] = v
	}
	twin.Set("legal_name", "QUIÑONEZ EJEMPLO, Zacarias")
	res, body := b.post("/clients", twin)
	if res.StatusCode != 200 || !strings.Contains(body, "Possible conflicts") || !strings.Contains(body, `name="conflicts_reviewed"`) {
		t.Fatalf("a close name: %d\n%s", res.StatusCode, body)
	}
	if _, n, _ := w.db.FindClients(system, amparo.ClientFilter{}); n != 1 {
		t.Fatalf("%d clients before the review", n)
	}
	twin.Set("conflicts_reviewed", "on")
	if res, _ := b.post("/clients", twin); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("after the review: %d", res.StatusCode)
	}
	if _, n, _ := w.db.FindClients(system, amparo.ClientFilter{}); n != 2 {
		t.Fatalf("%d clients after the review", n)
	}
}

// TestClientForm_NothingChosenForThePerson: the new-client form chooses no
// immigration situation and no fact, and names countries in the reader's
// language; sent untouched, it records none.
func TestClientForm_NothingChosenForThePerson(t *testing.T) {
	t.Parallel()
	w := newAccountWorld(t)
	b := w.signedIn(t)
	_, body := b.get("/clients/new?lang=es")
	if strings.Contains(body, " checked") || strings.Count(body, " selected") != 2 { // the language, and "I don't know"
		t.Fatalf("the form has answers chosen before the person chose:\n%s", body)
	}
	if !strings.Contains(body, `<select id="tps_country"`) || !strings.Contains(body, `<option value="SV">El Salvador</option>`) ||
		!strings.Contains(body, `<option value="HT">Haití</option>`) {
		t.Fatalf("countries are not chosen by name in Spanish:\n%s", body)
	}
	m := regexp.MustCompile(`name="id" value="([0-9a-f]+)"`).FindStringSubmatch(body)
	if m == nil {
		t.Fatal("no id in the form")
	}
	untouched := url.Values{"id": {m[1]}, "legal_name": {"Nadie Ejemplo Prueba"}, "language": {"es"}, "situation": {""},
		"tps_country": {""}, "country_of_birth": {""}, "consent": {"on"}}
	if res, body := b.post("/clients", untouched); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("untouched form: %d\n%s", res.StatusCode, body)
	}
	c, err := w.db.FindClientByID(system, m[1])
	if err != nil {
		t.Fatal(err)
	}
	if c.Situation != amparo.SituationUnknown || c.Detained || c.FacingRemoval || c.NoticeToAppear || c.TPSCountry != "" {
		t.Fatalf("the untouched form recorded %+v", c.Personal)
	}
}

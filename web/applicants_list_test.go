package web_test

import (
	"bytes"
	"fmt"
	"html"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/internal/storetest"
)

// seedApplicants stores n fictional applicants of the world's
// organization, received an hour apart in order (the first is the
// oldest), every seventh closed; it returns them in that order.
func seedApplicants(t *testing.T, w *accountWorld, n int) []*amparo.Applicant {
	t.Helper()
	ctx := amparo.NewContextWithActor(t.Context(), amparo.Actor{ID: "i", Role: amparo.RoleIntake, OrganizationID: w.org.ID})
	start := time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)
	defer func() { w.db.Now = time.Now }()
	var out []*amparo.Applicant
	for i := range n {
		at := start.Add(time.Duration(i) * time.Hour)
		w.db.Now = func() time.Time { return at }
		name := fmt.Sprintf("Persona Ejemplo %s", fixtureSurname(i+1))
		a := &amparo.Applicant{Key: name, Facts: amparo.Facts{Personal: amparo.Personal{LegalName: name, Language: "es", Situation: amparo.SituationDACA}}}
		if _, err := w.db.CreateApplicants(ctx, []*amparo.Applicant{a}); err != nil {
			t.Fatal(err)
		}
		if i%7 == 3 {
			if err := w.db.SetApplicantStatus(ctx, a.ID, amparo.ApplicantClosed, "", "se mudó"); err != nil {
				t.Fatal(err)
			}
			a.Status = amparo.ApplicantClosed
		}
		out = append(out, a)
	}
	return out
}

var applicantRow = regexp.MustCompile(`<td data-label="(?:Name|Nombre)"><a href="/applicants/(\w+)">`)

// listed returns the IDs of the applicants a list page shows, in order.
func listed(body string) []string {
	var ids []string
	for _, m := range applicantRow.FindAllStringSubmatch(body, -1) {
		ids = append(ids, m[1])
	}
	return ids
}

func idsOf(as []*amparo.Applicant) []string {
	var ids []string
	for _, a := range as {
		ids = append(ids, a.ID)
	}
	return ids
}

// TestApplicantList_Paging: 114 intakes, newest first, 50 a page, each
// page saying which it shows of how many; the pages together hold every
// one once, in order; each row names the person and links to the record.
func TestApplicantList_Paging(t *testing.T) {
	t.Parallel()
	w := newAccountWorld(t)
	as := seedApplicants(t, w, 114)
	newest := idsOf(as)
	slices.Reverse(newest)
	b := w.signedInAs(t, amparo.RoleIntake, w.org.ID)
	var all []string
	for _, tt := range []struct {
		query, count, next string
		from, to           int
	}{
		{"", "1–50 of 114", "/applicants?page=2", 0, 50},
		{"?page=2", "51–100 of 114", "/applicants?page=3", 50, 100},
		{"?page=3", "101–114 of 114", "", 100, 114},
	} {
		res, body := b.get("/applicants" + tt.query)
		if res.StatusCode != 200 || !strings.Contains(body, `id="list-count">`+tt.count+`<`) {
			t.Fatalf("/applicants%s: %d, no count %q", tt.query, res.StatusCode, tt.count)
		}
		ids := listed(body)
		if !slices.Equal(ids, newest[tt.from:tt.to]) {
			t.Fatalf("/applicants%s lists %d, not the %d newest from %d", tt.query, len(ids), tt.to-tt.from, tt.from)
		}
		if tt.next != "" && !strings.Contains(body, `<a href="`+tt.next+`" rel="next">`) || tt.next == "" && strings.Contains(body, `rel="next"`) {
			t.Errorf("/applicants%s: next link is not %q", tt.query, tt.next)
		}
		all = append(all, ids...)
	}
	if !slices.Equal(all, newest) {
		t.Fatalf("the pages hold %d intakes, want all 114 once", len(all))
	}
	// Rows show names, never IDs alone.
	if _, body := b.get("/applicants?page=3"); !strings.Contains(body, ">"+as[0].LegalName+"</a>") {
		t.Fatal("the last page does not name the oldest intake")
	}
}

// TestApplicantList_SortSearchFilter: the list sorts by when received,
// by status (in the order of the way to a letter) and by when last
// changed, both ways; a search finds a reference code (typed any way) or
// a name; a status narrows the list; a search keeps its order and filter
// in the address.
func TestApplicantList_SortSearchFilter(t *testing.T) {
	t.Parallel()
	w := newAccountWorld(t)
	as := seedApplicants(t, w, 60)
	b := w.signedInAs(t, amparo.RoleIntake, w.org.ID)
	oldest := idsOf(as)
	if _, body := b.get("/applicants?sort=received"); !slices.Equal(listed(body), oldest[:50]) {
		t.Fatal("sort=received is not the oldest first")
	}
	if _, body := b.get("/applicants?sort=received"); !strings.Contains(body, `aria-sort="ascending"><a href="/applicants?sort=-received">`) {
		t.Fatal("the received column does not say it sorts ascending, nor offer descending")
	}
	var closed, open []string
	for i := len(as) - 1; i >= 0; i-- {
		if as[i].Status == amparo.ApplicantClosed {
			closed = append(closed, as[i].ID)
		} else {
			open = append(open, as[i].ID)
		}
	}
	// Status descending: closed (the last status) first, newest first.
	if _, body := b.get("/applicants?sort=-status"); !slices.Equal(listed(body), append(slices.Clone(closed), open...)[:50]) {
		t.Fatal("sort=-status is not closed first, newest first")
	}
	if _, body := b.get("/applicants?sort=status"); listed(body)[0] != as[0].ID {
		t.Fatal("sort=status does not start with the oldest new intake")
	}
	// Updated: the closed ones changed last (seeded after their intake).
	if _, body := b.get("/applicants?sort=-updated"); listed(body)[0] != closed[0] {
		t.Fatal("sort=-updated does not start with the last one changed")
	}
	// A status narrows; the count says how many of them.
	res, body := b.get("/applicants?status=closed")
	if res.StatusCode != 200 || !slices.Equal(listed(body), closed) || !strings.Contains(body, fmt.Sprintf("1–%d of %d", len(closed), len(closed))) {
		t.Fatalf("status=closed: %d, %d listed", res.StatusCode, len(listed(body)))
	}
	// A reference code, in lower case with a hyphen; a name; a name that
	// is nobody's.
	a := as[16] // waiting: as[17] is closed
	ref := strings.ToLower(a.Reference[:4] + "-" + a.Reference[4:])
	if _, body := b.get("/applicants?q=" + url.QueryEscape(ref)); !slices.Equal(listed(body), []string{a.ID}) || !strings.Contains(body, "1–1 of 1") {
		t.Fatalf("search by reference %q: %v", ref, listed(body))
	}
	surname := strings.Fields(a.LegalName)[2]
	_, body = b.get("/applicants?sort=received&q=" + url.QueryEscape(strings.ToUpper(surname)))
	if !slices.Equal(listed(body), []string{a.ID}) {
		t.Fatalf("search by name %q: %v", surname, listed(body))
	}
	// The search form keeps the search and the order.
	if !strings.Contains(body, `name="q" type="search" value="`+strings.ToUpper(surname)+`"`) || !strings.Contains(body, `<input type="hidden" name="sort" value="received">`) {
		t.Fatal("the search form does not keep the search and the order")
	}
	if _, body := b.get("/applicants?q=Inexistente"); len(listed(body)) != 0 || !strings.Contains(body, "There are none.") {
		t.Fatal("a search for nobody does not say there are none")
	}
	if _, body := b.get("/applicants?status=closed&q=" + url.QueryEscape(surname)); len(listed(body)) != 0 {
		t.Fatal("a search ignores the status filter")
	}
}

// TestApplicantList_BadInput: a page past the end or not a page, an
// order the list does not have, a status that does not exist, a search
// too long or not text: a clear answer in the reader's language, never a
// 500, the list not shown.
func TestApplicantList_BadInput(t *testing.T) {
	t.Parallel()
	w := newAccountWorld(t)
	seedApplicants(t, w, 3)
	b := w.signedInAs(t, amparo.RoleIntake, w.org.ID)
	long := strings.Repeat("nombre ", 150_000) // over a megabyte
	for _, tt := range []struct {
		query string
		code  int
		en    string
		es    string
	}{
		{"page=2", 404, "There is no page 2: the list has 1 page.", "No existe la página 2: la lista tiene 1 página."},
		{"page=-1", 400, "The page number must be a whole number from 1.", "El número de página debe ser un número entero desde 1."},
		{"page=1e9", 400, "The page number must be a whole number from 1.", "El número de página debe ser un número entero desde 1."},
		{"page=99999999999999999999", 400, "The page number must be a whole number from 1.", "El número de página debe ser un número entero desde 1."},
		{"sort=name", 400, "This list cannot be sorted that way.", ""},
		{"sort=-", 400, "This list cannot be sorted that way.", ""},
		{"status=bogus", 400, "There is no such status: choose one from the list.", "Ese estado no existe: elija uno de la lista."},
		{"q=%FF%FE", 400, "A search must be text", ""},
		{"q=" + url.QueryEscape(long[:300]), 400, "A search can be at most 200 characters long.", ""},
	} {
		for _, lang := range []string{"en", "es"} {
			res, body := b.get("/applicants?" + tt.query + "&lang=" + lang)
			want := tt.en
			if lang == "es" {
				want = tt.es
			}
			if res.StatusCode != tt.code || !strings.Contains(body, want) || len(listed(body)) != 0 || !strings.Contains(body, `<html lang="`+lang+`"`) {
				t.Errorf("/applicants?%.40s in %s: %d, want %d saying %q", tt.query, lang, res.StatusCode, tt.code, want)
			}
		}
	}
	// A megabyte of search never reaches the store, and is no 500.
	res, _ := b.get("/applicants?q=" + url.QueryEscape(long[:900_000]))
	if res.StatusCode == 500 || res.StatusCode == 200 {
		t.Fatalf("a search of 900 kB: %d", res.StatusCode)
	}
}

// TestApplicantPage_WhereTheyAre: the applicant page shows where the
// person is: their place in the queue, linking to the queue's page that
// shows them, at their row; once matched, the member and the client made
// from them, linked; and every field entered.
func TestApplicantPage_WhereTheyAre(t *testing.T) {
	t.Parallel()
	w := newAccountWorld(t)
	as := seedApplicants(t, w, 60)
	b := w.signedInAs(t, amparo.RoleIntake, w.org.ID)
	// Without a rule, the line is in order of intake: the last one
	// waiting is last in line, on the queue's second page.
	inLine := 0
	for _, a := range as {
		if a.Status != amparo.ApplicantClosed {
			inLine++
		}
	}
	last := as[58] // as[59] is closed
	_, body := b.get("/applicants/" + last.ID)
	link := fmt.Sprintf(`<a href="/queue?page=2#q-%s">Place %d of %d in the queue</a>`, last.ID, inLine, inLine)
	if !strings.Contains(body, link) {
		t.Fatalf("the applicant page lacks %s", link)
	}
	if _, body := b.get("/queue?page=2"); !strings.Contains(body, fmt.Sprintf(`<tr><td>%d</td><td id="q-%s"`, inLine, last.ID)) {
		t.Fatal("the queue's page 2 lacks the person's row at their place")
	}
	for _, want := range []string{`<nav class="breadcrumbs"`, `<a href="/applicants">Intakes</a>`, "Received a notice to appear", "Consent to keep this information",
		"Date of birth", `id="match"`} {
		if !strings.Contains(body, want) {
			t.Errorf("the applicant page lacks %q", want)
		}
	}
	closed := as[3]
	if _, body := b.get("/applicants/" + closed.ID); !strings.Contains(body, "Not waiting in the queue.") {
		t.Error("a closed intake's page does not say it is not in the queue")
	}
	// Matched: the member, and the client made from the person, linked.
	m := storetest.MustCreateMember(t, w.db, w.org.ID, "700123")
	admin := amparo.NewContextWithActor(t.Context(), amparo.Actor{ID: "a", Role: amparo.RoleOrgAdmin, OrganizationID: w.org.ID})
	c := &amparo.Client{OrganizationID: w.org.ID, Personal: last.Personal}
	c.Consents = []amparo.Consent{{Purpose: amparo.ConsentDataStorage, GivenAt: time.Now().UTC(), RecordedBy: "a", Language: "es"}}
	if err := w.db.AcceptMatch(admin, last.ID, m.ID, "", c); err != nil {
		t.Fatal(err)
	}
	_, body = b.get("/applicants/" + last.ID)
	if !strings.Contains(body, "Accepted with "+m.Name) || !strings.Contains(body, `<a href="/clients/`+c.ID+`">`+last.LegalName+`</a>`) ||
		!strings.Contains(body, "Not waiting in the queue.") {
		t.Fatal("a matched applicant's page lacks the member, or the link to the client")
	}
	if _, body := b.get("/clients/" + c.ID); !strings.Contains(body, last.LegalName) {
		t.Fatal("the client link does not lead to the client")
	}
}

// TestApplicantDecision_ConfirmAndBanner: a decision is saved with a
// banner; closing asks first, on a page saying what happens; cancelling
// changes nothing; a confirmation shown before the record changed again
// changes nothing; confirming closes, with a banner.
func TestApplicantDecision_ConfirmAndBanner(t *testing.T) {
	t.Parallel()
	w := newAccountWorld(t)
	as := seedApplicants(t, w, 2)
	a := as[0]
	b := w.signedInAs(t, amparo.RoleIntake, w.org.ID)
	path := "/applicants/" + a.ID
	res, _ := b.post(path+"/status", url.Values{"status": {"eligible"}, "reason": {"Vive en la ciudad"}})
	wantRedirect(t, res, path)
	if _, body := b.get(path); !strings.Contains(body, `id="banner"`) || !strings.Contains(body, "The status of "+a.LegalName+" is now “Eligible”.") {
		t.Fatal("no banner after the decision")
	}
	if _, body := b.get(path); strings.Contains(body, `id="banner"`) {
		t.Fatal("the banner shows twice")
	}
	res, body := b.post(path+"/status", url.Values{"status": {"closed"}, "reason": {"Se mudó"}})
	if res.StatusCode != 200 || !strings.Contains(body, `id="confirm-title"`) || !strings.Contains(body, "leaves the queue") ||
		!strings.Contains(body, `<a href="`+path+`" id="confirm-cancel">`) {
		t.Fatalf("closing: %d, no confirmation page", res.StatusCode)
	}
	if got := w.applicant(t, a.ID); got.Status != amparo.ApplicantEligible {
		t.Fatalf("asking to close changed the status to %s", got.Status)
	}
	seen := regexp.MustCompile(`name="seen" value="([^"]+)"`).FindStringSubmatch(body)[1]
	confirmForm := url.Values{"status": {"closed"}, "reason": {"Se mudó"}, "seen": {seen}, "confirmed": {"1"}}
	// Someone else decides in between: the confirmation is stale.
	b.post(path+"/status", url.Values{"status": {"screening"}})
	b.get(path) // the banner
	if res, body := b.post(path+"/status", confirmForm); res.StatusCode != 409 || !strings.Contains(body, "changed") {
		t.Fatalf("a stale confirmation: %d", res.StatusCode)
	}
	if got := w.applicant(t, a.ID); got.Status != amparo.ApplicantScreening {
		t.Fatalf("a stale confirmation changed the status to %s", got.Status)
	}
	_, body = b.post(path+"/status", url.Values{"status": {"closed"}, "reason": {"Se mudó"}})
	confirmForm.Set("seen", regexp.MustCompile(`name="seen" value="([^"]+)"`).FindStringSubmatch(body)[1])
	res, _ = b.post(path+"/status", confirmForm)
	wantRedirect(t, res, path)
	if _, body := b.get(path); !strings.Contains(body, "The status of "+a.LegalName+" is now “Closed”.") || w.applicant(t, a.ID).Status != amparo.ApplicantClosed {
		t.Fatal("confirming did not close with a banner")
	}
}

func (w *accountWorld) applicant(t *testing.T, id string) *amparo.Applicant {
	t.Helper()
	a, err := w.db.FindApplicantByID(system, id)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// TestIntakeForm_Errors: a form with several problems lists every one at
// once, in the order of the form, keeps everything typed (the boxes
// ticked too), and says it to whoever fills it: the person on the public
// form, staff about the person on theirs. Saved by staff, a banner says so.
func TestIntakeForm_Errors(t *testing.T) {
	t.Parallel()
	w := newAccountWorld(t)
	bad := url.Values{"legal_name": {"Ana"}, "birth_date": {"1990-02-31"}, "phone": {"12"}, "language": {"es"}, "tps_country": {"SV"},
		"detained": {"on"}, "unhoused": {"on"}, "interpreter_ok": {"on"}, "reference": {"nope"}, "situation": {"daca"}}
	summary := regexp.MustCompile(`(?s)<div class="error-summary".*?</div>`)
	links := regexp.MustCompile(`<a href="#([\w.]+)">([^<]+)</a>`)
	check := func(body string, want []string, says map[string]string) {
		t.Helper()
		s := summary.FindString(body)
		var fields []string
		for _, m := range links.FindAllStringSubmatch(s, -1) {
			fields = append(fields, m[1])
			if w, ok := says[m[1]]; ok && !strings.Contains(html.UnescapeString(m[2]), w) {
				t.Errorf("%s: %q, want %q", m[1], m[2], w)
			}
		}
		if !slices.Equal(fields, want) {
			t.Errorf("the summary lists %v, want %v", fields, want)
		}
		if !strings.Contains(s, "autofocus") {
			t.Error("the summary is not focused")
		}
		for _, kept := range []string{`value="Ana"`, `value="1990-02-31"`, `value="12"`, `value="nope"`, `id="detained" name="detained" checked`,
			`id="unhoused" name="unhoused" checked`, `id="interpreter_ok" name="interpreter_ok" checked`, `<option value="daca" selected>`, `<option value="SV" selected>`} {
			if !strings.Contains(body, kept) {
				t.Errorf("the form lost %s", kept)
			}
		}
	}
	want := []string{"legal_name", "birth_date", "phone", "tps_country", "reference", "consent"}
	res, body := w.browser(t).post("/intake/"+w.org.ID, bad)
	if res.StatusCode != 422 {
		t.Fatalf("public form: %d", res.StatusCode)
	}
	check(body, want, map[string]string{"legal_name": "Enter your full legal name", "birth_date": "your date of birth", "phone": "your phone",
		"tps_country": "If you have TPS", "consent": "tick the box"})
	staff := w.signedInAs(t, amparo.RoleIntake, w.org.ID)
	res, body = staff.post("/applicants", bad)
	if res.StatusCode != 422 {
		t.Fatalf("staff form: %d", res.StatusCode)
	}
	check(body, want, map[string]string{"legal_name": "the person's identity documents", "tps_country": "If the person has TPS",
		"reference": "the person's reference code", "consent": "Record the client's consent"})
	if strings.Contains(body, "If you have TPS") || strings.Contains(body, "your TPS") {
		t.Error("the staff form speaks to staff as if they were the person")
	}
	// Consent ticked and kept when other fields are wrong.
	bad.Set("consent", "on")
	if _, body := staff.post("/applicants", bad); !strings.Contains(body, `id="consent" name="consent" checked`) {
		t.Error("the consent box was not kept ticked")
	}
	// Fixed, it is saved, with a banner naming the person and the code.
	good := url.Values{"legal_name": {"Ana Ejemplo Prueba"}, "language": {"es"}, "consent": {"on"}, "situation": {"daca"}}
	res, _ = staff.post("/applicants", good)
	as := w.applicants(t)
	if len(as) != 1 {
		t.Fatalf("%d applicants", len(as))
	}
	wantRedirect(t, res, "/applicants/"+as[0].ID)
	if _, body := staff.get("/applicants/" + as[0].ID); !strings.Contains(body, "Intake of Ana Ejemplo Prueba saved. Reference code: "+as[0].Reference+".") {
		t.Fatal("no banner after saving the intake")
	}
}

// TestApplicantImport_Banner: a file imported whole answers with the
// list and a banner saying how many were new and how many already known;
// the same file again imports none.
func TestApplicantImport_Banner(t *testing.T) {
	t.Parallel()
	w := newAccountWorld(t)
	b := w.signedInAs(t, amparo.RoleIntake, w.org.ID)
	csv := "legal_name,date_of_birth,preferred_language,immigration_situation\nAna Ejemplo Prueba,1990-03-25,es,daca\nEva Ejemplo Muestra,1992-01-01,es,asylum\n"
	upload := func() *http.Response {
		var body bytes.Buffer
		mw := multipart.NewWriter(&body)
		fw, _ := mw.CreateFormFile("file", "intakes.csv")
		fw.Write([]byte(csv))
		mw.Close()
		req, _ := http.NewRequest("POST", b.url+"/applicants/import", &body)
		req.Header.Set("Content-Type", mw.FormDataContentType())
		res, err := b.c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		if body := readAll(res); res.StatusCode != http.StatusSeeOther {
			t.Logf("%d: %s", res.StatusCode, body[strings.Index(body, "<main"):])
		}
		return res
	}
	for _, want := range []string{"2 imported, 0 already known.", "0 imported, 2 already known."} {
		wantRedirect(t, upload(), "/applicants")
		if _, body := b.get("/applicants"); !strings.Contains(body, `id="banner"`) || !strings.Contains(body, want) {
			t.Fatalf("no banner %q after the import", want)
		}
	}
	if n := len(w.applicants(t)); n != 2 {
		t.Fatalf("%d applicants, want 2", n)
	}
}

// TestApplicant_SourceInWords: the applicant's page names where the
// person came from in the reader's language: a workshop by its title,
// linked for those who organize it; a gone workshop and an imported
// file's reference in words too; never the raw "workshop:<id>".
func TestApplicant_SourceInWords(t *testing.T) {
	t.Parallel()
	w := newAccountWorld(t)
	ws := storetest.MustCreateWorkshop(t, w.db, w.org.ID, &amparo.Workshop{})
	ctx := amparo.NewContextWithActor(t.Context(), amparo.Actor{ID: "i", Role: amparo.RoleIntake, OrganizationID: w.org.ID})
	add := func(name, ref string) *amparo.Applicant {
		t.Helper()
		a := &amparo.Applicant{Key: name, Facts: amparo.Facts{Personal: amparo.Personal{LegalName: name, Language: "es", Situation: amparo.SituationDACA},
			SourceRef: ref}}
		if _, err := w.db.CreateApplicants(ctx, []*amparo.Applicant{a}); err != nil {
			t.Fatal(err)
		}
		return a
	}
	fromWorkshop := add("Persona Ejemplo Taller", "workshop:"+ws.ID)
	fromGone := add("Persona Ejemplo Ausente", "workshop:"+amparo.NewID())
	imported := add("Persona Ejemplo Importada", "FILA-0042")
	source := func(body string) string { return html.UnescapeString(between(body, `id="source">`, "</dd>")) }
	link := `<a href="/workshops/` + ws.ID + `">`
	for _, tt := range []struct {
		role       amparo.Role
		path, want string
		linked     bool
	}{
		{amparo.RoleOrgAdmin, "/applicants/" + fromWorkshop.ID, link + "Workshop: «Know your rights at home»</a>", true},
		{amparo.RoleOrgAdmin, "/applicants/" + fromWorkshop.ID + "?lang=es", link + "Taller: «Conozca sus derechos en casa»</a>", true},
		{amparo.RoleIntake, "/applicants/" + fromWorkshop.ID, "Workshop: «Know your rights at home»", false},
		{amparo.RoleIntake, "/applicants/" + fromGone.ID + "?lang=es", "Un taller que ya no figura en la lista", false},
		{amparo.RoleIntake, "/applicants/" + imported.ID, "Imported file, reference FILA-0042", false},
	} {
		b := w.signedInAs(t, tt.role, w.org.ID)
		res, body := b.get(tt.path)
		if res.StatusCode != 200 || source(body) != tt.want || strings.Contains(body, "workshop:") {
			t.Errorf("%s as %s: %d, the source reads %q, want %q", tt.path, tt.role, res.StatusCode, source(body), tt.want)
		}
	}
}

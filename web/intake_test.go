package web_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/intake"
	"github.com/amparo-project/amparo/internal/browsertest"
)

func (w *accountWorld) applicants(t *testing.T) []*amparo.Applicant {
	t.Helper()
	ctx := amparo.NewContextWithActor(context.Background(), amparo.Actor{ID: "i", Role: amparo.RoleIntake, OrganizationID: w.org.ID})
	as, _, err := w.db.FindApplicants(ctx, amparo.ApplicantFilter{})
	if err != nil {
		t.Fatal(err)
	}
	return as
}

func TestPublicIntake(t *testing.T) {
	t.Parallel()
	w := newAccountWorld(t)
	w.org.ContactPhone = "+1 213 555 0199"
	if err := w.db.UpdateOrganization(system, w.org); err != nil {
		t.Fatal(err)
	}
	b := w.browser(t)
	path := "/intake/" + w.org.ID
	res, body := b.get(path)
	if res.StatusCode != 200 || res.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("form: %d", res.StatusCode)
	}
	if !strings.Contains(body, `<select id="situation" name="situation"><option value="" selected>`) {
		t.Fatal("the immigration situation does not start unanswered")
	}
	form := url.Values{"legal_name": {"Zacarías Quiñónez Ejemplo"}, "language": {"es"}, "situation": {"tps"}, "tps_country": {"SV"},
		"facing_removal": {"on"}, "phone": {"213-555-0123"}}
	res, body = b.post(path, form)
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `href="#consent"`) || !strings.Contains(body, "Zacarías Quiñónez Ejemplo") ||
		!strings.Contains(body, `<option value="SV" selected>`) || !strings.Contains(body, "autofocus") {
		t.Fatalf("without consent: %d", res.StatusCode)
	}
	form.Set("consent", "on")
	res, _ = b.post(path, form)
	wantRedirect(t, res, path+"/done") // nothing personal in the address
	res, body = b.get(path + "/done")
	as := w.applicants(t)
	if res.StatusCode != 200 || len(as) != 1 || !strings.Contains(body, `id="reference">`+as[0].Reference+"<") {
		t.Fatalf("confirmation: %d, %d applicants\n%s", res.StatusCode, len(as), body)
	}
	if !strings.Contains(body, "213 555 0199") || !strings.Contains(body, `id="detained"`) || !strings.Contains(body, `id="next"`) {
		t.Fatalf("the confirmation lacks the phone, what happens next, or what to do if detained\n%s", body)
	}
	if strings.Contains(body, "Zacarías") || strings.Contains(body, "Quiñónez") || strings.Contains(body, "213-555-0123") {
		t.Fatal("the answer page shows what the person typed")
	}
	// Reloading, or switching the language, shows the same code and sends nothing.
	res, body = b.get(path + "/done?lang=es")
	if res.StatusCode != 200 || !strings.Contains(body, as[0].Reference) || !strings.Contains(body, "Recibimos") {
		t.Fatalf("in Spanish: %d\n%s", res.StatusCode, body)
	}
	if got := w.applicants(t); len(got) != 1 || got[0].LegalName != "Zacarías Quiñónez Ejemplo" || got[0].TPSCountry != "SV" || len(got[0].Consents) != 1 {
		t.Fatalf("stored %+v", got)
	}
	// The same person writes again, now detained, without the code: the
	// same record, updated; matched by name and date of birth alone, the
	// confirmation says it was added to the earlier request and does not
	// show its code (anyone who knows them could have sent it; this test
	// expected the code shown before, which leaked it).
	form.Set("detained", "on")
	res, _ = b.post(path, form)
	wantRedirect(t, res, path+"/done")
	if _, body := b.get(path + "/done"); strings.Contains(body, as[0].Reference) || !strings.Contains(body, `id="added"`) {
		t.Fatalf("the second request, matched by name alone, shows the code or not that it was added:\n%s", body)
	}
	if got := w.applicants(t); len(got) != 1 || !got[0].Detained {
		t.Fatalf("after writing again: %d applicants", len(got))
	}
	// A robot that fills the hidden field is answered as anyone, is given
	// no code, and nothing is kept.
	robot := w.browser(t)
	form.Set("legal_name", "Robot Ejemplo")
	form.Set("website", "http://spam.example")
	res, _ = robot.post(path, form)
	wantRedirect(t, res, path+"/done")
	if res, body := robot.get(path + "/done"); res.StatusCode != 200 || strings.Contains(body, `id="reference"`) || !strings.Contains(body, "213 555 0199") {
		t.Fatalf("honeypot confirmation: %d\n%s", res.StatusCode, body)
	}
	if len(w.applicants(t)) != 1 {
		t.Fatal("the robot's form was kept")
	}
	if strings.Contains(w.log.String(), "Quiñónez") {
		t.Fatal("the log holds the name")
	}
	if res, _ := b.get("/intake/no-such-organization"); res.StatusCode != 404 {
		t.Fatalf("unknown organization: %d", res.StatusCode)
	}
}

// TestPublicIntake_RateLimited: a limited submission comes back as the
// form, in the person's language, with everything typed and why.
func TestPublicIntake_RateLimited(t *testing.T) {
	t.Parallel()
	w := newAccountWorld(t)
	b := w.browser(t)
	path := "/intake/" + w.org.ID
	b.get(path + "?lang=es")
	form := url.Values{"legal_name": {"Marta Ejemplo Muestra"}, "language": {"es"}, "phone": {"213-555-0144"}, "unhoused": {"on"}, "reference": {"K7QM3XPD9A"}}
	var res *http.Response
	var body string
	for range 6 { // the test limiter lets 5 through
		res, body = b.post(path, form)
	}
	if res.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("after many submissions: %d, want 429", res.StatusCode)
	}
	for _, want := range []string{"Demasiadas solicitudes", `value="Marta Ejemplo Muestra"`, `value="213-555-0144"`, `id="unhoused" name="unhoused" checked`,
		`value="K7QM3XPD9A"`, `class="error-summary"`, `lang="es"`} {
		if !strings.Contains(body, want) {
			t.Errorf("the limited answer lacks %q", want)
		}
	}
}

// TestIntakeForms_NothingAnsweredNothingScored: the public and staff forms
// sent with every optional question untouched record no scored fact, and
// each form asks every question the policy scores.
func TestIntakeForms_NothingAnsweredNothingScored(t *testing.T) {
	t.Parallel()
	w := newAccountWorld(t)
	staff := w.signedInAs(t, amparo.RoleIntake, w.org.ID)
	for _, tt := range []struct {
		name string
		b    *browser
		path string
		form string
	}{
		{"public", w.browser(t), "/intake/" + w.org.ID, "/intake/" + w.org.ID},
		{"staff", staff, "/applicants", "/applicants/new"},
	} {
		_, body := tt.b.get(tt.form)
		for _, q := range intake.Questions {
			if !strings.Contains(body, `name="`+q.Field+`"`) {
				t.Errorf("%s form does not ask %s", tt.name, q.Field)
			}
		}
		if strings.Contains(body, " checked") || strings.Count(body, " selected") != 2 { // the language, and "I don't know"
			t.Errorf("%s form has answers chosen before the person chose", tt.name)
		}
		// What a browser sends for the untouched form.
		untouched := url.Values{"legal_name": {"Nadie Ejemplo " + tt.name}, "birth_date": {""}, "phone": {""}, "language": {"es"},
			"situation": {""}, "tps_country": {""}, "country_of_birth": {""}, "next_hearing": {""}, "reference": {""}, "consent": {"on"}}
		if res, _ := tt.b.post(tt.path, untouched); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("%s: %d", tt.name, res.StatusCode)
		}
	}
	as := w.applicants(t)
	if len(as) != 2 {
		t.Fatalf("%d applicants", len(as))
	}
	for _, a := range as {
		if got := intake.ScoredFacts(a, time.Now()); len(got) != 0 || a.Situation != amparo.SituationUnknown {
			t.Errorf("%s: scored facts %v, situation %q", a.LegalName, got, a.Situation)
		}
	}
}

// TestPublicIntake_MatchedByNameAlone: someone who knows a person's name
// and date of birth sends the public form as them. They are told it was
// added to an earlier request, never shown its code (not on the page, not
// in the cookie); the situation updates, the phone does not: staff see it
// as proposed, to confirm, and the list marks the record updated by the
// person until they open it. With the code, the person is trusted.
func TestPublicIntake_MatchedByNameAlone(t *testing.T) {
	t.Parallel()
	w := newAccountWorld(t)
	w.org.ContactPhone = "+1 213 555 0199"
	if err := w.db.UpdateOrganization(system, w.org); err != nil {
		t.Fatal(err)
	}
	path := "/intake/" + w.org.ID
	form := url.Values{"legal_name": {"Paula Ejemplo Muestra"}, "birth_date": {"1988-02-03"}, "language": {"es"},
		"phone": {"213-555-0131"}, "consent": {"on"}}
	person := w.browser(t)
	res, _ := person.post(path, form)
	wantRedirect(t, res, path+"/done")
	as := w.applicants(t)
	if len(as) != 1 {
		t.Fatalf("%d applicants", len(as))
	}
	ref := as[0].Reference

	other := w.browser(t)
	claim := url.Values{"legal_name": {"Paula Ejemplo Muestra"}, "birth_date": {"1988-02-03"}, "language": {"es"},
		"phone": {"213-555-0999"}, "detained": {"on"}, "consent": {"on"}}
	res, _ = other.post(path+"?lang=es", claim)
	wantRedirect(t, res, path+"/done")
	for _, c := range res.Cookies() {
		if v, _ := base64.RawURLEncoding.DecodeString(strings.Split(c.Value, ".")[0]); strings.Contains(c.Value, ref) || strings.Contains(string(v), ref) {
			t.Fatalf("the cookie %s carries the code", c.Name)
		}
	}
	_, body := other.get(path + "/done")
	if strings.Contains(body, ref) || !strings.Contains(body, "Agregamos esto a su solicitud anterior") ||
		!strings.Contains(body, "Use el código de referencia que le dieron la primera vez") || !strings.Contains(body, "213 555 0199") {
		t.Fatalf("the confirmation after a match by name alone:\n%s", body)
	}
	if _, body := other.get(path + "/done?lang=en"); strings.Contains(body, ref) || !strings.Contains(body, "We added this to your earlier request") {
		t.Fatalf("in English:\n%s", body)
	}
	as = w.applicants(t)
	if len(as) != 1 || as[0].Phone != "213-555-0131" || !as[0].Detained {
		t.Fatalf("stored: %d, phone %q, detained %v", len(as), as[0].Phone, as[0].Detained)
	}

	// Staff: the list marks the record updated by the person, not yet seen.
	staff := w.signedInAs(t, amparo.RoleIntake, w.org.ID)
	mark := `<strong class="updated" data-applicant="` + as[0].ID + `">`
	if _, body := staff.get("/applicants?lang=es"); !strings.Contains(body, mark) || !strings.Contains(body, "actualizada por la persona el") {
		t.Fatalf("the list does not mark the update:\n%s", body)
	}
	// The page shows the phone on record, and the proposed one clearly.
	_, body = staff.get("/applicants/" + as[0].ID + "?lang=es")
	if !strings.Contains(body, `id="proposed"`) || !strings.Contains(body, "Datos de contacto propuestos, no aplicados") ||
		!strings.Contains(body, "213-555-0999 propuesto (registrado: 213-555-0131)") || !strings.Contains(body, `<a href="tel:213-555-0131">`) {
		t.Fatalf("the applicant page does not show the proposal:\n%s", body)
	}
	if _, body := staff.get("/applicants/" + as[0].ID + "?lang=en"); !strings.Contains(body, "Contact details proposed, not applied") {
		t.Fatal("the proposal in English")
	}
	// Seen: the list no longer marks it as unseen, but says when it changed.
	if _, body := staff.get("/applicants?lang=en"); strings.Contains(body, mark) || !strings.Contains(body, "updated by the person on") {
		t.Fatalf("after staff looked, the list:\n%s", body)
	}

	// The person, with their code, is trusted: shown the code, phone applied.
	form.Set("reference", ref)
	form.Set("phone", "213-555-0132")
	res, _ = person.post(path, form)
	wantRedirect(t, res, path+"/done")
	if _, body := person.get(path + "/done"); !strings.Contains(body, `id="reference">`+ref+"<") {
		t.Fatalf("with the code, the confirmation:\n%s", body)
	}
	if got := w.applicants(t); got[0].Phone != "213-555-0132" {
		t.Fatalf("with the code the phone is %q", got[0].Phone)
	}
}

// TestApplicantPage_ShowsEverythingAndIsFound: staff see all a person gave,
// and find them by reference code or name.
func TestApplicantPage_ShowsEverythingAndIsFound(t *testing.T) {
	t.Parallel()
	w := newAccountWorld(t)
	b := w.signedInAs(t, amparo.RoleIntake, w.org.ID)
	form := url.Values{"legal_name": {"Inés Ejemplo Prueba"}, "birth_date": {"1991-04-05"}, "phone": {"213-555-0177"}, "language": {"es"},
		"situation": {"tps"}, "tps_country": {"HT"}, "country_of_birth": {"HT"}, "unaccompanied_minor": {"on"}, "survivor": {"on"}, "consent": {"on"}}
	res, _ := b.post("/applicants", form)
	as := w.applicants(t)
	if len(as) != 1 {
		t.Fatalf("%d applicants", len(as))
	}
	a := as[0]
	wantRedirect(t, res, "/applicants/"+a.ID)
	_, body := b.get("/applicants/" + a.ID + "?lang=es")
	for _, want := range []string{a.Reference, "213-555-0177", "1991-04-05", a.IntakeDate.String(), "Haití", "Titular de TPS"} {
		if !strings.Contains(body, want) {
			t.Errorf("the applicant page lacks %q", want)
		}
	}
	// Staff take the same person again, now unhoused: one record, and the
	// change in the history.
	form.Set("unhoused", "on")
	b.post("/applicants", form)
	_, body = b.get("/applicants/" + a.ID + "?lang=en")
	if len(w.applicants(t)) != 1 || !strings.Contains(body, "Updated by staff") || !strings.Contains(body, "Has no stable housing: No → Yes") {
		t.Fatalf("the history lacks the update\n%s", body)
	}
	for _, q := range []string{strings.ToLower(a.Reference), "ines prueba", "INÉS"} {
		if _, body := b.get("/applicants?q=" + url.QueryEscape(q)); !strings.Contains(body, "/applicants/"+a.ID) {
			t.Errorf("search %q does not find the applicant", q)
		}
	}
	if _, body := b.get("/applicants?q=Luis"); strings.Contains(body, "/applicants/"+a.ID) {
		t.Error("a search for another name finds the applicant")
	}
}

// TestPublicIntake_BrowserSpanish: in Spanish, a mistake is shown and
// corrected, and the request goes through.
func TestPublicIntake_BrowserSpanish(t *testing.T) {
	t.Parallel()
	w := newAccountWorld(t)
	ctx := browsertest.Start(t, nil)
	do(t, ctx, chromedp.Navigate(w.ts.URL+"/intake/"+w.org.ID+"?lang=es"), chromedp.WaitVisible("#legal_name"))
	if h1 := eval[string](t, ctx, `document.querySelector('h1').textContent`); h1 != "Pida una carta de representación" {
		t.Fatalf("not in Spanish: %q", h1)
	}
	do(t, ctx, chromedp.SendKeys("#legal_name", "Rosa Ejemplo Prueba"), chromedp.SetValue("#situation", "tps"),
		chromedp.Click("#consent"), chromedp.Submit("#legal_name"), chromedp.WaitVisible(".error-summary"))
	summary := eval[string](t, ctx, `document.querySelector('.error-summary').innerText`)
	if !strings.Contains(summary, "Hay un problema") || !strings.Contains(summary, "TPS") {
		t.Fatalf("error summary: %q", summary)
	}
	if kept := eval[string](t, ctx, `document.getElementById('legal_name').value`); kept != "Rosa Ejemplo Prueba" {
		t.Fatalf("the name typed was not kept: %q", kept)
	}
	// The summary links to the field; correct it and send again.
	// The consent ticked is kept too.
	do(t, ctx, chromedp.Click(`.error-summary a[href="#tps_country"]`), chromedp.SetValue("#tps_country", "SV"),
		chromedp.Submit("#legal_name"))
	if done := waitFor(ctx, `(document.querySelector('h1') || {}).textContent || ''`, "Recibimos"); !strings.Contains(done, "Recibimos") {
		t.Fatalf("after the correction the page says %q", done)
	}
	if as := w.applicants(t); len(as) != 1 || as[0].TPSCountry != "SV" {
		t.Fatalf("stored %d applicants", len(as))
	}
}

func TestStaffIntakeAndImport(t *testing.T) {
	t.Parallel()
	w := newAccountWorld(t)
	b := w.signedInAs(t, amparo.RoleIntake, w.org.ID)
	form := url.Values{"legal_name": {"Luz Ejemplo Prueba"}, "language": {"es"}, "situation": {"daca"}, "consent": {"on"}}
	if res, _ := b.post("/applicants", form); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("staff intake: %d", res.StatusCode)
	}
	if res, body := b.get("/applicants/template.csv"); res.StatusCode != 200 || !strings.Contains(body, "legal_name") {
		t.Fatalf("template: %d", res.StatusCode)
	}
	upload := func(name string, partial bool) (*http.Response, string) {
		t.Helper()
		data, err := os.ReadFile(filepath.Join("..", "csvimport", "testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		var body bytes.Buffer
		mw := multipart.NewWriter(&body)
		fw, _ := mw.CreateFormFile("file", name)
		fw.Write(data)
		if partial {
			mw.WriteField("partial", "on")
		}
		mw.Close()
		req, _ := http.NewRequest("POST", b.url+"/applicants/import", &body)
		req.Header.Set("Content-Type", mw.FormDataContentType())
		res, err := b.c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		return res, readAll(res)
	}
	res, body := upload("bad_date.csv", false)
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "Line ") || len(w.applicants(t)) != 1 {
		t.Fatalf("bad file: %d, %d applicants\n%s", res.StatusCode, len(w.applicants(t)), body)
	}
	res, body = upload("bad_date.csv", true)
	if res.StatusCode != 200 || len(w.applicants(t)) < 2 {
		t.Fatalf("partial: %d, %d applicants", res.StatusCode, len(w.applicants(t)))
	}
	if _, body := b.get("/applicants"); !strings.Contains(body, "Luz Ejemplo Prueba") {
		t.Fatal("the intake list lacks the staff intake")
	}
	// Screening: a decision with its reason lands in the history.
	var luz string
	for _, a := range w.applicants(t) {
		if a.LegalName == "Luz Ejemplo Prueba" {
			luz = a.ID
		}
	}
	if res, _ := b.post("/applicants/"+luz+"/status", url.Values{"status": {"bogus"}}); res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("bad status: %d", res.StatusCode)
	}
	if res, _ := b.post("/applicants/"+luz+"/status", url.Values{"status": {"eligible"}, "reason": {"Vive en la ciudad"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("decision: %d", res.StatusCode)
	}
	if _, body := b.get("/applicants/" + luz); !strings.Contains(body, "Vive en la ciudad") || !strings.Contains(body, "Eligible") {
		t.Fatal("the history lacks the decision")
	}
	other := &amparo.Organization{Name: "Organization B Sample", Kind: amparo.OrgLawFirm, Languages: []string{"en"}}
	if err := w.db.CreateOrganization(system, other); err != nil {
		t.Fatal(err)
	}
	if res, _ := w.signedInAs(t, amparo.RoleMember, other.ID).get("/applicants/" + luz); res.StatusCode != http.StatusNotFound {
		t.Fatalf("another organization sees the applicant: %d", res.StatusCode)
	}
}

// TestPublicIntake_PhoneSpanishWritesAgain: on a 375-pixel phone, in
// Spanish, a person leaves the situation unanswered and sends; the
// confirmation is a page of its own with the reference code, which
// switching language keeps; they write again, now detained, and staff see
// the update in the history.
func TestPublicIntake_PhoneSpanishWritesAgain(t *testing.T) {
	t.Parallel()
	w := newAccountWorld(t)
	ctx := browsertest.Start(t, nil, chromedp.EmulateViewport(375, 812))
	form := w.ts.URL + "/intake/" + w.org.ID
	do(t, ctx, chromedp.Navigate(form+"?lang=es"), chromedp.WaitVisible("#legal_name"))
	if wide := eval[int](t, ctx, `document.documentElement.scrollWidth`); wide > 375 {
		t.Fatalf("the form is %d pixels wide on a 375-pixel phone", wide)
	}
	// A mistake first: the summary takes the focus, in Spanish.
	do(t, ctx, chromedp.SendKeys("#legal_name", "Julia Ejemplo Muestra"), chromedp.SendKeys("#phone", "213-555-0166"),
		chromedp.Click("#send"), chromedp.WaitVisible(".error-summary"))
	if focus := eval[string](t, ctx, `document.activeElement.className`); focus != "error-summary" {
		t.Fatalf("the focus is on %q, not the error summary", focus)
	}
	if s := eval[string](t, ctx, `document.querySelector('.error-summary').innerText`); !strings.Contains(s, "marque la casilla") {
		t.Fatalf("summary: %q", s)
	}
	if sit := eval[string](t, ctx, `document.getElementById('situation').value`); sit != "" {
		t.Fatalf("the situation is %q, not unanswered", sit)
	}
	do(t, ctx, chromedp.Click("#consent"), chromedp.Click("#send"))
	confirmed(t, ctx) // the form's code field has the id of the confirmation's code
	ref := eval[string](t, ctx, `document.getElementById('reference').textContent`)
	if path := eval[string](t, ctx, `location.pathname + location.search`); path != "/intake/"+w.org.ID+"/done" {
		t.Fatalf("the confirmation is at %q", path)
	}
	as := w.applicants(t)
	if len(as) != 1 || as[0].Reference != ref || as[0].Situation != amparo.SituationUnknown {
		t.Fatalf("stored %d applicants; reference shown %q", len(as), ref)
	}
	// Switching language keeps the confirmation, and sends nothing again.
	do(t, ctx, chromedp.Click(`nav a[hreflang="en"]`), chromedp.WaitVisible("#reference"))
	if h1 := waitFor(ctx, `document.querySelector('h1').textContent`, "We received"); !strings.Contains(h1, "We received") {
		t.Fatalf("in English the page says %q", h1)
	}
	if got := eval[string](t, ctx, `document.getElementById('reference').textContent`); got != ref || len(w.applicants(t)) != 1 {
		t.Fatalf("after switching language: %q, %d applicants", got, len(w.applicants(t)))
	}
	// Writing again, now detained, with the reference code.
	do(t, ctx, chromedp.Navigate(form+"?lang=es"), chromedp.WaitVisible("#legal_name"),
		chromedp.SendKeys("#legal_name", "Julia Ejemplo Muestra"), chromedp.Click("#detained"), chromedp.SendKeys("#reference", ref),
		chromedp.Click("#consent"), chromedp.Click("#send"))
	confirmed(t, ctx)
	if got := eval[string](t, ctx, `document.getElementById('reference').textContent`); got != ref {
		t.Fatalf("writing again shows %q, want %q", got, ref)
	}
	as = w.applicants(t)
	if len(as) != 1 || !as[0].Detained || as[0].Phone != "213-555-0166" {
		t.Fatalf("after writing again: %d applicants, %+v", len(as), as)
	}
	_, body := w.signedInAs(t, amparo.RoleIntake, w.org.ID).get("/applicants/" + as[0].ID + "?lang=es")
	if !strings.Contains(body, "Actualizado por la persona") || !strings.Contains(body, "Detenido") || !strings.Contains(body, "213-555-0166") {
		t.Fatalf("the staff page lacks the update\n%s", body)
	}
}

package web_test

import (
	"bytes"
	"context"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/amparo-project/amparo"
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
	w := newAccountWorld(t)
	b := w.browser(t)
	path := "/intake/" + w.org.ID
	res, _ := b.get(path)
	if res.StatusCode != 200 || res.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("form: %d", res.StatusCode)
	}
	form := url.Values{"legal_name": {"Zacarías Quiñónez Ejemplo"}, "language": {"es"}, "situation": {"tps"}, "tps_country": {"SV"}, "facing_removal": {"on"}}
	res, body := b.post(path, form)
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `href="#consent"`) || !strings.Contains(body, "Zacarías Quiñónez Ejemplo") {
		t.Fatalf("without consent: %d", res.StatusCode)
	}
	form.Set("consent", "on")
	res, body = b.post(path, form)
	if res.StatusCode != 200 || !strings.Contains(body, `id="reference"`) {
		t.Fatalf("sent: %d\n%s", res.StatusCode, body)
	}
	if strings.Contains(body, "Zacarías") || strings.Contains(body, "Quiñónez") {
		t.Fatal("the answer page shows what the person typed")
	}
	as := w.applicants(t)
	if len(as) != 1 || as[0].LegalName != "Zacarías Quiñónez Ejemplo" || as[0].TPSCountry != "SV" || len(as[0].Consents) != 1 {
		t.Fatalf("stored %+v", as)
	}
	// A robot that fills the hidden field is thanked, and nothing is kept.
	form.Set("legal_name", "Robot Ejemplo")
	form.Set("website", "http://spam.example")
	if res, _ := b.post(path, form); res.StatusCode != 200 || len(w.applicants(t)) != 1 {
		t.Fatalf("honeypot: %d, %d applicants", res.StatusCode, len(w.applicants(t)))
	}
	// One address is slowed down after a few submissions.
	var last int
	for range 6 {
		res, _ := b.post(path, form)
		last = res.StatusCode
	}
	if last != http.StatusTooManyRequests {
		t.Fatalf("after many submissions: %d, want 429", last)
	}
	if strings.Contains(w.log.String(), "Quiñónez") {
		t.Fatal("the log holds the name")
	}
	if res, _ := b.get("/intake/no-such-organization"); res.StatusCode != 404 {
		t.Fatalf("unknown organization: %d", res.StatusCode)
	}
}

// TestPublicIntake_BrowserSpanish: in Spanish, a mistake is shown and
// corrected, and the request goes through.
func TestPublicIntake_BrowserSpanish(t *testing.T) {
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
	do(t, ctx, chromedp.Click(`.error-summary a[href="#tps_country"]`), chromedp.SendKeys("#tps_country", "SV"),
		chromedp.Click("#consent"), chromedp.Submit("#legal_name"))
	if done := waitFor(ctx, `(document.querySelector('h1') || {}).textContent || ''`, "Recibimos"); !strings.Contains(done, "Recibimos") {
		t.Fatalf("after the correction the page says %q", done)
	}
	if as := w.applicants(t); len(as) != 1 || as[0].TPSCountry != "SV" {
		t.Fatalf("stored %d applicants", len(as))
	}
}

func TestStaffIntakeAndImport(t *testing.T) {
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

package web_test

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/amparo-project/amparo"
)

// TestVendors_Upload: a procurement officer uploads a vendor file with a
// bad row: refused whole, the row named by line and column in Spanish;
// with "keep the good rows", the good ones are screened and listed.
func TestVendors_Upload(t *testing.T) {
	t.Parallel()
	w := newAccountWorld(t)
	runFileJobs(t, w.db, w.srv.Screening)
	b := w.signedInAs(t, amparo.RoleProcurement, w.org.ID)
	file := []byte("name,uei\nEjemplo Ferretería Ficticia,\nEjemplo Dos,SHORT\n")
	res, body := uploadCSV(b, "/vendors/upload?lang=es", url.Values{}, file)
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "Línea 3, columna 2") {
		t.Fatalf("a file with a bad row: %d\n%s", res.StatusCode, body)
	}
	if _, list := b.get("/vendors"); strings.Contains(list, "Ejemplo Ferretería Ficticia") {
		t.Fatal("a refused file left a vendor behind")
	}
	// The good rows are screened in the background: the answer is the
	// run's page, read again until it has the results.
	res, body = uploadCSV(b, "/vendors/upload?lang=es", url.Values{"partial": {"on"}}, file)
	run := res.Header.Get("Location")
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(run, "/vendor-files/") {
		t.Fatalf("partial: %d %q\n%s", res.StatusCode, run, body)
	}
	for i := 0; i < 200 && (i == 0 || res.StatusCode == http.StatusOK && !strings.Contains(body, "screened-count")); i++ {
		if i > 0 {
			time.Sleep(50 * time.Millisecond)
		}
		res, body = b.get(run + "?lang=es")
	}
	if res.StatusCode != http.StatusOK || !strings.Contains(body, "1 proveedores revisados") || !strings.Contains(body, "Línea 3, columna 2") {
		t.Fatalf("partial: %d\n%s", res.StatusCode, body)
	}
	if _, list := b.get("/vendors"); !strings.Contains(list, "Ejemplo Ferretería Ficticia") {
		t.Fatalf("the vendor is not listed:\n%s", list)
	}
}

// uploadCSV is browser.upload, returning the answer's body too.
func uploadCSV(b *browser, path string, fields url.Values, file []byte) (*http.Response, string) {
	b.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for k, vs := range fields {
		for _, v := range vs {
			mw.WriteField(k, v)
		}
	}
	fw, _ := mw.CreateFormFile("file", "vendors.csv")
	fw.Write(file)
	mw.Close()
	req, _ := http.NewRequest("POST", b.url+path, &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	res, err := b.c.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	return res, readAll(res)
}

// TestAffidavit_AllProblemsAtOnce: an affidavit sent empty, or with a bad
// UEI and no signature, is answered with every problem at once beside its
// field, in the vendor's language, and nothing is stored.
func TestAffidavit_AllProblemsAtOnce(t *testing.T) {
	t.Parallel()
	w, _, sol := screeningWorld(t)
	b := w.browser(t)
	for _, c := range []struct {
		form url.Values
		want []string
	}{
		{url.Values{}, []string{"declares", "name", "signer_name", "signer_title", "attestation"}},
		{url.Values{"declares": {"none"}, "name": {"Ejemplo Cercas"}, "uei": {"ABC"}, "signer_name": {"Rosa Firmante Ejemplo"}}, []string{"uei", "signer_title", "attestation"}},
	} {
		res, body := b.post("/affidavit/"+sol.Token+"?lang=es", c.form)
		if res.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("%v: %d", c.form, res.StatusCode)
		}
		for _, field := range c.want {
			if !strings.Contains(body, `id="`+field+`-error"`) {
				t.Errorf("%v: no problem shown for %s", c.form, field)
			}
		}
		if !strings.Contains(body, "Hay un problema") {
			t.Errorf("%v: not in Spanish", c.form)
		}
	}
	if _, body := w.signedInAs(t, amparo.RoleProcurement, w.org.ID).get("/vendors/solicitations"); !strings.Contains(body, `class="affidavits">0<`) {
		t.Error("a refused affidavit was stored")
	}
}

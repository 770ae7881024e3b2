package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
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
	if _, body := b.get("/clients?q=quinonez"); !strings.Contains(body, path) {
		t.Fatal("search by name without accents does not find the client")
	}

	// A stale edit overwrites nothing.
	_, form := b.get(path + "/edit")
	stamp := regexp.MustCompile(`name="updated_at" value="([^"]+)"`).FindStringSubmatch(form)[1]
	edit := url.Values{"updated_at": {stamp}}
	for k, v := range clientForm {
		edit[k] = v
	}
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

	// Deleting needs the typed word.
	if res, _ := b.post(path+"/delete", url.Values{"confirm": {"yes"}}); res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("delete without the word: %d", res.StatusCode)
	}
	if res, _ := b.post(path+"/delete", url.Values{"confirm": {"delete"}}); res.StatusCode != http.StatusSeeOther {
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

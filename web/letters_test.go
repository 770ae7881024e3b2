package web_test

import (
	"bytes"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/amparo-project/amparo/qrscan"
)

// TestLetterPages: a draft for a client, issued by the organization's
// admin, downloaded as a letter and a card whose QR reads back, then revoked.
func TestLetterPages(t *testing.T) {
	w := newAccountWorld(t)
	m := w.withKeys(t)
	b := w.signedIn(t)
	res, _ := b.post("/clients", clientForm)
	clientPath := res.Header.Get("Location")
	_, body := b.get("/letters/new?client=" + strings.TrimPrefix(clientPath, "/clients/"))
	if !strings.Contains(body, m.ID) {
		t.Fatalf("the form does not offer the member:\n%s", body)
	}
	res, _ = b.post("/letters", url.Values{"client": {strings.TrimPrefix(clientPath, "/clients/")}, "member": {m.ID}})
	letterPath := res.Header.Get("Location")
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(letterPath, "/letters/") {
		t.Fatalf("create draft: %d %q", res.StatusCode, letterPath)
	}
	res, _ = b.post(letterPath+"/issue", nil)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("issue: %d", res.StatusCode)
	}
	_, body = b.get(letterPath)
	if !strings.Contains(body, `id="phone-pin"`) || !strings.Contains(body, "letter.pdf") {
		t.Fatalf("issued letter page lacks the phone link or downloads:\n%s", body)
	}
	l, err := w.db.FindLetterByID(system, strings.TrimPrefix(letterPath, "/letters/"))
	if err != nil {
		t.Fatal(err)
	}
	for _, doc := range []string{"letter.pdf", "card.pdf"} {
		res, pdf := b.get(letterPath + "/" + doc)
		if res.StatusCode != 200 || res.Header.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(pdf, "%PDF") {
			t.Fatalf("%s: %d %q", doc, res.StatusCode, res.Header.Get("Content-Type"))
		}
		if !testing.Short() {
			path := t.TempDir() + "/" + doc
			writeFile(t, path, []byte(pdf))
			texts, err := qrscan.FromPDF(t.Context(), path)
			if err == nil && !slices.Contains(texts, l.QR) {
				t.Fatalf("%s holds QR codes %q, not the letter's", doc, texts)
			}
		}
	}
	// Revoking needs a reason.
	if res, body := b.post(letterPath+"/revoke", url.Values{"reason": {""}}); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `href="#reason"`) {
		t.Fatalf("revoke without a reason: %d", res.StatusCode)
	}
	if res, _ := b.post(letterPath+"/revoke", url.Values{"reason": {"Representation ended"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("revoke: %d", res.StatusCode)
	}
	if _, body := b.get(letterPath); !regexp.MustCompile(`Revoked|Revocada`).MatchString(body) {
		t.Fatal("the letter page does not say revoked")
	}
	if res, _ := b.get(letterPath + "/letter.pdf"); res.StatusCode == 200 {
		t.Fatal("a revoked letter still downloads")
	}
}

func TestPhonePage_PDF(t *testing.T) {
	w := newPhoneWorld(t)
	c := &http.Client{Jar: &cookieJar{}}
	if res, _ := c.Get(w.url() + "/letter.pdf"); res.StatusCode != http.StatusForbidden {
		t.Fatalf("PDF without the PIN: %d", res.StatusCode)
	}
	c.PostForm(w.url(), url.Values{"pin": {w.link.PIN}})
	res, err := c.Get(w.url() + "/letter.pdf")
	if err != nil {
		t.Fatal(err)
	}
	pdf := readAll(res)
	if res.StatusCode != 200 || !bytes.HasPrefix([]byte(pdf), []byte("%PDF")) {
		t.Fatalf("phone PDF: %d", res.StatusCode)
	}
}

func writeFile(t *testing.T, path string, b []byte) {
	t.Helper()
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

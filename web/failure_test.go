package web_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/amparo-project/amparo"
)

// TestRender_TemplateErrorIsAWhole500: a page whose template fails while
// rendering answers with the error page and 500, never the half written
// before the failure with 200.
func TestRender_TemplateErrorIsAWhole500(t *testing.T) {
	t.Parallel()
	w := newAccountWorld(t)
	if err := w.srv.AddPage("broken", `{{define "main"}}<p id="half">written before the failure</p>{{call .Data.Fail}}{{end}}`); err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	req := httptest.NewRequest("GET", "/broken?lang=es", nil)
	w.srv.RenderPage(rec, req, "broken", map[string]any{"Fail": func() (string, error) { return "", errors.New("a helper failed") }})
	body := rec.Body.String()
	if rec.Code != http.StatusInternalServerError || strings.Contains(body, "written before the failure") ||
		!strings.Contains(body, `<html lang="es">`) || !strings.Contains(body, `id="error-message"`) || !strings.HasSuffix(strings.TrimSpace(body), "</html>") {
		t.Fatalf("%d\n%s", rec.Code, body)
	}
	if !strings.Contains(w.log.String(), "render broken") {
		t.Fatalf("the failure is not logged:\n%s", w.log.String())
	}
	// The same page rendering well is whole, with 200.
	rec = httptest.NewRecorder()
	w.srv.RenderPage(rec, req, "broken", map[string]any{"Fail": func() (string, error) { return "and the rest", nil }})
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "written before the failure</p>and the rest") {
		t.Fatalf("%d\n%s", rec.Code, rec.Body.String())
	}
}

// TestSession_DatabaseFailureIsNotSignedOut: when the database fails, a
// signed-in person gets an error, not the sign-in page as if signed out.
func TestSession_DatabaseFailureIsNotSignedOut(t *testing.T) {
	t.Parallel()
	w := newAccountWorld(t)
	b := w.signedInAs(t, amparo.RoleIntake, w.org.ID)
	if res, _ := b.get("/dashboard"); res.StatusCode != http.StatusOK {
		t.Fatalf("dashboard: %d", res.StatusCode)
	}
	w.db.Close()
	res, body := b.get("/dashboard")
	if res.StatusCode != http.StatusInternalServerError || res.Header.Get("Location") != "" || strings.Contains(body, `name="password"`) {
		t.Fatalf("database closed: %d to %q\n%s", res.StatusCode, res.Header.Get("Location"), body)
	}
}

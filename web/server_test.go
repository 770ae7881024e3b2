package web_test

import (
	"bytes"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/auth"
	"github.com/amparo-project/amparo/document"
	"github.com/amparo-project/amparo/envelope"
	"github.com/amparo-project/amparo/internal/storetest"
	"github.com/amparo-project/amparo/locale"
	"github.com/amparo-project/amparo/screening"
	"github.com/amparo-project/amparo/sqldb"
	"github.com/amparo-project/amparo/web"
)

// openStore opens a migrated SQLite store in a temporary directory, and
// returns it with the keyring that seals it.
func openStore(tb testing.TB) (*sqldb.DB, *envelope.Keyring) {
	tb.Helper()
	return storetest.OpenSQLite(tb)
}

// newTestServer builds the whole server over a store, every service set
// as main sets them; change adjusts them (a log to read, a fake trust).
// It is the one place tests build a server.
func newTestServer(tb testing.TB, db *sqldb.DB, k *envelope.Keyring, change ...func(*web.Services)) (*web.Server, http.Handler) {
	tb.Helper()
	cat, err := locale.Load()
	if err != nil {
		tb.Fatal(err)
	}
	svc := web.Services{Programs: db, Organizations: db, DB: db, Trust: db, Phones: db, MAC: k.MAC, Accounts: db, Clients: db,
		Members: db, Audit: db, Applicants: db, Policies: db, Conflicts: db,
		IntakeLimiter:   auth.NewLimiter(auth.LimiterConfig{AddrBurst: 5, AddrRefill: time.Minute, PairFree: 1000, AccountFree: 1000, Forget: time.Hour, MaxEntries: 1000}),
		IntakeKeySecret: []byte("test"), Letters: db, Workshops: db, Vendors: db, Screening: screening.NewService(db, db, db, db), Alerts: db, Fund: db, Reports: db, Documents: db, Renderer: document.New(cat),
		Hasher: auth.NewTestHasher(), Limiter: auth.NewLimiter(auth.DefaultLimiterConfig), Catalog: cat,
		Logger: slog.New(slog.DiscardHandler), Metrics: prometheus.NewRegistry()}
	for _, c := range change {
		c(&svc)
	}
	s, err := web.NewServer(svc)
	if err != nil {
		tb.Fatal(err)
	}
	h, err := s.Handler()
	if err != nil {
		tb.Fatal(err)
	}
	return s, formatChecked(tb, h)
}

// badFormat is what fmt writes for a message whose arguments do not fit
// its verbs: "%!d(float64=1)", "%!(EXTRA string=x)", "%!s(MISSING)".
var badFormat = regexp.MustCompile(`%!([a-zA-Z]?\(|\()[^)]*\)`)

// formatChecked fails the test when a page, a CSV or a JSON answer of h
// holds a message formatted badly, whoever reads it (an HTTP client or
// Chromium).
func formatChecked(tb testing.TB, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tw := &teeWriter{ResponseWriter: w}
		h.ServeHTTP(tw, r)
		if m := badFormat.Find(tw.text.Bytes()); m != nil {
			tb.Errorf("%s %s: a message formatted badly: %s", r.Method, r.URL.Path, m)
		}
	})
}

// teeWriter keeps a copy of what is written when it is text.
type teeWriter struct {
	http.ResponseWriter
	text bytes.Buffer
}

func (w *teeWriter) Write(b []byte) (int, error) {
	ct := w.Header().Get("Content-Type")
	if strings.HasPrefix(ct, "text/") || strings.Contains(ct, "json") || ct == "" {
		w.text.Write(b)
	}
	return w.ResponseWriter.Write(b)
}

func (w *teeWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func newServer(t *testing.T) (*httptest.Server, *sqldb.DB) {
	t.Helper()
	db, k := openStore(t)
	_, h := newTestServer(t, db, k)
	ts := httptest.NewServer(h)
	t.Cleanup(ts.Close)
	return ts, db
}

func get(t *testing.T, url string, header ...string) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	return res, readAll(res)
}

func TestHome_Languages(t *testing.T) {
	t.Parallel()
	ts, _ := newServer(t)
	for _, tt := range []struct {
		header, query, lang, want string
	}{
		{"en-US,en;q=0.9", "", "en", "Skip to main content"},
		{"es-MX,es;q=0.8", "", "es", "Ir al contenido principal"},
		{"es-MX", "?lang=en", "en", "Letter capacity"},
		{"fr", "", "en", "Partner organizations"},
	} {
		res, body := get(t, ts.URL+"/"+tt.query, "Accept-Language", tt.header)
		if res.StatusCode != 200 || !strings.Contains(body, `<html lang="`+tt.lang+`">`) || !strings.Contains(body, tt.want) {
			t.Errorf("Accept-Language %q %s: status %d, want lang %s with %q", tt.header, tt.query, res.StatusCode, tt.lang, tt.want)
		}
	}
	// A chosen language is remembered over the browser's.
	req, _ := http.NewRequest("GET", ts.URL+"/", nil)
	req.AddCookie(&http.Cookie{Name: "lang", Value: "es"})
	req.Header.Set("Accept-Language", "en")
	res, _ := http.DefaultClient.Do(req)
	res.Body.Close()
	if res.Header.Get("Content-Language") != "es" {
		t.Errorf("cookie lang=es gave %q", res.Header.Get("Content-Language"))
	}
}

func TestHealthz(t *testing.T) {
	t.Parallel()
	ts, db := newServer(t)
	if res, body := get(t, ts.URL+"/healthz"); res.StatusCode != 200 || body != "ok\n" {
		t.Fatalf("healthy: %d %q", res.StatusCode, body)
	}
	db.Close()
	if res, body := get(t, ts.URL+"/healthz"); res.StatusCode != 503 || !strings.Contains(body, "database unavailable") {
		t.Fatalf("database closed: %d %q", res.StatusCode, body)
	}
}

func TestNotFound(t *testing.T) {
	t.Parallel()
	ts, _ := newServer(t)
	if res, _ := get(t, ts.URL+"/no/such/page"); res.StatusCode != 404 {
		t.Fatalf("status %d", res.StatusCode)
	}
}

func TestPages_NoInlineStyleOrScript(t *testing.T) {
	t.Parallel()
	ts, _ := newServer(t)
	_, body := get(t, ts.URL+"/")
	if strings.Contains(body, "<style") || strings.Contains(body, " style=") || strings.Contains(body, "<script>") {
		t.Fatal("the home page has inline style or script, which the CSP blocks")
	}
	if !strings.Contains(body, `href="/static/site.css"`) {
		t.Fatal("the home page does not load site.css")
	}
	res, css := get(t, ts.URL+"/static/site.css")
	if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/css") || !strings.Contains(css, "body{") {
		t.Fatalf("site.css: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
}

// TestLog_RoutesNotPaths: the request log names the route's pattern, never
// the path, whose secrets (a phone link's token) must not reach a log.
func TestLog_RoutesNotPaths(t *testing.T) {
	t.Parallel()
	w := newAccountWorld(t)
	secret := "tj5GcRGHVucORokSoYbzyw" // well-formed, as a link's token is
	if res, _ := get(t, w.ts.URL+"/p/"+secret); res.StatusCode != http.StatusOK {
		t.Fatalf("phone page: %d", res.StatusCode)
	}
	get(t, w.ts.URL+"/no/such/"+secret)
	log := w.log.String()
	if strings.Contains(log, secret) || !strings.Contains(log, `route="GET /p/{token}"`) || !strings.Contains(log, "route=unmatched") {
		t.Fatalf("the log:\n%s", log)
	}
	// Each request's lines carry its ID, which its answer gives too.
	res, _ := get(t, w.ts.URL+"/no/such/page")
	id := res.Header.Get("X-Request-ID")
	if len(id) != 16 || !strings.Contains(w.log.String(), "request="+id) {
		t.Errorf("request ID %q not in the log:\n%s", id, w.log.String())
	}
}

// TestErrorPage_InTheReadersLanguage: a refusal is a page in the reader's
// language, not the store's English sentence, and its language links lead
// to a page a GET opens, never back to the action.
func TestErrorPage_InTheReadersLanguage(t *testing.T) {
	t.Parallel()
	w := newAccountWorld(t)
	b := w.signedInAs(t, amparo.RoleIntake, w.org.ID)
	res, body := b.post("/matches/accept?lang=es", url.Values{"applicant": {"nadie"}, "member": {"nadie"}})
	if res.StatusCode < 400 || !strings.Contains(res.Header.Get("Content-Type"), "text/html") || !strings.Contains(body, `<html lang="es">`) ||
		strings.Contains(body, `id="error-detail"`) || !strings.Contains(body, `href="/matches?lang=en"`) {
		t.Fatalf("%d %s\n%s", res.StatusCode, res.Header.Get("Content-Type"), body)
	}
	res, body = b.get("/letters/no-such-letter?lang=es")
	if res.StatusCode != http.StatusNotFound || !strings.Contains(body, "Página no encontrada") {
		t.Fatalf("not found: %d\n%s", res.StatusCode, body)
	}
}

// TestHome_LeadsEverywhere: the public home page leads a person to ask for
// help, to check a letter, and staff to sign in (or, signed in, to their
// dashboard), never saying that sign-in is not set up.
func TestHome_LeadsEverywhere(t *testing.T) {
	t.Parallel()
	w := newAccountWorld(t)
	_, body := get(t, w.ts.URL+"/?lang=es")
	if !strings.Contains(body, `href="/intake/`+w.org.ID+`"`) || !strings.Contains(body, `href="/v"`) || !strings.Contains(body, `<a href="/signin" id="staff-link">`) {
		t.Fatalf("signed out:\n%s", body)
	}
	if _, body := w.signedInAs(t, amparo.RoleIntake, w.org.ID).get("/"); !strings.Contains(body, `<a href="/dashboard" id="staff-link">`) {
		t.Fatalf("signed in:\n%s", body)
	}
}

package web_test

import (
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/credential"
	"github.com/amparo-project/amparo/sqldb"
	"github.com/amparo-project/amparo/web"
)

// TestMetrics_LettersIssuedAndVerifications: after a letter is issued
// (a refused attempt first) and a verifier loads the verify page and the
// trust bundle and verifies the letter's QR with it, /metrics counts one
// letter issued and one of each verification, and holds nothing of the
// client, the letter or the organization.
func TestMetrics_LettersIssuedAndVerifications(t *testing.T) {
	t.Parallel()
	reg := prometheus.NewRegistry()
	w := newAccountWorld(t, func(s *web.Services, _ *sqldb.DB) { s.Metrics = reg })
	db, org := w.db, w.org
	metricsTS := httptest.NewServer(promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	t.Cleanup(metricsTS.Close)
	scrape := func() string {
		t.Helper()
		res, body := get(t, metricsTS.URL+"/metrics")
		if res.StatusCode != 200 {
			t.Fatalf("/metrics: %d", res.StatusCode)
		}
		return body
	}
	if before := scrape(); !strings.Contains(before, `amparo_letters_issued_total{how="issue"} 0`) ||
		!strings.Contains(before, `amparo_verifications_served_total{what="bundle"} 0`) {
		t.Fatalf("/metrics before any letter lacks the zero counts:\n%s", before)
	}

	m := w.withKeys(t)
	admin := w.signedIn(t)
	res, _ := admin.post("/clients", clientForm)
	clientID := strings.TrimPrefix(res.Header.Get("Location"), "/clients/")
	res, _ = admin.post("/letters", url.Values{"client": {clientID}, "member": {m.ID}})
	letterPath := res.Header.Get("Location")
	if res, _ := admin.post(letterPath+"/submit", nil); res.StatusCode != 303 {
		t.Fatalf("submit: %d", res.StatusCode)
	}
	if res, _ := admin.post(letterPath+"/issue", nil); res.StatusCode != 403 {
		t.Fatalf("the admin issuing: %d, want 403", res.StatusCode)
	}
	tomas := w.memberSignedIn(t, m)
	if res, _ := tomas.post(letterPath+"/issue", nil); res.StatusCode != 303 {
		t.Fatalf("issue: %d", res.StatusCode)
	}
	l, err := db.FindLetterByID(system, strings.TrimPrefix(letterPath, "/letters/"))
	if err != nil || l.Status != amparo.LetterActive {
		t.Fatalf("the letter after issuing: %v", err)
	}

	// A verifier, signed in as nobody, loads the page and the bundle, and
	// verifies the letter's QR with the bundle.
	verifier := w.browser(t)
	if res, _ := verifier.get("/v"); res.StatusCode != 200 {
		t.Fatalf("/v: %d", res.StatusCode)
	}
	res, body := verifier.get("/v/bundle")
	if res.StatusCode != 200 {
		t.Fatalf("/v/bundle: %d", res.StatusCode)
	}
	bundle, err := credential.ParseBundle([]byte(body))
	if err != nil {
		t.Fatal(err)
	}
	v, _, err := bundle.Verifier()
	if err != nil {
		t.Fatal(err)
	}
	if r := v.Verify(l.QR, time.Now()); r.Status != credential.StatusValid {
		t.Fatalf("the issued letter verifies as %s: %s", r.Status, r.Reason)
	}

	got := scrape()
	for _, want := range []string{
		`amparo_letters_issued_total{how="issue"} 1`, `amparo_letters_issued_total{how="renew"} 0`,
		`amparo_verifications_served_total{what="page"} 1`, `amparo_verifications_served_total{what="bundle"} 1`,
		`amparo_http_request_duration_seconds_count{code="303",method="POST",route="POST /letters/{id}/issue"} 1`,
		`amparo_http_request_duration_seconds_count{code="403",method="POST",route="POST /letters/{id}/issue"} 1`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	for _, secret := range []string{l.ID, clientID, org.ID, m.ID, "Quiñónez", "Zacar", "Ficticio", "Centro Legal"} {
		if strings.Contains(got, secret) {
			t.Errorf("/metrics holds %q", secret)
		}
	}
}

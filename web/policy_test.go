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

// policyWorld is an account world with three people waiting: a TPS
// holder facing removal, a person in detention, a DACA recipient (first to
// last under the shipped policy). It returns the shipped policy's text.
func policyWorld(t *testing.T) (*accountWorld, map[string]*amparo.Applicant, string) {
	t.Helper()
	w := newAccountWorld(t)
	intake := amparo.NewContextWithActor(t.Context(), amparo.Actor{ID: "i", Role: amparo.RoleIntake, OrganizationID: w.org.ID})
	facts := func(name, situation string, detained bool) *amparo.Applicant {
		return &amparo.Applicant{Key: name, Facts: amparo.Facts{Personal: amparo.Personal{LegalName: name, Language: "es",
			Situation: situation, TPSCountry: map[bool]string{true: "SV"}[situation == amparo.SituationTPS], FacingRemoval: true, Detained: detained}}}
	}
	as := []*amparo.Applicant{facts("Ana Ejemplo", amparo.SituationTPS, false), facts("Caro Ejemplo", amparo.SituationOther, true),
		facts("Beto Ejemplo", amparo.SituationDACA, false)}
	if _, err := w.db.CreateApplicants(intake, as); err != nil {
		t.Fatal(err)
	}
	byName := map[string]*amparo.Applicant{}
	for _, a := range as {
		stored, err := w.db.FindApplicantByID(intake, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		byName[a.LegalName] = stored
	}
	p, err := w.db.CurrentPolicy(system)
	if err != nil {
		t.Fatal(err)
	}
	return w, byName, p.Text
}

// TestPolicyPreview: a changed policy is first shown as who would move —
// how many forward and back, the largest moves by reference code with
// their places before and after, the tiers after — and changes nothing;
// "Put in force" from the preview changes it, with a banner; a preview
// made before someone else's change puts nothing in force.
func TestPolicyPreview(t *testing.T) {
	t.Parallel()
	w, people, text := policyWorld(t)
	admin := w.signedInAs(t, amparo.RoleProgramAdmin, "")
	daca := strings.Replace(text, "rule daca points 10", "rule daca tier 1 points 100", 1)
	form := url.Values{"text": {daca}, "reason": {"DACA first"}}

	res, body := admin.post("/policy", form)
	if res.StatusCode != http.StatusOK || !strings.Contains(body, `id="confirm-title"`) {
		t.Fatalf("preview: %d\n%s", res.StatusCode, body)
	}
	beto := people["Beto Ejemplo"]
	// Beto, third, comes first (tier 1 and the most points): one forward
	// (two places), two back.
	for _, want := range []string{"1 person would move forward.", "2 people would move back.",
		`<td data-label="Reference code">` + beto.Reference + `</td><td data-label="Organization">Centro Legal Ejemplo</td><td data-label="Place now">3</td><td data-label="Place after">1</td>`,
		`name="seen" value="0"`} {
		if !strings.Contains(body, want) {
			t.Errorf("the preview does not say %q", want)
		}
	}
	if strings.Contains(body, "Beto Ejemplo") {
		t.Error("the preview names a person: the program office sees reference codes only")
	}
	// The text goes through the page unchanged.
	if m := regexp.MustCompile(`name="text" value="([^"]*)"`).FindStringSubmatch(body); m == nil || html.UnescapeString(m[1]) != daca {
		t.Error("the preview's form does not carry the text as typed")
	}
	if p, _ := w.db.CurrentPolicy(system); p.Version != 0 {
		t.Fatalf("a preview put version %d in force", p.Version)
	}
	// "Change the text again" brings it back to the editor.
	again := url.Values{"text": {daca}, "reason": {"DACA first"}, "edit": {"1"}}
	if res, body := admin.post("/policy", again); res.StatusCode != http.StatusOK || !strings.Contains(body, "rule daca tier 1") ||
		!strings.Contains(body, `value="DACA first"`) {
		t.Errorf("edit again: %d", res.StatusCode)
	}
	// Cancel is a link back to the editor: the policy in force is still 0.
	if _, body := admin.get("/policy"); !strings.Contains(body, "Version 0 is in force") {
		t.Error("the editor does not show version 0 in force")
	}

	form.Set("confirmed", "1")
	form.Set("seen", "0")
	res, _ = admin.post("/policy", form)
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/policy" {
		t.Fatalf("put in force: %d", res.StatusCode)
	}
	_, body = admin.get("/policy")
	if !strings.Contains(body, `id="banner"`) || !strings.Contains(body, "Version 1 of the policy is in force.") {
		t.Errorf("no banner after putting the policy in force:\n%s", body)
	}
	member := w.signedInAs(t, amparo.RoleMember, w.org.ID)
	if _, q := member.get("/queue"); strings.Index(q, "Beto Ejemplo") > strings.Index(q, "Ana Ejemplo") {
		t.Error("the queue did not change")
	}

	// The same preview again is stale: version 1 is in force now.
	other := url.Values{"text": {text}, "reason": {"back"}, "confirmed": {"1"}, "seen": {"0"}}
	res, body = admin.post("/policy?lang=es", other)
	if res.StatusCode != http.StatusConflict || !strings.Contains(body, "La política vigente cambió") || !strings.Contains(body, "rule daca points 10") {
		t.Errorf("a stale preview: %d\n%s", res.StatusCode, body)
	}
	if p, _ := w.db.CurrentPolicy(system); p.Version != 1 {
		t.Errorf("a stale preview put version %d in force", p.Version)
	}
}

// TestPolicyPreview_Problems: a text that does not parse and a missing
// reason are said at once, in the reader's language, the text kept.
func TestPolicyPreview_Problems(t *testing.T) {
	t.Parallel()
	w, _, text := policyWorld(t)
	admin := w.signedInAs(t, amparo.RoleProgramAdmin, "")
	bad := strings.Replace(text, "when detained", "when detainee", 1)
	res, body := admin.post("/policy?lang=es", url.Values{"text": {bad}})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `href="#text"`) || !strings.Contains(body, `href="#reason"`) ||
		!strings.Contains(body, "Indique por qué cambia la política") || !strings.Contains(body, "when detainee") {
		t.Fatalf("problems: %d\n%s", res.StatusCode, body)
	}
	if p, _ := w.db.CurrentPolicy(system); p.Version != 0 {
		t.Fatal("a bad text changed the policy")
	}
	// Only the program office previews.
	if res, _ := w.signedInAs(t, amparo.RoleAuditor, "").post("/policy", url.Values{"text": {text}, "reason": {"x"}}); res.StatusCode != http.StatusForbidden {
		t.Errorf("an auditor's preview: %d", res.StatusCode)
	}
}

// TestPolicyFormat: the format's documentation, rendered from
// docs/priority-policy.md, with nothing that breaks the
// Content-Security-Policy (no script, no style attribute, no raw HTML).
func TestPolicyFormat(t *testing.T) {
	t.Parallel()
	w := newAccountWorld(t)
	admin := w.signedInAs(t, amparo.RoleProgramAdmin, "")
	if _, body := admin.get("/policy"); !strings.Contains(body, `href="/policy/format"`) {
		t.Error("the editor does not link to the format")
	}
	res, body := admin.get("/policy/format")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("format: %d", res.StatusCode)
	}
	for _, want := range []string{`<h2 id="the-format">The format</h2>`, "<code>hearing_within N</code>", "<table>", `<pre><code class="language-policy">`} {
		if !strings.Contains(body, want) {
			t.Errorf("the format page has no %q", want)
		}
	}
	for _, bad := range []string{"style=", "<script", "raw HTML omitted"} {
		if strings.Contains(body, bad) {
			t.Errorf("the format page holds %q", bad)
		}
	}
	// In Spanish, the Spanish translation (docs/priority-policy.es.md).
	if _, es := admin.get("/policy/format?lang=es"); !strings.Contains(es, `<div class="doc" id="policy-format" lang="es">`) ||
		!strings.Contains(es, `<h2 id="el-formato">El formato</h2>`) || strings.Contains(es, "The format") ||
		strings.Contains(es, "solo en inglés") {
		t.Errorf("the Spanish page:\n%s", es)
	}
}

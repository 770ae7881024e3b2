package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/amparo-project/amparo"
)

func TestQueueAndPolicyPages(t *testing.T) {
	t.Parallel()
	w := newAccountWorld(t)
	intake := amparo.NewContextWithActor(t.Context(), amparo.Actor{ID: "i", Role: amparo.RoleIntake, OrganizationID: w.org.ID})
	facts := func(name, situation string, detained bool) *amparo.Applicant {
		return &amparo.Applicant{Key: name, Facts: amparo.Facts{Personal: amparo.Personal{LegalName: name, Language: "es",
			Situation: situation, TPSCountry: map[bool]string{true: "SV"}[situation == amparo.SituationTPS], FacingRemoval: true, Detained: detained}}}
	}
	if _, err := w.db.CreateApplicants(intake, []*amparo.Applicant{facts("Beto Ejemplo", amparo.SituationDACA, false),
		facts("Ana Ejemplo", amparo.SituationTPS, false), facts("Caro Ejemplo", amparo.SituationOther, true)}); err != nil {
		t.Fatal(err)
	}
	member := w.signedInAs(t, amparo.RoleMember, w.org.ID)
	_, body := member.get("/queue")
	ana, caro, beto := strings.Index(body, "Ana Ejemplo"), strings.Index(body, "Caro Ejemplo"), strings.Index(body, "Beto Ejemplo")
	if ana < 0 || !(ana < caro && caro < beto) || !strings.Contains(body, "Holds TPS and faces deportation") {
		t.Fatalf("queue order: TPS holder facing removal, then detained, then DACA; got:\n%s", body)
	}
	// In Spanish the reasons are the catalog's, not the policy's English.
	if _, body := member.get("/queue?lang=es"); !strings.Contains(body, "Tiene TPS y enfrenta la deportación") || strings.Contains(body, "Holds TPS") {
		t.Fatalf("the Spanish queue does not say why in Spanish:\n%s", body)
	}

	admin := w.signedInAs(t, amparo.RoleProgramAdmin, "")
	_, page := admin.get("/policy")
	text := strings.Split(strings.Split(page, `name="text"`)[1], ">")[1]
	text = strings.Split(text, "</textarea")[0]
	text = strings.NewReplacer("&#34;", `"`, "&amp;", "&", "&lt;", "<", "&gt;", ">", "&#39;", "'").Replace(text)
	res, body := admin.post("/policy", url.Values{"text": {strings.Replace(text, "when detained", "when detainee", 1)}, "reason": {"typo"}})
	if res.StatusCode != 422 || !strings.Contains(body, "detainee") || !strings.Contains(body, `href="#text"`) {
		t.Fatalf("bad policy: %d", res.StatusCode)
	}
	// A good policy is previewed first (who would move), and put in force
	// from the preview.
	daca := url.Values{"text": {strings.Replace(text, "rule daca points 10", "rule daca tier 1", 1)}, "reason": {"DACA first"}}
	res, body = admin.post("/policy", daca)
	if res.StatusCode != http.StatusOK || !strings.Contains(body, "moved") {
		t.Fatalf("good policy: %d\n%s", res.StatusCode, body)
	}
	daca.Set("confirmed", "1")
	daca.Set("seen", "0")
	if res, body = admin.post("/policy", daca); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("put in force: %d\n%s", res.StatusCode, body)
	}
	// A TPS table with a bad line is refused, saying which line.
	res, body = admin.post("/policy", url.Values{"text": {text}, "tps": {"tps XX \"Nowhere\" ends soon source \"x\"\n"}, "reason": {"tps"}})
	if res.StatusCode != 422 || !strings.Contains(body, `href="#tps"`) || !strings.Contains(body, "line 1") {
		t.Fatalf("bad TPS table: %d\n%s", res.StatusCode, body)
	}
	_, body = member.get("/queue")
	if strings.Index(body, "Beto Ejemplo") > strings.Index(body, "Caro Ejemplo") {
		t.Fatal("the DACA recipient did not move ahead of the detained person")
	}
}

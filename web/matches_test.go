package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/amparo-project/amparo"
)

func TestMatchesPage(t *testing.T) {
	w := newAccountWorld(t)
	for i, lang := range []string{"es", "en"} {
		m := &amparo.Member{OrganizationID: w.org.ID, Name: []string{"Lic. Tomás Ficticio", "Atty. Grace Example"}[i], Kind: amparo.MemberAttorney,
			BarJurisdiction: "CA", BarNumber: []string{"900001", "900002"}[i], Languages: []string{lang}, CaseCapacity: 1, PublicPhone: "+1 213 555 0142"}
		if err := w.db.CreateMember(system, m); err != nil {
			t.Fatal(err)
		}
	}
	intakeCtx := amparo.NewContextWithActor(t.Context(), amparo.Actor{ID: "i", Role: amparo.RoleIntake, OrganizationID: w.org.ID})
	mk := func(name, lang, situation string) *amparo.Applicant {
		a := &amparo.Applicant{Key: name, Facts: amparo.Facts{Personal: amparo.Personal{LegalName: name, Language: lang, Situation: situation, FacingRemoval: true}}}
		if situation == amparo.SituationTPS {
			a.TPSCountry = "SV"
		}
		return a
	}
	if _, err := w.db.CreateApplicants(intakeCtx, []*amparo.Applicant{mk("Ana Ejemplo", "es", amparo.SituationTPS),
		mk("Joy Sample", "en", amparo.SituationDACA), mk("Luis Prueba", "es", amparo.SituationOther)}); err != nil {
		t.Fatal(err)
	}
	b := w.signedInAs(t, amparo.RoleMember, w.org.ID)
	_, body := b.get("/matches")
	if !strings.Contains(body, "Ana Ejemplo → Lic. Tomás Ficticio") || !strings.Contains(body, "Joy Sample → Atty. Grace Example") ||
		strings.Contains(body, "Luis Prueba →") {
		t.Fatalf("proposal: the TPS holder and the English speaker matched, the third waiting:\n%s", body)
	}
	// Why, in the reader's language.
	if !strings.Contains(body, "Speaks Spanish, the applicant&#39;s language") || !strings.Contains(body, "Luis Prueba: The places of the") {
		t.Errorf("the reasons are not shown in English:\n%s", body)
	}
	if _, es := b.get("/matches?lang=es"); !strings.Contains(es, "Habla español, el idioma de la persona") || !strings.Contains(es, "Luis Prueba: Los lugares de los") {
		t.Errorf("the reasons are not shown in Spanish:\n%s", es)
	}
	b.get("/matches?lang=en")
	form := func(name string) url.Values {
		id := regexp.MustCompile(`name="applicant" value="([0-9a-f]+)"><input type="hidden" name="member" value="([0-9a-f]+)">`).FindAllStringSubmatch(body, -1)
		for _, m := range id {
			if strings.Contains(body[strings.Index(body, m[0])-400:strings.Index(body, m[0])], name) {
				return url.Values{"applicant": {m[1]}, "member": {m[2]}}
			}
		}
		t.Fatalf("no form for %s", name)
		return nil
	}
	ana, joy := form("Ana Ejemplo"), form("Joy Sample")
	if res, _ := b.post("/matches/decline", ana); res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("decline without a reason: %d", res.StatusCode)
	}
	ana.Set("reason", "Conflicto de intereses")
	if res, _ := b.post("/matches/decline", ana); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("decline: %d", res.StatusCode)
	}
	if res, _ := b.post("/matches/accept", joy); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("accept: %d", res.StatusCode)
	}
	_, body = b.get("/matches")
	if strings.Contains(body, "Ana Ejemplo → Lic. Tomás Ficticio") || !strings.Contains(body, "Luis Prueba → Lic. Tomás Ficticio") || strings.Contains(body, "Joy Sample →") {
		t.Fatalf("after a decline and an accept:\n%s", body)
	}
	// A recorded party close to Luis Prueba shows as a possible conflict.
	if res, _ := b.post("/parties", url.Values{"name": {"PRUEBA, Luis"}, "note": {"parte contraria"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("record a party: %d", res.StatusCode)
	}
	if _, body := b.get("/matches"); !strings.Contains(body, "Possible conflicts") || !strings.Contains(body, "PRUEBA, Luis") {
		t.Fatalf("the conflict is not shown:\n%s", body)
	}
	if res, _ := w.signedInAs(t, amparo.RoleIntake, w.org.ID).post("/matches/accept", joy); res.StatusCode != http.StatusForbidden {
		t.Fatalf("intake accepting a match: %d", res.StatusCode)
	}
}

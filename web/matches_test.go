package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/names/namestest"
)

func TestMatchesPage(t *testing.T) {
	t.Parallel()
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
	// Intake staff see the proposal, but no buttons their role cannot use.
	staff := w.signedInAs(t, amparo.RoleIntake, w.org.ID)
	if _, body := staff.get("/matches"); !strings.Contains(body, "Ana Ejemplo → Lic. Tomás Ficticio") ||
		strings.Contains(body, `action="/matches/accept"`) || strings.Contains(body, `action="/matches/decline"`) {
		t.Fatalf("intake staff's matches page:\n%s", body)
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
		for _, sec := range strings.Split(body, `<section class="match"`)[1:] {
			m := regexp.MustCompile(`name="applicant" value="([0-9a-f]+)"><input type="hidden" name="member" value="([0-9a-f]+)">`).FindStringSubmatch(sec)
			if m != nil && strings.Contains(sec[:strings.Index(sec, "</h2>")], name) {
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
	} else if said, _ := b.banner(res); !strings.HasPrefix(said, "Match declined.") {
		t.Errorf("the banner after a decline: %q", said)
	}
	if res, _ := b.post("/matches/accept", joy); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("accept: %d", res.StatusCode)
	} else if said, _ := b.banner(res); !strings.HasPrefix(said, "Match accepted: Joy Sample is now a client") {
		t.Errorf("the banner after an acceptance: %q", said)
	}
	_, body = b.get("/matches")
	if strings.Contains(body, "Ana Ejemplo → Lic. Tomás Ficticio") || !strings.Contains(body, "Luis Prueba → Lic. Tomás Ficticio") || strings.Contains(body, "Joy Sample →") {
		t.Fatalf("after a decline and an accept:\n%s", body)
	}
	// A recorded party close to Luis Prueba shows as a possible conflict.
	if res, _ := b.post("/parties", url.Values{"name": {"PRUEBA, Luis"}, "note": {"parte contraria"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("record a party: %d", res.StatusCode)
	} else if said, _ := b.banner(res); said != "PRUEBA, Luis was added to the conflict check." {
		t.Errorf("the banner after recording a party: %q", said)
	}
	if _, body := b.get("/matches"); !strings.Contains(body, "Possible conflicts") || !strings.Contains(body, "PRUEBA, Luis") {
		t.Fatalf("the conflict is not shown:\n%s", body)
	}
	if res, _ := staff.post("/matches/accept", joy); res.StatusCode != http.StatusForbidden {
		t.Fatalf("intake accepting a match: %d", res.StatusCode)
	}
}

// TestMatchAccept walks an accepted match: the conflict check's hit must
// be reviewed, then the client exists without retyping and a draft letter
// is opened for the member; the priority is told in words.
func TestMatchAccept(t *testing.T) {
	t.Parallel()
	w := newAccountWorld(t)
	m := &amparo.Member{OrganizationID: w.org.ID, Name: "Lic. Tomás Ficticio", Kind: amparo.MemberAttorney, BarJurisdiction: "CA",
		BarNumber: "900001", Languages: []string{"es", "en"}, CaseCapacity: 5, PublicPhone: "+1 213 555 0142"}
	if err := w.db.CreateMember(system, m); err != nil {
		t.Fatal(err)
	}
	otherOrg := &amparo.Organization{Name: "Organization B Sample", Kind: amparo.OrgLawFirm, Languages: []string{"en"}}
	if err := w.db.CreateOrganization(system, otherOrg); err != nil {
		t.Fatal(err)
	}
	foreign := &amparo.Member{OrganizationID: otherOrg.ID, Name: "Atty. Grace Example", Kind: amparo.MemberAttorney, BarJurisdiction: "CA",
		BarNumber: "900002", Languages: []string{"es"}, CaseCapacity: 5, PublicPhone: "+1 213 555 0143"}
	if err := w.db.CreateMember(system, foreign); err != nil {
		t.Fatal(err)
	}
	intakeCtx := amparo.NewContextWithActor(t.Context(), amparo.Actor{ID: "i", Role: amparo.RoleIntake, OrganizationID: w.org.ID})
	consent := []amparo.Consent{{Purpose: amparo.ConsentDataStorage, GivenAt: time.Date(2026, 2, 1, 9, 0, 0, 0, time.UTC), RecordedBy: "public", Language: "es"}}
	rosa := &amparo.Applicant{Key: "rosa", Facts: amparo.Facts{Personal: amparo.Personal{LegalName: "Rosa Ejemplo Prueba", Language: "es",
		Phone: "+1 213 555 0123", BirthDate: amparo.MustDate("1988-06-14"), Situation: amparo.SituationAsylum, Detained: true, Consents: consent}}}
	joy := &amparo.Applicant{Key: "joy", Facts: amparo.Facts{Personal: amparo.Personal{LegalName: "Joy", Language: "en",
		Situation: amparo.SituationNoneKnown, Consents: consent}}}
	if _, err := w.db.CreateApplicants(intakeCtx, []*amparo.Applicant{rosa, joy}); err != nil {
		t.Fatal(err)
	}
	b := w.signedInAs(t, amparo.RoleMember, w.org.ID)
	if res, _ := b.post("/parties", url.Values{"name": {"PRUEBA, Rosa Ejemplo"}, "note": {"parte contraria"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("record a party: %d", res.StatusCode)
	}
	_, body := b.get("/matches?lang=en")
	if !strings.Contains(body, "Why this person comes first: Is in immigration detention (priority group 2)") || strings.Contains(body, "Priority weight") {
		t.Errorf("the priority is not told in words:\n%s", body)
	}
	if _, es := b.get("/matches?lang=es"); !strings.Contains(es, "Está en detención migratoria (nivel de prioridad 2)") {
		t.Errorf("the priority is not told in Spanish:\n%s", es)
	}
	b.get("/matches?lang=en")
	accept := url.Values{"applicant": {rosa.ID}, "member": {m.ID}}

	// Another organization's attorney, or one made up, is refused.
	if res, _ := b.post("/matches/accept", url.Values{"applicant": {rosa.ID}, "member": {foreign.ID}}); res.StatusCode != http.StatusNotFound {
		t.Fatalf("accept for another organization's member: %d", res.StatusCode)
	}
	if res, _ := b.post("/matches/decline", url.Values{"applicant": {rosa.ID}, "member": {amparo.NewID()}, "reason": {"x"}}); res.StatusCode != http.StatusNotFound {
		t.Fatalf("decline for a made-up member: %d", res.StatusCode)
	}
	// The conflict check's hit stops the acceptance until it is reviewed.
	res, body := b.post("/matches/accept", accept)
	if res.StatusCode != http.StatusConflict || !strings.Contains(body, `href="#cleared-`+rosa.ID+`"`) ||
		!strings.Contains(body, "PRUEBA, Rosa Ejemplo") || !strings.Contains(body, `id="cleared-`+rosa.ID+`" name="conflicts_cleared"`) {
		t.Fatalf("accept with an unreviewed conflict: %d\n%s", res.StatusCode, body)
	}
	if _, n, _ := w.db.FindClients(intakeCtx, amparo.ClientFilter{}); n != 0 {
		t.Fatalf("%d clients before the conflict was cleared", n)
	}
	if !strings.Contains(body, `href="/matches?lang=es"`) {
		t.Errorf("the language link of the answer to a POST does not lead to the matches page:\n%s", body)
	}
	accept.Set("conflicts_cleared", "on")
	res, _ = b.post("/matches/accept", accept)
	loc := res.Header.Get("Location")
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/letters/") {
		t.Fatalf("accept: %d to %q", res.StatusCode, loc)
	}
	c, err := w.db.FindApplicantClient(intakeCtx, rosa.ID)
	if err != nil {
		t.Fatal(err)
	}
	if c.LegalName != "Rosa Ejemplo Prueba" || c.Phone != "+1 213 555 0123" || c.BirthDate != rosa.BirthDate || !c.Detained ||
		len(c.Consents) != 1 || c.Consents[0].RecordedBy != "public" {
		t.Fatalf("the client is not the applicant: %+v", c.Personal)
	}
	l, err := w.db.FindLetterByID(intakeCtx, strings.TrimPrefix(loc, "/letters/"))
	if err != nil || l.Status != amparo.LetterDraft || l.ClientID != c.ID || l.MemberID != m.ID {
		t.Fatalf("the draft: %+v %v", l, err)
	}
	events, _ := w.db.FindApplicantEvents(intakeCtx, rosa.ID)
	if len(events) != 1 || events[0].Status != amparo.ApplicantMatched || !strings.Contains(events[0].Reason, "conflict check: 1 possible conflicts reviewed and cleared") {
		t.Fatalf("the history does not say the conflict check ran: %+v", events)
	}
	if _, draft := b.get(loc); !strings.Contains(draft, "Rosa Ejemplo Prueba") {
		t.Errorf("the draft page does not name the client:\n%s", draft)
	}
	// A double submit leads to the same draft, and makes nothing new.
	if res, _ := b.post("/matches/accept", accept); res.Header.Get("Location") != loc {
		t.Fatalf("accepting again: %d to %q, want %s", res.StatusCode, res.Header.Get("Location"), loc)
	}
	if _, n, _ := w.db.FindClients(intakeCtx, amparo.ClientFilter{}); n != 1 {
		t.Fatalf("%d clients after a double submit", n)
	}
	if ls, _, _ := w.db.FindLetters(intakeCtx, amparo.LetterFilter{ClientID: c.ID}); len(ls) != 1 {
		t.Fatalf("%d letters after a double submit", len(ls))
	}

	// A one-word name is accepted only once someone confirms it.
	_, body = b.get("/matches")
	if !strings.Contains(body, `id="single-`+joy.ID+`" name="single_name"`) {
		t.Fatalf("no single-name checkbox for a one-word name:\n%s", body)
	}
	res, body = b.post("/matches/accept", url.Values{"applicant": {joy.ID}, "member": {m.ID}})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `href="#single-`+joy.ID+`"`) || !strings.Contains(body, "legal name is one word") {
		t.Fatalf("one-word name accepted unconfirmed: %d\n%s", res.StatusCode, body)
	}
	if res, _ := b.post("/matches/accept", url.Values{"applicant": {joy.ID}, "member": {m.ID}, "single_name": {"on"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("accept a confirmed single name: %d", res.StatusCode)
	}
	if c, err := w.db.FindApplicantClient(intakeCtx, joy.ID); err != nil || !c.SingleName || c.LegalName != "Joy" {
		t.Fatalf("single-name client %+v %v", c, err)
	}
}

// TestMatchesPage_Paged: the proposal shows 10 matches a page, as many
// people waiting, each list saying which of how many it shows, and a form
// on a later page brings the reader back to it.
func TestMatchesPage_Paged(t *testing.T) {
	t.Parallel()
	w := newAccountWorld(t)
	m := &amparo.Member{OrganizationID: w.org.ID, Name: "Lic. Tomás Ficticio", Kind: amparo.MemberAttorney, BarJurisdiction: "CA",
		BarNumber: "900001", Languages: []string{"es"}, CaseCapacity: 25, PublicPhone: "+1 213 555 0142"}
	if err := w.db.CreateMember(system, m); err != nil {
		t.Fatal(err)
	}
	intakeCtx := amparo.NewContextWithActor(t.Context(), amparo.Actor{ID: "i", Role: amparo.RoleIntake, OrganizationID: w.org.ID})
	var as []*amparo.Applicant
	for i := range 26 {
		name := fmt.Sprintf("Persona Ejemplo %s", namestest.MadeUpSurname(i))
		as = append(as, &amparo.Applicant{Key: name, Facts: amparo.Facts{Personal: amparo.Personal{LegalName: name, Language: "es", Situation: amparo.SituationOther}}})
	}
	if _, err := w.db.CreateApplicants(intakeCtx, as); err != nil {
		t.Fatal(err)
	}
	b := w.signedInAs(t, amparo.RoleMember, w.org.ID)
	_, body := b.get("/matches")
	if n := strings.Count(body, `<section class="match"`); n != 10 || !strings.Contains(body, "25 people can be matched now; 1 wait.") ||
		!strings.Contains(body, `href="/matches?page=2" rel="next"`) || strings.Contains(body, `rel="prev"`) ||
		!strings.Contains(body, "Still waiting") || strings.Contains(body, `name="page"`) ||
		!strings.Contains(body, "Matches 1 to 10 of 25.") || !strings.Contains(body, "People waiting 1 to 1 of 1.") {
		t.Fatalf("page 1: %d matches\n%s", n, body)
	}
	_, body = b.get("/matches?page=2")
	if n := strings.Count(body, `<section class="match"`); n != 10 || !strings.Contains(body, `href="/matches" rel="prev"`) ||
		!strings.Contains(body, `href="/matches?page=3" rel="next"`) || strings.Contains(body, "Still waiting") ||
		!strings.Contains(body, "Matches 11 to 20 of 25.") || strings.Contains(body, "People waiting") {
		t.Fatalf("page 2: %d matches\n%s", n, body)
	}
	if _, last := b.get("/matches?page=3"); strings.Count(last, `<section class="match"`) != 5 || !strings.Contains(last, `href="/matches?page=2" rel="prev"`) ||
		strings.Contains(last, `rel="next"`) || !strings.Contains(last, "Matches 21 to 25 of 25.") {
		t.Fatalf("page 3:\n%s", last)
	}
	// Its forms say their page: an error, and a decline, come back to it.
	sec := strings.Split(body, `<section class="match"`)[1]
	ids := regexp.MustCompile(`name="applicant" value="([0-9a-f]+)"><input type="hidden" name="member" value="([0-9a-f]+)"><input type="hidden" name="page" value="2">`).FindStringSubmatch(sec)
	if ids == nil {
		t.Fatalf("no form of page 2:\n%s", sec)
	}
	decline := url.Values{"applicant": {ids[1]}, "member": {ids[2]}, "page": {"2"}}
	if res, body := b.post("/matches/decline", decline); res.StatusCode != http.StatusUnprocessableEntity ||
		strings.Count(body, `<section class="match"`) != 10 || !strings.Contains(body, `href="#reason-`+ids[1]+`"`) {
		t.Fatalf("decline without a reason on page 2: %d\n%s", res.StatusCode, body)
	}
	decline.Set("reason", "Conflicto de intereses")
	if res, _ := b.post("/matches/decline", decline); res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/matches?page=2" {
		t.Fatalf("decline on page 2: %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
}

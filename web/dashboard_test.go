package web_test

import (
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"html"
	"io"
	"math/rand/v2"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/demo"
	"github.com/amparo-project/amparo/internal/storetest"
)

// dashboardWorld is an organization with known work: 4 new intakes; 3
// drafts, 2 of them sent for approval (one to Tomás, the member who signs
// in); 2 active letters, one expiring within 30 days (Tomás's); and a
// second, idle organization.
type dashboardWorld struct {
	*accountWorld
	tomas, ana *amparo.Member
	other      *amparo.Organization
}

func newDashboardWorld(t *testing.T) *dashboardWorld {
	t.Helper()
	w := &dashboardWorld{accountWorld: matrixWorld(t)}
	w.tomas = w.withKeys(t)
	w.ana = &amparo.Member{OrganizationID: w.org.ID, Name: "Lic. Ana Ejemplo", Kind: amparo.MemberAttorney, BarJurisdiction: "CA",
		BarNumber: "900002", Languages: []string{"es", "en"}, PublicPhone: "+1 213 555 0143", CaseCapacity: 5}
	if err := w.db.CreateMember(system, w.ana); err != nil {
		t.Fatal(err)
	}
	w.other = &amparo.Organization{Name: "Abogados Ficticios", Kind: amparo.OrgLawFirm, Languages: []string{"en"}}
	if err := w.db.CreateOrganization(system, w.other); err != nil {
		t.Fatal(err)
	}
	staff := amparo.NewContextWithActor(context.Background(), amparo.Actor{ID: "i", Role: amparo.RoleIntake, OrganizationID: w.org.ID})
	tomasCtx := storetest.SignerFor(t, w.db, w.tomas)
	anaCtx := storetest.SignerFor(t, w.db, w.ana)
	setValidity := func(days int) {
		p, err := w.db.FindProgram(system)
		if err != nil {
			t.Fatal(err)
		}
		p.LetterValidityDays = days
		if err := w.db.UpdateProgram(system, p); err != nil {
			t.Fatal(err)
		}
	}
	letter := func(m *amparo.Member) *amparo.Letter {
		c := storetest.MustCreateClient(t, staff, w.db, &amparo.Client{OrganizationID: w.org.ID})
		l := &amparo.Letter{ClientID: c.ID, MemberID: m.ID, OrganizationID: w.org.ID}
		if err := w.db.CreateLetter(staff, l); err != nil {
			t.Fatal(err)
		}
		return l
	}
	letter(w.tomas)
	for _, m := range []*amparo.Member{w.tomas, w.ana} {
		if _, err := w.db.SubmitLetter(staff, letter(m).ID); err != nil {
			t.Fatal(err)
		}
	}
	setValidity(20)
	if _, err := w.db.IssueLetter(tomasCtx, letter(w.tomas).ID); err != nil {
		t.Fatal(err)
	}
	setValidity(365)
	if _, err := w.db.IssueLetter(anaCtx, letter(w.ana).ID); err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(12, 12))
	var as []*amparo.Applicant
	for i := range 4 {
		as = append(as, &amparo.Applicant{OrganizationID: w.org.ID, Key: fmt.Sprintf("dash-%d", i),
			Facts: amparo.Facts{Personal: demo.Client(r, w.org.ID, "es", time.Now()).Personal}})
	}
	if _, err := w.db.CreateApplicants(staff, as); err != nil {
		t.Fatal(err)
	}
	return w
}

// counts are a dashboard's counts, by the link they lead to.
func counts(t *testing.T, body string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, m := range regexp.MustCompile(`<li><a id="count-[a-z]+" href="([^"]+)">([^<]*)</a></li>`).FindAllStringSubmatch(body, -1) {
		out[html.UnescapeString(m[1])] = m[2]
	}
	return out
}

// TestDashboard_CountsByRole: each role's dashboard counts its own work,
// each count a link to the list it counts.
func TestDashboard_CountsByRole(t *testing.T) {
	t.Parallel()
	w := newDashboardWorld(t)
	staff := map[string]string{
		"/applicants?status=new": "4 new intakes to review",
		"/letters?expiring=30":   "1 letter expiring within 30 days",
		"/letters?status=draft":  "3 draft letters",
		"/queue":                 "4 people waiting in line",
		"/letters?status=active": "2 active letters",
	}
	for _, role := range []amparo.Role{amparo.RoleIntake, amparo.RoleOrgAdmin} {
		_, body := w.signedInAs(t, role, w.org.ID).get("/dashboard")
		got := counts(t, body)
		for link, want := range staff {
			if got[link] != want {
				t.Errorf("%s: %s says %q, want %q", role, link, got[link], want)
			}
		}
		if _, ok := got["/letters?awaiting=1"]; ok {
			t.Errorf("%s: letters awaiting approval, with no member record", role)
		}
		if !strings.HasSuffix(got["/matches"], "matches proposed") && !strings.HasSuffix(got["/matches"], "match proposed") {
			t.Errorf("%s: no count of proposed matches: %q", role, got["/matches"])
		}
		if strings.Contains(body, "chart-svg") || strings.Contains(body, `id="no-tools"`) {
			t.Errorf("%s: the program's charts or the no-tools text", role)
		}
	}

	// Tomás counts his own letters: a draft of his not sent, one sent to
	// him, his active letter, expiring.
	b := w.memberSignedIn(t, w.tomas)
	_, body := b.get("/dashboard")
	got := counts(t, body)
	for link, want := range map[string]string{
		"/letters?awaiting=1":    "1 letter waiting for your approval",
		"/letters?status=draft":  "2 draft letters",
		"/letters?status=active": "1 active letter",
		"/letters?expiring=30":   "1 letter expiring within 30 days",
		"/applicants?status=new": "4 new intakes to review",
	} {
		if got[link] != want {
			t.Errorf("member: %s says %q, want %q", link, got[link], want)
		}
	}
	// The proposed matches counted are those /matches proposes.
	_, matches := b.get("/matches")
	n := strings.Count(matches, `<section class="match"`)
	if want := fmt.Sprintf("%d match", n); n == 0 || !strings.HasPrefix(got["/matches"], want) {
		t.Errorf("dashboard says %q, /matches proposes %d", got["/matches"], n)
	}
	// In Spanish, in Spanish.
	_, body = b.get("/dashboard?lang=es")
	if got := counts(t, body); got["/letters?awaiting=1"] != "1 carta espera su aprobación" || got["/letters?status=draft"] != "2 cartas en borrador" {
		t.Errorf("in Spanish: %q", got)
	}

	// Roles whose pages are to come are told so, and promised nothing.
	for _, role := range []amparo.Role{amparo.RoleFundOfficer} {
		_, body := w.signedInAs(t, role, "").get("/dashboard")
		if !strings.Contains(body, `<p id="no-tools">Amparo has no pages for your role`) || !strings.Contains(body, `<a href="/account">`) ||
			strings.Contains(body, "set up") || len(counts(t, body)) != 0 || strings.Contains(body, "chart-svg") {
			t.Errorf("%s: dashboard\n%s", role, body)
		}
	}
	// Procurement officers belong to an organization and screen its vendors.
	if _, body := w.signedInAs(t, amparo.RoleProcurement, w.org.ID).get("/dashboard"); !strings.Contains(body, `<a href="/vendors" id="dashboard-vendors">`) {
		t.Errorf("procurement: dashboard\n%s", body)
	}
	// Organizers belong to an organization and schedule its workshops.
	if _, body := w.signedInAs(t, amparo.RoleOrganizer, w.org.ID).get("/dashboard"); !strings.Contains(body, `<a href="/workshops" id="dashboard-workshops">`) {
		t.Errorf("organizer: dashboard\n%s", body)
	}
	_, body = w.signedInAs(t, amparo.RoleAuditor, "").get("/dashboard")
	if !strings.Contains(body, `<a href="/audit">`) || len(counts(t, body)) != 0 || strings.Contains(body, "chart-svg") {
		t.Errorf("auditor: dashboard\n%s", body)
	}
	// The tools are in the header now; signing out everywhere stays here
	// until the account page has it.
	if strings.Contains(body, `class="tools"`) || !strings.Contains(body, `action="/signout/everywhere"`) {
		t.Error("the old tool links, or no way to sign out everywhere")
	}
}

// TestDashboard_ProgramCharts: the program office sees letters against
// capacity, per organization, the line by tier and intakes by week, each
// chart well-formed SVG whose numbers are those of its table.
func TestDashboard_ProgramCharts(t *testing.T) {
	t.Parallel()
	w := newDashboardWorld(t)
	b := w.signedInAs(t, amparo.RoleProgramAdmin, "")
	res, body := b.get("/dashboard")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("dashboard: %d", res.StatusCode)
	}
	if !strings.Contains(body, `<p id="capacity-summary">2 of 500 letters used; 498 left.</p>`) {
		t.Errorf("capacity summary missing\n%s", body)
	}
	if len(counts(t, body)) != 0 {
		t.Error("the program office is shown an organization's work")
	}
	want := map[string][][2]string{
		"capacity":      {{"Active letters", "2"}, {"Matched, no letter yet", "0"}, {"Left", "498"}},
		"organizations": {{"Abogados Ficticios", "0"}, {w.org.Name, "2"}},
	}
	for _, id := range []string{"capacity", "organizations", "tiers", "weeks"} {
		svg := svgText(t, body, "chart-"+id)
		table := tableRows(t, body, "table-"+id)
		if len(svg) != len(table) || len(svg) == 0 {
			t.Fatalf("%s: chart %v, table %v", id, svg, table)
		}
		for i := range svg {
			// The table names a row whole; the chart may cut it short.
			label := strings.TrimSuffix(svg[i][0], "…")
			if !strings.HasPrefix(table[i][0], label) || table[i][1] != svg[i][1] {
				t.Errorf("%s row %d: chart %v, table %v", id, i, svg[i], table[i])
			}
		}
		if wantRows, ok := want[id]; ok && fmt.Sprint(svg) != fmt.Sprint(wantRows) {
			t.Errorf("%s: %v, want %v", id, svg, wantRows)
		}
		switch id {
		case "tiers":
			if sum(table) != 4 {
				t.Errorf("tiers: %v, want 4 people", table)
			}
		case "weeks":
			if len(table) != 12 || table[11][1] != "4" || sum(table) != 4 {
				t.Errorf("weeks: %v, want 12 weeks, the last with 4 intakes", table)
			}
		}
	}
	if !strings.Contains(body, `<a href="/organizations/`+w.org.ID+`">`) {
		t.Error("an organization's row does not link to it")
	}
	// In Spanish: its titles and numbers.
	_, body = b.get("/dashboard?lang=es")
	if !strings.Contains(body, `<title id="chart-capacity-title">Cartas frente a la capacidad del programa</title>`) ||
		!strings.Contains(body, "2 de 500 cartas usadas; quedan 498.") {
		t.Error("the charts are not in Spanish")
	}
}

func sum(rows [][2]string) int {
	n := 0
	for _, r := range rows {
		var v int
		fmt.Sscan(strings.NewReplacer(",", "", ".", "").Replace(r[1]), &v)
		n += v
	}
	return n
}

// svgText parses the SVG of id in body as XML (failing if it is not
// well-formed, or not an image with a title) and returns its bars' label
// and value texts.
func svgText(t *testing.T, body, id string) [][2]string {
	t.Helper()
	start := strings.Index(body, `<svg xmlns="http://www.w3.org/2000/svg" id="`+id+`"`)
	if start < 0 {
		t.Fatalf("no chart %s", id)
	}
	end := strings.Index(body[start:], "</svg>")
	d := xml.NewDecoder(strings.NewReader(body[start : start+end+len("</svg>")]))
	var texts []string
	var role, title string
	inTitle := false
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("%s is not well-formed XML: %v", id, err)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			for _, a := range tok.Attr {
				if tok.Name.Local == "svg" && a.Name.Local == "role" {
					role = a.Value
				}
			}
			inTitle = tok.Name.Local == "title"
		case xml.EndElement:
			inTitle = false
		case xml.CharData:
			if inTitle {
				title = string(tok)
			} else if s := strings.TrimSpace(string(tok)); s != "" {
				texts = append(texts, s)
			}
		}
	}
	if role != "img" || title == "" {
		t.Errorf("%s: role %q, title %q", id, role, title)
	}
	var out [][2]string
	for i := 0; i+1 < len(texts); i += 2 {
		out = append(out, [2]string{texts[i], texts[i+1]})
	}
	return out
}

// tableRows returns the first two cells of each body row of the table
// of id, as text; the table must have a caption.
func tableRows(t *testing.T, body, id string) [][2]string {
	t.Helper()
	start := strings.Index(body, `<table id="`+id+`"`)
	if start < 0 {
		t.Fatalf("no table %s", id)
	}
	table := body[start:]
	table = table[:strings.Index(table, "</table>")]
	if !strings.Contains(table, "<caption>") {
		t.Errorf("%s has no caption", id)
	}
	tbody := table[strings.Index(table, "<tbody>"):]
	tag := regexp.MustCompile(`<[^>]+>`)
	var out [][2]string
	for _, row := range regexp.MustCompile(`<tr>(.*?)</tr>`).FindAllStringSubmatch(tbody, -1) {
		cells := regexp.MustCompile(`<t[hd][^>]*>(.*?)</t[hd]>`).FindAllStringSubmatch(row[1], -1)
		if len(cells) < 2 {
			t.Fatalf("%s: row %q", id, row[1])
		}
		out = append(out, [2]string{html.UnescapeString(tag.ReplaceAllString(cells[0][1], "")), tag.ReplaceAllString(cells[1][1], "")})
	}
	return out
}

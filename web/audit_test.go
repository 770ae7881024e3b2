package web_test

import (
	"encoding/csv"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/internal/storetest"
	"github.com/amparo-project/amparo/sqldb"
)

// seedAuditViews makes n client.view events: a member of orgID opens a
// client's record n times. It returns the client.
func seedAuditViews(tb testing.TB, db *sqldb.DB, orgID string, n int) *amparo.Client {
	tb.Helper()
	c := storetest.MustCreateClient(tb, system, db, &amparo.Client{OrganizationID: orgID,
		Personal: amparo.Personal{LegalName: "Rosa Ejemplo Ficticia", Language: "es"}})
	member := amparo.NewContextWithActor(system, amparo.Actor{ID: "member-ejemplo", Role: amparo.RoleMember, OrganizationID: orgID})
	for range n {
		if _, err := db.FindClientByID(member, c.ID); err != nil {
			tb.Fatal(err)
		}
	}
	return c
}

// auditRow matches a row of the audit list: its four cells.
var auditRow = regexp.MustCompile(`<tr><td data-label="[^"]*">([^<]*)</td><td data-label="[^"]*">([^<]*)</td><td data-label="[^"]*">([^<]*)</td><td data-label="[^"]*">(.*?)</td></tr>`)

// TestAuditList: the trail newest first, a page at a time with its count,
// who by name and role, actions in words in the reader's language, the
// record as a link where the reader may open it, filtered by action and
// dates.
func TestAuditList(t *testing.T) {
	t.Parallel()
	w := newAccountWorld(t)
	seedAuditViews(t, w.db, w.org.ID, 60)
	auditor := w.signedInAs(t, amparo.RoleAuditor, "")
	admin := w.signedInAs(t, amparo.RoleProgramAdmin, "")
	_, n, err := w.db.FindAuditEvents(system, amparo.AuditFilter{})
	if err != nil {
		t.Fatal(err)
	}

	res, body := auditor.get("/audit")
	if res.StatusCode != http.StatusOK || !strings.Contains(body, fmt.Sprintf(`id="list-count">1–50 of %d<`, n)) {
		t.Fatalf("the first page: %d\n%s", res.StatusCode, body)
	}
	rows := auditRow.FindAllStringSubmatch(body, -1)
	if len(rows) != 50 {
		t.Fatalf("%d rows on the first page, want 50", len(rows))
	}
	// Newest first: the auditor's own sign-in is the last thing done, and
	// is named by the account's name and role.
	if rows[0][2] != "Cuenta Ejemplo (auditor)" && !strings.Contains(rows[0][2], "Cuenta Ejemplo") {
		t.Errorf("newest row: %q", rows[0])
	}
	if !strings.Contains(body, `<td data-label="Action">Client record opened</td>`) {
		t.Error("actions are not in words")
	}
	if regexp.MustCompile(`>[0-9a-f]{32}<`).MatchString(body) {
		t.Error("the list shows a hex ID")
	}
	_, last := auditor.get(fmt.Sprintf("/audit?page=%d", (n+49)/50))
	if !strings.Contains(last, fmt.Sprintf("–%d of %d<", n, n)) || !strings.Contains(last, "<td data-label=\"Action\">Organization added</td>") {
		t.Errorf("the last page does not end with the first events:\n%s", last)
	}

	// In Spanish, actions and roles in Spanish.
	_, es := auditor.get("/audit?lang=es&action=client.view")
	if !strings.Contains(es, "Expediente del cliente abierto") || strings.Contains(es, "Client record opened") ||
		!strings.Contains(es, `<option value="client.view" selected>Expediente del cliente abierto</option>`) {
		t.Errorf("the Spanish list:\n%s", es)
	}
	if !strings.Contains(es, "1–50 de 60") && !strings.Contains(es, "1–50 of 60") {
		t.Errorf("60 views are not counted:\n%s", es)
	}

	// The record as a link where the reader may open it: the program
	// office opens organizations; an auditor sees the name alone.
	orgLink := fmt.Sprintf(`<a href="/organizations/%s">Centro Legal Ejemplo</a>`, w.org.ID)
	if _, body := admin.get("/audit?lang=en&action=organization.create"); !strings.Contains(body, orgLink) {
		t.Errorf("the program office gets no link to the organization:\n%s", body)
	}
	if _, body := auditor.get("/audit?lang=en&action=organization.create"); strings.Contains(body, orgLink) ||
		!strings.Contains(body, "Centro Legal Ejemplo (Organization)") {
		t.Errorf("the auditor's organization record:\n%s", body)
	}

	// Dates: the days the program's time zone says, both included.
	tomorrow := time.Now().In(time.UTC).AddDate(0, 0, 1).Format(time.DateOnly)
	yesterday := time.Now().In(time.UTC).AddDate(0, 0, -1).Format(time.DateOnly)
	for _, tt := range []struct {
		query string
		want  int
	}{
		{"action=client.view&from=" + yesterday + "&until=" + tomorrow, 60},
		{"action=client.view&until=" + yesterday, 0},
		{"action=client.view&from=" + tomorrow, 0},
		{"action=client.view&from=" + yesterday, 60},
		{"q=cuenta+EJEMPLO&action=account.signin", 2}, // the auditor and the program office, by name in any case
		{"q=nadie", 0},
	} {
		_, body := auditor.get("/audit?lang=en&" + tt.query)
		want := fmt.Sprintf("of %d<", tt.want)
		if tt.want == 0 {
			want = "There are none."
		}
		if !strings.Contains(body, want) {
			t.Errorf("%s: want %q", tt.query, want)
		}
	}
}

// TestAuditList_BadInput: a page past the end or below 1, an unknown
// action or order, dates that are not dates or the wrong way round, and a
// search of megabytes or not text: each a clear answer in the reader's
// language, what was typed kept, never a 500.
func TestAuditList_BadInput(t *testing.T) {
	t.Parallel()
	w := newAccountWorld(t)
	auditor := w.signedInAs(t, amparo.RoleAuditor, "")
	for _, tt := range []struct {
		query  string
		status int
		want   string // in Spanish
	}{
		{"page=0", http.StatusBadRequest, "El número de página"},
		{"page=-3", http.StatusBadRequest, "El número de página"},
		{"page=abc", http.StatusBadRequest, "El número de página"},
		{"page=999", http.StatusNotFound, "999"},
		{"sort=actor_id", http.StatusBadRequest, ""},
		{"action=no.such", http.StatusBadRequest, "Elija una acción de la lista."},
		{"from=ayer", http.StatusBadRequest, "Escriba una fecha válida"},
		{"from=2026-02-30", http.StatusBadRequest, "Escriba una fecha válida"},
		{"from=2026-03-10&until=2026-03-01", http.StatusBadRequest, "posterior a la fecha"},
		{"q=" + strings.Repeat("a", 1<<20), http.StatusBadRequest, "como máximo"},
		{"q=%ff%fe", http.StatusBadRequest, "texto"},
		{"record_id=%ff", http.StatusBadRequest, "texto"},
	} {
		res, body := auditor.get("/audit?lang=es&" + tt.query)
		if res.StatusCode != tt.status || !strings.Contains(body, tt.want) || !strings.Contains(body, `lang="es"`) {
			t.Errorf("%.60s: %d, want %d with %q\n%.3000s", tt.query, res.StatusCode, tt.status, tt.want, body)
		}
	}
	// What was typed stays in the form.
	if _, body := auditor.get("/audit?from=ayer&until=2026-03-01&action=client.view"); !strings.Contains(body, `value="ayer"`) ||
		!strings.Contains(body, `value="2026-03-01"`) || !strings.Contains(body, `<option value="client.view" selected>`) {
		t.Errorf("the typed filter is lost:\n%s", body)
	}
}

// TestAuditExport: the events the filter selects, every page of them, as
// CSV with every cell a spreadsheet would run neutralized; the export
// itself recorded in the trail (whose chain stays whole), and a banner on
// the next page.
func TestAuditExport(t *testing.T) {
	t.Parallel()
	w := newAccountWorld(t)
	for _, name := range []string{"=HYPERLINK(\"http://example.org\") Ejemplo", "+Centro Ejemplo", "-Centro Ejemplo", "@Centro Ejemplo"} {
		if err := w.db.CreateOrganization(system, &amparo.Organization{Name: name, Kind: amparo.OrgNonprofit, Languages: []string{"es"}}); err != nil {
			t.Fatal(err)
		}
	}
	seedAuditViews(t, w.db, w.org.ID, 55)
	auditor := w.signedInAs(t, amparo.RoleAuditor, "")

	res, body := auditor.post("/audit/export", url.Values{"action": {"organization.create"}})
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/csv") ||
		!strings.HasPrefix(res.Header.Get("Content-Disposition"), "attachment;") {
		t.Fatalf("export: %d %v\n%s", res.StatusCode, res.Header, body)
	}
	records, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(body, "\uFEFF"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(records) != 1+5 {
		t.Fatalf("%d rows, want a header and 5 organizations", len(records))
	}
	names := map[string]bool{}
	for _, r := range records[1:] {
		names[r[len(r)-1]] = true
		if r[6] != "organization.create" || r[7] != "Organization added" {
			t.Errorf("row %q", r)
		}
	}
	for _, want := range []string{"'=HYPERLINK(\"http://example.org\") Ejemplo", "'+Centro Ejemplo", "'-Centro Ejemplo", "'@Centro Ejemplo", "Centro Legal Ejemplo"} {
		if !names[want] {
			t.Errorf("no cell %q in %v", want, names)
		}
	}

	// Every page: 55 views, more than a page of 50.
	_, body = auditor.post("/audit/export", url.Values{"action": {"client.view"}})
	if got := strings.Count(body, "client.view,"); got != 55 {
		t.Errorf("%d views exported, want 55", got)
	}

	// Recorded, by the auditor, and the chain holds.
	events, n, err := w.db.FindAuditEvents(system, amparo.AuditFilter{Action: amparo.AuditAuditExport})
	if err != nil || n != 2 || events[0].ActorRole != amparo.RoleAuditor {
		t.Fatalf("%d exports recorded, %v", n, err)
	}
	if _, err := w.db.VerifyAuditChain(system); err != nil {
		t.Fatal(err)
	}
	// The banner, on the next page, in the reader's language.
	if _, body := auditor.get("/audit?action=audit.export"); !strings.Contains(body, `id="banner"`) ||
		!strings.Contains(body, "The audit events were exported as CSV.") || !strings.Contains(body, "of 2<") {
		t.Errorf("no banner after the export:\n%s", body)
	}

	// A filter that does not parse exports nothing, and records nothing.
	if res, _ := auditor.post("/audit/export?lang=es", url.Values{"from": {"ayer"}}); res.StatusCode != http.StatusBadRequest {
		t.Errorf("a bad filter: %d", res.StatusCode)
	}
	if _, n, _ := w.db.FindAuditEvents(system, amparo.AuditFilter{Action: amparo.AuditAuditExport}); n != 2 {
		t.Errorf("%d exports recorded after a refused one, want 2", n)
	}
}

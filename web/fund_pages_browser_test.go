package web_test

import (
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/internal/browsertest"
	"github.com/amparo-project/amparo/internal/storetest"
	"github.com/amparo-project/amparo/locale"
)

// TestBrowser_FundLedgerJourney: in Spanish on a 375-pixel phone, the
// organization's admin submits an invoice that the fund officer approves
// and pays; the fund officer corrects a spending entry (the reversing entry
// shown, the original kept, the cost "reversed"), edits a source's
// restrictions (a refused text comes back with its line, the version in
// force stays), amends a grant with a reason and sets a lock date that a
// later cost hits, named in the error. Every page passes axe.
func TestBrowser_FundLedgerJourney(t *testing.T) {
	t.Parallel()
	w := newAccountWorld(t)
	a := w.org.ID
	src := storetest.MustCreateFundSource(t, w.db)
	g := storetest.MustAwardGrant(t, w.db, src, a, 100_000_00)
	fc := storetest.MustFundCase(t, w.db, g, storetest.EligibleFacts(true), 10_000_00)
	admin := amparo.NewContextWithActor(t.Context(), amparo.Actor{ID: "admin", Role: amparo.RoleOrgAdmin, OrganizationID: a})
	today := time.Now().UTC().Format(time.DateOnly)
	for _, cents := range []int64{800_00, 200_00} {
		k := &amparo.Cost{CaseID: fc.ID, BudgetLine: "fees", Kind: amparo.CostExpense, AmountCents: cents, IncurredOn: amparo.MustDate(today)}
		if err := w.db.RecordCost(admin, k); err != nil {
			t.Fatal(err)
		}
		if _, err := w.db.ApproveCost(admin, k.ID); err != nil {
			t.Fatal(err)
		}
	}
	base := strings.Replace(w.ts.URL, "127.0.0.1", "localhost", 1)
	ctx := browsertest.Start(t, nil, chromedp.EmulateViewport(375, 812))
	ready := readyFor(t, ctx)
	textOf := func(sel string) string {
		t.Helper()
		return eval[string](t, ctx, `(document.querySelector('`+sel+`') || {}).textContent || ''`)
	}
	banner := func(want string) {
		t.Helper()
		if got := waitFor(ctx, `document.readyState == 'complete' ? (document.getElementById('banner') || {}).textContent || '' : ''`, want); !strings.Contains(got, want) {
			t.Fatalf("banner %q, want %q; the page:\n%s", got, want, text(t, ctx))
		}
	}
	officer := setCookie(base, "__Host-session", w.signedInAs(t, amparo.RoleFundOfficer, "").session())
	grantURL := base + "/fund/grants/" + g.ID

	// The organization's admin asks to be reimbursed $1,000.00.
	do(t, ctx, setCookie(base, "__Host-session", w.signedInAs(t, amparo.RoleOrgAdmin, a).session()), chromedp.Navigate(grantURL+"?lang=es"))
	ready("#invoices-link")
	do(t, ctx, chromedp.Click("#invoices-link"))
	ready("#invoice-submit")
	checkAxe(t, ctx, "invoices (es)")
	do(t, ctx, chromedp.SendKeys("#amount", "1,000.00"), chromedp.Click("#invoice-submit"))
	banner("presentada")
	if got := textOf("#invoices .invoice-status"); got != "Presentada" {
		t.Fatalf("invoice status %q", got)
	}

	// The fund officer approves it, then marks it paid.
	do(t, ctx, officer, chromedp.Navigate(grantURL+"/invoices?lang=es"))
	ready("button.invoice-approve")
	do(t, ctx, chromedp.Click("button.invoice-approve"))
	banner("aprobada")
	ready("button.invoice-pay")
	do(t, ctx, chromedp.Click("button.invoice-pay"))
	banner("pagada")
	if got := textOf("#invoices .invoice-status") + " · " + textOf("#grant-paid"); got != "Pagada · $1,000.00" {
		t.Fatalf("after paying: %q", got)
	}
	checkAxe(t, ctx, "invoices paid (es)")

	// The $200.00 spending was billed to the wrong case: the fund officer
	// corrects it. Without a reason, nothing is posted.
	es, err := w.db.FundLedger(storetest.FundOfficer, g.ID)
	if err != nil {
		t.Fatal(err)
	}
	var spend *amparo.LedgerEntry
	for _, e := range es {
		if e.Account == amparo.LedgerSpend && e.AmountCents == 200_00 {
			spend = e
		}
	}
	do(t, ctx, chromedp.Navigate(grantURL+"/ledger?lang=es"))
	ready("#entry-" + spend.ID + " button.correct")
	checkAxe(t, ctx, "ledger (es)")
	sec := "#entry-" + spend.ID
	do(t, ctx, chromedp.Click(sec+" summary"), chromedp.Click(sec+" button.correct"))
	ready("#error-detail")
	if got := textOf("#error-detail"); !strings.Contains(got, "motivo") {
		t.Errorf("a correction without a reason: %q", got)
	}
	if after, _ := w.db.FundLedger(storetest.FundOfficer, g.ID); len(after) != len(es) {
		t.Fatalf("a correction without a reason posted %d entries", len(after)-len(es))
	}
	do(t, ctx, chromedp.Navigate(grantURL+"/ledger?lang=es"))
	ready(sec + " button.correct")
	do(t, ctx, chromedp.Click(sec+" summary"), chromedp.SendKeys(sec+" input[name=reason]", "Cargado al caso equivocado"), chromedp.Click(sec+" button.correct"))
	banner("revierte")
	if got := textOf(sec + " .reversed-by"); !strings.Contains(got, "Revertido por el asiento") {
		t.Errorf("the original entry: %q", got)
	}
	if got := textOf("section.reversal .amount") + " · " + textOf("section.reversal"); !strings.HasPrefix(got, "$-200.00") || !strings.Contains(got, "Cargado al caso equivocado") {
		t.Errorf("the reversing entry: %q", got)
	}
	do(t, ctx, chromedp.Navigate(grantURL+"?lang=es"))
	ready("#case-" + fc.ID + " table")
	if got := textOf("#case-" + fc.ID + " table"); !strings.Contains(got, "Revertido") {
		t.Errorf("the reversed cost: %q", got)
	}

	// The source's restrictions: a text that cannot be read comes back,
	// its line named, and version 1 stays in force.
	do(t, ctx, chromedp.Navigate(base+"/fund/sources/"+src.ID+"?lang=es"))
	ready("#restrict-submit")
	checkAxe(t, ctx, "source (es)")
	bad := storetest.CityRestrictions + "floor detenidos 70 \"mal\"\n"
	do(t, ctx, chromedp.SetValue("#restrictions", bad), chromedp.SendKeys("#reason", "Resolución del concejo"), chromedp.Click("#restrict-submit"))
	ready("#restrictions-error")
	if got := textOf("#restrictions-error"); !strings.Contains(got, "línea 9") {
		t.Errorf("refused restrictions: %q", got)
	}
	if got := eval[string](t, ctx, `document.getElementById('restrictions').value`); got != bad {
		t.Errorf("the refused text is not kept: %q", got)
	}
	if got := textOf("#restrictions-in-force"); !strings.Contains(got, "versión 1") {
		t.Errorf("in force after a refusal: %q", got)
	}
	checkAxe(t, ctx, "source refused (es)")
	good := strings.Replace(storetest.CityRestrictions, "floor detained 70", "floor detained 75", 1)
	do(t, ctx, chromedp.SetValue("#restrictions", good), chromedp.Click("#restrict-submit"))
	banner("versión 2")
	if h, _ := w.db.FundRestrictionsHistory(storetest.FundOfficer, src.ID); len(h) != 2 || h[0].Text != good || h[0].Reason != "Resolución del concejo" {
		t.Errorf("history %d versions, newest %+v", len(h), h[0])
	}

	// The grant's terms: amended with a reason, then locked through today.
	do(t, ctx, chromedp.Navigate(grantURL+"?lang=es"))
	ready("#terms-link")
	do(t, ctx, chromedp.Click("#terms-link"))
	ready("#amend-submit")
	checkAxe(t, ctx, "terms (es)")
	do(t, ctx, chromedp.SetValue("#awarded", "120,000.00"), chromedp.SetValue("#line_travel", "3,000"),
		chromedp.SendKeys("#reason", "Aumento de medio año"), chromedp.Click("#amend-submit"))
	banner("enmendada")
	if got := textOf("#amendments li:first-child"); !strings.Contains(got, "$120,000.00") || !strings.Contains(got, "Aumento de medio año") ||
		!strings.Contains(got, "$3,000.00") {
		t.Errorf("the amendment: %q", got)
	}
	do(t, ctx, chromedp.SetValue("#locked_through", today), chromedp.Click("#lock-submit"))
	banner(today)
	if got := textOf("#locked-through"); !strings.Contains(got, today) {
		t.Errorf("lock: %q", got)
	}

	// A cost dated on the lock date is refused, the date named.
	do(t, ctx, chromedp.Navigate(grantURL+"?lang=es"))
	sec = "#case-" + fc.ID
	ready(sec + " .cost-create")
	do(t, ctx, chromedp.Click(sec+" details:nth-of-type(1) summary"), chromedp.SetValue("#kind-"+fc.ID, "expense"),
		chromedp.SetValue("#line-"+fc.ID, "fees"), chromedp.SendKeys("#amount-"+fc.ID, "50"), chromedp.Click(sec+" .cost-create"))
	ready("#error-detail")
	if got := textOf("#error-detail"); !strings.Contains(got, today) {
		t.Errorf("a cost on the lock date: %q", got)
	}
	// The same pages in English, at 375 px, pass axe.
	for _, page := range []struct{ path, sel string }{{"/fund/grants/" + g.ID + "/invoices", "#invoices"}, {"/fund/grants/" + g.ID + "/ledger", "section.reversal"},
		{"/fund/grants/" + g.ID + "/terms", "#amendments li"}, {"/fund/sources/" + src.ID, "#restrictions-history li"}} {
		do(t, ctx, chromedp.Navigate(base+page.path+"?lang=en"))
		ready(page.sel)
		checkAxe(t, ctx, page.path+" (en)")
		if wide := eval[int](t, ctx, `document.documentElement.scrollWidth`); wide > 375 {
			t.Errorf("%s is %d px wide on a 375-pixel phone", page.path, wide)
		}
	}
	if got := textOf("h1"); got != "City of Ejemplo" {
		t.Errorf("source heading %q", got)
	}
	if strings.Contains(w.log.String(), "Cargado al caso") {
		t.Error("the log holds a correction's reason")
	}
}

// TestFundCSV: a grant's ledger and invoices download as CSV through
// csvexport: a reversing entry's amount stays a number, a reason that
// would start a formula is neutralized, and another organization's grant
// is refused.
func TestFundCSV(t *testing.T) {
	t.Parallel()
	w := newAccountWorld(t)
	a := w.org.ID
	g := storetest.MustAwardGrant(t, w.db, storetest.MustCreateFundSource(t, w.db), a, 10_000_00)
	fc := storetest.MustFundCase(t, w.db, g, storetest.EligibleFacts(false), 1_000_00)
	admin := amparo.NewContextWithActor(t.Context(), amparo.Actor{ID: "admin", Role: amparo.RoleOrgAdmin, OrganizationID: a})
	es, _ := w.db.FundLedger(storetest.FundOfficer, g.ID)
	if _, err := w.db.CorrectLedgerEntry(storetest.FundOfficer, es[1].ID, "=HYPERLINK(\"http://example.com\")"); err != nil {
		t.Fatal(err)
	}
	fc = storetest.MustFundCase(t, w.db, g, storetest.EligibleFacts(false), 1_000_00)
	k := &amparo.Cost{CaseID: fc.ID, BudgetLine: "fees", Kind: amparo.CostExpense, AmountCents: 250_50, IncurredOn: amparo.Date{Time: time.Now().UTC()}}
	if err := w.db.RecordCost(admin, k); err != nil {
		t.Fatal(err)
	}
	if _, err := w.db.ApproveCost(admin, k.ID); err != nil {
		t.Fatal(err)
	}
	if err := w.db.SubmitInvoice(admin, &amparo.Invoice{GrantID: g.ID, Period: amparo.QuarterOf(amparo.Date{Time: time.Now().UTC()}), AmountCents: 250_50}); err != nil {
		t.Fatal(err)
	}
	b := w.signedInAs(t, amparo.RoleOrgAdmin, a)
	res, body := b.get("/fund/grants/" + g.ID + "/ledger.csv")
	if res.StatusCode != 200 || res.Header.Get("Content-Type") != "text/csv; charset=utf-8" || !strings.HasPrefix(res.Header.Get("Content-Disposition"), "attachment;") {
		t.Fatalf("%d %v", res.StatusCode, res.Header)
	}
	if !strings.Contains(body, ",commit,-1000.00,") || !strings.Contains(body, `"'=HYPERLINK(""http://example.com"")"`) || strings.Count(body, "\r\n") != 6 {
		t.Errorf("ledger CSV:\n%s", body)
	}
	res, body = b.get("/fund/grants/" + g.ID + "/invoices.csv")
	if res.StatusCode != 200 || !strings.Contains(body, "id,grant_id,organization_id,period,amount,status") || !strings.Contains(body, ",250.50,submitted,") {
		t.Errorf("invoices CSV %d:\n%s", res.StatusCode, body)
	}
	if res, _ := w.signedInAs(t, amparo.RoleIntake, a).get("/fund/grants/" + g.ID + "/ledger.csv"); res.StatusCode != 403 {
		t.Errorf("intake staff's ledger: %d", res.StatusCode)
	}
}

// TestFundPage_NothingSpent: a source that spent nothing in the period
// reads "Nothing spent yet" on each of its rules, not "Met"; once it
// spends, its rules are met or not.
func TestFundPage_NothingSpent(t *testing.T) {
	t.Parallel()
	w := newAccountWorld(t)
	g := storetest.MustAwardGrant(t, w.db, storetest.MustCreateFundSource(t, w.db), w.org.ID, 10_000_00)
	b := w.signedInAs(t, amparo.RoleFundOfficer, "")
	cells := func() []string {
		t.Helper()
		_, body := b.get("/fund?lang=es")
		var out []string
		for _, m := range regexp.MustCompile(`<td data-label="Cumplida">(?:<strong[^>]*>)?([^<]+)`).FindAllStringSubmatch(body, -1) {
			out = append(out, m[1])
		}
		return out
	}
	if got := cells(); len(got) == 0 || slices.ContainsFunc(got, func(s string) bool { return s != "Aún no se ha gastado nada" }) {
		t.Fatalf("nothing spent: %q", got)
	}
	fc := storetest.MustFundCase(t, w.db, g, storetest.EligibleFacts(false), 1_000_00)
	admin := amparo.NewContextWithActor(t.Context(), amparo.Actor{ID: "admin", Role: amparo.RoleOrgAdmin, OrganizationID: w.org.ID})
	k := &amparo.Cost{CaseID: fc.ID, BudgetLine: "fees", Kind: amparo.CostExpense, AmountCents: 250_50, IncurredOn: amparo.Date{Time: time.Now().UTC()}}
	if err := w.db.RecordCost(admin, k); err != nil {
		t.Fatal(err)
	}
	if _, err := w.db.ApproveCost(admin, k.ID); err != nil {
		t.Fatal(err)
	}
	if got := cells(); len(got) == 0 || slices.Contains(got, "Aún no se ha gastado nada") {
		t.Fatalf("spent: %q", got)
	}
}

// TestBrowser_FundFromClientPage: an organization's admin, in Spanish on a
// phone, funds a client's case from the client's page: the page links to
// the funding form of each grant the case may go under (not a closed one),
// the form shows the record's facts, and the case is recorded for that
// client. An applicant's page links the same way; intake staff, who do not
// record the fund's cases, see no link.
func TestBrowser_FundFromClientPage(t *testing.T) {
	t.Parallel()
	w := newAccountWorld(t)
	a := w.org.ID
	src := storetest.MustCreateFundSource(t, w.db)
	g := storetest.MustAwardGrant(t, w.db, src, a, 100_000_00)
	closed := storetest.MustAwardGrant(t, w.db, src, a, 1_000_00)
	for _, st := range []amparo.GrantStatus{amparo.GrantActive, amparo.GrantClosing} {
		if _, err := w.db.SetGrantStatus(storetest.FundOfficer, closed.ID, st, "Fin del periodo"); err != nil {
			t.Fatal(err)
		}
	}
	c := &amparo.Client{OrganizationID: a, Personal: amparo.Personal{LegalName: "Rosaura Ejemplo Fondo", Language: "es", Detained: true, FacingRemoval: true,
		Address: amparo.Address{City: "Ciudad Ejemplo", Region: "CA"}}}
	if err := w.db.CreateClient(system, c); err != nil {
		t.Fatal(err)
	}
	base := strings.Replace(w.ts.URL, "127.0.0.1", "localhost", 1)
	ctx := browsertest.Start(t, nil, chromedp.EmulateViewport(375, 812))
	ready := readyFor(t, ctx)
	do(t, ctx, setCookie(base, "__Host-session", w.signedInAs(t, amparo.RoleOrgAdmin, a).session()), chromedp.Navigate(base+"/clients/"+c.ID+"?lang=es"))
	ready("#fund-grants")
	links := eval[[]string](t, ctx, `[...document.querySelectorAll('#fund-grants a')].map(a => a.getAttribute('href') + ' ' + a.textContent)`)
	if want := "/fund/grants/" + g.ID + "/cases/new?person=" + c.ID + " Financiar un caso de esta persona con la subvención de " + src.Name; len(links) != 1 || links[0] != want {
		t.Fatalf("the client's funding links %q, want [%q]", links, want)
	}
	checkAxe(t, ctx, "client page with the fund (es)")
	do(t, ctx, chromedp.Click("#fund-grants a"))
	ready("#case-create")
	if got := eval[string](t, ctx, `document.querySelector('#record-facts [data-fact="detained"]').textContent`); got != "Sí" {
		t.Errorf("the record's detention shown as %q", got)
	}
	// The priority group in words, as the queue says it, not its rule's name.
	d, err := w.db.FundCaseFacts(storetest.FundOfficer, g.ID, c.ID, "")
	if err != nil || d.PriorityGroup == "" {
		t.Fatalf("the draft: %+v, %v", d, err)
	}
	cat, err := locale.Load()
	if err != nil {
		t.Fatal(err)
	}
	if got, want := eval[string](t, ctx, `document.getElementById('priority-group').textContent`), cat.T("es", "priority.rule."+d.PriorityGroup)+" (política de prioridades, versión 0)"; got != want {
		t.Errorf("the priority group shown as %q, want %q", got, want)
	}
	// An amount written with a decimal comma: the form comes back as
	// typed, the problem beside the amount, in Spanish.
	do(t, ctx, chromedp.SendKeys("#committed", "15000,50"), chromedp.SendKeys("#court", "Adelanto"), chromedp.SendKeys("#income_fpl", "110"),
		chromedp.Click("#f-resident"), chromedp.Click("#case-create"))
	ready("#committed-error")
	if got := eval[string](t, ctx, `[document.getElementById('committed-error').textContent, document.getElementById('committed').value,
		document.getElementById('court').value, document.getElementById('income_fpl').value, String(document.getElementById('f-resident').checked),
		document.getElementById('committed').getAttribute('aria-invalid')].join(' | ')`); got != "«15000,50» no es un monto: escriba dólares con dos decimales como máximo, por ejemplo 1,234.56. | 15000,50 | Adelanto | 110 | true | true" {
		t.Fatalf("the form after a bad amount: %q", got)
	}
	checkAxe(t, ctx, "funding form with a problem (es)")
	eval[string](t, ctx, `document.getElementById('committed').value = '15000'`)
	do(t, ctx, chromedp.Click("#case-create"))
	ready("section.case")
	cases, err := w.db.FindFundedCases(system, g.ID)
	if err != nil || len(cases) != 1 || cases[0].ClientID != c.ID || !cases[0].Detained || cases[0].CommittedCents != 15_000_00 {
		t.Fatalf("the funded cases: %+v, %v", cases, err)
	}

	// An applicant's page links the same way; intake staff see no link.
	ap := &amparo.Applicant{Key: "fondo-solicitante", Facts: amparo.Facts{Personal: amparo.Personal{LegalName: "Aurelio Ejemplo Solicitante", Language: "es", Situation: amparo.SituationOther}}}
	if _, err := w.db.CreateApplicants(amparo.NewContextWithActor(t.Context(), amparo.Actor{ID: "intake", Role: amparo.RoleIntake, OrganizationID: a}), []*amparo.Applicant{ap}); err != nil {
		t.Fatal(err)
	}
	do(t, ctx, chromedp.Navigate(base+"/applicants/"+ap.ID+"?lang=es"))
	ready("#fund-grants")
	if got := eval[string](t, ctx, `document.querySelector('#fund-grants a').getAttribute('href')`); got != "/fund/grants/"+g.ID+"/cases/new?person="+ap.ID {
		t.Errorf("the applicant's funding link %q", got)
	}
	b := w.signedInAs(t, amparo.RoleIntake, a)
	if _, body := b.get("/applicants/" + ap.ID); strings.Contains(body, "fund-grants") {
		t.Error("intake staff see the fund's links")
	}
}

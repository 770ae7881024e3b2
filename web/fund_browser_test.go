package web_test

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/internal/browsertest"
	"github.com/amparo-project/amparo/internal/storetest"
)

// TestBrowser_FundJourney: on a 375-pixel phone, the fund officer records
// a grant, awards it, funds a detained client's case, records its cost
// and an outcome; the organization's admin approves the cost; the
// compliance page's detained share moves from 0 % to 50 %. The pages
// pass axe in English and Spanish.
func TestBrowser_FundJourney(t *testing.T) {
	t.Parallel()
	w := newAccountWorld(t)
	a := w.org.ID
	src := storetest.MustCreateFundSource(t, w.db)
	// Spending already posted this quarter, on a client not in detention.
	g0 := storetest.MustAwardGrant(t, w.db, src, a, 100_000_00)
	free := storetest.MustFundCase(t, w.db, g0, storetest.EligibleFacts(false), 10_000_00)
	admin := amparo.NewContextWithActor(t.Context(), amparo.Actor{ID: "admin", Role: amparo.RoleOrgAdmin, OrganizationID: a})
	today := time.Now().UTC().Format(time.DateOnly)
	k0 := &amparo.Cost{CaseID: free.ID, BudgetLine: "fees", Kind: amparo.CostExpense, AmountCents: 500_00, IncurredOn: amparo.MustDate(today)}
	if err := w.db.RecordCost(admin, k0); err != nil {
		t.Fatal(err)
	}
	if _, err := w.db.ApproveCost(admin, k0.ID); err != nil {
		t.Fatal(err)
	}
	// The client's record says detained and facing removal: the funding
	// form reads it, shows it, and does not ask.
	c := &amparo.Client{OrganizationID: a, Personal: amparo.Personal{LegalName: "Rosaura Ejemplo Fondo", Language: "es", Detained: true, FacingRemoval: true,
		Address: amparo.Address{City: "Ciudad Ejemplo", Region: "CA"}}}
	if err := w.db.CreateClient(system, c); err != nil {
		t.Fatal(err)
	}
	base := strings.Replace(w.ts.URL, "127.0.0.1", "localhost", 1)
	ctx := browsertest.Start(t, nil, chromedp.EmulateViewport(375, 812))
	ready := readyFor(t, ctx)
	share := func() string {
		return eval[string](t, ctx, `document.querySelector('#compliance tr[data-target="detained"] .share').textContent`)
	}

	do(t, ctx, setCookie(base, "__Host-session", w.signedInAs(t, amparo.RoleFundOfficer, "").session()),
		chromedp.Navigate(base+"/fund?lang=en"))
	ready("#compliance")
	if got := share(); got != "0.0 %" {
		t.Fatalf("detained share before: %q", got)
	}
	checkAxe(t, ctx, "/fund (en)")

	// The grant.
	do(t, ctx, chromedp.SetValue("#organization_id", a), chromedp.SendKeys("#awarded", "100,000.00"),
		chromedp.SetValue("#period_start", today[:4]+"-01-01"), chromedp.SetValue("#period_end", today[:4]+"-12-31"),
		chromedp.SendKeys("#line_attorney", "50000"), chromedp.SendKeys("#line_fees", "2,500.50"), chromedp.Click("#grant-create"))
	ready("#grant-next")
	do(t, ctx, chromedp.SendKeys("#reason", "Board decision of the month"), chromedp.Click("#grant-next"))
	ready("#new-case")
	if got := eval[string](t, ctx, `document.getElementById('grant-status').textContent`); got != "Awarded" {
		t.Fatalf("grant status %q", got)
	}
	if got, want := eval[string](t, ctx, `document.querySelector('h1').textContent`), "Grant to "+w.org.Name+" from "+src.Name; got != want {
		t.Errorf("the grant page's heading %q, want %q", got, want)
	}
	checkAxe(t, ctx, "grant page (en)")

	// The case, then its cost and its outcome.
	do(t, ctx, chromedp.Click("#new-case summary"), chromedp.SendKeys("#person", c.ID), chromedp.Click("#case-continue"))
	ready("#case-create")
	if got := eval[string](t, ctx, `document.querySelector('#record-facts [data-fact="detained"]').textContent + ' · ' + document.getElementById('residence').textContent`); got != "Yes · Ciudad Ejemplo, CA" {
		t.Errorf("the record's facts shown: %q", got)
	}
	if n := eval[int](t, ctx, `document.querySelectorAll('#f-detained, #f-facing_removal').length`); n != 0 {
		t.Errorf("the form asks again for %d facts the record has", n)
	}
	checkAxe(t, ctx, "case confirmation (en)")
	do(t, ctx, chromedp.SendKeys("#committed", "20000"),
		chromedp.SendKeys("#court", "Adelanto"), chromedp.SendKeys("#income_fpl", "110"), chromedp.Click("#f-resident"), chromedp.Click("#case-create"))
	ready("section.case")
	cases, err := w.db.FindFundedCases(system, "")
	if err != nil || len(cases) != 2 {
		t.Fatalf("%d cases, %v", len(cases), err)
	}
	held := cases[0]
	if held.ID == free.ID {
		held = cases[1]
	}
	if !held.Detained || held.Snapshot.Facts.IncomeFPLPercent != 110 {
		t.Fatalf("the case: %+v", held)
	}
	sec := "#case-" + held.ID
	do(t, ctx, chromedp.Click(sec+" details:nth-of-type(1) summary"), chromedp.SetValue("#kind-"+held.ID, "expense"),
		chromedp.SetValue("#line-"+held.ID, "fees"), chromedp.SendKeys("#amount-"+held.ID, "500"), chromedp.Click(sec+" .cost-create"))
	ready(sec + " table")
	do(t, ctx, chromedp.Click(sec+" details:nth-of-type(2) summary"), chromedp.SetValue("#okind-"+held.ID, "relief_granted"),
		chromedp.SetValue("#relief-"+held.ID, "asylum"), chromedp.Click(sec+" .outcome-create"))
	ready(sec + " .outcomes")
	if got := eval[string](t, ctx, `document.querySelector('`+sec+` .outcomes').textContent`); !strings.Contains(got, "Relief granted (Asylum)") {
		t.Errorf("outcomes: %q", got)
	}
	// Recorded, not yet approved: the share has not moved.
	do(t, ctx, chromedp.Navigate(base+"/fund?lang=en"))
	ready("#compliance")
	if got := share(); got != "0.0 %" {
		t.Fatalf("detained share before approval: %q", got)
	}
	// Each grant is named by its organization and its source.
	if got := eval[string](t, ctx, `document.querySelector('#grant-`+held.GrantID+` td').textContent`); got != w.org.Name+" · "+src.Name {
		t.Errorf("the grant's row names it %q", got)
	}

	// The organization's admin approves the cost.
	do(t, ctx, setCookie(base, "__Host-session", w.signedInAs(t, amparo.RoleOrgAdmin, a).session()),
		chromedp.Navigate(base+"/fund/grants/"+held.GrantID+"?lang=es"))
	ready(sec + " button.approve")
	checkAxe(t, ctx, "grant page (es)")
	do(t, ctx, chromedp.Click(sec+" button.approve"))
	if got := waitFor(ctx, `document.readyState == 'complete' ? (document.getElementById('banner') || {}).textContent || '' : ''`, "aprobado"); !strings.Contains(got, "aprobado") {
		t.Fatalf("after approving: %q", got)
	}

	// The fund officer's compliance page: the detained share moved.
	do(t, ctx, setCookie(base, "__Host-session", w.signedInAs(t, amparo.RoleFundOfficer, "").session()),
		chromedp.Navigate(base+"/fund?lang=es"))
	ready("#compliance")
	if got := share(); got != "50.0 %" {
		t.Fatalf("detained share after: %q", got)
	}
	if h := eval[string](t, ctx, `document.querySelector('h1').textContent`); h != "Fondo de defensa" {
		t.Errorf("heading %q", h)
	}
	checkAxe(t, ctx, "/fund (es)")
	if strings.Contains(w.log.String(), "Rosaura") {
		t.Error("the log holds a name")
	}
}

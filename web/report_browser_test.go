package web_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/demo"
	"github.com/amparo-project/amparo/internal/browsertest"
	"github.com/amparo-project/amparo/internal/storetest"
	"github.com/amparo-project/amparo/sqldb"
)

// seedQuarter stores intakes received in May 2025: 60 at the first
// organization, 3 at the second (a small count), 25 at the third; made
// while the store's clock says May 2025, before the server has a visitor.
func seedQuarter(t *testing.T, db *sqldb.DB, orgs ...string) {
	t.Helper()
	old := db.Now
	db.Now = func() time.Time { return time.Date(2025, 5, 12, 10, 0, 0, 0, time.UTC) }
	defer func() { db.Now = old }()
	r := rand.New(rand.NewPCG(25, 2))
	for o, org := range orgs {
		staff := amparo.NewContextWithActor(system, amparo.Actor{ID: "seed", Role: amparo.RoleIntake, OrganizationID: org})
		var as []*amparo.Applicant
		for i := range []int{60, 3, 25}[o] {
			as = append(as, &amparo.Applicant{OrganizationID: org, Key: fmt.Sprintf("rep-%d-%d", o, i),
				Facts: amparo.Facts{Personal: demo.Client(r, org, "es", db.Now()).Personal}})
		}
		if _, err := db.CreateApplicants(staff, as); err != nil {
			t.Fatal(err)
		}
	}
}

// seedFundQuarter awards a grant of $100,000.00 of the city's fund to
// org in May 2025.
func seedFundQuarter(t *testing.T, db *sqldb.DB, org string) {
	t.Helper()
	old := db.Now
	db.Now = func() time.Time { return time.Date(2025, 5, 13, 10, 0, 0, 0, time.UTC) }
	defer func() { db.Now = old }()
	storetest.MustAwardGrant(t, db, storetest.MustCreateFundSource(t, db), org, 100_000_00)
}

// TestBrowser_Reports: the program admin releases 2025-Q2 and, after
// looking at it, approves it; the public dashboard then lists it and
// shows it, in English and Spanish, at 375 px, with axe finding nothing;
// before approval the public sees nothing of it, and no query parameter
// changes a number of it.
func TestBrowser_Reports(t *testing.T) {
	t.Parallel()
	w := matrixWorld(t)
	other := &amparo.Organization{Name: "Abogados Ficticios", Kind: amparo.OrgLawFirm, Languages: []string{"en"}}
	third := &amparo.Organization{Name: "Clínica Inventada", Kind: amparo.OrgLawFirm, Languages: []string{"es"}}
	for _, o := range []*amparo.Organization{other, third} {
		if err := w.db.CreateOrganization(system, o); err != nil {
			t.Fatal(err)
		}
	}
	seedQuarter(t, w.db, w.org.ID, other.ID, third.ID)
	seedFundQuarter(t, w.db, w.org.ID)
	base := strings.Replace(w.ts.URL, "127.0.0.1", "localhost", 1)
	ctx := browsertest.Start(t, nil, chromedp.EmulateViewport(375, 900))
	admin := w.signedInAs(t, amparo.RoleProgramAdmin, "").session()
	session := func(token string) {
		do(t, ctx, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			_, err := cdp.Call(ctx, tg, network.ClearBrowserCookies, cdp.Empty{})
			return err
		}))
		if token != "" {
			do(t, ctx, setCookie(base, "__Host-session", token))
		}
	}
	ready := func(sel string) {
		t.Helper()
		js := "document.readyState == 'complete' && document.querySelector(" + strconv.Quote(sel) + ") ? 'READY' : location.pathname"
		if got := waitFor(ctx, js, "READY"); got != "READY" {
			t.Fatalf("waiting for %s: at %s; the page:\n%s", sel, got, text(t, ctx))
		}
		do(t, ctx, chromedp.WaitVisible(sel))
	}
	narrow := func(where string) {
		t.Helper()
		if wide := eval[int](t, ctx, `document.documentElement.scrollWidth`); wide > 375 {
			t.Errorf("%s is %d pixels wide at 375", where, wide)
		}
		checkAxe(t, ctx, where)
	}

	// The program admin: a period not over is refused, naming it.
	session(admin)
	navigate(t, ctx, base+"/reports/manage?lang=en")
	ready(`#period`)
	narrow("/reports/manage")
	do(t, ctx, chromedp.SendKeys(`#period`, "2999-Q1"), chromedp.Click(`#release`))
	ready(`.error-summary`)
	if got := eval[string](t, ctx, `document.querySelector('.error-summary').innerText`); !strings.Contains(got, "2999-Q1") || !strings.Contains(got, "not over") {
		t.Fatalf("the refusal: %q", got)
	}
	navigate(t, ctx, base+"/reports/manage?lang=en")
	ready(`#period`)
	do(t, ctx, chromedp.SendKeys(`#period`, "2025-Q2"), chromedp.Click(`#release`))
	ready(`#approve-2025-Q2`)

	// The public: nothing yet.
	session("")
	navigate(t, ctx, base+"/reports?lang=en")
	ready(`#no-releases`)
	narrow("/reports (none)")
	navigate(t, ctx, base+"/reports/2025-Q2?lang=en")
	ready(`body`)
	if eval[bool](t, ctx, `!!document.querySelector('#table-intakes')`) {
		t.Fatal("the public sees a release not yet approved")
	}

	// The admin approves it.
	session(admin)
	navigate(t, ctx, base+"/reports/manage?lang=en")
	ready(`#approve-2025-Q2`)
	do(t, ctx, chromedp.Click(`#approve-2025-Q2`))
	ready(`#table-intakes-data`)

	// The public dashboard, in both languages.
	session("")
	var english string
	for _, lang := range []string{"en", "es"} {
		navigate(t, ctx, base+"/reports?lang="+lang)
		ready(`a[href="/reports/2025-Q2"]`)
		narrow("/reports, " + lang)
		do(t, ctx, chromedp.Click(`a[href="/reports/2025-Q2"]`))
		ready(`#table-intakes-data`)
		narrow("/reports/2025-Q2, " + lang)
		rows := eval[string](t, ctx, `[...document.querySelectorAll('#table-intakes-data tbody tr')].map(r => r.innerText.replace(/\s+/g, ' ').trim()).join('\n')`)
		want := []string{w.org.Name + " 60", "Abogados Ficticios " + map[string]string{"en": "suppressed", "es": "oculto"}[lang]}
		for _, s := range want {
			if !strings.Contains(rows, s) {
				t.Errorf("%s: the intakes table lacks %q:\n%s", lang, s, rows)
			}
		}
		if strings.Contains(rows, " 3\n") || strings.HasSuffix(rows, " 3") {
			t.Errorf("%s: a small count is published:\n%s", lang, rows)
		}
		if got := eval[string](t, ctx, `document.querySelector('#chart-intakes title').textContent`); got == "" {
			t.Errorf("%s: the chart has no name", lang)
		}
		// The fund: the grant awarded in the quarter, charted in dollars
		// with its data table.
		if got := eval[string](t, ctx, `document.querySelector('#chart-fund-awarded title').textContent`); got == "" {
			t.Errorf("%s: the fund's chart has no name", lang)
		}
		fund := eval[string](t, ctx, `document.querySelector('#table-fund-awarded-data').innerText.replace(/\s+/g, ' ')`)
		if !strings.Contains(fund, "City of Ejemplo") || !strings.Contains(fund, "$100,000.00") ||
			!strings.Contains(fund, map[string]string{"en": "Source of funds", "es": "Fuente de fondos"}[lang]) {
			t.Errorf("%s: the fund's table: %q", lang, fund)
		}
		if got := eval[string](t, ctx, `document.querySelector('#chart-fund-awarded').textContent`); !strings.Contains(got, "$100,000.00") {
			t.Errorf("%s: the fund's chart: %q", lang, got)
		}
		if got := eval[string](t, ctx, `document.querySelector('#methods').innerText`); !strings.Contains(got, "11") {
			t.Errorf("%s: the methods note: %q", lang, got)
		}
		if lang == "en" {
			english = eval[string](t, ctx, `document.querySelector('main').innerText`)
		}
	}
	// No query parameter changes a number: the page is the same text.
	for _, q := range []string{"organization=Abogados+Ficticios", "from=2025-05-01&until=2025-05-15", "period=2025-Q1", "k=1", "min_count=0&suppress=0"} {
		navigate(t, ctx, base+"/reports/2025-Q2?lang=en&"+q)
		ready(`#table-intakes-data`)
		if got := eval[string](t, ctx, `document.querySelector('main').innerText`); got != english {
			t.Errorf("?%s changed the page", q)
		}
	}
}

package web_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/internal/browsertest"
	"github.com/amparo-project/amparo/internal/testenv"
)

// checkPage runs axe-core on the page open in ctx (no serious or critical
// violation) and checks it is no wider than width pixels.
func checkPage(t *testing.T, ctx context.Context, what string, width int) {
	t.Helper()
	if wide := eval[int](t, ctx, `document.documentElement.scrollWidth`); wide > width {
		over := eval[string](t, ctx, `[...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > `+fmt.Sprint(width)+`.5).map(e => e.tagName + '.' + e.className + '#' + e.id + ' ' + Math.round(e.getBoundingClientRect().right)).slice(-6).join(', ')`)
		t.Errorf("%s is %d pixels wide on a %d-pixel screen: %s", what, wide, width, over)
	}
	checkAxe(t, ctx, what)
}

// TestBrowser_AuditTrail: an auditor pages through a trail of exactly 516
// events to the last, which is the first event ever written; filters by
// an action chosen from the list; and the page passes axe in English and
// Spanish on a 375-pixel phone.
func TestBrowser_AuditTrail(t *testing.T) {
	t.Parallel()
	w := newAccountWorld(t)
	auditor := w.signedInAs(t, amparo.RoleAuditor, "")
	_, n, err := w.db.FindAuditEvents(system, amparo.AuditFilter{})
	if err != nil {
		t.Fatal(err)
	}
	seedAuditViews(t, w.db, w.org.ID, 516-n-1) // the client's creation is one more
	first, total, err := w.db.FindAuditEvents(system, amparo.AuditFilter{Limit: 1})
	if err != nil || total != 516 {
		t.Fatalf("%d events, want 516 (%v)", total, err)
	}
	_, views, _ := w.db.FindAuditEvents(system, amparo.AuditFilter{Action: amparo.AuditClientView})
	cat := w.srv.Catalog
	oldest := cat.T("en", "audit.action."+string(first[0].Action))

	base := strings.Replace(w.ts.URL, "127.0.0.1", "localhost", 1)
	ctx := browsertest.Start(t, nil, chromedp.EmulateViewport(1280, 900))
	do(t, ctx, setCookie(base, "__Host-session", auditor.session()),
		chromedp.Navigate(base+"/audit?lang=en"), chromedp.WaitVisible("#list-count"))
	if got := eval[string](t, ctx, `document.querySelector('#list-count').textContent`); got != "1–50 of 516" {
		t.Fatalf("count %q", got)
	}
	// Next, page after page, to the end.
	for page := 2; page <= 11; page++ {
		do(t, ctx, chromedp.Click(`a[rel="next"]`), chromedp.WaitVisible("#list-count"))
		want := fmt.Sprintf("%d–%d of 516", (page-1)*50+1, min(page*50, 516))
		if got := waitFor(ctx, `document.querySelector('#list-count').textContent`, want); got != want {
			t.Fatalf("page %d: count %q, want %q", page, got, want)
		}
	}
	if eval[bool](t, ctx, `!!document.querySelector('a[rel="next"]')`) {
		t.Error("the last page links to a next one")
	}
	rows := eval[int](t, ctx, `document.querySelectorAll('tbody tr').length`)
	last := eval[string](t, ctx, `[...document.querySelectorAll('tbody tr')].pop().children[2].textContent`)
	if rows != 16 || last != oldest {
		t.Errorf("the last page: %d rows ending in %q, want 16 ending in %q (the first event)", rows, last, oldest)
	}

	// An action chosen from the vocabulary, in words.
	do(t, ctx, chromedp.Navigate(base+"/audit"), chromedp.WaitVisible("#action"),
		chromedp.SetValue("#action", string(amparo.AuditClientView)), chromedp.Click(`#audit-filter button[type="submit"]`),
		chromedp.WaitVisible("#list-count"))
	want := fmt.Sprintf("1–50 of %d", views)
	if got := waitFor(ctx, `document.querySelector('#list-count').textContent`, want); got != want {
		t.Errorf("filtered by action: %q, want %q", got, want)
	}
	if got := eval[string](t, ctx, `[...document.querySelectorAll('tbody td[data-label="Action"]')].map(td => td.textContent).filter(s => s !== 'Client record opened').join()`); got != "" {
		t.Errorf("other actions listed: %q", got)
	}

	for _, lang := range testenv.Pick(t, []string{"en", "es"}) {
		for _, width := range testenv.Pick(t, []int{1280, 375}) {
			do(t, ctx, chromedp.EmulateViewport(int64(width), 900), chromedp.Navigate(base+"/audit?lang="+lang), chromedp.WaitVisible("#list-count"))
			checkPage(t, ctx, fmt.Sprintf("/audit (%s, %d px)", lang, width), width)
		}
	}
	// The filter's problems, too, on a phone.
	do(t, ctx, chromedp.Navigate(base+"/audit?lang=es&from=ayer&until=2026-01-01"), chromedp.WaitVisible(".error-summary"))
	checkPage(t, ctx, "/audit with problems (es, 375 px)", 375)
}

// TestBrowser_PolicyPreview: the program office edits the policy, sees who
// would move, cancels (nothing changes), previews again and puts it in
// force: a banner says so and the queue's order changes. The editor, the
// format's page and the preview pass axe in English and Spanish at 375
// pixels.
func TestBrowser_PolicyPreview(t *testing.T) {
	t.Parallel()
	w, people, _ := policyWorld(t)
	admin := w.signedInAs(t, amparo.RoleProgramAdmin, "")
	member := w.signedInAs(t, amparo.RoleMember, w.org.ID)
	base := strings.Replace(w.ts.URL, "127.0.0.1", "localhost", 1)
	ctx := browsertest.Start(t, nil, chromedp.EmulateViewport(1280, 900))
	do(t, ctx, setCookie(base, "__Host-session", admin.session()))

	preview := func() {
		t.Helper()
		do(t, ctx, chromedp.Navigate(base+"/policy"), chromedp.WaitVisible("#text"))
		eval[bool](t, ctx, `(() => { const t = document.querySelector('#text'); t.value = t.value.replace('rule daca points 10', 'rule daca tier 1 points 100'); return true })()`)
		do(t, ctx, chromedp.SendKeys("#reason", "DACA primero"), chromedp.Click("#policy-preview"), chromedp.WaitVisible("#confirm-title"))
	}
	do(t, ctx, chromedp.Navigate(base+"/policy?lang=en"), chromedp.WaitVisible("#text"))
	preview()
	what := eval[string](t, ctx, `document.querySelector('#confirm-what').innerText + '\n' + document.querySelector('#preview-movers').innerText`)
	beto := people["Beto Ejemplo"].Reference
	if !strings.Contains(what, "1 person would move forward.") || !strings.Contains(what, "2 people would move back.") || !strings.Contains(what, beto) {
		t.Fatalf("the preview says:\n%s", what)
	}
	// Cancel changes nothing.
	do(t, ctx, chromedp.Click("#confirm-cancel"), chromedp.WaitVisible("#policy-in-force"))
	if p, _ := w.db.CurrentPolicy(system); p.Version != 0 {
		t.Fatalf("cancelling put version %d in force", p.Version)
	}
	if _, q := member.get("/queue"); strings.Index(q, "Beto Ejemplo") < strings.Index(q, "Ana Ejemplo") {
		t.Fatal("the queue changed before the policy did")
	}

	preview()
	do(t, ctx, chromedp.Click("#confirm-button"), chromedp.WaitVisible("#banner"))
	if got := eval[string](t, ctx, `document.querySelector('#banner').innerText`); !strings.Contains(got, "Version 1 of the policy is in force.") {
		t.Errorf("banner %q", got)
	}
	if p, _ := w.db.CurrentPolicy(system); p.Version != 1 || p.Reason != "DACA primero" || !strings.Contains(p.Text, "rule daca tier 1") {
		t.Fatalf("in force: %+v", p)
	}
	if _, q := member.get("/queue"); strings.Index(q, "Beto Ejemplo") > strings.Index(q, "Ana Ejemplo") {
		t.Error("the queue's order did not change: the DACA recipient is still behind")
	}

	// Accessibility of the three pages, both languages, desktop and phone.
	for _, lang := range testenv.Pick(t, []string{"en", "es"}) {
		for _, width := range testenv.Pick(t, []int{1280, 375}) {
			do(t, ctx, chromedp.EmulateViewport(int64(width), 900), chromedp.Navigate(base+"/policy?lang="+lang), chromedp.WaitVisible("#text"))
			checkPage(t, ctx, fmt.Sprintf("/policy (%s, %d px)", lang, width), width)
			do(t, ctx, chromedp.Navigate(base+"/policy/format"), chromedp.WaitVisible("#policy-format"))
			checkPage(t, ctx, fmt.Sprintf("/policy/format (%s, %d px)", lang, width), width)
			do(t, ctx, chromedp.Navigate(base+"/policy"), chromedp.WaitVisible("#text"))
			eval[bool](t, ctx, `(() => { const t = document.querySelector('#text'); t.value = t.value.replace('rule tps-facing-removal tier 1', 'rule tps-facing-removal tier 2'); return true })()`)
			do(t, ctx, chromedp.SendKeys("#reason", "prueba"), chromedp.Click("#policy-preview"), chromedp.WaitVisible("#confirm-title"))
			checkPage(t, ctx, fmt.Sprintf("the preview (%s, %d px)", lang, width), width)
		}
	}
	if p, _ := w.db.CurrentPolicy(system); p.Version != 1 {
		t.Errorf("previews put version %d in force", p.Version)
	}
}

package web_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/internal/browsertest"
)

// checkPhonePage fails the test if the page scrolls sideways at 375
// pixels, or axe finds a serious or critical violation on it.
func checkPhonePage(t *testing.T, ctx context.Context, what string) {
	t.Helper()
	if wide := eval[int](t, ctx, `document.documentElement.scrollWidth`); wide > 375 {
		t.Errorf("%s is %d pixels wide on a 375-pixel phone", what, wide)
	}
	checkAxe(t, ctx, what)
}

// TestBrowser_ApplicantPagination: with 114 intakes, following "Next"
// from the list's first page reaches the last item (the oldest intake),
// every intake seen once, on a phone, the list never wider than it.
func TestBrowser_ApplicantPagination(t *testing.T) {
	t.Parallel()
	w := newAccountWorld(t)
	as := seedApplicants(t, w, 114)
	base := strings.Replace(w.ts.URL, "127.0.0.1", "localhost", 1)
	ctx := browsertest.Start(t, nil, chromedp.EmulateViewport(375, 812))
	do(t, ctx, setCookie(base, "__Host-session", w.signedInAs(t, amparo.RoleIntake, w.org.ID).session()),
		chromedp.Navigate(base+"/applicants?lang=en"), chromedp.WaitVisible("#applicants"))
	seen := map[string]bool{}
	var last string
	for page := 1; ; page++ {
		if page > 5 {
			t.Fatal("more pages than 114 intakes make")
		}
		names := eval[[]string](t, ctx, `[...document.querySelectorAll('#applicants tbody tr td:first-child a')].map(a => a.textContent)`)
		for _, n := range names {
			if seen[n] {
				t.Fatalf("page %d shows %s again", page, n)
			}
			seen[n] = true
			last = n
		}
		waitFor(ctx, `document.readyState`, "complete")
		if wide := eval[int](t, ctx, `document.documentElement.scrollWidth`); wide > 375 {
			over := eval[string](t, ctx, `[...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > 375.5).map(e => e.tagName + '.' + e.className + '#' + e.id + ' ' + Math.round(e.getBoundingClientRect().right)).slice(-6).join(', ')`)
			t.Errorf("page %d is %d pixels wide on a 375-pixel phone: %s", page, wide, over)
		}
		if !eval[bool](t, ctx, `!!document.querySelector('a[rel=next]')`) {
			break
		}
		before := eval[string](t, ctx, `location.search`)
		do(t, ctx, chromedp.Click(`a[rel=next]`))
		waitFor(ctx, `location.search === `+jsString(before)+` ? '' : location.search`, "page=")
		do(t, ctx, chromedp.WaitVisible("#applicants"))
	}
	if len(seen) != 114 || last != as[0].LegalName {
		t.Fatalf("the pages showed %d intakes, the last %q; want 114, the last %q", len(seen), last, as[0].LegalName)
	}
	if count := eval[string](t, ctx, `document.getElementById('list-count').textContent`); count != "101–114 of 114" {
		t.Fatalf("the last page counts %q", count)
	}
}

func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// TestJourney_StaffIntake: on a phone, staff take an intake with a
// mistake, see every problem listed and focused, fix it, see the banner,
// find the person by their reference code, open the record, follow the
// link to their place in the queue, and back; asked to close the intake,
// they see what will happen, cancel, and nothing changed. Every page
// passes axe, in English and Spanish, and none scrolls sideways.
func TestJourney_StaffIntake(t *testing.T) {
	t.Parallel()
	w := newAccountWorld(t)
	seedApplicants(t, w, 60)
	base := strings.Replace(w.ts.URL, "127.0.0.1", "localhost", 1)
	ctx := browsertest.Start(t, nil, chromedp.EmulateViewport(375, 812))
	do(t, ctx, setCookie(base, "__Host-session", w.signedInAs(t, amparo.RoleIntake, w.org.ID).session()))
	for _, lang := range []string{"es", "en"} {
		do(t, ctx, chromedp.Navigate(base+"/applicants?lang="+lang), chromedp.WaitVisible("#applicants"))
		checkPhonePage(t, ctx, "/applicants ("+lang+")")
	}

	// 1. A new intake, with its consent ticked but a wrong date and phone.
	do(t, ctx, chromedp.Click("#new-applicant"), chromedp.WaitVisible("#legal_name"),
		chromedp.SendKeys("#legal_name", "Marisol Ejemplo Ficticia"), chromedp.SetValue("#birth_date", "2999-01-01"),
		chromedp.SendKeys("#phone", "12"), chromedp.Click("#detained"), chromedp.Click("#consent"), chromedp.Click("#send"),
		chromedp.WaitVisible(".error-summary"))
	if focused := eval[string](t, ctx, `document.activeElement.className`); focused != "error-summary" {
		t.Errorf("the focus is on %q, not the error summary", focused)
	}
	if n := eval[int](t, ctx, `document.querySelectorAll('.error-summary li').length`); n != 2 {
		t.Errorf("the summary lists %d problems, want 2 (date and phone)", n)
	}
	if !eval[bool](t, ctx, `document.getElementById('consent').checked && document.getElementById('detained').checked && document.getElementById('legal_name').value === 'Marisol Ejemplo Ficticia'`) {
		t.Error("the form lost what was typed or ticked")
	}
	checkPhonePage(t, ctx, "the intake form with errors (en)")

	// 2. Fixed and saved: the banner says so, with the code.
	do(t, ctx, chromedp.SetValue("#birth_date", "1991-06-15"), chromedp.SetValue("#phone", "+1 213 555 0177"), chromedp.Click("#send"),
		chromedp.WaitVisible("#banner"))
	banner := eval[string](t, ctx, `document.getElementById('banner').textContent`)
	ref := eval[string](t, ctx, `document.querySelector('#reference code').textContent`)
	if !strings.Contains(banner, "Marisol Ejemplo Ficticia") || !strings.Contains(banner, ref) || ref == "" {
		t.Fatalf("the banner says %q (reference %q)", banner, ref)
	}
	id := strings.TrimPrefix(eval[string](t, ctx, `location.pathname`), "/applicants/")

	// 3. Found by the code typed with a hyphen, in lower case.
	do(t, ctx, chromedp.Navigate(base+"/applicants"), chromedp.WaitVisible("#q"),
		chromedp.SendKeys("#q", strings.ToLower(ref[:5]+"-"+ref[5:])), chromedp.Submit("#q"))
	// The list shows the newest first, the person among them: wait for the
	// search's own page.
	waitFor(ctx, `location.search.includes('q=') && document.readyState == 'complete' && document.querySelector('#applicants') ? 'ready' : ''`, "ready")
	do(t, ctx, chromedp.WaitVisible(`a[href="/applicants/`+id+`"]`))
	if n := eval[int](t, ctx, `document.querySelectorAll('#applicants tbody tr').length`); n != 1 {
		t.Fatalf("the search by code lists %d rows", n)
	}
	do(t, ctx, chromedp.Click(`a[href="/applicants/`+id+`"]`), chromedp.WaitVisible("#queue-place"))

	// 4. The record: the place in the queue (detained: first), linked.
	place := eval[string](t, ctx, `document.getElementById('queue-place').textContent`)
	if !strings.HasPrefix(place, "Place 1 of ") {
		t.Fatalf("the queue place reads %q", place)
	}
	for _, lang := range []string{"es", "en"} {
		do(t, ctx, chromedp.Navigate(base+"/applicants/"+id+"?lang="+lang), chromedp.WaitVisible("#queue-place"))
		checkPhonePage(t, ctx, "the applicant page ("+lang+")")
	}
	do(t, ctx, chromedp.Click(`#queue-place a`), chromedp.WaitVisible("#q-"+id))
	if hash := eval[string](t, ctx, `location.pathname + location.hash`); hash != "/queue#q-"+id {
		t.Fatalf("the place links to %s", hash)
	}
	if row := eval[string](t, ctx, `document.getElementById('q-`+id+`').parentElement.innerText`); !strings.Contains(row, "Marisol Ejemplo Ficticia") {
		t.Fatalf("the queue's row is %q", row)
	}
	for _, lang := range []string{"es", "en"} {
		do(t, ctx, chromedp.Navigate(base+"/queue?page=2&lang="+lang), chromedp.WaitVisible("#queue"))
		checkPhonePage(t, ctx, "/queue page 2 ("+lang+")")
	}

	// 5. Closing asks first; cancelling changes nothing.
	do(t, ctx, chromedp.Navigate(base+"/applicants/"+id), chromedp.WaitVisible("#status"),
		chromedp.SetValue("#status", "closed"), chromedp.SendKeys("#reason", "Se mudó de ciudad"), chromedp.Click("#decide"),
		chromedp.WaitVisible("#confirm-title"))
	if what := eval[string](t, ctx, `document.getElementById('confirm-what').innerText`); !strings.Contains(what, "leaves the queue") || !strings.Contains(what, "Se mudó de ciudad") {
		t.Errorf("the confirmation says %q", what)
	}
	checkPhonePage(t, ctx, "the confirmation to close (en)")
	do(t, ctx, chromedp.Click("#confirm-cancel"), chromedp.WaitVisible("#queue-place"))
	if a := w.applicant(t, id); a.Status != amparo.ApplicantNew {
		t.Fatalf("cancelling left the status %s", a.Status)
	}
	// Confirmed, in Spanish: the banner, and the person left the queue.
	do(t, ctx, chromedp.Navigate(base+"/applicants/"+id+"?lang=es"), chromedp.WaitVisible("#status"),
		chromedp.SetValue("#status", "closed"), chromedp.Click("#decide"), chromedp.WaitVisible("#confirm-title"))
	checkPhonePage(t, ctx, "the confirmation to close (es)")
	do(t, ctx, chromedp.Click("#confirm-button"), chromedp.WaitVisible("#banner"))
	if banner := eval[string](t, ctx, `document.getElementById('banner').textContent`); !strings.Contains(banner, "es ahora «Cerrada»") {
		t.Errorf("the banner says %q", banner)
	}
	if place := eval[string](t, ctx, `document.getElementById('queue-place').textContent`); place != "No espera en la fila." {
		t.Errorf("a closed intake's place reads %q", place)
	}
}

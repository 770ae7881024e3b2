package web_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/internal/browsertest"
	"github.com/amparo-project/amparo/internal/testenv"
)

// TestBrowser_DashboardProgram: the program office's dashboard in
// Chromium, on a desktop and a phone, in English and Spanish: every chart
// drawn and within the screen, no sideways scrolling, each chart an image
// with a name, and axe-core finding nothing serious or critical.
func TestBrowser_DashboardProgram(t *testing.T) {
	t.Parallel()
	w := newDashboardWorld(t)
	base := strings.Replace(w.ts.URL, "127.0.0.1", "localhost", 1)
	ctx := browsertest.Start(t, nil, chromedp.EmulateViewport(1280, 900))
	do(t, ctx, setCookie(base, "__Host-session", w.signedInAs(t, amparo.RoleProgramAdmin, "").session()))
	for _, width := range testenv.Pick(t, []int64{1280, 375}) {
		do(t, ctx, chromedp.EmulateViewport(width, 900))
		for _, lang := range testenv.Pick(t, []string{"en", "es"}) {
			do(t, ctx, chromedp.Navigate(base+"/dashboard?lang="+lang), chromedp.WaitReady("body"))
			if wide := eval[int](t, ctx, `document.documentElement.scrollWidth`); wide > int(width) {
				t.Errorf("%d px, %s: the page is %d pixels wide", width, lang, wide)
			}
			charts := eval[string](t, ctx, `JSON.stringify([...document.querySelectorAll('svg.chart-svg')].map(s => {
				const r = s.getBoundingClientRect();
				return {id: s.id, w: Math.round(r.width), right: Math.round(r.right), name: s.getAttribute('role') + ':' + document.getElementById(s.getAttribute('aria-labelledby')).textContent};
			}))`)
			var got []struct {
				ID       string
				W, Right int
				Name     string
			}
			if err := json.Unmarshal([]byte(charts), &got); err != nil {
				t.Fatal(err)
			}
			if len(got) != 4 {
				t.Fatalf("%d px, %s: %d charts, want 4", width, lang, len(got))
			}
			for _, c := range got {
				if c.W < 250 || c.Right > int(width) || !strings.HasPrefix(c.Name, "img:") || len(c.Name) < 10 {
					t.Errorf("%d px, %s: chart %+v", width, lang, c)
				}
			}
			checkAxe(t, ctx, fmt.Sprintf("%d px, %s", width, lang))
		}
	}
}

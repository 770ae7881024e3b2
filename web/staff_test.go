package web_test

import (
	"bytes"
	"fmt"
	"image/png"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/demo"
	"github.com/amparo-project/amparo/internal/browsertest"
	"github.com/amparo-project/amparo/internal/testenv"
	"github.com/amparo-project/amparo/locale"
	"github.com/amparo-project/amparo/notify"
	"github.com/amparo-project/amparo/sqldb"
	"github.com/amparo-project/amparo/web"
)

// demoWorld is the demo program (amparo demo's seed) served by a test
// server, with a signed-in session for every staff role.
type demoWorld struct {
	db       *sqldb.DB
	srv      *web.Server
	ts       *httptest.Server
	base     string // the server on localhost, a secure context for Chromium
	sum      *demo.Summary
	letter   string // an active letter of the demo's attorney
	sessions map[amparo.Role]string
	actors   map[amparo.Role]amparo.Actor
}

// staffRoles are the roles that sign in to the staff app.
var staffRoles = []amparo.Role{amparo.RoleProgramAdmin, amparo.RoleOrgAdmin, amparo.RoleMember, amparo.RoleIntake,
	amparo.RoleAuditor, amparo.RoleOrganizer, amparo.RoleFundOfficer, amparo.RoleProcurement}

// staffNames are the fictional people signed in as each role.
var staffNames = map[amparo.Role]string{amparo.RoleProgramAdmin: "Inés Programa Ejemplo", amparo.RoleOrgAdmin: "Coordinación Ejemplo",
	amparo.RoleIntake: "Rosa Admisión Ficticia", amparo.RoleAuditor: "Tomás Auditor Ficticio", amparo.RoleOrganizer: "Lupe Talleres Ejemplo",
	amparo.RoleFundOfficer: "Fondo Ejemplo", amparo.RoleProcurement: "Compras Ejemplo"}

func newDemoWorld(t *testing.T) *demoWorld {
	t.Helper()
	db, k := openStore(t)
	w := &demoWorld{db: db, sessions: map[amparo.Role]string{}, actors: map[amparo.Role]amparo.Actor{}}
	srv, h := newTestServer(t, db, k)
	w.srv, w.ts = srv, httptest.NewServer(h)
	t.Cleanup(w.ts.Close)
	w.base = strings.Replace(w.ts.URL, "127.0.0.1", "localhost", 1)
	cat, err := locale.Load()
	if err != nil {
		t.Fatal(err)
	}
	db.AlertMessage = notify.AlertMessage(cat, &url.URL{Path: "/"}) // the demo's alert is messaged
	sum, err := demo.Seed(t.Context(), db, w.base+"/v", time.Now(), func(now time.Time) { db.Now = func() time.Time { return now } })
	db.Now = time.Now
	if err != nil {
		t.Fatal(err)
	}
	w.sum = sum
	ls, _, err := db.FindLetters(system, amparo.LetterFilter{MemberID: sum.AttorneyMember, Status: amparo.LetterActive, Limit: 1})
	if err != nil || len(ls) == 0 {
		t.Fatalf("the demo's attorney has no active letter (%v)", err)
	}
	w.letter = ls[0].ID
	for _, role := range staffRoles {
		a := sum.Attorney // the member signing letters
		if role != amparo.RoleMember {
			org := ""
			if role.OrganizationRole() {
				org = sum.Organization
			}
			inv := &amparo.Invitation{Email: string(role) + "@example.org", Role: role, OrganizationID: org}
			if err := db.CreateInvitation(system, inv); err != nil {
				t.Fatal(err)
			}
			if a, err = db.AcceptInvitation(system, inv.Token, staffNames[role], "$argon2id$unused"); err != nil {
				t.Fatal(err)
			}
		}
		token, err := db.CreateSession(system, a.ID, true)
		if err != nil {
			t.Fatal(err)
		}
		w.sessions[role] = token
		w.actors[role] = (&amparo.Session{AccountID: a.ID, SecondFactor: true, Account: a}).Actor()
	}
	return w
}

// get fetches path as role, following no redirect.
func (w *demoWorld) get(t *testing.T, role amparo.Role, path string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest("GET", w.ts.URL+path, nil)
	req.AddCookie(&http.Cookie{Name: "__Host-session", Value: w.sessions[role]})
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

var (
	hrefs     = regexp.MustCompile(`href="(/[^"#]*)`)
	postForms = regexp.MustCompile(`(?s)<form[^>]*method="post"[^>]*action="(/[^"]*)"|<form[^>]*action="(/[^"]*)"[^>]*method="post"`)
	recordID  = regexp.MustCompile(`[0-9a-f]{32}`)
)

// shape is a page's address with its record IDs and query taken out: the
// crawl visits one page of each shape.
func shape(path string) string {
	p, _, _ := strings.Cut(path, "?")
	return recordID.ReplaceAllString(p, "{id}")
}

// skipped are the addresses the crawl does not open: files, the public
// pages (tested on their own), and leaving.
func skipped(path string) bool {
	p, _, _ := strings.Cut(path, "?")
	for _, prefix := range []string{"/static/", "/v", "/p/", "/intake/", "/signin", "/favicon"} {
		if strings.HasPrefix(p, prefix) {
			return true
		}
	}
	return p == "/" || strings.Contains(path, "lang=") || slices.Contains([]string{".pdf", ".png", ".csv", ".txt", ".svg", ".ics"}, filepath.Ext(p))
}

// crawl walks the staff app as role from its dashboard, two links deep,
// one page of each shape, and returns the pages it found.
func (w *demoWorld) crawl(t *testing.T, role amparo.Role) []string {
	t.Helper()
	seen := map[string]bool{}
	var pages []string
	next := []string{"/dashboard"}
	for depth := 0; depth < 3 && len(next) > 0; depth++ {
		var found []string
		for _, path := range next {
			status, body := w.get(t, role, path)
			if status != http.StatusOK {
				t.Errorf("%s: %s answered %d", role, path, status)
				continue
			}
			pages = append(pages, path)
			// No button the role cannot use: every form that posts goes
			// to a route that lets this role in.
			for _, m := range postForms.FindAllStringSubmatch(body, -1) {
				action := strings.ReplaceAll(m[1]+m[2], "&amp;", "&")
				if !w.srv.Allows(w.actors[role], "POST", action) {
					t.Errorf("%s: %s shows a form posting to %s, which the role may not use", role, path, action)
				}
			}
			for _, m := range hrefs.FindAllStringSubmatch(body, -1) {
				link := strings.ReplaceAll(m[1], "&amp;", "&")
				if skipped(link) || seen[shape(link)] {
					continue
				}
				seen[shape(link)] = true
				found = append(found, link)
			}
		}
		next = found
	}
	return pages
}

// TestStaffShell_EveryPage follows every link each role can reach in the
// demo program: each answers 200 and shows no button the role cannot use;
// in Chromium on a 375-pixel phone, none scrolls sideways and axe finds
// nothing serious or critical, in English and Spanish. Outside CI a
// sample of the pages is checked in the browser; CI checks them all.
func TestStaffShell_EveryPage(t *testing.T) {
	t.Parallel()
	w := newDemoWorld(t)
	ctx := browsertest.Start(t, nil, chromedp.EmulateViewport(375, 812))
	checked := map[string]bool{}
	total := 0
	for _, role := range staffRoles {
		pages := w.crawl(t, role)
		if len(pages) < 2 {
			t.Errorf("%s reaches only %v", role, pages)
		}
		total += len(pages)
		// The error pages each role meets, in the same layout: a page
		// that is not there, a list address that is wrong, a page the
		// role may not open.
		errorPages := []string{"/no/such/page"}
		if w.actors[role].SeesClients() {
			errorPages = append(errorPages, "/clients?page=-1", "/letters?sort=nonsense")
		}
		if !w.actors[role].RunsProgram() {
			errorPages = append(errorPages, "/settings")
		}
		for _, path := range errorPages {
			if status, _ := w.get(t, role, path); status < 400 {
				t.Errorf("%s: %s answered %d, want an error page", role, path, status)
			}
		}
		pages = append(pages, errorPages...)
		do(t, ctx, setCookie(w.base, "__Host-session", w.sessions[role]))
		for i, path := range pages {
			for li, lang := range []string{"en", "es"} {
				// Outside CI: each shape once, in one language by turns.
				if !testenv.CI() && (checked[shape(path)] || (i+li)%2 == 1) {
					continue
				}
				checked[shape(path)] = true
				sep := "?"
				if strings.Contains(path, "?") {
					sep = "&"
				}
				do(t, ctx, chromedp.Navigate(w.base+path+sep+"lang="+lang), chromedp.WaitReady("body"))
				// What the browser got: 200 for a page the role reached, an
				// error (in the same layout) for an error page.
				status := eval[int](t, ctx, `performance.getEntriesByType('navigation')[0].responseStatus`)
				if isError := slices.Contains(errorPages, path); (status == 200) == isError {
					t.Errorf("%s (%s, as %s): the browser got %d", path, lang, role, status)
				}
				if wide := eval[int](t, ctx, `document.documentElement.scrollWidth`); wide > 375 {
					over := eval[string](t, ctx, `[...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > 375.5).map(e => e.tagName + '.' + e.className + '#' + e.id).slice(-4).join(', ')`)
					t.Errorf("%s (%s, as %s) is %d pixels wide on a 375-pixel phone: %s", path, lang, role, wide, over)
				}
				checkAxe(t, ctx, fmt.Sprintf("%s (%s, as %s)", path, lang, role))
			}
		}
	}
	t.Logf("crawled %d pages as %d roles; %d shapes checked in Chromium", total, len(staffRoles), len(checked))
}

// TestScreenshots writes the README's screenshots: each role's main pages
// at 1280 and 375 pixels, in PNG, of the demo program. Run
//
//	AMPARO_SCREENSHOTS=docs/screenshots go test ./web/ -run TestScreenshots
//
// to write them; CI writes them to a temporary folder and checks them.
func TestScreenshots(t *testing.T) {
	t.Parallel()
	dir := os.Getenv("AMPARO_SCREENSHOTS")
	if dir == "" {
		if !testenv.CI() {
			t.Skip("set AMPARO_SCREENSHOTS=DIR to write the screenshots")
		}
		dir = t.TempDir()
	}
	w := newDemoWorld(t)
	shots := []struct {
		role  amparo.Role
		name  string
		lang  string
		paths []string
	}{
		{amparo.RoleProgramAdmin, "program", "en", []string{"/dashboard", "/organizations", "/policy"}},
		{amparo.RoleOrgAdmin, "office", "en", []string{"/dashboard", "/clients", "/letters", "/applicants", "/queue", "/matches"}},
		{amparo.RoleMember, "attorney", "en", []string{"/dashboard", "/letters", "/letters/" + w.letter}},
		{amparo.RoleAuditor, "auditor", "en", []string{"/audit"}},
		{amparo.RoleOrganizer, "organizer", "en", []string{"/workshops"}},
		{amparo.RoleFundOfficer, "fund", "en", []string{"/fund"}},
		{amparo.RoleProcurement, "procurement", "es", []string{"/vendors/" + w.sum.Vendor}},
		{amparo.RoleVisitor, "public", "es", []string{"/reports/" + w.sum.Report, "/events"}},
	}
	var written []string
	ctx := browsertest.Start(t, nil)
	for _, width := range []int64{1280, 375} {
		do(t, ctx, chromedp.EmulateViewport(width, 900))
		for _, s := range shots {
			do(t, ctx, setCookie(w.base, "__Host-session", w.sessions[s.role])) // none for a visitor
			for _, path := range s.paths {
				do(t, ctx, chromedp.Navigate(w.base+path+"?lang="+s.lang), chromedp.WaitReady("body"))
				img, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
				if err != nil {
					t.Fatal(err)
				}
				name := fmt.Sprintf("%s-%s-%s-%d.png", s.name, strings.Trim(strings.ReplaceAll(recordID.ReplaceAllString(path, "record"), "/", "-"), "-"), s.lang, width)
				if err := os.WriteFile(filepath.Join(dir, name), img, 0o644); err != nil {
					t.Fatal(err)
				}
				cfg, err := png.DecodeConfig(bytes.NewReader(img))
				if err != nil || int64(cfg.Width) != width {
					t.Errorf("%s: not a %d-pixel-wide PNG (%v, %d)", name, width, err, cfg.Width)
				}
				written = append(written, name)
			}
		}
	}
	t.Logf("wrote %d screenshots to %s", len(written), dir)
}

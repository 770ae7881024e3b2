package main_test

import (
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/amparo-project/amparo/locale"
)

// TestDemo_SeedsApplicants: a newcomer signing in to the demo as its staff
// account sees intakes on /applicants, a queue that ranks them in more than
// one tier, match proposals for them, and people who wrote twice, whose
// history shows the update by the applicant; every organization's queue
// spans the tiers.
func TestDemo_SeedsApplicants(t *testing.T) {
	t.Parallel()
	data := t.TempDir()
	demo := startDemo(t, data) // signed in as the organization admin
	base, c, out := demo.base, demo.client, demo.printed
	signin := regexp.MustCompile(`as (\S+) with the password "([^"]+)"`).FindStringSubmatch(out)
	post := func(path string, form url.Values) {
		t.Helper()
		res, err := c.PostForm(base+path, form)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			t.Fatalf("POST %s: %s", path, res.Status)
		}
	}
	get := func(path string) string {
		t.Helper()
		res, err := c.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusOK || res.Request.URL.Path != path {
			t.Fatalf("GET %s: %s at %s", path, res.Status, res.Request.URL.Path)
		}
		return string(b)
	}

	cat, err := locale.Load()
	if err != nil {
		t.Fatal(err)
	}
	en := func(key string, args ...any) string { return cat.T("en", key, args...) }

	list := get("/applicants")
	ids := regexp.MustCompile(`href="/applicants/([0-9a-f]{32})"`).FindAllStringSubmatch(list, -1)
	if len(ids) < 24 {
		t.Fatalf("/applicants lists %d intakes, want a few dozen", len(ids))
	}
	if !strings.Contains(list, `<strong class="updated"`) {
		t.Error("/applicants marks no intake updated by the person since staff looked")
	}
	queue := get("/queue")
	for _, want := range []string{en("queue.tier", 1), en("queue.tier", 2), en("queue.no_rule")} {
		if !strings.Contains(queue, want) {
			t.Errorf("/queue lacks %q", want)
		}
	}
	matches := get("/matches")
	proposed := 0
	for _, id := range ids {
		if strings.Contains(matches, `name="applicant" value="`+id[1]+`"`) {
			proposed++
		}
	}
	if proposed == 0 {
		t.Error("/matches proposes none of the intakes")
	}
	updated, proposals, langs := 0, 0, map[string]bool{}
	for _, id := range ids {
		page := get("/applicants/" + id[1])
		if strings.Contains(page, en("applicant.updated_by_applicant")) {
			updated++
		}
		if strings.Contains(page, en("applicant.proposed_title")) {
			proposals++
		}
		for _, l := range []string{"es", "en"} {
			langs[l] = langs[l] || strings.Contains(page, "("+l+")")
		}
	}
	if updated < 2 {
		t.Errorf("%d intakes show an update by the applicant, want 2", updated)
	}
	if proposals == 0 {
		t.Error("no intake shows a phone proposed by name and date of birth alone, for staff to confirm")
	}
	if !langs["es"] || !langs["en"] {
		t.Errorf("the intakes' languages: %v, want Spanish and English", langs)
	}
	// The dashboards show work to do, and the program's numbers.
	count := regexp.MustCompile(`<a id="count-([a-z]+)" href="[^"]+">([0-9.,]+) `)
	counted := map[string]string{}
	for _, m := range count.FindAllStringSubmatch(get("/dashboard"), -1) {
		counted[m[1]] = m[2]
	}
	for _, c := range []string{"new", "expiring", "drafts", "proposed", "waiting", "active"} {
		if n, ok := counted[c]; !ok || n == "0" {
			t.Errorf("the admin's dashboard counts %q of %s, want some", n, c)
		}
	}
	office := regexp.MustCompile(`as (programa@\S+) with the same password;\s+second step: the key \S+, or the recovery code (\S+?)\.?\n`).FindStringSubmatch(out)
	if office == nil {
		t.Fatalf("no sign-in for the program office:\n%s", out)
	}
	jar, _ := cookiejar.New(nil)
	c.Jar = jar
	post("/signin", url.Values{"email": {office[1]}, "password": {signin[2]}})
	post("/signin/code", url.Values{"code": {office[2]}})
	dash := get("/dashboard")
	_, table, _ := strings.Cut(dash, `<table id="table-weeks">`)
	table, _, _ = strings.Cut(table, "</table>")
	weeks := regexp.MustCompile(`<tr><th scope="row">[A-Z][a-z]+ \d+, \d{4}</th><td class="num">([1-9][0-9]*)</td></tr>`).FindAllStringSubmatch(table, -1)
	if len(weeks) < 5 || !strings.Contains(dash, `id="chart-tiers"`) || strings.Contains(dash, `id="capacity-summary">0 `) {
		t.Errorf("the program's dashboard: %d weeks with intakes, want 5 or more; or no tiers, or no letters used", len(weeks))
	}

	// The fund officer sees the demo's grants; the procurement officer
	// the screened vendor, its false positive decided and reused.
	vendor := regexp.MustCompile(`http://\S+(/vendors/[0-9a-f]+) `).FindStringSubmatch(out)
	if vendor == nil {
		t.Fatalf("the demo names no screened vendor:\n%s", out)
	}
	for _, o := range []struct{ email, path, want string }{
		{"fondo@", "/fund", `href="/fund/grants/`},
		{"compras@", vendor[1], html.EscapeString(strings.Split(en("screen.web.decision_reused", "\x00", "\x00", "\x00"), "\x00")[1])},
	} {
		m := regexp.MustCompile(`as (` + o.email + `\S+) with the same password;\s+second step: the key \S+, or the recovery code (\S+?)\.?\n`).FindStringSubmatch(out)
		if m == nil {
			t.Fatalf("no sign-in for %s…:\n%s", o.email, out)
		}
		jar, _ := cookiejar.New(nil)
		c.Jar = jar
		post("/signin", url.Values{"email": {m[1]}, "password": {signin[2]}})
		post("/signin/code", url.Values{"code": {m[2]}})
		if page := get(o.path); !strings.Contains(page, o.want) {
			t.Errorf("%s on %s: no %q", m[1], o.path, o.want)
		}
	}
	demo.stop()

	// Every organization's queue, from the command line: more than one tier.
	orgs := map[string]bool{}
	for _, l := range decode[[]letterJSON](t, ok(t, "letter", "list", "--json", "--data", data)) {
		orgs[l.OrganizationID] = true
	}
	if len(orgs) < 3 {
		t.Fatalf("%d organizations", len(orgs))
	}
	for org := range orgs {
		type queue struct {
			Queue []struct {
				Tier int `json:"tier"`
			} `json:"queue"`
		}
		q := decode[queue](t, ok(t, "queue", "--org", org, "--json", "--data", data))
		tiers := map[int]int{}
		for _, p := range q.Queue {
			tiers[p.Tier]++
		}
		if len(q.Queue) < 24 || tiers[1] == 0 || tiers[2] == 0 || tiers[0] == 0 {
			t.Errorf("organization %s: %d in line, by tier %v; want a few dozen in tiers 1, 2 and none", org, len(q.Queue), tiers)
		}
	}
}

package web_test

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/amparo-project/amparo"
)

// TestQueuePaging: the queue shows 50 places a page, numbered in the whole
// line (page 2 starts at place 51), each linking to the person's record
// (with an anchor the applicant page links to), with links to the pages
// before and after; the pages together hold everyone waiting, once. A page
// past the end, or not a page number, is answered in the reader's language.
func TestQueuePaging(t *testing.T) {
	t.Parallel()
	w := newAccountWorld(t)
	intake := amparo.NewContextWithActor(t.Context(), amparo.Actor{ID: "i", Role: amparo.RoleIntake, OrganizationID: w.org.ID})
	var as []*amparo.Applicant
	for i := 1; i <= 120; i++ {
		name := "Persona Ejemplo " + fixtureSurname(i)
		as = append(as, &amparo.Applicant{Key: name, Facts: amparo.Facts{Personal: amparo.Personal{LegalName: name, Language: "es",
			Situation: amparo.SituationDACA}}})
	}
	if _, err := w.db.CreateApplicants(intake, as); err != nil {
		t.Fatal(err)
	}
	b := w.signedInAs(t, amparo.RoleIntake, w.org.ID)
	row := regexp.MustCompile(`<tr><td>(\d+)</td><td id="q-(\w+)" data-label="Name"><a href="/applicants/(\w+)">(Persona Ejemplo \w+)</a></td>`)
	seen := map[string]bool{}
	for _, tt := range []struct {
		query       string
		first, last int
		prev, next  string
	}{
		{"", 1, 50, "", "/queue?page=2"},
		{"?page=2", 51, 100, "/queue", "/queue?page=3"},
		{"?page=3", 101, 120, "/queue?page=2", ""},
	} {
		res, body := b.get("/queue" + tt.query)
		if res.StatusCode != 200 {
			t.Fatalf("/queue%s: %d", tt.query, res.StatusCode)
		}
		var places []int
		for _, m := range row.FindAllStringSubmatch(body, -1) {
			n, _ := strconv.Atoi(m[1])
			places = append(places, n)
			if m[2] != m[3] {
				t.Errorf("/queue%s: row q-%s links to %s", tt.query, m[2], m[3])
			}
			if seen[m[4]] {
				t.Errorf("/queue%s: %s is on two pages", tt.query, m[4])
			}
			seen[m[4]] = true
		}
		var want []int
		for n := tt.first; n <= tt.last; n++ {
			want = append(want, n)
		}
		if !slices.Equal(places, want) {
			t.Errorf("/queue%s: places %v, want %d to %d", tt.query, places, tt.first, tt.last)
		}
		for rel, href := range map[string]string{"prev": tt.prev, "next": tt.next} {
			link := `rel="` + rel + `"`
			if has := strings.Contains(body, `<a href="`+href+`" `+link); href != "" && !has || href == "" && strings.Contains(body, link) {
				t.Errorf("/queue%s: the %s link is not %q", tt.query, rel, href)
			}
		}
		if want := fmt.Sprintf("Places %d to %d of 120.", tt.first, tt.last); !strings.Contains(body, "120 people waiting") || !strings.Contains(body, want) {
			t.Errorf("/queue%s does not count the whole line", tt.query)
		}
	}
	if len(seen) != 120 {
		t.Errorf("the pages hold %d people, want 120", len(seen))
	}
	// A page past the end, or not a page, shows nobody, says why in the
	// reader's language, and is never a 500.
	for _, tt := range []struct {
		query string
		code  int
		says  string
	}{
		{"?page=9&lang=es", 404, "No existe la página 9"},
		{"?page=9&lang=en", 404, "There is no page 9: the list has 3 pages."},
		{"?page=-1&lang=en", 400, "The page number must be a whole number from 1."},
		{"?page=abc&lang=es", 400, "número de página"},
		{"?sort=name&lang=en", 400, "This list cannot be sorted that way."},
	} {
		res, body := b.get("/queue" + tt.query)
		if res.StatusCode != tt.code || row.MatchString(body) || !strings.Contains(body, tt.says) {
			t.Errorf("/queue%s: %d, want %d saying %q", tt.query, res.StatusCode, tt.code, tt.says)
		}
	}
}

package web_test

import (
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/amparo-project/amparo"
)

var navLink = regexp.MustCompile(`<li><a href="(/[^"]*)"`)

// navOf is the links of a page's staff navigation.
func navOf(page string) []string {
	_, nav, ok := strings.Cut(page, `class="service-nav"`)
	if !ok {
		return nil
	}
	nav, _, _ = strings.Cut(nav, "</nav>")
	var out []string
	for _, m := range navLink.FindAllStringSubmatch(nav, -1) {
		out = append(out, m[1])
	}
	return out
}

// Every role's header leads only where the role may go, marks where it
// is, names the person and their organization, and signs out.
func TestStaffShell_NavigationByRole(t *testing.T) {
	t.Parallel()
	w := matrixWorld(t)
	want := map[amparo.Role][]string{
		amparo.RoleProgramAdmin: {"/dashboard", "/fund", "/organizations", "/policy", "/accounts", "/settings", "/audit", "/account"},
		amparo.RoleOrgAdmin:     {"/dashboard", "/clients", "/letters", "/applicants", "/queue", "/matches", "/workshops", "/alerts", "/fund", "/organizations/" + w.org.ID, "/account"},
		amparo.RoleMember:       {"/dashboard", "/clients", "/letters", "/applicants", "/queue", "/matches", "/alerts", "/fund", "/account"},
		amparo.RoleIntake:       {"/dashboard", "/clients", "/letters", "/applicants", "/queue", "/matches", "/alerts", "/account"},
		amparo.RoleAuditor:      {"/dashboard", "/fund", "/audit", "/account"},
		amparo.RoleOrganizer:    {"/dashboard", "/workshops", "/account"},
		amparo.RoleFundOfficer:  {"/dashboard", "/fund", "/account"},
		amparo.RoleProcurement:  {"/dashboard", "/vendors", "/account"},
	}
	for role, links := range want {
		org := ""
		if role.OrganizationRole() {
			org = w.org.ID
		}
		b := w.signedInAs(t, role, org)
		res, body := b.get("/dashboard")
		if res.StatusCode != http.StatusOK {
			t.Fatalf("%s: dashboard answered %d", role, res.StatusCode)
		}
		if got := navOf(body); strings.Join(got, " ") != strings.Join(links, " ") {
			t.Errorf("%s: navigation %v, want %v", role, got, links)
		}
		if org != "" && !strings.Contains(body, `<span id="who-org">`+w.org.Name+`</span>`) {
			t.Errorf("%s: the header does not name the organization", role)
		}
		if !strings.Contains(body, `action="/signout"`) {
			t.Errorf("%s: no sign-out in the header", role)
		}
		for _, l := range links {
			res, body := b.get(l)
			if res.StatusCode != http.StatusOK {
				t.Errorf("%s: %s answered %d", role, l, res.StatusCode)
				continue
			}
			if !strings.Contains(body, `<a href="`+l+`" aria-current="page">`) {
				t.Errorf("%s: %s is not marked as the current section", role, l)
			}
		}
	}
	// Signed out, the public header: no staff navigation.
	_, body := w.browser(t).get("/")
	if navOf(body) != nil {
		t.Error("the public home page shows the staff navigation")
	}
}

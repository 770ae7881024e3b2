package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/web"
)

func TestAdminPages(t *testing.T) {
	t.Parallel()
	w := newAccountWorld(t)
	admin := w.signedInAs(t, amparo.RoleProgramAdmin, "")

	res, _ := admin.post("/organizations", url.Values{"name": {"Defensa Ejemplo"}, "kind": {"nonprofit"}, "languages": {"en, es"}, "capacity": {"12"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("create organization: %d", res.StatusCode)
	}
	orgPath := res.Header.Get("Location")
	if res, body := admin.post("/organizations", url.Values{"name": {"Defensa Ejemplo"}, "kind": {"nonprofit"}, "languages": {"en"}}); res.StatusCode != 422 || !strings.Contains(body, `href="#name"`) {
		t.Fatalf("duplicate name: %d", res.StatusCode)
	}
	// Invite an organization admin: the organization's page shows the link,
	// and keeps showing it when the admin switches language.
	res, _ = admin.post(orgPath+"/invitations", url.Values{"email": {"lead@defensa.example"}, "role": {"org_admin"}})
	wantRedirect(t, res, orgPath)
	_, body := admin.get(orgPath)
	link := regexp.MustCompile(`<code id="invite-url">[^<]*(/invite/[A-Za-z0-9_-]+)</code>`).FindStringSubmatch(body)
	if link == nil {
		t.Fatalf("invitation: no link\n%s", body)
	}
	if _, es := admin.get(orgPath + "?lang=es"); !strings.Contains(es, link[1]) {
		t.Fatalf("switching language lost the invitation's link:\n%s", es)
	}
	if _, body := w.browser(t).get(link[1]); !strings.Contains(body, "lead@defensa.example") {
		t.Fatal("the invitation link does not open")
	}

	// The organization's admin adds a member, who can then be suspended.
	orgAdmin := w.signedInAs(t, amparo.RoleOrgAdmin, strings.TrimPrefix(orgPath, "/organizations/"))
	member := url.Values{"name": {"Lic. Rosa Ficticia"}, "kind": {"attorney"}, "bar_jurisdiction": {"CA"}, "bar_number": {"900777"},
		"languages": {"es"}, "public_phone": {"+1 213 555 0155"}}
	if res, _ := orgAdmin.post(orgPath+"/members", member); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("add member: %d", res.StatusCode)
	}
	member.Set("public_phone", "")
	member.Set("bar_number", "900778")
	if res, body := orgAdmin.post(orgPath+"/members", member); res.StatusCode != 422 || !strings.Contains(body, `href="#public_phone"`) {
		t.Fatalf("member without a phone: %d", res.StatusCode)
	}
	ms, _, _ := w.db.FindMembers(system, amparo.MemberFilter{OrganizationID: strings.TrimPrefix(orgPath, "/organizations/")})
	if len(ms) != 1 {
		t.Fatalf("%d members", len(ms))
	}
	// Suspending is confirmed first (TestPeople_* test the page itself).
	if res, _ := orgAdmin.post("/members/"+ms[0].ID+"/suspend", url.Values{"confirmed": {"1"}, "seen": {web.MemberSeen(ms[0])}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("suspend: %d", res.StatusCode)
	}
	if m, _ := w.db.FindMemberByID(system, ms[0].ID); m.Status != amparo.MemberSuspended {
		t.Fatal("the member is not suspended")
	}

	// Settings: a bad verify URL is refused, a good change is kept.
	settings := url.Values{"name": {"Programa Ejemplo"}, "jurisdiction": {"Ciudad Ejemplo"}, "letter_capacity": {"500"},
		"letter_validity_days": {"365"}, "languages": {"en, es"}, "verify_url": {"ftp://x"}, "time_zone": {"America/Los_Angeles"}}
	if res, body := admin.post("/settings", settings); res.StatusCode != 422 || !strings.Contains(body, `href="#verify_url"`) {
		t.Fatalf("bad verify URL: %d", res.StatusCode)
	}
	settings.Set("verify_url", "https://amparo.example.org/v")
	settings.Set("time_zone", "Mars/Olympus_Mons")
	if res, body := admin.post("/settings", settings); res.StatusCode != 422 || !strings.Contains(body, `href="#time_zone"`) ||
		!strings.Contains(body, `value="Mars/Olympus_Mons"`) {
		t.Fatalf("bad time zone: %d", res.StatusCode)
	}
	settings.Set("time_zone", "America/Los_Angeles")
	if res, _ := admin.post("/settings", settings); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("settings: %d", res.StatusCode)
	}
	if p, _ := w.db.FindProgram(system); p.VerifyURL != "https://amparo.example.org/v" || p.TimeZone != "America/Los_Angeles" {
		t.Fatal("settings not saved")
	}

	// The auditor sees those changes, filtered.
	auditor := w.signedInAs(t, amparo.RoleAuditor, "")
	// Actions are named in words, from the catalog.
	if _, body := auditor.get("/audit?action=member.suspend"); !strings.Contains(body, "<td data-label=\"Action\">Member suspended</td>") || strings.Contains(body, "Program settings changed</td>") {
		t.Fatal("the audit filter does not work")
	}
}

func TestAdminPages_OrganizationCapacity(t *testing.T) {
	t.Parallel()
	w := newAccountWorld(t)
	orgAdmin := w.signedInAs(t, amparo.RoleOrgAdmin, w.org.ID)
	if res, _ := orgAdmin.post("/organizations/"+w.org.ID, url.Values{"capacity": {"40"}, "languages": {"en, es, ht"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("update: %d", res.StatusCode)
	}
	o, _ := w.db.FindOrganizationByID(system, w.org.ID)
	if o.Capacity != 40 || len(o.Languages) != 3 {
		t.Fatalf("organization %+v", o)
	}
	if res, body := orgAdmin.post("/organizations/"+w.org.ID, url.Values{"capacity": {"-1"}, "languages": {"en"}}); res.StatusCode != 422 || !strings.Contains(body, `href="#capacity"`) {
		t.Fatalf("negative capacity: %d", res.StatusCode)
	}
}

func TestAdminPages_SuspendAccount(t *testing.T) {
	t.Parallel()
	w := newAccountWorld(t)
	orgAdmin := w.signedInAs(t, amparo.RoleOrgAdmin, w.org.ID)
	staff := w.signedInAs(t, amparo.RoleIntake, w.org.ID)
	if res, _ := staff.get("/clients"); res.StatusCode != 200 {
		t.Fatalf("intake before suspension: %d", res.StatusCode)
	}
	accounts, _ := w.db.FindAccounts(system, w.org.ID)
	var id string
	for _, a := range accounts {
		if a.Role == amparo.RoleIntake {
			id = a.ID
		}
	}
	// The organization's accounts are a list of their own, linked from its page.
	if _, body := orgAdmin.get("/organizations/" + w.org.ID + "/accounts"); !strings.Contains(body, "/accounts/"+id+"/suspend") {
		t.Fatal("the organization's accounts page does not offer to suspend the account")
	}
	a, _ := w.db.FindAccountByID(system, id)
	confirmed := url.Values{"confirmed": {"1"}, "seen": {web.AccountSeen(a)}}
	if res, _ := staff.post("/accounts/"+id+"/suspend", confirmed); res.StatusCode != http.StatusForbidden {
		t.Fatalf("suspending oneself as intake: %d", res.StatusCode)
	}
	if res, _ := orgAdmin.post("/accounts/"+id+"/suspend", confirmed); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("suspend: %d", res.StatusCode)
	}
	if res, _ := staff.get("/clients"); res.StatusCode == 200 {
		t.Fatal("a suspended account still works")
	}
}

package web_test

import (
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/web"
)

// banner follows a redirect and returns the text of the page's success
// banner, "" when there is none.
func (b *browser) banner(res *http.Response) (string, string) {
	b.t.Helper()
	if res.StatusCode != http.StatusSeeOther {
		b.t.Fatalf("%d, want a redirect", res.StatusCode)
	}
	_, body := b.get(res.Header.Get("Location"))
	m := regexp.MustCompile(`(?s)<div class="banner success" role="status" id="banner"><p>(.*?)</p>`).FindStringSubmatch(body)
	if m == nil {
		return "", body
	}
	return html.UnescapeString(m[1]), body
}

func accountByEmail(t *testing.T, w *accountWorld, org, email string) *amparo.Account {
	t.Helper()
	as, _ := w.db.FindAccounts(system, org)
	for _, a := range as {
		if a.Email == email {
			return a
		}
	}
	t.Fatalf("no account %s", email)
	return nil
}

// TestPeople_ProgramInvitations: the program office invites a
// program-level role from the web app, sees the link to copy, download
// or print, lists the pending invitation and cancels another through its
// confirmation page.
func TestPeople_ProgramInvitations(t *testing.T) {
	t.Parallel()
	w := newAccountWorld(t)
	admin := w.signedInAs(t, amparo.RoleProgramAdmin, "")
	_, body := admin.get("/accounts")
	for _, r := range amparo.ProgramRoles {
		if !strings.Contains(body, `<option value="`+string(r)+`"`) {
			t.Errorf("the program office cannot invite %s", r)
		}
	}
	if strings.Contains(body, `<option value="intake"`) {
		t.Error("an organization role is offered without an organization")
	}
	res, _ := admin.post("/accounts/invitations", url.Values{"email": {"olga.auditora@example.org"}, "role": {"auditor"}})
	said, body := admin.banner(res)
	if !strings.Contains(said, "olga.auditora@example.org") || !strings.Contains(said, "auditor") {
		t.Fatalf("banner %q", said)
	}
	link := regexp.MustCompile(`<code id="invite-url">[^<]*(/invite/[A-Za-z0-9_-]+)</code>`).FindStringSubmatch(body)
	if link == nil || !strings.Contains(body, `data-copy="invite-url"`) || !strings.Contains(body, `class="notice printable"`) {
		t.Fatalf("no link to copy and print:\n%s", body)
	}
	res, file := admin.get("/accounts/invitation.txt")
	if res.StatusCode != 200 || !strings.Contains(file, link[1]) || !strings.Contains(res.Header.Get("Content-Disposition"), "amparo-invitation.txt") {
		t.Fatalf("download: %d %q", res.StatusCode, file)
	}
	// A bad address is refused with what was typed kept.
	res, body = admin.post("/accounts/invitations", url.Values{"email": {"no es correo"}, "role": {"fund_officer"}})
	if res.StatusCode != 422 || !strings.Contains(body, `href="#email"`) || !strings.Contains(body, `value="no es correo"`) ||
		!strings.Contains(body, `<option value="fund_officer" selected>`) {
		t.Fatalf("bad email: %d", res.StatusCode)
	}

	other := &amparo.Invitation{Email: "equivocada@example.org", Role: amparo.RoleFundOfficer}
	if err := w.db.CreateInvitation(system, other); err != nil {
		t.Fatal(err)
	}
	_, body = admin.get("/accounts/invitations")
	if !strings.Contains(body, "olga.auditora@example.org") || !strings.Contains(body, "equivocada@example.org") || !strings.Contains(body, `id="list-count">1–2 of 2`) {
		t.Fatalf("pending invitations:\n%s", body)
	}
	cancel := "/accounts/invitations/" + other.ID + "/cancel"
	res, body = admin.get(cancel)
	if res.StatusCode != 200 || !strings.Contains(body, `id="confirm-title"`) || !strings.Contains(body, "equivocada@example.org") ||
		!strings.Contains(body, `href="/accounts/invitations" id="confirm-cancel"`) {
		t.Fatalf("confirmation: %d\n%s", res.StatusCode, body)
	}
	if _, err := w.db.FindInvitation(system, other.Token); err != nil {
		t.Fatal("showing the confirmation changed the invitation")
	}
	res, _ = admin.post(cancel, url.Values{"confirmed": {"1"}, "seen": {other.ID}})
	if said, _ := admin.banner(res); !strings.Contains(said, "equivocada@example.org") {
		t.Fatalf("banner %q", said)
	}
	if _, err := w.db.FindInvitation(system, other.Token); amparo.ErrorCode(err) != amparo.ENOTFOUND {
		t.Fatal("a cancelled invitation still works")
	}
	// Replayed: nothing to cancel, said in the reader's language.
	if res, body := admin.post(cancel+"?lang=es", url.Values{"confirmed": {"1"}, "seen": {other.ID}}); res.StatusCode != 404 || !strings.Contains(body, "ya no está pendiente") {
		t.Fatalf("replayed cancellation: %d", res.StatusCode)
	}
}

// TestPeople_OrganizationAdminScope: an organization admin invites only
// its organization's roles, and suspends no other organization's account.
func TestPeople_OrganizationAdminScope(t *testing.T) {
	t.Parallel()
	w := newAccountWorld(t)
	other := &amparo.Organization{Name: "Otro Centro Ejemplo", Kind: amparo.OrgLawFirm, Languages: []string{"en"}}
	if err := w.db.CreateOrganization(system, other); err != nil {
		t.Fatal(err)
	}
	orgAdmin := w.signedInAs(t, amparo.RoleOrgAdmin, w.org.ID)
	w.signedInAs(t, amparo.RoleIntake, other.ID)
	foreign, _ := w.db.FindAccounts(system, other.ID)

	_, body := orgAdmin.get("/organizations/" + w.org.ID)
	if strings.Contains(body, `<option value="auditor"`) || strings.Contains(body, `<option value="program_admin"`) || !strings.Contains(body, `<option value="intake"`) {
		t.Fatal("the invitation form offers roles the organization admin cannot invite")
	}
	// A program role with an organization is not a role at all (422);
	// either way, nothing is made.
	if res, _ := orgAdmin.post("/organizations/"+w.org.ID+"/invitations", url.Values{"email": {"x@example.org"}, "role": {"auditor"}}); res.StatusCode == http.StatusSeeOther {
		t.Fatalf("an organization admin invited an auditor: %d", res.StatusCode)
	}
	if _, n, _ := w.db.FindInvitations(system, amparo.InvitationFilter{OrganizationID: w.org.ID}); n != 0 {
		t.Fatalf("%d invitations made", n)
	}
	if res, _ := orgAdmin.post("/accounts/invitations", url.Values{"email": {"x@example.org"}, "role": {"auditor"}}); res.StatusCode != http.StatusForbidden {
		t.Fatalf("an organization admin used the program's invitations: %d", res.StatusCode)
	}
	if _, n, _ := w.db.FindInvitations(system, amparo.InvitationFilter{}); n != 0 {
		t.Fatalf("%d program-level invitations made", n)
	}
	if res, _ := orgAdmin.get("/accounts/" + foreign[0].ID + "/suspend"); res.StatusCode != http.StatusForbidden {
		t.Fatalf("confirmation for another organization's account: %d", res.StatusCode)
	}
	if res, _ := orgAdmin.post("/accounts/"+foreign[0].ID+"/suspend", url.Values{"confirmed": {"1"}, "seen": {web.AccountSeen(foreign[0])}}); res.StatusCode != http.StatusForbidden {
		t.Fatalf("suspended another organization's account: %d", res.StatusCode)
	}
	if a, _ := w.db.FindAccountByID(system, foreign[0].ID); a.Status != amparo.AccountActive {
		t.Fatal("another organization's account was suspended")
	}
	if res, _ := orgAdmin.get("/organizations/" + other.ID + "/accounts"); res.StatusCode != http.StatusForbidden {
		t.Fatalf("another organization's accounts: %d", res.StatusCode)
	}
	// Its own account has no suspend button.
	self := accountsOfRole(t, w, w.org.ID, amparo.RoleOrgAdmin)
	if _, body := orgAdmin.get("/organizations/" + w.org.ID + "/accounts"); strings.Contains(body, "/accounts/"+self+"/suspend") {
		t.Fatal("an admin is offered to suspend their own account")
	}
}

func accountsOfRole(t *testing.T, w *accountWorld, org string, r amparo.Role) string {
	t.Helper()
	as, _ := w.db.FindAccounts(system, org)
	for _, a := range as {
		if a.Role == r {
			return a.ID
		}
	}
	t.Fatalf("no %s", r)
	return ""
}

// TestPeople_SuspendAndReactivate: suspending asks first and says what
// will happen; going back changes nothing; a stale confirmation changes
// nothing; reactivating undoes it; each says it was done.
func TestPeople_SuspendAndReactivate(t *testing.T) {
	t.Parallel()
	w := newAccountWorld(t)
	orgAdmin := w.signedInAs(t, amparo.RoleOrgAdmin, w.org.ID)
	staff := w.signedInAs(t, amparo.RoleIntake, w.org.ID)
	id := accountsOfRole(t, w, w.org.ID, amparo.RoleIntake)

	res, body := orgAdmin.get("/accounts/" + id + "/suspend")
	if res.StatusCode != 200 || !strings.Contains(body, `id="confirm-what"`) || !strings.Contains(body, `href="/organizations/`+w.org.ID+`/accounts" id="confirm-cancel"`) {
		t.Fatalf("confirmation: %d\n%s", res.StatusCode, body)
	}
	seen := regexp.MustCompile(`name="seen" value="([^"]+)"`).FindStringSubmatch(body)[1]
	if res, _ := staff.get("/clients"); res.StatusCode != 200 {
		t.Fatal("showing the confirmation suspended the account")
	}
	res, _ = orgAdmin.post("/accounts/"+id+"/suspend", url.Values{"confirmed": {"1"}, "seen": {seen}})
	if said, body := orgAdmin.banner(res); !strings.Contains(said, "Cuenta Ejemplo") || !strings.Contains(body, `id="reactivate-`+id+`"`) {
		t.Fatalf("banner %q", said)
	}
	if res, _ := staff.get("/clients"); res.StatusCode == 200 {
		t.Fatal("a suspended account still works")
	}
	res, _ = orgAdmin.post("/accounts/"+id+"/reactivate", nil)
	if said, _ := orgAdmin.banner(res); !strings.Contains(said, "active again") {
		t.Fatalf("banner %q", said)
	}
	// The same confirmation, replayed after the account changed: nothing.
	if res, body := orgAdmin.post("/accounts/"+id+"/suspend?lang=es", url.Values{"confirmed": {"1"}, "seen": {seen}}); res.StatusCode != http.StatusConflict ||
		!strings.Contains(body, "No se hizo nada") {
		t.Fatalf("stale confirmation: %d", res.StatusCode)
	}
	if a, _ := w.db.FindAccountByID(system, id); a.Status != amparo.AccountActive {
		t.Fatal("a stale confirmation suspended the account")
	}
	orgAdmin.get("/dashboard?lang=en")
	events, _, _ := w.db.FindAuditEvents(system, amparo.AuditFilter{Action: amparo.AuditAccountReactivate, RecordID: id})
	if len(events) != 1 {
		t.Fatal("reactivating is not audited")
	}

	// A member, the same way, from the organization's page.
	m := &amparo.Member{OrganizationID: w.org.ID, Name: "Lic. Rosa Ficticia", Kind: amparo.MemberAttorney, BarJurisdiction: "CA", BarNumber: "900777",
		Languages: []string{"es"}, PublicPhone: "+1 213 555 0155"}
	if err := w.db.CreateMember(system, m); err != nil {
		t.Fatal(err)
	}
	if _, body := orgAdmin.get("/organizations/" + w.org.ID); !strings.Contains(body, `href="/members/`+m.ID+`/suspend"`) {
		t.Fatal("the organization page does not offer to suspend the member")
	}
	res, body = orgAdmin.get("/members/" + m.ID + "/suspend")
	if res.StatusCode != 200 || !strings.Contains(body, "Lic. Rosa Ficticia") {
		t.Fatalf("member confirmation: %d", res.StatusCode)
	}
	m, _ = w.db.FindMemberByID(system, m.ID)
	res, _ = orgAdmin.post("/members/"+m.ID+"/suspend", url.Values{"confirmed": {"1"}, "seen": {web.MemberSeen(m)}})
	if said, body := orgAdmin.banner(res); !strings.Contains(said, "Lic. Rosa Ficticia is suspended") || !strings.Contains(body, `id="reactivate-member-`+m.ID+`"`) {
		t.Fatalf("banner %q", said)
	}
	res, _ = orgAdmin.post("/members/"+m.ID+"/reactivate", nil)
	if said, _ := orgAdmin.banner(res); !strings.Contains(said, "active again") {
		t.Fatalf("banner %q", said)
	}
	if m, _ := w.db.FindMemberByID(system, m.ID); m.Status != amparo.MemberActive {
		t.Fatal("the member is not active again")
	}
}

// TestPeople_Banners: saving an organization, the settings, adding and
// linking a member each say so.
func TestPeople_Banners(t *testing.T) {
	t.Parallel()
	w := newAccountWorld(t)
	admin := w.signedInAs(t, amparo.RoleProgramAdmin, "")
	res, _ := admin.post("/organizations/"+w.org.ID, url.Values{"capacity": {"40"}, "languages": {"en, es"}})
	if said, _ := admin.banner(res); !strings.Contains(said, "Centro Legal Ejemplo") {
		t.Fatalf("organization saved: %q", said)
	}
	res, _ = admin.post("/settings", url.Values{"name": {"Programa Ejemplo"}, "jurisdiction": {"Ciudad Ejemplo"}, "letter_capacity": {"500"},
		"letter_validity_days": {"365"}, "languages": {"en, es"}, "verify_url": {"https://amparo.example.org/v"}, "time_zone": {"America/Los_Angeles"}})
	if said, _ := admin.banner(res); said == "" {
		t.Fatal("settings saved: no banner")
	}
	res, _ = admin.post("/organizations/"+w.org.ID+"/members", url.Values{"name": {"Lic. Tomás Ficticio"}, "kind": {"attorney"}, "bar_jurisdiction": {"CA"},
		"bar_number": {"900778"}, "languages": {"es"}, "public_phone": {"+1 213 555 0156"}})
	if said, _ := admin.banner(res); !strings.Contains(said, "Lic. Tomás Ficticio") {
		t.Fatalf("member added: %q", said)
	}
	w.signedInAs(t, amparo.RoleMember, w.org.ID)
	ms, _, _ := w.db.FindMembers(system, amparo.MemberFilter{OrganizationID: w.org.ID})
	res, _ = admin.post("/members/"+ms[0].ID+"/account", url.Values{"account": {accountsOfRole(t, w, w.org.ID, amparo.RoleMember)}})
	if said, _ := admin.banner(res); !strings.Contains(said, "linked") {
		t.Fatalf("member linked: %q", said)
	}
}

// TestPeople_Lists: organizations, members and accounts count, page,
// sort and search; bad input is a clear answer, never a 500.
func TestPeople_Lists(t *testing.T) {
	t.Parallel()
	w := newAccountWorld(t)
	admin := w.signedInAs(t, amparo.RoleProgramAdmin, "")
	for i := range 52 {
		o := &amparo.Organization{Name: fmt.Sprintf("Organización Ejemplo %02d", i), Kind: amparo.OrgNonprofit, Languages: []string{"es"}, Capacity: i}
		if err := w.db.CreateOrganization(system, o); err != nil {
			t.Fatal(err)
		}
	}
	_, body := admin.get("/organizations")
	if !strings.Contains(body, `id="list-count">1–50 of 53`) || !strings.Contains(body, `rel="next"`) {
		t.Fatalf("organizations, first page:\n%s", body)
	}
	_, body = admin.get("/organizations?page=2")
	if !strings.Contains(body, `id="list-count">51–53 of 53`) || !strings.Contains(body, "Organización Ejemplo 51") {
		t.Fatal("organizations, last page")
	}
	_, body = admin.get("/organizations?sort=-capacity")
	if i, j := strings.Index(body, "Organización Ejemplo 51"), strings.Index(body, "Organización Ejemplo 50"); i < 0 || j < 0 || i > j {
		t.Fatal("organizations by capacity, descending")
	}
	_, body = admin.get("/organizations?q=ejemplo+07")
	if !strings.Contains(body, `id="list-count">1–1 of 1`) || !strings.Contains(body, `href="/organizations/`) {
		t.Fatal("organizations searched")
	}
	for path, want := range map[string]int{"/organizations?page=9": 404, "/organizations?page=-1": 400, "/organizations?sort=contact_email": 400,
		"/organizations?q=%ff": 400, "/accounts?sort=password_hash": 400, "/organizations/" + w.org.ID + "?sort=bar_number": 400,
		"/accounts/invitations?page=3": 404} {
		if res, _ := admin.get(path); res.StatusCode != want {
			t.Errorf("%s: %d, want %d", path, res.StatusCode, want)
		}
	}
	_, body = admin.get("/accounts?q=cuenta")
	if !strings.Contains(body, `id="list-count">1–1 of 1`) {
		t.Fatal("program accounts searched")
	}
	_, body = admin.get("/organizations/" + w.org.ID + "/accounts")
	if !strings.Contains(body, `id="list-count">`) {
		t.Fatal("no count on the organization's accounts")
	}
}

// TestPeople_RecoveryCodesLeft: signing in with a recovery code says how
// many are left, in the reader's language, and warns when few are.
func TestPeople_RecoveryCodesLeft(t *testing.T) {
	t.Parallel()
	w := newAccountWorld(t)
	b := w.browser(t)
	email, password, _, _ := w.enroll(t, b)
	_, body := b.get("/account/recovery")
	if !strings.Contains(body, `data-copy="recovery-codes"`) || !strings.Contains(body, "data-print") {
		t.Fatal("the recovery codes cannot be copied or printed")
	}
	codes := regexp.MustCompile(`<li><code>([a-z0-9-]+)</code></li>`).FindAllStringSubmatch(body, -1)
	b.post("/account/recovery", nil)
	signIn := func(code, lang string) string {
		t.Helper()
		b.post("/signout", nil)
		res, _ := b.post("/signin", url.Values{"email": {email}, "password": {password}})
		wantRedirect(t, res, "/signin/code")
		res, _ = b.post("/signin/code?lang="+lang, url.Values{"code": {code}})
		said, _ := b.banner(res)
		return said
	}
	if said := signIn(codes[0][1], "en"); !strings.Contains(said, "You have 9 recovery codes left") {
		t.Fatalf("after one code: %q", said)
	}
	if said := signIn(codes[1][1], "es"); !strings.Contains(said, "Le quedan 8 códigos") {
		t.Fatalf("in Spanish: %q", said)
	}
	for _, c := range codes[2:7] {
		signIn(c[1], "en")
	}
	if said := signIn(codes[7][1], "en"); !strings.Contains(said, "Only 2 recovery codes are left") {
		t.Fatalf("few left: %q", said)
	}
	b.post("/signout", nil)
	res, _ := b.post("/signin", url.Values{"email": {email}, "password": {password}})
	wantRedirect(t, res, "/signin/code")
}

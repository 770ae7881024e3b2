package web_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/auth"
	"github.com/amparo-project/amparo/internal/browsertest"
	"github.com/amparo-project/amparo/internal/testenv"
)

// TestPeople_Journey walks people and access in Chromium on a 375-pixel
// phone, as the program office and an organization's admin would: invite
// an auditor, see the banner and the pending invitation, cancel another
// (going back first changes nothing), invite intake staff, suspend an
// account through its confirmation and reactivate it; then sign in with a
// recovery code and be told how many are left. Every page of the area
// passes axe in English and Spanish, and none scrolls sideways.
func TestPeople_Journey(t *testing.T) {
	t.Parallel()
	w := newAccountWorld(t)
	base := strings.Replace(w.ts.URL, "127.0.0.1", "localhost", 1)
	ctx := browsertest.Start(t, nil, chromedp.EmulateViewport(375, 812))
	admin := w.signedInAs(t, amparo.RoleProgramAdmin, "")
	orgAdmin := w.signedInAs(t, amparo.RoleOrgAdmin, w.org.ID)
	w.signedInAs(t, amparo.RoleIntake, w.org.ID)
	staffID := accountsOfRole(t, w, w.org.ID, amparo.RoleIntake)
	wrong := &amparo.Invitation{Email: "equivocada@example.org", Role: amparo.RoleFundOfficer}
	if err := w.db.CreateInvitation(system, wrong); err != nil {
		t.Fatal(err)
	}
	banner := func(want string) {
		t.Helper()
		if got := waitFor(ctx, `(document.getElementById('banner') || {}).textContent || ''`, want); !strings.Contains(got, want) {
			t.Fatalf("banner %q, want %q", got, want)
		}
	}
	narrow := func() {
		t.Helper()
		waitFor(ctx, `document.readyState`, "complete") // measured with its styles applied
		if wide := eval[int](t, ctx, `document.documentElement.scrollWidth`); wide > 375 {
			t.Errorf("%s is %d pixels wide on a 375-pixel phone", eval[string](t, ctx, `location.pathname`), wide)
		}
	}

	// The program office invites an auditor.
	do(t, ctx, setCookie(base, "__Host-session", admin.session()), chromedp.Navigate(base+"/organizations"),
		chromedp.Click("#program-accounts"), chromedp.WaitVisible("#invite-submit"), chromedp.SendKeys("#email", "olga.auditora@example.org"),
		chromedp.SetValue("#role", "auditor"), chromedp.Click("#invite-submit"), chromedp.WaitVisible("#banner"))
	banner("olga.auditora@example.org")
	narrow()
	if link := eval[string](t, ctx, `document.getElementById('invite-url').textContent`); !strings.Contains(link, "/invite/") {
		t.Fatalf("invitation link %q", link)
	}
	if eval[bool](t, ctx, `document.querySelector('[data-copy="invite-url"]').hidden`) {
		t.Fatal("the copy button stays hidden with JavaScript on")
	}
	// The pending invitations: both, then one cancelled.
	do(t, ctx, chromedp.Click("#invitations-link"), chromedp.WaitVisible("#invitations"))
	if text := text(t, ctx); !strings.Contains(text, "olga.auditora@example.org") || !strings.Contains(text, "equivocada@example.org") {
		t.Fatalf("pending invitations:\n%s", text)
	}
	do(t, ctx, chromedp.Click("#cancel-"+wrong.ID), chromedp.WaitVisible("#confirm-title"), chromedp.Click("#confirm-cancel"),
		chromedp.WaitVisible("#invitations"))
	if _, err := w.db.FindInvitation(system, wrong.Token); err != nil {
		t.Fatal("going back from the confirmation cancelled the invitation")
	}
	do(t, ctx, chromedp.Click("#cancel-"+wrong.ID), chromedp.WaitVisible("#confirm-title"), chromedp.Click("#confirm-button"),
		chromedp.WaitVisible("#banner"))
	banner("equivocada@example.org")
	if strings.Contains(eval[string](t, ctx, `document.getElementById('invitations') ? document.getElementById('invitations').textContent : ''`), "equivocada") {
		t.Fatal("the cancelled invitation is still listed")
	}

	// The organization's admin invites intake staff, then suspends an
	// account and reactivates it.
	do(t, ctx, setCookie(base, "__Host-session", orgAdmin.session()), chromedp.Navigate(base+"/organizations/"+w.org.ID),
		chromedp.WaitVisible("#email"), chromedp.SendKeys("#email", "nueva.recepcion@example.org"), chromedp.SetValue("#role", "intake"),
		chromedp.Submit("#email"), chromedp.WaitVisible("#banner"))
	banner("nueva.recepcion@example.org")
	narrow()
	do(t, ctx, chromedp.Click("#accounts-link"), chromedp.WaitVisible("#suspend-"+staffID), chromedp.Click("#suspend-"+staffID),
		chromedp.WaitVisible("#confirm-title"), chromedp.Click("#confirm-cancel"), chromedp.WaitVisible("#suspend-"+staffID))
	if a, _ := w.db.FindAccountByID(system, staffID); a.Status != amparo.AccountActive {
		t.Fatal("going back from the confirmation suspended the account")
	}
	do(t, ctx, chromedp.Click("#suspend-"+staffID), chromedp.WaitVisible("#confirm-title"), chromedp.Click("#confirm-button"),
		chromedp.WaitVisible("#reactivate-"+staffID))
	banner("suspended")
	narrow()
	do(t, ctx, chromedp.Click("#reactivate-"+staffID), chromedp.WaitVisible("#suspend-"+staffID))
	banner("active again")

	// Signing in with a recovery code, in Spanish, says how many are left.
	email, password := "rita.auditora@example.org", "faro verde sobre la bahía tranquila"
	inv := &amparo.Invitation{Email: email, Role: amparo.RoleAuditor}
	if err := w.db.CreateInvitation(system, inv); err != nil {
		t.Fatal(err)
	}
	hash, _ := auth.NewTestHasher().Hash(t.Context(), password)
	a, err := w.db.AcceptInvitation(system, inv.Token, "Rita Ejemplo", hash)
	if err != nil {
		t.Fatal(err)
	}
	codes, hashes := auth.NewRecoveryCodes(10)
	if err := w.db.SetTOTP(amparo.NewContextWithActor(t.Context(), a.Actor()), a.ID, "JBSWY3DPEHPK3PXP", hashes); err != nil {
		t.Fatal(err)
	}
	do(t, ctx, chromedp.Submit(`form[action="/signout"] button`), chromedp.WaitVisible("#email"), chromedp.Navigate(base+"/signin?lang=es"),
		chromedp.WaitVisible("#email"), chromedp.SendKeys("#email", email), chromedp.SendKeys("#password", password), chromedp.Submit("#email"),
		chromedp.WaitVisible("#code"), chromedp.SendKeys("#code", codes[3]), chromedp.Submit("#code"), chromedp.WaitVisible("#banner"))
	banner("Le quedan 9 códigos de recuperación")
	narrow()

	// Every page of the area, in both languages, as the program office:
	// axe finds nothing serious, nothing scrolls sideways.
	m := &amparo.Member{OrganizationID: w.org.ID, Name: "Lic. Tomás Ficticio", Kind: amparo.MemberAttorney, BarJurisdiction: "CA",
		BarNumber: "900001", Languages: []string{"es"}, PublicPhone: "+1 213 555 0142"}
	if err := w.db.CreateMember(system, m); err != nil {
		t.Fatal(err)
	}
	pending := &amparo.Invitation{Email: "pendiente@example.org", Role: amparo.RoleIntake, OrganizationID: w.org.ID}
	if err := w.db.CreateInvitation(system, pending); err != nil {
		t.Fatal(err)
	}
	// As the program office again: its browser still holds the link of
	// the invitation it made, for /accounts to show.
	do(t, ctx, setCookie(base, "__Host-session", admin.session()))
	paths := []string{"/organizations", "/accounts", "/accounts/invitations", "/accounts/invitations/" + pendingProgram(t, w) + "/cancel",
		"/organizations/" + w.org.ID, "/organizations/" + w.org.ID + "/accounts", "/organizations/" + w.org.ID + "/invitations",
		"/organizations/" + w.org.ID + "/invitations/" + pending.ID + "/cancel", "/accounts/" + staffID + "/suspend", "/members/" + m.ID + "/suspend"}
	for _, lang := range testenv.Pick(t, []string{"en", "es"}) {
		for _, path := range paths {
			do(t, ctx, chromedp.Navigate(base+path+"?lang="+lang), chromedp.WaitReady("body"))
			if got := eval[string](t, ctx, `location.pathname`); got != path {
				t.Errorf("%s: landed on %s", path, got)
				continue
			}
			narrow()
			checkAxe(t, ctx, path+" ("+lang+")")
		}
	}
}

// pendingProgram is the ID of a pending program-level invitation.
func pendingProgram(t *testing.T, w *accountWorld) string {
	t.Helper()
	invs, _, err := w.db.FindInvitations(system, amparo.InvitationFilter{Limit: 1})
	if err != nil || len(invs) == 0 {
		t.Fatalf("no pending program invitation: %v", err)
	}
	return invs[0].ID
}

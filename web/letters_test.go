package web_test

import (
	"bytes"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/internal/storetest"
	"github.com/amparo-project/amparo/qrscan"
	"github.com/amparo-project/amparo/web"
)

// memberSignedIn signs in, with the second factor, as the account linked
// to m (linking one first).
func (w *accountWorld) memberSignedIn(t *testing.T, m *amparo.Member) *browser {
	t.Helper()
	storetest.SignerFor(t, w.db, m)
	token, err := w.db.CreateSession(system, m.AccountID, true)
	if err != nil {
		t.Fatal(err)
	}
	b := w.browser(t)
	b.setCookies("/", &http.Cookie{Name: "__Host-session", Value: token, Path: "/", Secure: true})
	return b
}

// TestLetterPages: the organization's admin prepares a draft for a client
// and sends it for approval; it cannot issue it, nor can another member;
// the member named sees it awaiting them and approves it; the letter and a
// card whose QR reads back download; renewal asks first and then says what
// to give the client; the audit trail names the approver; the admin
// revokes on purpose.
func TestLetterPages(t *testing.T) {
	t.Parallel()
	w := newAccountWorld(t)
	m := w.withKeys(t)
	other := &amparo.Member{OrganizationID: w.org.ID, Name: "Atty. Grace Example", Kind: amparo.MemberAttorney, BarJurisdiction: "CA",
		BarNumber: "900002", Languages: []string{"en"}, PublicPhone: "+1 213 555 0143"}
	if err := w.db.CreateMember(system, other); err != nil {
		t.Fatal(err)
	}
	b := w.signedIn(t)
	res, _ := b.post("/clients", clientForm)
	clientPath := res.Header.Get("Location")
	_, body := b.get("/letters/new?client=" + strings.TrimPrefix(clientPath, "/clients/"))
	if !strings.Contains(body, m.ID) {
		t.Fatalf("the form does not offer the member:\n%s", body)
	}
	res, _ = b.post("/letters", url.Values{"client": {strings.TrimPrefix(clientPath, "/clients/")}, "member": {m.ID}})
	letterPath := res.Header.Get("Location")
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(letterPath, "/letters/") {
		t.Fatalf("create draft: %d %q", res.StatusCode, letterPath)
	}
	// The admin sends it for approval; the page says so and whose it is.
	if _, body := b.get(letterPath); strings.Contains(body, `action="`+letterPath+`/issue"`) || !strings.Contains(body, `id="approval-note"`) {
		t.Fatalf("the admin is offered to approve someone else's letter:\n%s", body)
	}
	res, _ = b.post(letterPath+"/submit", nil)
	wantRedirect(t, res, letterPath)
	if _, body := b.get(letterPath); !strings.Contains(body, `id="submitted"`) {
		t.Fatal("the draft does not show it was sent for approval")
	}
	// Neither the admin nor another member can issue it: refused, in the
	// reader's language, naming who can.
	tomas := w.memberSignedIn(t, m)
	res, body = b.post(letterPath+"/issue?lang=es", nil)
	if res.StatusCode != http.StatusForbidden || !strings.Contains(body, "Solo Lic. Tomás Ficticio, con su propia cuenta y su segundo factor") {
		t.Fatalf("the admin issuing: %d\n%s", res.StatusCode, body)
	}
	grace := w.memberSignedIn(t, other)
	res, body = grace.post(letterPath+"/issue?lang=en", nil)
	if res.StatusCode != http.StatusForbidden || !strings.Contains(body, "Only Lic. Tomás Ficticio, signed in as themselves with their second factor") {
		t.Fatalf("another member issuing: %d\n%s", res.StatusCode, body)
	}
	if _, body := grace.get("/letters?awaiting=1"); strings.Contains(body, letterPath) {
		t.Fatal("the letter awaits another member's approval")
	}
	// The member named sees it awaiting them, and approves it.
	if _, body := tomas.get("/dashboard"); !strings.Contains(body, `href="/letters?awaiting=1"`) {
		t.Fatal("the dashboard does not say a letter awaits approval")
	}
	if _, body := tomas.get("/letters?awaiting=1"); !strings.Contains(body, letterPath) {
		t.Fatal("the member does not see the letter awaiting their approval")
	}
	res, _ = tomas.post(letterPath+"/issue", nil)
	wantRedirect(t, res, letterPath)
	_, body = b.get(letterPath)
	if !strings.Contains(body, `id="phone-pin"`) || !strings.Contains(body, "letter.pdf") || !strings.Contains(body, `<dd id="approver">Lic. Tomás Ficticio · `) {
		t.Fatalf("issued letter page lacks the phone link, downloads or approver:\n%s", body)
	}
	l, err := w.db.FindLetterByID(system, strings.TrimPrefix(letterPath, "/letters/"))
	if err != nil {
		t.Fatal(err)
	}
	for _, doc := range []string{"letter.pdf", "card.pdf"} {
		res, pdf := b.get(letterPath + "/" + doc)
		if res.StatusCode != 200 || res.Header.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(pdf, "%PDF") {
			t.Fatalf("%s: %d %q", doc, res.StatusCode, res.Header.Get("Content-Type"))
		}
		if !testing.Short() {
			path := t.TempDir() + "/" + doc
			writeFile(t, path, []byte(pdf))
			texts, err := qrscan.FromPDF(t.Context(), path)
			if err == nil && !slices.Contains(texts, l.QR) {
				t.Fatalf("%s holds QR codes %q, not the letter's", doc, texts)
			}
		}
	}
	// The audit trail names the approver.
	auditor := w.signedInAs(t, amparo.RoleAuditor, "")
	if _, body := auditor.get("/audit?action=letter.issue&record_id=" + l.ID); !strings.Contains(body, "Lic. Tomás Ficticio (") {
		t.Fatalf("the audit page does not name the approver:\n%s", body)
	}

	// Renewal asks first, without JavaScript, and says what follows.
	if _, body := b.get(letterPath + "/renew"); strings.Contains(body, `action="`+letterPath+`/renew"`) || !strings.Contains(body, `id="renew-not-signer"`) {
		t.Fatalf("the admin is asked to renew and sign in another's name:\n%s", body)
	}
	if res, _ := b.post(letterPath+"/renew", url.Values{"confirmed": {"1"}, "seen": {web.LetterSeen(l)}}); res.StatusCode != http.StatusForbidden {
		t.Fatalf("the admin renewing: %d", res.StatusCode)
	}
	res, body = tomas.get(letterPath + "/renew")
	if res.StatusCode != 200 || !strings.Contains(body, `<form method="post" action="`+letterPath+`/renew">`) || !strings.Contains(body, `id="old-card"`) {
		t.Fatalf("renew confirmation: %d\n%s", res.StatusCode, body)
	}
	res, _ = tomas.post(letterPath+"/renew", url.Values{"confirmed": {"1"}, "seen": {seenOf(t, body)}})
	next := res.Header.Get("Location")
	if res.StatusCode != http.StatusSeeOther || !strings.HasSuffix(next, "?renewed=1") || strings.HasPrefix(next, letterPath) {
		t.Fatalf("renew: %d to %q", res.StatusCode, next)
	}
	nextPath := strings.TrimSuffix(next, "?renewed=1")
	if _, body := tomas.get(next); !strings.Contains(body, `id="renewed"`) || !strings.Contains(body, `href="`+nextPath+`/card.pdf"`) ||
		!strings.Contains(body, `id="approver"`) {
		t.Fatalf("after renewing, the page does not say to print the new card:\n%s", body)
	}
	if old, _ := w.db.FindLetterByID(system, l.ID); old.Status != amparo.LetterSuperseded || old.RevokedAt != (time.Time{}) {
		t.Fatalf("the old letter is %s", old.Status)
	}

	// Revoking needs a reason; the admin revokes the renewal on purpose.
	// The form warns first that the client's earlier card, still valid,
	// stops working too; afterwards the page says it was revoked with it.
	if _, body := b.get(nextPath + "?lang=en"); !strings.Contains(body, `id="revoke-earlier"`) || !strings.Contains(body, "earlier card of this letter") {
		t.Fatalf("the revoke form does not warn about the earlier card:\n%s", body)
	}
	if _, body := b.get(nextPath + "?lang=es"); !strings.Contains(body, "tarjeta anterior de esta carta") {
		t.Fatal("the warning is not in Spanish")
	}
	if res, body := b.post(nextPath+"/revoke", url.Values{"reason": {""}}); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `href="#reason"`) {
		t.Fatalf("revoke without a reason: %d", res.StatusCode)
	}
	res, body = b.post(nextPath+"/revoke", url.Values{"reason": {"Representation ended"}})
	if res.StatusCode != 200 || !strings.Contains(body, `id="confirm-title"`) {
		t.Fatalf("revoke asks first: %d", res.StatusCode)
	}
	if res, _ := b.post(nextPath+"/revoke", url.Values{"reason": {"Representation ended"}, "confirmed": {"1"}, "seen": {seenOf(t, body)}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("revoke: %d", res.StatusCode)
	}
	if _, body := b.get(nextPath); !regexp.MustCompile(`Revoked|Revocada`).MatchString(body) ||
		!strings.Contains(body, `id="revoked-with"`) || !strings.Contains(body, `id="revoked-on"`) || !strings.Contains(body, "se revocó junto con esta carta") {
		t.Fatalf("the letter page does not say revoked, with the earlier card:\n%s", body)
	}
	if _, body := b.get(nextPath + "?lang=en"); !strings.Contains(body, "was revoked along with this letter") || strings.Contains(body, `id="revoke-earlier"`) {
		t.Fatal("the revoked letter's page in English")
	}
	if old, _ := w.db.FindLetterByID(system, l.ID); old.Status != amparo.LetterRevoked || old.RevokeReason != "Representation ended" {
		t.Fatalf("the earlier letter is %s after revoking its renewal", old.Status)
	}
	if res, _ := b.get(nextPath + "/letter.pdf"); res.StatusCode == 200 {
		t.Fatal("a revoked letter still downloads")
	}
}

// TestOrganizationPage_LinksMembersToAccounts: an admin invites a person
// for a member record, and links another member to an existing account;
// the page shows each member's account. The walk-through's attack is
// refused: the admin cannot link their own account to an attorney's record,
// nor move or undo a link once made; the program office can.
func TestOrganizationPage_LinksMembersToAccounts(t *testing.T) {
	t.Parallel()
	w := newAccountWorld(t)
	m := w.withKeys(t)
	admin := w.signedIn(t)
	orgPath := "/organizations/" + w.org.ID
	res, _ := admin.post(orgPath+"/invitations", url.Values{"email": {"tomas@centro-ejemplo.example"}, "role": {"member"}, "member_id": {m.ID}})
	_, body := admin.get(orgPath)
	link := regexp.MustCompile(`/invite/([A-Za-z0-9_-]+)`).FindStringSubmatch(body)
	if res.StatusCode != http.StatusSeeOther || link == nil {
		t.Fatalf("invite for a member record: %d", res.StatusCode)
	}
	if _, err := w.db.AcceptInvitation(system, link[1], "Tomás Ficticio", "$argon2id$unused"); err != nil {
		t.Fatal(err)
	}
	got, _ := w.db.FindMemberByID(system, m.ID)
	if got.AccountID == "" {
		t.Fatal("accepting the invitation did not link the member")
	}
	if _, body := admin.get(orgPath); !strings.Contains(body, `<span class="linked" data-member="`+m.ID+`">Tomás Ficticio</span>`) ||
		strings.Contains(body, `id="account-`+m.ID+`"`) {
		t.Fatalf("the page does not show the linked account, or offers to change it:\n%s", body)
	}
	accounts, _ := w.db.FindAccounts(system, w.org.ID)
	var rosa string
	for _, a := range accounts {
		if a.Email == "rosa@centro-ejemplo.example" {
			rosa = a.ID
		}
	}
	// The attack: the admin links her own account to another attorney's
	// record. The form does not offer it, and the store refuses it.
	m2 := &amparo.Member{OrganizationID: w.org.ID, Name: "Lic. Irene Muestra", Kind: amparo.MemberAttorney, BarJurisdiction: "CA",
		BarNumber: "900002", Languages: []string{"es"}, PublicPhone: "+1 213 555 0143"}
	if err := w.db.CreateMember(system, m2); err != nil {
		t.Fatal(err)
	}
	if _, body := admin.get(orgPath); strings.Contains(body, `<option value="`+rosa+`"`) {
		t.Fatal("the form offers the admin's own account for a member record")
	}
	res, body = admin.post("/members/"+m2.ID+"/account?lang=es", url.Values{"account": {rosa}})
	if res.StatusCode != 422 || !strings.Contains(body, `href="#account_id"`) || !strings.Contains(body, "la persona que firma") {
		t.Fatalf("linking the admin's own account: %d\n%s", res.StatusCode, body)
	}
	if got, _ := w.db.FindMemberByID(system, m2.ID); got.AccountID != "" {
		t.Fatal("the admin's account was linked to an attorney's record")
	}
	// Relinking or unlinking a record already linked is refused, in the
	// reader's language, and the attorney stays linked.
	spare := &amparo.Invitation{Email: "otra@centro-ejemplo.example", Role: amparo.RoleMember, OrganizationID: w.org.ID}
	w.db.CreateInvitation(system, spare)
	other, _ := w.db.AcceptInvitation(system, spare.Token, "Otra Cuenta Ejemplo", "$argon2id$unused")
	for _, account := range []string{other.ID, ""} {
		res, body = admin.post("/members/"+m.ID+"/account?lang=es", url.Values{"account": {account}})
		if res.StatusCode != 422 || !strings.Contains(body, "ya está vinculado a otra cuenta") || !strings.Contains(body, "oficina del programa") {
			t.Fatalf("relinking %q: %d\n%s", account, res.StatusCode, body)
		}
		if got2, _ := w.db.FindMemberByID(system, m.ID); got2.AccountID != got.AccountID {
			t.Fatal("the attorney's account was unlinked")
		}
	}
	res, body = admin.post("/members/"+m.ID+"/account?lang=en", url.Values{"account": {other.ID}})
	if res.StatusCode != 422 || !strings.Contains(body, "already linked to another account") {
		t.Fatalf("relinking in English: %d", res.StatusCode)
	}
	// An unlinked record is linked to a member account by choosing it.
	res, _ = admin.post("/members/"+m2.ID+"/account", url.Values{"account": {other.ID}})
	wantRedirect(t, res, orgPath)
	if got2, _ := w.db.FindMemberByID(system, m2.ID); got2.AccountID != other.ID {
		t.Fatal("not linked")
	}
	// The program office unlinks and links again.
	office := w.signedInAs(t, amparo.RoleProgramAdmin, "")
	res, _ = office.post("/members/"+m.ID+"/account", url.Values{"account": {""}})
	wantRedirect(t, res, orgPath)
	if got2, _ := w.db.FindMemberByID(system, m.ID); got2.AccountID != "" {
		t.Fatal("not unlinked")
	}
	res, _ = office.post("/members/"+m.ID+"/account", url.Values{"account": {got.AccountID}})
	wantRedirect(t, res, orgPath)
	if got2, _ := w.db.FindMemberByID(system, m.ID); got2.AccountID != got.AccountID {
		t.Fatal("not linked")
	}
	// An intake account cannot be linked: the error is said on the page.
	m3 := &amparo.Member{OrganizationID: w.org.ID, Name: "Lic. Nora Ejemplar", Kind: amparo.MemberAttorney, BarJurisdiction: "CA",
		BarNumber: "900003", Languages: []string{"es"}, PublicPhone: "+1 213 555 0144"}
	w.db.CreateMember(system, m3)
	intake := &amparo.Invitation{Email: "front@centro-ejemplo.example", Role: amparo.RoleIntake, OrganizationID: w.org.ID}
	w.db.CreateInvitation(system, intake)
	a, _ := w.db.AcceptInvitation(system, intake.Token, "Front Desk Ejemplo", "$argon2id$unused")
	if res, body := admin.post("/members/"+m3.ID+"/account?lang=es", url.Values{"account": {a.ID}}); res.StatusCode != 422 || !strings.Contains(body, `href="#account_id"`) {
		t.Fatalf("linking an intake account: %d", res.StatusCode)
	}
}

func TestPhonePage_PDF(t *testing.T) {
	t.Parallel()
	w := newPhoneWorld(t)
	c := &http.Client{Jar: newJar(t)}
	if res, _ := c.Get(w.url() + "/letter.pdf"); res.StatusCode != http.StatusForbidden {
		t.Fatalf("PDF without the PIN: %d", res.StatusCode)
	}
	c.PostForm(w.url(), url.Values{"pin": {w.link.PIN}})
	res, err := c.Get(w.url() + "/letter.pdf")
	if err != nil {
		t.Fatal(err)
	}
	pdf := readAll(res)
	if res.StatusCode != 200 || !bytes.HasPrefix([]byte(pdf), []byte("%PDF")) {
		t.Fatalf("phone PDF: %d", res.StatusCode)
	}
}

func writeFile(t *testing.T, path string, b []byte) {
	t.Helper()
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

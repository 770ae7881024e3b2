package web_test

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/auth"
	"github.com/amparo-project/amparo/csvimport"
	"github.com/amparo-project/amparo/internal/storetest"
	"github.com/amparo-project/amparo/sqldb"
	"github.com/amparo-project/amparo/web"
)

// signedInAs makes an account with the role, signed in with its second
// factor, and returns a browser holding its session.
func (w *accountWorld) signedInAs(t *testing.T, role amparo.Role, orgID string) *browser {
	t.Helper()
	inv := &amparo.Invitation{Email: string(role) + "-" + orgID[:min(4, len(orgID))] + "-" + amparo.NewID()[:8] + "@example.org", Role: role, OrganizationID: orgID}
	if err := w.db.CreateInvitation(system, inv); err != nil {
		t.Fatal(err)
	}
	a, err := w.db.AcceptInvitation(system, inv.Token, "Cuenta Ejemplo", "$argon2id$unused")
	if err != nil {
		t.Fatal(err)
	}
	token, err := w.db.CreateSession(system, a.ID, true)
	if err != nil {
		t.Fatal(err)
	}
	b := w.browser(t)
	b.setCookies("/", &http.Cookie{Name: "__Host-session", Value: token, Path: "/", Secure: true})
	return b
}

// matrixWorld is an account world whose limiters never slow the matrix
// down: it asks each route once per column, and throttling has tests of
// its own.
func matrixWorld(t *testing.T) *accountWorld {
	t.Helper()
	roomy := auth.LimiterConfig{AddrBurst: 1000, AddrRefill: time.Second, PairFree: 1000, AccountFree: 1000, Forget: time.Hour, MaxEntries: 1000}
	return newAccountWorld(t, func(s *web.Services, _ *sqldb.DB) {
		s.IntakeLimiter, s.Limiter = auth.NewLimiter(roomy), auth.NewLimiter(roomy)
	})
}

// clone is a browser holding b's cookies in a jar of its own, so that one
// request's cookies (a phone page's, a language) never reach another.
func (b *browser) clone() *browser {
	c := *b
	c.jar = newJar(b.t)
	c.jar.SetCookies(b.at("/"), b.jar.Cookies(b.at("/")))
	cl := *b.c
	cl.Jar = c.jar
	c.c = &cl
	return &c
}

// upload posts a multipart form with one file.
func (b *browser) upload(path string, fields url.Values, file []byte) *http.Response {
	b.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for k, vs := range fields {
		for _, v := range vs {
			mw.WriteField(k, v)
		}
	}
	fw, _ := mw.CreateFormFile("file", "intake.csv")
	fw.Write(file)
	mw.Close()
	req, _ := http.NewRequest("POST", b.url+path, &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	res, err := b.c.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	readAll(res)
	return res
}

// TestAuthorizationMatrix requests every registered route as every role,
// as an admin of another organization, and signed out, and checks each
// answer against the table. 303 is a redirect (to sign in, to one's own
// organization, or on after a change that was allowed). Every request
// reaches a real record in the state the route acts on: a route that
// changes its record gets a fresh one for each request. A route the table
// does not list fails the test.
func TestAuthorizationMatrix(t *testing.T) {
	t.Parallel()
	w := matrixWorld(t)
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	other := &amparo.Organization{Name: "Organization B Sample", Kind: amparo.OrgLawFirm, Languages: []string{"en"}}
	must(w.db.CreateOrganization(system, other))
	a := w.org.ID
	_, err := w.db.CreateRootKey(system)
	must(err)
	_, err = w.db.CreateIssuingKey(system, a)
	must(err)
	_, err = w.db.SignTrustList(system, nil)
	must(err)
	clients := 0 // made here; a client has one active letter at a time
	newClient := func() *amparo.Client {
		clients++
		c := &amparo.Client{OrganizationID: a, Personal: amparo.Personal{LegalName: "Ana Ejemplo " + fixtureSurname(clients),
			Language: "es", Situation: amparo.SituationDACA}}
		must(w.db.CreateClient(system, c))
		return c
	}
	c := newClient()
	members := 0 // bar numbers are unique: counted, not drawn at random
	newMember := func(linkTo string) *amparo.Member {
		members++
		m := &amparo.Member{OrganizationID: a, Name: "Lic. Tomás Ficticio", Kind: amparo.MemberAttorney, BarJurisdiction: "CA",
			BarNumber: strconv.Itoa(900000 + members), Languages: []string{"es"}, PublicPhone: "+1 213 555 0142", CaseCapacity: 50}
		must(w.db.CreateMember(system, m))
		if linkTo != "" {
			must(w.db.LinkMemberAccount(system, m.ID, linkTo))
			m.AccountID = linkTo
		}
		return m
	}
	m := newMember("") // nobody signs in its name
	l := &amparo.Letter{ClientID: c.ID, MemberID: m.ID, OrganizationID: a}
	must(w.db.CreateLetter(system, l))

	who := []string{"program_admin", "org_admin", "member", "intake", "organizer", "fund_officer", "procurement", "auditor", "other_org", "signed_out"}
	// session signs in, with a new account, as the column's person.
	session := func(col string) *browser {
		switch col {
		case "signed_out":
			return w.browser(t)
		case "other_org":
			return w.signedInAs(t, amparo.RoleOrgAdmin, other.ID)
		}
		r, org := amparo.Role(col), ""
		if r.OrganizationRole() {
			org = a
		}
		return w.signedInAs(t, r, org)
	}
	browsers := map[string]*browser{}
	for _, col := range who {
		browsers[col] = session(col)
	}
	accountOf := func(r amparo.Role) string {
		accounts, err := w.db.FindAccounts(system, a)
		must(err)
		for _, acc := range accounts {
			if acc.Role == r {
				return acc.ID
			}
		}
		t.Fatalf("no %s account", r)
		return ""
	}
	// m2 is the member signed in in the member column: it alone signs
	// and renews m2's letters.
	signerID := accountOf(amparo.RoleMember)
	m2 := newMember(signerID)
	signer := amparo.NewContextWithActor(t.Context(), amparo.Actor{ID: signerID, Role: amparo.RoleMember, OrganizationID: a, SecondFactor: true})
	draft := func(mem *amparo.Member) *amparo.Letter {
		l := &amparo.Letter{ClientID: newClient().ID, MemberID: mem.ID, OrganizationID: a}
		must(w.db.CreateLetter(system, l))
		return l
	}
	active := func() *amparo.Letter {
		l, err := w.db.IssueLetter(signer, draft(m2).ID)
		must(err)
		return l
	}
	issued := active()
	link, err := w.db.FindPhoneLink(system, issued.ID)
	must(err)
	intakeCtx := amparo.NewContextWithActor(t.Context(), amparo.Actor{ID: "i", Role: amparo.RoleIntake, OrganizationID: a})
	consent := []amparo.Consent{{Purpose: amparo.ConsentDataStorage, GivenAt: time.Date(2026, 2, 1, 9, 0, 0, 0, time.UTC), RecordedBy: "public", Language: "es"}}
	applicants := 0
	applicant := func() *amparo.Applicant {
		applicants++
		name := "Beatriz Muestra " + fixtureSurname(applicants)
		ap := &amparo.Applicant{Key: name, Facts: amparo.Facts{Personal: amparo.Personal{LegalName: name, Language: "es",
			BirthDate: amparo.MustDate("1990-03-04"), Situation: amparo.SituationAsylum, Consents: consent}}}
		_, err := w.db.CreateApplicants(intakeCtx, []*amparo.Applicant{ap})
		must(err)
		return ap
	}
	ap := applicant()
	inv := &amparo.Invitation{Email: "invitada@example.org", Role: amparo.RoleIntake, OrganizationID: a}
	must(w.db.CreateInvitation(system, inv))
	progInv := &amparo.Invitation{Email: "auditor-invitado@example.org", Role: amparo.RoleAuditor}
	must(w.db.CreateInvitation(system, progInv))
	newAccount := func(r amparo.Role) string { // a new account of org A, to suspend or link
		inv := &amparo.Invitation{Email: "cuenta-" + amparo.NewID()[:8] + "@example.org", Role: r, OrganizationID: a}
		must(w.db.CreateInvitation(system, inv))
		acc, err := w.db.AcceptInvitation(system, inv.Token, "Cuenta Ejemplo", "$argon2id$unused")
		must(err)
		return acc.ID
	}

	// The fund: a source, an awarded grant to A with a funded case;
	// fresh grants, cases and costs for the requests that change them.
	fsrc := storetest.MustCreateFundSource(t, w.db)
	grant := storetest.MustAwardGrant(t, w.db, fsrc, a, 1_000_000_00)
	fcase := storetest.MustFundCase(t, w.db, grant, storetest.EligibleFacts(true), 100_000_00)
	clients++ // the funded case's
	today := time.Now().UTC().Format(time.DateOnly)
	freshGrant := func() (string, url.Values) {
		g := &amparo.Grant{SourceID: fsrc.ID, OrganizationID: a, AwardedCents: 100, PeriodStart: fsrc.PeriodStart, PeriodEnd: fsrc.PeriodEnd}
		must(w.db.CreateGrant(storetest.FundOfficer, g))
		return "/fund/grants/" + g.ID + "/status", nil
	}
	freshCase := func() (string, url.Values) {
		return "/fund/grants/" + grant.ID + "/cases", url.Values{"client_id": {newClient().ID}, "committed": {"1.00"}, "resident": {"1"},
			"income_fpl": {"100"}, "stage": {"bond"}}
	}
	freshCost := func() (string, url.Values) {
		k := &amparo.Cost{CaseID: fcase.ID, BudgetLine: "fees", Kind: amparo.CostExpense, AmountCents: 1, IncurredOn: amparo.MustDate(today)}
		must(w.db.RecordCost(storetest.FundOfficer, k))
		return "/fund/costs/" + k.ID + "/approve", nil
	}
	fundAdmin := amparo.NewContextWithActor(t.Context(), amparo.Actor{ID: "fund-admin", Role: amparo.RoleOrgAdmin, OrganizationID: a})
	spentCent := func() *amparo.Cost { // a cent spent on the grant, to invoice or correct
		k := &amparo.Cost{CaseID: fcase.ID, BudgetLine: "fees", Kind: amparo.CostExpense, AmountCents: 1, IncurredOn: amparo.MustDate(today)}
		must(w.db.RecordCost(fundAdmin, k))
		_, err := w.db.ApproveCost(fundAdmin, k.ID)
		must(err)
		return k
	}
	freshInvoiceable := func() (string, url.Values) {
		spentCent()
		return "/fund/grants/" + grant.ID + "/invoices", nil
	}
	freshInvoice := func() (string, url.Values) {
		spentCent()
		inv := &amparo.Invoice{GrantID: grant.ID, Period: amparo.QuarterOf(amparo.MustDate(today)), AmountCents: 1}
		must(w.db.SubmitInvoice(storetest.FundOfficer, inv))
		return "/fund/invoices/" + inv.ID + "/decide", nil
	}
	freshSpend := func() (string, url.Values) {
		k := spentCent()
		es, err := w.db.FundLedger(storetest.FundOfficer, grant.ID)
		must(err)
		for _, e := range es {
			if e.CostID == k.ID {
				return "/fund/ledger/" + e.ID + "/correct", nil
			}
		}
		t.Fatal("no spend entry")
		return "", nil
	}

	// A published workshop of A, and a ticket for it.
	ws := storetest.MustCreateWorkshop(t, w.db, a, &amparo.Workshop{Materials: amparo.Handouts})
	reg, err := w.db.Register(amparo.NewContextWithActor(t.Context(), amparo.VisitorActor), &amparo.Registration{WorkshopID: ws.ID, PartySize: 1, Language: "es"})
	must(err)

	// A file of one person (the template's row, renamed), tried only.
	importFile := bytes.Replace(csvimport.Template("en"), []byte("Ana Ejemplo Prueba"), []byte("Camila Muestra Prueba"), 1)

	// A vendor of org A, and a solicitation's affidavit link.
	vendor := &amparo.Vendor{OrganizationID: a, Name: "Example Paving Co."}
	must(w.db.CreateVendor(system, vendor))
	sol := &amparo.Solicitation{OrganizationID: a, Title: "Example resurfacing bid"}
	must(w.db.CreateSolicitation(system, sol))

	// A third party's report to org A: an alert with no messages.
	report, _, err := w.db.RaiseAlert(system, amparo.RaiseAlertRequest{Key: "authz-report", Source: amparo.AlertFromReport, OrganizationID: a, Report: "Agentes vistos cerca."})
	must(err)

	const skip = 0
	type row struct {
		method, path string
		// fresh makes the record a request changes, for each request,
		// and returns its path (path is then unused) and, if not nil, the
		// form that names it.
		fresh func() (string, url.Values)
		form  url.Values
		file  []byte // sent as a multipart upload with form
		// own: each request signs in anew (its account, or session, ends)
		own  bool
		want [10]int // in the order of who
	}
	all := func(status int) [10]int {
		return [10]int{status, status, status, status, status, status, status, status, status, status}
	}
	signedIn := func(status int) [10]int { s := all(status); s[9] = 303; return s }
	// clients: the roles that see clients answer in, the others 403.
	staff := func(own, otherOrg int) [10]int { return [10]int{403, own, own, own, 403, 403, 403, 403, otherOrg, 303} }
	// workshops: an organization's admins and organizers.
	organizers := func(own, otherOrg int) [10]int { return [10]int{403, own, 403, 403, own, 403, 403, 403, otherOrg, 303} }
	// vendors: an organization's procurement officers.
	procurement := func(own int) [10]int { return [10]int{403, 403, 403, 403, 403, 403, own, 403, 403, 303} }
	admins := func(pa, oa, otherOrg int) [10]int {
		return [10]int{pa, oa, 403, 403, 403, 403, 403, 403, otherOrg, 303}
	}
	freshLetter := func(f func() *amparo.Letter, action string) func() (string, url.Values) {
		return func() (string, url.Values) { return "/letters/" + f().ID + action, nil }
	}
	// confirmedLetter posts what the letter's confirmation page posts.
	confirmedLetter := func(f func() *amparo.Letter, action string, form url.Values) func() (string, url.Values) {
		return func() (string, url.Values) {
			l, err := w.db.FindLetterByID(system, f().ID)
			must(err)
			v := url.Values{"confirmed": {"1"}, "seen": {web.LetterSeen(l)}}
			for k, x := range form {
				v[k] = x
			}
			return "/letters/" + l.ID + action, v
		}
	}
	freshPath := func(f func() string) func() (string, url.Values) {
		return func() (string, url.Values) { return f(), nil }
	}
	decision := func(path string, reason string) func() (string, url.Values) {
		return func() (string, url.Values) {
			// The conflict check finds the made-up names alike; the
			// person deciding has cleared it.
			return path, url.Values{"applicant": {applicant().ID}, "member": {m.ID}, "reason": {reason}, "conflicts_cleared": {"on"}}
		}
	}
	accepted := 0 // matches accepted, each making a client
	table := []row{
		// Public pages.
		{method: "GET", path: "/", want: all(200)},
		{method: "GET", path: "/healthz", want: all(200)},
		{method: "GET", path: "/static/site.css", want: all(200)},
		{method: "GET", path: "/favicon.ico", want: all(200)},
		{method: "GET", path: "/no/such/page", want: all(404)},
		{method: "GET", path: "/readyz", want: all(200)},
		{method: "GET", path: "/intake/" + a, want: all(200)},
		{method: "POST", path: "/intake/" + a, form: url.Values{}, want: all(422)}, // nothing answered: the form again
		{method: "GET", path: "/intake/" + a + "/done", want: all(303)},            // no request sent: back to the form
		{method: "GET", path: "/v", want: all(200)},
		{method: "GET", path: "/v/", want: all(301)},
		{method: "GET", path: "/v/trust", want: all(200)},
		{method: "GET", path: "/v/bundle", want: all(200)},
		{method: "GET", path: "/v/status/" + a + "/" + strconv.Itoa(int(issued.StatusListID)), want: all(200)},
		{method: "GET", path: "/v/roster/" + a, want: all(200)},
		{method: "GET", path: "/v/static/site.css", want: all(200)},
		{method: "GET", path: "/v/sw.js", want: all(200)},
		// A phone page opens with its PIN, for anyone holding it, signed
		// in or not; its parts need the cookie the PIN gives.
		{method: "GET", path: "/p/sw.js", want: all(200)},
		{method: "GET", path: "/p/icon.png", want: all(200)},
		{method: "GET", path: "/p/" + link.Token, want: all(200)},
		{method: "POST", path: "/p/" + link.Token, form: url.Values{"pin": {link.PIN}}, want: all(303)},
		{method: "GET", path: "/p/" + link.Token + "/qr.png", want: all(403)},
		{method: "GET", path: "/p/" + link.Token + "/letter.pdf", want: all(403)},
		{method: "GET", path: "/p/" + link.Token + "/manifest.webmanifest", want: all(200)},
		{method: "GET", path: "/p/" + link.Token + "/forget", want: all(200)},
		{method: "POST", path: "/p/" + link.Token + "/forget", want: all(200)},
		// The alert button needs the PIN's cookie; an acknowledgement
		// link's page has a button, and an unknown link acknowledges nothing.
		{method: "GET", path: "/p/" + link.Token + "/alert", want: all(403)},
		{method: "POST", path: "/p/" + link.Token + "/alert", form: url.Values{"key": {"k"}}, want: all(403)},
		{method: "GET", path: "/a/" + strings.Repeat("A", 22), want: all(200)},
		{method: "POST", path: "/a/" + strings.Repeat("A", 22), want: all(404)},

		// Signing in, an invitation, one's own account.
		{method: "GET", path: "/signin", want: all(200)},
		{method: "POST", path: "/signin", form: url.Values{"email": {"nadie@example.org"}, "password": {"not the password"}}, want: all(401)},
		{method: "GET", path: "/signin/code", want: signedIn(200)},
		{method: "POST", path: "/signin/code", form: url.Values{"code": {"000000"}}, want: signedIn(401)},
		{method: "GET", path: "/invite/" + inv.Token, want: all(200)},
		{method: "POST", path: "/invite/" + inv.Token, form: url.Values{"name": {""}}, want: all(422)}, // no name: the invitation stays open
		{method: "GET", path: "/account/totp", want: signedIn(200)},
		{method: "POST", path: "/account/totp", form: url.Values{"secret": {"JBSWY3DPEHPK3PXP"}, "code": {"000000"}}, want: signedIn(422)},
		{method: "GET", path: "/account/recovery", want: all(303)}, // no codes kept: on to the dashboard
		{method: "GET", path: "/account/recovery/codes.txt", want: all(303)},
		{method: "POST", path: "/account/recovery", want: all(303)},
		{method: "GET", path: "/dashboard", want: signedIn(200)},
		{method: "GET", path: "/account", want: signedIn(200)},
		{method: "POST", path: "/account/password", form: url.Values{"current_password": {"not it"}, "new_password": {"a new long passphrase"}}, want: signedIn(422)},
		{method: "POST", path: "/account/totp/reset", form: url.Values{"current_password": {"not it"}}, want: signedIn(422)},
		{method: "POST", path: "/signout", own: true, want: all(303)},
		{method: "POST", path: "/signout/everywhere", own: true, want: all(303)},

		// Clients: their organization's staff alone; another
		// organization's record is not found.
		{method: "GET", path: "/clients", want: staff(200, 200)},
		{method: "GET", path: "/clients?q=Ana", want: staff(200, 200)},
		{method: "GET", path: "/clients/new", want: staff(200, 200)},
		{method: "POST", path: "/clients", form: url.Values{}, want: staff(422, 422)}, // nothing typed: the form again, nothing made
		{method: "GET", path: "/clients/" + c.ID, want: staff(200, 404)},
		// The defense fund: who runs it (program admin, fund officer),
		// the organization's admins and members for their own, auditors
		// to read; costs approved by the organization's admins alone.
		{method: "GET", path: "/fund", want: [10]int{200, 200, 200, 403, 403, 200, 403, 200, 200, 303}},
		{method: "POST", path: "/fund/grants", form: url.Values{}, want: [10]int{400, 403, 403, 403, 403, 400, 403, 403, 403, 303}},
		{method: "GET", path: "/fund/grants/" + grant.ID, want: [10]int{200, 200, 200, 403, 403, 200, 403, 200, 403, 303}},
		{method: "POST", fresh: freshGrant, form: url.Values{"status": {"awarded"}, "reason": {"board"}}, want: [10]int{303, 403, 403, 403, 403, 303, 403, 403, 403, 303}},
		{method: "POST", fresh: freshCase, want: [10]int{303, 303, 303, 403, 403, 303, 403, 403, 403, 303}},
		{method: "POST", path: "/fund/cases/" + fcase.ID + "/costs", form: url.Values{"kind": {"expense"}, "line": {"fees"}, "amount": {"1.00"}, "incurred_on": {today}},
			want: [10]int{303, 303, 303, 403, 403, 303, 403, 403, 403, 303}},
		{method: "POST", fresh: freshCost, want: [10]int{403, 303, 403, 403, 403, 403, 403, 403, 403, 303}},
		{method: "POST", path: "/fund/cases/" + fcase.ID + "/outcomes", form: url.Values{"kind": {"pending"}, "decided_on": {today}, "grant_id": {grant.ID}},
			want: [10]int{303, 303, 303, 403, 403, 303, 403, 403, 403, 303}},
		// A case's facts read from the record, for those who fund cases.
		{method: "GET", path: "/fund/grants/" + grant.ID + "/cases/new?person=" + c.ID, want: [10]int{200, 200, 200, 403, 403, 200, 403, 403, 403, 303}},
		// Invoices and the ledger: read as the grant is; invoices submitted
		// by the organization's admins (and the fund officer), decided, and
		// entries corrected, by whoever runs the fund.
		{method: "GET", path: "/fund/grants/" + grant.ID + "/invoices", want: [10]int{200, 200, 200, 403, 403, 200, 403, 200, 403, 303}},
		{method: "GET", path: "/fund/grants/" + grant.ID + "/invoices.csv", want: [10]int{200, 200, 200, 403, 403, 200, 403, 200, 403, 303}},
		{method: "POST", fresh: freshInvoiceable, form: url.Values{"period": {amparo.QuarterOf(amparo.MustDate(today))}, "amount": {"0.01"}},
			want: [10]int{303, 303, 403, 403, 403, 303, 403, 403, 403, 303}},
		{method: "POST", fresh: freshInvoice, form: url.Values{"status": {"approved"}}, want: [10]int{303, 403, 403, 403, 403, 303, 403, 403, 403, 303}},
		{method: "GET", path: "/fund/grants/" + grant.ID + "/ledger", want: [10]int{200, 200, 200, 403, 403, 200, 403, 200, 403, 303}},
		{method: "GET", path: "/fund/grants/" + grant.ID + "/ledger.csv", want: [10]int{200, 200, 200, 403, 403, 200, 403, 200, 403, 303}},
		{method: "POST", fresh: freshSpend, form: url.Values{"reason": {"billed twice"}}, want: [10]int{303, 403, 403, 403, 403, 303, 403, 403, 403, 303}},
		// A grant's terms and lock date, and a source's restrictions:
		// whoever runs the fund (nothing typed: refused, nothing changed).
		{method: "GET", path: "/fund/grants/" + grant.ID + "/terms", want: [10]int{200, 403, 403, 403, 403, 200, 403, 403, 403, 303}},
		{method: "POST", path: "/fund/grants/" + grant.ID + "/amend", form: url.Values{}, want: [10]int{400, 403, 403, 403, 403, 400, 403, 403, 403, 303}},
		{method: "POST", path: "/fund/grants/" + grant.ID + "/lock", form: url.Values{}, want: [10]int{400, 403, 403, 403, 403, 400, 403, 403, 403, 303}},
		{method: "GET", path: "/fund/sources/" + fsrc.ID, want: [10]int{200, 403, 403, 403, 403, 200, 403, 403, 403, 303}},
		{method: "POST", path: "/fund/sources/" + fsrc.ID + "/restrictions", form: url.Values{"restrictions": {"require nonsense"}, "reason": {"a try"}},
			want: [10]int{422, 403, 403, 403, 403, 422, 403, 403, 403, 303}},
		// Alerts and response plans: the organization's staff.
		{method: "GET", path: "/alerts", want: staff(200, 200)},
		{method: "POST", path: "/alerts", form: url.Values{}, want: staff(400, 400)},
		{method: "POST", path: "/alerts/" + report.ID + "/ack", form: url.Values{}, want: staff(303, 404)},
		{method: "POST", path: "/alerts/" + report.ID + "/resolve", form: url.Values{"outcome": {"false_alarm"}}, want: staff(303, 404)},
		{method: "GET", path: "/clients/" + c.ID + "/plan", want: staff(200, 404)},
		{method: "POST", path: "/clients/" + c.ID + "/plan", form: url.Values{}, want: staff(400, 400)},
		{method: "GET", path: "/clients/" + c.ID + "/edit", want: staff(200, 404)},
		{method: "POST", path: "/clients/" + c.ID, form: url.Values{"legal_name": {""}}, want: staff(422, 404)},
		{method: "GET", path: "/clients/" + c.ID + "/delete", want: staff(200, 404)},
		{method: "POST", path: "/clients/" + c.ID + "/delete", want: staff(409, 404)}, // not confirmed on its page

		// Letters: staff prepare; only the member named, signed in as
		// themselves, issues or renews; that member or an admin revokes.
		{method: "GET", path: "/letters", want: staff(200, 200)},
		{method: "GET", path: "/letters/new?client=" + c.ID, want: staff(200, 404)},
		{method: "POST", path: "/letters", form: url.Values{"client": {c.ID}, "member": {m.ID}}, want: staff(303, 404)},
		{method: "GET", path: "/letters/" + l.ID, want: staff(200, 404)},
		{method: "POST", fresh: freshLetter(func() *amparo.Letter { return draft(m) }, "/submit"), want: staff(303, 404)},
		// Nobody is linked to m: nobody issues or renews its letters.
		{method: "POST", path: "/letters/" + l.ID + "/issue", want: staff(403, 404)},
		{method: "POST", fresh: freshLetter(func() *amparo.Letter { return draft(m2) }, "/issue"), want: [10]int{403, 403, 303, 403, 403, 403, 403, 403, 404, 303}},
		{method: "GET", path: "/letters/" + issued.ID + "/renew", want: staff(200, 404)},
		{method: "GET", path: "/letters/" + issued.ID + "/qr.png", want: staff(200, 404)},
		{method: "POST", fresh: confirmedLetter(active, "/renew", nil), want: [10]int{403, 403, 303, 403, 403, 403, 403, 403, 404, 303}},
		{method: "POST", fresh: freshLetter(active, "/revoke"), form: url.Values{"reason": {"prueba"}}, want: [10]int{403, 200, 200, 403, 403, 403, 403, 403, 404, 303}}, // its confirmation page, for who may
		{method: "POST", fresh: confirmedLetter(active, "/revoke", url.Values{"reason": {"prueba"}}), want: [10]int{403, 303, 303, 403, 403, 403, 403, 403, 404, 303}},
		{method: "GET", path: "/letters/" + issued.ID + "/letter.pdf", want: staff(200, 404)},
		{method: "GET", path: "/letters/" + issued.ID + "/card.pdf", want: staff(200, 404)},

		// Applicants, matches, the queue: the organization's staff; only
		// members and admins decide matches.
		{method: "GET", path: "/applicants", want: staff(200, 200)},
		{method: "GET", path: "/applicants/new", want: staff(200, 200)},
		{method: "POST", path: "/applicants", form: url.Values{}, want: staff(422, 422)},
		{method: "POST", path: "/applicants/import", form: url.Values{"dry_run": {"on"}}, file: importFile, want: staff(200, 200)},
		{method: "GET", path: "/applicants/template.csv", want: staff(200, 200)},
		{method: "GET", path: "/applicants/" + ap.ID, want: staff(200, 404)},
		{method: "POST", fresh: freshPath(func() string { return "/applicants/" + applicant().ID + "/status" }),
			form: url.Values{"status": {string(amparo.ApplicantScreening)}, "reason": {"prueba"}}, want: staff(303, 404)},
		{method: "GET", path: "/matches", want: staff(200, 200)},
		{method: "POST", fresh: decision("/matches/accept", ""), want: [10]int{403, 303, 303, 403, 403, 403, 403, 403, 404, 303}},
		{method: "POST", fresh: decision("/matches/decline", "prueba"), want: [10]int{403, 303, 303, 403, 403, 403, 403, 403, 404, 303}},
		{method: "POST", path: "/parties", want: staff(422, 422)},
		{method: "GET", path: "/queue", want: staff(200, 200)},

		// The program office's pages.
		{method: "GET", path: "/policy", want: admins(200, 403, 403)},
		{method: "POST", path: "/policy", want: admins(422, 403, 403)},
		{method: "GET", path: "/policy/format", want: admins(200, 403, 403)},
		{method: "GET", path: "/settings", want: admins(200, 403, 403)},
		{method: "POST", path: "/settings", form: url.Values{"name": {""}}, want: admins(422, 403, 403)},
		{method: "GET", path: "/audit", want: [10]int{200, 403, 403, 403, 403, 403, 403, 200, 403, 303}},
		{method: "POST", path: "/audit/export", want: [10]int{200, 403, 403, 403, 403, 403, 403, 200, 403, 303}},
		{method: "GET", path: "/organizations", want: [10]int{200, 303, 303, 303, 303, 403, 303, 403, 303, 303}},
		{method: "POST", path: "/organizations", form: url.Values{"name": {""}}, want: admins(422, 403, 403)},

		// An organization: its admins and the program office.
		{method: "GET", path: "/organizations/" + a, want: admins(200, 200, 403)},
		{method: "POST", path: "/organizations/" + a, form: url.Values{"capacity": {"-1"}}, want: admins(422, 422, 403)},
		{method: "POST", path: "/organizations/" + a + "/invitations", form: url.Values{"email": {"nueva@example.org"}, "role": {"intake"}}, want: admins(303, 303, 403)},
		{method: "POST", path: "/organizations/" + a + "/members", form: url.Values{"name": {""}}, want: admins(422, 422, 403)},
		{method: "GET", path: "/members/" + m.ID + "/suspend", want: admins(200, 200, 403)},
		{method: "POST", fresh: func() (string, url.Values) {
			nm := newMember("")
			return "/members/" + nm.ID + "/suspend", url.Values{"confirmed": {"1"}, "seen": {web.MemberSeen(nm)}}
		}, want: admins(303, 303, 403)},
		{method: "POST", path: "/members/" + newMember("").ID + "/suspend", want: admins(409, 409, 403)}, // not confirmed: nothing done
		{method: "POST", fresh: func() (string, url.Values) {
			nm := newMember("")
			nm.Status = amparo.MemberSuspended
			must(w.db.UpdateMember(system, nm))
			return "/members/" + nm.ID + "/reactivate", nil
		}, want: admins(303, 303, 403)},
		{method: "POST", fresh: freshPath(func() string { return "/members/" + newMember("").ID + "/account" }), form: url.Values{"account": {""}}, want: admins(303, 303, 403)},
		// Only a member's account links to a member record; and a record
		// linked already only the program office links anew.
		{method: "POST", path: "/members/" + m2.ID + "/account", form: url.Values{"account": {accountOf(amparo.RoleIntake)}}, want: admins(422, 422, 403)},
		{method: "POST", fresh: func() (string, url.Values) {
			return "/members/" + newMember(newAccount(amparo.RoleMember)).ID + "/account", url.Values{"account": {newAccount(amparo.RoleMember)}}
		}, want: admins(303, 422, 403)},
		{method: "GET", path: "/accounts/" + accountOf(amparo.RoleIntake) + "/suspend", want: admins(200, 200, 403)},
		{method: "POST", fresh: func() (string, url.Values) {
			acc, err := w.db.FindAccountByID(system, newAccount(amparo.RoleIntake))
			must(err)
			return "/accounts/" + acc.ID + "/suspend", url.Values{"confirmed": {"1"}, "seen": {web.AccountSeen(acc)}}
		}, want: admins(303, 303, 403)},
		{method: "POST", path: "/accounts/" + newAccount(amparo.RoleIntake) + "/suspend", want: admins(409, 409, 403)}, // not confirmed
		{method: "POST", fresh: func() (string, url.Values) {
			id := newAccount(amparo.RoleIntake)
			must(w.db.SuspendAccount(system, id))
			return "/accounts/" + id + "/reactivate", nil
		}, want: admins(303, 303, 403)},
		{method: "GET", path: "/organizations/" + a + "/accounts", want: admins(200, 200, 403)},
		{method: "GET", path: "/organizations/" + a + "/invitations", want: admins(200, 200, 403)},
		{method: "GET", path: "/organizations/" + a + "/invitation.txt", want: admins(404, 404, 403)}, // no link kept
		{method: "GET", path: "/organizations/" + a + "/invitations/" + inv.ID + "/cancel", want: admins(200, 200, 403)},
		{method: "POST", fresh: func() (string, url.Values) {
			i := &amparo.Invitation{Email: "cancelar-" + amparo.NewID()[:8] + "@example.org", Role: amparo.RoleIntake, OrganizationID: a}
			must(w.db.CreateInvitation(system, i))
			return "/organizations/" + a + "/invitations/" + i.ID + "/cancel", url.Values{"confirmed": {"1"}, "seen": {i.ID}}
		}, want: admins(303, 303, 403)},

		// The program office's own people: program-level roles.
		{method: "GET", path: "/accounts", want: admins(200, 403, 403)},
		{method: "POST", path: "/accounts/invitations", form: url.Values{"email": {"auditora@example.org"}, "role": {"auditor"}}, want: admins(303, 403, 403)},
		{method: "GET", path: "/accounts/invitations", want: admins(200, 403, 403)},
		{method: "GET", path: "/accounts/invitation.txt", want: admins(404, 403, 403)},
		{method: "GET", path: "/accounts/invitations/" + progInv.ID + "/cancel", want: admins(200, 403, 403)},
		{method: "POST", fresh: func() (string, url.Values) {
			i := &amparo.Invitation{Email: "cancelar-" + amparo.NewID()[:8] + "@example.org", Role: amparo.RoleFundOfficer}
			must(w.db.CreateInvitation(system, i))
			return "/accounts/invitations/" + i.ID + "/cancel", url.Values{"confirmed": {"1"}, "seen": {i.ID}}
		}, want: admins(303, 403, 403)},

		// Workshops: their organization's organizers and admins; the
		// public pages and a ticket's link, anyone.
		{method: "GET", path: "/workshops", want: organizers(200, 200)},
		{method: "GET", path: "/workshops/new", want: organizers(200, 200)},
		{method: "POST", path: "/workshops", form: url.Values{}, want: organizers(422, 422)},
		{method: "GET", path: "/workshops/" + ws.ID, want: organizers(200, 404)},
		{method: "GET", path: "/workshops/" + ws.ID + "/edit", want: organizers(200, 404)},
		{method: "POST", path: "/workshops/" + ws.ID, form: url.Values{"capacity": {"-1"}}, want: organizers(422, 404)},
		{method: "GET", path: "/workshops/" + ws.ID + "/status?to=cancelled", want: organizers(200, 404)},
		{method: "POST", path: "/workshops/" + ws.ID + "/status", form: url.Values{"to": {"cancelled"}}, want: organizers(409, 404)}, // not confirmed
		{method: "GET", path: "/workshops/" + ws.ID + "/checkin", want: organizers(200, 404)},
		{method: "POST", path: "/workshops/" + ws.ID + "/checkin", form: url.Values{}, want: organizers(422, 404)},
		{method: "GET", path: "/workshops/" + ws.ID + "/checkin/list", want: organizers(200, 404)},
		{method: "POST", path: "/workshops/" + ws.ID + "/checkin/upload", form: url.Values{}, want: organizers(400, 404)},
		{method: "GET", path: "/workshops/" + ws.ID + "/forget", want: organizers(200, 404)},
		{method: "POST", path: "/workshops/" + ws.ID + "/forget", want: organizers(409, 404)}, // not confirmed
		{method: "GET", path: "/workshops/" + ws.ID + "/handouts/es", want: organizers(200, 404)},
		{method: "POST", path: "/workshops/" + ws.ID + "/handed-out", form: url.Values{"handed_out.kyr.title": {"-1"}}, want: organizers(422, 404)},
		// Vendors: the organization's procurement officers; the
		// affidavit link, anyone.
		{method: "GET", path: "/vendors", want: procurement(200)},
		{method: "POST", path: "/vendors/upload", form: url.Values{}, want: procurement(400)},
		{method: "POST", path: "/vendors/solicitations", form: url.Values{"title": {"Example bid"}}, want: procurement(200)},
		{method: "GET", path: "/vendors/" + vendor.ID, want: procurement(200)},
		{method: "POST", path: "/vendors/" + vendor.ID + "/screen", want: procurement(303)},
		{method: "POST", path: "/vendors/" + vendor.ID + "/decide", form: url.Values{}, want: procurement(404)},
		{method: "GET", path: "/vendors/solicitations", want: procurement(200)},
		{method: "GET", path: "/vendors/" + vendor.ID + "/edit", want: procurement(200)},
		{method: "POST", path: "/vendors/" + vendor.ID + "/edit", form: url.Values{}, want: procurement(422)},
		{method: "GET", path: "/vendor-files/nope", want: procurement(404)},
		{method: "GET", path: "/vendor-files/nope/status", want: procurement(404)},
		{method: "GET", path: "/vendor-files/nope/results.csv", want: procurement(404)},
		{method: "GET", path: "/affidavit/" + sol.Token, want: all(200)},
		{method: "POST", path: "/affidavit/" + sol.Token, form: url.Values{}, want: all(422)},
		// The council's reports: public pages of approved releases; the
		// program office releases and approves.
		{method: "GET", path: "/reports", want: all(200)},
		{method: "GET", path: "/reports/2020-Q1", want: all(404)},
		{method: "GET", path: "/reports/manage", want: [10]int{200, 403, 403, 403, 403, 403, 403, 403, 403, 303}},
		{method: "POST", path: "/reports/manage", form: url.Values{"period": {"2020-Q5"}}, want: [10]int{422, 403, 403, 403, 403, 403, 403, 403, 403, 303}},
		{method: "POST", path: "/reports/manage/2020-Q1/approve", want: [10]int{404, 403, 403, 403, 403, 403, 403, 403, 403, 303}},
		{method: "GET", path: "/events", want: all(200)},
		{method: "GET", path: "/events/calendar.ics", want: all(200)},
		{method: "GET", path: "/events/" + ws.ID, want: all(200)},
		{method: "GET", path: "/events/" + ws.ID + "/calendar.ics", want: all(200)},
		{method: "POST", path: "/events/" + ws.ID, form: url.Values{"party_size": {"0"}}, want: all(422)},
		{method: "GET", path: "/ticket/" + reg.Token, want: all(200)},
		{method: "GET", path: "/ticket/" + reg.Token + "/cancel", want: all(200)},
		{method: "POST", path: "/ticket/" + reg.Token + "/cancel", want: all(409)}, // not confirmed
		{method: "POST", path: "/ticket/" + reg.Token + "/accept", want: all(303)}, // a place held already: nothing to do
		{method: "GET", path: "/ticket/" + reg.Token + "/lawyer", want: all(303)},
	}
	signedOutTo := map[string]string{} // where each request sent a signed-out visitor
	for _, tt := range table {
		for i, col := range who {
			want := tt.want[i]
			if want == skip {
				continue
			}
			path, form := tt.path, tt.form
			if tt.fresh != nil {
				var f url.Values
				if path, f = tt.fresh(); f != nil {
					form = f
				}
			}
			b := browsers[col].clone()
			if tt.own {
				b = session(col)
			}
			var res *http.Response
			switch {
			case tt.method == "GET":
				res, _ = b.get(path)
			case tt.file != nil:
				res = b.upload(path, form, tt.file)
			default:
				res, _ = b.post(path, form)
			}
			if res.StatusCode != want {
				t.Errorf("%s %s as %s: %d, want %d", tt.method, path, col, res.StatusCode, want)
			}
			if col == "signed_out" {
				signedOutTo[tt.method+" "+path] = res.Header.Get("Location")
			}
			if strings.HasSuffix(path, "/matches/accept") && res.StatusCode == http.StatusSeeOther && col != "signed_out" {
				accepted++
			}
		}
	}
	// The table is derived from the registered routes: each row is
	// matched to its pattern, a route needing sign-in must send a
	// signed-out visitor to sign in, and a route the table does not list
	// fails the test.
	routes := w.srv.Routes()
	mux := http.NewServeMux()
	for p := range routes {
		mux.HandleFunc(p, func(http.ResponseWriter, *http.Request) {})
	}
	listed := map[string]bool{}
	for _, tt := range table {
		path := tt.path
		if tt.fresh != nil {
			path, _ = tt.fresh()
		}
		req, _ := http.NewRequest(tt.method, "https://example.org"+path, nil)
		_, p := mux.Handler(req)
		if p == "" {
			t.Errorf("%s %s: no such route", tt.method, path)
			continue
		}
		listed[p] = true
		if routes[p] && (tt.want[len(who)-1] != http.StatusSeeOther || tt.fresh == nil && signedOutTo[tt.method+" "+path] != "/signin") {
			t.Errorf("%s needs sign-in, but the table wants %d signed out, sent to %q", p, tt.want[len(who)-1], signedOutTo[tt.method+" "+path])
		}
	}
	for p := range routes {
		if !listed[p] {
			t.Errorf("route %s is not in the authorization matrix", p)
		}
	}
	// Only the requests the table allows changed anything: the one
	// client, and one more for each match accepted.
	if cs, _, _ := w.db.FindClients(system, amparo.ClientFilter{}); len(cs) != clients+accepted {
		t.Fatalf("%d clients after %d matches accepted: the matrix changed the clients", len(cs), accepted)
	}
	if strings.Contains(w.log.String(), "Ana Ejemplo") || strings.Contains(w.log.String(), "Beatriz") {
		t.Fatal("the log holds a person's name")
	}
}

// fixtureSurname is a made-up surname for the n-th fixture: Ba, Be, ... Bu, Ca, ...
func fixtureSurname(n int) string {
	const consonants, vowels = "BCDFGLMNPRSTVZ", "aeiou"
	out := ""
	for ; n > 0; n /= len(consonants) * len(vowels) {
		k := n % (len(consonants) * len(vowels))
		out += string(consonants[k/len(vowels)]) + string(vowels[k%len(vowels)])
	}
	return strings.ToUpper(out[:1]) + strings.ToLower(out[1:])
}

package web_test

import (
	"bytes"
	"encoding/json"
	"html"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"time"
	"unicode"

	"github.com/pquerna/otp/totp"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/auth"
	"github.com/amparo-project/amparo/document"
	intakepkg "github.com/amparo-project/amparo/intake"
	"github.com/amparo-project/amparo/internal/storetest"
	"github.com/amparo-project/amparo/locale"
	"github.com/amparo-project/amparo/sqldb"
	"github.com/amparo-project/amparo/web"
)

// The pseudo-locale: every message of English wrapped in markers, its
// verbs kept. A word a person reads that is not inside markers did not come
// from the catalog.
const (
	markOpen, markShut = "⟦", "⟧"
	pseudoLang         = "qps" // ISO 639's range qaa–qtz is for local use: no real language
)

// pseudoCatalog returns en.json with every message, and every plural form
// of one, wrapped in markers.
func pseudoCatalog(t *testing.T) []byte {
	t.Helper()
	b, err := os.ReadFile("../locale/en.json")
	if err != nil {
		t.Fatal(err)
	}
	var en map[string]any
	if err := json.Unmarshal(b, &en); err != nil {
		t.Fatal(err)
	}
	out := map[string]any{}
	for k, v := range en {
		switch v := v.(type) {
		case string:
			out[k] = markOpen + v + markShut
		case map[string]any:
			forms := map[string]string{}
			for f, m := range v {
				forms[f] = markOpen + m.(string) + markShut
			}
			out[k] = forms
		}
	}
	out["language.name"] = markOpen + "Pseudo" + markShut
	b, err = json.Marshal(out)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// unmarked returns the text of s outside markers (nested markers, as a
// message inside another's argument, count once).
func unmarked(s string) string {
	var b strings.Builder
	depth := 0
	for _, r := range s {
		switch {
		case string(r) == markOpen:
			depth++
			b.WriteByte(' ')
		case string(r) == markShut && depth > 0:
			depth--
		case depth == 0:
			b.WriteRune(r)
		}
	}
	return b.String()
}

var (
	// What a page shows that is not its text: scripts, styles, comments,
	// what people typed or the program office wrote, shown back in a field
	// (textarea contents; input values are attributes, not text), and
	// codes marked up as <code> (a policy's fact names, audit actions and
	// record types: the identifiers the audit filter takes as typed).
	notText  = regexp.MustCompile(`(?is)<script\b.*?</script>|<style\b.*?</style>|<!--.*?-->|<textarea\b[^>]*>.*?</textarea>|<code>.*?</code>`)
	tag      = regexp.MustCompile(`(?s)<[^>]*>`)
	attr     = regexp.MustCompile(`(?i)\s(alt|title|placeholder|aria-label|aria-description)="([^"]*)"`)
	button   = regexp.MustCompile(`(?i)<input\b[^>]*\btype="(?:submit|button|reset)"[^>]*>`)
	valueOf  = regexp.MustCompile(`(?i)\svalue="([^"]*)"`)
	wordLike = regexp.MustCompile(`[\p{L}\p{N}][\p{L}\p{M}\p{N}'’._@-]*`)
	link     = regexp.MustCompile(`https?://\S+`)
)

// visibleText is what a person reads of an HTML page: its text and the
// attributes a browser shows or speaks (alt, title, placeholder,
// aria-label, the labels of buttons).
func visibleText(page string) string {
	page = notText.ReplaceAllString(page, " ")
	var parts []string
	for _, m := range attr.FindAllStringSubmatch(page, -1) {
		parts = append(parts, html.UnescapeString(m[2]))
	}
	for _, in := range button.FindAllString(page, -1) {
		if m := valueOf.FindStringSubmatch(in); m != nil {
			parts = append(parts, html.UnescapeString(m[1]))
		}
	}
	parts = append(parts, html.UnescapeString(tag.ReplaceAllString(page, " ")))
	return strings.Join(parts, "\n")
}

// allowance is what may be read outside the catalog, and why.
type allowance struct{ words map[string]bool }

// allow adds the words of data the test wrote: names, places, references.
func (a *allowance) allow(data ...string) {
	for _, d := range data {
		for _, w := range wordLike.FindAllString(d, -1) {
			a.words[strings.Trim(w, ".-'’")] = true
		}
	}
}

// leaks returns the words of text outside markers that are not allowed:
// every word is allowed that is data (allow), a code (an ISO country or
// language code, a hexadecimal ID, a reference), or a number; punctuation
// and symbols are not words.
func (a *allowance) leaks(text string) []string {
	var out []string
	for _, w := range wordLike.FindAllString(link.ReplaceAllString(unmarked(text), " "), -1) {
		w = strings.Trim(w, ".-'’")
		switch {
		case w == "" || a.words[w]:
		case isCode(w), strings.Contains(w, "@"): // a code, an email address
		default:
			out = append(out, w)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// isCode reports whether w is a code or a number rather than a word: all
// capitals and digits (SV, TPS, CA, references such as AMP-7K2Q), digits
// and punctuation (numbers, dates, times, phone numbers), or lower-case
// hexadecimal with a digit (record IDs).
func isCode(w string) bool {
	upper := strings.IndexFunc(w, func(r rune) bool {
		return !unicode.IsUpper(r) && !unicode.IsDigit(r) && !strings.ContainsRune("-._", r)
	}) < 0
	hex := strings.Trim(w, "0123456789abcdef") == "" && strings.ContainsAny(w, "0123456789")
	return upper || hex
}

// TestPseudoLocale proves that adding a language is adding a file: with a
// generated pseudo-locale loaded beside the catalogs, every page, for every
// role and signed out, and every document (the letter and card PDFs, the
// CSV template, the import's error messages) shows no word outside the
// markers but data.
//
// Allowed outside markers, and why: the words of the test's own data
// (names of people, the organization, the program, places: what people
// wrote); the product name Amparo (a name, not a word); each catalog's own
// name for its language in the language switcher (a language is offered
// in its own words); country names, which are CLDR's data; codes (all capitals and digits: country and bar
// codes, TPS, references; hexadecimal record IDs); numbers, dates written
// with digits, punctuation and symbols.
func TestPseudoLocale(t *testing.T) {
	t.Parallel()
	pseudo := pseudoCatalog(t)
	// The pseudo-locale is added as a file. It also replaces English, the
	// fallback: a page or document prints some English whatever the
	// reader's language (the letter's page for the officer, the phone
	// page's rights to show an officer), and those words must come from
	// the catalog too.
	cat, err := locale.Load(fstest.MapFS{pseudoLang + ".json": {Data: pseudo}, "en.json": {Data: pseudo}})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(cat.Languages(), pseudoLang) {
		t.Fatalf("the pseudo-locale is not offered: %v", cat.Languages())
	}
	real, err := locale.Load()
	if err != nil {
		t.Fatal(err)
	}

	w := newAccountWorld(t, func(svc *web.Services, _ *sqldb.DB) {
		svc.Catalog, svc.Renderer = cat, document.New(cat)
		svc.IntakeLimiter = auth.NewLimiter(auth.LimiterConfig{AddrBurst: 50, AddrRefill: time.Minute, PairFree: 1000, AccountFree: 1000, Forget: time.Hour, MaxEntries: 1000})
	})
	db, org := w.db, w.org

	ok := &allowance{words: map[string]bool{"Amparo": true}}
	for _, lang := range append(real.Languages(), real.Partial()...) {
		ok.allow(real.T(lang, "language.name"))
	}

	// Country names are CLDR's (golang.org/x/text/display), in English
	// for a language CLDR does not know.
	for _, c := range intakepkg.Countries("en") {
		ok.allow(c.Name)
	}

	// The program's name and jurisdiction are the program office's data.
	prog, err := db.FindProgram(system)
	if err != nil {
		t.Fatal(err)
	}
	prog.Name, prog.Jurisdiction = "Programa Ejemplo", "Ciudad Ficticia"
	if err := db.UpdateProgram(system, prog); err != nil {
		t.Fatal(err)
	}
	ok.allow(prog.Name, prog.Jurisdiction)
	// So are the texts of the policy's rules, which the queue shows as the
	// reasons of a place: the policy is the office's to write, in its words.
	pol, err := db.CurrentPolicy(system)
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(pol.Text, "\n") {
		if _, text, found := strings.Cut(line, `"`); found && !strings.HasPrefix(strings.TrimSpace(line), "policy") {
			ok.allow(text)
		}
	}

	// Data: an issued letter, a draft, a waiting applicant, a party.
	m := w.withKeys(t)
	c := &amparo.Client{OrganizationID: org.ID, Personal: amparo.Personal{LegalName: "Zacarías Quiñónez Ejemplo", Language: pseudoLang,
		Situation: amparo.SituationTPS, TPSCountry: "SV", Phone: "+1 213 555 0177", FacingRemoval: true}}
	if err := db.CreateClient(system, c); err != nil {
		t.Fatal(err)
	}
	l := &amparo.Letter{ClientID: c.ID, MemberID: m.ID, OrganizationID: org.ID}
	if err := db.CreateLetter(system, l); err != nil {
		t.Fatal(err)
	}
	if _, err := db.IssueLetter(storetest.SignerFor(t, db, m), l.ID); err != nil {
		t.Fatal(err)
	}
	draft := &amparo.Letter{ClientID: c.ID, MemberID: m.ID, OrganizationID: org.ID}
	if err := db.CreateLetter(system, draft); err != nil {
		t.Fatal(err)
	}
	ok.allow(org.Name, m.Name, c.LegalName, "Cuenta Ejemplo") // signedInAs names accounts "Cuenta Ejemplo"

	// An applicant sent through the public form, in the pseudo-locale.
	intake := w.browser(t)
	res, body := intake.get("/intake/" + org.ID + "?lang=" + pseudoLang)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("intake form: %d", res.StatusCode)
	}
	check := func(who, what, text string) {
		t.Helper()
		if l := ok.leaks(text); len(l) > 0 {
			t.Errorf("%s, %s: words outside the catalog: %q", who, what, l)
		}
	}
	check("signed out", "/intake/{org}", visibleText(body))

	who := map[string]*browser{"signed out": w.browser(t)}
	for _, r := range amparo.Roles {
		orgID := ""
		if r.OrganizationRole() {
			orgID = org.ID
		}
		who[string(r)] = w.signedInAs(t, r, orgID)
	}
	pages := []string{"/", "/signin", "/v", "/dashboard", "/account", "/clients", "/clients/new", "/clients/" + c.ID,
		"/clients/" + c.ID + "/edit", "/clients/" + c.ID + "/delete", "/letters", "/letters/new?client=" + c.ID,
		"/letters/" + l.ID, "/letters/" + draft.ID, "/letters/" + l.ID + "/renew", "/organizations", "/organizations/" + org.ID,
		"/applicants", "/applicants/new", "/matches", "/queue", "/policy", "/settings", "/audit"}
	for _, name := range slices.Sorted(func(yield func(string) bool) {
		for k := range who {
			if !yield(k) {
				return
			}
		}
	}) {
		b := who[name]
		for _, p := range pages {
			sep := "?"
			if strings.Contains(p, "?") {
				sep = "&"
			}
			res, body := b.get(p + sep + "lang=" + pseudoLang)
			if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") {
				continue
			}
			if lang := res.Header.Get("Content-Language"); lang != pseudoLang && p != "/v" {
				t.Errorf("%s %s: in %q, not the pseudo-locale", name, p, lang)
			}
			check(name, p, visibleText(body))
		}
	}

	// Pages behind a step: forms sent with problems, a conflict check's
	// hits with their reasons, the public intake's answer, an applicant,
	// an invitation and the second factor, the phone page.
	q := "?lang=" + pseudoLang
	staff := who[string(amparo.RoleIntake)]
	admin := who[string(amparo.RoleProgramAdmin)]
	sent := func(who, what string, b *browser, path string, form url.Values, want int) string {
		t.Helper()
		res, body := b.post(path+q, form)
		if res.StatusCode != want {
			t.Fatalf("%s %s: %d, want %d\n%s", who, what, res.StatusCode, want, body)
		}
		check(who, what, visibleText(body))
		return body
	}
	// The policy editor's preview of who would move (the text in force:
	// nobody moves), and its form sent with problems.
	sent("program_admin", "POST /policy, a preview", admin, "/policy", url.Values{"text": {pol.Text}, "reason": {"prueba"}}, http.StatusOK)
	sent("program_admin", "POST /policy, a mistake", admin, "/policy", url.Values{"text": {"rule"}}, http.StatusUnprocessableEntity)
	sent("intake", "POST /clients, empty", staff, "/clients", url.Values{"legal_name": {"Ana"}, "phone": {"no"}, "birth_date": {"3000-01-01"}}, http.StatusUnprocessableEntity)
	// A namesake of the client: the conflict check shows why.
	if body := sent("intake", "POST /clients, a namesake", staff, "/clients", url.Values{"legal_name": {"Zacarias Quinonez Ejemplo"}, "language": {"es"},
		"situation": {"tps"}, "tps_country": {"SV"}, "consent": {"on"}}, http.StatusOK); !strings.Contains(body, markOpen+"Surname “Ejemplo”: the same"+markShut) {
		t.Fatalf("the conflict check's reasons are not shown:\n%s", body)
	}
	ok.allow("Zacarias Quinonez")
	sent("program_admin", "POST /organizations/{id}, wrong", admin, "/organizations/"+org.ID, url.Values{"name": {""}, "kind": {"x"},
		"contact_email": {"no"}, "languages": {"??"}, "capacity": {"-1"}}, http.StatusUnprocessableEntity)
	sent("program_admin", "POST /settings, wrong", admin, "/settings", url.Values{"name": {""}, "letter_validity_days": {"0"},
		"time_zone": {"Mars/Base"}, "verify_url": {"ftp://x"}}, http.StatusUnprocessableEntity)
	sent("program_admin", "POST /policy, wrong", admin, "/policy", url.Values{"text": {"rule x tier 9 when nonsense"}, "reason": {"prueba"}}, http.StatusUnprocessableEntity)
	ok.allow("prueba")

	public := w.browser(t)
	body = sent("signed out", "POST /intake/{org}, empty", public, "/intake/"+org.ID, url.Values{"legal_name": {""}}, http.StatusUnprocessableEntity)
	res, body = public.post("/intake/"+org.ID+q, url.Values{"legal_name": {"Rosa Ejemplo Prueba"}, "language": {"es"}, "phone": {"213-555-0166"},
		"situation": {"tps"}, "tps_country": {"SV"}, "facing_removal": {"on"}, "consent": {"on"}})
	if res.StatusCode == http.StatusSeeOther {
		res, body = public.get(res.Header.Get("Location") + q)
	}
	if res.StatusCode != http.StatusOK {
		t.Fatalf("intake sent: %d\n%s", res.StatusCode, body)
	}
	check("signed out", "/intake/{org}/done", visibleText(body))
	ok.allow("Rosa Ejemplo Prueba")
	as, _, err := db.FindApplicants(system, amparo.ApplicantFilter{OrganizationID: org.ID})
	if err != nil || len(as) == 0 {
		t.Fatalf("applicants: %v, %v", as, err)
	}
	for _, role := range []string{"intake", "org_admin"} {
		for _, p := range []string{"/applicants/" + as[0].ID, "/matches", "/queue", "/applicants"} {
			res, body := who[role].get(p + q)
			if res.StatusCode != http.StatusOK {
				t.Fatalf("%s %s: %d", role, p, res.StatusCode)
			}
			check(role, p+", with an applicant", visibleText(body))
		}
	}

	invitee := w.browser(t)
	inv := &amparo.Invitation{Email: "nueva@centro-ejemplo.example", Role: amparo.RoleIntake, OrganizationID: org.ID}
	if err := db.CreateInvitation(system, inv); err != nil {
		t.Fatal(err)
	}
	if res, body := invitee.get("/invite/" + inv.Token + q); res.StatusCode != http.StatusOK {
		t.Fatalf("invitation: %d", res.StatusCode)
	} else {
		check("signed out", "/invite/{token}", visibleText(body))
	}
	sent("signed out", "POST /invite/{token}, weak", invitee, "/invite/"+inv.Token, url.Values{"name": {"Nueva Ejemplo"}, "password": {"password1"}, "confirm": {"password2"}}, http.StatusUnprocessableEntity)
	ok.allow("Nueva Ejemplo")
	pw := "faro verde sobre la bahía tranquila"
	if res, _ := invitee.post("/invite/"+inv.Token, url.Values{"name": {"Nueva Ejemplo"}, "password": {pw}, "confirm": {pw}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("accepting the invitation: %d", res.StatusCode)
	}
	res, body = invitee.get("/account/totp" + q)
	check("invited", "/account/totp", visibleText(body))
	secret := secretPattern.FindStringSubmatch(body)
	if secret == nil {
		t.Fatalf("no TOTP secret:\n%s", body)
	}
	sent("invited", "POST /account/totp, wrong code", invitee, "/account/totp", url.Values{"secret": {secret[1]}, "code": {"000000"}}, http.StatusUnprocessableEntity)
	code, _ := totp.GenerateCode(secret[1], time.Now())
	if res, _ := invitee.post("/account/totp", url.Values{"secret": {secret[1]}, "code": {code}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("second factor: %d", res.StatusCode)
	}
	res, body = invitee.get("/account/recovery" + q)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("recovery codes: %d", res.StatusCode)
	}
	check("invited", "/account/recovery", visibleText(body))
	again := w.browser(t)
	sent("signed out", "POST /signin, wrong", again, "/signin", url.Values{"email": {inv.Email}, "password": {"wrong"}}, http.StatusUnauthorized)
	if res, _ := again.post("/signin", url.Values{"email": {inv.Email}, "password": {pw}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign-in: %d", res.StatusCode)
	}
	res, body = again.get("/signin/code" + q)
	check("signing in", "/signin/code", visibleText(body))
	sent("signing in", "POST /signin/code, wrong", again, "/signin/code", url.Values{"code": {"000000"}}, http.StatusUnauthorized)

	_, body = staff.get("/letters/" + l.ID + q)
	u := regexp.MustCompile(`id="phone-url">([^<]+)<`).FindStringSubmatch(body)
	pin := regexp.MustCompile(`id="phone-pin">([0-9]+)<`).FindStringSubmatch(body)
	if u == nil || pin == nil {
		t.Fatalf("no phone link on the letter's page:\n%s", body)
	}
	phone := w.browser(t)
	link, err := url.Parse(html.UnescapeString(u[1]))
	if err != nil {
		t.Fatal(err)
	}
	path := link.Path
	res, body = phone.get(path + q)
	check("client", "/p/{token}", visibleText(body))
	sent("client", "POST /p/{token}, wrong PIN", phone, path, url.Values{"pin": {"0000000"}}, http.StatusUnauthorized)
	if res, _ := phone.post(path, url.Values{"pin": {pin[1]}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("PIN: %d", res.StatusCode)
	}
	res, body = phone.get(path + q)
	if !strings.Contains(body, c.LegalName) {
		t.Fatalf("the phone page does not show the letter:\n%s", body)
	}
	check("client", "/p/{token}, opened", visibleText(body))
	res, body = phone.post(path+"/forget"+q, nil)
	check("client", "POST /p/{token}/forget", visibleText(body))

	// The documents.
	member := w.memberSignedIn(t, m)
	// A store's refusal, said in the reader's language: issuing again.
	if body := sent("member", "POST /letters/{id}/issue, issued", member, "/letters/"+l.ID+"/issue", url.Values{}, http.StatusUnprocessableEntity); !strings.Contains(body, markOpen+"Only a draft can be issued; this letter is: "+markOpen+"Active"+markShut+"."+markShut) {
		t.Errorf("issuing an issued letter says:\n%s", body)
	}
	for _, doc := range []string{"letter.pdf", "card.pdf"} {
		res, body := member.get("/letters/" + l.ID + "/" + doc + "?lang=" + pseudoLang)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("%s: %d", doc, res.StatusCode)
		}
		text := pdfText(t, []byte(body))
		if !strings.Contains(text, markOpen) {
			t.Fatalf("%s has no marked text:\n%s", doc, text)
		}
		if l := ok.leaks(text); len(l) > 0 {
			t.Errorf("member, %s: words outside the catalog: %q\n%s", doc, l, text)
		}
	}
	res, tmpl := staff.get("/applicants/template.csv?lang=" + pseudoLang)
	if res.StatusCode != http.StatusOK || !strings.Contains(tmpl, markOpen) {
		t.Fatalf("template: %d\n%s", res.StatusCode, tmpl)
	}
	header, row, _ := strings.Cut(strings.TrimPrefix(tmpl, "\uFEFF"), "\r\n")
	// The example row's fictional person, and the codes its values are
	// written in (es, tps: the values the import reads, in any language).
	ok.allow("Ana", "Prueba", "es", "tps")
	check("intake", "template.csv", header+"\n"+row)

	// An import with problems of every kind of place: a whole-file one and
	// row ones; its messages are the catalog's.
	for _, file := range []string{"", "nombre_legal,fecha_de_nacimiento\r\nAna Prueba,31/31/1990\r\n",
		tmpl + "Rosa Ejemplo,1990-13-01,zz,abc,,,,,,,,XX,marciano,,quizá,,,,,,,\r\n"} {
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		fw, _ := mw.CreateFormFile("file", "people.csv")
		fw.Write([]byte(file))
		mw.WriteField("dry_run", "on")
		mw.Close()
		req, _ := http.NewRequest("POST", staff.url+"/applicants/import?lang="+pseudoLang, &buf)
		req.Header.Set("Content-Type", mw.FormDataContentType())
		res, err := staff.c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		page := readAll(res)
		if res.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("import: %d", res.StatusCode)
		}
		ok.allow("Ana", "Prueba", "Rosa", "marciano", "quizá", "abc", "zz")
		check("intake", "import", visibleText(page))
	}
}

// pdfText is the text of a PDF, as pdftotext reads it.
func pdfText(t *testing.T, pdf []byte) string {
	t.Helper()
	cmd := exec.Command("pdftotext", "-enc", "UTF-8", "-", "-")
	cmd.Stdin = bytes.NewReader(pdf)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return string(out)
}

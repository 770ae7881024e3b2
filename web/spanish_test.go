package web_test

import (
	"bytes"
	"fmt"
	"html"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/auth"
	"github.com/amparo-project/amparo/document"
	"github.com/amparo-project/amparo/internal/storetest"
	"github.com/amparo-project/amparo/locale"
	"github.com/amparo-project/amparo/sqldb"
	"github.com/amparo-project/amparo/web"
)

// missRecorder collects the catalog's misses, each with the page that was
// being read when it happened.
type missRecorder struct {
	mu     sync.Mutex
	at     string
	misses map[string][]string // "lang key" → pages
}

func (m *missRecorder) reading(page string) {
	m.mu.Lock()
	m.at = page
	m.mu.Unlock()
}

func (m *missRecorder) miss(lang, key string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	k := lang + " " + key
	if !slices.Contains(m.misses[k], m.at) {
		m.misses[k] = append(m.misses[k], m.at)
	}
}

// englishWords are words of English that are not Spanish: one of them on
// a Spanish page, outside what is English on purpose (lang="en") and what
// people typed, is English that did not come from the catalog, such as an
// error's message without a key.
var englishWords = map[string]bool{"the": true, "and": true, "of": true, "is": true, "not": true, "this": true,
	"your": true, "with": true, "for": true, "to": true, "be": true, "must": true, "please": true, "enter": true,
	"was": true, "has": true, "will": true, "you": true, "are": true, "an": true, "or": true, "which": true,
	"cannot": true, "can't": true, "invalid": true, "required": true, "found": true, "page": true}

// inEnglish matches the parts of a page that are English on purpose, such
// as the rights shown to an officer on the phone page: an element marked
// lang="en" (one that holds no element of its own name).
var inEnglish = func() []*regexp.Regexp {
	var out []*regexp.Regexp
	for _, tag := range []string{"h2", "h3", "ul", "ol", "li", "p", "a", "span", "div", "section"} {
		out = append(out, regexp.MustCompile(`(?s)<`+tag+`\b[^>]*\blang="en"[^>]*>.*?</`+tag+`>`))
	}
	return out
}()

// withoutEnglish is body without its parts in English on purpose.
func withoutEnglish(body string) string {
	for _, re := range inEnglish {
		body = re.ReplaceAllString(body, " ")
	}
	return body
}

// englishIn returns the English words of a Spanish page's visible text.
func englishIn(body string, ok *allowance) []string {
	text := visibleText(withoutEnglish(body))
	var out []string
	for _, w := range wordLike.FindAllString(link.ReplaceAllString(text, " "), -1) {
		w = strings.Trim(w, ".-'’")
		if englishWords[strings.ToLower(w)] && !ok.words[w] {
			out = append(out, w)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// TestSpanish_ErrorsWithoutAKey: an error the store says only in English
// (one without a catalog key yet) reaches a Spanish reader in the catalog's
// words for its kind, and an English reader as it is.
func TestSpanish_ErrorsWithoutAKey(t *testing.T) {
	t.Parallel()
	db, k := openStore(t)
	srv, _ := newTestServer(t, db, k)
	cat, err := locale.Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, code := range []string{amparo.ECONFLICT, amparo.EINVALID, amparo.ENOTFOUND, amparo.EFORBIDDEN} {
		e := amparo.Errorf(code, "the record is in the wrong state")
		if got, want := srv.ErrorText("es", e), cat.T("es", "error."+code); got != want || want == cat.T("en", "error."+code) {
			t.Errorf("%s in Spanish: %q, want %q", code, got, want)
		}
		if got := srv.ErrorText("en", e); got != "the record is in the wrong state" {
			t.Errorf("%s in English: %q", code, got)
		}
	}
}

// TestSpanish_NoCatalogMisses: every page, for every role and signed out,
// with data on it (clients, letters drafted, issued and revoked, an
// applicant, matches, the queue, the policy, the audit trail), the forms
// sent with problems, the error pages, the phone page, and every document
// (the letter and the card, the import template and its errors), read in
// Spanish, take every message from the Spanish catalog: the catalog,
// instrumented, reports no key answered in English or not at all, and no
// page shows English words that came from elsewhere.
func TestSpanish_NoCatalogMisses(t *testing.T) {
	t.Parallel()
	cat, err := locale.Load()
	if err != nil {
		t.Fatal(err)
	}
	rec := &missRecorder{misses: map[string][]string{}}
	cat.OnMiss(func(lang, key string) {
		if lang == "es" || lang == "en" { // en: a key no catalog has; partial catalogs fall back by design
			rec.miss(lang, key)
		}
	})

	roomy := auth.LimiterConfig{AddrBurst: 1000, AddrRefill: time.Second, PairFree: 1000, AccountFree: 1000, Forget: time.Hour, MaxEntries: 1000}
	w := newAccountWorld(t, func(svc *web.Services, _ *sqldb.DB) {
		svc.Catalog, svc.Renderer = cat, document.New(cat)
		svc.IntakeLimiter, svc.Limiter = auth.NewLimiter(roomy), auth.NewLimiter(roomy)
	})
	db, org := w.db, w.org

	ok := &allowance{words: map[string]bool{}}
	prog, err := db.FindProgram(system)
	if err != nil {
		t.Fatal(err)
	}
	prog.Name, prog.Jurisdiction = "Programa Ejemplo", "Ciudad Ficticia"
	if err := db.UpdateProgram(system, prog); err != nil {
		t.Fatal(err)
	}

	// Data: an issued letter, a revoked one, a draft, a client facing removal.
	m := w.withKeys(t)
	c := &amparo.Client{OrganizationID: org.ID, Personal: amparo.Personal{LegalName: "Zacarías Quiñónez Ejemplo", Language: "es",
		Situation: amparo.SituationTPS, TPSCountry: "SV", Phone: "+1 213 555 0177", FacingRemoval: true}}
	if err := db.CreateClient(system, c); err != nil {
		t.Fatal(err)
	}
	issue := func() *amparo.Letter {
		l := &amparo.Letter{ClientID: c.ID, MemberID: m.ID, OrganizationID: org.ID, Languages: []string{"es"}}
		if err := db.CreateLetter(system, l); err != nil {
			t.Fatal(err)
		}
		if _, err := db.IssueLetter(storetest.SignerFor(t, db, m), l.ID); err != nil {
			t.Fatal(err)
		}
		return l
	}
	// An accredited representative with room for cases, so a match is proposed.
	rep := &amparo.Member{OrganizationID: org.ID, Name: "Marta Ficticia Ejemplo", Kind: amparo.MemberAccreditedRep, RecognizedOrg: "Centro Legal Ejemplo",
		AccreditationDate: amparo.Date{Time: time.Date(2020, 3, 5, 0, 0, 0, 0, time.UTC)}, Languages: []string{"es"}, CaseCapacity: 3, PublicPhone: "+1 213 555 0143"}
	if err := db.CreateMember(system, rep); err != nil {
		t.Fatal(err)
	}
	revoked := issue()
	fresh := func(l *amparo.Letter) *amparo.Letter {
		cur, err := db.FindLetterByID(system, l.ID)
		if err != nil {
			t.Fatal(err)
		}
		return cur
	}
	member := w.memberSignedIn(t, m)
	rec.reading("member POST /letters/{id}/revoke")
	if res, body := member.post("/letters/"+revoked.ID+"/revoke", url.Values{"reason": {"prueba"}, "confirmed": {"1"}, "seen": {web.LetterSeen(fresh(revoked))}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("revoking: %d\n%s", res.StatusCode, body)
	}
	l := issue()
	draft := &amparo.Letter{ClientID: c.ID, MemberID: m.ID, OrganizationID: org.ID, Languages: []string{"es"}}
	if err := db.CreateLetter(system, draft); err != nil {
		t.Fatal(err)
	}

	q := "?lang=es"
	// look reads a page in Spanish and checks it shows no English words.
	look := func(who, what string, res *http.Response, body string) {
		t.Helper()
		if !strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") {
			return
		}
		if lang := res.Header.Get("Content-Language"); lang != "" && lang != "es" {
			t.Errorf("%s, %s: in %q, not Spanish", who, what, lang)
		}
		if e := englishIn(body, ok); len(e) > 0 {
			t.Errorf("%s, %s: English words %q in:\n%s", who, what, e, strings.Join(strings.Fields(visibleText(withoutEnglish(body))), " "))
		}
	}
	get := func(who string, b *browser, path string) (*http.Response, string) {
		t.Helper()
		sep := "?"
		if strings.Contains(path, "?") {
			sep = "&"
		}
		rec.reading(who + " GET " + path)
		res, body := b.get(path + sep + "lang=es")
		look(who, "GET "+path, res, body)
		return res, body
	}
	post := func(who string, b *browser, path string, form url.Values, want int) string {
		t.Helper()
		rec.reading(who + " POST " + path)
		res, body := b.post(path+q, form)
		if res.StatusCode != want {
			t.Fatalf("%s POST %s: %d, want %d\n%s", who, path, res.StatusCode, want, body)
		}
		look(who, "POST "+path, res, body)
		return body
	}

	// An applicant sent through the public form, in Spanish, after a try with problems.
	public := w.browser(t)
	get("signed out", public, "/intake/"+org.ID)
	post("signed out", public, "/intake/"+org.ID, url.Values{"legal_name": {""}, "phone": {"no"}, "next_hearing": {"3000-13-01"}}, http.StatusUnprocessableEntity)
	rec.reading("signed out POST /intake/{org}")
	res, body := public.post("/intake/"+org.ID+q, url.Values{"legal_name": {"Rosa Ejemplo Prueba"}, "language": {"es"}, "phone": {"213-555-0166"},
		"situation": {"tps"}, "tps_country": {"SV"}, "facing_removal": {"on"}, "consent": {"on"}})
	if res.StatusCode == http.StatusSeeOther {
		get("signed out", public, res.Header.Get("Location"))
	} else if res.StatusCode != http.StatusOK {
		t.Fatalf("intake sent: %d\n%s", res.StatusCode, body)
	}
	as, _, err := db.FindApplicants(system, amparo.ApplicantFilter{OrganizationID: org.ID})
	if err != nil || len(as) == 0 {
		t.Fatalf("applicants: %v, %v", as, err)
	}

	who := map[string]*browser{"signed out": w.browser(t), "member": member}
	for _, r := range amparo.Roles {
		orgID := ""
		if r.OrganizationRole() {
			orgID = org.ID
		}
		who[string(r)] = w.signedInAs(t, r, orgID)
	}
	pages := []string{"/", "/signin", "/v", "/dashboard", "/account", "/clients", "/clients/new", "/clients/" + c.ID,
		"/clients/" + c.ID + "/edit", "/clients/" + c.ID + "/delete", "/letters", "/letters/new?client=" + c.ID,
		"/letters/" + l.ID, "/letters/" + draft.ID, "/letters/" + revoked.ID, "/letters/" + l.ID + "/renew", "/organizations",
		"/organizations/" + org.ID, "/applicants", "/applicants/new", "/applicants/" + as[0].ID, "/matches", "/queue", "/policy",
		"/settings", "/audit", "/clients/" + amparo.NewID(), "/letters/" + amparo.NewID(), "/no-such-page"}
	for _, name := range slices.Sorted(func(yield func(string) bool) {
		for k := range who {
			if !yield(k) {
				return
			}
		}
	}) {
		for _, p := range pages {
			get(name, who[name], p)
		}
	}

	if _, body := get("org_admin", who[string(amparo.RoleOrgAdmin)], "/matches"); !strings.Contains(body, "Habla español") {
		t.Errorf("no match is proposed, with its reasons:\n%s", strings.Join(strings.Fields(visibleText(body)), " "))
	}
	// Forms sent with problems, a conflict check's hits with their
	// reasons, a store's refusal, a field no form has.
	staff := who[string(amparo.RoleIntake)]
	admin := who[string(amparo.RoleProgramAdmin)]
	post("intake", staff, "/clients", url.Values{"legal_name": {"Ana"}, "phone": {"no"}, "birth_date": {"3000-01-01"}}, http.StatusUnprocessableEntity)
	post("intake", staff, "/clients", url.Values{"legal_name": {"Zacarias Quinonez Ejemplo"}, "language": {"es"},
		"situation": {"tps"}, "tps_country": {"SV"}, "consent": {"on"}}, http.StatusOK)
	post("intake", staff, "/clients", url.Values{"legal_name": {"Ana"}, "no_such_field": {"x"}}, http.StatusBadRequest)
	post("intake", staff, "/clients/"+c.ID, url.Values{"legal_name": {c.LegalName}, "language": {"es"}, "situation": {"tps"},
		"tps_country": {"SV"}, "updated_at": {"2001-01-01T00:00:00Z"}}, http.StatusConflict)
	post("program_admin", admin, "/organizations/"+org.ID, url.Values{"name": {""}, "kind": {"x"},
		"contact_email": {"no"}, "languages": {"??"}, "capacity": {"-1"}}, http.StatusUnprocessableEntity)
	post("program_admin", admin, "/settings", url.Values{"name": {""}, "letter_validity_days": {"0"},
		"time_zone": {"Mars/Base"}, "verify_url": {"ftp://x"}}, http.StatusUnprocessableEntity)
	post("program_admin", admin, "/policy", url.Values{"text": {"rule x tier 9 when nonsense"}, "reason": {"prueba"}}, http.StatusUnprocessableEntity)
	post("program_admin", admin, "/policy", url.Values{"text": {"policy \"x\"\nrule a tier 1 when detained \"Detenido\"\nas-of 2025-13-01\ntiebreak intake"}, "reason": {"prueba"}}, http.StatusUnprocessableEntity)
	post("member", member, "/letters/"+l.ID+"/issue", url.Values{}, http.StatusUnprocessableEntity)
	// A match: declined without a reason, accepted over a conflict, then
	// accepted with the conflict cleared, and the draft it opens.
	orgAdmin := who[string(amparo.RoleOrgAdmin)]
	rec.reading("org_admin POST /parties")
	if res, body := orgAdmin.post("/parties"+q, url.Values{"name": {"Rosa Prueba Ejemplo"}, "note": {"parte contraria"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("recording a party: %d\n%s", res.StatusCode, body)
	}
	pick := url.Values{"applicant": {as[0].ID}, "member": {rep.ID}}
	post("org_admin", orgAdmin, "/matches/decline", url.Values{"applicant": pick["applicant"], "member": pick["member"], "reason": {""}}, http.StatusUnprocessableEntity)
	if body := post("org_admin", orgAdmin, "/matches/accept", pick, http.StatusConflict); !strings.Contains(body, "Apellido «") {
		t.Errorf("the conflict check's reasons are not shown:\n%s", body)
	}
	pick.Set("conflicts_cleared", "on")
	rec.reading("org_admin POST /matches/accept")
	res, body = orgAdmin.post("/matches/accept"+q, pick)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("accepting the match: %d\n%s", res.StatusCode, body)
	}
	get("org_admin", orgAdmin, res.Header.Get("Location"))
	get("org_admin", orgAdmin, "/applicants/"+as[0].ID)
	get("org_admin", orgAdmin, "/audit")
	post("member", member, "/letters/"+revoked.ID+"/revoke", url.Values{"reason": {""}}, http.StatusUnprocessableEntity)

	// The invitation, the second factor, signing in, with their mistakes.
	invitee := w.browser(t)
	inv := &amparo.Invitation{Email: "nueva@centro-ejemplo.example", Role: amparo.RoleIntake, OrganizationID: org.ID}
	if err := db.CreateInvitation(system, inv); err != nil {
		t.Fatal(err)
	}
	get("signed out", invitee, "/invite/"+inv.Token)
	get("signed out", invitee, "/invite/no-such-token")
	post("signed out", invitee, "/invite/"+inv.Token, url.Values{"name": {"Nueva Ejemplo"}, "password": {"password1"}, "confirm": {"password2"}}, http.StatusUnprocessableEntity)
	pw := "faro verde sobre la bahía tranquila"
	post("signed out", invitee, "/invite/"+inv.Token, url.Values{"name": {"Nueva Ejemplo"}, "password": {pw}, "confirm": {pw}}, http.StatusSeeOther)
	_, body = get("invited", invitee, "/account/totp")
	secret := secretPattern.FindStringSubmatch(body)
	if secret == nil {
		t.Fatalf("no TOTP secret:\n%s", body)
	}
	post("invited", invitee, "/account/totp", url.Values{"secret": {secret[1]}, "code": {"000000"}}, http.StatusUnprocessableEntity)
	code, _ := totp.GenerateCode(secret[1], time.Now())
	post("invited", invitee, "/account/totp", url.Values{"secret": {secret[1]}, "code": {code}}, http.StatusSeeOther)
	get("invited", invitee, "/account/recovery")
	again := w.browser(t)
	post("signed out", again, "/signin", url.Values{"email": {inv.Email}, "password": {"wrong"}}, http.StatusUnauthorized)
	post("signed out", again, "/signin", url.Values{"email": {inv.Email}, "password": {pw}}, http.StatusSeeOther)
	get("signing in", again, "/signin/code")
	post("signing in", again, "/signin/code", url.Values{"code": {"000000"}}, http.StatusUnauthorized)

	// The phone page: locked, opened, forgotten; its letter.
	_, body = get("member", member, "/letters/"+l.ID)
	spanishDay := regexp.MustCompile(`<time id="last-day" datetime="\d{4}-\d{2}-\d{2}">\d{1,2} de [a-z]+ de \d{4}</time>`)
	if !spanishDay.MatchString(body) {
		t.Errorf("the letter's last day is not written in Spanish:\n%s", body)
	}
	u := regexp.MustCompile(`id="phone-url">([^<]+)<`).FindStringSubmatch(body)
	pin := regexp.MustCompile(`id="phone-pin">([0-9]+)<`).FindStringSubmatch(body)
	if u == nil || pin == nil {
		t.Fatalf("no phone link on the letter's page:\n%s", body)
	}
	link, err := url.Parse(html.UnescapeString(u[1]))
	if err != nil {
		t.Fatal(err)
	}
	phone := w.browser(t)
	get("client", phone, link.Path)
	post("client", phone, link.Path, url.Values{"pin": {"0000000"}}, http.StatusUnauthorized)
	post("client", phone, link.Path, url.Values{"pin": {pin[1]}}, http.StatusSeeOther)
	if _, body := get("client", phone, link.Path); !strings.Contains(body, c.LegalName) {
		t.Fatalf("the phone page does not show the letter:\n%s", body)
	} else if !regexp.MustCompile(`datetime="\d{4}-\d{2}-\d{2}">\d{1,2} de [a-z]+ de \d{4}</time>`).MatchString(body) {
		t.Errorf("the phone page's date is not written in Spanish:\n%s", body)
	}
	rec.reading("client GET /p/{token}/letter.pdf")
	if res, _ := phone.get(link.Path + "/letter.pdf" + q); res.StatusCode != http.StatusOK {
		t.Errorf("phone letter.pdf: %d", res.StatusCode)
	}
	post("client", phone, link.Path+"/forget", nil, http.StatusOK)
	locked := w.browser(t)
	for i := 0; i < 12; i++ {
		rec.reading("client POST /p/{token}, locked")
		res, body := locked.post(link.Path+q, url.Values{"pin": {fmt.Sprintf("%07d", i)}})
		look("client", "POST /p/{token}, wrong PIN again", res, body)
		if res.StatusCode == http.StatusTooManyRequests {
			break
		}
	}

	// The documents, and the import's template and problems.
	for doc, spanish := range map[string]string{"letter.pdf": "Su carta es válida hasta", "card.pdf": "Válida hasta"} {
		for _, id := range []string{l.ID, revoked.ID} {
			rec.reading("member GET /letters/{id}/" + doc)
			res, body := member.get("/letters/" + id + "/" + doc + q)
			if res.StatusCode != http.StatusOK {
				continue
			}
			// The client's part is in Spanish (the officer's is in English on purpose).
			if text := pdfText(t, []byte(body)); !strings.Contains(text, spanish) {
				t.Errorf("%s has no Spanish part:\n%s", doc, text)
			}
		}
	}
	rec.reading("intake GET /applicants/template.csv")
	res, tmpl := staff.get("/applicants/template.csv" + q)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("template: %d", res.StatusCode)
	}
	for _, file := range []string{"", "nombre_legal,fecha_de_nacimiento\r\nAna Prueba,31/31/1990\r\n",
		tmpl + "Rosa Ejemplo,1990-13-01,zz,abc,,,,,,,,XX,marciano,,quizá,,,,,,,\r\n"} {
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		fw, _ := mw.CreateFormFile("file", "people.csv")
		fw.Write([]byte(file))
		mw.WriteField("dry_run", "on")
		mw.Close()
		req, _ := http.NewRequest("POST", staff.url+"/applicants/import"+q, &buf)
		req.Header.Set("Content-Type", mw.FormDataContentType())
		rec.reading("intake POST /applicants/import")
		res, err := staff.c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		look("intake", "POST /applicants/import", res, readAll(res))
	}

	for _, k := range slices.Sorted(func(yield func(string) bool) {
		for k := range rec.misses {
			if !yield(k) {
				return
			}
		}
	}) {
		t.Errorf("catalog miss %s, on %s", k, strings.Join(rec.misses[k], "; "))
	}
}

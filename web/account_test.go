package web_test

import (
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/sqldb"
	"github.com/amparo-project/amparo/web"
)

// accountWorld serves the web app over a real store with one organization.
type accountWorld struct {
	ts  *httptest.Server // plain HTTP, for Chromium on localhost
	tls *httptest.Server // the same server over TLS, for the Go browsers
	srv *web.Server
	db  *sqldb.DB
	org *amparo.Organization
	log *strings.Builder
}

// newAccountWorld's server logs to w.log; configure, in order, change
// its services further, given the store.
func newAccountWorld(t *testing.T, configure ...func(*web.Services, *sqldb.DB)) *accountWorld {
	t.Helper()
	db, k := openStore(t)
	org := &amparo.Organization{Name: "Centro Legal Ejemplo", Kind: amparo.OrgNonprofit, Languages: []string{"en", "es"}}
	if err := db.CreateOrganization(system, org); err != nil {
		t.Fatal(err)
	}
	w := &accountWorld{db: db, org: org, log: &strings.Builder{}}
	srv, h := newTestServer(t, db, k, func(s *web.Services) {
		s.Logger = slog.New(slog.NewTextHandler(w.log, nil))
		for _, c := range configure {
			c(s, db)
		}
	})
	w.srv = srv
	w.ts = httptest.NewServer(h)
	t.Cleanup(w.ts.Close)
	w.tls = httptest.NewTLSServer(h)
	t.Cleanup(w.tls.Close)
	return w
}

// browser is an HTTP client with its own cookies that does not follow
// redirects, so each step's answer can be checked. It speaks TLS and keeps
// cookies in a net/http/cookiejar, as a browser does: Secure cookies, and
// each cookie only on its path.
type browser struct {
	t   *testing.T
	c   *http.Client
	jar *cookiejar.Jar
	url string
}

func (w *accountWorld) browser(t *testing.T) *browser {
	jar := newJar(t)
	c := new(http.Client)
	*c = *w.tls.Client() // a copy: the server's client is one for all
	c.Jar = jar
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &browser{t: t, jar: jar, url: w.tls.URL, c: c}
}

// newJar is an empty net/http/cookiejar.
func newJar(t testing.TB) *cookiejar.Jar {
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return jar
}

// at is the browser's URL of path.
func (b *browser) at(path string) *url.URL {
	u, err := url.Parse(b.url + path)
	if err != nil {
		b.t.Fatal(err)
	}
	return u
}

// cookie is the cookie named name the browser sends to path, or nil.
func (b *browser) cookie(path, name string) *http.Cookie {
	for _, c := range b.jar.Cookies(b.at(path)) {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// session is the browser's session token.
func (b *browser) session() string {
	b.t.Helper()
	c := b.cookie("/", "__Host-session")
	if c == nil {
		b.t.Fatal("the browser has no session cookie")
	}
	return c.Value
}

// setCookies puts cookies in the browser's jar, as the server at path
// would have set them.
func (b *browser) setCookies(path string, cs ...*http.Cookie) {
	b.jar.SetCookies(b.at(path), cs)
}

func (b *browser) get(path string) (*http.Response, string) {
	b.t.Helper()
	res, err := b.c.Get(b.url + path)
	if err != nil {
		b.t.Fatal(err)
	}
	return res, readAll(res)
}

func (b *browser) post(path string, form url.Values) (*http.Response, string) {
	b.t.Helper()
	res, err := b.c.PostForm(b.url+path, form)
	if err != nil {
		b.t.Fatal(err)
	}
	return res, readAll(res)
}

func wantRedirect(t *testing.T, res *http.Response, to string) {
	t.Helper()
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != to {
		t.Fatalf("got %d to %q, want a redirect to %s", res.StatusCode, res.Header.Get("Location"), to)
	}
}

var secretPattern = regexp.MustCompile(`name="secret" value="([A-Z2-7]+)"`)

// enroll accepts an invitation as an organization admin and turns on the
// second factor; it returns the email, the password, the TOTP secret and a
// recovery code.
func (w *accountWorld) enroll(t *testing.T, b *browser) (string, string, string, string) {
	t.Helper()
	inv := &amparo.Invitation{Email: "rosa@centro-ejemplo.example", Role: amparo.RoleOrgAdmin, OrganizationID: w.org.ID}
	if err := w.db.CreateInvitation(system, inv); err != nil {
		t.Fatal(err)
	}
	if _, body := b.get("/invite/" + inv.Token); !strings.Contains(body, "rosa@centro-ejemplo.example") {
		t.Fatalf("invitation page:\n%s", body)
	}
	// A weak password is refused, with what was typed kept and the error linked.
	res, body := b.post("/invite/"+inv.Token, url.Values{"name": {"Rosa Ejemplo"}, "password": {"password1"}, "confirm": {"password1"}})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `href="#password"`) || !strings.Contains(body, `value="Rosa Ejemplo"`) {
		t.Fatalf("weak password: %d\n%s", res.StatusCode, body)
	}
	password := "faro verde sobre la bahía tranquila"
	res, _ = b.post("/invite/"+inv.Token, url.Values{"name": {"Rosa Ejemplo"}, "password": {password}, "confirm": {password}})
	wantRedirect(t, res, "/account/totp")
	// Until the second factor is on, the dashboard is out of reach.
	res, _ = b.get("/dashboard")
	wantRedirect(t, res, "/account/totp")
	_, body = b.get("/account/totp")
	m := secretPattern.FindStringSubmatch(body)
	if m == nil || !strings.Contains(body, "<svg") {
		t.Fatalf("no TOTP secret or QR:\n%s", body)
	}
	code, _ := totp.GenerateCode(m[1], time.Now())
	res, _ = b.post("/account/totp", url.Values{"secret": {m[1]}, "code": {code}})
	wantRedirect(t, res, "/account/recovery")
	res, body = b.get("/account/recovery")
	codes := regexp.MustCompile(`<li><code>([a-z0-9-]+)</code></li>`).FindAllStringSubmatch(body, -1)
	if res.StatusCode != 200 || len(codes) != 10 {
		t.Fatalf("recovery codes: %d\n%s", res.StatusCode, body)
	}
	return inv.Email, password, m[1], codes[0][1]
}

func TestSignIn_Flow(t *testing.T) {
	t.Parallel()
	w := newAccountWorld(t)
	b := w.browser(t)
	email, password, secret, recovery := w.enroll(t, b)
	if res, body := b.get("/dashboard"); res.StatusCode != 200 || !strings.Contains(body, "Rosa Ejemplo") || res.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("dashboard: %d", res.StatusCode)
	}
	res, _ := b.post("/signout", nil)
	wantRedirect(t, res, "/signin")
	res, _ = b.get("/dashboard")
	wantRedirect(t, res, "/signin")

	// Sign in again: password, then a code.
	res, _ = b.post("/signin", url.Values{"email": {"ROSA@centro-ejemplo.example"}, "password": {password}})
	wantRedirect(t, res, "/signin/code")
	var cookie *http.Cookie
	for _, c := range res.Cookies() {
		if c.Name == "__Host-session" {
			cookie = c
		}
	}
	if cookie == nil || !cookie.HttpOnly || !cookie.Secure || cookie.Path != "/" || cookie.SameSite != http.SameSiteLaxMode {
		t.Fatalf("session cookie %+v", cookie)
	}
	res, _ = b.get("/dashboard")
	wantRedirect(t, res, "/signin/code")
	// The code used at enrollment does not work twice.
	code, _ := totp.GenerateCode(secret, time.Now())
	if res, _ := b.post("/signin/code", url.Values{"code": {code}}); res.StatusCode != http.StatusUnauthorized {
		t.Fatalf("the enrollment code worked again: %d", res.StatusCode)
	}
	code, _ = totp.GenerateCode(secret, time.Now().Add(30*time.Second)) // the next step, within the allowed skew
	res, _ = b.post("/signin/code", url.Values{"code": {code}})
	wantRedirect(t, res, "/dashboard")
	if res, _ := b.get("/dashboard"); res.StatusCode != 200 {
		t.Fatalf("dashboard after the code: %d", res.StatusCode)
	}
	// The session token changed at each step: the one before the code is dead.
	other := w.browser(t)
	other.setCookies("/", cookie)
	if res, _ := other.get("/dashboard"); res.StatusCode == 200 {
		t.Fatal("the pre-code session token still works")
	}

	t.Run("SignOutEverywhere", func(t *testing.T) {
		b2 := w.browser(t)
		res, _ := b2.post("/signin", url.Values{"email": {email}, "password": {password}})
		wantRedirect(t, res, "/signin/code")
		res, _ = b2.post("/signin/code", url.Values{"code": {recovery}})
		wantRedirect(t, res, "/dashboard")
		b.post("/signout/everywhere", nil)
		if res, _ := b2.get("/dashboard"); res.StatusCode == 200 {
			t.Fatal("another browser is still signed in")
		}
	})
	if strings.Contains(w.log.String(), password) || strings.Contains(w.log.String(), secret) || strings.Contains(w.log.String(), "rosa@") {
		t.Fatalf("the log holds credentials or personal data:\n%s", w.log.String())
	}
}

func TestSignIn_SameAnswerAndThrottle(t *testing.T) {
	t.Parallel()
	w := newAccountWorld(t)
	email, _, _, _ := w.enroll(t, w.browser(t))
	b := w.browser(t)
	_, unknown := b.post("/signin", url.Values{"email": {"nobody@example.org"}, "password": {"whatever it is"}})
	_, wrong := b.post("/signin", url.Values{"email": {email}, "password": {"not the password"}})
	clean := func(s string) string { return regexp.MustCompile(`value="[^"]*"`).ReplaceAllString(s, "") }
	if clean(unknown) != clean(wrong) {
		t.Fatal("an unknown account and a wrong password get different pages")
	}
	var res *http.Response
	for range 6 {
		res, _ = b.post("/signin", url.Values{"email": {email}, "password": {"not the password"}})
	}
	if res.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("after 8 wrong passwords: %d, want 429", res.StatusCode)
	}
	// Another address is not locked out by this one's failures.
	events, _, _ := w.db.FindAuditEvents(system, amparo.AuditFilter{Action: "account.signin_failure"})
	if len(events) < 3 {
		t.Fatalf("%d sign-in failures audited", len(events))
	}
}

func TestSignIn_CrossSiteRefused(t *testing.T) {
	t.Parallel()
	w := newAccountWorld(t)
	req, _ := http.NewRequest("POST", w.ts.URL+"/signin", strings.NewReader("email=a%40b.c&password=x"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", "https://evil.example")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusForbidden {
		t.Fatalf("cross-site sign-in post: %d", res.StatusCode)
	}
}

func TestAccount_ReauthBeforeChangingSignInDetails(t *testing.T) {
	t.Parallel()
	w := newAccountWorld(t)
	b := w.browser(t)
	email, password, _, _ := w.enroll(t, b)
	// Another browser signed in, to be signed out by the change.
	other := w.browser(t)
	other.setCookies("/", b.jar.Cookies(b.at("/"))...)

	// Replacing the authenticator without the password is not possible.
	res, _ := b.get("/account/totp")
	wantRedirect(t, res, "/account")
	if res, _ := b.post("/account/totp", url.Values{"secret": {"JBSWY3DPEHPK3PXP"}, "code": {"123456"}}); res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/signin" {
		t.Fatalf("enrolling over a second factor without the password: %d %q", res.StatusCode, res.Header.Get("Location"))
	}
	if res, _ := b.post("/account/totp/reset", url.Values{"current_password": {"wrong one"}}); res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("reset with a wrong password: %d", res.StatusCode)
	}
	_, body := b.post("/account/totp/reset", url.Values{"current_password": {password}})
	m := secretPattern.FindStringSubmatch(body)
	reauth := regexp.MustCompile(`name="reauth" value="([^"]+)"`).FindStringSubmatch(body)
	if m == nil || reauth == nil {
		t.Fatalf("reset page:\n%s", body)
	}
	code, _ := totp.GenerateCode(m[1], time.Now().Add(30*time.Second))
	if res, _ := b.post("/account/totp", url.Values{"secret": {m[1]}, "code": {code}, "reauth": {reauth[1]}}); res.Header.Get("Location") != "/account/recovery" {
		t.Fatalf("new authenticator: %d", res.StatusCode)
	}
	if _, body := b.get("/account/recovery"); !strings.Contains(body, "recovery-codes") {
		t.Fatalf("new recovery codes:\n%s", body)
	}

	// Changing the password needs the current one, and ends other sessions.
	if res, _ := b.post("/account/password", url.Values{"current_password": {"wrong"}, "new_password": {"otra frase larga y segura"}, "confirm": {"otra frase larga y segura"}}); res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("change with a wrong current password: %d", res.StatusCode)
	}
	res, _ = b.post("/account/password", url.Values{"current_password": {password}, "new_password": {"otra frase larga y segura"}, "confirm": {"otra frase larga y segura"}})
	wantRedirect(t, res, "/dashboard")
	if res, _ := b.get("/dashboard"); res.StatusCode != 200 {
		t.Fatalf("this browser after the change: %d", res.StatusCode)
	}
	if res, _ := other.get("/dashboard"); res.StatusCode == 200 {
		t.Fatal("another session survived the password change")
	}
	if res, _ := w.browser(t).post("/signin", url.Values{"email": {email}, "password": {password}}); res.StatusCode != http.StatusUnauthorized {
		t.Fatalf("the old password still works: %d", res.StatusCode)
	}
}

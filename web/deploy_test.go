package web_test

import (
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strings"
	"testing"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/web"
)

// Behind a proxy that ends TLS for https://cartas.example.org, the
// session cookie is __Host- and Secure and HSTS is sent, though the
// request reached the process over plain HTTP.
func TestBehindAProxy_SecureCookiesAndHSTS(t *testing.T) {
	t.Parallel()
	public, _ := url.Parse("https://cartas.example.org")
	for _, tt := range []struct {
		name   string
		deploy web.Deployment
		secure bool
	}{
		{"https public URL", web.Deployment{PublicURL: public, TrustedProxies: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}}, true},
		{"no public URL", web.Deployment{}, false},
	} {
		db, k := openStore(t)
		org := &amparo.Organization{Name: "Centro Legal Ejemplo", Kind: amparo.OrgNonprofit, Languages: []string{"en", "es"}}
		if err := db.CreateOrganization(system, org); err != nil {
			t.Fatal(err)
		}
		_, h := newTestServer(t, db, k, func(s *web.Services) { s.Deployment = tt.deploy })
		ts := httptest.NewServer(h)
		defer ts.Close()
		inv := &amparo.Invitation{Email: "rosa@example.org", Role: amparo.RoleIntake, OrganizationID: org.ID}
		if err := db.CreateInvitation(system, inv); err != nil {
			t.Fatal(err)
		}
		password := "faro verde sobre la bahía tranquila"
		form := url.Values{"name": {"Rosa Ejemplo"}, "password": {password}, "confirm": {password}}
		req, _ := http.NewRequest("POST", ts.URL+"/invite/"+inv.Token, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Host = "cartas.example.org" // as the proxy passes it on
		req.Header.Set("X-Forwarded-Proto", "https")
		res, err := (&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		var session *http.Cookie
		for _, c := range res.Cookies() {
			if strings.HasSuffix(c.Name, "session") {
				session = c
			}
		}
		if session == nil {
			t.Fatalf("%s: no session cookie (%d)", tt.name, res.StatusCode)
		}
		hsts := res.Header.Get("Strict-Transport-Security") != ""
		if (session.Name == "__Host-session") != tt.secure || session.Secure != tt.secure || hsts != tt.secure {
			t.Errorf("%s: cookie %s Secure=%v, HSTS %v; want all %v", tt.name, session.Name, session.Secure, hsts, tt.secure)
		}
	}
}

// Forwarded headers are believed from trusted proxies alone, and only the
// hops they appended: a client cannot choose its own address.
func TestBehindAProxy_ForwardedHeaders(t *testing.T) {
	t.Parallel()
	db, k := openStore(t)
	srv, _ := newTestServer(t, db, k, func(s *web.Services) {
		s.Deployment = web.Deployment{TrustedProxies: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("10.0.0.0/8")}}
	})
	for _, tt := range []struct {
		peer, forwardedFor, proto string
		addr                      string
		https                     bool
	}{
		{"127.0.0.1:4000", "203.0.113.9", "https", "203.0.113.9", true},
		// The client wrote its own X-Forwarded-For; the proxies appended the truth.
		{"127.0.0.1:4000", "192.0.2.1, 203.0.113.9, 10.0.0.5", "https", "203.0.113.9", true},
		// From an address that is no trusted proxy, nothing is believed.
		{"198.51.100.7:5555", "203.0.113.9", "https", "198.51.100.7", false},
		// Garbage is ignored.
		{"127.0.0.1:4000", "not an address", "gopher", "127.0.0.1", false},
		{"127.0.0.1:4000", "", "", "127.0.0.1", false},
	} {
		r := httptest.NewRequest("GET", "/", nil)
		r.RemoteAddr = tt.peer
		if tt.forwardedFor != "" {
			r.Header.Set("X-Forwarded-For", tt.forwardedFor)
		}
		r.Header.Set("X-Forwarded-Proto", tt.proto)
		addr, https := srv.ClientOf(r)
		if addr != tt.addr || https != tt.https {
			t.Errorf("from %s with %q, %q: %s https=%v, want %s %v", tt.peer, tt.forwardedFor, tt.proto, addr, https, tt.addr, tt.https)
		}
	}
}

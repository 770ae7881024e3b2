package web_test

import (
	"fmt"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/amparo-project/amparo/auth"
	"github.com/amparo-project/amparo/sqldb"
	"github.com/amparo-project/amparo/web"
)

// postFrom posts form as a browser behind the trusted proxy at addr.
func (b *browser) postFrom(addr, path string, form url.Values) *http.Response {
	b.t.Helper()
	req, _ := http.NewRequest("POST", b.url+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Forwarded-For", addr)
	res, err := b.c.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	readAll(res)
	return res
}

// TestSignIn_UnderAttackThroughProxy measures a wait, so it is a test: an
// attacker guesses a program admin's password about 100 times a second,
// each guess from another address given by the trusted proxy's
// X-Forwarded-For, against the limiter in the database as serve runs it.
// Once the account is locked, the person signs in at the first try from
// the browser they signed in with before (its device cookie), while a
// browser that never signed in is refused with the wait. The long run
// (ten minutes, simulated) is auth.TestSignIn_UnderAttack.
func TestSignIn_UnderAttackThroughProxy(t *testing.T) {
	t.Parallel()
	w := newAccountWorld(t, func(s *web.Services, db *sqldb.DB) {
		s.Limiter = auth.NewSharedLimiter(db, auth.DefaultLimiterConfig)
		s.Deployment = web.Deployment{TrustedProxies: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}}
	})

	// The person's own browser signs in once before the attack, and keeps
	// a device cookie.
	own := w.browser(t)
	email, password, secret, recovery := w.enroll(t, own)
	own.post("/signout", nil)
	wantRedirect(t, own.postFrom("192.0.2.10", "/signin", url.Values{"email": {email}, "password": {password}}), "/signin/code")
	code, _ := totp.GenerateCode(secret, time.Now().Add(30*time.Second))
	res := own.postFrom("192.0.2.10", "/signin/code", url.Values{"code": {code}})
	wantRedirect(t, res, "/dashboard")
	var device *http.Cookie
	for _, c := range res.Cookies() {
		if c.Name == "__Host-device" {
			device = c
		}
	}
	if device == nil || !device.HttpOnly || !device.Secure || device.Path != "/" || device.SameSite != http.SameSiteStrictMode {
		t.Fatalf("device cookie %+v", device)
	}
	own.post("/signout", nil)

	// The attack: until the account is locked out (each address has its
	// five free tries, so only the account's lock stops it), at 100 a second.
	attacker := w.browser(t)
	checked, locked := 0, false
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for n := 1; n <= 300 && !locked; n++ {
		<-tick.C
		res := attacker.postFrom(fmt.Sprintf("10.0.%d.%d", n/250, n%250+1), "/signin", url.Values{"email": {email}, "password": {fmt.Sprintf("guess %d", n)}})
		switch res.StatusCode {
		case http.StatusUnauthorized:
			checked++
		case http.StatusTooManyRequests:
			locked = true
		default:
			t.Fatalf("guess %d: %d", n, res.StatusCode)
		}
	}
	if !locked || checked != auth.DefaultLimiterConfig.AccountFree {
		t.Fatalf("%d guesses from as many addresses checked before the lock (locked %v), want %d", checked, locked, auth.DefaultLimiterConfig.AccountFree)
	}

	// A browser that never signed in, with the right password, waits.
	stranger := w.browser(t)
	if res := stranger.postFrom("192.0.2.20", "/signin", url.Values{"email": {email}, "password": {password}}); res.StatusCode != http.StatusTooManyRequests {
		t.Errorf("a new browser signing in during the attack: %d, want 429", res.StatusCode)
	}
	// The person's browser signs in at once, password and code, while the
	// attack goes on.
	began := time.Now()
	attacker.postFrom("10.0.9.9", "/signin", url.Values{"email": {email}, "password": {"one more guess"}})
	wantRedirect(t, own.postFrom("192.0.2.10", "/signin", url.Values{"email": {email}, "password": {password}}), "/signin/code")
	attacker.postFrom("10.0.9.10", "/signin", url.Values{"email": {email}, "password": {"and another"}})
	wantRedirect(t, own.postFrom("192.0.2.10", "/signin/code", url.Values{"code": {recovery}}), "/dashboard")
	t.Logf("signed in from the browser with a device cookie %v after the lock, at the first try", time.Since(began).Round(time.Millisecond))

	// A device cookie is the account's own: for another account, or
	// altered, it is no device.
	other := w.browser(t)
	altered := device.Value[:len(device.Value)-2] + "AA"
	if altered == device.Value {
		altered = device.Value[:len(device.Value)-2] + "BA"
	}
	other.setCookies("/", &http.Cookie{Name: "__Host-device", Value: altered, Path: "/", Secure: true})
	if res := other.postFrom("192.0.2.30", "/signin", url.Values{"email": {email}, "password": {password}}); res.StatusCode != http.StatusTooManyRequests {
		t.Errorf("an altered device cookie during the attack: %d, want 429", res.StatusCode)
	}
	if strings.Contains(w.log.String(), device.Value) || strings.Contains(w.log.String(), "10.0.") {
		t.Error("the log holds a device token or an attacker's address")
	}
}

package web

import (
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
)

// Whatever forwarded headers arrive, the client's address is the peer's
// or an address the headers hold that is no trusted proxy, from a trusted
// peer alone; https is believed from a trusted peer's "https" alone; and
// nothing panics.
func FuzzForwardedHeaders(f *testing.F) {
	f.Add("127.0.0.1:4000", "203.0.113.9", "https")
	f.Add("127.0.0.1:4000", "192.0.2.1, 203.0.113.9, 10.0.0.5", "HTTPS ")
	f.Add("198.51.100.7:5555", "203.0.113.9", "https")
	f.Add("127.0.0.1:4000", "not an address", "gopher")
	f.Add("127.0.0.1:4000", "203.0.113.9:8080", "https, http")
	f.Add("127.0.0.1:4000", "[2001:db8::1], ::ffff:203.0.113.9", "")
	f.Add("[::1]:4000", ",,,unknown,,", "\x00")
	s := &Server{Services: Services{Deployment: Deployment{TrustedProxies: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("10.0.0.0/8")}}}}
	f.Fuzz(func(t *testing.T, peer, forwardedFor, proto string) {
		r := httptest.NewRequest("GET", "/", nil)
		r.RemoteAddr = peer
		r.Header["X-Forwarded-For"] = []string{forwardedFor}
		r.Header["X-Forwarded-Proto"] = []string{proto}
		var addr string
		var https bool
		s.behindProxy(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
			addr, https = clientAddr(r), overHTTPS(r)
		})).ServeHTTP(nil, r)
		p, err := netip.ParseAddrPort(peer)
		trusted := err == nil && s.Deployment.trusted(p.Addr())
		peerHost := clientAddr(&http.Request{RemoteAddr: peer})
		if !trusted {
			if addr != peerHost || https {
				t.Fatalf("from untrusted %q with %q, %q: %s https=%v", peer, forwardedFor, proto, addr, https)
			}
			return
		}
		if https != strings.EqualFold(strings.TrimSpace(proto), "https") {
			t.Fatalf("proto %q read as https=%v", proto, https)
		}
		if addr == peerHost {
			return
		}
		a, err := netip.ParseAddr(addr)
		if err != nil || s.Deployment.trusted(a) || !hopOf(forwardedFor, a) {
			t.Fatalf("from %q with %q: client %q", peer, forwardedFor, addr)
		}
	})
}

// hopOf reports whether a is one of the addresses in an X-Forwarded-For
// value, unmapped and without a zone.
func hopOf(forwardedFor string, a netip.Addr) bool {
	for _, h := range strings.Split(forwardedFor, ",") {
		if p, err := netip.ParseAddr(strings.TrimSpace(h)); err == nil && p.Zone() == "" && p.Unmap() == a {
			return true
		}
	}
	return false
}

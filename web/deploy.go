package web

import (
	"context"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"time"
)

// Deployment is how people reach the server: at PublicURL, perhaps
// through reverse proxies. Only from TrustedProxies are X-Forwarded-For
// and X-Forwarded-Proto believed; from anyone else they are ignored.
// An https PublicURL makes every cookie Secure, the session's __Host-,
// and sends HSTS, whatever address a request came to.
type Deployment struct {
	PublicURL      *url.URL // nil: wherever a request came (a developer's machine)
	TrustedProxies []netip.Prefix
	AlertsPoll     time.Duration // how often the alerts page reads itself again; 0: 10 s
}

// alertsPoll is how often the alerts page reads itself again with
// JavaScript.
func (d Deployment) alertsPoll() time.Duration {
	if d.AlertsPoll > 0 {
		return d.AlertsPoll
	}
	return 10 * time.Second
}

// https reports whether the public address is https.
func (d Deployment) https() bool { return d.PublicURL != nil && d.PublicURL.Scheme == "https" }

// trusted reports whether addr is one of the trusted proxies.
func (d Deployment) trusted(addr netip.Addr) bool {
	for _, p := range d.TrustedProxies {
		if p.Contains(addr.Unmap()) {
			return true
		}
	}
	return false
}

// httpsKey marks, in a request's context, a request that reached the
// public site over https: directly, or through a trusted proxy.
type httpsKey struct{}

// behindProxy takes the client's address and scheme from a trusted
// proxy's headers: the address is the rightmost in X-Forwarded-For that is
// not a trusted proxy (what each proxy appended, not what the client
// claimed). A header that does not parse is ignored.
func (s *Server) behindProxy(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		https := r.TLS != nil || s.Deployment.https()
		if peer, err := netip.ParseAddrPort(r.RemoteAddr); err == nil && s.Deployment.trusted(peer.Addr()) {
			if client, ok := s.forwardedFor(r.Header.Values("X-Forwarded-For")); ok {
				r.RemoteAddr = netip.AddrPortFrom(client, 0).String()
			}
			if strings.EqualFold(strings.TrimSpace(r.Header.Get("X-Forwarded-Proto")), "https") {
				https = true
			}
		}
		if https {
			r = r.WithContext(context.WithValue(r.Context(), httpsKey{}, true))
		}
		next.ServeHTTP(w, r)
	})
}

// forwardedFor is the client's address in X-Forwarded-For values: from
// the right, the first that is not a trusted proxy. A hop that is no
// address, or carries an IPv6 zone (which names an interface on the proxy's
// own host and means nothing here), ends the search: the peer stands.
func (s *Server) forwardedFor(values []string) (netip.Addr, bool) {
	var hops []string
	for _, v := range values {
		hops = append(hops, strings.Split(v, ",")...)
	}
	for i := len(hops) - 1; i >= 0; i-- {
		a, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil || a.Zone() != "" {
			return netip.Addr{}, false
		}
		if !s.Deployment.trusted(a) {
			return a.Unmap(), true
		}
	}
	return netip.Addr{}, false
}

// overHTTPS reports whether r reached the public site over https.
func overHTTPS(r *http.Request) bool {
	on, _ := r.Context().Value(httpsKey{}).(bool)
	return on || r.TLS != nil
}

// secureContext reports whether cookies may be Secure: over https, or on
// localhost, which browsers treat as secure.
func secureContext(r *http.Request) bool {
	host, _, err := net.SplitHostPort(r.Host)
	if err != nil {
		host = r.Host
	}
	return overHTTPS(r) || host == "localhost" || host == "127.0.0.1" || host == "::1"
}

// clientAddr is the address of the person, not of a proxy in between
// (behindProxy has put it in RemoteAddr).
func clientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

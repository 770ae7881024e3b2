package main

import (
	"context"
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"net/netip"
	"net/url"
	"strings"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/web"
)

// How people reach a serving process: its public address, the proxies in
// front of it, and its own TLS certificate if it has one.

// deployFlags adds the flags of a real deployment to serve.
func (m *Main) deployFlags(fs *flag.FlagSet) {
	c := &m.Config
	fs.StringVar(&c.PublicURL, "public-url", m.Getenv("AMPARO_PUBLIC_URL"),
		"the public `URL` people reach the site at, such as https://cartas.example.org: the one source of every link Amparo gives out (env AMPARO_PUBLIC_URL)")
	fs.StringVar(&c.TrustedProxies, "trusted-proxy", m.Getenv("AMPARO_TRUSTED_PROXIES"),
		"`CIDR,...` of the reverse proxies whose X-Forwarded-For and X-Forwarded-Proto are believed (env AMPARO_TRUSTED_PROXIES)")
	fs.StringVar(&c.TLSCert, "tls-cert", m.Getenv("AMPARO_TLS_CERT"), "certificate `file` (PEM) to serve TLS directly (env AMPARO_TLS_CERT)")
	fs.StringVar(&c.TLSKey, "tls-key", m.Getenv("AMPARO_TLS_KEY"), "private key `file` (PEM) of --tls-cert (env AMPARO_TLS_KEY)")
}

// deployment checks the deployment's settings, before anything is opened:
// each problem is one line naming the setting and how to fix it.
func (m *Main) deployment() (web.Deployment, *tls.Config, error) {
	c := m.Config
	var d web.Deployment
	if c.PublicURL != "" {
		u, err := url.Parse(c.PublicURL)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil ||
			(u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" {
			return d, nil, fmt.Errorf("--public-url %q: give the site's address alone, such as https://cartas.example.org", c.PublicURL)
		}
		u.Path = ""
		d.PublicURL = u
	}
	for _, s := range strings.Split(c.TrustedProxies, ",") {
		if s = strings.TrimSpace(s); s == "" {
			continue
		}
		p, err := netip.ParsePrefix(s)
		if err != nil {
			a, aerr := netip.ParseAddr(s)
			if aerr != nil {
				return d, nil, fmt.Errorf("--trusted-proxy %q: not an address or CIDR range, such as 10.0.0.0/8 or 127.0.0.1", s)
			}
			p = netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen())
		}
		d.TrustedProxies = append(d.TrustedProxies, p.Masked())
	}
	var tc *tls.Config
	switch {
	case (c.TLSCert == "") != (c.TLSKey == ""):
		return d, nil, errors.New("--tls-cert and --tls-key go together: give both files, or neither")
	case c.TLSCert != "":
		cert, err := tls.LoadX509KeyPair(c.TLSCert, c.TLSKey)
		if err != nil {
			return d, nil, fmt.Errorf("--tls-cert %s, --tls-key %s: %v: give the PEM files of the site's certificate (its chain) and of its private key, "+
				"or neither behind a proxy that ends TLS", c.TLSCert, c.TLSKey, err)
		}
		tc = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	}
	if d.PublicURL != nil && d.PublicURL.Scheme == "https" && tc == nil && len(d.TrustedProxies) == 0 {
		return d, nil, errors.New("--public-url is https, but this process serves plain HTTP and trusts no proxy to end TLS for it: " +
			"give --tls-cert and --tls-key, or --trusted-proxy with the address of the proxy that serves https")
	}
	return d, tc, nil
}

// usePublicURL makes the public URL the program's: letters' QR codes,
// phone links and invitations, from the web and the command line alike,
// point there.
func (m *Main) usePublicURL(ctx context.Context, d web.Deployment) error {
	if d.PublicURL == nil {
		return nil
	}
	ctx = amparo.NewContextWithActor(ctx, amparo.SystemActor)
	p, err := m.DB.FindProgram(ctx)
	if err != nil {
		return err
	}
	if want := d.PublicURL.String() + "/v"; p.VerifyURL != want {
		p.VerifyURL = want
		return m.DB.UpdateProgram(ctx, p)
	}
	return nil
}

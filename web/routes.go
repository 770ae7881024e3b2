package web

import (
	"net/http"
	"strings"

	"github.com/amparo-project/amparo"
)

// Routes: each registered with who may use it, checked before any
// handler runs, and listed for the authorization matrix.

// route is a registered pattern, whether it needs a signed-in person, and
// the permission it asks of them (nil: any signed-in person).
type route struct {
	Pattern string
	Auth    bool
	may     permission
}

// routes registers handlers, each either open to anyone (HandleFunc) or
// for a signed-in person (Auth), and keeps the list.
type routes struct {
	mux  *http.ServeMux
	s    *Server
	list []route
}

// HandleFunc registers a route anyone may request; the handler decides
// what a visitor may see (a phone link's PIN, an invitation's token).
func (m *routes) HandleFunc(pattern string, h http.HandlerFunc) {
	m.mux.HandleFunc(pattern, h)
	m.list = append(m.list, route{pattern, false, nil})
}

// Auth registers a route for a person fully signed in (second factor
// given where the role needs one): others are sent to sign in first.
// The store checks what the person's role may do.
func (m *routes) Auth(pattern string, h http.HandlerFunc) {
	m.mux.HandleFunc(pattern, m.s.requireAuth(h))
	m.list = append(m.list, route{pattern, true, nil})
}

// permission decides whether a signed-in actor may use a route; r gives
// the record its path names (the organization of /organizations/{id}).
// Each is one of the Actor permission methods (amparo.go): a route asks
// the same question the store does, before any handler runs.
type permission func(a amparo.Actor, r *http.Request) bool

// may turns an Actor permission method into a route's permission.
func may(p func(amparo.Actor) bool) permission {
	return func(a amparo.Actor, _ *http.Request) bool { return p(a) }
}

// administersPath lets through the admins of the organization in the
// path ({id}).
func administersPath(a amparo.Actor, r *http.Request) bool { return a.Administers(r.PathValue("id")) }

// Allow registers a route for a fully signed-in person whose actor has
// the permission; anyone else signed in is refused (403), anyone signed
// out sent to sign in. The store still checks each record.
func (m *routes) Allow(pattern string, p permission, h http.HandlerFunc) {
	m.AllowElse(pattern, p, h, func(w http.ResponseWriter, r *http.Request) {
		m.s.error(w, r, amparo.Errorf(amparo.EFORBIDDEN, "Forbidden."))
	})
}

// AllowElse is Allow with what to answer those without the permission.
func (m *routes) AllowElse(pattern string, p permission, h, otherwise http.HandlerFunc) {
	m.Auth(pattern, func(w http.ResponseWriter, r *http.Request) {
		if !p(sessionFrom(r.Context()).Actor(), r) {
			otherwise(w, r)
			return
		}
		h(w, r)
	})
	m.list[len(m.list)-1].may = p
}

// allows reports whether the route serving r lets the actor in: what a
// page asks before it shows a button (a form posting to r).
func (s *Server) allows(a amparo.Actor, r *http.Request) bool {
	_, pattern := s.mux.Handler(r)
	for _, rt := range s.routes {
		if rt.Pattern == pattern {
			// The mux sets path values only when it serves: set them as
			// it would, for a permission that reads the path's record.
			_, p, _ := strings.Cut(pattern, " ")
			segs := strings.Split(r.URL.Path, "/")
			for i, seg := range strings.Split(p, "/") {
				if strings.HasPrefix(seg, "{") && i < len(segs) {
					r.SetPathValue(strings.Trim(seg, "{.}"), segs[i])
				}
			}
			return rt.may == nil || rt.may(a, r)
		}
	}
	return false
}

// requireAuth runs h for a fully signed-in session (sessionFrom then
// never returns nil in it), and sends anyone else on to sign in.
func (s *Server) requireAuth(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		sess := sessionFrom(r.Context())
		switch {
		case sess == nil:
			http.Redirect(w, r, "/signin", http.StatusSeeOther)
			return
		case !sess.SecondFactor && sess.Account.Role.NeedsSecondFactor():
			if sess.Account.TOTPEnabled {
				http.Redirect(w, r, "/signin/code", http.StatusSeeOther)
			} else {
				http.Redirect(w, r, "/account/totp", http.StatusSeeOther)
			}
			return
		}
		w.Header().Set("Cache-Control", "no-store")
		h(w, r)
	}
}

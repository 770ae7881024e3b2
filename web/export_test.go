package web

import (
	"html/template"
	"net/http"

	"github.com/amparo-project/amparo"
)

// Routes lists the patterns the server registered, and whether each needs
// a signed-in person: the authorization matrix test is derived from it.
func (s *Server) Routes() map[string]bool {
	out := map[string]bool{}
	for _, r := range s.routes {
		out[r.Pattern] = r.Auth
	}
	return out
}

// AddPage adds a page to the server, parsed with the layout as NewServer
// parses those in templates: a test-only page.
func (s *Server) AddPage(name, text string) error {
	t, err := template.New("").Funcs(templateFuncs).ParseFS(templateFiles, "templates/layout.html")
	if err == nil {
		_, err = t.Parse(text)
	}
	if err == nil {
		s.pages[name] = t
	}
	return err
}

// RenderPage answers with a page, as a handler does.
func (s *Server) RenderPage(w http.ResponseWriter, r *http.Request, name string, data map[string]any) {
	s.render(w, r, name, http.StatusOK, data)
}

// Allows reports whether the route serving method and path lets the actor
// in, as the server decides before any handler runs.
func (s *Server) Allows(a amparo.Actor, method, path string) bool {
	r, err := http.NewRequest(method, path, nil)
	if err != nil {
		return false
	}
	return s.allows(a, r)
}

// ClientOf is the client's address and whether it reached the site over
// https, as the server takes them from r (behind its trusted proxies).
func (s *Server) ClientOf(r *http.Request) (addr string, https bool) {
	s.behindProxy(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		addr, https = clientAddr(r), overHTTPS(r)
	})).ServeHTTP(nil, r)
	return addr, https
}

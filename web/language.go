package web

import (
	"net/http"
	"net/url"
	"path"
)

// Switching language must never lose what a page shows. A link keeps the
// page's address and every query parameter but lang (a search keeps its
// terms). A link cannot post a form again, so a page that answers a POST
// names the GET page that shows the same thing ("LangPath" in its data);
// pages that show a result worth keeping answer a POST with a redirect to
// a GET page instead (post/redirect/get).

// langTarget is where a page's language links lead: the page itself for
// a GET; for the answer to a POST, the GET page its data names, else the
// nearest address above it that a GET opens (an action's record page:
// /letters/{id}/issue leads to /letters/{id}), never a dead end.
func (s *Server) langTarget(r *http.Request, data map[string]any) (string, url.Values) {
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		return r.URL.Path, r.URL.Query()
	}
	if p, ok := data["LangPath"].(string); ok {
		if u, err := url.Parse(p); err == nil {
			return u.Path, u.Query()
		}
	}
	for p := r.URL.Path; p != "/" && p != ""; p = path.Dir(p) {
		get := &http.Request{Method: http.MethodGet, URL: &url.URL{Path: p}, Host: r.Host, Header: http.Header{}}
		if _, pattern := s.mux.Handler(get); pattern != "" && pattern != catchAll {
			return p, nil
		}
	}
	return "/", nil
}

// LangURL is the page's address in another language.
func (p page) LangURL(lang string) string {
	q := url.Values{}
	for k, v := range p.Query {
		if k != "lang" {
			q[k] = v
		}
	}
	q.Set("lang", lang)
	return p.Path + "?" + q.Encode()
}

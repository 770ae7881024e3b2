package web

import (
	"net/http"
	"net/url"
)

// Switching language must never lose what a page shows. A link keeps the
// page's address and every query parameter but lang (a search keeps its
// terms). A link cannot post a form again, so a page that answers a POST
// names the GET page that shows the same thing ("LangPath" in its data);
// pages that show a result worth keeping answer a POST with a redirect to
// a GET page instead (post/redirect/get).

// langTarget is where a page's language links lead.
func langTarget(r *http.Request, data map[string]any) (string, url.Values) {
	if p, ok := data["LangPath"].(string); ok && r.Method != http.MethodGet {
		u, err := url.Parse(p)
		if err == nil {
			return u.Path, u.Query()
		}
	}
	return r.URL.Path, r.URL.Query()
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

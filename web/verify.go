package web

import (
	"bytes"
	"encoding/hex"
	"net/http"
	"strconv"
	"time"

	"github.com/amparo-project/amparo"
)

// The verify page checks a letter's QR credential in the browser (see
// docs/credential.md): the credential sits in the URL fragment, which never
// reaches this server. Everything the page needs is under /v, so that one
// service worker with scope /v makes it work offline after one visit.

// verifyStrings are the catalog keys (after "verify.") that the page's
// script reads from the rendered page, so that every string stays in
// locale/*.json.
var verifyStrings = []string{
	"checking", "nocode", "no_trust", "no_status", "unsupported", "insecure", "offline_ready",
	"status.valid", "status.revoked", "status.expired", "status.not_genuine",
	"status.unknown_issuer", "status.issuer_revoked",
	"explain.valid", "explain.revoked", "explain.expired", "explain.not_genuine",
	"explain.unknown_issuer", "explain.issuer_revoked",
	"member", "phone", "client", "bar", "accreditation", "issuer", "valid_until",
	"as_of", "checked_at", "org_phone", "what_to_do",
	"notice.left", "notice.suspended", "notice.unknown_member", "notice.no_roster",
	"notice_call_org", "notice_no_org_phone",
}

func (s *Server) verifyRoutes(mux *routes) {
	mux.HandleFunc("GET /v", s.metrics.verifiedBy("page", s.verifyPage))
	mux.HandleFunc("GET /v/{$}", func(w http.ResponseWriter, r *http.Request) {
		// Browsers keep the fragment across a redirect.
		target := "/v"
		if r.URL.RawQuery != "" {
			target += "?" + r.URL.RawQuery
		}
		http.Redirect(w, r, target, http.StatusMovedPermanently)
	})
	mux.HandleFunc("GET /v/trust", s.metrics.verifiedBy("trust", s.verifyTrustList))
	mux.HandleFunc("GET /v/bundle", s.metrics.verifiedBy("bundle", s.verifyBundle))
	mux.HandleFunc("GET /v/status/{org}/{list}", s.metrics.verifiedBy("status", s.verifyStatusList))
	mux.HandleFunc("GET /v/roster/{org}", s.metrics.verifiedBy("roster", s.verifyRoster))
	mux.HandleFunc("GET /v/static/{name}", verifyStatic)
	mux.HandleFunc("GET /v/sw.js", verifyServiceWorker)
}

func (s *Server) verifyPage(w http.ResponseWriter, r *http.Request) {
	root, err := s.Trust.FindRootPublicKey(r.Context())
	if err != nil {
		s.error(w, r, err)
		return
	}
	// The page carries the root key: let browsers revalidate it each time.
	// It carries the program's time zone too: a letter is valid through
	// the end of its last day there, and the page prints that day.
	w.Header().Set("Cache-Control", "no-cache")
	s.render(w, r, "verify", http.StatusOK, map[string]any{
		"RootKey":  hex.EncodeToString(root),
		"Strings":  verifyStrings,
		"Version":  assetVersion,
		"TimeZone": s.programZone(r.Context()).String(),
	})
}

func (s *Server) verifyTrustList(w http.ResponseWriter, r *http.Request) {
	doc, err := s.Trust.FindTrustList(r.Context())
	s.serveSigned(w, r, doc, err)
}

// verifyBundle serves the whole trust bundle (docs/credential.md): what
// `amparo verify --trust URL` and other offline verifiers load.
func (s *Server) verifyBundle(w http.ResponseWriter, r *http.Request) {
	doc, err := s.Trust.FindBundle(r.Context())
	s.serveSigned(w, r, doc, err)
}

func (s *Server) verifyStatusList(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseUint(r.PathValue("list"), 10, 32)
	if err != nil {
		s.serveSigned(w, r, nil, amparo.Errorf(amparo.ENOTFOUND, "No such status list."))
		return
	}
	doc, err := s.Trust.FindStatusList(r.Context(), r.PathValue("org"), uint32(id))
	s.serveSigned(w, r, doc, err)
}

// verifyRoster serves an organization's signed roster (docs/credential.md,
// V2.5): version 2 letters name their member from it.
func (s *Server) verifyRoster(w http.ResponseWriter, r *http.Request) {
	doc, err := s.Trust.FindRoster(r.Context(), r.PathValue("org"))
	s.serveSigned(w, r, doc, err)
}

// serveSigned answers with a signed trust or status list, or a roster. Anyone may copy
// these (they are signed, and hold nothing personal), so static mirrors and
// other origins may fetch them.
func (s *Server) serveSigned(w http.ResponseWriter, r *http.Request, doc *amparo.SignedDocument, err error) {
	w.Header().Set("Access-Control-Allow-Origin", "*")
	if err != nil {
		s.error(w, r, err)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/cose")
	h.Set("Cache-Control", "public, max-age=300")
	h.Set("ETag", etagOf(doc.Bytes))
	http.ServeContent(w, r, "", doc.IssuedAt.UTC().Truncate(time.Second), bytes.NewReader(doc.Bytes))
}

// verifyServiceWorker serves the worker at /v/sw.js, with its cache name,
// and allows it the scope /v: by default a worker at /v/sw.js controls only
// /v/..., not the page /v itself.
func verifyServiceWorker(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Service-Worker-Allowed", "/v")
	serveAsset(w, r, verifyWorker)
}

var verifyWorker = serviceWorker("sw.js")

package web

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strconv"
	"time"

	"github.com/amparo-project/amparo"
)

// The verify page checks a letter's QR credential in the browser (see
// docs/credential.md): the credential sits in the URL fragment, which never
// reaches this server. Everything the page needs is under /v, so that one
// service worker with scope /v makes it work offline after one visit.

//go:embed static
var staticFiles embed.FS

// asset is an embedded static file, with its validator.
type asset struct {
	body        []byte
	contentType string
	etag        string
}

// verifyAssets are the page's scripts and styles, by file name, and
// assetVersion names their current set: it is the service worker's cache
// name, so changing any file makes browsers fetch them all again.
var verifyAssets, assetVersion = loadAssets()

func loadAssets() (map[string]asset, string) {
	out := map[string]asset{}
	all := sha256.New()
	entries, err := fs.ReadDir(staticFiles, "static")
	if err != nil {
		panic(err) // embedded: cannot fail
	}
	for _, e := range entries {
		b, err := staticFiles.ReadFile("static/" + e.Name())
		if err != nil {
			panic(err)
		}
		all.Write([]byte(e.Name()))
		all.Write(b)
		out[e.Name()] = asset{body: b, contentType: mime.TypeByExtension(path.Ext(e.Name())), etag: etagOf(b)}
	}
	return out, hex.EncodeToString(all.Sum(nil)[:6])
}

func etagOf(b []byte) string {
	sum := sha256.Sum256(b)
	return `"` + hex.EncodeToString(sum[:12]) + `"`
}

// verifyStrings are the catalog keys (after "verify.") that the page's
// script reads from the rendered page, so that every string stays in
// locale/*.json.
var verifyStrings = []string{
	"checking", "nocode", "no_trust", "no_status", "unsupported", "offline_ready",
	"status.valid", "status.revoked", "status.expired", "status.not_genuine",
	"status.unknown_issuer", "status.issuer_revoked",
	"explain.valid", "explain.revoked", "explain.expired", "explain.not_genuine",
	"explain.unknown_issuer", "explain.issuer_revoked",
	"member", "phone", "client", "bar", "accreditation", "issuer", "valid_until",
	"as_of", "checked_at",
}

func (s *Server) verifyRoutes(mux *routes) {
	mux.HandleFunc("GET /v", s.verifyPage)
	mux.HandleFunc("GET /v/{$}", func(w http.ResponseWriter, r *http.Request) {
		// Browsers keep the fragment across a redirect.
		target := "/v"
		if r.URL.RawQuery != "" {
			target += "?" + r.URL.RawQuery
		}
		http.Redirect(w, r, target, http.StatusMovedPermanently)
	})
	mux.HandleFunc("GET /v/trust", s.verifyTrustList)
	mux.HandleFunc("GET /v/bundle", s.verifyBundle)
	mux.HandleFunc("GET /v/status/{org}/{list}", s.verifyStatusList)
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

// serveSigned answers with a signed trust or status list. Anyone may copy
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

func verifyStatic(w http.ResponseWriter, r *http.Request) {
	a, ok := verifyAssets[r.PathValue("name")]
	if !ok || r.PathValue("name") == "sw.js" {
		http.NotFound(w, r)
		return
	}
	serveAsset(w, r, a)
}

// verifyServiceWorker serves the worker at /v/sw.js, with its cache name,
// and allows it the scope /v: by default a worker at /v/sw.js controls only
// /v/..., not the page /v itself.
func verifyServiceWorker(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Service-Worker-Allowed", "/v")
	serveAsset(w, r, verifyWorker)
}

var verifyWorker = serviceWorker("sw.js")

// serviceWorker is a worker script that starts with its cache name, the
// assets' version. It is built once, not on each request.
func serviceWorker(name string) asset {
	sw := verifyAssets[name]
	body := append([]byte("const VERSION = '"+assetVersion+"';\n"), sw.body...)
	return asset{body: body, contentType: sw.contentType, etag: etagOf(body)}
}

// serveAsset lets browsers keep a file but check it each time (no-cache
// with an ETag): the service worker is what serves them offline.
func serveAsset(w http.ResponseWriter, r *http.Request, a asset) {
	w.Header().Set("Content-Type", a.contentType)
	w.Header().Set("Cache-Control", "no-cache")
	w.Header().Set("ETag", a.etag)
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(a.body))
}

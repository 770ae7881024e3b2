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
	"time"
)

// Static assets: the embedded scripts, styles and service workers of every
// page (the verify and phone pages work offline from them), served with
// validators so browsers check them each time.

//go:embed static
var staticFiles embed.FS

// asset is an embedded static file, with its validator.
type asset struct {
	body        []byte
	contentType string
	etag        string
}

// staticAssets are the pages' scripts, styles and service workers, by
// file name, and assetVersion names their current set: it is the service
// workers' cache name, so changing any file makes browsers fetch them all
// again.
var staticAssets, assetVersion = loadAssets()

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

// verifyStatic serves a static file by name, at /static/ and /v/static/
// alike; the service workers are served on their own paths, with their
// cache name.
func verifyStatic(w http.ResponseWriter, r *http.Request) {
	a, ok := staticAssets[r.PathValue("name")]
	if !ok || r.PathValue("name") == "sw.js" {
		http.NotFound(w, r)
		return
	}
	if r.PathValue("name") == "door-sw.js" {
		// The door page's worker, which each workshop's check-in page
		// registers with its own scope (/workshops/ID/checkin).
		w.Header().Set("Service-Worker-Allowed", "/workshops/")
		a = doorWorker
	}
	serveAsset(w, r, a)
}

var doorWorker = serviceWorker("door-sw.js")

// serviceWorker is a worker script that starts with its cache name, the
// assets' version. It is built once, not on each request.
func serviceWorker(name string) asset {
	sw := staticAssets[name]
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

// favicon is the icon browsers ask for at /favicon.ico when a page names
// none: the same drawing the pages name.
func favicon(w http.ResponseWriter, r *http.Request) { serveAsset(w, r, staticAssets["favicon.svg"]) }

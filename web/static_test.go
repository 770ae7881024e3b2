package web

import (
	"io/fs"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestStatic_EveryFile: every embedded file but the service workers is
// served by name with its type and validator, and answers 304 to a browser
// that has it; the workers are served only on their own paths, with their
// cache name (the door's worker at /static/door-sw.js, allowed the scope
// /workshops/).
func TestStatic_EveryFile(t *testing.T) {
	t.Parallel()
	mux := http.NewServeMux()
	mux.HandleFunc("GET /static/{name}", verifyStatic)
	entries, err := fs.ReadDir(staticFiles, "static")
	if err != nil || len(entries) == 0 {
		t.Fatalf("%d embedded files: %v", len(entries), err)
	}
	for _, e := range entries {
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, httptest.NewRequest("GET", "/static/"+e.Name(), nil))
		if e.Name() == "sw.js" {
			if rec.Code != http.StatusNotFound {
				t.Errorf("sw.js at /static: %d, want 404", rec.Code)
			}
			continue
		}
		a := staticAssets[e.Name()]
		if e.Name() == "door-sw.js" {
			// The door's worker is served here, with its cache name, and
			// allowed the check-in pages' scopes.
			a = doorWorker
			if got := rec.Header().Get("Service-Worker-Allowed"); got != "/workshops/" {
				t.Errorf("door-sw.js: Service-Worker-Allowed %q", got)
			}
		}
		if rec.Code != http.StatusOK || rec.Body.String() != string(a.body) || rec.Header().Get("ETag") != a.etag || rec.Header().Get("Content-Type") == "" {
			t.Errorf("%s: %d, type %q, etag %q", e.Name(), rec.Code, rec.Header().Get("Content-Type"), rec.Header().Get("ETag"))
			continue
		}
		again := httptest.NewRequest("GET", "/static/"+e.Name(), nil)
		again.Header.Set("If-None-Match", a.etag)
		rec = httptest.NewRecorder()
		mux.ServeHTTP(rec, again)
		if rec.Code != http.StatusNotModified {
			t.Errorf("%s again: %d, want 304", e.Name(), rec.Code)
		}
	}
	for _, w := range []asset{verifyWorker, phoneWorker, doorWorker} {
		if !strings.HasPrefix(string(w.body), "const VERSION = '"+assetVersion+"';\n") {
			t.Errorf("a service worker opens %.60q, not its cache name", w.body)
		}
	}
}

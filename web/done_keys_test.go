package web_test

import (
	"os"
	"path/filepath"
	"regexp"
	"testing"
)

// TestDone_BannerKeysInTheCatalog: every banner a handler names after an
// action (s.done(w, r, path, "key", …)) is a key of the catalog, so no
// banner shows its key instead of its words. The pages' own words are
// checked by rendering them (TestSpanish_NoCatalogMisses); banners appear
// only after actions, so their keys are read from the source.
func TestDone_BannerKeysInTheCatalog(t *testing.T) {
	t.Parallel()
	cat := mustCatalog(t)
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	call := regexp.MustCompile(`s\.done\(w, r, [^\n]*?"([a-z_]+\.[a-z_.]+)"`)
	n := 0
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range call.FindAllSubmatch(src, -1) {
			n++
			if !cat.Has(string(m[1])) {
				t.Errorf("%s: the banner %q is not in the catalog", f, m[1])
			}
		}
	}
	if n < 20 {
		t.Fatalf("found %d banners in the source; the pattern no longer matches how handlers name them", n)
	}
}

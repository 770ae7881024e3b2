package locale_test

import (
	"slices"
	"testing"
	"testing/fstest"

	"github.com/amparo-project/amparo/locale"
)

func TestCatalogs_Complete(t *testing.T) {
	c, err := locale.Load()
	if err != nil {
		t.Fatal(err)
	}
	if got := c.Languages(); len(got) < 2 || got[0] != "en" {
		t.Fatalf("languages %v: want English first and at least one more", got)
	}
	for _, lang := range c.Languages() {
		if m := c.Missing(lang); len(m) > 0 {
			t.Errorf("%s lacks %v", lang, m)
		}
	}
	// A partial catalog may lack keys, but every key it has is English's,
	// and it says what review it awaits.
	if len(c.Partial()) == 0 {
		t.Error("no partial catalog: the know-your-rights text ships in at least one more language")
	}
	for _, lang := range append(c.Languages(), c.Partial()...) {
		if u := c.Unknown(lang); len(u) > 0 {
			t.Errorf("%s has keys English lacks: %v", lang, u)
		}
	}
	for _, lang := range c.Partial() {
		if c.Review(lang) == "" || c.T(lang, "language.name") == c.T("en", "language.name") {
			t.Errorf("partial %s: review %q, name %q", lang, c.Review(lang), c.T(lang, "language.name"))
		}
		for _, k := range []string{"kyr.title", "kyr.1", "kyr.card.1", "kyr.unreviewed"} {
			if c.T(lang, k) == c.T("en", k) {
				t.Errorf("partial %s lacks the know-your-rights key %s", lang, k)
			}
		}
	}
}

func TestCatalog_Partial(t *testing.T) {
	c, err := locale.LoadFS(fstest.MapFS{
		"en.json": {Data: []byte(`{"a": "A", "b": "B"}`)},
		"es.json": {Data: []byte(`{"a": "A es", "b": "B es"}`)},
		"vi.json": {Data: []byte(`{"_meta.partial": "true", "_meta.review": "awaiting review by a qualified translator", "a": "A vi", "zz": "?"}`)},
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := c.Languages(); !slices.Equal(got, []string{"en", "es"}) {
		t.Errorf("Languages() = %v: a partial catalog is not offered", got)
	}
	if got := c.Partial(); !slices.Equal(got, []string{"vi"}) {
		t.Errorf("Partial() = %v", got)
	}
	if got := c.Review("vi"); got != "awaiting review by a qualified translator" {
		t.Errorf("Review(vi) = %q", got)
	}
	if c.Review("es") != "" {
		t.Error("a complete catalog awaits review")
	}
	if got := c.T("vi", "a") + c.T("vi", "b"); got != "A viB" {
		t.Errorf("T(vi) = %q: its own keys, English for the rest", got)
	}
	if got := c.Unknown("vi"); !slices.Equal(got, []string{"zz"}) {
		t.Errorf("Unknown(vi) = %v", got)
	}
	if got := c.Match("vi", "vi-VN"); got != "en" {
		t.Errorf("Match(vi, vi-VN) = %q: partial catalogs are never chosen for pages", got)
	}
}

func TestCatalog_Match(t *testing.T) {
	c, _ := locale.Load()
	for _, tt := range []struct{ choice, accept, want string }{
		{"", "es-MX,es;q=0.9,en;q=0.5", "es"},
		{"", "en-US,en;q=0.9", "en"},
		{"", "fr-FR", "en"},
		{"", "", "en"},
		{"es", "en-US", "es"},
		{"xx", "es", "es"},
	} {
		if got := c.Match(tt.choice, tt.accept); got != tt.want {
			t.Errorf("Match(%q, %q) = %q, want %q", tt.choice, tt.accept, got, tt.want)
		}
	}
	if got := c.T("es", "home.language"); got != "Idioma" {
		t.Errorf("T(es) = %q", got)
	}
	if got := c.T("es", "no.such.key"); got != "no.such.key" {
		t.Errorf("unknown key gives %q", got)
	}
}

package locale_test

import (
	"testing"

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

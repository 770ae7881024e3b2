package locale_test

import (
	"regexp"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"time"

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

// TestCatalog_Plural: a message with plural forms takes the form CLDR's
// rules choose for the first integer argument, in each language.
func TestCatalog_Plural(t *testing.T) {
	c, err := locale.LoadFS(fstest.MapFS{
		"en.json": {Data: []byte(`{"n": {"one": "%d person", "other": "%d people"}, "s": "plain %d"}`)},
		"fr.json": {Data: []byte(`{"n": {"one": "%d personne", "other": "%d personnes"}}`)},
		"ja.json": {Data: []byte(`{"n": {"other": "%d人"}}`)},
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		lang string
		n    int
		want string
	}{
		{"en", 1, "1 person"}, {"en", 0, "0 people"}, {"en", 2, "2 people"},
		{"fr", 0, "0 personne"}, {"fr", 1, "1 personne"}, {"fr", 2, "2 personnes"}, // French: 0 is singular
		{"ja", 1, "1人"},
	} {
		if got := c.T(tt.lang, "n", tt.n); got != tt.want {
			t.Errorf("T(%s, n, %d) = %q, want %q", tt.lang, tt.n, got, tt.want)
		}
	}
	if got := c.T("en", "s", 1); got != "plain 1" {
		t.Errorf("a plain message: %q", got)
	}
	for _, bad := range []string{`{"n": {"one": "x"}}`, `{"n": {"single": "x", "other": "y"}}`, `{"n": 3}`} {
		if _, err := locale.LoadFS(fstest.MapFS{"en.json": {Data: []byte(bad)}}); err == nil {
			t.Errorf("%s loads", bad)
		}
	}
	// The shipped catalogs' plural messages have the same forms' verbs.
	shipped, _ := locale.Load()
	if got := shipped.T("es", "queue.count", 1); got != "1 persona espera." {
		t.Errorf("queue.count in Spanish for 1: %q", got)
	}
}

// TestLoad_AddingALanguageIsAddingAFile: a catalog file given to Load adds
// its language beside the embedded ones; one of the same name replaces it.
func TestLoad_AddingALanguageIsAddingAFile(t *testing.T) {
	c, err := locale.Load(fstest.MapFS{
		"fr.json": {Data: []byte(`{"language.name": "Français", "home.language": "Langue"}`)},
		"es.json": {Data: []byte(`{"language.name": "Español", "home.language": "Lengua"}`)},
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := c.Languages(); !slices.Equal(got, []string{"en", "es", "fr"}) {
		t.Errorf("Languages() = %v", got)
	}
	if got := c.Match("", "fr-CA,fr;q=0.9"); got != "fr" {
		t.Errorf("Match(fr-CA) = %q", got)
	}
	if got := c.T("fr", "home.language") + "|" + c.T("es", "home.language") + "|" + c.T("fr", "home.title"); got != "Langue|Lengua|Amparo" {
		t.Errorf("T = %q: the added file's words, the replacing file's, English for the rest", got)
	}
	if !c.Has("home.title") || c.Has("no.such.key") {
		t.Error("Has")
	}
}

// TestCatalog_OnMiss: a key the reader's language lacks is reported with
// that language, whether English answers it or nothing does; a key the
// language has, or English asked for in English, is not a miss.
func TestCatalog_OnMiss(t *testing.T) {
	c, err := locale.LoadFS(fstest.MapFS{
		"en.json": {Data: []byte(`{"a": "A", "b": "B", "n": {"one": "%d day", "other": "%d days"}}`)},
		"es.json": {Data: []byte(`{"a": "A es", "n": {"one": "%d día", "other": "%d días"}}`)},
	})
	if err != nil {
		t.Fatal(err)
	}
	var misses []string
	c.OnMiss(func(lang, key string) { misses = append(misses, lang+":"+key) })
	for _, call := range [][2]string{{"es", "a"}, {"es", "n"}, {"en", "b"}, {"es", "b"}, {"es", "zz"}, {"en", "zz"}} {
		c.T(call[0], call[1], 2)
	}
	if want := []string{"es:b", "es:zz", "en:zz"}; !slices.Equal(misses, want) {
		t.Errorf("misses %v, want %v", misses, want)
	}
	if got := c.T("es", "b"); got != "B" {
		t.Errorf("a miss still answers with the fallback: %q", got)
	}
	c.OnMiss(nil)
	misses = nil
	c.T("es", "zz")
	if misses != nil {
		t.Errorf("OnMiss(nil) still reports: %v", misses)
	}
}

// TestCatalog_Date: a day is written in the reader's language, from the
// catalog's form and month names alone.
func TestCatalog_Date(t *testing.T) {
	c, err := locale.Load()
	if err != nil {
		t.Fatal(err)
	}
	d := time.Date(2026, 12, 3, 23, 30, 0, 0, time.UTC)
	for lang, want := range map[string]string{"en": "December 3, 2026", "es": "3 de diciembre de 2026"} {
		if got := c.Date(lang, d); got != want {
			t.Errorf("Date(%s) = %q, want %q", lang, got, want)
		}
	}
	if got := c.Date("es", time.Time{}); got != "" {
		t.Errorf("the zero day is %q", got)
	}
	added, err := locale.Load(fstest.MapFS{"fr.json": {Data: []byte(`{"date.day": "%[1]d %[2]s %[3]d", "date.month.12": "décembre"}`)}})
	if err != nil {
		t.Fatal(err)
	}
	if got := added.Date("fr", d); got != "3 décembre 2026" {
		t.Errorf("a language added as a file writes %q", got)
	}
}

// TestSpanish_Style holds the Spanish catalog to the choices of its review
// (docs/spanish.md): usted, never tú; wording that does not assume a
// gender (abogado/a, never abogado(a)); one name for each legal concept;
// one quotation style, « ».
func TestSpanish_Style(t *testing.T) {
	c, err := locale.Load()
	if err != nil {
		t.Fatal(err)
	}
	en := map[string][]string{}
	for k, m := range c.Messages("en") {
		en[k] = append(en[k], strings.ToLower(m))
	}
	var (
		tu       = regexp.MustCompile(`(?i)\b(tu|tus|te|ti|contigo|tienes|puedes|eres|estás)\b`)
		lawyer   = regexp.MustCompile(`(?i)\babogad[oa]s?\b`)
		neutral  = regexp.MustCompile(`(?i)\babogad[oa]s?/as?|colegio de abogados|un abogado o una abogada`)
		bar      = "número del colegio de abogados"
		rep      = regexp.MustCompile(`(?i)representantes? acreditad`)
		repOK    = regexp.MustCompile(`(?i)representante acreditado/a`)
		parens   = regexp.MustCompile(`\((a|as|os|es)\)`)
		englishQ = regexp.MustCompile(`[“”]`)
	)
	for k, m := range c.Messages("es") {
		switch {
		case tu.MatchString(m):
			t.Errorf("%s: tú, not usted: %q", k, m)
		case lawyer.MatchString(neutral.ReplaceAllString(m, "")):
			t.Errorf("%s: an attorney of one gender (write abogado/a): %q", k, m)
		case rep.MatchString(m) && !repOK.MatchString(m):
			t.Errorf("%s: write representante acreditado/a: %q", k, m)
		case parens.MatchString(m):
			t.Errorf("%s: write the feminine with a slash (abogado/a), not in parentheses: %q", k, m)
		case englishQ.MatchString(m):
			t.Errorf("%s: quotes are « »: %q", k, m)
		}
		for _, e := range en[k] {
			if strings.Contains(e, "bar number") && !strings.Contains(strings.ToLower(m), bar) {
				t.Errorf("%s: the bar number is the %s: %q", k, bar, m)
			}
		}
	}
}

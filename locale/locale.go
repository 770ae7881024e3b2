// Package locale holds the catalogs of every string a person reads, one
// JSON file per language, and picks a language for a request. Adding a
// language is adding a file: no code changes.
//
// A message is a string, formatted with fmt's verbs, or an object of CLDR
// plural forms ("zero", "one", "two", "few", "many", "other") of which T
// picks the one the language's rules choose for the message's first
// integer argument: {"one": "%d person", "other": "%d people"}.
//
// It must never import a database or HTTP server package.
package locale

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"iter"
	"maps"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"

	"golang.org/x/text/feature/plural"
	"golang.org/x/text/language"
)

//go:embed *.json
var files embed.FS

// Catalog holds the messages of every language. The first language is the
// fallback for a message another language lacks.
type Catalog struct {
	langs    []string // complete catalogs, the fallback first
	partial  []string // catalogs marked "_meta.partial"
	messages map[string]map[string]string
	plurals  map[string]map[string]map[plural.Form]string // lang → key → form → message
	tags     map[string]language.Tag
	matcher  language.Matcher
	onMiss   func(lang, key string)
}

// A catalog whose "_meta.partial" is "true" is a translation under way:
// it holds some keys (say, the know-your-rights text), is used for them,
// and is never offered as a language of the pages. Its "_meta.review"
// says what it awaits, such as review by a qualified translator.
const (
	metaPartial = "_meta.partial"
	metaReview  = "_meta.review"
)

// Load reads the embedded catalogs, then those of extra: a language is
// added (or replaced) by a file, with no code changes.
func Load(extra ...fs.FS) (*Catalog, error) { return LoadFS(append([]fs.FS{files}, extra...)...) }

// LoadFS reads every NAME.json of each fsys, where NAME is a BCP 47 tag;
// a later file of the same name replaces an earlier one. English comes
// first, as the fallback.
func LoadFS(fsyss ...fs.FS) (*Catalog, error) {
	from := map[string]fs.FS{}
	for _, fsys := range fsyss {
		ns, err := fs.Glob(fsys, "*.json")
		if err != nil {
			return nil, err
		}
		for _, n := range ns {
			from[n] = fsys
		}
	}
	names := slices.Collect(maps.Keys(from))
	c := &Catalog{messages: map[string]map[string]string{}, plurals: map[string]map[string]map[plural.Form]string{},
		tags: map[string]language.Tag{}}
	var tags []language.Tag
	slices.SortFunc(names, func(a, b string) int {
		if a == "en.json" {
			return -1
		} else if b == "en.json" {
			return 1
		}
		return strings.Compare(a, b)
	})
	for _, name := range names {
		lang := strings.TrimSuffix(path.Base(name), ".json")
		tag, err := language.Parse(lang)
		if err != nil {
			return nil, fmt.Errorf("locale: %s: not a language tag: %v", name, err)
		}
		b, err := fs.ReadFile(from[name], name)
		if err != nil {
			return nil, err
		}
		raw := map[string]json.RawMessage{}
		if err := json.Unmarshal(b, &raw); err != nil {
			return nil, fmt.Errorf("locale: %s: %v", name, err)
		}
		m, p, err := parseMessages(raw)
		if err != nil {
			return nil, fmt.Errorf("locale: %s: %v", name, err)
		}
		c.messages[lang], c.plurals[lang], c.tags[lang] = m, p, tag
		if m[metaPartial] == "true" {
			c.partial = append(c.partial, lang)
			continue
		}
		c.langs = append(c.langs, lang)
		tags = append(tags, tag)
	}
	if len(c.langs) == 0 {
		return nil, fmt.Errorf("locale: no catalogs")
	}
	c.matcher = language.NewMatcher(tags)
	return c, nil
}

// Languages lists the catalog's complete languages, the fallback first.
func (c *Catalog) Languages() []string { return c.langs }

// Partial lists the languages whose catalogs are marked partial.
func (c *Catalog) Partial() []string { return c.partial }

// Review returns what lang's partial catalog awaits, such as "awaiting
// review by a qualified translator"; "" for a complete catalog.
func (c *Catalog) Review(lang string) string {
	if c.messages[lang][metaPartial] != "true" {
		return ""
	}
	if r := c.messages[lang][metaReview]; r != "" {
		return r
	}
	return "partial translation"
}

// Match returns the catalog language that best fits the preferences: an
// explicit choice first, then an Accept-Language header. Partial catalogs
// are never chosen.
func (c *Catalog) Match(choice, acceptLanguage string) string {
	if _, ok := c.messages[choice]; ok && c.Review(choice) == "" {
		return choice
	}
	tags, _, _ := language.ParseAcceptLanguage(acceptLanguage)
	_, i, conf := c.matcher.Match(tags...)
	if conf == language.No {
		return c.langs[0]
	}
	return c.langs[i]
}

var forms = map[string]plural.Form{"zero": plural.Zero, "one": plural.One, "two": plural.Two,
	"few": plural.Few, "many": plural.Many, "other": plural.Other}

// parseMessages reads a catalog's messages: each a string, or an object of
// plural forms that has at least "other".
func parseMessages(raw map[string]json.RawMessage) (map[string]string, map[string]map[plural.Form]string, error) {
	m, p := map[string]string{}, map[string]map[plural.Form]string{}
	for k, v := range raw {
		var s string
		if err := json.Unmarshal(v, &s); err == nil {
			m[k] = s
			continue
		}
		var obj map[string]string
		if err := json.Unmarshal(v, &obj); err != nil {
			return nil, nil, fmt.Errorf("%s: neither a string nor plural forms", k)
		}
		if _, ok := obj["other"]; !ok {
			return nil, nil, fmt.Errorf("%s: plural forms without \"other\"", k)
		}
		p[k] = map[plural.Form]string{}
		for name, msg := range obj {
			f, ok := forms[name]
			if !ok {
				return nil, nil, fmt.Errorf("%s: %q is not a CLDR plural form", k, name)
			}
			p[k][f] = msg
		}
		m[k] = obj["other"]
	}
	return m, p, nil
}

// T returns the message key in lang, formatted with args; the fallback
// language's message when lang lacks it; the key itself when none has it.
// A message with plural forms takes the form lang's CLDR rules choose for
// its first integer argument.
func (c *Catalog) T(lang, key string, args ...any) string {
	msg, ok := c.messages[lang][key]
	if !ok {
		if c.onMiss != nil {
			c.onMiss(lang, key)
		}
		lang = c.langs[0]
		if msg, ok = c.messages[lang][key]; !ok {
			return key
		}
	}
	if fs, ok := c.plurals[lang][key]; ok {
		if n, ok := firstInt(args); ok {
			if f, ok := fs[plural.Cardinal.MatchPlural(c.tags[lang], n, 0, 0, 0, 0)]; ok {
				msg = f
			}
		}
	}
	if len(args) > 0 {
		return fmt.Sprintf(msg, args...)
	}
	return msg
}

// Date writes the calendar day of t (in t's own location) as a person
// reads it in lang: "December 3, 2026", "3 de diciembre de 2026". The
// form is the catalog's "date.day" (the day, the month's name and the
// year, as %[1]d, %[2]s and %[3]d) with "date.month.1" to "date.month.12",
// so a language brings its own with its file. The zero time is "".
func (c *Catalog) Date(lang string, t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return c.T(lang, "date.day", t.Day(), c.T(lang, "date.month."+strconv.Itoa(int(t.Month()))), t.Year())
}

// OnMiss makes T call f with every language and key it cannot answer in
// that language: a key lang lacks, answered by the fallback (English), or a
// key no catalog has, answered by the key itself. It is for tests and
// checks that a page shows nothing from the fallback; set it before the
// catalog is in use, as f is called from every goroutine that calls T.
// A nil f stops the reports.
func (c *Catalog) OnMiss(f func(lang, key string)) { c.onMiss = f }

// firstInt returns the first integer among args, as an int.
func firstInt(args []any) (int, bool) {
	for _, a := range args {
		switch n := a.(type) {
		case int:
			return n, true
		case int64:
			return int(n), true
		case int32:
			return int(n), true
		case uint:
			return int(n), true
		}
	}
	return 0, false
}

// Has reports whether the fallback language has the message key, so that
// every language has it.
func (c *Catalog) Has(key string) bool {
	_, ok := c.messages[c.langs[0]][key]
	return ok
}

// Messages yields lang's own messages by key, in no order, unformatted
// (a plural message as each of its forms): not the fallback's for the
// keys lang lacks.
func (c *Catalog) Messages(lang string) iter.Seq2[string, string] {
	return func(yield func(string, string) bool) {
		for k, msg := range c.messages[lang] {
			if fs, ok := c.plurals[lang][k]; ok {
				for _, f := range fs {
					if !yield(k, f) {
						return
					}
				}
				continue
			}
			if !yield(k, msg) {
				return
			}
		}
	}
}

// Unknown lists the keys of lang that the fallback language lacks, besides
// "_meta." keys: a partial catalog may hold fewer keys, never other ones.
func (c *Catalog) Unknown(lang string) []string {
	var out []string
	for k := range c.messages[lang] {
		if _, ok := c.messages[c.langs[0]][k]; !ok && !strings.HasPrefix(k, "_meta.") {
			out = append(out, k)
		}
	}
	slices.Sort(out)
	return out
}

// Missing lists the keys of the fallback language that lang lacks.
func (c *Catalog) Missing(lang string) []string {
	var out []string
	for k := range c.messages[c.langs[0]] {
		if _, ok := c.messages[lang][k]; !ok {
			out = append(out, k)
		}
	}
	slices.Sort(out)
	return out
}

// Package locale holds the catalogs of every string a person reads, one
// JSON file per language, and picks a language for a request. Adding a
// language is adding a file: no code changes.
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
	"strings"

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
	matcher  language.Matcher
}

// A catalog whose "_meta.partial" is "true" is a translation under way:
// it holds some keys (say, the know-your-rights text), is used for them,
// and is never offered as a language of the pages. Its "_meta.review"
// says what it awaits, such as review by a qualified translator.
const (
	metaPartial = "_meta.partial"
	metaReview  = "_meta.review"
)

// Load reads the embedded catalogs.
func Load() (*Catalog, error) { return LoadFS(files) }

// LoadFS reads every NAME.json in fsys, where NAME is a BCP 47 tag.
// English comes first, as the fallback.
func LoadFS(fsys fs.FS) (*Catalog, error) {
	names, err := fs.Glob(fsys, "*.json")
	if err != nil {
		return nil, err
	}
	c := &Catalog{messages: map[string]map[string]string{}}
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
		b, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, err
		}
		m := map[string]string{}
		if err := json.Unmarshal(b, &m); err != nil {
			return nil, fmt.Errorf("locale: %s: %v", name, err)
		}
		c.messages[lang] = m
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

// T returns the message key in lang, formatted with args; the fallback
// language's message when lang lacks it; the key itself when none has it.
func (c *Catalog) T(lang, key string, args ...any) string {
	msg, ok := c.messages[lang][key]
	if !ok {
		if msg, ok = c.messages[c.langs[0]][key]; !ok {
			return key
		}
	}
	if len(args) > 0 {
		return fmt.Sprintf(msg, args...)
	}
	return msg
}

// Messages yields lang's own messages by key, in no order, unformatted:
// not the fallback's for the keys lang lacks.
func (c *Catalog) Messages(lang string) iter.Seq2[string, string] {
	return maps.All(c.messages[lang])
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

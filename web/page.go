package web

import (
	"bytes"
	"context"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/intake"
	"github.com/amparo-project/amparo/locale"
	"github.com/amparo-project/amparo/matching"
)

// Pages: what every template gets, in the reader's language, rendered
// whole before a byte is sent.

// templateFuncs are the few helpers templates need.
var templateFuncs = template.FuncMap{
	// list makes a list of strings to range over.
	"list": func(s ...string) []string { return s },
	// field passes the page and a field's name to the "field" template.
	"field": func(p page, name string) fieldRef { return fieldRef{p, name} },
	// col passes the page, a list column's sort key (or a search's field)
	// and its label's catalog key to "sorthead" and "search".
	"col": func(p page, key, label string) colRef { return colRef{p, key, label} },
}

type colRef struct {
	Page       page
	Key, Label string
}

type fieldRef struct {
	Page page
	Name string
}

// page is what every template gets: the data, and the reader's language
// with a translate method bound to it for this request alone.
type page struct {
	Lang      string
	Languages []string
	Path      string
	Query     url.Values // the page's query, kept by the language links
	Data      map[string]any
	// Shell is the staff header of a signed-in person (nil for anyone
	// else); Flash the banner saying what their last action did.
	Shell   *shell
	Flash   *amparo.Msg
	catalog *locale.Catalog
	zone    func() *time.Location // the program's time zone, read when a page asks
}

// Day is the calendar day of t in the program's time zone.
func (p page) Day(t time.Time) amparo.Date { return amparo.DayOf(t, p.location()) }

// When is the day and time of t in the program's time zone, the day
// written in the page's language.
func (p page) When(t time.Time) string {
	t = t.In(p.location())
	return p.catalog.Date(p.Lang, t) + ", " + t.Format("15:04")
}

// Date writes a day as a person reads it in the page's language ("3 de
// diciembre de 2026"); a page puts the day's ISO form (its String) in a
// <time datetime> for machines. The zero day is "".
func (p page) Date(d amparo.Date) string { return p.catalog.Date(p.Lang, d.Time) }

// LastDay is the last day a letter valid until t is valid on, in the
// program's time zone: the date letters, cards and verifiers print.
func (p page) LastDay(t time.Time) amparo.Date { return amparo.LastValidDay(t, p.location()) }

func (p page) location() *time.Location {
	if p.zone == nil {
		return time.UTC
	}
	return p.zone()
}

// programZone is the program's time zone, UTC if it cannot be read.
func (s *Server) programZone(ctx context.Context) *time.Location {
	p, err := s.Programs.FindProgram(ctx)
	if err != nil {
		return time.UTC
	}
	return p.Location()
}

// T translates a message key into the page's language.
func (p page) T(key string, args ...any) string { return p.catalog.T(p.Lang, key, args...) }

// Reason is why a match was proposed, or a person waits, in the page's
// language.
func (p page) Reason(r matching.Reason) string { return r.Text(p.catalog, p.Lang) }

// Msg is a catalog message, such as a conflict check's reason, in the
// page's language.
func (p page) Msg(m amparo.Msg) string {
	args := make([]any, len(m.Args))
	for i, a := range m.Args {
		if inner, ok := a.(amparo.Msg); ok {
			a = p.Msg(inner)
		}
		args[i] = a
	}
	return p.catalog.T(p.Lang, m.Key, args...)
}

// TIn is a catalog message in lang, not the page's language: the words a
// page shows in English whatever the reader's, for an officer.
func (p page) TIn(lang, key string, args ...any) string { return p.catalog.T(lang, key, args...) }

// HistoryReason is the reason of an applicant's history entry: a
// workflow's in the page's language, a person's as they typed it.
func (p page) HistoryReason(stored string) string {
	if m, ok := intake.HistoryReason(stored); ok {
		return p.Msg(m)
	}
	return stored
}

// LanguageName names lang in its own language, for the switcher.
func (p page) LanguageName(lang string) string { return p.catalog.T(lang, "language.name") }

// language picks the reader's language: ?lang= (remembered in a cookie),
// then the cookie, then Accept-Language.
func (s *Server) language(w http.ResponseWriter, r *http.Request) string {
	return s.languageFor(w, r, "")
}

// languageFor is language with a preferred language, such as a client's,
// ahead of Accept-Language.
func (s *Server) languageFor(w http.ResponseWriter, r *http.Request, prefer string) string {
	choice := r.URL.Query().Get("lang")
	if choice != "" {
		lang := s.Catalog.Match(choice, "")
		http.SetCookie(w, &http.Cookie{Name: "lang", Value: lang, Path: "/", MaxAge: 365 * 24 * 3600,
			HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: secureContext(r)})
		return lang
	}
	if c, err := r.Cookie("lang"); err == nil {
		choice = c.Value
	} else {
		choice = prefer
	}
	return s.Catalog.Match(choice, r.Header.Get("Accept-Language"))
}

func (s *Server) render(w http.ResponseWriter, r *http.Request, name string, status int, data map[string]any) {
	s.renderLang(w, r, "", name, status, data)
}

// renderLang renders a page in the reader's language, preferring lang.
func (s *Server) renderLang(w http.ResponseWriter, r *http.Request, lang, name string, status int, data map[string]any) {
	p := page{Lang: s.languageFor(w, r, lang), Languages: s.Catalog.Languages(), Data: data, catalog: s.Catalog,
		// Read once, when the page first prints a date: a page of a hundred
		// dates asks the store once.
		zone: sync.OnceValue(func() *time.Location { return s.programZone(r.Context()) })}
	p.Path, p.Query = s.langTarget(r, data)
	p.Shell = s.shellFor(r)
	if status < 300 {
		p.Flash = s.takeFlash(w, r)
	}
	// Into a buffer first: a template error must never leave half a page
	// sent with the status of a whole one.
	var buf bytes.Buffer
	t, ok := s.pages[name]
	if !ok {
		s.error(w, r, fmt.Errorf("no page %q", name))
		return
	}
	if err := t.ExecuteTemplate(&buf, "layout", p); err != nil {
		if name == "error" { // the error page itself failed: plain words, no loop
			s.Logger.ErrorContext(r.Context(), "render failed", "page", name, "err", err)
			http.Error(w, s.Catalog.T(p.Lang, "error.internal"), http.StatusInternalServerError)
			return
		}
		s.error(w, r, fmt.Errorf("render %s: %w", name, err))
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Language", p.Lang)
	w.Header().Set("Vary", "Accept-Language, Cookie")
	w.WriteHeader(status)
	if _, err := buf.WriteTo(w); err != nil {
		s.Logger.InfoContext(r.Context(), "response not delivered", "page", name, "err", err)
	}
}

package web

import (
	"bytes"
	"errors"
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/parser"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/docs"
	"github.com/amparo-project/amparo/priority"
)

// The priority policy's editor: the text in force, its format's
// documentation, the facts a rule may use, and a preview of who would
// move before a changed policy is put in force.

func (s *Server) policyRoutes(mux *routes) {
	runsProgram := may(amparo.Actor.RunsProgram)
	mux.Allow("GET /policy", runsProgram, s.policyPage)
	mux.Allow("POST /policy", runsProgram, s.policySave)
	mux.Allow("GET /policy/format", runsProgram, s.policyFormat)
}

// policyMovers is how many of the largest moves a preview names.
const policyMovers = 10

func (s *Server) policyPage(w http.ResponseWriter, r *http.Request) {
	p, err := s.Policies.CurrentPolicy(r.Context())
	if err != nil {
		s.error(w, r, err)
		return
	}
	s.renderPolicy(w, r, http.StatusOK, p, &form{Values: map[string]string{"text": p.Text, "tps": p.TPS}})
}

func (s *Server) renderPolicy(w http.ResponseWriter, r *http.Request, status int, p *amparo.PolicyVersion, f *form) {
	history, err := s.Policies.PolicyHistory(r.Context())
	if err != nil {
		s.error(w, r, err)
		return
	}
	s.render(w, r, "policy", status, map[string]any{"Policy": p, "History": history, "Form": f, "Facts": priority.KnownFacts()})
}

// policySave answers the editor's three buttons. A changed policy is
// first previewed: who would move, shown on a confirmation page that
// changes nothing. Only that page's "Put in force" changes the policy,
// and only if the policy in force is still the one it compared with
// (seen): a stale preview changes nothing. "Change it again" brings the
// text back to the editor.
func (s *Server) policySave(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	text, tps, reason := r.PostFormValue("text"), r.PostFormValue("tps"), strings.TrimSpace(r.PostFormValue("reason"))
	f := &form{Values: map[string]string{"text": text, "tps": tps, "reason": reason}}
	again := func(status int, err error) {
		if err != nil && !s.adminErrors(w, r, err, f) {
			return
		}
		current, err := s.Policies.CurrentPolicy(ctx)
		if err != nil {
			s.error(w, r, err)
			return
		}
		s.renderPolicy(w, r, status, current, f)
	}
	switch {
	case r.PostFormValue("edit") == "1":
		again(http.StatusOK, nil)
	case r.PostFormValue("confirmed") == "1":
		current, err := s.Policies.CurrentPolicy(ctx)
		if err != nil {
			s.error(w, r, err)
			return
		}
		if err := checkSeen(r, strconv.Itoa(current.Version)); err != nil {
			s.problem(s.language(w, r), f, "text", "policy.stale")
			s.renderPolicy(w, r, http.StatusConflict, current, f)
			return
		}
		pc, err := s.intake.ChangePolicy(ctx, text, tps, reason)
		if err != nil {
			again(http.StatusUnprocessableEntity, err)
			return
		}
		change := ""
		if pc.Change != nil {
			change = pc.Change.Text(s.Catalog, s.language(w, r))
		} else {
			s.Logger.Error("policy changed, but who moved is unknown", "err", pc.RankErr)
		}
		s.done(w, r, "/policy", "policy.put_in_force", pc.Version.Version, change)
	default:
		var problems []error
		if reason == "" {
			problems = append(problems, amparo.Invalid("reason", "say why the policy changes").Localize("policy.no_reason"))
		}
		pv, err := s.intake.PreviewPolicy(ctx, text, tps, policyMovers)
		if err != nil {
			problems = append(problems, err)
		}
		if len(problems) > 0 {
			again(http.StatusUnprocessableEntity, errors.Join(problems...))
			return
		}
		s.render(w, r, "policy_preview", http.StatusOK, map[string]any{"Preview": pv, "Form": f,
			"Seen": strconv.Itoa(pv.Current.Version), "Summary": pv.Change.Text(s.Catalog, s.language(w, r))})
	}
}

// policyFormat serves the policy format's documentation,
// docs/priority-policy.md, as HTML.
func (s *Server) policyFormat(w http.ResponseWriter, r *http.Request) {
	docs, err := policyDocs()
	if err != nil {
		s.error(w, r, err)
		return
	}
	lang := s.language(w, r)
	if _, ok := docs[lang]; !ok {
		lang = "en" // the page says it is in English only
	}
	s.render(w, r, "policy_format", http.StatusOK, map[string]any{"Doc": docs[lang], "DocLang": lang})
}

// policyDocs is docs/priority-policy.md in HTML, by language, rendered
// once. Goldmark
// leaves out any raw HTML and unsafe link (its default), so nothing in
// the file can run; and it writes no style attribute (cell alignment
// off), so the page keeps to the Content-Security-Policy. Wide code and
// tables scroll within a region of their own, never the page.
var policyDocs = sync.OnceValues(func() (map[string]template.HTML, error) {
	md := goldmark.New(
		goldmark.WithExtensions(extension.NewTable(extension.WithTableCellAlignMethod(extension.TableCellAlignNone))),
		goldmark.WithParserOptions(parser.WithAutoHeadingID()),
	)
	out := map[string]template.HTML{}
	for _, d := range []struct{ lang, text, example, table string }{
		{"en", docs.PriorityPolicy, "Example", "Table"},
		{"es", docs.PriorityPolicyES, "Ejemplo", "Tabla"},
	} {
		var buf bytes.Buffer
		if err := md.Convert([]byte(d.text), &buf); err != nil {
			return nil, err
		}
		html := buf.String()
		for tag, label := range map[string]string{"pre": d.example, "table": d.table} {
			html = strings.ReplaceAll(html, "<"+tag+">", `<div class="scroll" role="region" tabindex="0" aria-label="`+label+`"><`+tag+">")
			html = strings.ReplaceAll(html, "</"+tag+">", "</"+tag+"></div>")
		}
		out[d.lang] = template.HTML(html)
	}
	return out, nil
})

package web

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/csvexport"
)

// The audit trail as an auditor reads it: who (by name and role), what
// (an action of the vocabulary, in the reader's language), to which
// record (a link where the reader may open it), when; newest first, a
// page at a time, filtered by action, dates and the actor's name, and
// exported as CSV (an export the trail itself records).

func (s *Server) auditRoutes(mux *routes) {
	readsAudit := may(amparo.Actor.ReadsAudit)
	mux.Allow("GET /audit", readsAudit, s.auditList)
	mux.Allow("POST /audit/export", readsAudit, s.auditExport)
}

// auditSearch is the audit list's filter as its form has it: what was
// typed, the store's filter made of it, and every problem with it.
type auditSearch struct {
	Values map[string]string // action, from, until, q
	Filter amparo.AuditFilter
	Form   *form
}

// parseAuditSearch reads the filter fields of v: an action of the
// vocabulary, from and until dates (days in the program's time zone,
// both included), and a search of the actor's name. Every problem is
// put on the form, in lang.
func (s *Server) parseAuditSearch(r *http.Request, lang string, v url.Values) auditSearch {
	as := auditSearch{Values: map[string]string{}, Form: &form{Values: map[string]string{}}}
	for _, k := range []string{"action", "from", "until", "q", "record_type", "record_id"} {
		as.Values[k] = strings.TrimSpace(v.Get(k))
	}
	as.Form.Values = as.Values
	f := &as.Filter
	f.Sort = amparo.AuditNewestFirst
	// The record fields come from links (an event's record), not the form.
	for _, k := range []string{"record_type", "record_id"} {
		if x := as.Values[k]; !utf8.ValidString(x) || len(x) > maxSearch {
			s.problem(lang, as.Form, "q", "list.bad_search")
		}
	}
	f.RecordType, f.RecordID = as.Values["record_type"], as.Values["record_id"]
	if a := as.Values["action"]; a != "" {
		if !slices.Contains(amparo.AuditActions, amparo.AuditAction(a)) {
			s.problem(lang, as.Form, "action", "audit.bad_action")
		} else {
			f.Action = amparo.AuditAction(a)
		}
	}
	zone := s.programZone(r.Context())
	day := func(field string) time.Time {
		t, err := time.ParseInLocation(time.DateOnly, as.Values[field], zone)
		if as.Values[field] != "" && err != nil {
			s.problem(lang, as.Form, field, "audit.bad_date")
		}
		return t
	}
	from, until := day("from"), day("until")
	if !from.IsZero() {
		f.Since = from
	}
	if !until.IsZero() {
		if !from.IsZero() && until.Before(from) {
			s.problem(lang, as.Form, "until", "audit.bad_range")
		}
		f.Until = until.AddDate(0, 0, 1) // the whole day
	}
	q := as.Values["q"]
	switch {
	case !utf8.ValidString(q):
		as.Values["q"] = strings.ToValidUTF8(q, "\uFFFD")
		s.problem(lang, as.Form, "q", "list.bad_search")
	case utf8.RuneCountInString(q) > maxSearch:
		as.Values["q"] = string([]rune(q)[:maxSearch])
		s.problem(lang, as.Form, "q", "list.long_search", maxSearch)
	default:
		f.ActorName = q
	}
	for k, x := range as.Values {
		as.Values[k] = strings.ToValidUTF8(x, "\uFFFD")
	}
	return as
}

// auditList shows a page of the audit trail, newest first.
func (s *Server) auditList(w http.ResponseWriter, r *http.Request) {
	lang := s.language(w, r)
	as := s.parseAuditSearch(r, lang, r.URL.Query())
	data := map[string]any{"Search": as, "Form": as.Form, "Actions": amparo.AuditActions}
	// The search box is the actor's name, read above with the filter:
	// the list's own ?q= check would only say the same thing again.
	lq, err := parseList(withoutQuery(r, "q"), []string{"at"}, amparo.AuditNewestFirst)
	if err != nil {
		s.error(w, r, err)
		return
	}
	if len(as.Form.Errors) > 0 {
		s.render(w, r, "audit", http.StatusBadRequest, data)
		return
	}
	lq.Q = as.Filter.ActorName
	f := as.Filter
	f.Sort, f.Offset, f.Limit = lq.Sort, lq.Offset(), lq.Limit()
	events, n, err := s.Audit.FindAuditEvents(r.Context(), f)
	pg, err := lq.Paged(n, err)
	if err != nil {
		s.error(w, r, err)
		return
	}
	a := sessionFrom(r.Context()).Actor()
	rows := make([]auditRow, len(events))
	for i, e := range events {
		rows[i] = auditRow{AuditEvent: e, Href: recordHref(a, e)}
	}
	data["Events"], data["Pager"] = rows, pg
	s.render(w, r, "audit", http.StatusOK, data)
}

// withoutQuery is r with its address's query parameter key taken off.
func withoutQuery(r *http.Request, key string) *http.Request {
	r2 := *r
	u := *r.URL
	v := u.Query()
	v.Del(key)
	u.RawQuery = v.Encode()
	r2.URL = &u
	return &r2
}

// auditRow is an event as the list shows it, with the link to its
// record when the reader may open it.
type auditRow struct {
	*amparo.AuditEvent
	Href string
}

// recordHref is the page of e's record, if a may open it: the same
// questions the record pages' routes ask. "" otherwise.
func recordHref(a amparo.Actor, e *amparo.AuditEvent) string {
	if e.RecordID == "" && e.RecordType != amparo.RecordPolicy {
		return ""
	}
	ownRecord := a.SeesClients() && (a.SeesEveryOrganization() || a.OrganizationID == e.OrganizationID)
	switch e.RecordType {
	case amparo.RecordOrganization:
		if a.Administers(e.RecordID) {
			return "/organizations/" + e.RecordID
		}
	case amparo.RecordClient:
		if ownRecord {
			return "/clients/" + e.RecordID
		}
	case amparo.RecordLetter:
		if ownRecord {
			return "/letters/" + e.RecordID
		}
	case amparo.RecordApplicant:
		if ownRecord {
			return "/applicants/" + e.RecordID
		}
	case amparo.RecordPolicy:
		if a.RunsProgram() {
			return "/policy"
		}
	case amparo.RecordProgram:
		if a.RunsProgram() {
			return "/settings"
		}
	}
	return ""
}

// auditExport writes the events the filter selects as CSV, every cell
// neutralized for spreadsheets; the store records the export first. The
// banner saying so shows on the next page, since a download stays on
// this one.
func (s *Server) auditExport(w http.ResponseWriter, r *http.Request) {
	lang := s.language(w, r)
	if err := r.ParseForm(); err != nil {
		s.error(w, r, amparo.Invalid("form", "%v", err))
		return
	}
	as := s.parseAuditSearch(r, lang, r.PostForm)
	if len(as.Form.Errors) > 0 {
		s.render(w, r, "audit", http.StatusBadRequest, map[string]any{"Search": as, "Form": as.Form, "Actions": amparo.AuditActions})
		return
	}
	zone := s.programZone(r.Context())
	var cw *csvexport.Writer
	err := s.Audit.ExportAuditEvents(r.Context(), as.Filter, func(e *amparo.AuditEvent) error {
		if cw == nil {
			s.keepFlash(w, r, "audit.exported")
			h := w.Header()
			h.Set("Content-Type", "text/csv; charset=utf-8")
			h.Set("Content-Disposition", `attachment; filename="amparo-audit.csv"`)
			cw = csvexport.NewWriter(w)
			if err := cw.Write(s.auditCSVHeader(lang)); err != nil {
				return err
			}
		}
		return cw.Write([]string{strconv.FormatInt(e.Seq, 10), e.At.In(zone).Format(time.RFC3339),
			e.ActorName, s.Catalog.T(lang, "role."+string(e.ActorRole)), e.ActorID, e.OrganizationID,
			string(e.Action), s.Catalog.T(lang, "audit.action."+string(e.Action)),
			e.RecordType, e.RecordID, e.RecordName})
	})
	if err != nil {
		if cw == nil {
			s.error(w, r, err)
			return
		}
		// Half a file was sent: it cannot become an error page now.
		s.Logger.Error("audit export cut short", "err", err)
		return
	}
	if cw == nil { // no event matched: the header alone
		s.keepFlash(w, r, "audit.exported")
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		w.Header().Set("Content-Disposition", `attachment; filename="amparo-audit.csv"`)
		cw = csvexport.NewWriter(w)
		_ = cw.Write(s.auditCSVHeader(lang))
	}
	if err := cw.Flush(); err != nil {
		s.Logger.Error("audit export cut short", "err", err)
	}
}

func (s *Server) auditCSVHeader(lang string) []string {
	var h []string
	for _, k := range []string{"seq", "at", "actor", "role", "actor_id", "organization_id", "action", "action_words", "record_type", "record_id", "record_name"} {
		h = append(h, s.Catalog.T(lang, "audit.csv."+k))
	}
	return h
}

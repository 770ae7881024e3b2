package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/amparo-project/amparo"
)

// The staff shell: what every page of the staff app shares. The header's
// navigation by role, the banner that says an action was done, the
// confirmation page before anything serious, and the counting, paging,
// sorting and searching of every list (the GOV.UK Design System's
// service navigation, notification banner, pagination and tables).

// navItem is a section of the staff navigation, shown to those whose
// actor may use it: the same question its route asks (TestStaffShell
// follows every link as every role).
type navItem struct {
	Path string
	Key  string // its catalog key
	Show func(amparo.Actor) bool
}

func always(amparo.Actor) bool { return true }

// staffNav is the staff app's sections, in the order the header lists them.
var staffNav = []navItem{
	{"/dashboard", "nav.dashboard", always},
	{"/clients", "nav.clients", amparo.Actor.SeesClients},
	{"/letters", "nav.letters", amparo.Actor.SeesClients},
	{"/applicants", "nav.applicants", amparo.Actor.SeesClients},
	{"/queue", "nav.queue", amparo.Actor.SeesClients},
	{"/matches", "nav.matches", amparo.Actor.SeesClients},
	{"/workshops", "nav.workshops", amparo.Actor.OrganizesWorkshops},
	{"/vendors", "nav.vendors", amparo.Actor.ScreensVendors},
	{"/alerts", "nav.alerts", amparo.Actor.SeesClients},
	{"/fund", "nav.fund", amparo.Actor.ReadsFund},
	{"/organizations", "nav.organizations", func(a amparo.Actor) bool { return a.RunsProgram() || a.Role == amparo.RoleOrgAdmin }},
	{"/policy", "nav.policy", amparo.Actor.RunsProgram},
	{"/accounts", "nav.accounts", amparo.Actor.RunsProgram},
	{"/settings", "nav.settings", amparo.Actor.RunsProgram},
	{"/audit", "nav.audit", amparo.Actor.ReadsAudit},
	{"/account", "nav.account", always},
}

// navLink is a section as a page shows it.
type navLink struct {
	Path, Key string
	Current   bool
}

// shell is the header of a page for a fully signed-in person: nil for
// anyone else, who sees the public header.
type shell struct {
	Name, Role, Organization string
	Nav                      []navLink
}

// shellFor is the staff header for r's session, the current section
// marked; nil when nobody is fully signed in.
func (s *Server) shellFor(r *http.Request) *shell {
	sess := sessionFrom(r.Context())
	if sess == nil || sess.Account == nil || (!sess.SecondFactor && sess.Account.Role.NeedsSecondFactor()) {
		return nil
	}
	a := sess.Actor()
	sh := &shell{Name: sess.Account.Name, Role: string(sess.Account.Role)}
	if id := sess.Account.OrganizationID; id != "" {
		if o, err := s.Organizations.FindOrganizationByID(r.Context(), id); err == nil {
			sh.Organization = o.Name
		}
	}
	for _, n := range staffNav {
		if n.Path == "/organizations" && !a.RunsProgram() {
			// An organization's admin has one: its page.
			n.Path, n.Key = "/organizations/"+a.OrganizationID, "nav.organization"
		}
		if n.Show(a) {
			cur := r.URL.Path == n.Path || strings.HasPrefix(r.URL.Path, n.Path+"/")
			sh.Nav = append(sh.Nav, navLink{n.Path, n.Key, cur})
		}
	}
	return sh
}

// A success banner is carried across the redirect that answers a POST in
// a sealed cookie bound to the account, read and cleared by the next page
// rendered (the Post/Redirect/Get pattern's "flash").

const flashCookie = "flash"

// flash is the message of the banner a page shows once: a catalog key
// and its arguments, each text, a whole number (which picks a plural
// form) or a message itself, said in the language of the page that shows
// the banner.
type flash struct {
	Key  string `json:"k"`
	Args []any  `json:"a,omitempty"`
}

func newFlash(key string, args []any) flash {
	f := flash{Key: key}
	for _, a := range args {
		switch a := a.(type) {
		case int, int64:
			f.Args = append(f.Args, a)
		case amparo.Msg:
			f.Args = append(f.Args, newFlash(a.Key, a.Args))
		default:
			f.Args = append(f.Args, fmt.Sprint(a))
		}
	}
	return f
}

// msg turns a flash read back from JSON into the message it was.
func (f flash) msg() amparo.Msg {
	m := amparo.Msg{Key: f.Key}
	for _, a := range f.Args {
		switch a := a.(type) {
		case float64: // JSON's numbers: whole ones, as newFlash kept them
			m.Args = append(m.Args, int(a))
		case map[string]any:
			b, _ := json.Marshal(a)
			var inner flash
			json.Unmarshal(b, &inner)
			m.Args = append(m.Args, inner.msg())
		default:
			m.Args = append(m.Args, a)
		}
	}
	return m
}

// done answers a POST that succeeded: the banner says what was done (a
// catalog key and its arguments), on the page the redirect leads to.
func (s *Server) done(w http.ResponseWriter, r *http.Request, to, key string, args ...any) {
	s.language(w, r) // a ?lang= on the action holds for the page that says it is done
	s.keepFlash(w, r, key, args...)
	http.Redirect(w, r, to, http.StatusSeeOther)
}

// keepFlash keeps a banner for the next page the signed-in person opens:
// done's, or a download's, which leaves the browser on its page.
func (s *Server) keepFlash(w http.ResponseWriter, r *http.Request, key string, args ...any) {
	sess := sessionFrom(r.Context())
	if sess == nil {
		return
	}
	b, _ := json.Marshal(newFlash(key, args))
	if err := s.keepSealed(w, r, flashCookie, "/", sess.AccountID, b, 5*time.Minute); err != nil {
		s.Logger.ErrorContext(r.Context(), "banner not kept", "err", err)
	}
}

// takeFlash returns the banner waiting for r's account, and clears it.
func (s *Server) takeFlash(w http.ResponseWriter, r *http.Request) *amparo.Msg {
	sess := sessionFrom(r.Context())
	if sess == nil {
		return nil
	}
	b := s.openSealed(r, flashCookie, sess.AccountID)
	if _, err := r.Cookie(flashCookie); err == nil {
		http.SetCookie(w, &http.Cookie{Name: flashCookie, Path: "/", MaxAge: -1, HttpOnly: true,
			Secure: secureContext(r), SameSite: http.SameSiteStrictMode})
	}
	var f flash
	if b == nil || json.Unmarshal(b, &f) != nil || f.Key == "" {
		return nil
	}
	m := f.msg()
	return &m
}

// confirmation is the page asked before anything irreversible or serious:
// what will happen, one button that does it, and a way back that changes
// nothing. Seen is the record's state when the page was shown: the action
// refuses to run if it changed since (checkSeen).
type confirmation struct {
	Title  amparo.Msg
	Lines  []amparo.Msg // what will happen
	Action string       // where the form posts
	Fields map[string]string
	Seen   string
	Button amparo.Msg
	Danger bool   // the button is red: the action cannot be undone
	Cancel string // where "No, go back" leads
}

// confirm shows a confirmation page.
func (s *Server) confirm(w http.ResponseWriter, r *http.Request, c confirmation) {
	s.render(w, r, "confirm", http.StatusOK, map[string]any{"Confirm": c})
}

// seenAt is a record's state as a confirmation page carries it: its
// status and when it last changed.
func seenAt(status string, updated time.Time) string {
	return status + " " + updated.UTC().Format(time.RFC3339Nano)
}

// checkSeen refuses an action confirmed on a page showing the record in a
// state it is no longer in (a replayed or stale confirmation).
func checkSeen(r *http.Request, current string) error {
	if r.PostFormValue("seen") != current {
		return amparo.Errorf(amparo.ECONFLICT, "The record changed after the confirmation page was shown.").Localize("confirm.changed")
	}
	return nil
}

// Lists: every list says how many there are, pages through all of them,
// sorts by its main columns and searches with a GET form, all in its
// address (bookmarkable and safe with the back button).

const (
	perPage   = 50
	maxSearch = 200 // runes of a search
)

// listQuery is a list's page, order and search, as its address asks.
type listQuery struct {
	Page int
	Sort string // a column key, "-" first for descending; "" for the list's own order
	Q    string
	url  url.URL
}

// Offset and Limit are the store filter's window of the page.
func (q listQuery) Offset() int { return (q.Page - 1) * perPage }
func (q listQuery) Limit() int  { return perPage }

// parseList reads ?page=, ?sort= and ?q= of a list sorted by one of sorts
// (each also "-" first, for descending), def when it names none. A page
// that is not a positive number, a sort it does not know, a search that
// is not text or too long: EINVALID, said in the reader's language.
func parseList(r *http.Request, sorts []string, def string) (listQuery, error) {
	v := r.URL.Query()
	q := listQuery{Page: 1, Sort: def, url: *r.URL}
	if p := v.Get("page"); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 {
			return q, amparo.Invalid("page", "The page number must be a whole number from 1.").Localize("list.bad_page")
		}
		q.Page = n
	}
	if sort := v.Get("sort"); sort != "" {
		if !slices.Contains(sorts, strings.TrimPrefix(sort, "-")) {
			return q, amparo.Invalid("sort", "A list cannot be sorted by that.").Localize("list.bad_sort")
		}
		q.Sort = sort
	}
	q.Q = strings.TrimSpace(v.Get("q"))
	if !utf8.ValidString(q.Q) {
		return q, amparo.Invalid("q", "A search must be text.").Localize("list.bad_search")
	}
	if utf8.RuneCountInString(q.Q) > maxSearch {
		return q, amparo.Invalid("q", "A search can be at most %d characters.", maxSearch).Localize("list.long_search", maxSearch)
	}
	return q, nil
}

// pager is what a list page shows around its rows: "1–50 of 516", links
// to the other pages, and its columns' sort links.
type pager struct {
	From, To, Total, Page, Pages int
	Prev, Next                   string
	Links                        []pageLink // numbered pages, with gaps (Page 0)
	q                            listQuery
}

type pageLink struct {
	Page    int // 0 for a gap
	URL     string
	Current bool
}

// Paged is Pager of a list the store counted, or the store's error.
func (q listQuery) Paged(total int, err error) (*pager, error) {
	if err != nil {
		return nil, err
	}
	return q.Pager(total)
}

// Pager is the pager of q's page of a list of total items. A page past
// the end is ENOTFOUND, naming the last page.
func (q listQuery) Pager(total int) (*pager, error) {
	pages := max(1, (total+perPage-1)/perPage)
	if q.Page > pages {
		return nil, amparo.Errorf(amparo.ENOTFOUND, "There is no page %d: the list has %d.", q.Page, pages).
			Localize("list.past_end", pages, q.Page)
	}
	p := &pager{Total: total, Page: q.Page, Pages: pages, q: q}
	if total > 0 {
		p.From, p.To = q.Offset()+1, min(total, q.Offset()+perPage)
	}
	if q.Page > 1 {
		p.Prev = q.with("page", strconv.Itoa(q.Page-1))
	}
	if q.Page < pages {
		p.Next = q.with("page", strconv.Itoa(q.Page+1))
	}
	last := 0
	for n := 1; n <= pages; n++ {
		if n == 1 || n == pages || (n >= q.Page-1 && n <= q.Page+1) {
			if last != 0 && n > last+1 {
				p.Links = append(p.Links, pageLink{})
			}
			p.Links = append(p.Links, pageLink{n, q.with("page", strconv.Itoa(n)), n == q.Page})
			last = n
		}
	}
	return p, nil
}

// with is q's address with key set to value (and back to the first page
// when the order changes).
func (q listQuery) with(key, value string) string {
	u := q.url
	v := u.Query()
	v.Del("lang")
	if key == "sort" {
		v.Del("page")
	}
	if value == "" || (key == "page" && value == "1") {
		v.Del(key)
	} else {
		v.Set(key, value)
	}
	u.RawQuery = v.Encode()
	return u.RequestURI()
}

// SortURL is the address that sorts the list by column key: ascending,
// or descending if it is already ascending.
func (p *pager) SortURL(key string) string {
	if p.q.Sort == key {
		return p.q.with("sort", "-"+key)
	}
	return p.q.with("sort", key)
}

// SortState is the column's aria-sort: "ascending", "descending" or "none".
func (p *pager) SortState(key string) string {
	switch p.q.Sort {
	case key:
		return "ascending"
	case "-" + key:
		return "descending"
	}
	return "none"
}

// Search is the list's search, for its form to show again.
func (p *pager) Search() string { return p.q.Q }

// Sort is the list's order, for its search form to keep.
func (p *pager) Sort() string { return p.q.Sort }

package web

import (
	"bytes"
	"context"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"sync"
	"text/template/parse"
	"time"
	"unicode/utf8"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/auth"
	"github.com/amparo-project/amparo/document"
	"github.com/amparo-project/amparo/intake"
	"github.com/amparo-project/amparo/locale"
	"github.com/amparo-project/amparo/matching"
	"github.com/prometheus/client_golang/prometheus"
)

//go:embed templates
var templateFiles embed.FS

// Pinger checks the database: Ping that it answers (/healthz: the
// process is alive), Ready that it can serve (/readyz: migrations applied,
// writes succeed, no job due for longer than stuck).
type Pinger interface {
	Ping(ctx context.Context) error
	Ready(ctx context.Context, stuck time.Duration) error
}

// Services are what the server is built from. NewServer refuses a
// missing one: a server without its conflict check, say, must not start.
type Services struct {
	Programs      amparo.ProgramService
	Organizations amparo.OrganizationService
	DB            Pinger
	Catalog       *locale.Catalog
	Logger        *slog.Logger
	// Trust publishes the root key, trust list and status lists that the
	// verify page (/v) checks letters against.
	Trust amparo.TrustService
	// Phones opens clients' phone pages; MAC signs their cookies with a key
	// only the server holds.
	Phones amparo.PhoneService
	MAC    func(purpose string, data []byte) []byte
	// Accounts signs staff in; Hasher and Limiter check their passwords
	// and slow down guessing.
	Accounts amparo.AccountService
	Clients  amparo.ClientService
	Members  amparo.MemberService
	Audit    amparo.AuditService
	// Applicants and Policies give the queue and the priority policy.
	Applicants intake.Applicants
	Policies   amparo.PolicyService
	Conflicts  amparo.ConflictService
	// IntakeLimiter slows down submissions of the public intake form from
	// one address; IntakeKeySecret keys the people's duplicate-finding keys.
	IntakeLimiter   *auth.Limiter
	IntakeKeySecret []byte
	Letters         amparo.LetterService
	// Documents reads what letters print; Renderer draws their PDFs.
	Documents document.Source
	Renderer  *document.Renderer
	Hasher    *auth.Hasher
	Limiter   *auth.Limiter
	// Metrics is where the server registers its Prometheus metrics.
	Metrics prometheus.Registerer
	// Deployment is how people reach the server; its zero value serves
	// a developer's machine.
	Deployment Deployment `web:"optional"`
}

// Server serves every page. Make it with NewServer.
type Server struct {
	Services
	// intake runs the queue, match proposals and decisions, and policy
	// changes; signIn runs signing in. Handlers make one call to them.
	intake  *intake.Service
	signins *auth.SignIn
	metrics *metrics

	pages  map[string]*template.Template
	routes []route        // every registered route, for the authorization matrix
	mux    *http.ServeMux // where language links find the GET page of a POST's answer
}

// NewServer checks that every service is set, builds the workflows from
// them, and parses the templates: a broken template, like a missing
// service, stops start-up, not a request.
func NewServer(svc Services) (*Server, error) {
	v := reflect.ValueOf(svc)
	var missing []string
	for i := range v.NumField() {
		if v.Field(i).IsZero() && v.Type().Field(i).Tag.Get("web") != "optional" {
			missing = append(missing, v.Type().Field(i).Name)
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("web: missing services: %s", strings.Join(missing, ", "))
	}
	svc.Logger = slog.New(withRequestID{svc.Logger.Handler()})
	s := &Server{Services: svc,
		intake: &intake.Service{Applicants: svc.Applicants, Policies: svc.Policies, Members: svc.Members,
			Organizations: svc.Organizations, Programs: svc.Programs, Conflicts: svc.Conflicts, Letters: svc.Letters},
		signins: &auth.SignIn{Accounts: svc.Accounts, Hasher: svc.Hasher, Limiter: svc.Limiter, Logger: svc.Logger},
		pages:   map[string]*template.Template{}}
	var err error
	if s.metrics, err = newMetrics(svc.Metrics); err != nil {
		return nil, err
	}
	names, err := fs.Glob(templateFiles, "templates/*.html")
	if err != nil {
		return nil, err
	}
	for _, name := range names {
		if name == "templates/layout.html" {
			continue
		}
		t, err := template.New("").Funcs(templateFuncs).ParseFS(templateFiles, "templates/layout.html", name)
		if err != nil {
			return nil, err
		}
		if err := checkCalls(t); err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		s.pages[name[len("templates/"):len(name)-len(".html")]] = t
	}
	return s, nil
}

// Handler returns the HTTP handler of every route.
func (s *Server) Handler() (http.Handler, error) {
	if s.intake == nil {
		return nil, errors.New("web: a Server is made by NewServer")
	}
	mux := &routes{mux: http.NewServeMux(), s: s}
	s.mux = mux.mux
	mux.HandleFunc("GET /{$}", s.home)
	mux.HandleFunc("GET /healthz", s.healthz)
	mux.HandleFunc("GET /readyz", s.readyz)
	mux.HandleFunc("GET /static/{name}", verifyStatic) // every page's styles; the same files as /v/static
	mux.HandleFunc("GET /favicon.ico", favicon)
	s.verifyRoutes(mux)
	s.phoneRoutes(mux)
	s.accountRoutes(mux)
	s.clientRoutes(mux)
	s.letterRoutes(mux)
	s.adminRoutes(mux)
	s.queueRoutes(mux)
	s.intakeRoutes(mux)
	s.applicantRoutes(mux)
	s.matchRoutes(mux)
	s.routes = mux.list
	// Every state-changing request must come from our own pages.
	csrf := http.NewCrossOriginProtection()
	return s.behindProxy(s.logRequests(securityHeaders(csrf.Handler(s.formGuard(s.withSession(routed(mux.mux))))))), nil
}

// route is a registered pattern, whether it needs a signed-in person, and
// the permission it asks of them (nil: any signed-in person).
type route struct {
	Pattern string
	Auth    bool
	may     permission
}

// routes registers handlers, each either open to anyone (HandleFunc) or
// for a signed-in person (Auth), and keeps the list.
type routes struct {
	mux  *http.ServeMux
	s    *Server
	list []route
}

// HandleFunc registers a route anyone may request; the handler decides
// what a visitor may see (a phone link's PIN, an invitation's token).
func (m *routes) HandleFunc(pattern string, h http.HandlerFunc) {
	m.mux.HandleFunc(pattern, h)
	m.list = append(m.list, route{pattern, false, nil})
}

// Auth registers a route for a person fully signed in (second factor
// given where the role needs one): others are sent to sign in first.
// The store checks what the person's role may do.
func (m *routes) Auth(pattern string, h http.HandlerFunc) {
	m.mux.HandleFunc(pattern, m.s.requireAuth(h))
	m.list = append(m.list, route{pattern, true, nil})
}

// permission decides whether a signed-in actor may use a route; r gives
// the record its path names (the organization of /organizations/{id}).
// Each is one of the Actor permission methods (amparo.go): a route asks
// the same question the store does, before any handler runs.
type permission func(a amparo.Actor, r *http.Request) bool

// may turns an Actor permission method into a route's permission.
func may(p func(amparo.Actor) bool) permission {
	return func(a amparo.Actor, _ *http.Request) bool { return p(a) }
}

// administersPath lets through the admins of the organization in the
// path ({id}).
func administersPath(a amparo.Actor, r *http.Request) bool { return a.Administers(r.PathValue("id")) }

// Allow registers a route for a fully signed-in person whose actor has
// the permission; anyone else signed in is refused (403), anyone signed
// out sent to sign in. The store still checks each record.
func (m *routes) Allow(pattern string, p permission, h http.HandlerFunc) {
	m.AllowElse(pattern, p, h, func(w http.ResponseWriter, r *http.Request) {
		m.s.error(w, r, amparo.Errorf(amparo.EFORBIDDEN, "Forbidden."))
	})
}

// AllowElse is Allow with what to answer those without the permission.
func (m *routes) AllowElse(pattern string, p permission, h, otherwise http.HandlerFunc) {
	m.Auth(pattern, func(w http.ResponseWriter, r *http.Request) {
		if !p(sessionFrom(r.Context()).Actor(), r) {
			otherwise(w, r)
			return
		}
		h(w, r)
	})
	m.list[len(m.list)-1].may = p
}

// allows reports whether the route serving r lets the actor in: what a
// page asks before it shows a button (a form posting to r).
func (s *Server) allows(a amparo.Actor, r *http.Request) bool {
	_, pattern := s.mux.Handler(r)
	for _, rt := range s.routes {
		if rt.Pattern == pattern {
			// The mux sets path values only when it serves: set them as
			// it would, for a permission that reads the path's record.
			_, p, _ := strings.Cut(pattern, " ")
			segs := strings.Split(r.URL.Path, "/")
			for i, seg := range strings.Split(p, "/") {
				if strings.HasPrefix(seg, "{") && i < len(segs) {
					r.SetPathValue(strings.Trim(seg, "{.}"), segs[i])
				}
			}
			return rt.may == nil || rt.may(a, r)
		}
	}
	return false
}

// requireAuth runs h for a fully signed-in session (sessionFrom then
// never returns nil in it), and sends anyone else on to sign in.
func (s *Server) requireAuth(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		sess := sessionFrom(r.Context())
		switch {
		case sess == nil:
			http.Redirect(w, r, "/signin", http.StatusSeeOther)
			return
		case !sess.SecondFactor && sess.Account.Role.NeedsSecondFactor():
			if sess.Account.TOTPEnabled {
				http.Redirect(w, r, "/signin/code", http.StatusSeeOther)
			} else {
				http.Redirect(w, r, "/account/totp", http.StatusSeeOther)
			}
			return
		}
		w.Header().Set("Cache-Control", "no-store")
		h(w, r)
	}
}

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 3*time.Second)
	defer cancel()
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if err := s.DB.Ping(ctx); err != nil {
		s.Logger.ErrorContext(ctx, "health check failed", "err", err)
		w.WriteHeader(http.StatusServiceUnavailable)
		w.Write([]byte("database unavailable\n"))
		return
	}
	w.Write([]byte("ok\n"))
}

// stuckJobs is how long a due job may wait before /readyz says the queue
// is stuck: the hourly jobs are claimed within seconds by any process.
const stuckJobs = 10 * time.Minute

// readyz answers 200 when the server can serve, 503 with the reason (one
// line for the operator, nothing personal) when it cannot.
func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 5*time.Second)
	defer cancel()
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if err := s.DB.Ready(ctx, stuckJobs); err != nil {
		s.Logger.ErrorContext(ctx, "not ready", "err", err)
		w.WriteHeader(http.StatusServiceUnavailable)
		w.Write([]byte(err.Error() + "\n"))
		return
	}
	w.Write([]byte("ready\n"))
}

// public is the actor of a visitor who has not signed in: it sees the
// program and its partner organizations, never a client.
var public = amparo.VisitorActor

func (s *Server) home(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	p, err := s.Programs.FindProgram(ctx)
	if err != nil {
		s.error(w, r, err)
		return
	}
	orgs, n, err := s.Organizations.FindOrganizations(ctx, amparo.OrganizationFilter{Limit: 100})
	if err != nil {
		s.error(w, r, err)
		return
	}
	s.render(w, r, "home", http.StatusOK, map[string]any{"Program": p, "Organizations": orgs, "OrganizationCount": n,
		"SignedIn": sessionFrom(ctx) != nil})
}

// checkCalls refuses a page that calls a template its set does not define,
// which html/template would only find while rendering.
func checkCalls(t *template.Template) error {
	var walk func(n parse.Node) error
	walk = func(n parse.Node) error {
		switch n := n.(type) {
		case *parse.ListNode:
			if n == nil {
				return nil
			}
			for _, c := range n.Nodes {
				if err := walk(c); err != nil {
					return err
				}
			}
		case *parse.TemplateNode:
			if t.Lookup(n.Name) == nil {
				return fmt.Errorf("calls undefined template %q", n.Name)
			}
		case *parse.IfNode:
			return errors.Join(walk(n.List), walk(n.ElseList))
		case *parse.RangeNode:
			return errors.Join(walk(n.List), walk(n.ElseList))
		case *parse.WithNode:
			return errors.Join(walk(n.List), walk(n.ElseList))
		}
		return nil
	}
	for _, d := range t.Templates() {
		if d.Tree != nil {
			if err := walk(d.Tree.Root); err != nil {
				return err
			}
		}
	}
	return nil
}

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

// error answers with the status of err's code and a safe message; details
// go to the log, which holds no personal data.
func (s *Server) error(w http.ResponseWriter, r *http.Request, err error) {
	code := amparo.ErrorCode(err)
	status := statusOf(code)
	lang := s.language(w, r)
	var se *statusError
	detail := ""
	if errors.As(err, &se) {
		code, status, detail = se.code, se.status, s.msgText(lang, se.msg)
	} else if code == amparo.EINTERNAL {
		s.Logger.ErrorContext(r.Context(), "request failed", "method", r.Method, "route", r.Pattern, "err", err)
	} else if _, keyed := amparo.ErrorMsg(err); keyed || lang == "en" {
		// The reader's words for what went wrong, and what the store said
		// when it says it in the catalog's words (else, in English, only to
		// an English reader); never for a failure inside the server.
		detail = s.errorText(lang, err)
	}
	if s.pages["error"] == nil {
		http.Error(w, s.Catalog.T(lang, "error."+code), status)
		return
	}
	s.render(w, r, "error", status, map[string]any{"Code": code, "Detail": detail, "SignedIn": sessionFrom(r.Context()) != nil})
}

// statusOf maps error codes to HTTP statuses, in one place.
func statusOf(code string) int {
	switch code {
	case amparo.ECONFLICT:
		return http.StatusConflict
	case amparo.EINVALID:
		return http.StatusBadRequest
	case amparo.ENOTFOUND:
		return http.StatusNotFound
	case amparo.EUNAUTHORIZED:
		return http.StatusUnauthorized
	case amparo.EFORBIDDEN:
		return http.StatusForbidden
	}
	return http.StatusInternalServerError
}

func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", "default-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		if overHTTPS(r) {
			h.Set("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
		}
		next.ServeHTTP(w, r)
	})
}

// uploadRoutes are the routes whose form uploads a file (multipart).
var uploadRoutes = map[string]bool{"POST /applicants/import": true}

// maxForm bounds every posted form, maxUpload every uploaded file.
const (
	maxForm   = 64 << 10
	maxUpload = 32 << 20
)

// formGuard parses every posted form once, refusing one that is too large
// or holds bytes that are not UTF-8 text, before any handler sees it.
func (s *Server) formGuard(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			next.ServeHTTP(w, r)
			return
		}
		if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
			// A file upload, only where a page uploads one: its route
			// signs the person in before its handler reads the body,
			// within maxUpload. Anywhere else a multipart body would
			// escape the form's bound and its UTF-8 check.
			if _, pattern := s.mux.Handler(r); !uploadRoutes[pattern] {
				s.error(w, r, failWith(http.StatusUnsupportedMediaType, amparo.EINVALID, "form.malformed"))
				return
			}
			r.Body = http.MaxBytesReader(w, r.Body, maxUpload)
			next.ServeHTTP(w, r)
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, maxForm)
		if err := r.ParseForm(); err != nil {
			var tooBig *http.MaxBytesError
			if errors.As(err, &tooBig) {
				s.error(w, r, failWith(http.StatusRequestEntityTooLarge, amparo.EINVALID, "form.too_large"))
			} else {
				s.error(w, r, failWith(http.StatusBadRequest, amparo.EINVALID, "form.malformed"))
			}
			return
		}
		for k, vs := range r.PostForm {
			for _, v := range append(vs, k) {
				if !utf8.ValidString(v) {
					s.error(w, r, failWith(http.StatusBadRequest, amparo.EINVALID, "form.not_utf8"))
					return
				}
			}
		}
		next.ServeHTTP(w, r)
	})
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}

// logRequests logs method, path, status and duration: never the query
// string or a body, which may hold a name someone searched for.
func (s *Server) logRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		route := new(string)
		id := amparo.NewID()[:16]
		w.Header().Set("X-Request-ID", id)
		ctx := context.WithValue(context.WithValue(r.Context(), routeKey{}, route), requestIDKey{}, id)
		next.ServeHTTP(sw, r.WithContext(ctx))
		if *route == "" {
			*route = "unmatched"
		}
		s.Logger.InfoContext(ctx, "request", "method", r.Method, "route", *route, "status", sw.status, "duration", time.Since(start))
		s.metrics.observe(*route, r.Method, sw.status, start)
	})
}

// requestIDKey holds a request's ID in its context: every line the
// request logs carries it (withRequestID), and its answer too
// (X-Request-ID), so an operator finds one request's lines together.
type requestIDKey struct{}

// withRequestID adds, to each record logged with a request's context, the
// request's ID.
type withRequestID struct{ slog.Handler }

func (h withRequestID) Handle(ctx context.Context, r slog.Record) error {
	if id, ok := ctx.Value(requestIDKey{}).(string); ok {
		r.AddAttrs(slog.String("request", id))
	}
	return h.Handler.Handle(ctx, r)
}

func (h withRequestID) WithAttrs(as []slog.Attr) slog.Handler {
	return withRequestID{h.Handler.WithAttrs(as)}
}

func (h withRequestID) WithGroup(name string) slog.Handler {
	return withRequestID{h.Handler.WithGroup(name)}
}

// routeKey holds, in a request's context, where routed writes the pattern
// that served it.
type routeKey struct{}

// routed records the pattern of the route that served a request (such as
// "GET /p/{token}"), for the log: paths hold secrets (a phone link's
// token, an invitation's) and record IDs, patterns never do.
func routed(mux *http.ServeMux) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mux.ServeHTTP(w, r) // sets r.Pattern
		if route, ok := r.Context().Value(routeKey{}).(*string); ok {
			*route = r.Pattern
		}
	})
}

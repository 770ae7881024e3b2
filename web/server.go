package web

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"maps"
	"net/http"
	"reflect"
	"strings"
	"sync"
	"text/template/parse"
	"time"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/auth"
	"github.com/amparo-project/amparo/document"
	"github.com/amparo-project/amparo/fund"
	"github.com/amparo-project/amparo/intake"
	"github.com/amparo-project/amparo/locale"
	"github.com/amparo-project/amparo/report"
	"github.com/amparo-project/amparo/screening"
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
	// Workshops keeps know-your-rights workshops, their registrations
	// and check-ins.
	Workshops amparo.WorkshopService
	// Vendors keeps an organization's vendors and their affidavits;
	// Screening screens them against the border-wall registry.
	Vendors   amparo.VendorService
	Screening *screening.Service
	// Alerts keeps response plans and alerts: the phone page's button,
	// the staff's alerts page.
	Alerts amparo.AlertService
	// Fund keeps the defense fund: sources, grants, cases, costs,
	// outcomes and the ledger.
	Fund amparo.FundService
	// Reports counts the council's reports and keeps their releases.
	Reports amparo.ReportService
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
	// Webhooks answer the SMS gateway; unset, they are not served.
	Webhooks Webhooks `web:"optional"`
}

// Server serves every page. Make it with NewServer.
type Server struct {
	Services
	// intake runs the queue, match proposals and decisions, and policy
	// changes; signIn runs signing in. Handlers make one call to them.
	intake  *intake.Service
	signins *auth.SignIn
	// fundGrant reads a grant's page.
	fundGrant *fund.Pages
	reports   *report.Service
	metrics   *metrics

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
			Organizations: svc.Organizations, Programs: svc.Programs, Conflicts: svc.Conflicts, Letters: svc.Letters, Workshops: svc.Workshops},
		signins:   &auth.SignIn{Accounts: svc.Accounts, Hasher: svc.Hasher, Limiter: svc.Limiter, Devices: &auth.Devices{MAC: svc.MAC}, Logger: svc.Logger},
		reports:   &report.Service{Store: svc.Reports, Programs: svc.Programs},
		fundGrant: &fund.Pages{Fund: svc.Fund, Organizations: svc.Organizations}}
	var err error
	if s.metrics, err = newMetrics(svc.Metrics); err != nil {
		return nil, err
	}
	pages, err := parsePages()
	if err != nil {
		return nil, err
	}
	s.pages = maps.Clone(pages)
	return s, nil
}

// parsePages parses every page with the layout, once per process: the
// templates are read-only once parsed, so every server shares them.
var parsePages = sync.OnceValues(func() (map[string]*template.Template, error) {
	names, err := fs.Glob(templateFiles, "templates/*.html")
	if err != nil {
		return nil, err
	}
	pages := map[string]*template.Template{}
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
		pages[name[len("templates/"):len(name)-len(".html")]] = t
	}
	return pages, nil
})

// catchAll is the pattern of every address no other route serves: the
// log calls it "unmatched", and a language link never leads there.
const catchAll = "/"

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
	// Any other address: the error page, in the layout and the reader's
	// language, not the mux's line of plain text.
	mux.HandleFunc(catchAll, func(w http.ResponseWriter, r *http.Request) {
		s.error(w, r, amparo.Errorf(amparo.ENOTFOUND, "No such page."))
	})
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
	s.workshopRoutes(mux)
	s.screeningRoutes(mux)
	s.alertRoutes(mux)
	s.fundRoutes(mux)
	s.eventRoutes(mux)
	s.reportRoutes(mux)
	s.hookRoutes(mux)
	s.routes = mux.list
	// Every state-changing request must come from our own pages.
	csrf := http.NewCrossOriginProtection()
	return s.behindProxy(s.logRequests(securityHeaders(csrf.Handler(s.formGuard(s.withSession(routed(mux.mux))))))), nil
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

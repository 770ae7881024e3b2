package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/auth"
	"github.com/amparo-project/amparo/demo"
	"github.com/amparo-project/amparo/document"
	"github.com/amparo-project/amparo/locale"
	"github.com/amparo-project/amparo/screening"
	"github.com/amparo-project/amparo/web"
)

func runServe(ctx context.Context, m *Main, args []string) error {
	fs := m.flags("serve")
	m.dataFlags(fs)
	m.addrFlag(fs)
	m.deployFlags(fs)
	m.messagingFlags(fs)
	if err := m.parse(fs, args); err != nil {
		return err
	}
	d, tc, err := m.deployment()
	if err != nil {
		return err
	}
	m.deploy, m.tls = d, tc
	if _, err := m.jobLease(); err != nil {
		return err
	}
	if m.messaging, err = m.messagingSetup(d); err != nil {
		return err
	}
	if err := m.open(ctx); err != nil {
		return err
	}
	if err := m.reapplyErasures(ctx); err != nil {
		return err
	}
	if err := m.usePublicURL(ctx, d); err != nil {
		return err
	}
	ln, err := m.listen()
	if err != nil {
		return err
	}
	return m.serve(ctx, ln, func(url string) {
		fmt.Fprintf(m.Stdout, "Amparo is serving on %s\n", url)
	})
}

func runDemo(ctx context.Context, m *Main, args []string) error {
	fs := m.flags("demo")
	m.addrFlag(fs)
	fs.StringVar(&m.Config.Data, "data", "", "data `folder` to keep the demo in (default: a temporary folder, removed at exit)")
	if err := m.parse(fs, args); err != nil {
		return err
	}
	if m.Config.Data == "" {
		dir, err := os.MkdirTemp("", "amparo-demo-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		m.Config.Data = dir
	}
	m.Config.DB = "" // the demo always runs on SQLite in its data folder
	if err := m.open(ctx); err != nil {
		return err
	}
	ln, err := m.listen()
	if err != nil {
		return err
	}
	system := amparo.NewContextWithActor(ctx, amparo.SystemActor)
	if _, n, err := m.DB.FindOrganizations(system, amparo.OrganizationFilter{Limit: 1}); err != nil {
		return err
	} else if n > 0 {
		fmt.Fprintf(m.Stdout, "The demo data folder %s is already seeded.\n", m.Config.Data)
	} else {
		now := time.Now()
		cat, err := locale.Load()
		if err != nil {
			return err
		}
		m.alertMessages(cat) // the demo's alert is messaged
		sum, err := demo.Seed(ctx, m.DB, "http://"+ln.Addr().String()+"/v", now, func(t time.Time) { m.DB.Now = func() time.Time { return t } })
		m.DB.Now = time.Now
		if err != nil {
			return fmt.Errorf("seeding: %w", err)
		}
		fmt.Fprintf(m.Stdout, "Seeded a fictional program in %s: %d organizations, %d members, %d clients; letters: %d active, %d draft, %d revoked, %d expired, %d superseded; %d client erased (listed in %s).\n",
			m.Config.Data, sum.Organizations, sum.Members, sum.Clients, sum.Letters[amparo.LetterActive], sum.Letters[amparo.LetterDraft],
			sum.Letters[amparo.LetterRevoked], sum.Letters[amparo.LetterExpired], sum.Letters[amparo.LetterSuperseded], sum.Erased, m.Config.ErasureLog)
		fmt.Fprintf(m.Stdout, "Workshops: %d, past and upcoming, with registrations; the public page is http://%s/events\n", sum.Workshops, ln.Addr().String())
		fmt.Fprintf(m.Stdout, "Alerts: %d resolved, with its timeline (amparo alerts list; /alerts when signed in); the demo has no SMS, voice or e-mail provider, so its messages are not sent and the log says so (docs/deploy.md sets one up)\n", sum.Alerts)
		fmt.Fprintf(m.Stdout, "The council's report for %s: released and approved; the public page is http://%s/reports/%s\n", sum.Report, ln.Addr().String(), sum.Report)
		fmt.Fprintf(m.Stdout, "Defense fund: %d funded cases under the city's and the county's grants (/fund, as the fund officer below)\n", sum.FundedCases)
		fmt.Fprintf(m.Stdout, "Screening: the starter border-wall registry (version %d); a vendor screened, a false positive decided and reused: http://%s/vendors/%s (as the procurement officer below)\n",
			sum.RegistryVersion, ln.Addr().String(), sum.Vendor)
		if err := m.demoSignIns(system, sum, ln.Addr().String()); err != nil {
			return err
		}
		for _, try := range []struct{ what, id string }{{"a valid letter", sum.ValidLetter}, {"a revoked letter", sum.RevokedLetter}} {
			l, err := m.DB.FindLetterByID(system, try.id)
			if err != nil {
				return err
			}
			fmt.Fprintf(m.Stdout, "QR text of %s (try amparo verify, or open it once the server runs):\n  %s\n", try.what, l.QR)
		}
	}
	return m.serve(ctx, ln, func(url string) {
		fmt.Fprintf(m.Stdout, "Amparo demo: open %s\n", url)
		fmt.Fprintln(m.Stdout, "Every person in it is fictional.")
		fmt.Fprintln(m.Stdout, "Press Ctrl+C to stop.")
	})
}

// intakeLimits are the public intake form's: rate limits live in package
// auth, with the one Limiter type.
var intakeLimits = auth.IntakeLimiterConfig

// serveTimeouts bound how long a slow client holds a connection: its
// headers 10 seconds, its whole request (an upload included) a minute,
// the answer two minutes, an idle kept-alive connection two minutes. A
// test shortens them to see a slow body cut off.
var serveTimeouts = struct{ Header, Request, Answer, Idle time.Duration }{
	10 * time.Second, time.Minute, 2 * time.Minute, 2 * time.Minute}

// demoPassword is the demo accounts' password: the demo is for trying, on
// 127.0.0.1, with fictional people only.
const demoPassword = "ejemplo de carta segura"

// demoSignIns lets the demo's staff sign in with the printed password and
// a TOTP key: an organization admin, made through the same invitation a
// real one gets; the first attorney, to approve the letters that await
// them (only they can); and the program office and the fund and
// procurement officers the seed made. The password is hashed once: argon2
// is slow by design.
func (m *Main) demoSignIns(ctx context.Context, sum *demo.Summary, addr string) error {
	h, err := auth.NewHasher(auth.DefaultParams, 0)
	if err != nil {
		return err
	}
	hash, err := h.Hash(ctx, demoPassword)
	if err != nil {
		return err
	}
	inv := &amparo.Invitation{Email: "admin@centro-ejemplo.example", Role: amparo.RoleOrgAdmin, OrganizationID: sum.Organization}
	if err := m.DB.CreateInvitation(ctx, inv); err != nil {
		return err
	}
	a, err := m.DB.AcceptInvitation(ctx, inv.Token, "Coordinación Ejemplo", hash)
	if err != nil {
		return err
	}
	secret, code, err := m.demoSecondFactor(ctx, a)
	if err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "Sign in at http://%s/signin as %s with the password %q;\n  second step: add the key %s to an authenticator app, or use the recovery code %s.\n",
		addr, a.Email, demoPassword, secret, code)
	for _, o := range []struct {
		a    *amparo.Account
		what string
	}{
		{sum.Attorney, fmt.Sprintf("approve letters as the attorney %s (member %s)", sum.Attorney.Name, sum.AttorneyMember)},
		{sum.ProgramOffice, "see the program's dashboard as its office"},
		{sum.FundOfficer, "keep the defense fund (grants, cases, costs, compliance) as its officer"},
		{sum.Procurement, "screen the first organization's vendors as its procurement officer"},
	} {
		if err := m.DB.SetPasswordHash(ctx, o.a.ID, hash); err != nil {
			return err
		}
		if secret, code, err = m.demoSecondFactor(ctx, o.a); err != nil {
			return err
		}
		fmt.Fprintf(m.Stdout, "To %s, sign in at http://%s/signin as %s with the same password;\n  second step: the key %s, or the recovery code %s.\n",
			o.what, addr, o.a.Email, secret, code)
	}
	return nil
}

// demoSecondFactor turns on an account's second factor, returning its key
// and one recovery code to print.
func (m *Main) demoSecondFactor(ctx context.Context, a *amparo.Account) (secret, code string, err error) {
	e, err := auth.NewTOTP("Amparo", a.Email)
	if err != nil {
		return "", "", err
	}
	codes, hashes := auth.NewRecoveryCodes(10)
	if err := m.DB.SetTOTP(ctx, a.ID, e.Secret, hashes); err != nil {
		return "", "", err
	}
	return e.Secret, codes[0], nil
}

// listen opens the server's address before anything is served, so the
// demo can print its own verify URL.
func (m *Main) listen() (net.Listener, error) {
	ln, err := net.Listen("tcp", m.Config.Addr)
	if err != nil {
		return nil, fmt.Errorf("cannot listen on %s: %v (is another server using it? choose another with --addr)", m.Config.Addr, errors.Unwrap(err))
	}
	return ln, nil
}

// serve serves on ln, tells the URL, and shuts down gracefully when ctx
// ends (SIGINT or SIGTERM).
func (m *Main) serve(ctx context.Context, ln net.Listener, ready func(url string)) error {
	cat, err := locale.Load()
	if err != nil {
		return err
	}
	hasher, err := auth.NewHasher(auth.DefaultParams, 0)
	if err != nil {
		return err
	}
	alerts, err := m.alertWorkflow(cat)
	if err != nil {
		return err
	}
	runner, err := m.runner()
	if err != nil {
		return err
	}
	reg := m.metrics()
	if m.Config.MetricsAddr != "" {
		if err := m.serveMetrics(ctx, m.Config.MetricsAddr, reg); err != nil {
			return fmt.Errorf("--metrics-addr %s: %w", m.Config.MetricsAddr, err)
		}
	}
	svc := web.Services{Programs: m.DB, Organizations: m.DB, DB: m.DB, Trust: m.DB, Phones: m.DB, MAC: m.Keyring.MAC,
		Accounts: m.DB, Clients: m.DB, Members: m.DB, Audit: m.DB, Applicants: m.DB, Policies: m.DB, Conflicts: m.DB, IntakeLimiter: auth.NewSharedLimiter(m.DB, intakeLimits), IntakeKeySecret: m.intakeKeySecret(), Letters: m.DB, Workshops: m.DB, Vendors: m.DB, Screening: screening.NewService(m.DB, m.DB, m.DB, m.DB), Alerts: m.DB, Fund: m.DB, Reports: m.DB, Documents: m.DB, Renderer: document.New(cat), Hasher: hasher, Limiter: auth.NewSharedLimiter(m.DB, auth.DefaultLimiterConfig),
		Catalog: cat, Logger: m.Logger, Metrics: reg, Deployment: m.deploy}
	m.useMessaging(cat, &svc)
	m.useAlerts(alerts, runner, &svc)
	runner.Handlers[amparo.JobScreenFile] = svc.Screening.FileJob // a vendor file's screening, taken by any process
	s, err := web.NewServer(svc)
	if err != nil {
		return err
	}
	h, err := s.Handler()
	if err != nil {
		return err
	}
	to := serveTimeouts
	srv := &http.Server{Handler: h, ReadHeaderTimeout: to.Header, ReadTimeout: to.Request, WriteTimeout: to.Answer, IdleTimeout: to.Idle}
	errc := make(chan error, 1)
	scheme := "http"
	if m.tls != nil {
		srv.TLSConfig, scheme = m.tls, "https"
		go func() { errc <- srv.ServeTLS(ln, "", "") }()
	} else {
		go func() { errc <- srv.Serve(ln) }()
	}
	// A job committed here or, on PostgreSQL, in any process (a message
	// to send) runs now, not at the next poll.
	m.DB.JobEnqueued = runner.Wake
	go m.DB.ListenJobs(ctx, runner.Wake)
	// On SIGTERM the job in hand finishes, or records that it did not, so
	// that another process retries it at once, not after its lease.
	ran := make(chan struct{})
	go func() { runner.Run(ctx); close(ran) }()
	ready(scheme + "://" + ln.Addr().String() + "/")
	m.Logger.Info("serving", "addr", ln.Addr().String(), "db", m.DB.Dialect())

	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	m.Logger.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err = srv.Shutdown(shutdownCtx)
	select {
	case <-ran:
	case <-shutdownCtx.Done():
	}
	return err
}

func runMigrate(ctx context.Context, m *Main, args []string) error {
	fs := m.flags("migrate")
	m.dataFlags(fs)
	if err := m.parse(fs, args); err != nil {
		return err
	}
	if err := m.open(ctx); err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "The %s database is up to date.\n", m.DB.Dialect())
	return nil
}

func runVersion(ctx context.Context, m *Main, args []string) error {
	if err := m.parse(m.flags("version"), args); err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "amparo %s\n", amparo.Version)
	return nil
}

package web_test

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/jobs"
	"github.com/amparo-project/amparo/screening"
	"github.com/amparo-project/amparo/sqldb"
	"github.com/amparo-project/amparo/web"
)

// heldVendors is the store, whose look-up of the vendors' affidavits (the
// first step of a file's screening in the background) waits until the
// test lets it go: so the run's page is seen while it runs.
type heldVendors struct {
	*sqldb.DB
	gate chan struct{}
}

func (h heldVendors) VendorDeclarations(ctx context.Context, orgID string) ([]*amparo.VendorDeclaration, error) {
	<-h.gate
	return h.DB.VendorDeclarations(ctx, orgID)
}

// screeningWorld is a world whose file screenings wait for gate, with a
// registry company that has border-wall work and a solicitation through
// which that company declared none. The companies are fictional.
func screeningWorld(t *testing.T) (*accountWorld, chan struct{}, *amparo.Solicitation) {
	t.Helper()
	gate := make(chan struct{})
	w := newAccountWorld(t, func(s *web.Services, db *sqldb.DB) {
		s.Screening = screening.NewService(heldVendors{db, gate}, db, db, db)
	})
	admin := amparo.NewContextWithActor(t.Context(), amparo.Actor{ID: "pa", Role: amparo.RoleProgramAdmin})
	src := amparo.RegistrySource{Document: "Example County Gazette", Retrieved: amparo.MustDate("2025-01-02")}
	if _, err := w.db.ApplyRegistryChange(admin, &amparo.RegistryChange{Reason: "test compilation",
		PutEntities: []*amparo.RegistryEntity{{ID: "zephyrine-barrier", Kind: amparo.RegistryCompany,
			Names:       []amparo.RegistryName{{Kind: amparo.RegistryNamePrimary, Name: "Zephyrine Barrier Builders LLC"}},
			Identifiers: []amparo.RegistryIdentifier{{Kind: amparo.RegistryUEI, Value: "ZPHR5678EFGH"}}, Source: src}},
		PutInvolvements: []*amparo.RegistryInvolvement{{ID: "i1", EntityID: "zephyrine-barrier", Agency: "USACE", Project: "Example barrier segment",
			Role: amparo.RegistryPrime, AwardDate: amparo.MustDate("2019-05-01"), Status: amparo.AwardAwarded, Source: src}},
	}); err != nil {
		t.Fatal(err)
	}
	sol := &amparo.Solicitation{OrganizationID: w.org.ID, Title: "Licitación de cercas de ejemplo"}
	if err := w.db.CreateSolicitation(system, sol); err != nil {
		t.Fatal(err)
	}
	runFileJobs(t, w.db, w.srv.Screening)
	return w, gate, sol
}

// runFileJobs runs the jobs that screen vendor files, as a server process
// does, until the test ends: jobs are claimed from the database, so the
// runner may be another "process" than the server that took the upload.
func runFileJobs(t *testing.T, db *sqldb.DB, svc *screening.Service) {
	t.Helper()
	r := &jobs.Runner{Store: db, Worker: "test-" + amparo.NewID()[:6], Poll: 20 * time.Millisecond,
		Handlers: map[string]jobs.Handler{amparo.JobScreenFile: svc.FileJob}}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { r.Run(ctx); close(done) }()
	t.Cleanup(func() {
		cancel()
		select {
		case <-done:
		case <-time.After(5 * time.Second): // a job held by a test's gate
		}
	})
}

// TestVendors_FileRun: a vendor file is screened in the background. While
// it runs, its page shows the progress and refreshes itself (no
// JavaScript needed), its status answers the page's script, and its
// results cannot be downloaded yet; another officer cannot see it. Done,
// the page shows the contradiction of a vendor's affidavit with the
// registry, in Spanish, and the results CSV has it, formulas neutralized.
func TestVendors_FileRun(t *testing.T) {
	t.Parallel()
	w, gate, sol := screeningWorld(t)
	a := &amparo.Affidavit{Vendor: amparo.Vendor{Name: "Zephyrine Barrier Builders", Identifiers: []amparo.RegistryIdentifier{{Kind: amparo.RegistryUEI, Value: "ZPHR5678EFGH"}}},
		SignerName: "Bruno Ejemplo Ficticio", SignerTitle: "Gerente", Attestation: "Bruno Ejemplo Ficticio"}
	if err := w.db.SubmitAffidavit(amparo.NewContextWithActor(t.Context(), amparo.VisitorActor), sol.Token, a); err != nil {
		t.Fatal(err)
	}
	b := w.signedInAs(t, amparo.RoleProcurement, w.org.ID)
	file := []byte("name,uei\n\"ZEPHYRINE BARRIER BUILDERS, L.L.C.\",ZPHR5678EFGH\n=1+2 Ejemplo,\nEjemplo Panadería Ficticia,\n")
	res, body := uploadCSV(b, "/vendors/upload?lang=es", url.Values{}, file)
	run := res.Header.Get("Location")
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(run, "/vendor-files/") {
		t.Fatalf("upload: %d %q\n%s", res.StatusCode, run, body)
	}

	res, body = b.get(run + "?lang=es")
	for _, want := range []string{`<progress id="run-progress" max="3" value="0"`, "0 de 3 proveedores revisados", `<meta http-equiv="refresh"`, "screening-run.js"} {
		if res.StatusCode != http.StatusOK || !strings.Contains(body, want) {
			t.Fatalf("the run's page while it runs has no %q: %d\n%s", want, res.StatusCode, body)
		}
	}
	if res.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("Cache-Control %q", res.Header.Get("Cache-Control"))
	}
	res, body = b.get(run + "/status?lang=es")
	var st struct {
		Done, Total int
		Finished    bool
		Text        string
	}
	if err := json.Unmarshal([]byte(body), &st); err != nil || res.StatusCode != http.StatusOK || st.Total != 3 || st.Finished || st.Text != "0 de 3 proveedores revisados." {
		t.Fatalf("status: %d %+v %v", res.StatusCode, st, err)
	}
	if res, _ := b.get(run + "/results.csv"); res.StatusCode != http.StatusConflict {
		t.Fatalf("results of a run not done: %d", res.StatusCode)
	}
	other := w.signedInAs(t, amparo.RoleProcurement, w.org.ID)
	if res, _ := other.get(run); res.StatusCode != http.StatusNotFound {
		t.Fatalf("another officer's run: %d", res.StatusCode)
	}

	close(gate)
	for i := 0; i < 200 && !strings.Contains(body, "screened-count"); i++ {
		time.Sleep(50 * time.Millisecond)
		res, body = b.get(run + "?lang=es")
	}
	for _, want := range []string{"3 proveedores revisados", "La declaración jurada dice que no hay trabajo en el muro fronterizo", "USACE", "No presentó declaración jurada", "results.csv"} {
		if res.StatusCode != http.StatusOK || !strings.Contains(body, want) {
			t.Fatalf("the run's page when done has no %q: %d\n%s", want, res.StatusCode, body)
		}
	}
	if strings.Contains(body, `http-equiv="refresh"`) {
		t.Error("the page still refreshes itself when the run is done")
	}

	res, body = b.get(run + "/results.csv?lang=es")
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/csv") {
		t.Fatalf("results: %d %q", res.StatusCode, res.Header.Get("Content-Type"))
	}
	rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(body, "\ufeff"))).ReadAll()
	if err != nil || len(rows) < 4 || strings.Join(rows[0], ",") != strings.Join(screening.ResultColumns, ",") {
		t.Fatalf("results: %v %v", rows, err)
	}
	found := false
	for _, row := range rows[1:] {
		if strings.HasPrefix(row[0], "=") {
			t.Errorf("a formula left live: %q", row[0])
		}
		if row[2] == "zephyrine-barrier" && row[8] == "none" && strings.Contains(row[9], "no hay trabajo en el muro fronterizo") {
			found = true
		}
	}
	if !found {
		t.Errorf("the contradiction is not in the results: %v", rows)
	}
}

// TestVendors_Edit: an officer edits a vendor; a UEI of the wrong length
// is refused, naming the field in Spanish, and nothing is changed.
func TestVendors_Edit(t *testing.T) {
	t.Parallel()
	w := newAccountWorld(t)
	b := w.signedInAs(t, amparo.RoleProcurement, w.org.ID)
	v := &amparo.Vendor{OrganizationID: w.org.ID, Name: "Ejemplo Ferretería Ficticia"}
	if err := w.db.CreateVendor(system, v); err != nil {
		t.Fatal(err)
	}
	if res, body := b.get("/vendors/" + v.ID + "/edit?lang=es"); res.StatusCode != http.StatusOK || !strings.Contains(body, `value="Ejemplo Ferretería Ficticia"`) {
		t.Fatalf("the edit page: %d\n%s", res.StatusCode, body)
	}
	res, body := b.post("/vendors/"+v.ID+"/edit?lang=es", url.Values{"name": {"Ejemplo Ferretería Ficticia SA"}, "uei": {"ABC123"}})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "«ABC123» no es un UEI") || !strings.Contains(body, `id="uei-error"`) {
		t.Fatalf("a bad UEI: %d\n%s", res.StatusCode, body)
	}
	if got, _ := w.db.FindVendorByID(system, v.ID); got.Name != "Ejemplo Ferretería Ficticia" {
		t.Fatalf("a refused edit changed the vendor: %+v", got)
	}
	res, _ = b.post("/vendors/"+v.ID+"/edit?lang=es", url.Values{"name": {"Ejemplo Ferretería Ficticia SA"}, "uei": {"exmp1234abcd"}, "aliases": {"Ferretería Ejemplo\n\n"}})
	wantRedirect(t, res, "/vendors/"+v.ID)
	if got, _ := w.db.FindVendorByID(system, v.ID); got.Name != "Ejemplo Ferretería Ficticia SA" || got.Identifier(amparo.RegistryUEI) != "EXMP1234ABCD" || len(got.Aliases) != 1 {
		t.Fatalf("after the edit: %+v", got)
	}
}

// TestVendors_Solicitations: the list shows each solicitation's link and
// how many affidavits came in.
func TestVendors_Solicitations(t *testing.T) {
	t.Parallel()
	w, _, sol := screeningWorld(t)
	b := w.signedInAs(t, amparo.RoleProcurement, w.org.ID)
	if res, body := b.get("/vendors/solicitations?lang=es"); res.StatusCode != http.StatusOK || !strings.Contains(body, "/affidavit/"+sol.Token) ||
		!strings.Contains(body, `class="affidavits">0<`) {
		t.Fatalf("the list: %d\n%s", res.StatusCode, body)
	}
	res, body := b.post("/vendors/solicitations?lang=es", url.Values{"title": {"Licitación de banquetas de ejemplo"}})
	if res.StatusCode != http.StatusOK || !strings.Contains(body, "affidavit-link") {
		t.Fatalf("a new solicitation: %d\n%s", res.StatusCode, body)
	}
	if _, body := b.get("/vendors/solicitations?lang=es"); strings.Count(body, `class="affidavit-link"`) != 2 || !strings.Contains(body, "Licitación de banquetas de ejemplo") {
		t.Fatalf("the list after a new one:\n%s", body)
	}
	// Served over plain HTTP on 127.0.0.1 (as the demo is), the link a
	// vendor is sent says http, not https.
	req, _ := http.NewRequest("GET", w.ts.URL+"/vendors/solicitations", nil)
	req.AddCookie(&http.Cookie{Name: "__Host-session", Value: b.session()})
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if body := readAll(res); !strings.Contains(body, ">"+w.ts.URL+"/affidavit/"+sol.Token+"<") {
		t.Errorf("over http, the affidavit link is not %s/affidavit/…:\n%s", w.ts.URL, body)
	}
}

// TestVendors_FileRunAcrossServers: two server processes on one database,
// as behind a proxy: a vendor file uploaded to one is screened by the
// other's job runner, and its page, status and results are answered by
// either; a server started afterwards (a restart) answers them too.
func TestVendors_FileRunAcrossServers(t *testing.T) {
	t.Parallel()
	db, k := openStore(t)
	org := &amparo.Organization{Name: "Centro Legal Ejemplo", Kind: amparo.OrgNonprofit, Languages: []string{"en", "es"}}
	if err := db.CreateOrganization(system, org); err != nil {
		t.Fatal(err)
	}
	srvA, hA := newTestServer(t, db, k)
	srvB, hB := newTestServer(t, db, k)
	tsA, tsB := httptest.NewTLSServer(hA), httptest.NewTLSServer(hB)
	t.Cleanup(tsA.Close)
	t.Cleanup(tsB.Close)
	runFileJobs(t, db, srvB.Screening) // only B's process runs jobs
	w := &accountWorld{db: db, org: org, log: &strings.Builder{}, srv: srvA, tls: tsA}
	a := w.signedInAs(t, amparo.RoleProcurement, org.ID)
	on := func(ts *httptest.Server) *browser { // the same officer, through another server
		c := *a.c
		c.Transport = ts.Client().Transport
		return &browser{t: t, jar: a.jar, url: ts.URL, c: &c}
	}
	b := on(tsB)

	file := []byte("name,uei\nEjemplo Ferretería Ficticia,\nEjemplo Carpintería Imaginaria,\n")
	res, body := uploadCSV(a, "/vendors/upload?lang=es", url.Values{}, file)
	run := res.Header.Get("Location")
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(run, "/vendor-files/") {
		t.Fatalf("upload to A: %d %q\n%s", res.StatusCode, run, body)
	}
	var st struct {
		Done, Total int
		Finished    bool
	}
	for i := 0; i < 200 && !st.Finished; i++ {
		if i > 0 {
			time.Sleep(50 * time.Millisecond)
		}
		res, body = b.get(run + "/status")
		if res.StatusCode != http.StatusOK {
			t.Fatalf("status from B: %d\n%s", res.StatusCode, body)
		}
		if err := json.Unmarshal([]byte(body), &st); err != nil || st.Total != 2 {
			t.Fatalf("status from B: %+v %v", st, err)
		}
	}
	if !st.Finished || st.Done != 2 {
		t.Fatalf("the run did not finish: %+v", st)
	}
	_, h := newTestServer(t, db, k) // a server started after the run: a restart
	tsC := httptest.NewTLSServer(h)
	t.Cleanup(tsC.Close)
	for name, br := range map[string]*browser{"A": a, "B": b, "C": on(tsC)} {
		res, body := br.get(run + "?lang=es")
		if res.StatusCode != http.StatusOK || !strings.Contains(body, "2 proveedores revisados") || !strings.Contains(body, "Ejemplo Carpintería Imaginaria") {
			t.Fatalf("the run's page from %s: %d\n%s", name, res.StatusCode, body)
		}
		res, body = br.get(run + "/results.csv")
		if res.StatusCode != http.StatusOK || !strings.Contains(body, "Ejemplo Ferretería Ficticia") {
			t.Fatalf("the results from %s: %d\n%s", name, res.StatusCode, body)
		}
	}
	if res, _ := w.signedInAs(t, amparo.RoleProcurement, org.ID).get(run); res.StatusCode != http.StatusNotFound {
		t.Fatalf("another officer's run: %d", res.StatusCode)
	}
}

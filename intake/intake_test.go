package intake_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/intake"
	"github.com/amparo-project/amparo/internal/storetest"
	"github.com/amparo-project/amparo/sqldb"
)

var system = storetest.System

func store(tb testing.TB) (*sqldb.DB, context.Context, string) {
	tb.Helper()
	db, _ := storetest.OpenSQLite(tb)
	org := &amparo.Organization{Name: "Centro Legal Ejemplo", Kind: amparo.OrgNonprofit, Languages: []string{"en", "es"}}
	if err := db.CreateOrganization(system, org); err != nil {
		tb.Fatal(err)
	}
	return db, amparo.NewContextWithActor(context.Background(), amparo.Actor{ID: "intake", Role: amparo.RoleIntake, OrganizationID: org.ID}), org.ID
}

var secret = []byte("a fixed secret for the people's keys")

func importFile(t *testing.T, db *sqldb.DB, ctx context.Context, name string, opts intake.Options) *intake.Report {
	t.Helper()
	f, err := os.Open(filepath.Join("../csvimport/testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	opts.KeySecret = secret
	rep, err := intake.Import(ctx, db, f, opts)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func count(t *testing.T, db *sqldb.DB, ctx context.Context) int {
	_, n, err := db.FindApplicants(ctx, amparo.ApplicantFilter{})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestImport(t *testing.T) {
	db, ctx, _ := store(t)
	t.Run("AllOrNothing", func(t *testing.T) {
		rep := importFile(t, db, ctx, "bad_date.csv", intake.Options{})
		if len(rep.Errors) == 0 || rep.Stored || count(t, db, ctx) != 0 {
			t.Fatalf("a file with a bad row: %d errors, stored %v, %d applicants", len(rep.Errors), rep.Stored, count(t, db, ctx))
		}
	})
	t.Run("DryRun", func(t *testing.T) {
		rep := importFile(t, db, ctx, "crlf.csv", intake.Options{DryRun: true})
		if rep.Stored || len(rep.Rows) == 0 || count(t, db, ctx) != 0 {
			t.Fatalf("dry run: stored %v, %d rows", rep.Stored, len(rep.Rows))
		}
	})
	t.Run("Partial", func(t *testing.T) {
		rep := importFile(t, db, ctx, "bad_date.csv", intake.Options{Partial: true})
		if !rep.Stored || rep.Created != len(rep.Rows) || count(t, db, ctx) != len(rep.Rows) {
			t.Fatalf("partial: created %d of %d rows; %d stored", rep.Created, len(rep.Rows), count(t, db, ctx))
		}
	})
	t.Run("ReimportMakesNoDuplicates", func(t *testing.T) {
		before := count(t, db, ctx)
		rep := importFile(t, db, ctx, "bad_date.csv", intake.Options{Partial: true})
		if rep.Created != 0 || rep.Known != len(rep.Rows) || count(t, db, ctx) != before {
			t.Fatalf("re-import: created %d, known %d; %d → %d applicants", rep.Created, rep.Known, before, count(t, db, ctx))
		}
	})
	t.Run("FactsKept", func(t *testing.T) {
		as, _, _ := db.FindApplicants(ctx, amparo.ApplicantFilter{})
		if len(as) == 0 || as[0].LegalName == "" || as[0].Status != amparo.ApplicantNew || as[0].Language == "" {
			t.Fatalf("applicant %+v", as[0])
		}
	})
	t.Run("OtherOrganizationSeesNothing", func(t *testing.T) {
		other := amparo.NewContextWithActor(context.Background(), amparo.Actor{ID: "x", Role: amparo.RoleMember, OrganizationID: "other"})
		if as, n, _ := db.FindApplicants(other, amparo.ApplicantFilter{}); n != 0 || len(as) != 0 {
			t.Fatalf("another organization sees %d applicants", n)
		}
	})
}

// intakeCSV makes a valid file of n fictional people, each with a surname
// of their own.
func intakeCSV(n int) []byte {
	var b bytes.Buffer
	b.WriteString("legal_name,date_of_birth,preferred_language,immigration_situation,tps_country,facing_removal,next_hearing,address_line1\n")
	for i := range n {
		fmt.Fprintf(&b, "Ana Ejemplo Z%07d,19%02d-%02d-%02d,es,tps,SV,yes,,%d Placeholder St\n", i, 50+i%50, 1+i%12, 1+i%28, i%900+100)
	}
	return b.Bytes()
}

// BenchmarkImport100k imports a 100,000-row file, validated, into SQLite.
func BenchmarkImport100k(b *testing.B) {
	data := intakeCSV(100_000)
	for b.Loop() {
		b.StopTimer()
		db, ctx, _ := store(b)
		b.StartTimer()
		rep, err := intake.Import(ctx, db, bytes.NewReader(data), intake.Options{KeySecret: secret})
		if err != nil || rep.Created != 100_000 {
			b.Fatalf("created %d: %v (%d errors)", rep.Created, err, len(rep.Errors))
		}
	}
	b.ReportMetric(float64(100_000*b.N)/b.Elapsed().Seconds(), "rows/s")
}

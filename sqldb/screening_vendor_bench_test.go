package sqldb_test

import (
	"bytes"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/internal/storetest"
	"github.com/amparo-project/amparo/screening"
)

// benchWord is a fictional distinctive word made of syllables.
func benchWord(n int) string {
	syl := []string{"ka", "lo", "mi", "ru", "ta", "ve", "zo", "ni", "pa", "se", "do", "gu"}
	w := ""
	for range 3 {
		w += syl[n%len(syl)]
		n /= len(syl)
	}
	return string(w[0]-32) + w[1:]
}

// benchVendorsCSV is a vendor file of n fictional vendors: one in twenty
// is a registry company written another way (with its UEI every other
// time), the rest distinct names with generic words.
func benchVendorsCSV(n int) []byte {
	var b bytes.Buffer
	b.WriteString("name,uei,address\n")
	for i := range n {
		switch {
		case i%40 == 0:
			fmt.Fprintf(&b, "\"Example Builders %d, L.L.C.\",EXMPL%07d,1 Example Way\n", i%2000, i%2000)
		case i%20 == 0:
			fmt.Fprintf(&b, "Example Builders %d Limited Liability Company,,\n", i%2000)
		default:
			fmt.Fprintf(&b, "%s %s Construction Services Inc,,%d Example Street\n", benchWord(i), benchWord(i*7+3), i)
		}
	}
	return b.Bytes()
}

func benchScreening(b *testing.B) (*screening.Service, *amparo.Organization, func() *bytes.Reader) {
	db := MustOpenDB(b, "sqlite")
	if _, err := db.ApplyRegistryChange(as(amparo.RoleProgramAdmin, ""), benchRegistry(2000)); err != nil {
		b.Fatal(err)
	}
	org := storetest.MustCreateOrganization(b, db, "Example Procurement Office")
	return screening.NewService(db, db, db, db), org, nil
}

// BenchmarkScreenFile: a file of 10,000 vendors against a registry of
// 2,000 entities with 5 names each, on SQLite: read, stored, screened and
// every screening recorded (the index built once, before the timer).
func BenchmarkScreenFile(b *testing.B) {
	svc, org, _ := benchScreening(b)
	ctx := as(amparo.RoleProcurement, org.ID)
	if _, err := svc.ScreenFile(ctx, bytes.NewReader(benchVendorsCSV(1)), screening.ImportOptions{}, nil); err != nil {
		b.Fatal(err)
	}
	// 100 of the file's vendors filed an affidavit declaring no border-wall
	// work: their contradictions are looked for too.
	sol := &amparo.Solicitation{OrganizationID: org.ID, Title: "Example solicitation"}
	if err := svc.Vendors.CreateSolicitation(ctx, sol); err != nil {
		b.Fatal(err)
	}
	for i := range 100 {
		n := i * 40 % 2000
		a := &amparo.Affidavit{Vendor: amparo.Vendor{Name: fmt.Sprintf("Example Builders %d, L.L.C.", n),
			Identifiers: []amparo.RegistryIdentifier{{Kind: amparo.RegistryUEI, Value: fmt.Sprintf("EXMPL%07d", n)}}},
			SignerName: "Example Signer", SignerTitle: "Manager", Attestation: "Example Signer"}
		if err := svc.Vendors.SubmitAffidavit(as(amparo.RoleVisitor, ""), sol.Token, a); err != nil {
			b.Fatal(err)
		}
	}
	file := benchVendorsCSV(10_000)
	for b.Loop() {
		fr, err := svc.ScreenFile(ctx, bytes.NewReader(file), screening.ImportOptions{}, nil)
		if err != nil || len(fr.Reports) != 10_000 {
			b.Fatal(err)
		}
		hits, contradicted := 0, 0
		for _, r := range fr.Reports {
			if len(r.Outcome.Hits) > 0 {
				hits++
			}
			if len(r.Outcome.Hits) > 0 && len(r.Outcome.Hits[0].Contradictions) > 0 {
				contradicted++
			}
		}
		if hits < 250 { // the vendors with their UEI; the others share only generic words and a number
			b.Fatalf("%d vendors with hits, want at least 250", hits)
		}
		if contradicted < 100 { // the file's vendors with the UEI of a vendor that declared no work
			b.Fatalf("%d vendors with contradictions, want at least 100", contradicted)
		}
	}
}

// BenchmarkScreenVendor: one stored vendor screened and recorded, against
// the same registry; reports the 95th percentile.
func BenchmarkScreenVendor(b *testing.B) {
	svc, org, _ := benchScreening(b)
	ctx := as(amparo.RoleProcurement, org.ID)
	fr, err := svc.ScreenFile(ctx, bytes.NewReader(benchVendorsCSV(41)), screening.ImportOptions{}, nil)
	if err != nil {
		b.Fatal(err)
	}
	ids := []string{fr.Reports[40].Screening.VendorID, fr.Reports[7].Screening.VendorID}
	var took []time.Duration
	for i := 0; b.Loop(); i++ {
		start := time.Now()
		if _, err := svc.ScreenVendor(ctx, ids[i%2]); err != nil {
			b.Fatal(err)
		}
		took = append(took, time.Since(start))
	}
	slices.Sort(took)
	b.ReportMetric(float64(took[len(took)*95/100].Microseconds())/1000, "p95-ms")
}

package sqldb_test

import (
	"strings"
	"testing"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/internal/storetest"
	"github.com/amparo-project/amparo/screening"
	"github.com/amparo-project/amparo/sqldb"
)

// Fictional vendors and contractors only.

// TestVendorService_UpdateVendor: a vendor's names, identifiers and
// address are replaced and the change audited; a bad UEI is refused
// naming the field, the vendor unchanged; its earlier screening is kept as
// it was.
func TestVendorService_UpdateVendor(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, db *sqldb.DB) {
		org := storetest.MustCreateOrganization(t, db, "Example Procurement Office")
		officer := as(amparo.RoleProcurement, org.ID)
		v := &amparo.Vendor{Name: "Example Paving Co.", Address: "1 Example Way"}
		if err := db.CreateVendor(officer, v); err != nil {
			t.Fatal(err)
		}
		svc := screening.NewService(db, db, db, db)
		before, err := svc.ScreenVendor(officer, v.ID)
		if err != nil {
			t.Fatal(err)
		}
		t.Run("ErrBadUEI", func(t *testing.T) {
			err := db.UpdateVendor(officer, &amparo.Vendor{ID: v.ID, Name: "Example Paving Co.",
				Identifiers: []amparo.RegistryIdentifier{{Kind: amparo.RegistryUEI, Value: "EXMP123"}}})
			wantCode(t, err, amparo.EINVALID)
			if f := amparo.ErrorField(err); f != "uei" {
				t.Fatalf("field %q, want uei", f)
			}
			if got, _ := db.FindVendorByID(officer, v.ID); got.Name != "Example Paving Co." || len(got.Identifiers) != 0 {
				t.Fatalf("a refused change changed the vendor: %+v", got)
			}
		})
		t.Run("ErrAnotherOrganization", func(t *testing.T) {
			wantCode(t, db.UpdateVendor(as(amparo.RoleProcurement, "other"), &amparo.Vendor{ID: v.ID, Name: "X"}), amparo.ENOTFOUND)
		})
		nv := &amparo.Vendor{ID: v.ID, Name: "Example Paving Company", Aliases: []string{"EPC"}, Address: "2 Example Way",
			Identifiers: []amparo.RegistryIdentifier{{Kind: amparo.RegistryUEI, Value: "exmp1234abcd"}}}
		if err := db.UpdateVendor(officer, nv); err != nil {
			t.Fatal(err)
		}
		got, err := db.FindVendorByID(officer, v.ID)
		if err != nil || got.Name != "Example Paving Company" || got.Address != "2 Example Way" || got.Identifier(amparo.RegistryUEI) != "EXMP1234ABCD" ||
			len(got.Aliases) != 1 || got.OrganizationID != org.ID || !got.CreatedAt.Equal(v.CreatedAt) {
			t.Fatalf("after the change: %+v %v", got, err)
		}
		sc, err := db.LatestScreening(officer, v.ID)
		if err != nil || sc.ID != before.Screening.ID || sc.ResultHash != before.Screening.ResultHash || !strings.Contains(string(sc.Results), "Example Paving Co.") {
			t.Fatalf("the earlier screening: %+v %v", sc, err)
		}
		if ok, err := svc.Reproduce(officer, sc.ID); err != nil || !ok {
			t.Fatalf("the earlier screening no longer reproduces: %v %v", ok, err)
		}
		es, _, err := db.FindAuditEvents(as(amparo.RoleAuditor, ""), amparo.AuditFilter{Action: amparo.AuditVendorUpdate})
		if err != nil || len(es) != 1 || es[0].RecordID != v.ID {
			t.Fatalf("audit: %+v %v", es, err)
		}
	})
}

// TestVendorService_FindSolicitations: newest first, each with its link
// and how many affidavits came in through it; only the organization's.
func TestVendorService_FindSolicitations(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, db *sqldb.DB) {
		org := storetest.MustCreateOrganization(t, db, "Example Procurement Office")
		officer := as(amparo.RoleProcurement, org.ID)
		first := &amparo.Solicitation{Title: "Example road resurfacing, bid 2026-01"}
		second := &amparo.Solicitation{Title: "Example park fencing, bid 2026-02"}
		for _, s := range []*amparo.Solicitation{first, second} {
			if err := db.CreateSolicitation(officer, s); err != nil {
				t.Fatal(err)
			}
		}
		visitor := amparo.NewContextWithActor(t.Context(), amparo.VisitorActor)
		for _, name := range []string{"Example Paving Co.", "Example Fencing LLC"} {
			a := &amparo.Affidavit{Vendor: amparo.Vendor{Name: name}, SignerName: "Ana Ejemplo Ficticia", SignerTitle: "President", Attestation: "Ana Ejemplo Ficticia"}
			if err := db.SubmitAffidavit(visitor, second.Token, a); err != nil {
				t.Fatal(err)
			}
		}
		ss, err := db.FindSolicitations(officer, org.ID)
		if err != nil || len(ss) != 2 {
			t.Fatalf("solicitations: %+v %v", ss, err)
		}
		byID := map[string]*amparo.Solicitation{ss[0].ID: ss[0], ss[1].ID: ss[1]}
		if s := byID[second.ID]; s == nil || s.Token != second.Token || s.Affidavits != 2 || s.Title != second.Title {
			t.Errorf("the second: %+v", s)
		}
		if s := byID[first.ID]; s == nil || s.Token != first.Token || s.Affidavits != 0 {
			t.Errorf("the first: %+v", s)
		}
		if ss[0].CreatedAt.Before(ss[1].CreatedAt) {
			t.Errorf("not newest first: %v, %v", ss[0].CreatedAt, ss[1].CreatedAt)
		}
		if got, err := db.FindSolicitationByToken(visitor, ss[0].Token); err != nil || got.ID != ss[0].ID {
			t.Errorf("the listed link does not open its solicitation: %v", err)
		}
		_, err = db.FindSolicitations(as(amparo.RoleProcurement, "other"), org.ID)
		wantCode(t, err, amparo.EFORBIDDEN)
	})
}

// TestScreeningService_FileContradictions: a vendor file's vendors are
// compared with the affidavits of stored vendors: by identifier first
// (another spelling of the name), then by name; a conflicting identifier
// makes a vendor of the same name another vendor. VendorDeclarations gives
// each vendor's newest affidavit.
func TestScreeningService_FileContradictions(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, db *sqldb.DB) {
		if _, err := db.ApplyRegistryChange(as(amparo.RoleProgramAdmin, ""), &amparo.RegistryChange{Reason: "compilation",
			PutEntities: []*amparo.RegistryEntity{
				testEntity("zephyrine-barrier", "Zephyrine Barrier Builders LLC", amparo.RegistryIdentifier{Kind: amparo.RegistryUEI, Value: "ZPHR5678EFGH"}),
				testEntity("quillon-fence", "Quillon Fence Works Inc."),
			},
			PutInvolvements: []*amparo.RegistryInvolvement{
				testInvolvement("i1", "zephyrine-barrier", amparo.RegistryPrime, "2019-05-01"),
				testInvolvement("i2", "quillon-fence", amparo.RegistryPrime, "2020-02-01"),
			}}); err != nil {
			t.Fatal(err)
		}
		org := storetest.MustCreateOrganization(t, db, "Example Procurement Office")
		officer := as(amparo.RoleProcurement, org.ID)
		sol := &amparo.Solicitation{Title: "Example park fencing, bid 2026-02"}
		if err := db.CreateSolicitation(officer, sol); err != nil {
			t.Fatal(err)
		}
		visitor := amparo.NewContextWithActor(t.Context(), amparo.VisitorActor)
		for _, a := range []*amparo.Affidavit{
			{Vendor: amparo.Vendor{Name: "Zephyrine Barrier Builders", Identifiers: []amparo.RegistryIdentifier{{Kind: amparo.RegistryUEI, Value: "ZPHR5678EFGH"}}}},
			{Vendor: amparo.Vendor{Name: "Quillon Fence Works Inc.", Identifiers: []amparo.RegistryIdentifier{{Kind: amparo.RegistryEIN, Value: "12-3456789"}}}},
			{Vendor: amparo.Vendor{Name: "Quillon Fence Works Inc.", Identifiers: []amparo.RegistryIdentifier{{Kind: amparo.RegistryEIN, Value: "12-3456789"}}}, BorderWallWork: true, Work: "Fence, 2020"},
		} {
			a.SignerName, a.SignerTitle, a.Attestation = "Ana Ejemplo Ficticia", "President", "Ana Ejemplo Ficticia"
			if err := db.SubmitAffidavit(visitor, sol.Token, a); err != nil {
				t.Fatal(err)
			}
		}
		ds, err := db.VendorDeclarations(officer, org.ID)
		if err != nil || len(ds) != 2 {
			t.Fatalf("declarations: %+v %v", ds, err)
		}
		for _, d := range ds {
			if want := d.Vendor.Name == "Quillon Fence Works Inc."; d.BorderWallWork != want {
				t.Errorf("%s: the newest affidavit is not the one given: %+v", d.Vendor.Name, d)
			}
		}
		file := "name,uei,ein\n" +
			"\"ZEPHYRINE BARRIER BUILDERS, L.L.C.\",ZPHR5678EFGH,\n" + // its UEI: the affidavit, another spelling
			"zephyrine  barrier builders,,\n" + // its name
			"Zephyrine Barrier Builders,,98-7654321\n" + // its name, but an EIN where the stored vendor has none: still it
			"Quillon Fence Works Inc.,,\n" + // declares work: no contradiction
			"Example Bakery,,\n"
		fr, err := screening.NewService(db, db, db, db).ScreenFile(officer, strings.NewReader(file), screening.ImportOptions{}, nil)
		if err != nil {
			t.Fatal(err)
		}
		want := []struct {
			affidavit      string
			contradictions bool
		}{{"none", true}, {"none", true}, {"none", true}, {"work", false}, {"", false}}
		for i, w := range want {
			o := fr.Reports[i].Outcome
			got := false
			for _, h := range o.Hits {
				got = got || len(h.Contradictions) > 0
			}
			if o.Affidavit != w.affidavit || got != w.contradictions {
				t.Errorf("row %d (%s): affidavit %q, contradictions %v; want %q, %v", i+2, o.Vendor.Names[0], o.Affidavit, got, w.affidavit, w.contradictions)
			}
		}
		// A UEI other than the stored vendor's: not the vendor that filed.
		fr, err = screening.NewService(db, db, db, db).ScreenFile(officer, strings.NewReader("name,uei\nZephyrine Barrier Builders,ZPHR0000AAAA\n"), screening.ImportOptions{}, nil)
		if err != nil || fr.Reports[0].Outcome.Affidavit != "" {
			t.Fatalf("a conflicting UEI: %+v %v", fr, err)
		}
		_, err = db.VendorDeclarations(as(amparo.RoleProcurement, "other"), org.ID)
		wantCode(t, err, amparo.EFORBIDDEN)
	})
}

// TestScreeningService_FileAgainReusesDecisions: a file screened again is
// screened as the vendors stored the first time, so a false positive
// decided after the first screening is reused, not asked again; a row
// with an identifier the stored vendor lacks is a new vendor.
func TestScreeningService_FileAgainReusesDecisions(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, db *sqldb.DB) {
		if _, err := db.ApplyRegistryChange(as(amparo.RoleProgramAdmin, ""), &amparo.RegistryChange{Reason: "compilation",
			PutEntities:     []*amparo.RegistryEntity{testEntity("quillon-fence", "Quillon Fence Works Inc.")},
			PutInvolvements: []*amparo.RegistryInvolvement{testInvolvement("i1", "quillon-fence", amparo.RegistryPrime, "2020-02-01")}}); err != nil {
			t.Fatal(err)
		}
		org := storetest.MustCreateOrganization(t, db, "Example Procurement Office")
		officer := as(amparo.RoleProcurement, org.ID)
		svc := screening.NewService(db, db, db, db)
		file := "name,ein\nQuillon Fence Works Inc.,12-3456789\nExample Bakery,\n"
		first, err := svc.ScreenFile(officer, strings.NewReader(file), screening.ImportOptions{}, nil)
		if err != nil || len(first.Reports) != 2 || len(first.Reports[0].Outcome.Hits) == 0 {
			t.Fatalf("first: %+v %v", first, err)
		}
		sc := first.Reports[0].Screening
		if err := svc.DecideHit(officer, sc.ID, "quillon-fence", amparo.HitFalsePositive, "Another company of that name, in another state"); err != nil {
			t.Fatal(err)
		}
		again, err := svc.ScreenFile(officer, strings.NewReader(file), screening.ImportOptions{}, nil)
		if err != nil || len(again.Reports) != 2 {
			t.Fatalf("again: %+v %v", again, err)
		}
		for i := range 2 {
			if a, b := first.Reports[i].Screening.VendorID, again.Reports[i].Screening.VendorID; a != b {
				t.Errorf("row %d screened as vendor %s, then as %s", i+2, a, b)
			}
		}
		if r := again.Reports[0]; len(r.Decisions) == 0 || r.Decisions[0].Decision == nil || !r.Decisions[0].Reused {
			t.Errorf("the false positive is not reused: %+v", r.Decisions)
		}
		vs, err := db.FindVendors(officer, org.ID)
		if err != nil || len(vs) != 2 {
			t.Errorf("vendors stored after two screenings of one file: %d %v", len(vs), err)
		}
		// A UEI the stored vendor lacks: a new vendor, screened as the file says.
		third, err := svc.ScreenFile(officer, strings.NewReader("name,uei,ein\nQuillon Fence Works Inc.,QLLN1234ABCD,12-3456789\n"), screening.ImportOptions{}, nil)
		if err != nil || third.Reports[0].Screening.VendorID == sc.VendorID {
			t.Errorf("a row with a new UEI screened as the stored vendor: %v", err)
		}
	})
}

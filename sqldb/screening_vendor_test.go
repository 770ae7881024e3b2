package sqldb_test

import (
	"bytes"
	"os"
	"path/filepath"

	"testing"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/envelope"
	"github.com/amparo-project/amparo/internal/storetest"
	"github.com/amparo-project/amparo/screening"
	"github.com/amparo-project/amparo/sqldb"
)

// Fictional vendors and contractors only.
func TestVendorService_Affidavit(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, db *sqldb.DB) {
		org := storetest.MustCreateOrganization(t, db, "Example Procurement Office")
		officer := as(amparo.RoleProcurement, org.ID)
		t.Run("ErrForbidden", func(t *testing.T) {
			wantCode(t, db.CreateVendor(as(amparo.RoleMember, org.ID), &amparo.Vendor{Name: "Example Paving Co."}), amparo.EFORBIDDEN)
			wantCode(t, db.CreateVendor(as(amparo.RoleProcurement, "other"), &amparo.Vendor{Name: "Example Paving Co.", OrganizationID: org.ID}), amparo.EFORBIDDEN)
		})
		sol := &amparo.Solicitation{Title: "Example road resurfacing, bid 2026-01"}
		if err := db.CreateSolicitation(officer, sol); err != nil || sol.Token == "" {
			t.Fatalf("solicitation: %+v %v", sol, err)
		}
		visitor := amparo.NewContextWithActor(t.Context(), amparo.Actor{ID: "visitor", Role: amparo.RoleVisitor})
		a := &amparo.Affidavit{Vendor: amparo.Vendor{Name: "Example Paving Co.", Identifiers: []amparo.RegistryIdentifier{{Kind: amparo.RegistryUEI, Value: "exmp1234abcd"}}},
			SignerName: "Ana Ejemplo Ficticia", SignerTitle: "President"}
		t.Run("ErrMissingAttestation", func(t *testing.T) {
			err := db.SubmitAffidavit(visitor, sol.Token, a)
			wantCode(t, err, amparo.EINVALID)
			if f := amparo.ErrorField(err); f != "attestation" {
				t.Fatalf("field %q, want attestation", f)
			}
		})
		t.Run("ErrUnknownLink", func(t *testing.T) {
			a := *a
			a.Attestation = a.SignerName
			wantCode(t, db.SubmitAffidavit(visitor, "nope", &a), amparo.ENOTFOUND)
		})
		a.Attestation = "ana  ejemplo ficticia"
		if err := db.SubmitAffidavit(visitor, sol.Token, a); err != nil {
			t.Fatal(err)
		}
		if a.VendorID == "" || a.FormVersion != amparo.AffidavitFormVersion || a.SignedAt.IsZero() {
			t.Fatalf("affidavit: %+v", a)
		}
		// A second affidavit of the same vendor (same UEI) files to the same vendor.
		b := &amparo.Affidavit{Vendor: amparo.Vendor{Name: "EXAMPLE PAVING COMPANY", Identifiers: []amparo.RegistryIdentifier{{Kind: amparo.RegistryUEI, Value: "EXMP1234ABCD"}}},
			BorderWallWork: true, Work: "Fence footing, 2019", SignerName: "Ana Ejemplo Ficticia", SignerTitle: "President", Attestation: "Ana Ejemplo Ficticia"}
		if err := db.SubmitAffidavit(visitor, sol.Token, b); err != nil || b.VendorID != a.VendorID {
			t.Fatalf("second affidavit: %v %q %q", err, b.VendorID, a.VendorID)
		}
		vs, err := db.FindVendors(officer, org.ID)
		if err != nil || len(vs) != 1 || vs[0].Name != "Example Paving Co." || vs[0].Identifier(amparo.RegistryUEI) != "EXMP1234ABCD" {
			t.Fatalf("vendors: %+v %v", vs, err)
		}
		afs, err := db.VendorAffidavits(officer, a.VendorID)
		if err != nil || len(afs) != 2 || !afs[0].BorderWallWork || afs[0].Work != "Fence footing, 2019" || afs[1].SignerTitle != "President" {
			t.Fatalf("affidavits: %+v %v", afs, err)
		}
		if _, err := db.VendorAffidavits(as(amparo.RoleProcurement, "other"), a.VendorID); amparo.ErrorCode(err) != amparo.ENOTFOUND {
			t.Fatalf("another organization's vendor: %v", err)
		}
	})
}

func TestScreeningService_DecisionsReused(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, db *sqldb.DB) {
		admin := as(amparo.RoleProgramAdmin, "")
		if _, err := db.ApplyRegistryChange(admin, &amparo.RegistryChange{Reason: "compilation",
			PutEntities: []*amparo.RegistryEntity{
				testEntity("zephyrine-barrier", "Zephyrine Barrier Builders LLC", amparo.RegistryIdentifier{Kind: amparo.RegistryUEI, Value: "ZPHR5678EFGH"}),
				testEntity("zephyrine-holdings", "Zephyrine Holdings Inc."),
			},
			PutRelations: []*amparo.RegistryRelation{{ID: "r1", Kind: amparo.RegistrySubsidiaryOf, From: "zephyrine-barrier", To: "zephyrine-holdings",
				Source: amparo.RegistrySource{Document: "annual report", Retrieved: amparo.MustDate("2025-01-02")}}},
			PutInvolvements: []*amparo.RegistryInvolvement{testInvolvement("i1", "zephyrine-barrier", amparo.RegistryPrime, "2019-05-01")},
		}); err != nil {
			t.Fatal(err)
		}
		org := storetest.MustCreateOrganization(t, db, "Example Procurement Office")
		officer := as(amparo.RoleProcurement, org.ID)
		svc := screening.NewService(db, db, db, db)
		sol := &amparo.Solicitation{Title: "Example fencing bid"}
		if err := db.CreateSolicitation(officer, sol); err != nil {
			t.Fatal(err)
		}
		visitor := amparo.NewContextWithActor(t.Context(), amparo.Actor{ID: "visitor", Role: amparo.RoleVisitor})
		a := &amparo.Affidavit{Vendor: amparo.Vendor{Name: "Zephyrine Barrier Builders, L.L.C.", Identifiers: []amparo.RegistryIdentifier{{Kind: amparo.RegistryUEI, Value: "ZPHR5678EFGH"}}},
			SignerName: "Bruno Ejemplo", SignerTitle: "Owner", Attestation: "Bruno Ejemplo"}
		if err := db.SubmitAffidavit(visitor, sol.Token, a); err != nil {
			t.Fatal(err)
		}

		r, err := svc.ScreenVendor(officer, a.VendorID)
		if err != nil {
			t.Fatal(err)
		}
		if len(r.Outcome.Hits) != 1 || r.Outcome.Hits[0].EntityID != "zephyrine-barrier" || r.Outcome.Hits[0].Result.Decision != screening.MatchYes {
			t.Fatalf("hits: %+v", r.Outcome.Hits)
		}
		h := r.Outcome.Hits[0]
		if len(h.Related) != 1 || h.Related[0].EntityID != "zephyrine-holdings" || h.Related[0].Via != screening.PolicyViaParent {
			t.Errorf("related: %+v", h.Related)
		}
		if len(h.Contradictions) != 1 || h.Contradictions[0].Key != "screen.vendor.contradiction" {
			t.Errorf("contradictions: %+v", h.Contradictions)
		}
		if len(h.Findings) == 0 || !h.Findings[0].Applies {
			t.Errorf("findings: %+v", h.Findings)
		}
		sc := r.Screening
		if sc.RegistryVersion != 1 || sc.PolicyVersion != 0 || sc.Algorithm != screening.MatchAlgorithm || len(sc.ResultHash) != 64 || len(sc.RegistryHash) != 64 {
			t.Fatalf("screening: %+v", sc)
		}
		if ok, err := svc.Reproduce(officer, sc.ID); err != nil || !ok {
			t.Fatalf("reproduce: %v %v", ok, err)
		}

		t.Run("ErrForbidden", func(t *testing.T) {
			_, err := svc.ScreenVendor(as(amparo.RoleProcurement, "other"), a.VendorID)
			wantCode(t, err, amparo.ENOTFOUND)
			wantCode(t, svc.DecideHit(officer, sc.ID, "zephyrine-barrier", amparo.HitFalsePositive, " "), amparo.EINVALID)
		})
		if err := svc.DecideHit(officer, sc.ID, "zephyrine-barrier", amparo.HitFalsePositive, "a different company of the same name in Ohio"); err != nil {
			t.Fatal(err)
		}
		// Re-screened: the decision is reused.
		r2, err := svc.ScreenVendor(officer, a.VendorID)
		if err != nil {
			t.Fatal(err)
		}
		if d := r2.Decisions[0]; d.Decision == nil || !d.Reused || d.Stale || d.Decision.Verdict != amparo.HitFalsePositive ||
			d.Decision.Reason != "a different company of the same name in Ohio" {
			t.Fatalf("re-screen: %+v", d)
		}
		if r2.Screening.ResultHash != sc.ResultHash {
			t.Error("the same screening of the same versions hashed differently")
		}
		latest, err := svc.LatestReport(officer, a.VendorID)
		if err != nil || latest.Screening.ID != r2.Screening.ID || !latest.Decisions[0].Reused {
			t.Fatalf("latest: %+v %v", latest, err)
		}

		// The registry entry changes (a new involvement): asked again.
		if _, err := db.ApplyRegistryChange(admin, &amparo.RegistryChange{Reason: "a new award",
			PutInvolvements: []*amparo.RegistryInvolvement{testInvolvement("i2", "zephyrine-barrier", amparo.RegistryPrime, "2020-02-01")}}); err != nil {
			t.Fatal(err)
		}
		r3, err := svc.ScreenVendor(officer, a.VendorID)
		if err != nil {
			t.Fatal(err)
		}
		if d := r3.Decisions[0]; d.Decision == nil || d.Reused || !d.Stale || r3.Screening.RegistryVersion != 2 {
			t.Fatalf("after the entity changed: %+v (registry %d)", d, r3.Screening.RegistryVersion)
		}
		// The first screening still reproduces against its own version.
		if ok, err := svc.Reproduce(officer, sc.ID); err != nil || !ok {
			t.Fatalf("reproduce v1 after v2: %v %v", ok, err)
		}
	})
}

// A vendor's names and address, its affidavit's words and a reviewer's
// reason are nowhere in clear in the database or its log.
func TestVendorService_SealedAtRest(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	db := storetest.MustOpenDSN(t, "sqlite:"+filepath.Join(dir, "amparo.db"), envelope.GenerateMasterKey())
	org := storetest.MustCreateOrganization(t, db, "Example Procurement Office")
	officer := as(amparo.RoleProcurement, org.ID)
	sol := &amparo.Solicitation{Title: "Example bid"}
	if err := db.CreateSolicitation(officer, sol); err != nil {
		t.Fatal(err)
	}
	visitor := amparo.NewContextWithActor(t.Context(), amparo.Actor{ID: "visitor", Role: amparo.RoleVisitor})
	a := &amparo.Affidavit{Vendor: amparo.Vendor{Name: "Quetzalcoatl Ficticio Trading", Address: "77 Placeholder Lane"}, BorderWallWork: true,
		Work: "Ornamental railing for Example Port", SignerName: "Xochitl Ficticia", SignerTitle: "Owner", Attestation: "Xochitl Ficticia"}
	if err := db.SubmitAffidavit(visitor, sol.Token, a); err != nil {
		t.Fatal(err)
	}
	if err := db.DecideHit(officer, &amparo.HitDecision{VendorID: a.VendorID, EntityID: "example", EntityHash: "h", Verdict: amparo.HitFalsePositive,
		Reason: "Zanzibarian reason"}); err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "amparo.db*"))
	control := false // the solicitation's title is in clear: the check reads what is stored
	for _, f := range files {
		b, _ := os.ReadFile(f)
		control = control || bytes.Contains(b, []byte("Example bid"))
		for _, n := range []string{"Quetzalcoatl", "Placeholder Lane", "Ornamental railing", "Xochitl", "Zanzibarian"} {
			if bytes.Contains(b, []byte(n)) {
				t.Errorf("%s holds %q in clear", filepath.Base(f), n)
			}
		}
	}
	if !control {
		t.Error("the solicitation's title was not found either: the files read are not the database")
	}
}

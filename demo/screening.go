package demo

import (
	"context"
	"fmt"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/screening"
)

// seedScreening applies the starter border-wall registry (compiled from
// press reports; see screening/data/README.md) and puts the shipped
// screening policies in force as the first stored version. It returns the
// registry's version.
//
// Beside the starter registry, and in the same version, the demo adds one
// fictional company with a fictional award (its source says so), which a
// fictional vendor's affidavit contradicts: no real company is shown
// declaring anything.
func seedScreening(ctx context.Context, s Store) (int, error) {
	c := screening.StarterRegistry()
	c.Reason += " Demo only: with one fictional company (" + demoWallCompany + ") and its fictional award."
	src := amparo.RegistrySource{Document: "Amparo demo data: a fictional company and a fictional award", Retrieved: amparo.MustDate("2026-01-05")}
	c.PutEntities = append(c.PutEntities, &amparo.RegistryEntity{ID: "demo-cercas-zafiro", Kind: amparo.RegistryCompany,
		Names:       []amparo.RegistryName{{Kind: amparo.RegistryNamePrimary, Name: demoWallCompany}},
		Identifiers: []amparo.RegistryIdentifier{{Kind: amparo.RegistryUEI, Value: demoWallUEI}}, Source: src})
	c.PutInvolvements = append(c.PutInvolvements, &amparo.RegistryInvolvement{ID: "demo-cercas-zafiro-2019", EntityID: "demo-cercas-zafiro",
		Agency: "USACE", Project: "Fictional barrier segment (demo)", Role: amparo.RegistryPrime, AwardDate: amparo.MustDate("2019-06-03"),
		Status: amparo.AwardAwarded, Source: src})
	v, err := s.ApplyRegistryChange(ctx, c)
	if err != nil {
		return 0, err
	}
	if _, err := s.SetScreeningPolicy(ctx, screening.DefaultPoliciesText(), "The policies Amparo ships, put in force for the demo"); err != nil {
		return 0, err
	}
	return v.Number, nil
}

// demoWallCompany is the demo registry's fictional company, with a
// fictional award; a fictional vendor's affidavit contradicts it.
const (
	demoWallCompany = "Cercas Zafiro Ficticias S. de R.L. (demo)"
	demoWallUEI     = "ZFRDEMX00001"
)

// seedVendor makes fictional vendors of the organization, filing their
// affidavits (no border-wall work) through a solicitation's link: one is
// screened, its possible match is marked a false positive with a reason,
// and it is screened again, the decision reused (its ID is returned); the
// other is screened and its affidavit contradicts the registry.
func seedVendor(ctx context.Context, s Store, org string) (string, error) {
	sol := &amparo.Solicitation{OrganizationID: org, Title: "Reparación de banquetas, licitación de ejemplo 2026-07"}
	if err := s.CreateSolicitation(ctx, sol); err != nil {
		return "", err
	}
	a := &amparo.Affidavit{Vendor: amparo.Vendor{Name: "ELTA Ejemplo North America", Address: "200 Calle Ficticia, Ciudad Ejemplo"},
		SignerName: "Marta Proveedora Ejemplo", SignerTitle: "Gerente general", Attestation: "Marta Proveedora Ejemplo"}
	if err := s.SubmitAffidavit(amparo.NewContextWithActor(ctx, amparo.VisitorActor), sol.Token, a); err != nil {
		return "", err
	}
	// A second vendor declares no border-wall work through the same link;
	// the registry (its fictional entry) says otherwise.
	b := &amparo.Affidavit{Vendor: amparo.Vendor{Name: "Cercas Zafiro Ficticias", Identifiers: []amparo.RegistryIdentifier{{Kind: amparo.RegistryUEI, Value: demoWallUEI}},
		Address: "12 Avenida Ficticia, Ciudad Ejemplo"}, SignerName: "Rubén Firmante Ejemplo", SignerTitle: "Director", Attestation: "Rubén Firmante Ejemplo"}
	if err := s.SubmitAffidavit(amparo.NewContextWithActor(ctx, amparo.VisitorActor), sol.Token, b); err != nil {
		return "", err
	}
	svc := screening.NewService(s, s, s, s)
	rb, err := svc.ScreenVendor(ctx, b.VendorID)
	if err != nil {
		return "", err
	}
	if len(rb.Outcome.Hits) == 0 || len(rb.Outcome.Hits[0].Contradictions) == 0 {
		return "", fmt.Errorf("demo: the fictional vendor's affidavit does not contradict the registry")
	}
	r, err := svc.ScreenVendor(ctx, a.VendorID)
	if err != nil {
		return "", err
	}
	if len(r.Outcome.Hits) == 0 {
		return "", fmt.Errorf("demo: the demo vendor matches nothing in the starter registry")
	}
	if err := svc.DecideHit(ctx, r.Screening.ID, r.Outcome.Hits[0].EntityID, amparo.HitFalsePositive,
		"Empresa ficticia de la demostración: otro nombre, otra dirección, sin identificadores en común"); err != nil {
		return "", err
	}
	if _, err := svc.ScreenVendor(ctx, a.VendorID); err != nil {
		return "", err
	}
	return a.VendorID, nil
}

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
func seedScreening(ctx context.Context, s Store) (int, error) {
	v, err := s.ApplyRegistryChange(ctx, screening.StarterRegistry())
	if err != nil {
		return 0, err
	}
	if _, err := s.SetScreeningPolicy(ctx, screening.DefaultPoliciesText(), "The policies Amparo ships, put in force for the demo"); err != nil {
		return 0, err
	}
	return v.Number, nil
}

// seedVendor makes a fictional vendor of the organization: it files its
// affidavit (no border-wall work) through a solicitation's link, is
// screened, its possible match is marked a false positive with a reason,
// and it is screened again, the decision reused. It returns its ID.
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
	svc := screening.NewService(s, s, s, s)
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

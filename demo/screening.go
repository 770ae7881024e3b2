package demo

import (
	"context"

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

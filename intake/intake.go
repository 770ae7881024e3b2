// Package intake brings people into the program's queue: it imports intake
// CSV files through package csvimport into the store's applicants, all or
// nothing unless asked for the good rows alone, without duplicating people
// already imported.
//
// It depends on package amparo's service interfaces, never on a database
// or HTTP package.
package intake

import (
	"context"
	"io"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/csvimport"
)

// Options say how to import.
type Options struct {
	OrganizationID string // whose intakes these are
	Partial        bool   // store the good rows even when others are bad
	DryRun         bool   // check and report, store nothing
	KeySecret      []byte // the secret of the people's keys; keep it fixed
}

// Report says what an import found and did.
type Report struct {
	*csvimport.Result
	Stored  bool // whether anything was written
	Created int  // new applicants
	Known   int  // good rows of people already imported
}

// Import reads an intake CSV file and stores its people as new applicants.
// A file with a bad row stores nothing, unless opts.Partial; an error is
// returned only for a file that cannot be read as a whole (its problems
// are in a csvimport.ErrorList) or a store failure.
func Import(ctx context.Context, s amparo.ApplicantService, r io.Reader, opts Options) (*Report, error) {
	res, err := csvimport.Parse(r, csvimport.Options{KeySecret: opts.KeySecret})
	if err != nil {
		return nil, err
	}
	rep := &Report{Result: res}
	if opts.DryRun || len(res.Rows) == 0 || len(res.Errors) > 0 && !opts.Partial {
		return rep, nil
	}
	as := make([]*amparo.Applicant, len(res.Rows))
	for i, row := range res.Rows {
		in := row.Intake
		as[i] = &amparo.Applicant{OrganizationID: opts.OrganizationID, Key: row.Key, Facts: amparo.Facts{
			Personal: amparo.Personal{LegalName: in.LegalName, PreferredName: in.PreferredName, BirthDate: in.BirthDate,
				Language: in.Language, Phone: in.Phone, Address: in.Address, CountryOfBirth: in.CountryOfBirth,
				Situation: in.Situation, TPSCountry: in.TPSCountry, FacingRemoval: in.FacingRemoval,
				NextHearing: in.NextHearing, Detained: in.Detained},
			Email: in.Email, UnaccompaniedMinor: in.UnaccompaniedMinor, Unhoused: in.Unhoused, Survivor: in.Survivor,
			IntakeDate: in.IntakeDate, SourceRef: in.SourceRef,
		}}
	}
	if rep.Created, err = s.CreateApplicants(ctx, as); err != nil {
		return nil, err
	}
	rep.Stored, rep.Known = true, len(as)-rep.Created
	return rep, nil
}

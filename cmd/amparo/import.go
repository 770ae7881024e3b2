package main

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/amparo-project/amparo/csvimport"
	"github.com/amparo-project/amparo/intake"
)

func runImport(ctx context.Context, m *Main, args []string) error {
	return m.dispatch(ctx, args, map[string]sub{
		"intakes": {"FILE.csv --org ID [--partial] [--dry-run] [--lang en|es]", "import intakes from a CSV file into an organization's queue", importIntakes},
	})
}

// errBadRows ends an import whose file had bad rows, after they are listed.
var errBadRows = errors.New("bad rows")

func importIntakes(ctx context.Context, m *Main, args []string) error {
	fs := m.flags("import intakes")
	m.dataFlags(fs)
	org := fs.String("org", "", "the organization `ID` whose intakes these are (required)")
	partial := fs.Bool("partial", false, "store the good rows even if others are bad")
	dryRun := fs.Bool("dry-run", false, "check the file and report; store nothing")
	lang := fs.String("lang", "en", "`language` of the messages: en or es")
	file, err := m.parseID(fs, args, "the CSV FILE")
	if err != nil {
		return err
	}
	if *org == "" {
		fmt.Fprintln(m.Stderr, "amparo import intakes: --org ID is required (run amparo import intakes --help)")
		return errUsage
	}
	f, err := os.Open(file)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := m.open(ctx); err != nil {
		return err
	}
	rep, err := intake.Import(system(ctx), m.DB, f, intake.Options{OrganizationID: *org, Partial: *partial, DryRun: *dryRun,
		KeySecret: m.intakeKeySecret()})
	var list csvimport.ErrorList
	if errors.As(err, &list) {
		for _, e := range list {
			fmt.Fprintln(m.Stderr, e.Message(*lang))
		}
		return errBadRows
	} else if err != nil {
		return err
	}
	for _, e := range rep.Errors {
		fmt.Fprintln(m.Stderr, e.Message(*lang))
	}
	for _, e := range rep.Review {
		fmt.Fprintln(m.Stdout, e.Message(*lang))
	}
	switch {
	case *dryRun:
		fmt.Fprintf(m.Stdout, "Checked %d rows: %d good, %d with errors. Nothing was stored (--dry-run).\n", rep.Records, len(rep.Rows), rep.Records-len(rep.Rows))
	case !rep.Stored && len(rep.Errors) > 0:
		fmt.Fprintf(m.Stdout, "%d rows have errors: nothing was stored. Fix them, or store the %d good rows with --partial.\n", len(rep.Errors), len(rep.Rows))
	default:
		fmt.Fprintf(m.Stdout, "Imported %d new applicants; %d were already imported; %d rows skipped for errors.\n", rep.Created, rep.Known, len(rep.Errors))
	}
	if len(rep.Errors) > 0 && !rep.Stored {
		return errBadRows
	}
	return nil
}

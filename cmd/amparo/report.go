package main

import (
	"context"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/amparo-project/amparo/report"
)

// The council's reports: release a period's report, and show a release.

func runReport(ctx context.Context, m *Main, args []string) error {
	return m.dispatch(ctx, args, map[string]sub{
		"release": {"--period 2026-Q3 [--approve]", "count, protect and store the report of a period that is over; --approve publishes it", reportRelease},
		"approve": {"RELEASE", "approve a release: the public dashboard shows it", reportApprove},
		"show":    {"RELEASE [--json|--csv|--pdf FILE [--lang en|es]]", "show a release as published (suppressed cells have no count)", reportShow},
	})
}

func (m *Main) reports() *report.Service {
	return &report.Service{Store: m.DB, Programs: m.DB}
}

func reportRelease(ctx context.Context, m *Main, args []string) error {
	fs := m.flags("report release")
	m.dataFlags(fs)
	period := fs.String("period", "", "the `PERIOD` to release: a quarter such as 2026-Q3")
	approve := fs.Bool("approve", false, "approve the release as well, which publishes it")
	if err := m.parse(fs, args); err != nil {
		return err
	}
	if err := m.open(ctx); err != nil {
		return err
	}
	r, err := m.reports().Release(system(ctx), *period, *approve)
	if err != nil {
		return err
	}
	state := "not yet approved: `amparo report approve " + r.ID + "` publishes it"
	if r.Approved() {
		state = "approved and published"
	}
	fmt.Fprintf(m.Stdout, "Released %s (sha256 %s), %s.\n", r.ID, r.Hash, state)
	return nil
}

func reportApprove(ctx context.Context, m *Main, args []string) error {
	fs := m.flags("report approve")
	m.dataFlags(fs)
	id, err := m.parseID(fs, args, "a release (its period, such as 2026-Q3)")
	if err != nil {
		return err
	}
	if err := m.open(ctx); err != nil {
		return err
	}
	r, err := m.reports().Approve(system(ctx), id)
	if err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "Approved %s (sha256 %s).\n", r.ID, r.Hash)
	return nil
}

func reportShow(ctx context.Context, m *Main, args []string) error {
	fs := m.flags("report show")
	m.dataFlags(fs)
	asJSON := fs.Bool("json", false, "print the published JSON (the hashed document)")
	asCSV := fs.Bool("csv", false, "print CSV, with the JSON's values")
	pdf := fs.String("pdf", "", "write the PDF report to `FILE`")
	lang := fs.String("lang", "en", "`language` of the PDF report: en or es")
	id, err := m.parseID(fs, args, "a release (its period, such as 2026-Q3)")
	if err != nil {
		return err
	}
	if err := m.open(ctx); err != nil {
		return err
	}
	r, d, err := m.reports().Show(system(ctx), id)
	if err != nil {
		return err
	}
	switch {
	case *asJSON:
		_, err := fmt.Fprintln(m.Stdout, string(r.Public))
		return err
	case *asCSV:
		return report.WriteCSV(m.Stdout, d)
	case *pdf != "":
		return m.reportPDF(r, d, *lang, *pdf)
	}
	state := "not approved"
	if r.Approved() {
		state = "approved " + r.ApprovedAt.Format("2006-01-02")
	}
	fmt.Fprintf(m.Stdout, "Report %s (%s to %s), %s, sha256 %s\nMinimum publishable count %d; %d of %d cells suppressed (%d small, %d complementary).\n",
		d.Period, d.From, d.Until, state, r.Hash, d.MinCount, d.Suppressed, d.Cells, d.Primary, d.Complementary)
	for _, t := range d.Tables {
		fmt.Fprintf(m.Stdout, "\n%s: %s\n", t.Name, t.Population)
		if t.Denominator != "" {
			fmt.Fprintf(m.Stdout, "  percentages of: %s\n", t.Denominator)
		}
		if t.Unit != "" {
			fmt.Fprintf(m.Stdout, "  cost %s\n", t.Unit)
		}
		if t.Empty {
			fmt.Fprintln(m.Stdout, "  nothing counted")
			continue
		}
		tw := tabwriter.NewWriter(m.Stdout, 0, 4, 2, ' ', 0)
		var head []string
		for _, dim := range t.Dims {
			head = append(head, strings.ToUpper(dim.Name))
		}
		fmt.Fprintf(tw, "  %s\tCOUNT\tPERCENT\tCENTS\tPER CASE\tFLOOR\tMET\n", strings.Join(head, "\t"))
		for _, c := range t.Cells {
			n := report.FormatCount(c)
			if c.Suppressed {
				n = "suppressed"
			}
			p := report.FormatPercent(c)
			if c.Unstable {
				p += " (unstable)"
			}
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\t%s\t%s\n", strings.Join(c.Key, "\t"), n, p,
				report.FormatCents(c.Cents), report.FormatCents(c.PerCents), report.FormatFloor(c), report.FormatMet(c))
		}
		tw.Flush()
	}
	return nil
}

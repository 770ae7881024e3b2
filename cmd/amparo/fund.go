package main

import (
	"context"
	"fmt"
	"strconv"
	"text/tabwriter"
	"time"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/csvexport"
	"github.com/amparo-project/amparo/fund"
)

// The defense fund from the command line: the ledger and the compliance,
// as text, JSON or CSV (through csvexport). Each makes one service call.

func runFund(ctx context.Context, m *Main, args []string) error {
	return m.dispatch(ctx, args, map[string]sub{
		"ledger":     {"[--grant ID] [--json|--csv]", "print the fund's ledger, every grant's or one's, in posting order", fundLedger},
		"compliance": {"[--period 2026-Q3] [--json|--csv]", "compute each source's floors and ceilings and every grant's balance for a period", fundCompliance},
		"invoices":   {"--grant ID [--json|--csv]", "print a grant's invoices (reimbursement requests), by period", fundInvoices},
	})
}

type ledgerJSON struct {
	Seq            int64  `json:"seq"`
	ID             string `json:"id"`
	GrantID        string `json:"grant_id"`
	SourceID       string `json:"source_id"`
	OrganizationID string `json:"organization_id"`
	Account        string `json:"account"`
	AmountCents    int64  `json:"amount_cents"`
	EffectiveOn    string `json:"effective_on"`
	CaseID         string `json:"case_id,omitempty"`
	CostID         string `json:"cost_id,omitempty"`
	InvoiceID      string `json:"invoice_id,omitempty"`
	Reverses       string `json:"reverses,omitempty"`
	Reason         string `json:"reason,omitempty"`
	PostedBy       string `json:"posted_by"`
	PostedAt       string `json:"posted_at"`
}

func fundLedger(ctx context.Context, m *Main, args []string) error {
	fs := m.flags("fund ledger")
	m.dataFlags(fs)
	grant := fs.String("grant", "", "one grant's entries")
	asJSON := fs.Bool("json", false, "print JSON")
	asCSV := fs.Bool("csv", false, "print CSV")
	if err := m.parse(fs, args); err != nil {
		return err
	}
	if err := m.open(ctx); err != nil {
		return err
	}
	es, err := m.DB.FundLedger(system(ctx), *grant)
	if err != nil {
		return err
	}
	if *asCSV && !*asJSON {
		return fund.WriteLedgerCSV(m.Stdout, es)
	}
	rows := make([]ledgerJSON, len(es))
	for i, e := range es {
		rows[i] = ledgerJSON{e.Seq, e.ID, e.GrantID, e.SourceID, e.OrganizationID, string(e.Account), e.AmountCents, e.EffectiveOn.String(),
			e.CaseID, e.CostID, e.InvoiceID, e.Reverses, e.Reason, e.PostedBy, e.PostedAt.Format(time.RFC3339)}
	}
	if *asJSON {
		return m.printJSON(rows)
	}
	if len(rows) == 0 {
		fmt.Fprintln(m.Stdout, "No ledger entries.")
		return nil
	}
	tw := tabwriter.NewWriter(m.Stdout, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "SEQ\tDATE\tGRANT\tACCOUNT\tAMOUNT\tREVERSES\t")
	for _, r := range rows {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t\n", r.Seq, r.EffectiveOn, short(r.GrantID), r.Account, fund.FormatCents(r.AmountCents), short(r.Reverses))
	}
	tw.Flush()
	fmt.Fprintf(m.Stdout, "%d entries.\n", len(rows))
	return nil
}

func short(id string) string {
	if len(id) > 8 {
		return id[:8]
	}
	return id
}

type invoiceJSON struct {
	ID             string `json:"id"`
	GrantID        string `json:"grant_id"`
	OrganizationID string `json:"organization_id"`
	Period         string `json:"period"`
	AmountCents    int64  `json:"amount_cents"`
	Status         string `json:"status"`
	CreatedAt      string `json:"created_at"`
	UpdatedAt      string `json:"updated_at"`
}

func fundInvoices(ctx context.Context, m *Main, args []string) error {
	fs := m.flags("fund invoices")
	m.dataFlags(fs)
	grant := fs.String("grant", "", "the grant (required)")
	asJSON := fs.Bool("json", false, "print JSON")
	asCSV := fs.Bool("csv", false, "print CSV")
	if err := m.parse(fs, args); err != nil {
		return err
	}
	if *grant == "" {
		return amparo.Invalid("grant", "--grant is required").Localize("fund.err.field", "--grant")
	}
	if err := m.open(ctx); err != nil {
		return err
	}
	vs, err := m.DB.FindInvoices(system(ctx), *grant)
	if err != nil {
		return err
	}
	switch {
	case *asJSON:
		rows := make([]invoiceJSON, len(vs))
		for i, v := range vs {
			rows[i] = invoiceJSON{v.ID, v.GrantID, v.OrganizationID, v.Period, v.AmountCents, string(v.Status), v.CreatedAt.UTC().Format(time.RFC3339),
				v.UpdatedAt.UTC().Format(time.RFC3339)}
		}
		return m.printJSON(rows)
	case *asCSV:
		return fund.WriteInvoicesCSV(m.Stdout, vs)
	}
	if len(vs) == 0 {
		fmt.Fprintln(m.Stdout, "No invoices.")
		return nil
	}
	tw := tabwriter.NewWriter(m.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "INVOICE\tPERIOD\tAMOUNT\tSTATUS")
	for _, v := range vs {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", short(v.ID), v.Period, fund.FormatCents(v.AmountCents), v.Status)
	}
	tw.Flush()
	fmt.Fprintf(m.Stdout, "%d invoices.\n", len(vs))
	return nil
}

type complianceJSON struct {
	Period string               `json:"period"`
	Lines  []complianceLineJSON `json:"lines"`
	Grants []grantBalanceJSON   `json:"grants"`
}

type complianceLineJSON struct {
	SourceID    string  `json:"source_id"`
	Source      string  `json:"source"`
	Target      string  `json:"target"`
	Kind        string  `json:"kind"` // floor or ceiling
	Percent     int     `json:"percent"`
	Rule        string  `json:"rule"`
	SpentCents  int64   `json:"spent_cents"`
	TargetCents int64   `json:"target_cents"`
	Share       float64 `json:"share_percent"`
	Met         bool    `json:"met"`
}

type grantBalanceJSON struct {
	GrantID          string `json:"grant_id"`
	OrganizationID   string `json:"organization_id"`
	Status           string `json:"status"`
	AwardedCents     int64  `json:"awarded_cents"`
	CommittedCents   int64  `json:"committed_cents"`
	UncommittedCents int64  `json:"uncommitted_cents"`
	SpentCents       int64  `json:"spent_cents"`
	ApprovedCents    int64  `json:"approved_cents"`
	PaidCents        int64  `json:"paid_cents"`
	Reconciles       bool   `json:"reconciles"`
	Low              bool   `json:"low_funds"`
}

func fundCompliance(ctx context.Context, m *Main, args []string) error {
	fs := m.flags("fund compliance")
	m.dataFlags(fs)
	period := fs.String("period", amparo.QuarterOf(amparo.Date{Time: time.Now().UTC()}), "the period: 2026-Q3, 2026-07 or 2026")
	asJSON := fs.Bool("json", false, "print JSON")
	asCSV := fs.Bool("csv", false, "print CSV")
	if err := m.parse(fs, args); err != nil {
		return err
	}
	if err := m.open(ctx); err != nil {
		return err
	}
	cp, err := m.DB.FundCompliance(system(ctx), *period)
	if err != nil {
		return err
	}
	out := complianceJSON{Period: cp.Period, Lines: []complianceLineJSON{}, Grants: []grantBalanceJSON{}}
	for _, l := range cp.Lines {
		kind := "floor"
		if l.Ceiling {
			kind = "ceiling"
		}
		out.Lines = append(out.Lines, complianceLineJSON{l.SourceID, l.SourceName, l.Target, kind, l.Percent, l.Text, l.SpentCents, l.TargetCents,
			float64(l.SharePermille()) / 10, l.Met})
	}
	for _, b := range cp.Grants {
		out.Grants = append(out.Grants, grantBalanceJSON{b.GrantID, b.OrganizationID, string(b.Status), b.AwardedCents, b.CommittedCents,
			b.UncommittedCents, b.SpentCents, b.ApprovedCents, b.PaidCents, b.Reconciles(), b.Low()})
	}
	switch {
	case *asJSON:
		return m.printJSON(out)
	case *asCSV:
		cw := csvexport.NewWriter(m.Stdout)
		cw.Write([]string{"period", "source_id", "source", "target", "kind", "percent", "rule", "spent", "on_target", "share_percent", "met"})
		for _, l := range out.Lines {
			cw.Write([]string{out.Period, l.SourceID, l.Source, l.Target, l.Kind, strconv.Itoa(l.Percent), l.Rule, fund.CSVCents(l.SpentCents),
				fund.CSVCents(l.TargetCents), strconv.FormatFloat(l.Share, 'f', 1, 64), strconv.FormatBool(l.Met)})
		}
		return cw.Flush()
	}
	fmt.Fprintf(m.Stdout, "Compliance for %s\n\n", out.Period)
	tw := tabwriter.NewWriter(m.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SOURCE\tRULE\tSHARE\tSPENT\tMET")
	for _, l := range out.Lines {
		met := "yes"
		if !l.Met {
			met = "NO"
		}
		fmt.Fprintf(tw, "%s\t%s\t%.1f%%\t%s\t%s\n", l.Source, l.Rule, l.Share, fund.FormatCents(l.SpentCents), met)
	}
	tw.Flush()
	fmt.Fprintln(m.Stdout)
	tw = tabwriter.NewWriter(m.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "GRANT\tSTATUS\tAWARDED\tCOMMITTED\tSPENT\tPAID\tRECONCILES\tLOW FUNDS")
	for _, b := range out.Grants {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%v\t%v\n", short(b.GrantID), b.Status, fund.FormatCents(b.AwardedCents), fund.FormatCents(b.CommittedCents),
			fund.FormatCents(b.SpentCents), fund.FormatCents(b.PaidCents), b.Reconciles, b.Low)
	}
	return tw.Flush()
}

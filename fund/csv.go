package fund

import (
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/csvexport"
)

// The fund's CSV exports, one format each for the web and the command
// line, written through csvexport (a cell that would start a formula is
// neutralized). Amounts are dollars with two decimals and no thousands
// separator, for spreadsheets; times are RFC 3339 in UTC.

// CSVCents is an amount as a CSV cell: "-1234.50".
func CSVCents(c int64) string {
	sign := ""
	if c < 0 {
		sign, c = "-", -c
	}
	return fmt.Sprintf("%s%d.%02d", sign, c/100, c%100)
}

// WriteLedgerCSV writes ledger entries, in the order given.
func WriteLedgerCSV(w io.Writer, es []*amparo.LedgerEntry) error {
	cw := csvexport.NewWriter(w)
	cw.Write([]string{"seq", "id", "grant_id", "source_id", "organization_id", "account", "amount", "effective_on", "case_id", "cost_id",
		"invoice_id", "reverses", "reason", "posted_by", "posted_at"})
	for _, e := range es {
		cw.Write([]string{strconv.FormatInt(e.Seq, 10), e.ID, e.GrantID, e.SourceID, e.OrganizationID, string(e.Account), CSVCents(e.AmountCents),
			e.EffectiveOn.String(), e.CaseID, e.CostID, e.InvoiceID, e.Reverses, e.Reason, e.PostedBy, e.PostedAt.UTC().Format(time.RFC3339)})
	}
	return cw.Flush()
}

// WriteInvoicesCSV writes invoices, in the order given.
func WriteInvoicesCSV(w io.Writer, vs []*amparo.Invoice) error {
	cw := csvexport.NewWriter(w)
	cw.Write([]string{"id", "grant_id", "organization_id", "period", "amount", "status", "created_at", "updated_at"})
	for _, v := range vs {
		cw.Write([]string{v.ID, v.GrantID, v.OrganizationID, v.Period, CSVCents(v.AmountCents), string(v.Status),
			v.CreatedAt.UTC().Format(time.RFC3339), v.UpdatedAt.UTC().Format(time.RFC3339)})
	}
	return cw.Flush()
}

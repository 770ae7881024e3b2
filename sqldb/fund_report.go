package sqldb

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/fund"
)

// The fund's metrics for the council's report: aggregate queries over
// the ledger, the funded cases and their outcomes, read only. Every query
// groups by source, organization, priority group, detention or outcome:
// no person-level row leaves this file. Money is summed in integer cents.

// finalOutcomes are the outcome kinds that close a case, and stayed
// those of them that let the client stay.
func finalOutcomes() (finals, stayed []string) {
	for _, k := range amparo.OutcomeKinds {
		if !k.Interim() {
			finals = append(finals, string(k))
			if k.Stays() {
				stayed = append(stayed, string(k))
			}
		}
	}
	return finals, stayed
}

func marks(n int) string { return strings.TrimSuffix(strings.Repeat("?, ", n), ", ") }

func strArgs(s []string) []any {
	out := make([]any, len(s))
	for i, x := range s {
		out[i] = x
	}
	return out
}

// detentionCase is the SQL of a case's DimDetention category.
const detentionCase = `CASE WHEN c.detained = 1 THEN 'detained' ELSE 'not_detained' END`

// countFund counts one of the fund's metrics over period p.
func (tx *Tx) countFund(ctx context.Context, m amparo.ReportMetric, p amparo.ReportPeriod) ([]amparo.ReportRow, error) {
	// The fund's dates are calendar dates in the program's time zone:
	// the period's days, as its bounds read there.
	from, until := p.From.Format(time.DateOnly), p.Until.Format(time.DateOnly)
	finals, stayed := finalOutcomes()
	switch m {
	case amparo.MetricFundAwarded:
		return tx.countRows(ctx, `SELECT s.name, o.name, SUM(l.amount_cents) FROM fund_ledger l
			JOIN fund_sources s ON s.id = l.source_id JOIN organizations o ON o.id = l.organization_id
			WHERE l.account = ? AND l.effective_on < ? GROUP BY s.name, o.name`, 2, string(amparo.LedgerAward), until)
	case amparo.MetricFundCases, amparo.MetricFundSpent:
		agg := "COUNT(*)"
		if m == amparo.MetricFundSpent {
			agg = "SUM(x.cents)"
		}
		// Each case's net spending in the period (a correction's reversal
		// nets out); cases whose net is not positive are not counted.
		return tx.countRows(ctx, `SELECT s.name, o.name, c.priority_group, `+detentionCase+`, `+agg+`
			FROM (SELECT l.case_id, SUM(l.amount_cents) AS cents FROM fund_ledger l
				WHERE l.account = ? AND l.effective_on >= ? AND l.effective_on < ? GROUP BY l.case_id HAVING SUM(l.amount_cents) > 0) x
			JOIN fund_cases c ON c.id = x.case_id JOIN fund_sources s ON s.id = c.source_id JOIN organizations o ON o.id = c.organization_id
			GROUP BY 1, 2, 3, 4`, 4, string(amparo.LedgerSpend), from, until)
	case amparo.MetricFundOutcomes, amparo.MetricFundClosedSpent:
		// A case is closed in the period when its last final outcome
		// decided before the period's end was decided in the period.
		closed := `SELECT r.case_id, r.kind FROM (SELECT o.case_id, o.kind, o.decided_on,
				ROW_NUMBER() OVER (PARTITION BY o.case_id ORDER BY o.decided_on DESC, o.recorded_at DESC, o.id DESC) AS rn
				FROM fund_outcomes o WHERE o.kind IN (` + marks(len(finals)) + `) AND o.decided_on < ?) r
			WHERE r.rn = 1 AND r.decided_on >= ?`
		args := append(strArgs(finals), until, from)
		stays := `CASE WHEN f.kind IN (` + marks(len(stayed)) + `) THEN 'stayed' ELSE 'did_not_stay' END`
		args = append(strArgs(stayed), args...)
		if m == amparo.MetricFundOutcomes {
			out, err := tx.countRows(ctx, `SELECT c.priority_group, `+detentionCase+`, `+stays+`, COUNT(*)
				FROM (`+closed+`) f JOIN fund_cases c ON c.id = f.case_id
				GROUP BY 1, 2, 3`, 3, args...)
			if err != nil {
				return nil, err
			}
			pending, err := tx.countRows(ctx, `SELECT c.priority_group, `+detentionCase+`, COUNT(*) FROM fund_cases c
				WHERE c.funded_on < ? AND NOT EXISTS (SELECT 1 FROM fund_outcomes o
					WHERE o.case_id = c.id AND o.kind IN (`+marks(len(finals))+`) AND o.decided_on < ?)
				GROUP BY 1, 2`, 2, append(append([]any{until}, strArgs(finals)...), until)...)
			if err != nil {
				return nil, err
			}
			for _, r := range pending {
				out = append(out, amparo.ReportRow{Keys: append(r.Keys, amparo.OutcomePendingCat), Count: r.Count})
			}
			return out, nil
		}
		// Each closed case's spending is read by case (fund_ledger_case),
		// never by a scan of the ledger's dates.
		spent := `(SELECT SUM(l.amount_cents) FROM fund_ledger l WHERE l.case_id = f.case_id AND l.account = ? AND l.effective_on < ?)`
		return tx.countRows(ctx, `SELECT c.priority_group, `+detentionCase+`, `+strings.ReplaceAll(stays, "f.kind", "x.kind")+`, SUM(x.cents)
			FROM (SELECT f.case_id, f.kind, `+spent+` AS cents FROM (`+closed+`) f) x
			JOIN fund_cases c ON c.id = x.case_id
			GROUP BY 1, 2, 3`, 3, append(append(strArgs(stayed), string(amparo.LedgerSpend), until), append(strArgs(finals), until, from)...)...)
	}
	return nil, amparo.Invalid("metric", "the store makes no metric %q", m)
}

// FundReportFloors lists every source's floors and ceilings in force,
// for the report's compliance table.
func (db *DB) FundReportFloors(ctx context.Context) ([]amparo.ReportFloor, error) {
	var out []amparo.ReportFloor
	err := db.inReadTx(ctx, func(tx *Tx) error {
		if !tx.actor.RunsProgram() {
			return amparo.Errorf(amparo.EFORBIDDEN, "only the program office counts the reports")
		}
		sources, err := tx.sources(ctx, "")
		if err != nil {
			return err
		}
		for _, s := range sources {
			r, err := fund.ParseRestrictions(s.Restrictions.Text)
			if err != nil {
				return fmt.Errorf("source %s: %w", s.ID, err)
			}
			for _, l := range r.Limits {
				out = append(out, amparo.ReportFloor{Source: s.Name, Target: l.Target.String(), Percent: l.Percent, Ceiling: l.Ceiling})
			}
		}
		return nil
	})
	return out, err
}

var _ amparo.ReportFloors = (*DB)(nil)

package sqldb

import (
	"context"
	"fmt"
	"strings"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/fund"
)

// The fund's ledger: entries are inserted, never updated or deleted
// (triggers refuse it in both databases); a correction is a reversing
// entry. Every posting is checked by reconcile before its transaction
// commits.

const ledgerColumns = `id, seq, grant_id, source_id, organization_id, account, amount_cents, effective_on, case_id, cost_id, invoice_id,
	reverses, reason, detained, priority_group, budget_line, posted_by, posted_at`

// post appends e. Callers audit first: the audit chain's lock makes
// postings take turns, so seq is the next number.
func (tx *Tx) post(ctx context.Context, e *amparo.LedgerEntry) error {
	if err := tx.queryRow(ctx, "SELECT COALESCE(MAX(seq), 0) + 1 FROM fund_ledger").Scan(&e.Seq); err != nil {
		return mapError(err)
	}
	e.ID, e.PostedBy, e.PostedAt = amparo.NewID(), tx.actor.ID, tx.now
	if e.EffectiveOn.IsZero() {
		e.EffectiveOn = amparo.Date{Time: tx.now}
	}
	if _, err := tx.exec(ctx, "INSERT INTO fund_ledger ("+ledgerColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		e.ID, e.Seq, e.GrantID, e.SourceID, e.OrganizationID, string(e.Account), e.AmountCents, e.EffectiveOn.String(), e.CaseID,
		e.CostID, e.InvoiceID, e.Reverses, e.Reason, b2i(e.Detained), e.PriorityGroup, e.BudgetLine, e.PostedBy, formatTime(e.PostedAt)); err != nil {
		return err
	}
	if _, err := tx.exec(ctx, `INSERT INTO fund_balances (grant_id, account, amount_cents) VALUES (?, ?, ?)
		ON CONFLICT (grant_id, account) DO UPDATE SET amount_cents = fund_balances.amount_cents + excluded.amount_cents`,
		e.GrantID, string(e.Account), e.AmountCents); err != nil {
		return err
	}
	if e.Account != amparo.LedgerSpend {
		return nil
	}
	_, err := tx.exec(ctx, `INSERT INTO fund_spend_months (source_id, organization_id, month, detained, priority_group, budget_line, amount_cents)
		VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (month, source_id, organization_id, detained, priority_group, budget_line)
		DO UPDATE SET amount_cents = fund_spend_months.amount_cents + excluded.amount_cents`,
		e.SourceID, e.OrganizationID, e.EffectiveOn.Format("2006-01"), b2i(e.Detained), e.PriorityGroup, e.BudgetLine, e.AmountCents)
	return err
}

func scanEntry(row interface{ Scan(...any) error }) (*amparo.LedgerEntry, error) {
	e := &amparo.LedgerEntry{}
	err := row.Scan(&e.ID, &e.Seq, &e.GrantID, &e.SourceID, &e.OrganizationID, &e.Account, &e.AmountCents, scanDate{&e.EffectiveOn},
		&e.CaseID, &e.CostID, &e.InvoiceID, &e.Reverses, &e.Reason, &e.Detained, &e.PriorityGroup, &e.BudgetLine, &e.PostedBy, scanTime{&e.PostedAt})
	return e, mapError(err)
}

// balance sums a grant's ledger.
func (tx *Tx) balance(ctx context.Context, g *amparo.Grant) (*amparo.GrantBalance, error) {
	bs, err := tx.balances(ctx, " AND g.id = ?", g.ID)
	if err != nil {
		return nil, err
	}
	return &bs[0], nil
}

func (tx *Tx) balances(ctx context.Context, where string, args ...any) ([]amparo.GrantBalance, error) {
	rows, err := tx.query(ctx, `SELECT g.id, g.organization_id, g.source_id, o.name, s.name, g.status, g.alert_percent,
		COALESCE(SUM(CASE WHEN l.account = 'award' THEN l.amount_cents END), 0),
		COALESCE(SUM(CASE WHEN l.account = 'commit' THEN l.amount_cents END), 0),
		COALESCE(SUM(CASE WHEN l.account = 'spend' THEN l.amount_cents END), 0),
		COALESCE(SUM(CASE WHEN l.account = 'approve' THEN l.amount_cents END), 0),
		COALESCE(SUM(CASE WHEN l.account = 'pay' THEN l.amount_cents END), 0)
		FROM fund_grants g JOIN organizations o ON o.id = g.organization_id JOIN fund_sources s ON s.id = g.source_id
		LEFT JOIN fund_balances l ON l.grant_id = g.id
		WHERE 1 = 1`+where+` GROUP BY g.id, g.organization_id, g.source_id, o.name, s.name, g.status, g.alert_percent
		ORDER BY o.name, s.name, g.id`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []amparo.GrantBalance
	for rows.Next() {
		var b amparo.GrantBalance
		if err := rows.Scan(&b.GrantID, &b.OrganizationID, &b.SourceID, &b.OrganizationName, &b.SourceName, &b.Status, &b.AlertPercent, &b.AwardedCents, &b.CommittedCents,
			&b.SpentCents, &b.ApprovedCents, &b.PaidCents); err != nil {
			return nil, mapError(err)
		}
		b.UncommittedCents = b.AwardedCents - b.CommittedCents
		out = append(out, b)
	}
	if err := rows.Err(); err != nil {
		return nil, mapError(err)
	}
	if len(out) == 0 {
		return nil, fundNotFound("grant")
	}
	return out, nil
}

// reconcile refuses a transaction that leaves the grant's ledger
// unreconciled: the last guard behind each operation's own checks.
func (tx *Tx) reconcile(ctx context.Context, g *amparo.Grant) error {
	b, err := tx.balance(ctx, g)
	if err != nil {
		return err
	}
	if !b.Reconciles() {
		return amparo.Errorf(amparo.ECONFLICT, "the grant's ledger would not reconcile").Localize("fund.err.unbalanced")
	}
	return nil
}

// CorrectLedgerEntry posts the reversing entry of a posted one.
func (db *DB) CorrectLedgerEntry(ctx context.Context, id, reason string) (*amparo.LedgerEntry, error) {
	if err := needReason(reason); err != nil {
		return nil, err
	}
	var rev *amparo.LedgerEntry
	err := db.inTx(ctx, func(tx *Tx) error {
		if !tx.actor.RunsFund() {
			return fundForbidden()
		}
		e, err := scanEntry(tx.queryRow(ctx, "SELECT "+ledgerColumns+" FROM fund_ledger WHERE id = ?", id))
		if amparo.ErrorCode(err) == amparo.ENOTFOUND {
			return fundNotFound("ledger entry")
		} else if err != nil {
			return err
		}
		g, err := tx.grant(ctx, e.GrantID, true)
		if err != nil {
			return err
		}
		var n int
		if err := tx.queryRow(ctx, "SELECT COUNT(*) FROM fund_ledger WHERE reverses = ?", id).Scan(&n); err != nil {
			return mapError(err)
		}
		if n > 0 || e.Reverses != "" {
			return amparo.Errorf(amparo.ECONFLICT, "the entry was already corrected or is a correction").Localize("fund.err.reversed")
		}
		if err := tx.audit(ctx, amparo.AuditLedgerCorrect, id); err != nil {
			return err
		}
		rev = &amparo.LedgerEntry{GrantID: e.GrantID, SourceID: e.SourceID, OrganizationID: e.OrganizationID, Account: e.Account,
			AmountCents: -e.AmountCents, EffectiveOn: e.EffectiveOn, CaseID: e.CaseID, CostID: e.CostID, InvoiceID: e.InvoiceID,
			Reverses: e.ID, Reason: reason, Detained: e.Detained, PriorityGroup: e.PriorityGroup, BudgetLine: e.BudgetLine}
		if err := tx.post(ctx, rev); err != nil {
			return err
		}
		if e.Account == amparo.LedgerSpend && e.CostID != "" {
			// The cost's spending is undone: it is no longer approved.
			if _, err := tx.exec(ctx, "UPDATE fund_costs SET status = ?, updated_at = ? WHERE id = ?",
				string(amparo.CostReversed), formatTime(tx.now), e.CostID); err != nil {
				return err
			}
		}
		return tx.reconcile(ctx, g)
	})
	return rev, err
}

// FundLedger lists a grant's entries, or every entry the actor sees.
func (db *DB) FundLedger(ctx context.Context, grantID string) ([]*amparo.LedgerEntry, error) {
	var out []*amparo.LedgerEntry
	err := db.inReadTx(ctx, func(tx *Tx) error {
		scope, args, err := tx.orgScope("organization_id")
		if err != nil {
			return err
		}
		if grantID != "" {
			if _, err := tx.grant(ctx, grantID, false); err != nil {
				return err
			}
			scope += " AND grant_id = ?"
			args = append(args, grantID)
		}
		rows, err := tx.query(ctx, "SELECT "+ledgerColumns+" FROM fund_ledger WHERE 1 = 1"+scope+" ORDER BY seq", args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			e, err := scanEntry(rows)
			if err != nil {
				return err
			}
			out = append(out, e)
		}
		return mapError(rows.Err())
	})
	return out, err
}

// GrantBalances sums the ledger of every grant the actor sees.
func (db *DB) GrantBalances(ctx context.Context) ([]amparo.GrantBalance, error) {
	var out []amparo.GrantBalance
	err := db.inReadTx(ctx, func(tx *Tx) error {
		scope, args, err := tx.orgScope("g.organization_id")
		if err != nil {
			return err
		}
		out, err = tx.balances(ctx, scope, args...)
		if amparo.ErrorCode(err) == amparo.ENOTFOUND {
			out, err = nil, nil
		}
		return err
	})
	return out, err
}

// FundCompliance computes each source's floors and ceilings over the
// period from the ledger's spending (reversals net out), with every
// grant's balance.
func (db *DB) FundCompliance(ctx context.Context, period string) (*amparo.Compliance, error) {
	start, end, err := amparo.ParsePeriod(period)
	if err != nil {
		return nil, err
	}
	cp := &amparo.Compliance{Period: period, Start: start, End: end}
	err = db.inReadTx(ctx, func(tx *Tx) error {
		scope, args, err := tx.orgScope("l.organization_id")
		if err != nil {
			return err
		}
		type key struct {
			source, group, line string
			detained            bool
		}
		spent := map[key]int64{}
		rows, err := tx.query(ctx, `SELECT l.source_id, l.detained, l.priority_group, l.budget_line, SUM(l.amount_cents)
			FROM fund_spend_months l WHERE l.month >= ? AND l.month < ?`+scope+`
			GROUP BY l.source_id, l.detained, l.priority_group, l.budget_line`, append([]any{start.Format("2006-01"), end.Format("2006-01")}, args...)...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var k key
			var n int64
			if err := rows.Scan(&k.source, &k.detained, &k.group, &k.line, &n); err != nil {
				return mapError(err)
			}
			spent[k] += n
		}
		if err := rows.Err(); err != nil {
			return mapError(err)
		}
		rows.Close()
		sources, err := tx.sources(ctx, "")
		if err != nil {
			return err
		}
		for _, s := range sources {
			r, err := fund.ParseRestrictions(s.Restrictions.Text)
			if err != nil {
				return fmt.Errorf("source %s: %w", s.ID, err)
			}
			var total int64
			for k, n := range spent {
				if k.source == s.ID {
					total += n
				}
			}
			for _, l := range r.Limits {
				line := amparo.ComplianceLine{SourceID: s.ID, SourceName: s.Name, Period: period, Target: l.Target.String(),
					Ceiling: l.Ceiling, Percent: l.Percent, Text: l.Text, SpentCents: total}
				for k, n := range spent {
					if k.source == s.ID && (l.Target.Kind == "detained" && k.detained || l.Target.Kind == "group" && k.group == l.Target.Name ||
						l.Target.Kind == "line" && k.line == l.Target.Name) {
						line.TargetCents += n
					}
				}
				share := line.TargetCents * 100 // compared with Percent × total, in integers
				if l.Ceiling {
					line.Met = share <= int64(l.Percent)*total
				} else {
					line.Met = total == 0 || share >= int64(l.Percent)*total
				}
				cp.Lines = append(cp.Lines, line)
			}
		}
		bscope := strings.ReplaceAll(scope, "l.organization_id", "g.organization_id")
		cp.Grants, err = tx.balances(ctx, bscope, args...)
		if amparo.ErrorCode(err) == amparo.ENOTFOUND {
			cp.Grants, err = nil, nil
		}
		return err
	})
	return cp, err
}

package sqldb

import (
	"context"
	"slices"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/fund"
)

// Costs, invoices and outcomes of the fund (see fund.go).

const costColumns = `id, case_id, grant_id, organization_id, budget_line, kind, centihours, rate_cents, amount_cents, incurred_on, status,
	recorded_by, approved_by, created_at`

func scanCost(row interface{ Scan(...any) error }) (*amparo.Cost, error) {
	c := &amparo.Cost{}
	err := row.Scan(&c.ID, &c.CaseID, &c.GrantID, &c.OrganizationID, &c.BudgetLine, &c.Kind, &c.Centihours, &c.RateCents, &c.AmountCents,
		scanDate{&c.IncurredOn}, &c.Status, &c.RecordedBy, &c.ApprovedBy, scanTime{&c.CreatedAt})
	return c, mapError(err)
}

// checkCostDate refuses a date in the grant's locked past or outside its
// period.
func checkCostDate(g *amparo.Grant, d amparo.Date) error {
	if d.IsZero() {
		return fundField("incurred_on")
	}
	if !g.LockedThrough.IsZero() && !d.After(g.LockedThrough.Time) {
		return amparo.Invalid("incurred_on", "costs incurred on or before %s are locked", g.LockedThrough).
			Localize("fund.err.locked", g.LockedThrough.String())
	}
	if d.Before(g.PeriodStart.Time) || !d.Before(g.PeriodEnd.AddDate(0, 0, 1)) {
		return amparo.Invalid("incurred_on", "%s is outside the grant's period", d).Localize("fund.err.outside_period", d.String())
	}
	return nil
}

// RecordCost records a cost of a funded case.
func (db *DB) RecordCost(ctx context.Context, c *amparo.Cost) error {
	switch c.Kind {
	case amparo.CostTime:
		if c.Centihours <= 0 || c.Centihours > 24*100*366 {
			return fundField("hours")
		}
		if c.RateCents <= 0 || c.RateCents > 10_000_00 {
			return fundField("rate")
		}
		c.AmountCents = fund.TimeCost(c.Centihours, c.RateCents)
	case amparo.CostExpense:
		c.Centihours, c.RateCents = 0, 0
	default:
		return fundField("kind")
	}
	if c.AmountCents <= 0 || c.AmountCents > fund.MaxCents {
		return fundField("amount")
	}
	return db.inTx(ctx, func(tx *Tx) error {
		fc, err := tx.fundedCase(ctx, c.CaseID)
		if err != nil {
			return err
		}
		if !tx.actor.WorksFundOf(fc.OrganizationID) {
			return fundForbidden()
		}
		g, err := tx.grant(ctx, fc.GrantID, true)
		if err != nil {
			return err
		}
		if g.Status != amparo.GrantAwarded && g.Status != amparo.GrantActive && g.Status != amparo.GrantClosing {
			return amparo.Errorf(amparo.ECONFLICT, "the grant is not open").Localize("fund.err.grant_not_open")
		}
		if !slices.ContainsFunc(g.BudgetLines, func(l amparo.BudgetLine) bool { return l.Line == c.BudgetLine }) {
			return amparo.Invalid("budget_line", "the grant has no budget line %q", c.BudgetLine).Localize("fund.err.budget_line", c.BudgetLine)
		}
		if err := checkCostDate(g, c.IncurredOn); err != nil {
			return err
		}
		if c.ID == "" {
			c.ID = amparo.NewID()
		}
		c.GrantID, c.OrganizationID, c.Status, c.RecordedBy, c.ApprovedBy, c.CreatedAt = g.ID, g.OrganizationID, amparo.CostRecorded, tx.actor.ID, "", tx.now
		if err := tx.audit(ctx, amparo.AuditFundedCaseCost, fc.ID); err != nil {
			return err
		}
		_, err = tx.exec(ctx, "INSERT INTO fund_costs ("+costColumns+`, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			c.ID, c.CaseID, c.GrantID, c.OrganizationID, c.BudgetLine, string(c.Kind), c.Centihours, c.RateCents, c.AmountCents,
			c.IncurredOn.String(), string(c.Status), c.RecordedBy, c.ApprovedBy, formatTime(tx.now), formatTime(tx.now))
		return err
	})
}

// ApproveCost approves a cost and posts its spending.
func (db *DB) ApproveCost(ctx context.Context, id string) (*amparo.Cost, error) {
	var c *amparo.Cost
	err := db.inTx(ctx, func(tx *Tx) error {
		var err error
		c, err = scanCost(tx.queryRow(ctx, "SELECT "+costColumns+" FROM fund_costs WHERE id = ?"+tx.db.dialect.forUpdate(), id))
		if amparo.ErrorCode(err) == amparo.ENOTFOUND {
			return fundNotFound("cost")
		} else if err != nil {
			return err
		}
		if !tx.actor.ApprovesCostsOf(c.OrganizationID) {
			return fundForbidden()
		}
		if c.Status != amparo.CostRecorded {
			return amparo.Errorf(amparo.ECONFLICT, "the cost is %s, not awaiting approval", c.Status).Localize("fund.err.cost_not_recorded")
		}
		g, err := tx.grant(ctx, c.GrantID, true)
		if err != nil {
			return err
		}
		fc, err := tx.fundedCase(ctx, c.CaseID)
		if err != nil {
			return err
		}
		if err := checkCostDate(g, c.IncurredOn); err != nil {
			return err
		}
		b, err := tx.balance(ctx, g)
		if err != nil {
			return err
		}
		if b.SpentCents+c.AmountCents > b.CommittedCents {
			return amparo.Errorf(amparo.ECONFLICT, "more than is committed").
				Localize("fund.err.over_committed", fund.FormatCents(b.CommittedCents-b.SpentCents))
		}
		if err := tx.audit(ctx, amparo.AuditFundedCaseApprove, c.CaseID); err != nil {
			return err
		}
		c.Status, c.ApprovedBy = amparo.CostApproved, tx.actor.ID
		if _, err := tx.exec(ctx, "UPDATE fund_costs SET status = ?, approved_by = ?, updated_at = ? WHERE id = ?",
			string(c.Status), c.ApprovedBy, formatTime(tx.now), c.ID); err != nil {
			return err
		}
		if err := tx.post(ctx, &amparo.LedgerEntry{GrantID: g.ID, SourceID: g.SourceID, OrganizationID: g.OrganizationID,
			Account: amparo.LedgerSpend, AmountCents: c.AmountCents, EffectiveOn: c.IncurredOn, CaseID: c.CaseID, CostID: c.ID,
			Detained: fc.Detained, PriorityGroup: fc.PriorityGroup, BudgetLine: c.BudgetLine}); err != nil {
			return err
		}
		return tx.reconcile(ctx, g)
	})
	return c, err
}

// FindCosts lists a case's costs, by date.
func (db *DB) FindCosts(ctx context.Context, caseID string) ([]*amparo.Cost, error) {
	var out []*amparo.Cost
	err := db.inReadTx(ctx, func(tx *Tx) error {
		if _, err := tx.fundedCase(ctx, caseID); err != nil {
			return err
		}
		rows, err := tx.query(ctx, "SELECT "+costColumns+" FROM fund_costs WHERE case_id = ? ORDER BY incurred_on, created_at, id", caseID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			c, err := scanCost(rows)
			if err != nil {
				return err
			}
			out = append(out, c)
		}
		return mapError(rows.Err())
	})
	return out, err
}

const invoiceColumns = "id, grant_id, organization_id, period, amount_cents, status, created_at, updated_at"

func scanInvoice(row interface{ Scan(...any) error }) (*amparo.Invoice, error) {
	v := &amparo.Invoice{}
	err := row.Scan(&v.ID, &v.GrantID, &v.OrganizationID, &v.Period, &v.AmountCents, &v.Status, scanTime{&v.CreatedAt}, scanTime{&v.UpdatedAt})
	return v, mapError(err)
}

// SubmitInvoice requests reimbursement for a period, at most what was
// spent and not yet invoiced (rejected invoices do not count).
func (db *DB) SubmitInvoice(ctx context.Context, inv *amparo.Invoice) error {
	if _, _, err := amparo.ParsePeriod(inv.Period); err != nil {
		return err
	}
	if inv.AmountCents <= 0 || inv.AmountCents > fund.MaxCents {
		return fundField("amount")
	}
	return db.inTx(ctx, func(tx *Tx) error {
		g, err := tx.grant(ctx, inv.GrantID, true)
		if err != nil {
			return err
		}
		if !tx.actor.ApprovesCostsOf(g.OrganizationID) && !tx.actor.RunsFund() {
			return fundForbidden()
		}
		b, err := tx.balance(ctx, g)
		if err != nil {
			return err
		}
		var invoiced int64
		if err := tx.queryRow(ctx, "SELECT COALESCE(SUM(amount_cents), 0) FROM fund_invoices WHERE grant_id = ? AND status <> ?",
			g.ID, string(amparo.InvoiceRejected)).Scan(&invoiced); err != nil {
			return mapError(err)
		}
		if inv.AmountCents > b.SpentCents-invoiced {
			return amparo.Errorf(amparo.ECONFLICT, "more than was spent and not yet invoiced").
				Localize("fund.err.invoice_over", fund.FormatCents(b.SpentCents-invoiced))
		}
		if inv.ID == "" {
			inv.ID = amparo.NewID()
		}
		inv.OrganizationID, inv.Status, inv.CreatedAt, inv.UpdatedAt = g.OrganizationID, amparo.InvoiceSubmitted, tx.now, tx.now
		if err := tx.audit(ctx, amparo.AuditInvoiceSubmit, inv.ID); err != nil {
			return err
		}
		_, err = tx.exec(ctx, "INSERT INTO fund_invoices ("+invoiceColumns+") VALUES (?, ?, ?, ?, ?, ?, ?, ?)", inv.ID, inv.GrantID,
			inv.OrganizationID, inv.Period, inv.AmountCents, string(inv.Status), formatTime(tx.now), formatTime(tx.now))
		return err
	})
}

// DecideInvoice approves or rejects a submitted invoice, or marks an
// approved one paid, posting approve and pay entries.
func (db *DB) DecideInvoice(ctx context.Context, id string, status amparo.InvoiceStatus) (*amparo.Invoice, error) {
	var v *amparo.Invoice
	err := db.inTx(ctx, func(tx *Tx) error {
		if !tx.actor.RunsFund() {
			return fundForbidden()
		}
		var err error
		v, err = scanInvoice(tx.queryRow(ctx, "SELECT "+invoiceColumns+" FROM fund_invoices WHERE id = ?"+tx.db.dialect.forUpdate(), id))
		if amparo.ErrorCode(err) == amparo.ENOTFOUND {
			return fundNotFound("invoice")
		} else if err != nil {
			return err
		}
		ok := v.Status == amparo.InvoiceSubmitted && (status == amparo.InvoiceApproved || status == amparo.InvoiceRejected) ||
			v.Status == amparo.InvoiceApproved && status == amparo.InvoicePaid
		if !ok {
			return amparo.Errorf(amparo.ECONFLICT, "an invoice cannot go from %s to %s", v.Status, status).
				Localize("fund.err.invoice_status", string(v.Status), string(status))
		}
		g, err := tx.grant(ctx, v.GrantID, true)
		if err != nil {
			return err
		}
		if err := tx.audit(ctx, amparo.AuditInvoiceDecide, id); err != nil {
			return err
		}
		v.Status, v.UpdatedAt = status, tx.now
		if _, err := tx.exec(ctx, "UPDATE fund_invoices SET status = ?, updated_at = ? WHERE id = ?", string(status), formatTime(tx.now), id); err != nil {
			return err
		}
		account := map[amparo.InvoiceStatus]amparo.LedgerAccount{amparo.InvoiceApproved: amparo.LedgerApprove, amparo.InvoicePaid: amparo.LedgerPay}[status]
		if account != "" {
			if err := tx.post(ctx, &amparo.LedgerEntry{GrantID: g.ID, SourceID: g.SourceID, OrganizationID: g.OrganizationID,
				Account: account, AmountCents: v.AmountCents, InvoiceID: v.ID}); err != nil {
				return err
			}
		}
		return tx.reconcile(ctx, g)
	})
	return v, err
}

// FindInvoices lists a grant's invoices, by period.
func (db *DB) FindInvoices(ctx context.Context, grantID string) ([]*amparo.Invoice, error) {
	var out []*amparo.Invoice
	err := db.inReadTx(ctx, func(tx *Tx) error {
		if _, err := tx.grant(ctx, grantID, false); err != nil {
			return err
		}
		rows, err := tx.query(ctx, "SELECT "+invoiceColumns+" FROM fund_invoices WHERE grant_id = ? ORDER BY period, created_at, id", grantID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			v, err := scanInvoice(rows)
			if err != nil {
				return err
			}
			out = append(out, v)
		}
		return mapError(rows.Err())
	})
	return out, err
}

// RecordOutcome records a dated outcome of a funded case.
func (db *DB) RecordOutcome(ctx context.Context, o *amparo.Outcome) error {
	switch {
	case !slices.Contains(amparo.OutcomeKinds, o.Kind):
		return fundField("kind")
	case o.Kind == amparo.OutcomeRelief && !slices.Contains(amparo.Reliefs, o.Relief):
		return fundField("relief")
	case o.Kind != amparo.OutcomeRelief && o.Relief != "":
		return fundField("relief")
	case o.Kind == amparo.OutcomeBondGranted && (o.BondCents <= 0 || o.BondCents > fund.MaxCents):
		return fundField("bond")
	case o.Kind != amparo.OutcomeBondGranted && o.BondCents != 0:
		return fundField("bond")
	case o.DecidedOn.IsZero():
		return fundField("decided_on")
	}
	return db.inTx(ctx, func(tx *Tx) error {
		fc, err := tx.fundedCase(ctx, o.CaseID)
		if err != nil {
			return err
		}
		if !tx.actor.WorksFundOf(fc.OrganizationID) {
			return fundForbidden()
		}
		if o.DecidedOn.After(tx.now) {
			return fundField("decided_on")
		}
		if o.ID == "" {
			o.ID = amparo.NewID()
		}
		o.RecordedBy, o.RecordedAt = tx.actor.ID, tx.now
		if err := tx.audit(ctx, amparo.AuditFundedCaseOutcome, fc.ID); err != nil {
			return err
		}
		_, err = tx.exec(ctx, `INSERT INTO fund_outcomes (id, case_id, kind, relief, bond_cents, decided_on, recorded_by, recorded_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, o.ID, o.CaseID, string(o.Kind), o.Relief, o.BondCents, o.DecidedOn.String(), o.RecordedBy,
			formatTime(o.RecordedAt))
		return err
	})
}

// FindOutcomes lists a case's outcomes, by date.
func (db *DB) FindOutcomes(ctx context.Context, caseID string) ([]*amparo.Outcome, error) {
	var out []*amparo.Outcome
	err := db.inReadTx(ctx, func(tx *Tx) error {
		if _, err := tx.fundedCase(ctx, caseID); err != nil {
			return err
		}
		rows, err := tx.query(ctx, `SELECT id, case_id, kind, relief, bond_cents, decided_on, recorded_by, recorded_at FROM fund_outcomes
			WHERE case_id = ? ORDER BY decided_on, recorded_at, id`, caseID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			o := &amparo.Outcome{}
			if err := rows.Scan(&o.ID, &o.CaseID, &o.Kind, &o.Relief, &o.BondCents, scanDate{&o.DecidedOn}, &o.RecordedBy, scanTime{&o.RecordedAt}); err != nil {
				return mapError(err)
			}
			out = append(out, o)
		}
		return mapError(rows.Err())
	})
	return out, err
}

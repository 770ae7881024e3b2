package sqldb

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strconv"
	"strings"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/fund"
	"github.com/amparo-project/amparo/priority"
)

var _ amparo.FundService = (*DB)(nil)

// The defense fund: sources and their restrictions, grants and funded
// cases here; costs, invoices and outcomes in fund_cost.go; the ledger,
// balances and compliance in fund_ledger.go. Every change audits first
// (which takes the audit chain's lock, so postings take turns) and posts
// its ledger entries in the same transaction.

func fundForbidden() error {
	return amparo.Errorf(amparo.EFORBIDDEN, "you cannot do this in the fund").Localize("fund.err.forbidden")
}

func fundNotFound(what string) error {
	return amparo.Errorf(amparo.ENOTFOUND, "%s not found", what).Localize("fund.err.not_found")
}

func fundField(field string) error {
	return amparo.Invalid(field, "missing or not valid").Localize("fund.err.field", field)
}

func needReason(reason string) error {
	if strings.TrimSpace(reason) == "" || len(reason) > 500 {
		return amparo.Invalid("reason", "a reason is required (at most 500 characters)").Localize("fund.err.reason")
	}
	return nil
}

// scanDate reads a 'YYYY-MM-DD' text column; "" gives the zero date.
type scanDate struct{ d *amparo.Date }

func (s scanDate) Scan(src any) error {
	var v string
	switch x := src.(type) {
	case nil:
	case string:
		v = x
	case []byte:
		v = string(x)
	default:
		return errors.New("cannot scan a date")
	}
	if v == "" {
		*s.d = amparo.Date{}
		return nil
	}
	d, err := amparo.ParseDate(v)
	*s.d = d
	return err
}

// parseRestrictions parses a source's restrictions, EINVALID naming the
// line and the word.
func parseRestrictions(text string) (*fund.Restrictions, error) {
	r, err := fund.ParseRestrictions(text)
	if err != nil {
		var pe *fund.ParseError
		if errors.As(err, &pe) {
			return nil, amparo.Invalid("restrictions", "%s", pe.Error()).Localize("fund.err.restrictions", pe.Line, pe.Word)
		}
		return nil, err
	}
	return r, nil
}

func validSource(s *amparo.FundSource) error {
	switch {
	case strings.TrimSpace(s.Name) == "" || len(s.Name) > 200:
		return fundField("name")
	case !slices.Contains([]amparo.FundSourceKind{amparo.SourceCity, amparo.SourceCounty, amparo.SourcePrivate}, s.Kind):
		return fundField("kind")
	case s.AmountCents <= 0 || s.AmountCents > fund.MaxCents:
		return fundField("amount")
	case s.PeriodStart.IsZero() || s.PeriodEnd.IsZero() || !s.PeriodEnd.After(s.PeriodStart.Time):
		return fundField("period")
	}
	return nil
}

// CreateFundSource stores a source with its first restrictions.
func (db *DB) CreateFundSource(ctx context.Context, s *amparo.FundSource, restrictions, reason string) error {
	if err := validSource(s); err != nil {
		return err
	}
	if _, err := parseRestrictions(restrictions); err != nil {
		return err
	}
	if err := needReason(reason); err != nil {
		return err
	}
	return db.inTx(ctx, func(tx *Tx) error {
		if !tx.actor.RunsFund() {
			return fundForbidden()
		}
		if s.ID == "" {
			s.ID = amparo.NewID()
		}
		s.CreatedAt = tx.now
		if err := tx.audit(ctx, amparo.AuditFundSourceCreate, s.ID); err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `INSERT INTO fund_sources (id, name, kind, amount_cents, period_start, period_end, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, s.ID, s.Name, string(s.Kind), s.AmountCents, s.PeriodStart.String(), s.PeriodEnd.String(),
			formatTime(s.CreatedAt)); err != nil {
			return err
		}
		r, err := tx.addRestrictions(ctx, s.ID, restrictions, reason)
		s.Restrictions = r
		return err
	})
}

func (tx *Tx) addRestrictions(ctx context.Context, sourceID, text, reason string) (*amparo.FundRestrictions, error) {
	r := &amparo.FundRestrictions{SourceID: sourceID, Text: text, Reason: reason, Author: tx.actor.ID, CreatedAt: tx.now}
	if err := tx.queryRow(ctx, "SELECT COALESCE(MAX(version), 0) + 1 FROM fund_restrictions WHERE source_id = ?", sourceID).Scan(&r.Version); err != nil {
		return nil, mapError(err)
	}
	_, err := tx.exec(ctx, `INSERT INTO fund_restrictions (source_id, version, text, reason, author, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
		r.SourceID, r.Version, r.Text, r.Reason, r.Author, formatTime(r.CreatedAt))
	return r, err
}

// SetFundRestrictions puts a new version of a source's restrictions in force.
func (db *DB) SetFundRestrictions(ctx context.Context, sourceID, text, reason string) (*amparo.FundRestrictions, error) {
	if _, err := parseRestrictions(text); err != nil {
		return nil, err
	}
	if err := needReason(reason); err != nil {
		return nil, err
	}
	var r *amparo.FundRestrictions
	err := db.inTx(ctx, func(tx *Tx) error {
		if !tx.actor.RunsFund() {
			return fundForbidden()
		}
		if _, err := tx.source(ctx, sourceID); err != nil {
			return err
		}
		if err := tx.audit(ctx, amparo.AuditFundSourceRestrict, sourceID); err != nil {
			return err
		}
		var err error
		r, err = tx.addRestrictions(ctx, sourceID, text, reason)
		return err
	})
	return r, err
}

func (tx *Tx) source(ctx context.Context, id string) (*amparo.FundSource, error) {
	ss, err := tx.sources(ctx, "WHERE s.id = ?", id)
	if err != nil {
		return nil, err
	}
	if len(ss) == 0 {
		return nil, fundNotFound("fund source")
	}
	return ss[0], nil
}

func (tx *Tx) sources(ctx context.Context, where string, args ...any) ([]*amparo.FundSource, error) {
	rows, err := tx.query(ctx, `SELECT s.id, s.name, s.kind, s.amount_cents, s.period_start, s.period_end, s.created_at,
		r.version, r.text, r.reason, r.author, r.created_at
		FROM fund_sources s JOIN fund_restrictions r ON r.source_id = s.id
		AND r.version = (SELECT MAX(version) FROM fund_restrictions WHERE source_id = s.id) `+where+` ORDER BY s.name, s.id`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*amparo.FundSource
	for rows.Next() {
		s := &amparo.FundSource{Restrictions: &amparo.FundRestrictions{}}
		r := s.Restrictions
		if err := rows.Scan(&s.ID, &s.Name, &s.Kind, &s.AmountCents, scanDate{&s.PeriodStart}, scanDate{&s.PeriodEnd}, scanTime{&s.CreatedAt},
			&r.Version, &r.Text, &r.Reason, &r.Author, scanTime{&r.CreatedAt}); err != nil {
			return nil, mapError(err)
		}
		r.SourceID = s.ID
		out = append(out, s)
	}
	return out, mapError(rows.Err())
}

// FindFundSources lists the sources with their restrictions in force:
// anyone who reads the fund.
func (db *DB) FindFundSources(ctx context.Context) ([]*amparo.FundSource, error) {
	var out []*amparo.FundSource
	err := db.inReadTx(ctx, func(tx *Tx) error {
		if !tx.actor.RunsFund() && !tx.actor.ReadsFundOf(tx.actor.OrganizationID) {
			return fundForbidden()
		}
		var err error
		out, err = tx.sources(ctx, "")
		return err
	})
	return out, err
}

// FundRestrictionsHistory lists a source's restrictions, newest first.
func (db *DB) FundRestrictionsHistory(ctx context.Context, sourceID string) ([]*amparo.FundRestrictions, error) {
	var out []*amparo.FundRestrictions
	err := db.inReadTx(ctx, func(tx *Tx) error {
		if !tx.actor.RunsFund() && tx.actor.Role != amparo.RoleAuditor {
			return fundForbidden()
		}
		rows, err := tx.query(ctx, `SELECT version, text, reason, author, created_at FROM fund_restrictions WHERE source_id = ? ORDER BY version DESC`, sourceID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			r := &amparo.FundRestrictions{SourceID: sourceID}
			if err := rows.Scan(&r.Version, &r.Text, &r.Reason, &r.Author, scanTime{&r.CreatedAt}); err != nil {
				return mapError(err)
			}
			out = append(out, r)
		}
		return mapError(rows.Err())
	})
	return out, err
}

// Grants.

const grantColumns = `g.id, g.source_id, g.organization_id, g.status, g.awarded_cents, g.period_start, g.period_end, g.locked_through,
	g.alert_percent, g.created_at, g.updated_at,
	COALESCE((SELECT o.name FROM organizations o WHERE o.id = g.organization_id), ''),
	COALESCE((SELECT s.name FROM fund_sources s WHERE s.id = g.source_id), '')`

func scanGrant(row interface{ Scan(...any) error }) (*amparo.Grant, error) {
	g := &amparo.Grant{}
	err := row.Scan(&g.ID, &g.SourceID, &g.OrganizationID, &g.Status, &g.AwardedCents, scanDate{&g.PeriodStart}, scanDate{&g.PeriodEnd},
		scanDate{&g.LockedThrough}, &g.AlertPercent, scanTime{&g.CreatedAt}, scanTime{&g.UpdatedAt}, &g.OrganizationName, &g.SourceName)
	return g, mapError(err)
}

// CreateGrant stores a draft grant with its budget lines.
func (db *DB) CreateGrant(ctx context.Context, g *amparo.Grant) error {
	switch {
	case g.SourceID == "":
		return fundField("source")
	case g.OrganizationID == "":
		return fundField("organization")
	case g.AwardedCents <= 0 || g.AwardedCents > fund.MaxCents:
		return fundField("awarded")
	case g.PeriodStart.IsZero() || g.PeriodEnd.IsZero() || !g.PeriodEnd.After(g.PeriodStart.Time):
		return fundField("period")
	case g.AlertPercent < 0 || g.AlertPercent > 100:
		return fundField("alert_percent")
	}
	if g.AlertPercent == 0 {
		g.AlertPercent = amparo.DefaultGrantAlertPercent
	}
	return db.inTx(ctx, func(tx *Tx) error {
		if !tx.actor.RunsFund() {
			return fundForbidden()
		}
		src, err := tx.source(ctx, g.SourceID)
		if err != nil {
			return err
		}
		r, err := parseRestrictions(src.Restrictions.Text)
		if err != nil {
			return err
		}
		if err := checkLines(r, g.BudgetLines, g.AwardedCents); err != nil {
			return err
		}
		var n int
		if err := tx.queryRow(ctx, "SELECT COUNT(*) FROM organizations WHERE id = ?", g.OrganizationID).Scan(&n); err != nil {
			return mapError(err)
		} else if n == 0 {
			return fundNotFound("organization")
		}
		if g.ID == "" {
			g.ID = amparo.NewID()
		}
		g.Status, g.CreatedAt, g.UpdatedAt = amparo.GrantDraft, tx.now, tx.now
		if err := tx.audit(ctx, amparo.AuditGrantCreate, g.ID); err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `INSERT INTO fund_grants (id, source_id, organization_id, status, awarded_cents, period_start, period_end,
			locked_through, alert_percent, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			g.ID, g.SourceID, g.OrganizationID, string(g.Status), g.AwardedCents, g.PeriodStart.String(), g.PeriodEnd.String(),
			g.LockedThrough.String(), g.AlertPercent, formatTime(g.CreatedAt), formatTime(g.UpdatedAt)); err != nil {
			return err
		}
		for _, l := range g.BudgetLines {
			if _, err := tx.exec(ctx, "INSERT INTO fund_budget_lines (grant_id, line, amount_cents) VALUES (?, ?, ?)", g.ID, l.Line, l.AmountCents); err != nil {
				return err
			}
		}
		return tx.amendment(ctx, g, "created")
	})
}

func (tx *Tx) amendment(ctx context.Context, g *amparo.Grant, reason string) error {
	_, err := tx.exec(ctx, `INSERT INTO fund_amendments (id, grant_id, status, awarded_cents, period_start, period_end, budget_lines, reason,
		actor_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		amparo.NewID(), g.ID, string(g.Status), g.AwardedCents, g.PeriodStart.String(), g.PeriodEnd.String(), formatLines(g.BudgetLines),
		reason, tx.actor.ID, formatTime(tx.now))
	return err
}

// formatLines writes budget lines as an amendment keeps them:
// "attorney=5000000,fees=250050".
func formatLines(ls []amparo.BudgetLine) string {
	parts := make([]string, len(ls))
	for i, l := range ls {
		parts[i] = l.Line + "=" + strconv.FormatInt(l.AmountCents, 10)
	}
	return strings.Join(parts, ",")
}

func parseLines(s string) []amparo.BudgetLine {
	var out []amparo.BudgetLine
	for p := range strings.SplitSeq(s, ",") {
		line, v, ok := strings.Cut(p, "=")
		if n, err := strconv.ParseInt(v, 10, 64); ok && err == nil {
			out = append(out, amparo.BudgetLine{Line: line, AmountCents: n})
		}
	}
	return out
}

// checkLines refuses budget lines the source does not allow, twice named
// or adding up to more than the award.
func checkLines(r *fund.Restrictions, lines []amparo.BudgetLine, awarded int64) error {
	var sum int64
	seen := map[string]bool{}
	for _, l := range lines {
		if !slices.Contains(fund.BudgetLines, l.Line) || seen[l.Line] || l.AmountCents < 0 || l.AmountCents > fund.MaxCents {
			return amparo.Invalid("budget_lines", "no budget line %q", l.Line).Localize("fund.err.budget_line", l.Line)
		}
		if !r.Allows(l.Line) {
			return amparo.Invalid("budget_lines", "the source does not allow %q", l.Line).Localize("fund.err.line_not_allowed", l.Line)
		}
		seen[l.Line] = true
		sum += l.AmountCents
	}
	if sum > awarded {
		return amparo.Invalid("budget_lines", "the budget lines add up to more than the award").Localize("fund.err.lines_over_award")
	}
	return nil
}

// grant reads a grant the actor reads (lock: for a change), with its
// budget lines.
func (tx *Tx) grant(ctx context.Context, id string, lock bool) (*amparo.Grant, error) {
	suffix := ""
	if lock {
		suffix = tx.db.dialect.forUpdate()
	}
	g, err := scanGrant(tx.queryRow(ctx, "SELECT "+grantColumns+" FROM fund_grants g WHERE g.id = ?"+suffix, id))
	if amparo.ErrorCode(err) == amparo.ENOTFOUND {
		return nil, fundNotFound("grant")
	} else if err != nil {
		return nil, err
	}
	if !tx.actor.ReadsFundOf(g.OrganizationID) {
		return nil, fundForbidden()
	}
	rows, err := tx.query(ctx, "SELECT line, amount_cents FROM fund_budget_lines WHERE grant_id = ? ORDER BY line", id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var l amparo.BudgetLine
		if err := rows.Scan(&l.Line, &l.AmountCents); err != nil {
			return nil, mapError(err)
		}
		g.BudgetLines = append(g.BudgetLines, l)
	}
	return g, mapError(rows.Err())
}

// SetGrantStatus moves a grant one step; awarding posts the award.
func (db *DB) SetGrantStatus(ctx context.Context, id string, status amparo.GrantStatus, reason string) (*amparo.Grant, error) {
	if err := needReason(reason); err != nil {
		return nil, err
	}
	var g *amparo.Grant
	err := db.inTx(ctx, func(tx *Tx) error {
		if !tx.actor.RunsFund() {
			return fundForbidden()
		}
		var err error
		if g, err = tx.grant(ctx, id, true); err != nil {
			return err
		}
		if !g.Status.Next(status) {
			return amparo.Errorf(amparo.ECONFLICT, "a grant cannot go from %s to %s", g.Status, status).Localize("fund.err.status", string(g.Status), string(status))
		}
		if err := tx.audit(ctx, amparo.AuditGrantStatus, id); err != nil {
			return err
		}
		g.Status, g.UpdatedAt = status, tx.now
		if _, err := tx.exec(ctx, "UPDATE fund_grants SET status = ?, updated_at = ? WHERE id = ?", string(status), formatTime(tx.now), id); err != nil {
			return err
		}
		if status == amparo.GrantAwarded {
			if err := tx.post(ctx, &amparo.LedgerEntry{GrantID: g.ID, SourceID: g.SourceID, OrganizationID: g.OrganizationID,
				Account: amparo.LedgerAward, AmountCents: g.AwardedCents, EffectiveOn: amparo.Date{Time: tx.now}, Reason: reason}); err != nil {
				return err
			}
		}
		return tx.amendment(ctx, g, reason)
	})
	return g, err
}

// AmendGrant changes the award alone, posting the difference once
// awarded: AmendGrantTerms with the period and lines in force.
func (db *DB) AmendGrant(ctx context.Context, id string, awardedCents int64, reason string) (*amparo.Grant, error) {
	if awardedCents <= 0 || awardedCents > fund.MaxCents {
		return nil, fundField("awarded")
	}
	return db.amendGrant(ctx, id, amparo.GrantTerms{AwardedCents: awardedCents}, false, reason)
}

// AmendGrantTerms changes the award, the period and the budget lines.
func (db *DB) AmendGrantTerms(ctx context.Context, id string, t amparo.GrantTerms, reason string) (*amparo.Grant, error) {
	switch {
	case t.AwardedCents <= 0 || t.AwardedCents > fund.MaxCents:
		return nil, fundField("awarded")
	case t.PeriodStart.IsZero() || t.PeriodEnd.IsZero() || !t.PeriodEnd.After(t.PeriodStart.Time):
		return nil, fundField("period")
	}
	return db.amendGrant(ctx, id, t, true, reason)
}

func (db *DB) amendGrant(ctx context.Context, id string, t amparo.GrantTerms, terms bool, reason string) (*amparo.Grant, error) {
	if err := needReason(reason); err != nil {
		return nil, err
	}
	var g *amparo.Grant
	err := db.inTx(ctx, func(tx *Tx) error {
		if !tx.actor.RunsFund() {
			return fundForbidden()
		}
		var err error
		if g, err = tx.grant(ctx, id, true); err != nil {
			return err
		}
		if g.Status == amparo.GrantClosed {
			return amparo.Errorf(amparo.ECONFLICT, "a closed grant is not amended").Localize("fund.err.grant_not_open")
		}
		if !terms {
			t.PeriodStart, t.PeriodEnd, t.BudgetLines = g.PeriodStart, g.PeriodEnd, g.BudgetLines
		} else {
			src, err := tx.source(ctx, g.SourceID)
			if err != nil {
				return err
			}
			r, err := parseRestrictions(src.Restrictions.Text)
			if err != nil {
				return err
			}
			if err := checkLines(r, t.BudgetLines, t.AwardedCents); err != nil {
				return err
			}
			// A period that leaves out a cost already recorded would orphan it.
			var n int
			if err := tx.queryRow(ctx, "SELECT COUNT(*) FROM fund_costs WHERE grant_id = ? AND (incurred_on < ? OR incurred_on > ?)",
				g.ID, t.PeriodStart.String(), t.PeriodEnd.String()).Scan(&n); err != nil {
				return mapError(err)
			}
			if n > 0 {
				return amparo.Invalid("period", "%d costs fall outside the new period", n).Localize("fund.err.period_leaves_costs")
			}
		}
		b, err := tx.balance(ctx, g)
		if err != nil {
			return err
		}
		if t.AwardedCents < b.CommittedCents {
			return amparo.Errorf(amparo.ECONFLICT, "the award cannot be under what is committed").
				Localize("fund.err.under_committed", fund.FormatCents(b.CommittedCents))
		}
		if err := tx.audit(ctx, amparo.AuditGrantAmend, id); err != nil {
			return err
		}
		delta := t.AwardedCents - g.AwardedCents
		g.AwardedCents, g.PeriodStart, g.PeriodEnd, g.UpdatedAt = t.AwardedCents, t.PeriodStart, t.PeriodEnd, tx.now
		if _, err := tx.exec(ctx, "UPDATE fund_grants SET awarded_cents = ?, period_start = ?, period_end = ?, updated_at = ? WHERE id = ?",
			g.AwardedCents, g.PeriodStart.String(), g.PeriodEnd.String(), formatTime(tx.now), id); err != nil {
			return err
		}
		if terms {
			if _, err := tx.exec(ctx, "DELETE FROM fund_budget_lines WHERE grant_id = ?", id); err != nil {
				return err
			}
			g.BudgetLines = slices.Clone(t.BudgetLines)
			slices.SortFunc(g.BudgetLines, func(a, b amparo.BudgetLine) int { return strings.Compare(a.Line, b.Line) })
			for _, l := range g.BudgetLines {
				if _, err := tx.exec(ctx, "INSERT INTO fund_budget_lines (grant_id, line, amount_cents) VALUES (?, ?, ?)", id, l.Line, l.AmountCents); err != nil {
					return err
				}
			}
		}
		if g.Status != amparo.GrantDraft && delta != 0 {
			if err := tx.post(ctx, &amparo.LedgerEntry{GrantID: g.ID, SourceID: g.SourceID, OrganizationID: g.OrganizationID,
				Account: amparo.LedgerAward, AmountCents: delta, EffectiveOn: amparo.Date{Time: tx.now}, Reason: reason}); err != nil {
				return err
			}
		}
		if err := tx.amendment(ctx, g, reason); err != nil {
			return err
		}
		return tx.reconcile(ctx, g)
	})
	return g, err
}

// LockGrantCosts locks the costs incurred on or before through.
func (db *DB) LockGrantCosts(ctx context.Context, id string, through amparo.Date) (*amparo.Grant, error) {
	if through.IsZero() {
		return nil, fundField("locked_through")
	}
	var g *amparo.Grant
	err := db.inTx(ctx, func(tx *Tx) error {
		if !tx.actor.RunsFund() {
			return fundForbidden()
		}
		var err error
		if g, err = tx.grant(ctx, id, true); err != nil {
			return err
		}
		if through.Before(g.LockedThrough.Time) {
			return fundField("locked_through") // a lock never moves back
		}
		if err := tx.audit(ctx, amparo.AuditGrantLock, id); err != nil {
			return err
		}
		g.LockedThrough, g.UpdatedAt = through, tx.now
		_, err = tx.exec(ctx, "UPDATE fund_grants SET locked_through = ?, updated_at = ? WHERE id = ?", through.String(), formatTime(tx.now), id)
		return err
	})
	return g, err
}

// FindGrantByID reads a grant the actor reads.
func (db *DB) FindGrantByID(ctx context.Context, id string) (*amparo.Grant, error) {
	var g *amparo.Grant
	err := db.inReadTx(ctx, func(tx *Tx) error {
		var err error
		g, err = tx.grant(ctx, id, false)
		return err
	})
	return g, err
}

// orgScope is the condition that keeps an organization's staff to its
// own records: "" for whoever runs the fund or audits.
func (tx *Tx) orgScope(column string) (string, []any, error) {
	a := tx.actor
	if a.RunsFund() || a.Role == amparo.RoleAuditor {
		return "", nil, nil
	}
	if !a.ReadsFundOf(a.OrganizationID) {
		return "", nil, fundForbidden()
	}
	return " AND " + column + " = ?", []any{a.OrganizationID}, nil
}

// FindGrants lists the grants the actor sees, of orgID ("" for all).
func (db *DB) FindGrants(ctx context.Context, orgID string) ([]*amparo.Grant, error) {
	var out []*amparo.Grant
	err := db.inReadTx(ctx, func(tx *Tx) error {
		scope, args, err := tx.orgScope("g.organization_id")
		if err != nil {
			return err
		}
		if orgID != "" {
			scope += " AND g.organization_id = ?"
			args = append(args, orgID)
		}
		rows, err := tx.query(ctx, "SELECT "+grantColumns+" FROM fund_grants g WHERE 1 = 1"+scope+" ORDER BY g.period_start DESC, g.id", args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			g, err := scanGrant(rows)
			if err != nil {
				return err
			}
			out = append(out, g)
		}
		return mapError(rows.Err())
	})
	return out, err
}

// FindGrantAmendments lists a grant's amendments, oldest first.
func (db *DB) FindGrantAmendments(ctx context.Context, grantID string) ([]*amparo.GrantAmendment, error) {
	var out []*amparo.GrantAmendment
	err := db.inReadTx(ctx, func(tx *Tx) error {
		if _, err := tx.grant(ctx, grantID, false); err != nil {
			return err
		}
		rows, err := tx.query(ctx, `SELECT id, status, awarded_cents, period_start, period_end, budget_lines, reason, actor_id, created_at
			FROM fund_amendments WHERE grant_id = ? ORDER BY created_at, id`, grantID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			a := &amparo.GrantAmendment{GrantID: grantID}
			var lines string
			if err := rows.Scan(&a.ID, &a.Status, &a.AwardedCents, scanDate{&a.PeriodStart}, scanDate{&a.PeriodEnd}, &lines, &a.Reason, &a.ActorID,
				scanTime{&a.CreatedAt}); err != nil {
				return mapError(err)
			}
			a.BudgetLines = parseLines(lines)
			out = append(out, a)
		}
		return mapError(rows.Err())
	})
	return out, err
}

// Funded cases.

// FundCase takes a case on under a grant.
func (db *DB) FundCase(ctx context.Context, c *amparo.FundedCase) error {
	switch {
	case (c.ClientID == "") == (c.ApplicantID == ""):
		return fundField("client")
	case c.CommittedCents <= 0 || c.CommittedCents > fund.MaxCents:
		return fundField("committed")
	case len(c.Court) > 200:
		return fundField("court")
	case c.Stage == "":
		c.Stage = amparo.StageMasterCalendar
	}
	if !slices.Contains(amparo.CaseStages, c.Stage) {
		return fundField("stage")
	}
	return db.inTx(ctx, func(tx *Tx) error {
		g, err := tx.grant(ctx, c.GrantID, true)
		if err != nil {
			return err
		}
		if !tx.actor.WorksFundOf(g.OrganizationID) {
			return fundForbidden()
		}
		if g.Status != amparo.GrantAwarded && g.Status != amparo.GrantActive {
			return amparo.Errorf(amparo.ECONFLICT, "the grant is not awarded or active").Localize("fund.err.grant_not_open")
		}
		rec, err := tx.personFacts(ctx, c.ClientID, c.ApplicantID, g.OrganizationID)
		if err != nil {
			return err
		}
		c.Snapshot.Facts.Overlay(rec.Facts, rec.FromRecord)
		src, err := tx.source(ctx, g.SourceID)
		if err != nil {
			return err
		}
		r, err := parseRestrictions(src.Restrictions.Text)
		if err != nil {
			return err
		}
		if rule, ok := r.Check(&c.Snapshot.Facts); !ok {
			return amparo.Invalid("eligibility", "refused by the source's restrictions, line %d: %s", rule.Line, rule.Text).
				Localize("fund.err.not_eligible", rule.Text)
		}
		if err := tx.snapshotPolicy(ctx, c); err != nil {
			return err
		}
		c.Snapshot.RestrictionsVersion = src.Restrictions.Version
		b, err := tx.balance(ctx, g)
		if err != nil {
			return err
		}
		if c.CommittedCents > b.UncommittedCents {
			return amparo.Errorf(amparo.ECONFLICT, "more than the grant has uncommitted").Localize("fund.err.over_award", fund.FormatCents(b.UncommittedCents))
		}
		if c.ID == "" {
			c.ID = amparo.NewID()
		}
		if c.FundedOn.IsZero() {
			c.FundedOn = amparo.Date{Time: tx.now.Truncate(24 * 60 * 60 * 1e9)}
		}
		c.SourceID, c.OrganizationID, c.CreatedAt = g.SourceID, g.OrganizationID, tx.now
		c.Detained = c.Snapshot.Facts.Detained
		if err := tx.audit(ctx, amparo.AuditFundedCaseCreate, c.ID); err != nil {
			return err
		}
		plain, err := json.Marshal(c.Snapshot)
		if err != nil {
			return err
		}
		dk, wrapped, err := tx.db.cipher.NewDataKey(c.ID)
		if err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `INSERT INTO fund_cases (id, grant_id, source_id, organization_id, client_id, applicant_id, detained,
			priority_group, policy_version, restrictions_version, court, stage, committed_cents, funded_on, wrapped, sealed, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			c.ID, c.GrantID, c.SourceID, c.OrganizationID, c.ClientID, c.ApplicantID, b2i(c.Detained), c.PriorityGroup,
			c.Snapshot.PolicyVersion, c.Snapshot.RestrictionsVersion, c.Court, string(c.Stage), c.CommittedCents, c.FundedOn.String(),
			wrapped, dk.Seal(plain, []byte(c.ID)), formatTime(c.CreatedAt)); err != nil {
			return err
		}
		if err := tx.post(ctx, &amparo.LedgerEntry{GrantID: g.ID, SourceID: g.SourceID, OrganizationID: g.OrganizationID,
			Account: amparo.LedgerCommit, AmountCents: c.CommittedCents, EffectiveOn: c.FundedOn, CaseID: c.ID}); err != nil {
			return err
		}
		return tx.reconcile(ctx, g)
	})
}

// personFacts reads the facts a client's or an applicant's record has
// (amparo.RecordFacts; an applicant's intake adds unaccompanied_minor and
// unhoused) and the place of residence it gives; EINVALID (Field
// "client") for a person not of the organization orgID.
func (tx *Tx) personFacts(ctx context.Context, clientID, applicantID, orgID string) (*amparo.FundCaseDraft, error) {
	d := &amparo.FundCaseDraft{ClientID: clientID, ApplicantID: applicantID}
	var wrapped, sealed []byte
	var err error
	switch {
	case (clientID == "") == (applicantID == ""):
		return nil, fundField("client")
	case clientID != "":
		err = tx.queryRow(ctx, `SELECT k.wrapped, c.sealed FROM clients c JOIN client_keys k ON k.client_id = c.id
			WHERE c.id = ? AND c.organization_id = ?`, clientID, orgID).Scan(&wrapped, &sealed)
	default:
		err = tx.queryRow(ctx, "SELECT wrapped_key, sealed FROM applicants WHERE id = ? AND organization_id = ?", applicantID, orgID).
			Scan(&wrapped, &sealed)
	}
	if amparo.ErrorCode(mapError(err)) == amparo.ENOTFOUND {
		return nil, fundField("client")
	} else if err != nil {
		return nil, mapError(err)
	}
	var p *amparo.Personal
	if clientID != "" {
		p = &amparo.Personal{}
		err = tx.unsealJSON(clientID, wrapped, sealed, p)
	} else {
		var f amparo.Facts
		err = tx.unsealJSON(applicantID, wrapped, sealed, &f)
		p = &f.Personal
		defer func() {
			d.Facts.UnaccompaniedMinor, d.Facts.Unhoused = f.UnaccompaniedMinor, f.Unhoused
			d.FromRecord = append(d.FromRecord, "unaccompanied_minor", "unhoused")
		}()
	}
	if err != nil {
		return nil, err
	}
	d.Facts, d.FromRecord = amparo.RecordFacts(p)
	var place []string
	for _, v := range []string{p.Address.City, p.Address.Region} {
		if v = strings.TrimSpace(v); v != "" {
			place = append(place, v)
		}
	}
	d.Residence = strings.Join(place, ", ")
	return d, nil
}

// FundCaseFacts reads what the funding form shows for confirmation.
func (db *DB) FundCaseFacts(ctx context.Context, grantID, clientID, applicantID string) (*amparo.FundCaseDraft, error) {
	var d *amparo.FundCaseDraft
	err := db.inTx(ctx, func(tx *Tx) error {
		g, err := tx.grant(ctx, grantID, false)
		if err != nil {
			return err
		}
		if !tx.actor.WorksFundOf(g.OrganizationID) {
			return fundForbidden()
		}
		if d, err = tx.personFacts(ctx, clientID, applicantID, g.OrganizationID); err != nil {
			return err
		}
		d.GrantID, d.GrantName = g.ID, g.OrganizationName
		c := &amparo.FundedCase{Snapshot: amparo.EligibilitySnapshot{Facts: d.Facts}}
		if err := tx.snapshotPolicy(ctx, c); err != nil {
			return err
		}
		d.PriorityGroup, d.PolicyVersion = c.PriorityGroup, c.Snapshot.PolicyVersion
		if clientID == "" { // as FindApplicantByID audits an applicant's read
			return tx.audit(ctx, amparo.AuditApplicantList, g.OrganizationID)
		}
		return tx.audit(ctx, amparo.AuditClientView, clientID)
	})
	return d, err
}

// snapshotPolicy places the case's facts under the priority policy in
// force, keeping its version and the rules that applied.
func (tx *Tx) snapshotPolicy(ctx context.Context, c *amparo.FundedCase) error {
	pv, err := tx.currentPolicy(ctx)
	if err != nil {
		return err
	}
	p, err := priority.ParsePolicy(pv.Text)
	if err != nil {
		return err
	}
	tps, err := priority.ParseTPSTable(pv.TPS)
	if err != nil {
		return err
	}
	f := c.Snapshot.Facts
	rk, err := priority.Rank(p, tps, tx.now, []priority.Applicant{{ID: "case", IntakeAt: tx.now, Facts: priority.Facts{
		TPSHolder: f.TPSHolder, FacingRemoval: f.FacingRemoval, Detained: f.Detained, Country: f.Country,
		UnaccompaniedMinor: f.UnaccompaniedMinor, Unhoused: f.Unhoused, TraffickingSurvivor: f.TraffickingSurvivor,
		ViolenceSurvivor: f.ViolenceSurvivor, AsylumSeeker: f.AsylumSeeker, DACARecipient: f.DACARecipient,
		ViolentFelonyConviction: f.ViolentFelonyConviction}}})
	if err != nil {
		return err
	}
	pl, _ := rk.Lookup("case")
	c.Snapshot.PolicyVersion, c.Snapshot.Groups, c.PriorityGroup = pv.Version, []string{}, amparo.NoPriorityGroup
	best := 0
	for _, r := range pl.Reasons {
		c.Snapshot.Groups = append(c.Snapshot.Groups, r.Rule)
		if c.PriorityGroup == amparo.NoPriorityGroup || (r.Tier > 0 && (best == 0 || r.Tier < best)) {
			c.PriorityGroup, best = r.Rule, r.Tier
		}
	}
	return nil
}

const caseColumns = `c.id, c.grant_id, c.source_id, c.organization_id, c.client_id, c.applicant_id, c.detained, c.priority_group,
	c.court, c.stage, c.committed_cents, c.funded_on, c.wrapped, c.sealed, c.created_at`

func (tx *Tx) scanCase(row interface{ Scan(...any) error }) (*amparo.FundedCase, error) {
	c := &amparo.FundedCase{}
	var wrapped, sealed []byte
	if err := row.Scan(&c.ID, &c.GrantID, &c.SourceID, &c.OrganizationID, &c.ClientID, &c.ApplicantID, &c.Detained, &c.PriorityGroup,
		&c.Court, &c.Stage, &c.CommittedCents, scanDate{&c.FundedOn}, &wrapped, &sealed, scanTime{&c.CreatedAt}); err != nil {
		return nil, mapError(err)
	}
	return c, tx.unsealJSON(c.ID, wrapped, sealed, &c.Snapshot)
}

func (tx *Tx) fundedCase(ctx context.Context, id string) (*amparo.FundedCase, error) {
	c, err := tx.scanCase(tx.queryRow(ctx, "SELECT "+caseColumns+" FROM fund_cases c WHERE c.id = ?", id))
	if amparo.ErrorCode(err) == amparo.ENOTFOUND {
		return nil, fundNotFound("funded case")
	} else if err != nil {
		return nil, err
	}
	if !tx.actor.ReadsFundOf(c.OrganizationID) {
		return nil, fundForbidden()
	}
	return c, nil
}

// FindFundedCaseByID reads a funded case the actor reads.
func (db *DB) FindFundedCaseByID(ctx context.Context, id string) (*amparo.FundedCase, error) {
	var c *amparo.FundedCase
	err := db.inReadTx(ctx, func(tx *Tx) error {
		var err error
		c, err = tx.fundedCase(ctx, id)
		return err
	})
	return c, err
}

// FindFundedCases lists a grant's cases, or every case the actor sees.
func (db *DB) FindFundedCases(ctx context.Context, grantID string) ([]*amparo.FundedCase, error) {
	var out []*amparo.FundedCase
	err := db.inReadTx(ctx, func(tx *Tx) error {
		scope, args, err := tx.orgScope("c.organization_id")
		if err != nil {
			return err
		}
		if grantID != "" {
			scope += " AND c.grant_id = ?"
			args = append(args, grantID)
		}
		rows, err := tx.query(ctx, "SELECT "+caseColumns+" FROM fund_cases c WHERE 1 = 1"+scope+" ORDER BY c.funded_on, c.id LIMIT 1000", args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			c, err := tx.scanCase(rows)
			if err != nil {
				return err
			}
			out = append(out, c)
		}
		return mapError(rows.Err())
	})
	return out, err
}

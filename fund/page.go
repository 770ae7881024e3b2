package fund

import (
	"context"
	"slices"

	"github.com/amparo-project/amparo"
)

// Pages reads what the fund's pages show, for the web and the command
// line alike: a workflow over amparo.FundService, so that a handler makes
// one call.
type Pages struct {
	Fund          amparo.FundService
	Organizations amparo.OrganizationService
}

// GrantPage is a grant with its balance and its cases, each with its
// costs and outcomes.
type GrantPage struct {
	Grant   *amparo.Grant
	Balance amparo.GrantBalance
	Cases   []CaseDetail
}

// CaseDetail is a funded case with its costs and outcomes.
type CaseDetail struct {
	Case     *amparo.FundedCase
	Costs    []*amparo.Cost
	Outcomes []*amparo.Outcome
}

// Page reads a grant's page: the store's errors (ENOTFOUND, EFORBIDDEN
// for another organization's grant).
func (p *Pages) Page(ctx context.Context, grantID string) (*GrantPage, error) {
	g, err := p.Fund.FindGrantByID(ctx, grantID)
	if err != nil {
		return nil, err
	}
	page := &GrantPage{Grant: g}
	bs, err := p.Fund.GrantBalances(ctx)
	if err != nil {
		return nil, err
	}
	for _, b := range bs {
		if b.GrantID == g.ID {
			page.Balance = b
		}
	}
	cs, err := p.Fund.FindFundedCases(ctx, g.ID)
	if err != nil {
		return nil, err
	}
	for _, c := range cs {
		d := CaseDetail{Case: c}
		if d.Costs, err = p.Fund.FindCosts(ctx, c.ID); err != nil {
			return nil, err
		}
		if d.Outcomes, err = p.Fund.FindOutcomes(ctx, c.ID); err != nil {
			return nil, err
		}
		page.Cases = append(page.Cases, d)
	}
	return page, nil
}

// Overview is the fund officer's page: the compliance of a period, the
// sources and, for whoever runs the fund, the organizations a grant can
// go to.
type Overview struct {
	Compliance    *amparo.Compliance
	Sources       []*amparo.FundSource
	Organizations []*amparo.Organization
}

// Overview reads the compliance page: EINVALID for a bad period.
func (p *Pages) Overview(ctx context.Context, period string) (*Overview, error) {
	cp, err := p.Fund.FundCompliance(ctx, period)
	if err != nil {
		return nil, err
	}
	o := &Overview{Compliance: cp}
	if o.Sources, err = p.Fund.FindFundSources(ctx); err != nil {
		return nil, err
	}
	if a, _ := amparo.ActorFromContext(ctx); a.RunsFund() && p.Organizations != nil {
		if o.Organizations, _, err = p.Organizations.FindOrganizations(ctx, amparo.OrganizationFilter{Limit: 1000}); err != nil {
			return nil, err
		}
	}
	return o, nil
}

// LedgerPage is a grant's ledger in posting order; each entry knows the
// entry that reversed it, if any.
type LedgerPage struct {
	Grant      *amparo.Grant
	Entries    []*amparo.LedgerEntry
	ReversedBy map[string]*amparo.LedgerEntry // by the reversed entry's ID
}

// Ledger reads a grant's ledger page: ENOTFOUND, EFORBIDDEN.
func (p *Pages) Ledger(ctx context.Context, grantID string) (*LedgerPage, error) {
	g, err := p.Fund.FindGrantByID(ctx, grantID)
	if err != nil {
		return nil, err
	}
	es, err := p.Fund.FundLedger(ctx, g.ID)
	if err != nil {
		return nil, err
	}
	lp := &LedgerPage{Grant: g, Entries: es, ReversedBy: map[string]*amparo.LedgerEntry{}}
	for _, e := range es {
		if e.Reverses != "" {
			lp.ReversedBy[e.Reverses] = e
		}
	}
	return lp, nil
}

// InvoicesPage is a grant's invoices, by period, with its balance.
type InvoicesPage struct {
	Grant    *amparo.Grant
	Balance  amparo.GrantBalance
	Invoices []*amparo.Invoice
	// InvoicedCents is what is invoiced and not rejected: the grant's
	// spending less it may still be invoiced.
	InvoicedCents int64
}

// Invoices reads a grant's invoices page: ENOTFOUND, EFORBIDDEN.
func (p *Pages) Invoices(ctx context.Context, grantID string) (*InvoicesPage, error) {
	g, err := p.Page(ctx, grantID)
	if err != nil {
		return nil, err
	}
	ip := &InvoicesPage{Grant: g.Grant, Balance: g.Balance}
	if ip.Invoices, err = p.Fund.FindInvoices(ctx, grantID); err != nil {
		return nil, err
	}
	for _, v := range ip.Invoices {
		if v.Status != amparo.InvoiceRejected {
			ip.InvoicedCents += v.AmountCents
		}
	}
	return ip, nil
}

// AmendPage is a grant with its amendments, oldest first.
type AmendPage struct {
	Grant      *amparo.Grant
	Amendments []*amparo.GrantAmendment
}

// Amendments reads a grant's amendment page: ENOTFOUND, EFORBIDDEN.
func (p *Pages) Amendments(ctx context.Context, grantID string) (*AmendPage, error) {
	g, err := p.Fund.FindGrantByID(ctx, grantID)
	if err != nil {
		return nil, err
	}
	ap := &AmendPage{Grant: g}
	ap.Amendments, err = p.Fund.FindGrantAmendments(ctx, g.ID)
	return ap, err
}

// SourcePage is a source with every version of its restrictions, newest
// first.
type SourcePage struct {
	Source  *amparo.FundSource
	History []*amparo.FundRestrictions
}

// Source reads a source's page: ENOTFOUND, EFORBIDDEN.
func (p *Pages) Source(ctx context.Context, sourceID string) (*SourcePage, error) {
	ss, err := p.Fund.FindFundSources(ctx)
	if err != nil {
		return nil, err
	}
	for _, s := range ss {
		if s.ID == sourceID {
			sp := &SourcePage{Source: s}
			sp.History, err = p.Fund.FundRestrictionsHistory(ctx, s.ID)
			return sp, err
		}
	}
	return nil, amparo.Errorf(amparo.ENOTFOUND, "fund source not found").Localize("fund.err.not_found")
}

// CaseDraft reads what the funding form confirms for a person's reference
// (a client's ID, else an applicant's): the store's errors, EINVALID
// (Field "client") when it is neither of the grant's organization.
func (p *Pages) CaseDraft(ctx context.Context, grantID, personID string) (*amparo.FundCaseDraft, error) {
	d, err := p.Fund.FundCaseFacts(ctx, grantID, personID, "")
	if amparo.ErrorCode(err) == amparo.EINVALID && amparo.ErrorField(err) == "client" {
		return p.Fund.FundCaseFacts(ctx, grantID, "", personID)
	}
	return d, err
}

// FundableGrants are the organization's grants a case may be funded under
// (awarded or active), for a person's page to link to the funding form;
// none for an actor who does not record the organization's cases.
func (p *Pages) FundableGrants(ctx context.Context, orgID string) ([]*amparo.Grant, error) {
	if a, _ := amparo.ActorFromContext(ctx); p.Fund == nil || !a.WorksFundOf(orgID) {
		return nil, nil
	}
	gs, err := p.Fund.FindGrants(ctx, orgID)
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(gs, func(g *amparo.Grant) bool { return g.Status != amparo.GrantAwarded && g.Status != amparo.GrantActive }), nil
}

package fund

import (
	"context"

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

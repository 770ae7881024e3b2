package demo

import (
	"context"
	"fmt"
	"time"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/intake"
	"github.com/amparo-project/amparo/report"
)

// LastQuarter is the name of the last quarter over at now, in loc.
func LastQuarter(now time.Time, loc *time.Location) string {
	n := now.In(loc)
	q := n.Year()*4 + (int(n.Month())-1)/3 - 1
	return fmt.Sprintf("%d-Q%d", q/4, q%4+1)
}

// seedReport releases and approves the council's report of the last
// quarter that is over, as the program office does: the public
// dashboard (/reports) shows it, with the fund's grants awarded in that
// quarter (a county source's, made here: the demo's cases and costs are
// in the current quarter, which no report covers yet).
func seedReport(ctx context.Context, s Store, orgs []*amparo.Organization, fundOfficer string, now time.Time, setNow func(time.Time)) (string, error) {
	p, err := s.FindProgram(ctx)
	if err != nil {
		return "", err
	}
	if err := seedReportFund(ctx, s, orgs, fundOfficer, LastQuarter(now, p.Location()), setNow); err != nil {
		return "", err
	}
	setNow(now)
	if err := rankLines(ctx, s, orgs); err != nil {
		return "", err
	}
	svc := &report.Service{Store: s, Programs: s, Now: func() time.Time { return now }}
	admin := amparo.NewContextWithActor(ctx, amparo.Actor{ID: "demo-program", Role: amparo.RoleProgramAdmin})
	r, err := svc.Release(admin, LastQuarter(now, p.Location()), true)
	if err != nil {
		return "", fmt.Errorf("the council's report: %w", err)
	}
	return r.ID, nil
}

// rankLines ranks every organization's line under the policy in force,
// as the queue page does, so that each applicant's priority group is
// stored for the report's tables by group.
func rankLines(ctx context.Context, s Store, orgs []*amparo.Organization) error {
	as, ok1 := s.(intake.Applicants)
	ps, ok2 := s.(amparo.PolicyService)
	if !ok1 || !ok2 {
		return nil
	}
	svc := &intake.Service{Applicants: as, Policies: ps}
	for _, o := range orgs {
		staff := amparo.NewContextWithActor(ctx, amparo.Actor{ID: "demo-intake", Role: amparo.RoleIntake, OrganizationID: o.ID})
		if _, err := svc.Queue(staff, o.ID, 0, 1); err != nil {
			return fmt.Errorf("rank the line of %s: %w", o.Name, err)
		}
	}
	return nil
}

// seedReportFund awards grants of a fictional county source to the first
// two organizations in the middle of quarter q.
func seedReportFund(ctx context.Context, s Store, orgs []*amparo.Organization, officerID, q string, setNow func(time.Time)) error {
	from, _, err := amparo.ParsePeriod(q)
	if err != nil {
		return err
	}
	setNow(time.Date(from.Year(), from.Month()+1, 15, 12, 0, 0, 0, time.UTC))
	officer := amparo.NewContextWithActor(ctx, amparo.Actor{ID: officerID, Role: amparo.RoleFundOfficer})
	src := &amparo.FundSource{Name: "County of Ejemplo — defense fund", Kind: amparo.SourceCounty, AmountCents: 3_000_000_00,
		PeriodStart: from, PeriodEnd: amparo.Date{Time: from.AddDate(2, 0, -1)}}
	if err := s.CreateFundSource(officer, src, demoRestrictions, "The county's agreement"); err != nil {
		return err
	}
	for i, o := range orgs[:min(2, len(orgs))] {
		g := &amparo.Grant{SourceID: src.ID, OrganizationID: o.ID, AwardedCents: int64(400_000_00 - i*150_000_00), PeriodStart: src.PeriodStart,
			PeriodEnd: src.PeriodEnd, BudgetLines: []amparo.BudgetLine{{Line: "attorney", AmountCents: 200_000_00}, {Line: "expert", AmountCents: 20_000_00}}}
		if err := s.CreateGrant(officer, g); err != nil {
			return err
		}
		if _, err := s.SetGrantStatus(officer, g.ID, amparo.GrantAwarded, "Board decision"); err != nil {
			return err
		}
	}
	return nil
}

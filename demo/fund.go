package demo

import (
	"cmp"
	"context"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/amparo-project/amparo"
)

// demoRestrictions are the fictional city source's restrictions, after
// the L.A. Justice Fund's city money.
const demoRestrictions = `require resident "Lives in the city"
require income_below_fpl 200 "Household income under 200% of the federal poverty line"
require imminent_risk "Faces imminent risk of deportation"
floor detained 70 "At least 70% of this source for people in detention"
floor group tps-facing-removal 10 "At least 10% for TPS holders facing deportation"
ceiling line indirect 10 "Indirect costs at most 10%"
lines attorney paralegal interpreter expert fees travel bond indirect
cadence quarterly
`

// seedFund makes the demo's defense fund: a city source, an active grant
// to each of the first two organizations, a dozen funded cases of their
// clients, costs this quarter (most approved), an invoice, and outcomes.
func seedFund(ctx context.Context, s Store, orgs []*amparo.Organization, officerID string, now time.Time) (int, error) {
	r := rand.New(rand.NewPCG(2018, 17))
	officer := amparo.NewContextWithActor(ctx, amparo.Actor{ID: officerID, Role: amparo.RoleFundOfficer})
	y := now.Year()
	src := &amparo.FundSource{Name: "City of Ejemplo — defense fund", Kind: amparo.SourceCity, AmountCents: 2_000_000_00,
		PeriodStart: amparo.Date{Time: time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC)}, PeriodEnd: amparo.Date{Time: time.Date(y, 12, 31, 0, 0, 0, 0, time.UTC)}}
	if err := s.CreateFundSource(officer, src, demoRestrictions, "The council's resolution"); err != nil {
		return 0, err
	}
	day := amparo.Date{Time: time.Date(y, now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)}
	qStart, _, _ := amparo.ParsePeriod(amparo.QuarterOf(day))
	cases := 0
	for oi, o := range orgs[:min(2, len(orgs))] {
		g := &amparo.Grant{SourceID: src.ID, OrganizationID: o.ID, AwardedCents: int64(250_000_00 - oi*100_000_00), PeriodStart: src.PeriodStart,
			PeriodEnd: src.PeriodEnd, BudgetLines: []amparo.BudgetLine{{Line: "attorney", AmountCents: 120_000_00}, {Line: "expert", AmountCents: 10_000_00},
				{Line: "interpreter", AmountCents: 5_000_00}, {Line: "fees", AmountCents: 5_000_00}, {Line: "indirect", AmountCents: 10_000_00}}}
		if err := s.CreateGrant(officer, g); err != nil {
			return 0, err
		}
		for _, st := range []amparo.GrantStatus{amparo.GrantAwarded, amparo.GrantActive} {
			if _, err := s.SetGrantStatus(officer, g.ID, st, "Board decision"); err != nil {
				return 0, err
			}
		}
		admin := amparo.NewContextWithActor(ctx, amparo.Actor{ID: "demo-admin", Role: amparo.RoleOrgAdmin, OrganizationID: o.ID})
		all, _, err := s.FindClients(ctx, amparo.ClientFilter{OrganizationID: o.ID, Limit: 100})
		if err != nil {
			return 0, err
		}
		// A funded case's detention and situation are read from the
		// client's record: the fund takes on its detained clients first,
		// as the city's money asks, and two who are not.
		slices.SortStableFunc(all, func(a, b *amparo.Client) int { return cmp.Compare(b2i(b.Detained), b2i(a.Detained)) })
		cls := all[:min(4, len(all))]
		for _, cl := range all[len(cls):] {
			if len(cls) < min(6, len(all)) && !cl.Detained {
				cls = append(cls, cl)
			}
		}
		for i, cl := range cls {
			// What the record does not say: residence, risk and income.
			f := amparo.FundFacts{Resident: true, ImminentRisk: true, IncomeFPLPercent: 80 + r.IntN(100)}
			c := &amparo.FundedCase{GrantID: g.ID, ClientID: cl.ID, Court: "Los Angeles", CommittedCents: 15_000_00,
				Stage: amparo.CaseStages[i%3], FundedOn: qStart, Snapshot: amparo.EligibilitySnapshot{Facts: f}}
			if err := s.FundCase(admin, c); err != nil {
				return 0, err
			}
			cases++
			for j := range 3 {
				on := amparo.Date{Time: qStart.AddDate(0, 0, r.IntN(max(1, int(day.Sub(qStart.Time).Hours()/24)+1)))}
				k := &amparo.Cost{CaseID: c.ID, BudgetLine: "attorney", Kind: amparo.CostTime, Centihours: int64(100 + r.IntN(600)), RateCents: 150_00, IncurredOn: on}
				if j == 2 {
					k = &amparo.Cost{CaseID: c.ID, BudgetLine: "fees", Kind: amparo.CostExpense, AmountCents: 110_00, IncurredOn: on}
				}
				if err := s.RecordCost(admin, k); err != nil {
					return 0, err
				}
				if j < 2 || i%2 == 0 {
					if _, err := s.ApproveCost(admin, k.ID); err != nil {
						return 0, err
					}
				}
			}
			kinds := []amparo.Outcome{{Kind: amparo.OutcomeBondGranted, BondCents: 5_000_00}, {Kind: amparo.OutcomeRelief, Relief: "asylum"},
				{Kind: amparo.OutcomePending}, {Kind: amparo.OutcomeRemovalOrder}, {Kind: amparo.OutcomeReleased}, {Kind: amparo.OutcomeTermination}}
			o := kinds[i%len(kinds)]
			o.CaseID, o.DecidedOn = c.ID, day
			if err := s.RecordOutcome(admin, &o); err != nil {
				return 0, err
			}
		}
		if oi == 0 {
			inv := &amparo.Invoice{GrantID: g.ID, Period: amparo.QuarterOf(day), AmountCents: 1_000_00}
			if err := s.SubmitInvoice(admin, inv); err != nil {
				return 0, err
			}
			if _, err := s.DecideInvoice(officer, inv.ID, amparo.InvoiceApproved); err != nil {
				return 0, err
			}
			if _, err := s.DecideInvoice(officer, inv.ID, amparo.InvoicePaid); err != nil {
				return 0, err
			}
			// A spending entry corrected: its cost shows "reversed".
			es, err := s.FundLedger(officer, g.ID)
			if err != nil {
				return 0, err
			}
			for _, e := range slices.Backward(es) {
				if e.Account == amparo.LedgerSpend {
					if _, err := s.CorrectLedgerEntry(officer, e.ID, "Billed to the wrong case"); err != nil {
						return 0, err
					}
					break
				}
			}
		} else {
			// An amendment with its reason, and costs locked before the quarter.
			t := amparo.GrantTerms{AwardedCents: g.AwardedCents + 20_000_00, PeriodStart: g.PeriodStart, PeriodEnd: g.PeriodEnd,
				BudgetLines: append(g.BudgetLines, amparo.BudgetLine{Line: "travel", AmountCents: 3_000_00})}
			if _, err := s.AmendGrantTerms(officer, g.ID, t, "Mid-year increase for travel to detention"); err != nil {
				return 0, err
			}
			if _, err := s.LockGrantCosts(officer, g.ID, amparo.Date{Time: qStart.AddDate(0, 0, -1)}); err != nil {
				return 0, err
			}
		}
	}
	return cases, nil
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

package storetest

import (
	"cmp"
	"context"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/demo"
	"github.com/amparo-project/amparo/sqldb"
)

// CityRestrictions are fictional restrictions like the L.A. Justice
// Fund's city money: residents under 200% of the poverty line, at least
// 70% for people in detention, indirect costs at most 10%.
const CityRestrictions = `require resident "Lives in the city"
require income_below_fpl 200 "Income under 200% of the federal poverty line"
exclude violent_felony_conviction "Excluded: violent-felony conviction"
floor detained 70 "At least 70% for people in detention"
floor group tps-facing-removal 10 "At least 10% for TPS holders facing deportation"
ceiling line indirect 10 "Indirect costs at most 10%"
lines attorney paralegal interpreter expert fees travel bond indirect
cadence quarterly
`

// FundOfficer is the context of a fund officer.
var FundOfficer = amparo.NewContextWithActor(context.Background(), amparo.Actor{ID: "fund-officer", Role: amparo.RoleFundOfficer})

// MustCreateFundSource stores a fictional city source of $2,000,000 for
// this year and the next, with CityRestrictions.
func MustCreateFundSource(tb testing.TB, db *sqldb.DB) *amparo.FundSource {
	tb.Helper()
	y := time.Now().Year()
	s := &amparo.FundSource{Name: "City of Ejemplo", Kind: amparo.SourceCity, AmountCents: 2_000_000_00,
		PeriodStart: amparo.Date{Time: time.Date(y-1, 1, 1, 0, 0, 0, 0, time.UTC)}, PeriodEnd: amparo.Date{Time: time.Date(y+1, 12, 31, 0, 0, 0, 0, time.UTC)}}
	if err := db.CreateFundSource(FundOfficer, s, CityRestrictions, "the council's resolution"); err != nil {
		tb.Fatal(err)
	}
	return s
}

// MustAwardGrant stores a grant of the source to org, of awarded cents
// over the source's period, with attorney, expert, fees and indirect
// lines, and awards it.
func MustAwardGrant(tb testing.TB, db *sqldb.DB, src *amparo.FundSource, orgID string, awarded int64) *amparo.Grant {
	tb.Helper()
	g := &amparo.Grant{SourceID: src.ID, OrganizationID: orgID, AwardedCents: awarded, PeriodStart: src.PeriodStart, PeriodEnd: src.PeriodEnd,
		BudgetLines: []amparo.BudgetLine{{Line: "attorney", AmountCents: awarded / 2}, {Line: "expert", AmountCents: awarded / 4},
			{Line: "fees", AmountCents: awarded / 8}, {Line: "indirect", AmountCents: awarded / 10}}}
	if err := db.CreateGrant(FundOfficer, g); err != nil {
		tb.Fatal(err)
	}
	g, err := db.SetGrantStatus(FundOfficer, g.ID, amparo.GrantAwarded, "board decision")
	if err != nil {
		tb.Fatal(err)
	}
	return g
}

// EligibleFacts are the facts of a fictional eligible person.
func EligibleFacts(detained bool) amparo.FundFacts {
	return amparo.FundFacts{Resident: true, IncomeFPLPercent: 120, ImminentRisk: true, FacingRemoval: true, Detained: detained}
}

// MustFundCase funds a new fictional client of the grant's organization
// under it, committing committed cents; the client's record holds the
// facts a record has (detention, facing removal, a TPS situation).
func MustFundCase(tb testing.TB, db *sqldb.DB, g *amparo.Grant, facts amparo.FundFacts, committed int64) *amparo.FundedCase {
	tb.Helper()
	ctx := amparo.NewContextWithActor(context.Background(), amparo.Actor{ID: "admin-" + g.OrganizationID, Role: amparo.RoleOrgAdmin, OrganizationID: g.OrganizationID})
	cl := &amparo.Client{OrganizationID: g.OrganizationID}
	cl.Personal = demo.Client(rand.New(rand.NewPCG(2, uint64(committed))), g.OrganizationID, "es", time.Now()).Personal
	cl.Detained, cl.FacingRemoval, cl.Situation, cl.TPSCountry, cl.NextHearing = facts.Detained, facts.FacingRemoval, amparo.SituationUnknown, "", amparo.Date{}
	if facts.TPSHolder {
		cl.Situation, cl.TPSCountry = amparo.SituationTPS, cmp.Or(facts.Country, "SV")
	}
	cl = MustCreateClient(tb, ctx, db, cl)
	c := &amparo.FundedCase{GrantID: g.ID, ClientID: cl.ID, Court: "Los Angeles", CommittedCents: committed,
		Snapshot: amparo.EligibilitySnapshot{Facts: facts}}
	if err := db.FundCase(ctx, c); err != nil {
		tb.Fatal(err)
	}
	return c
}

package sqldb_test

import (
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/internal/storetest"
	"github.com/amparo-project/amparo/priority"
	"github.com/amparo-project/amparo/sqldb"
)

var officer = storetest.FundOfficer

func today() amparo.Date { return amparo.Date{Time: time.Now().UTC().Truncate(24 * time.Hour)} }

func TestFundService_Sources(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, db *sqldb.DB) {
		org := storetest.MustCreateOrganization(t, db, "Centro Legal Ejemplo")
		s := storetest.MustCreateFundSource(t, db)
		if s.Restrictions.Version != 1 {
			t.Fatalf("first version %d", s.Restrictions.Version)
		}
		t.Run("Versions", func(t *testing.T) {
			r, err := db.SetFundRestrictions(officer, s.ID, "require resident\ncadence monthly", "the county's rules")
			if err != nil || r.Version != 2 {
				t.Fatalf("%+v %v", r, err)
			}
			h, err := db.FundRestrictionsHistory(officer, s.ID)
			if err != nil || len(h) != 2 || h[0].Version != 2 || h[1].Text != storetest.CityRestrictions || h[1].Reason != "the council's resolution" {
				t.Fatalf("history %+v %v", h, err)
			}
			if _, err := db.SetFundRestrictions(officer, s.ID, storetest.CityRestrictions, "back to the city's"); err != nil {
				t.Fatal(err)
			}
		})
		t.Run("ErrBadRestrictions", func(t *testing.T) {
			_, err := db.SetFundRestrictions(officer, s.ID, "require resident\nfloor detained 170", "typo")
			wantCode(t, err, amparo.EINVALID)
			if m, _ := amparo.ErrorMsg(err); m.Key != "fund.err.restrictions" || m.Args[0] != 2 || m.Args[1] != "170" {
				t.Errorf("message %+v", m)
			}
			srcs, _ := db.FindFundSources(officer)
			if len(srcs) != 1 || srcs[0].Restrictions.Version != 3 {
				t.Errorf("a refused version changed the source: %+v", srcs[0].Restrictions)
			}
		})
		t.Run("ErrForbidden", func(t *testing.T) {
			wantCode(t, db.CreateFundSource(as(amparo.RoleOrgAdmin, org.ID), &amparo.FundSource{Name: "x", Kind: amparo.SourcePrivate,
				AmountCents: 100, PeriodStart: amparo.MustDate("2026-01-01"), PeriodEnd: amparo.MustDate("2026-12-31")}, "", "r"), amparo.EFORBIDDEN)
		})
	})
}

func TestFundService_Grants(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, db *sqldb.DB) {
		org := storetest.MustCreateOrganization(t, db, "Centro Legal Ejemplo")
		other := storetest.MustCreateOrganization(t, db, "Otra Organización Ejemplo")
		s := storetest.MustCreateFundSource(t, db)
		g := storetest.MustAwardGrant(t, db, s, org.ID, 100_000_00)
		t.Run("Statuses", func(t *testing.T) {
			_, err := db.SetGrantStatus(officer, g.ID, amparo.GrantClosed, "skip ahead")
			wantCode(t, err, amparo.ECONFLICT)
			got, err := db.SetGrantStatus(officer, g.ID, amparo.GrantActive, "first cases")
			if err != nil || got.Status != amparo.GrantActive {
				t.Fatalf("%+v %v", got, err)
			}
		})
		t.Run("Amend", func(t *testing.T) {
			if _, err := db.AmendGrant(officer, g.ID, 120_000_00, "mid-year increase"); err != nil {
				t.Fatal(err)
			}
			am, _ := db.FindGrantAmendments(officer, g.ID)
			if len(am) != 4 || am[3].Reason != "mid-year increase" || am[3].AwardedCents != 120_000_00 {
				t.Fatalf("amendments %+v", am)
			}
			bs, _ := db.GrantBalances(officer)
			if len(bs) != 1 || bs[0].AwardedCents != 120_000_00 || bs[0].UncommittedCents != 120_000_00 {
				t.Fatalf("balance %+v", bs)
			}
			_, err := db.AmendGrant(officer, g.ID, 0, "oops")
			wantCode(t, err, amparo.EINVALID)
			_, err = db.AmendGrant(officer, g.ID, 100, "")
			wantCode(t, err, amparo.EINVALID)
		})
		t.Run("ErrLineNotAllowed", func(t *testing.T) {
			s2 := &amparo.FundSource{Name: "County of Ejemplo", Kind: amparo.SourceCounty, AmountCents: 3_000_000_00, PeriodStart: s.PeriodStart, PeriodEnd: s.PeriodEnd}
			if err := db.CreateFundSource(officer, s2, "require resident", "county"); err != nil {
				t.Fatal(err)
			}
			err := db.CreateGrant(officer, &amparo.Grant{SourceID: s2.ID, OrganizationID: org.ID, AwardedCents: 100, PeriodStart: s.PeriodStart,
				PeriodEnd: s.PeriodEnd, BudgetLines: []amparo.BudgetLine{{Line: "bond", AmountCents: 50}}})
			wantCode(t, err, amparo.EINVALID)
			if m, _ := amparo.ErrorMsg(err); m.Key != "fund.err.line_not_allowed" {
				t.Errorf("message %+v", m)
			}
		})
		t.Run("OrganizationsSeeTheirOwn", func(t *testing.T) {
			if gs, err := db.FindGrants(as(amparo.RoleOrgAdmin, org.ID), ""); err != nil || len(gs) != 1 {
				t.Fatalf("own: %d %v", len(gs), err)
			}
			if gs, err := db.FindGrants(as(amparo.RoleOrgAdmin, other.ID), org.ID); err != nil || len(gs) != 0 {
				t.Fatalf("other's: %d %v", len(gs), err)
			}
			_, err := db.FindGrantByID(as(amparo.RoleMember, other.ID), g.ID)
			wantCode(t, err, amparo.EFORBIDDEN)
			_, err = db.FindGrants(as(amparo.RoleIntake, org.ID), "")
			wantCode(t, err, amparo.EFORBIDDEN)
		})
	})
}

func TestFundService_FundCase(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, db *sqldb.DB) {
		org := storetest.MustCreateOrganization(t, db, "Centro Legal Ejemplo")
		other := storetest.MustCreateOrganization(t, db, "Otra Organización Ejemplo")
		s := storetest.MustCreateFundSource(t, db)
		g := storetest.MustAwardGrant(t, db, s, org.ID, 100_000_00)
		admin := as(amparo.RoleOrgAdmin, org.ID)
		// The record says what the case's detention and situation are: a
		// detained TPS holder facing removal.
		cl := storetest.MustCreateClient(t, admin, db, &amparo.Client{OrganizationID: org.ID, Personal: amparo.Personal{LegalName: "Marisol Ejemplo Fondo",
			Language: "es", Situation: amparo.SituationTPS, TPSCountry: "SV", FacingRemoval: true, Detained: true,
			Address: amparo.Address{City: "Los Angeles", Region: "CA"}}})
		t.Run("ErrExcludedNamesTheRule", func(t *testing.T) {
			f := storetest.EligibleFacts(true)
			f.ViolentFelonyConviction = true
			err := db.FundCase(admin, &amparo.FundedCase{GrantID: g.ID, ClientID: cl.ID, CommittedCents: 100, Snapshot: amparo.EligibilitySnapshot{Facts: f}})
			wantCode(t, err, amparo.EINVALID)
			if m, _ := amparo.ErrorMsg(err); amparo.ErrorField(err) != "eligibility" || m.Key != "fund.err.not_eligible" || m.Args[0] != "Excluded: violent-felony conviction" {
				t.Errorf("%v %+v", err, m)
			}
			f = storetest.EligibleFacts(true)
			f.IncomeFPLPercent = 250
			err = db.FundCase(admin, &amparo.FundedCase{GrantID: g.ID, ClientID: cl.ID, CommittedCents: 100, Snapshot: amparo.EligibilitySnapshot{Facts: f}})
			if m, _ := amparo.ErrorMsg(err); m.Key != "fund.err.not_eligible" || m.Args[0] != "Income under 200% of the federal poverty line" {
				t.Errorf("%v %+v", err, m)
			}
			if cs, _ := db.FindFundedCases(officer, g.ID); len(cs) != 0 {
				t.Errorf("a refused case was stored")
			}
		})
		var c *amparo.FundedCase
		t.Run("SnapshotSurvivesPolicyChange", func(t *testing.T) {
			f := storetest.EligibleFacts(true)
			f.TPSHolder = true
			c = &amparo.FundedCase{GrantID: g.ID, ClientID: cl.ID, CommittedCents: 20_000_00, Court: "Adelanto", Snapshot: amparo.EligibilitySnapshot{Facts: f}}
			if err := db.FundCase(admin, c); err != nil {
				t.Fatal(err)
			}
			if c.PriorityGroup != "tps-facing-removal" || !c.Detained || c.Snapshot.PolicyVersion != 0 || !slices.Contains(c.Snapshot.Groups, "detained") {
				t.Fatalf("snapshot %+v group %q", c.Snapshot, c.PriorityGroup)
			}
			text := strings.Replace(priority.DefaultPolicy().String(), "tier 1 when tps_holder and facing_removal", "tier 1 when unhoused", 1)
			if _, err := db.SetPolicy(system, text, "", "the council's new priorities"); err != nil {
				t.Fatal(err)
			}
			back, err := db.FindFundedCaseByID(officer, c.ID)
			if err != nil || !reflect.DeepEqual(back.Snapshot, c.Snapshot) || back.PriorityGroup != "tps-facing-removal" {
				t.Fatalf("after the change: %+v %v", back, err)
			}
			c2 := storetest.MustFundCase(t, db, g, f, 100)
			if c2.Snapshot.PolicyVersion != 1 || c2.PriorityGroup == "tps-facing-removal" {
				t.Errorf("a new case is not snapshotted under the new policy: %+v", c2.Snapshot)
			}
		})
		t.Run("ErrOverAward", func(t *testing.T) {
			err := db.FundCase(admin, &amparo.FundedCase{GrantID: g.ID, ClientID: cl.ID, CommittedCents: 90_000_00, Snapshot: amparo.EligibilitySnapshot{Facts: storetest.EligibleFacts(false)}})
			wantCode(t, err, amparo.ECONFLICT)
		})
		t.Run("ErrOtherOrganization", func(t *testing.T) {
			_, err := db.FindFundedCaseByID(as(amparo.RoleOrgAdmin, other.ID), c.ID)
			wantCode(t, err, amparo.EFORBIDDEN)
			err = db.FundCase(as(amparo.RoleOrgAdmin, other.ID), &amparo.FundedCase{GrantID: g.ID, ClientID: cl.ID, CommittedCents: 1,
				Snapshot: amparo.EligibilitySnapshot{Facts: storetest.EligibleFacts(false)}})
			wantCode(t, err, amparo.EFORBIDDEN)
		})
	})
}

func TestFundService_CostsInvoicesOutcomes(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, db *sqldb.DB) {
		org := storetest.MustCreateOrganization(t, db, "Centro Legal Ejemplo")
		s := storetest.MustCreateFundSource(t, db)
		g := storetest.MustAwardGrant(t, db, s, org.ID, 100_000_00)
		c := storetest.MustFundCase(t, db, g, storetest.EligibleFacts(true), 10_000_00)
		admin, member := as(amparo.RoleOrgAdmin, org.ID), as(amparo.RoleMember, org.ID)
		day := today()
		cost := &amparo.Cost{CaseID: c.ID, BudgetLine: "attorney", Kind: amparo.CostTime, Centihours: 150, RateCents: 125_00, IncurredOn: day}
		if err := db.RecordCost(member, cost); err != nil || cost.AmountCents != 187_50 {
			t.Fatalf("%+v %v", cost, err)
		}
		t.Run("ApprovedByTheAdmin", func(t *testing.T) {
			_, err := db.ApproveCost(member, cost.ID)
			wantCode(t, err, amparo.EFORBIDDEN)
			_, err = db.ApproveCost(officer, cost.ID)
			wantCode(t, err, amparo.EFORBIDDEN)
			if got, err := db.ApproveCost(admin, cost.ID); err != nil || got.Status != amparo.CostApproved {
				t.Fatalf("%+v %v", got, err)
			}
			_, err = db.ApproveCost(admin, cost.ID)
			wantCode(t, err, amparo.ECONFLICT)
		})
		t.Run("ErrOverCommitted", func(t *testing.T) {
			big := &amparo.Cost{CaseID: c.ID, BudgetLine: "expert", Kind: amparo.CostExpense, AmountCents: 9_900_00, IncurredOn: day}
			if err := db.RecordCost(member, big); err != nil {
				t.Fatal(err)
			}
			_, err := db.ApproveCost(admin, big.ID)
			wantCode(t, err, amparo.ECONFLICT)
		})
		t.Run("ErrBadCost", func(t *testing.T) {
			for _, bad := range []*amparo.Cost{
				{CaseID: c.ID, BudgetLine: "travel", Kind: amparo.CostExpense, AmountCents: 100, IncurredOn: day}, // not a line of the grant
				{CaseID: c.ID, BudgetLine: "fees", Kind: amparo.CostExpense, AmountCents: 0, IncurredOn: day},
				{CaseID: c.ID, BudgetLine: "fees", Kind: amparo.CostExpense, AmountCents: 100, IncurredOn: amparo.MustDate("1999-01-01")},
			} {
				wantCode(t, db.RecordCost(member, bad), amparo.EINVALID)
			}
		})
		t.Run("ErrLocked", func(t *testing.T) {
			if _, err := db.LockGrantCosts(officer, g.ID, day); err != nil {
				t.Fatal(err)
			}
			err := db.RecordCost(member, &amparo.Cost{CaseID: c.ID, BudgetLine: "fees", Kind: amparo.CostExpense, AmountCents: 100, IncurredOn: day})
			wantCode(t, err, amparo.EINVALID)
			if m, _ := amparo.ErrorMsg(err); m.Key != "fund.err.locked" {
				t.Errorf("%+v", m)
			}
			next := amparo.Date{Time: day.AddDate(0, 0, 1)}
			if !next.Before(g.PeriodEnd.Time) {
				return
			}
			if err := db.RecordCost(member, &amparo.Cost{CaseID: c.ID, BudgetLine: "fees", Kind: amparo.CostExpense, AmountCents: 100, IncurredOn: next}); err != nil {
				t.Errorf("a cost after the lock: %v", err)
			}
		})
		t.Run("Invoices", func(t *testing.T) {
			err := db.SubmitInvoice(admin, &amparo.Invoice{GrantID: g.ID, Period: amparo.QuarterOf(day), AmountCents: 187_51})
			wantCode(t, err, amparo.ECONFLICT)
			inv := &amparo.Invoice{GrantID: g.ID, Period: amparo.QuarterOf(day), AmountCents: 187_50}
			if err := db.SubmitInvoice(admin, inv); err != nil {
				t.Fatal(err)
			}
			_, err = db.DecideInvoice(officer, inv.ID, amparo.InvoicePaid)
			wantCode(t, err, amparo.ECONFLICT)
			if _, err := db.DecideInvoice(officer, inv.ID, amparo.InvoiceApproved); err != nil {
				t.Fatal(err)
			}
			if _, err := db.DecideInvoice(officer, inv.ID, amparo.InvoicePaid); err != nil {
				t.Fatal(err)
			}
			bs, _ := db.GrantBalances(admin)
			b := bs[0]
			if b.SpentCents != 187_50 || b.ApprovedCents != 187_50 || b.PaidCents != 187_50 || b.CommittedCents != 10_000_00 || !b.Reconciles() {
				t.Fatalf("balance %+v", b)
			}
			wantCode(t, db.SubmitInvoice(admin, &amparo.Invoice{GrantID: g.ID, Period: "2026-Q5", AmountCents: 1}), amparo.EINVALID)
		})
		t.Run("Outcomes", func(t *testing.T) {
			wantCode(t, db.RecordOutcome(member, &amparo.Outcome{CaseID: c.ID, Kind: amparo.OutcomeRelief, Relief: "parole", DecidedOn: day}), amparo.EINVALID)
			for _, o := range []*amparo.Outcome{
				{CaseID: c.ID, Kind: amparo.OutcomeBondGranted, BondCents: 5_000_00, DecidedOn: day},
				{CaseID: c.ID, Kind: amparo.OutcomeRelief, Relief: "asylum", DecidedOn: day},
			} {
				if err := db.RecordOutcome(member, o); err != nil {
					t.Fatal(err)
				}
			}
			os, err := db.FindOutcomes(officer, c.ID)
			if err != nil || len(os) != 2 || os[0].RecordedBy == "" || !os[1].Kind.Stays() {
				t.Fatalf("%+v %v", os, err)
			}
		})
	})
}

func TestFundService_Ledger(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, db *sqldb.DB) {
		org := storetest.MustCreateOrganization(t, db, "Centro Legal Ejemplo")
		s := storetest.MustCreateFundSource(t, db)
		g := storetest.MustAwardGrant(t, db, s, org.ID, 50_000_00)
		c := storetest.MustFundCase(t, db, g, storetest.EligibleFacts(false), 10_000_00)
		entries, err := db.FundLedger(officer, g.ID)
		if err != nil || len(entries) != 2 || entries[0].Account != amparo.LedgerAward || entries[1].CaseID != c.ID {
			t.Fatalf("%+v %v", entries, err)
		}
		t.Run("AppendOnly", func(t *testing.T) {
			for _, q := range []string{"UPDATE fund_ledger SET amount_cents = 1", "DELETE FROM fund_ledger"} {
				if _, err := sqldb.RawDB(db).Exec(q); err == nil {
					t.Errorf("%s: no error", q)
				}
			}
		})
		t.Run("CorrectionReverses", func(t *testing.T) {
			rev, err := db.CorrectLedgerEntry(officer, entries[1].ID, "funded twice by mistake")
			if err != nil || rev.AmountCents != -10_000_00 || rev.Reverses != entries[1].ID {
				t.Fatalf("%+v %v", rev, err)
			}
			_, err = db.CorrectLedgerEntry(officer, entries[1].ID, "again")
			wantCode(t, err, amparo.ECONFLICT)
			_, err = db.CorrectLedgerEntry(officer, rev.ID, "undo the undo")
			wantCode(t, err, amparo.ECONFLICT)
			after, _ := db.FundLedger(officer, g.ID)
			if len(after) != 3 || !reflect.DeepEqual(after[:2], entries) {
				t.Fatalf("posted entries changed: %+v", after)
			}
		})
		t.Run("ErrCorrectionUnbalances", func(t *testing.T) {
			// Reversing the award would leave more committed than awarded.
			c2 := storetest.MustFundCase(t, db, g, storetest.EligibleFacts(false), 1_00)
			_ = c2
			_, err := db.CorrectLedgerEntry(officer, entries[0].ID, "award withdrawn")
			wantCode(t, err, amparo.ECONFLICT)
		})
	})
}

// TestFundLedger_Properties runs many random sequences of the fund's
// operations (seeded, so a failure repeats) and checks after each that
// every grant reconciles and that no posted entry ever changed.
func TestFundLedger_Properties(t *testing.T) {
	t.Parallel()
	seeds, steps := 6, 60
	if testing.Short() {
		seeds = 2
	}
	each(t, func(t *testing.T, db *sqldb.DB) {
		org := storetest.MustCreateOrganization(t, db, "Centro Legal Ejemplo")
		admin := as(amparo.RoleOrgAdmin, org.ID)
		s := storetest.MustCreateFundSource(t, db)
		cl := storetest.MustCreateClient(t, admin, db, &amparo.Client{OrganizationID: org.ID})
		day := today()
		kinds := map[string]int{} // what the runs posted, to show they exercised every path
		for seed := range seeds {
			rng := rand.New(rand.NewPCG(uint64(seed), 17))
			g := storetest.MustAwardGrant(t, db, s, org.ID, int64(1+rng.IntN(1000))*1000)
			var cases, costs []string
			var invoices []*amparo.Invoice
			seen := map[string]amparo.LedgerEntry{}
			for step := range steps {
				var err error
				switch op := rng.IntN(7); op {
				case 0:
					c := &amparo.FundedCase{GrantID: g.ID, ClientID: cl.ID, CommittedCents: int64(1 + rng.IntN(400_000)),
						Snapshot: amparo.EligibilitySnapshot{Facts: storetest.EligibleFacts(rng.IntN(2) == 0)}}
					if err = db.FundCase(admin, c); err == nil {
						cases = append(cases, c.ID)
					}
				case 1, 2:
					if len(cases) == 0 {
						continue
					}
					c := &amparo.Cost{CaseID: cases[rng.IntN(len(cases))], BudgetLine: "attorney", Kind: amparo.CostExpense,
						AmountCents: int64(1 + rng.IntN(100_000)), IncurredOn: day}
					if err = db.RecordCost(admin, c); err == nil {
						costs = append(costs, c.ID)
					}
				case 3:
					if len(costs) == 0 {
						continue
					}
					_, err = db.ApproveCost(admin, costs[rng.IntN(len(costs))])
				case 4:
					inv := &amparo.Invoice{GrantID: g.ID, Period: amparo.QuarterOf(day), AmountCents: int64(1 + rng.IntN(200_000))}
					if err = db.SubmitInvoice(admin, inv); err == nil {
						invoices = append(invoices, inv)
					}
				case 5:
					if len(invoices) == 0 {
						continue
					}
					st := []amparo.InvoiceStatus{amparo.InvoiceApproved, amparo.InvoiceRejected, amparo.InvoicePaid}[rng.IntN(3)]
					_, err = db.DecideInvoice(officer, invoices[rng.IntN(len(invoices))].ID, st)
				case 6:
					es, _ := db.FundLedger(officer, g.ID)
					if rng.IntN(3) == 0 {
						_, err = db.AmendGrant(officer, g.ID, g.AwardedCents+int64(rng.IntN(200_000)-100_000), "amendment")
						if err == nil {
							g, _ = db.FindGrantByID(officer, g.ID)
						}
					} else {
						_, err = db.CorrectLedgerEntry(officer, es[rng.IntN(len(es))].ID, "correction")
					}
				}
				if code := amparo.ErrorCode(err); code != "" && code != amparo.ECONFLICT && code != amparo.EINVALID {
					t.Fatalf("seed %d step %d: %v", seed, step, err)
				}
				es, err := db.FundLedger(officer, g.ID)
				if err != nil {
					t.Fatal(err)
				}
				for _, e := range es {
					if old, ok := seen[e.ID]; ok && !reflect.DeepEqual(old, *e) {
						t.Fatalf("seed %d step %d: entry %s changed: %+v, was %+v", seed, step, e.ID, *e, old)
					}
					seen[e.ID] = *e
				}
				for _, e := range es {
					if e.Reverses != "" {
						kinds["reversal"]++
					}
					kinds[string(e.Account)]++
				}
				if len(es) != len(seen) {
					t.Fatalf("seed %d step %d: %d entries, %d seen before: one disappeared", seed, step, len(es), len(seen))
				}
				bs, err := db.GrantBalances(officer)
				if err != nil {
					t.Fatal(err)
				}
				for _, b := range bs {
					if !b.Reconciles() {
						t.Fatalf("seed %d step %d: %+v does not reconcile", seed, step, b)
					}
					if b.GrantID == g.ID {
						var sum [5]int64
						for _, e := range es {
							sum[slices.Index([]amparo.LedgerAccount{amparo.LedgerAward, amparo.LedgerCommit, amparo.LedgerSpend, amparo.LedgerApprove, amparo.LedgerPay}, e.Account)] += e.AmountCents
						}
						if sum != [5]int64{b.AwardedCents, b.CommittedCents, b.SpentCents, b.ApprovedCents, b.PaidCents} {
							t.Fatalf("seed %d step %d: balance %+v is not the sum of the entries %v", seed, step, b, sum)
						}
					}
				}
			}
		}
		for _, k := range []string{"award", "commit", "spend", "approve", "pay", "reversal"} {
			if kinds[k] == 0 {
				t.Errorf("no %s posted in %d random runs", k, seeds)
			}
		}
	})
}

func TestFundService_Compliance(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, db *sqldb.DB) {
		org := storetest.MustCreateOrganization(t, db, "Centro Legal Ejemplo")
		admin := as(amparo.RoleOrgAdmin, org.ID)
		s := storetest.MustCreateFundSource(t, db)
		g := storetest.MustAwardGrant(t, db, s, org.ID, 100_000_00)
		day := today()
		spend := func(c *amparo.FundedCase, line string, cents int64) {
			t.Helper()
			k := &amparo.Cost{CaseID: c.ID, BudgetLine: line, Kind: amparo.CostExpense, AmountCents: cents, IncurredOn: day}
			if err := db.RecordCost(admin, k); err != nil {
				t.Fatal(err)
			}
			if _, err := db.ApproveCost(admin, k.ID); err != nil {
				t.Fatal(err)
			}
		}
		detained := func(cp *amparo.Compliance) amparo.ComplianceLine {
			for _, l := range cp.Lines {
				if l.Target == "detained" {
					return l
				}
			}
			t.Fatal("no detained line")
			return amparo.ComplianceLine{}
		}
		free := storetest.MustFundCase(t, db, g, storetest.EligibleFacts(false), 20_000_00)
		held := storetest.MustFundCase(t, db, g, storetest.EligibleFacts(true), 20_000_00)
		spend(free, "attorney", 6_000_00)
		spend(held, "attorney", 4_000_00)
		cp, err := db.FundCompliance(officer, amparo.QuarterOf(day))
		if err != nil {
			t.Fatal(err)
		}
		if l := detained(cp); l.SpentCents != 10_000_00 || l.TargetCents != 4_000_00 || l.Met || l.SharePermille() != 400 {
			t.Fatalf("before: %+v", l)
		}
		spend(held, "expert", 10_000_00)
		cp, _ = db.FundCompliance(officer, amparo.QuarterOf(day))
		if l := detained(cp); l.TargetCents != 14_000_00 || !l.Met || l.SharePermille() != 700 {
			t.Fatalf("after: %+v", l)
		}
		for _, l := range cp.Lines {
			if l.Target == "line indirect" && (!l.Met || !l.Ceiling) {
				t.Errorf("indirect: %+v", l)
			}
		}
		if len(cp.Grants) != 1 || cp.Grants[0].Low() {
			t.Errorf("grants %+v", cp.Grants)
		}
		// Another quarter has no spending: every floor is met.
		prev := amparo.QuarterOf(amparo.Date{Time: day.AddDate(0, -3, 0)})
		if cp, err := db.FundCompliance(officer, prev); err != nil || detained(cp).SpentCents != 0 || !detained(cp).Met {
			t.Errorf("%s: %+v %v", prev, cp, err)
		}
		_, err = db.FundCompliance(officer, "Q3")
		wantCode(t, err, amparo.EINVALID)
		if cp, err := db.FundCompliance(as(amparo.RoleOrgAdmin, storetest.MustCreateOrganization(t, db, "Otra Organización Ejemplo").ID), amparo.QuarterOf(day)); err != nil || detained(cp).SpentCents != 0 || len(cp.Grants) != 0 {
			t.Errorf("another organization sees: %+v %v", cp, err)
		}
	})
}

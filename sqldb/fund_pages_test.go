package sqldb_test

import (
	"slices"
	"testing"
	"time"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/internal/storetest"
	"github.com/amparo-project/amparo/sqldb"
)

// TestFundService_ReversedSpend: correcting a cost's spending entry moves
// the cost to "reversed", takes it out of the spending, and the cost can
// neither be approved again nor reversed twice.
func TestFundService_ReversedSpend(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, db *sqldb.DB) {
		org := storetest.MustCreateOrganization(t, db, "Centro Legal Ejemplo")
		admin := as(amparo.RoleOrgAdmin, org.ID)
		g := storetest.MustAwardGrant(t, db, storetest.MustCreateFundSource(t, db), org.ID, 50_000_00)
		c := storetest.MustFundCase(t, db, g, storetest.EligibleFacts(true), 10_000_00)
		k := &amparo.Cost{CaseID: c.ID, BudgetLine: "fees", Kind: amparo.CostExpense, AmountCents: 300_00, IncurredOn: today()}
		if err := db.RecordCost(admin, k); err != nil {
			t.Fatal(err)
		}
		if _, err := db.ApproveCost(admin, k.ID); err != nil {
			t.Fatal(err)
		}
		es, _ := db.FundLedger(officer, g.ID)
		spend := es[len(es)-1]
		if spend.Account != amparo.LedgerSpend || spend.CostID != k.ID {
			t.Fatalf("last entry %+v", spend)
		}
		if _, err := db.CorrectLedgerEntry(officer, spend.ID, "billed to the wrong case"); err != nil {
			t.Fatal(err)
		}
		costs, err := db.FindCosts(admin, c.ID)
		if err != nil || len(costs) != 1 || costs[0].Status != amparo.CostReversed {
			t.Fatalf("costs %+v %v", costs, err)
		}
		_, err = db.ApproveCost(admin, k.ID)
		wantCode(t, err, amparo.ECONFLICT)
		bs, _ := db.GrantBalances(officer)
		if len(bs) != 1 || bs[0].SpentCents != 0 || !bs[0].Reconciles() {
			t.Errorf("balance %+v", bs)
		}
		cp, _ := db.FundCompliance(officer, amparo.QuarterOf(today()))
		for _, l := range cp.Lines {
			if l.SpentCents != 0 {
				t.Errorf("still spent after the reversal: %+v", l)
			}
		}
	})
}

// TestFundService_AmendGrantTerms: an amendment changes the award, the
// period and the budget lines at once, with a reason, and keeps them; bad
// terms are refused naming the field, and nothing changes.
func TestFundService_AmendGrantTerms(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, db *sqldb.DB) {
		org := storetest.MustCreateOrganization(t, db, "Centro Legal Ejemplo")
		admin := as(amparo.RoleOrgAdmin, org.ID)
		s := storetest.MustCreateFundSource(t, db)
		g := storetest.MustAwardGrant(t, db, s, org.ID, 100_000_00)
		c := storetest.MustFundCase(t, db, g, storetest.EligibleFacts(false), 30_000_00)
		k := &amparo.Cost{CaseID: c.ID, BudgetLine: "fees", Kind: amparo.CostExpense, AmountCents: 1_00, IncurredOn: today()}
		if err := db.RecordCost(admin, k); err != nil {
			t.Fatal(err)
		}
		y := today().Year()
		terms := amparo.GrantTerms{AwardedCents: 120_000_00, PeriodStart: amparo.Date{Time: time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC)},
			PeriodEnd:   amparo.Date{Time: time.Date(y, 12, 31, 0, 0, 0, 0, time.UTC)},
			BudgetLines: []amparo.BudgetLine{{Line: "fees", AmountCents: 20_000_00}, {Line: "attorney", AmountCents: 80_000_00}, {Line: "travel", AmountCents: 5_000_00}}}
		t.Run("Errors", func(t *testing.T) {
			for name, tc := range map[string]struct {
				edit  func(*amparo.GrantTerms)
				field string
				code  string
			}{
				"LinesOverAward": {func(t *amparo.GrantTerms) { t.AwardedCents = 50_000_00 + 1 }, "budget_lines", amparo.EINVALID},
				"UnknownLine":    {func(t *amparo.GrantTerms) { t.BudgetLines = append(t.BudgetLines, amparo.BudgetLine{Line: "yacht"}) }, "budget_lines", amparo.EINVALID},
				"PeriodBackward": {func(t *amparo.GrantTerms) { t.PeriodEnd = t.PeriodStart }, "period", amparo.EINVALID},
				"PeriodLeavesCost": {func(t *amparo.GrantTerms) {
					t.PeriodStart, t.PeriodEnd = amparo.Date{Time: time.Date(y+1, 1, 1, 0, 0, 0, 0, time.UTC)}, amparo.Date{Time: time.Date(y+1, 6, 30, 0, 0, 0, 0, time.UTC)}
				}, "period", amparo.EINVALID},
				"UnderCommitted": {func(t *amparo.GrantTerms) { t.AwardedCents, t.BudgetLines = 20_000_00, nil }, "", amparo.ECONFLICT},
			} {
				t.Run(name, func(t *testing.T) {
					bad := terms
					bad.BudgetLines = slices.Clone(terms.BudgetLines)
					tc.edit(&bad)
					_, err := db.AmendGrantTerms(officer, g.ID, bad, "a try")
					wantCode(t, err, tc.code)
					if amparo.ErrorField(err) != tc.field {
						t.Errorf("field %q, want %q (%v)", amparo.ErrorField(err), tc.field, err)
					}
				})
			}
			_, err := db.AmendGrantTerms(officer, g.ID, terms, " ")
			wantCode(t, err, amparo.EINVALID)
			_, err = db.AmendGrantTerms(admin, g.ID, terms, "not mine to change")
			wantCode(t, err, amparo.EFORBIDDEN)
			back, _ := db.FindGrantByID(officer, g.ID)
			if back.AwardedCents != 100_000_00 || len(back.BudgetLines) != 4 {
				t.Errorf("a refused amendment changed the grant: %+v", back)
			}
		})
		t.Run("Amends", func(t *testing.T) {
			got, err := db.AmendGrantTerms(officer, g.ID, terms, "the council's mid-year increase")
			if err != nil {
				t.Fatal(err)
			}
			back, _ := db.FindGrantByID(officer, g.ID)
			want := []amparo.BudgetLine{{Line: "attorney", AmountCents: 80_000_00}, {Line: "fees", AmountCents: 20_000_00}, {Line: "travel", AmountCents: 5_000_00}}
			if back.AwardedCents != 120_000_00 || !slices.Equal(back.BudgetLines, want) || !back.PeriodStart.Equal(terms.PeriodStart.Time) ||
				!back.PeriodEnd.Equal(terms.PeriodEnd.Time) || got.AwardedCents != back.AwardedCents {
				t.Fatalf("after: %+v", back)
			}
			as, _ := db.FindGrantAmendments(officer, g.ID)
			last := as[len(as)-1]
			if last.Reason != "the council's mid-year increase" || last.AwardedCents != 120_000_00 || !slices.Equal(last.BudgetLines, want) ||
				!last.PeriodEnd.Equal(terms.PeriodEnd.Time) {
				t.Errorf("amendment %+v", last)
			}
			es, _ := db.FundLedger(officer, g.ID)
			if e := es[len(es)-1]; e.Account != amparo.LedgerAward || e.AmountCents != 20_000_00 || e.Reason != "the council's mid-year increase" {
				t.Errorf("posting %+v", e)
			}
		})
	})
}

// TestFundService_FundCaseFacts: a funded case's detention and situation
// are read from the client's or applicant's record, shown for
// confirmation, and win over what a form says; the snapshot keeps them.
func TestFundService_FundCaseFacts(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, db *sqldb.DB) {
		org := storetest.MustCreateOrganization(t, db, "Centro Legal Ejemplo")
		other := storetest.MustCreateOrganization(t, db, "Otra Organización Ejemplo")
		admin := as(amparo.RoleOrgAdmin, org.ID)
		g := storetest.MustAwardGrant(t, db, storetest.MustCreateFundSource(t, db), org.ID, 100_000_00)
		cl := storetest.MustCreateClient(t, admin, db, &amparo.Client{OrganizationID: org.ID, Personal: amparo.Personal{LegalName: "Graciela Ejemplo Fondo",
			Language: "es", Situation: amparo.SituationTPS, TPSCountry: "SV", FacingRemoval: true, Detained: true,
			Address: amparo.Address{City: "Los Angeles", Region: "CA"}}})
		d, err := db.FundCaseFacts(officer, g.ID, cl.ID, "")
		if err != nil {
			t.Fatal(err)
		}
		if !d.Facts.Detained || !d.Facts.TPSHolder || d.Facts.Country != "SV" || d.Residence != "Los Angeles, CA" ||
			!slices.Contains(d.FromRecord, "detained") || d.PriorityGroup != "tps-facing-removal" {
			t.Fatalf("draft %+v", d)
		}
		// The form says not detained and not a TPS holder: the record wins.
		typed := storetest.EligibleFacts(false)
		c := &amparo.FundedCase{GrantID: g.ID, ClientID: cl.ID, CommittedCents: 1_000_00, Snapshot: amparo.EligibilitySnapshot{Facts: typed}}
		if err := db.FundCase(admin, c); err != nil {
			t.Fatal(err)
		}
		back, _ := db.FindFundedCaseByID(officer, c.ID)
		if !back.Detained || !back.Snapshot.Facts.Detained || !back.Snapshot.Facts.TPSHolder || back.PriorityGroup != "tps-facing-removal" ||
			!back.Snapshot.Facts.Resident || back.Snapshot.Facts.IncomeFPLPercent != 120 {
			t.Errorf("case %+v", back)
		}

		// An applicant's intake adds unhoused and unaccompanied minor.
		intake := amparo.NewContextWithActor(t.Context(), amparo.Actor{ID: "i", Role: amparo.RoleIntake, OrganizationID: org.ID})
		ap := &amparo.Applicant{Key: "fund-facts-applicant", Facts: amparo.Facts{Unhoused: true, Personal: amparo.Personal{LegalName: "Beatriz Muestra Fondo",
			Language: "es", BirthDate: amparo.MustDate("1990-03-04"), Situation: amparo.SituationAsylum,
			Consents: []amparo.Consent{{Purpose: amparo.ConsentDataStorage, GivenAt: time.Date(2026, 2, 1, 9, 0, 0, 0, time.UTC), RecordedBy: "public", Language: "es"}}}}}
		if _, err := db.CreateApplicants(intake, []*amparo.Applicant{ap}); err != nil {
			t.Fatal(err)
		}
		d, err = db.FundCaseFacts(admin, g.ID, "", ap.ID)
		if err != nil || !d.Facts.Unhoused || !d.Facts.AsylumSeeker || d.Facts.Detained || !slices.Contains(d.FromRecord, "unhoused") {
			t.Fatalf("applicant draft %+v %v", d, err)
		}
		// Another organization's person is not the grant's.
		cl2 := storetest.MustCreateClient(t, as(amparo.RoleOrgAdmin, other.ID), db, &amparo.Client{OrganizationID: other.ID})
		_, err = db.FundCaseFacts(officer, g.ID, cl2.ID, "")
		wantCode(t, err, amparo.EINVALID)
		_, err = db.FundCaseFacts(as(amparo.RoleOrgAdmin, other.ID), g.ID, cl2.ID, "")
		wantCode(t, err, amparo.EFORBIDDEN)
	})
}

// TestFundService_LockDate: a cost on or before a grant's lock date is
// refused naming the date; a lock never moves back.
func TestFundService_LockDate(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, db *sqldb.DB) {
		org := storetest.MustCreateOrganization(t, db, "Centro Legal Ejemplo")
		admin := as(amparo.RoleOrgAdmin, org.ID)
		g := storetest.MustAwardGrant(t, db, storetest.MustCreateFundSource(t, db), org.ID, 100_000_00)
		c := storetest.MustFundCase(t, db, g, storetest.EligibleFacts(false), 1_000_00)
		lock := amparo.Date{Time: today().AddDate(0, 0, -1)}
		if _, err := db.LockGrantCosts(officer, g.ID, lock); err != nil {
			t.Fatal(err)
		}
		err := db.RecordCost(admin, &amparo.Cost{CaseID: c.ID, BudgetLine: "fees", Kind: amparo.CostExpense, AmountCents: 1_00, IncurredOn: lock})
		wantCode(t, err, amparo.EINVALID)
		if m, _ := amparo.ErrorMsg(err); amparo.ErrorField(err) != "incurred_on" || m.Key != "fund.err.locked" || m.Args[0] != lock.String() {
			t.Errorf("%v %+v", err, m)
		}
		_, err = db.LockGrantCosts(officer, g.ID, amparo.Date{Time: lock.AddDate(0, 0, -1)})
		wantCode(t, err, amparo.EINVALID)
	})
}

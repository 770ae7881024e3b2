package web

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/fund"
)

// The defense fund's pages: the fund officer's compliance page (each
// source's floors and ceilings this period, every grant's balance, a flag
// on grants low on funds, the form that records a grant) and a grant's
// page (its balance, cases, costs and outcomes, and the forms that record
// them). Organizations see their own grants alone; the store decides.

func (s *Server) fundRoutes(mux *routes) {
	reads := may(amparo.Actor.ReadsFund)
	runs := may(amparo.Actor.RunsFund)
	mux.Allow("GET /fund", reads, s.fundPage)
	mux.Allow("POST /fund/grants", runs, s.fundGrantCreate)
	mux.Allow("GET /fund/grants/{id}", reads, s.fundGrantPage)
	mux.Allow("POST /fund/grants/{id}/status", runs, s.fundGrantStatus)
	mux.Allow("POST /fund/grants/{id}/cases", reads, s.fundCaseCreate)
	mux.Allow("POST /fund/cases/{id}/costs", reads, s.fundCostCreate)
	mux.Allow("POST /fund/costs/{id}/approve", reads, s.fundCostApprove)
	mux.Allow("POST /fund/cases/{id}/outcomes", reads, s.fundOutcomeCreate)
	mux.Allow("GET /fund/grants/{id}/cases/new", reads, s.fundCaseNew)
	mux.Allow("GET /fund/grants/{id}/invoices", reads, s.fundInvoicesPage)
	mux.Allow("GET /fund/grants/{id}/invoices.csv", reads, s.fundInvoicesCSV)
	mux.Allow("POST /fund/grants/{id}/invoices", reads, s.fundInvoiceSubmit) // the organization's admins and the fund officer: the store decides
	mux.Allow("POST /fund/invoices/{id}/decide", runs, s.fundInvoiceDecide)
	mux.Allow("GET /fund/grants/{id}/ledger", reads, s.fundLedgerPage)
	mux.Allow("GET /fund/grants/{id}/ledger.csv", reads, s.fundLedgerCSV)
	mux.Allow("POST /fund/ledger/{id}/correct", runs, s.fundLedgerCorrect)
	mux.Allow("GET /fund/grants/{id}/terms", runs, s.fundTermsPage)
	mux.Allow("POST /fund/grants/{id}/amend", runs, s.fundGrantAmend)
	mux.Allow("POST /fund/grants/{id}/lock", runs, s.fundGrantLock)
	mux.Allow("GET /fund/sources/{id}", runs, s.fundSourcePage)
	mux.Allow("POST /fund/sources/{id}/restrictions", runs, s.fundSourceRestrict)
}

// money is an amount as a page shows it.
func money(c int64) string { return "$" + fund.FormatCents(c) }

type complianceRow struct {
	amparo.ComplianceLine
	Share, Spent, OnTarget string
}

type balanceRow struct {
	amparo.GrantBalance
	Awarded, Committed, Uncommitted, Spent, Paid, Remaining string
}

func balanceView(b amparo.GrantBalance) balanceRow {
	return balanceRow{b, money(b.AwardedCents), money(b.CommittedCents), money(b.UncommittedCents), money(b.SpentCents), money(b.PaidCents),
		money(b.RemainingCents())}
}

func (s *Server) fundPage(w http.ResponseWriter, r *http.Request) {
	period := r.URL.Query().Get("period")
	if period == "" {
		period = amparo.QuarterOf(amparo.Date{Time: time.Now().UTC()})
	}
	ov, err := s.fundGrant.Overview(r.Context(), period)
	if err != nil {
		s.error(w, r, err)
		return
	}
	cp := ov.Compliance
	var lines []complianceRow
	for _, l := range cp.Lines {
		p := l.SharePermille()
		lines = append(lines, complianceRow{l, fmtPermille(p), money(l.SpentCents), money(l.TargetCents)})
	}
	var grants []balanceRow
	for _, b := range cp.Grants {
		grants = append(grants, balanceView(b))
	}
	s.render(w, r, "fund", http.StatusOK, map[string]any{"Compliance": cp, "Lines": lines, "Grants": grants, "Sources": ov.Sources,
		"Organizations": ov.Organizations, "BudgetLines": fund.BudgetLines, "RunsFund": sessionFrom(r.Context()).Actor().RunsFund(),
		"Today": time.Now().UTC().Format(time.DateOnly)})
}

// fmtPermille writes tenths of a percent: 705 is "70.5 %".
func fmtPermille(p int64) string {
	return itoa(p/10) + "." + itoa(p%10) + " %"
}

func itoa(n int64) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for ; n > 0; n /= 10 {
		b = append([]byte{byte('0' + n%10)}, b...)
	}
	return string(b)
}

// cents reads an amount field: EINVALID naming it, in the reader's words.
func cents(r *http.Request, field string) (int64, error) {
	v := strings.TrimSpace(r.PostFormValue(field))
	c, err := fund.ParseCents(v)
	if err != nil {
		return 0, amparo.Invalid(field, "%v", err).Localize("fund.err.amount", v)
	}
	return c, nil
}

func date(r *http.Request, field string) (amparo.Date, error) {
	d, err := amparo.ParseDate(strings.TrimSpace(r.PostFormValue(field)))
	if err != nil {
		return d, amparo.Invalid(field, "not a date").Localize("fund.err.field", field)
	}
	return d, nil
}

func (s *Server) fundGrantCreate(w http.ResponseWriter, r *http.Request) {
	t, err := grantTermsForm(r)
	if err != nil {
		s.error(w, r, err)
		return
	}
	g := &amparo.Grant{SourceID: r.PostFormValue("source_id"), OrganizationID: r.PostFormValue("organization_id"),
		AwardedCents: t.AwardedCents, PeriodStart: t.PeriodStart, PeriodEnd: t.PeriodEnd, BudgetLines: t.BudgetLines}
	if err := s.Fund.CreateGrant(r.Context(), g); err != nil {
		s.error(w, r, err)
		return
	}
	s.done(w, r, "/fund/grants/"+g.ID, "fund.grant_created")
}

func (s *Server) fundGrantStatus(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if _, err := s.Fund.SetGrantStatus(r.Context(), id, amparo.GrantStatus(r.PostFormValue("status")), strings.TrimSpace(r.PostFormValue("reason"))); err != nil {
		s.error(w, r, err)
		return
	}
	s.done(w, r, "/fund/grants/"+id, "fund.status_done")
}

// caseView is a funded case with its costs and outcomes, for the page.
type caseView struct {
	*amparo.FundedCase
	Committed string
	Costs     []costView
	Outcomes  []*amparo.Outcome
}

type costView struct {
	*amparo.Cost
	Amount string
}

func (s *Server) fundGrantPage(w http.ResponseWriter, r *http.Request) {
	page, err := s.fundGrant.Page(r.Context(), r.PathValue("id"))
	if err != nil {
		s.error(w, r, err)
		return
	}
	var cases []caseView
	for _, c := range page.Cases {
		v := caseView{FundedCase: c.Case, Committed: money(c.Case.CommittedCents), Outcomes: c.Outcomes}
		for _, k := range c.Costs {
			v.Costs = append(v.Costs, costView{k, money(k.AmountCents)})
		}
		cases = append(cases, v)
	}
	a := sessionFrom(r.Context()).Actor()
	s.render(w, r, "fund_grant", http.StatusOK, map[string]any{"Grant": page.Grant, "Balance": balanceView(page.Balance), "Cases": cases,
		"Lines": page.Grant.BudgetLines, "Stages": amparo.CaseStages, "Outcomes": amparo.OutcomeKinds, "Reliefs": amparo.Reliefs,
		"Today": time.Now().UTC().Format(time.DateOnly), "RunsFund": a.RunsFund(), "Approves": a.ApprovesCostsOf(page.Grant.OrganizationID),
		"Next": nextStatus(page.Grant.Status)})
}

func nextStatus(st amparo.GrantStatus) amparo.GrantStatus {
	for _, t := range []amparo.GrantStatus{amparo.GrantAwarded, amparo.GrantActive, amparo.GrantClosing, amparo.GrantClosed} {
		if st.Next(t) {
			return t
		}
	}
	return ""
}

func (s *Server) fundCaseCreate(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	v := func(k string) string { return strings.TrimSpace(r.PostFormValue(k)) }
	yes := func(k string) bool { return v(k) != "" }
	// The facts the person's record has are read again by the store and
	// win over these; the confirmation page shows them, not as fields.
	c := &amparo.FundedCase{GrantID: id, ClientID: v("client_id"), ApplicantID: v("applicant_id"), Court: v("court"), Stage: amparo.CaseStage(v("stage"))}
	// A problem shows the form again, as typed, with the problem beside
	// its field.
	again := func(err error) {
		r.ParseForm()
		typed := &form{Values: map[string]string{}}
		for k := range r.PostForm {
			typed.Values[k] = v(k)
		}
		if !s.formErrors(s.language(w, r), err, typed, "fund.case.err.", true) {
			s.error(w, r, err)
			return
		}
		s.showCaseForm(w, r, http.StatusUnprocessableEntity, id, c.ClientID+c.ApplicantID, typed)
	}
	var err error
	if c.CommittedCents, err = cents(r, "committed"); err != nil {
		again(err)
		return
	}
	f := &c.Snapshot.Facts
	f.Resident, f.ImminentRisk, f.Detained, f.TPSHolder, f.FacingRemoval = yes("resident"), yes("imminent_risk"), yes("detained"), yes("tps_holder"), yes("facing_removal")
	f.AsylumSeeker, f.UnaccompaniedMinor, f.DACARecipient, f.ViolentFelonyConviction = yes("asylum_seeker"), yes("unaccompanied_minor"), yes("daca_recipient"), yes("violent_felony_conviction")
	f.Unhoused = yes("unhoused")
	if p := v("income_fpl"); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n <= 0 || n > 10000 {
			again(amparo.Invalid("income_fpl", "not a whole percentage").Localize("fund.err.field", "income_fpl"))
			return
		}
		f.IncomeFPLPercent = n
	}
	if err := s.Fund.FundCase(r.Context(), c); err != nil {
		again(err)
		return
	}
	s.done(w, r, "/fund/grants/"+id+"#case-"+c.ID, "fund.case_done")
}

func (s *Server) fundCostCreate(w http.ResponseWriter, r *http.Request) {
	v := func(k string) string { return strings.TrimSpace(r.PostFormValue(k)) }
	c := &amparo.Cost{CaseID: r.PathValue("id"), BudgetLine: v("line"), Kind: amparo.CostKind(v("kind"))}
	var err error
	if c.IncurredOn, err = date(r, "incurred_on"); err != nil {
		s.error(w, r, err)
		return
	}
	if c.Kind == amparo.CostTime {
		if c.Centihours, err = fund.ParseHours(v("hours")); err != nil {
			s.error(w, r, amparo.Invalid("hours", "%v", err).Localize("fund.err.hours", v("hours")))
			return
		}
		if c.RateCents, err = cents(r, "rate"); err != nil {
			s.error(w, r, err)
			return
		}
	} else if c.AmountCents, err = cents(r, "amount"); err != nil {
		s.error(w, r, err)
		return
	}
	if err := s.Fund.RecordCost(r.Context(), c); err != nil {
		s.error(w, r, err)
		return
	}
	s.done(w, r, "/fund/grants/"+c.GrantID+"#case-"+c.CaseID, "fund.cost_done")
}

func (s *Server) fundCostApprove(w http.ResponseWriter, r *http.Request) {
	c, err := s.Fund.ApproveCost(r.Context(), r.PathValue("id"))
	if err != nil {
		s.error(w, r, err)
		return
	}
	s.done(w, r, "/fund/grants/"+c.GrantID+"#case-"+c.CaseID, "fund.approve_done")
}

func (s *Server) fundOutcomeCreate(w http.ResponseWriter, r *http.Request) {
	v := func(k string) string { return strings.TrimSpace(r.PostFormValue(k)) }
	o := &amparo.Outcome{CaseID: r.PathValue("id"), Kind: amparo.OutcomeKind(v("kind")), Relief: v("relief")}
	if o.Kind != amparo.OutcomeRelief {
		o.Relief = ""
	}
	var err error
	if o.DecidedOn, err = date(r, "decided_on"); err != nil {
		s.error(w, r, err)
		return
	}
	if o.Kind == amparo.OutcomeBondGranted {
		if o.BondCents, err = cents(r, "bond"); err != nil {
			s.error(w, r, err)
			return
		}
	}
	if err := s.Fund.RecordOutcome(r.Context(), o); err != nil {
		s.error(w, r, err)
		return
	}
	to := "/fund"
	if g := r.PostFormValue("grant_id"); amparo.IsID(g) {
		to = "/fund/grants/" + g + "#case-" + o.CaseID
	}
	s.done(w, r, to, "fund.outcome_done")
}

// grantTermsForm reads a grant's award, period and budget lines from the
// form that creates it or amends it, naming the field that is wrong.
func grantTermsForm(r *http.Request) (amparo.GrantTerms, error) {
	var t amparo.GrantTerms
	var err error
	if t.AwardedCents, err = cents(r, "awarded"); err != nil {
		return t, err
	}
	if t.PeriodStart, err = date(r, "period_start"); err != nil {
		return t, err
	}
	if t.PeriodEnd, err = date(r, "period_end"); err != nil {
		return t, err
	}
	for _, line := range fund.BudgetLines {
		if v := strings.TrimSpace(r.PostFormValue("line_" + line)); v != "" {
			c, err := cents(r, "line_"+line)
			if err != nil {
				return t, err
			}
			t.BudgetLines = append(t.BudgetLines, amparo.BudgetLine{Line: line, AmountCents: c})
		}
	}
	return t, nil
}

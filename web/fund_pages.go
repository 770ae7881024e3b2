package web

import (
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/fund"
)

// The fund's remaining pages: a grant's invoices (submitted by the
// organization's admin, decided and paid by the fund officer), its ledger
// (corrections as reversing entries, with a reason), its terms (amendments
// of award, period and lines, with a reason, and the lock date of its
// costs), a source's restrictions (a new version with a reason), the
// confirmation of a case's facts read from the person's record, and CSV
// exports of a grant's ledger and invoices. Routes are in fundRoutes.

type invoiceView struct {
	*amparo.Invoice
	Amount string
}

func (s *Server) fundInvoicesPage(w http.ResponseWriter, r *http.Request) {
	p, err := s.fundGrant.Invoices(r.Context(), r.PathValue("id"))
	if err != nil {
		s.error(w, r, err)
		return
	}
	var vs []invoiceView
	for _, v := range p.Invoices {
		vs = append(vs, invoiceView{v, money(v.AmountCents)})
	}
	a := sessionFrom(r.Context()).Actor()
	s.render(w, r, "fund_invoices", http.StatusOK, map[string]any{"Grant": p.Grant, "Balance": balanceView(p.Balance), "Invoices": vs,
		"Invoiceable": money(max(p.Balance.SpentCents-p.InvoicedCents, 0)), "RunsFund": a.RunsFund(),
		"Submits": a.RunsFund() || a.ApprovesCostsOf(p.Grant.OrganizationID), "Period": amparo.QuarterOf(amparo.Date{Time: time.Now().UTC()})})
}

func (s *Server) fundInvoiceSubmit(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	inv := &amparo.Invoice{GrantID: id, Period: strings.TrimSpace(r.PostFormValue("period"))}
	var err error
	if inv.AmountCents, err = cents(r, "amount"); err != nil {
		s.error(w, r, err)
		return
	}
	if err := s.Fund.SubmitInvoice(r.Context(), inv); err != nil {
		s.error(w, r, err)
		return
	}
	s.done(w, r, "/fund/grants/"+id+"/invoices#invoice-"+inv.ID, "fund.invoice_submitted")
}

func (s *Server) fundInvoiceDecide(w http.ResponseWriter, r *http.Request) {
	v, err := s.Fund.DecideInvoice(r.Context(), r.PathValue("id"), amparo.InvoiceStatus(r.PostFormValue("status")))
	if err != nil {
		s.error(w, r, err)
		return
	}
	to := "/fund/grants/" + v.GrantID + "/invoices#invoice-" + v.ID
	switch v.Status {
	case amparo.InvoicePaid:
		s.done(w, r, to, "fund.invoice_done.paid")
	case amparo.InvoiceRejected:
		s.done(w, r, to, "fund.invoice_done.rejected")
	default:
		s.done(w, r, to, "fund.invoice_done.approved")
	}
}

func (s *Server) fundInvoicesCSV(w http.ResponseWriter, r *http.Request) {
	p, err := s.fundGrant.Invoices(r.Context(), r.PathValue("id"))
	if err != nil {
		s.error(w, r, err)
		return
	}
	s.csvHeaders(w, "amparo-invoices-"+p.Grant.ID[:8]+".csv")
	if err := fund.WriteInvoicesCSV(w, p.Invoices); err != nil {
		s.Logger.ErrorContext(r.Context(), "fund export cut short", "err", err)
	}
}

func (s *Server) csvHeaders(w http.ResponseWriter, name string) {
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
}

type entryView struct {
	*amparo.LedgerEntry
	Amount     string
	ReversedBy *amparo.LedgerEntry
}

func (s *Server) fundLedgerPage(w http.ResponseWriter, r *http.Request) {
	p, err := s.fundGrant.Ledger(r.Context(), r.PathValue("id"))
	if err != nil {
		s.error(w, r, err)
		return
	}
	var vs []entryView
	for _, e := range p.Entries {
		vs = append(vs, entryView{e, money(e.AmountCents), p.ReversedBy[e.ID]})
	}
	s.render(w, r, "fund_ledger", http.StatusOK, map[string]any{"Grant": p.Grant, "Entries": vs, "RunsFund": sessionFrom(r.Context()).Actor().RunsFund()})
}

func (s *Server) fundLedgerCSV(w http.ResponseWriter, r *http.Request) {
	p, err := s.fundGrant.Ledger(r.Context(), r.PathValue("id"))
	if err != nil {
		s.error(w, r, err)
		return
	}
	s.csvHeaders(w, "amparo-ledger-"+p.Grant.ID[:8]+".csv")
	if err := fund.WriteLedgerCSV(w, p.Entries); err != nil {
		s.Logger.ErrorContext(r.Context(), "fund export cut short", "err", err)
	}
}

func (s *Server) fundLedgerCorrect(w http.ResponseWriter, r *http.Request) {
	rev, err := s.Fund.CorrectLedgerEntry(r.Context(), r.PathValue("id"), strings.TrimSpace(r.PostFormValue("reason")))
	if err != nil {
		s.error(w, r, err)
		return
	}
	s.done(w, r, "/fund/grants/"+rev.GrantID+"/ledger#entry-"+rev.ID, "fund.corrected", rev.Seq)
}

type amendmentView struct {
	*amparo.GrantAmendment
	Awarded string
	Lines   []lineView
}

type lineView struct {
	Line, Amount string
}

func lineViews(ls []amparo.BudgetLine) []lineView {
	var out []lineView
	for _, l := range ls {
		out = append(out, lineView{l.Line, money(l.AmountCents)})
	}
	return out
}

func (s *Server) fundTermsPage(w http.ResponseWriter, r *http.Request) {
	p, err := s.fundGrant.Amendments(r.Context(), r.PathValue("id"))
	if err != nil {
		s.error(w, r, err)
		return
	}
	g := p.Grant
	lines := map[string]string{}
	for _, l := range g.BudgetLines {
		lines[l.Line] = fund.FormatCents(l.AmountCents)
	}
	var as []amendmentView
	for _, a := range slices.Backward(p.Amendments) {
		as = append(as, amendmentView{a, money(a.AwardedCents), lineViews(a.BudgetLines)})
	}
	s.render(w, r, "fund_terms", http.StatusOK, map[string]any{"Grant": g, "Awarded": fund.FormatCents(g.AwardedCents), "Lines": lines,
		"BudgetLines": fund.BudgetLines, "Amendments": as, "Today": time.Now().UTC().Format(time.DateOnly)})
}

func (s *Server) fundGrantAmend(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	t, err := grantTermsForm(r)
	if err != nil {
		s.error(w, r, err)
		return
	}
	if _, err := s.Fund.AmendGrantTerms(r.Context(), id, t, strings.TrimSpace(r.PostFormValue("reason"))); err != nil {
		s.error(w, r, err)
		return
	}
	s.done(w, r, "/fund/grants/"+id+"/terms", "fund.amended")
}

func (s *Server) fundGrantLock(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	through, err := date(r, "locked_through")
	if err != nil {
		s.error(w, r, err)
		return
	}
	g, err := s.Fund.LockGrantCosts(r.Context(), id, through)
	if err != nil {
		s.error(w, r, err)
		return
	}
	s.done(w, r, "/fund/grants/"+id+"/terms", "fund.locked", g.LockedThrough.String())
}

func (s *Server) fundSourcePage(w http.ResponseWriter, r *http.Request) {
	s.renderSource(w, r, http.StatusOK, &form{Values: map[string]string{}})
}

func (s *Server) renderSource(w http.ResponseWriter, r *http.Request, status int, f *form) {
	p, err := s.fundGrant.Source(r.Context(), r.PathValue("id"))
	if err != nil {
		s.error(w, r, err)
		return
	}
	if _, typed := f.Values["restrictions"]; !typed {
		f.Values["restrictions"] = p.Source.Restrictions.Text
	}
	s.render(w, r, "fund_source", status, map[string]any{"Source": p.Source, "History": p.History, "Form": f, "Facts": fund.FactNames()})
}

// fundSourceRestrict puts a new version of a source's restrictions in
// force; a text that does not parse comes back as typed, its line named,
// and the version in force stays.
func (s *Server) fundSourceRestrict(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	// A textarea sends CRLF line ends: the stored text keeps the format's.
	text, reason := strings.ReplaceAll(r.PostFormValue("restrictions"), "\r\n", "\n"), strings.TrimSpace(r.PostFormValue("reason"))
	rs, err := s.Fund.SetFundRestrictions(r.Context(), id, text, reason)
	if err != nil {
		f := &form{Values: map[string]string{"restrictions": text, "reason": reason}}
		if !s.formErrors(s.language(w, r), err, f, "fund.form.", false) {
			s.error(w, r, err)
			return
		}
		s.renderSource(w, r, http.StatusUnprocessableEntity, f)
		return
	}
	s.done(w, r, "/fund/sources/"+id, "fund.restricted", rs.Version)
}

// fundCaseNew confirms a case's facts before funding it: those the
// person's record has are shown, not typed.
func (s *Server) fundCaseNew(w http.ResponseWriter, r *http.Request) {
	s.showCaseForm(w, r, http.StatusOK, r.PathValue("id"), strings.TrimSpace(r.URL.Query().Get("person")), &form{})
}

// showCaseForm shows the funding form of a grant for a person, with what
// was typed and its problems in f.
func (s *Server) showCaseForm(w http.ResponseWriter, r *http.Request, status int, grantID, person string, typed *form) {
	d, err := s.fundGrant.CaseDraft(r.Context(), grantID, person)
	if err != nil {
		s.error(w, r, err)
		return
	}
	known := map[string]bool{}
	for _, n := range d.FromRecord {
		known[n] = true
	}
	f := d.Facts
	values := map[string]bool{"detained": f.Detained, "facing_removal": f.FacingRemoval, "tps_holder": f.TPSHolder, "asylum_seeker": f.AsylumSeeker,
		"daca_recipient": f.DACARecipient, "unaccompanied_minor": f.UnaccompaniedMinor, "unhoused": f.Unhoused}
	var record, typedFacts []string
	for _, n := range []string{"detained", "facing_removal", "tps_holder", "asylum_seeker", "daca_recipient", "unaccompanied_minor", "unhoused"} {
		if known[n] {
			record = append(record, n)
		} else if n != "unhoused" {
			typedFacts = append(typedFacts, n)
		}
	}
	typedFacts = append(typedFacts, "imminent_risk", "violent_felony_conviction")
	s.render(w, r, "fund_case_new", status, map[string]any{"Draft": d, "Record": record, "Values": values, "Typed": typedFacts,
		"Stages": amparo.CaseStages, "Form": typed})
}

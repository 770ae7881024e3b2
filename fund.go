package amparo

import (
	"context"
	"time"
)

// The deportation-defense fund: funding sources with their restrictions
// as data (package fund parses them), grants to partner organizations,
// funded cases with the snapshot of their eligibility, costs, invoices,
// outcomes, and the ledger that reconciles them to the cent. Amounts are
// integer cents; dates are calendar dates.

// FundSourceKind is who gives a source's money.
type FundSourceKind string

const (
	SourceCity    FundSourceKind = "city"
	SourceCounty  FundSourceKind = "county"
	SourcePrivate FundSourceKind = "private"
)

// FundSource is one source of the fund's money.
type FundSource struct {
	ID          string
	Name        string // the funder's name, an organization's, never a person's
	Kind        FundSourceKind
	AmountCents int64
	PeriodStart Date
	PeriodEnd   Date
	// Restrictions is the version in force, read with the source.
	Restrictions *FundRestrictions
	CreatedAt    time.Time
}

// FundRestrictions is one version of a source's restrictions (the format
// of package fund, docs/fund.md), who changed them, when and why.
type FundRestrictions struct {
	SourceID  string
	Version   int // from 1
	Text      string
	Reason    string
	Author    string
	CreatedAt time.Time
}

// GrantStatus is where a grant is in its life.
type GrantStatus string

const (
	GrantDraft   GrantStatus = "draft"
	GrantAwarded GrantStatus = "awarded"
	GrantActive  GrantStatus = "active"
	GrantClosing GrantStatus = "closing"
	GrantClosed  GrantStatus = "closed"
)

// Next reports whether a grant may move from s to t: forward one step at a
// time (draft, awarded, active, closing, closed).
func (s GrantStatus) Next(t GrantStatus) bool {
	order := []GrantStatus{GrantDraft, GrantAwarded, GrantActive, GrantClosing, GrantClosed}
	for i := 0; i+1 < len(order); i++ {
		if order[i] == s {
			return order[i+1] == t
		}
	}
	return false
}

// DefaultGrantAlertPercent is the share of a grant's award left below
// which its page flags it.
const DefaultGrantAlertPercent = 10

// Grant is money of one source awarded to one partner organization.
type Grant struct {
	ID             string
	SourceID       string
	OrganizationID string
	// The organization's and the source's names, as the store reads them
	// (a grant is named by them on its pages).
	OrganizationName, SourceName string
	Status                       GrantStatus
	AwardedCents                 int64
	PeriodStart                  Date
	PeriodEnd                    Date
	// LockedThrough: costs incurred on or before it can no longer be
	// recorded or approved (the zero date locks nothing).
	LockedThrough Date
	AlertPercent  int
	BudgetLines   []BudgetLine
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

// BudgetLine is a grant's budget for one line (package fund's
// BudgetLines: attorney, paralegal, interpreter, expert, fees, travel,
// bond, indirect).
type BudgetLine struct {
	Line        string
	AmountCents int64
}

// GrantAmendment is a change of a grant's status or terms, with its
// reason and the terms it left in force (PeriodStart, PeriodEnd and
// BudgetLines are empty for the amendments made before they were kept).
type GrantAmendment struct {
	ID           string
	GrantID      string
	Status       GrantStatus
	AwardedCents int64
	PeriodStart  Date
	PeriodEnd    Date
	BudgetLines  []BudgetLine
	Reason       string
	ActorID      string
	CreatedAt    time.Time
}

// GrantTerms are what an amendment may change: the award, the period and
// the budget lines, all given (a form shows the terms in force to change).
type GrantTerms struct {
	AwardedCents int64
	PeriodStart  Date
	PeriodEnd    Date
	BudgetLines  []BudgetLine
}

// FundFacts is what a funded case's eligibility rests on: the priority
// facts intake records, and the three the fund's sources add. A fact not
// recorded is false (IncomeFPLPercent 0: unknown).
type FundFacts struct {
	TPSHolder               bool   `json:"tps,omitempty"`
	FacingRemoval           bool   `json:"removal,omitempty"`
	Detained                bool   `json:"detained,omitempty"`
	UnaccompaniedMinor      bool   `json:"minor,omitempty"`
	Unhoused                bool   `json:"unhoused,omitempty"`
	TraffickingSurvivor     bool   `json:"trafficking,omitempty"`
	ViolenceSurvivor        bool   `json:"violence,omitempty"`
	AsylumSeeker            bool   `json:"asylum,omitempty"`
	DACARecipient           bool   `json:"daca,omitempty"`
	ViolentFelonyConviction bool   `json:"felony,omitempty"`
	Resident                bool   `json:"resident,omitempty"`   // lives in the source's area
	ImminentRisk            bool   `json:"imminent,omitempty"`   // faces imminent risk of deportation
	IncomeFPLPercent        int    `json:"income_fpl,omitempty"` // household income as % of the federal poverty line; 0 unknown
	Country                 string `json:"country,omitempty"`    // ISO 3166-1 alpha-2, for the TPS table
}

// EligibilitySnapshot is why a case was funded, as it was on the day:
// the facts, the priority-policy version and the groups it placed the
// person in, and the source's restrictions version. Kept as stored when
// the policy or restrictions change later. Sealed at rest.
type EligibilitySnapshot struct {
	Facts               FundFacts `json:"facts"`
	PolicyVersion       int       `json:"policy_version"`
	Groups              []string  `json:"groups"` // the priority rules that applied, in the policy's order
	RestrictionsVersion int       `json:"restrictions_version"`
}

// CaseStage is where a funded case is in court.
type CaseStage string

const (
	StageMasterCalendar CaseStage = "master_calendar"
	StageIndividual     CaseStage = "individual_hearing"
	StageBond           CaseStage = "bond"
	StageAppeal         CaseStage = "appeal"
	StageClosed         CaseStage = "closed"
)

// CaseStages lists every stage.
var CaseStages = []CaseStage{StageMasterCalendar, StageIndividual, StageBond, StageAppeal, StageClosed}

// NoPriorityGroup is the group of a case no priority rule applied to.
const NoPriorityGroup = "none"

// FundedCase is a client or applicant taken on under a grant.
type FundedCase struct {
	ID             string
	GrantID        string
	SourceID       string // the grant's
	OrganizationID string // the grant's
	ClientID       string // one of ClientID and ApplicantID
	ApplicantID    string
	Court          string // the immigration court, e.g. "Los Angeles (N. Los Angeles St.)"
	Stage          CaseStage
	// CommittedCents is the share of the grant committed to the case.
	CommittedCents int64
	FundedOn       Date
	// Detained and PriorityGroup are the snapshot's, in clear for the
	// compliance and the council's aggregates.
	Detained      bool
	PriorityGroup string
	Snapshot      EligibilitySnapshot
	CreatedAt     time.Time
}

// FundCaseDraft is what a case's funding form shows for confirmation:
// the facts read from the client's or applicant's record (FromRecord
// names them, as package fund's fact names; the form cannot change them),
// the record's place of residence in words for the person funding to
// confirm "resident", and the priority group the policy in force would
// place the person in.
type FundCaseDraft struct {
	GrantID       string
	GrantName     string // the grant's organization, as its pages name it
	ClientID      string
	ApplicantID   string
	Facts         FundFacts
	FromRecord    []string
	Residence     string // "City, Region" of the record's address; "" if none
	PriorityGroup string
	PolicyVersion int
}

// RecordFacts are the facts of a person's record that a funded case
// reads rather than takes from a form: detention and facing removal
// always, and the immigration situation's (TPS holder and country, asylum
// seeker, DACA recipient) when the record names one. It returns the facts
// and the names of those it set.
func RecordFacts(p *Personal) (FundFacts, []string) {
	f := FundFacts{Detained: p.Detained, FacingRemoval: p.FacingRemoval}
	names := []string{"detained", "facing_removal"}
	if p.Situation != SituationUnknown {
		f.TPSHolder, f.AsylumSeeker, f.DACARecipient = p.Situation == SituationTPS, p.Situation == SituationAsylum, p.Situation == SituationDACA
		if f.TPSHolder {
			f.Country = p.TPSCountry
		}
		names = append(names, "tps_holder", "asylum_seeker", "daca_recipient")
	}
	return f, names
}

// Overlay sets on f the facts named in names from rec: the record's facts
// over those typed on a form.
func (f *FundFacts) Overlay(rec FundFacts, names []string) {
	for _, n := range names {
		switch n {
		case "detained":
			f.Detained = rec.Detained
		case "facing_removal":
			f.FacingRemoval = rec.FacingRemoval
		case "tps_holder":
			f.TPSHolder, f.Country = rec.TPSHolder, rec.Country
		case "asylum_seeker":
			f.AsylumSeeker = rec.AsylumSeeker
		case "daca_recipient":
			f.DACARecipient = rec.DACARecipient
		case "unaccompanied_minor":
			f.UnaccompaniedMinor = rec.UnaccompaniedMinor
		case "unhoused":
			f.Unhoused = rec.Unhoused
		}
	}
}

// CostKind is a time entry or an expense.
type CostKind string

const (
	CostTime    CostKind = "time"
	CostExpense CostKind = "expense"
)

// CostStatus: recorded, then approved by the organization's admin; an
// approved cost whose spending entry is corrected (reversed) is reversed.
type CostStatus string

const (
	CostRecorded CostStatus = "recorded"
	CostApproved CostStatus = "approved"
	CostReversed CostStatus = "reversed"
)

// Cost is a time entry (Centihours × RateCents) or an expense
// (AmountCents) of a funded case, on one budget line of its grant.
type Cost struct {
	ID             string
	CaseID         string
	GrantID        string
	OrganizationID string
	BudgetLine     string
	Kind           CostKind
	Centihours     int64 // hundredths of an hour, for time
	RateCents      int64 // per hour, for time
	AmountCents    int64 // computed for time
	IncurredOn     Date
	Status         CostStatus
	RecordedBy     string
	ApprovedBy     string
	CreatedAt      time.Time
}

// InvoiceStatus is where a reimbursement request is.
type InvoiceStatus string

const (
	InvoiceSubmitted InvoiceStatus = "submitted"
	InvoiceApproved  InvoiceStatus = "approved"
	InvoicePaid      InvoiceStatus = "paid"
	InvoiceRejected  InvoiceStatus = "rejected"
)

// Invoice is an organization's reimbursement request for one period of
// one grant.
type Invoice struct {
	ID             string
	GrantID        string
	OrganizationID string
	Period         string // "2026-Q3", "2026-07" or "2026"
	AmountCents    int64
	Status         InvoiceStatus
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

// OutcomeKind is a funded case's outcome, in immigration-court terms.
type OutcomeKind string

const (
	OutcomeRelief          OutcomeKind = "relief_granted"
	OutcomeTermination     OutcomeKind = "termination"
	OutcomeAdminClosure    OutcomeKind = "administrative_closure"
	OutcomeVoluntaryDepart OutcomeKind = "voluntary_departure"
	OutcomeRemovalOrder    OutcomeKind = "removal_order"
	OutcomeInAbsentia      OutcomeKind = "in_absentia"
	OutcomeBondGranted     OutcomeKind = "bond_granted" // interim
	OutcomeReleased        OutcomeKind = "released"     // interim
	OutcomeTransferred     OutcomeKind = "transferred"  // interim
	OutcomePending         OutcomeKind = "pending"
)

// OutcomeKinds lists every outcome.
var OutcomeKinds = []OutcomeKind{OutcomeRelief, OutcomeTermination, OutcomeAdminClosure, OutcomeVoluntaryDepart, OutcomeRemovalOrder,
	OutcomeInAbsentia, OutcomeBondGranted, OutcomeReleased, OutcomeTransferred, OutcomePending}

// Interim reports whether the outcome does not end the case.
func (k OutcomeKind) Interim() bool {
	return k == OutcomeBondGranted || k == OutcomeReleased || k == OutcomeTransferred || k == OutcomePending
}

// Stays reports whether a final outcome lets the client stay in the
// country (the L.A. Justice Fund's measure of success).
func (k OutcomeKind) Stays() bool {
	return k == OutcomeRelief || k == OutcomeTermination || k == OutcomeAdminClosure
}

// Reliefs are the forms of relief a relief_granted outcome names.
var Reliefs = []string{"asylum", "withholding", "cat", "cancellation", "adjustment", "sijs", "tps", "other"}

// Outcome is one dated outcome of a funded case, with who recorded it.
type Outcome struct {
	ID         string
	CaseID     string
	Kind       OutcomeKind
	Relief     string // for relief_granted: one of Reliefs
	BondCents  int64  // for bond_granted
	DecidedOn  Date
	RecordedBy string
	RecordedAt time.Time
}

// LedgerAccount names what a ledger entry moves.
type LedgerAccount string

const (
	LedgerAward   LedgerAccount = "award"   // a grant's award (and its amendments)
	LedgerCommit  LedgerAccount = "commit"  // a case funded under it
	LedgerSpend   LedgerAccount = "spend"   // a cost approved
	LedgerApprove LedgerAccount = "approve" // an invoice approved
	LedgerPay     LedgerAccount = "pay"     // an invoice paid
)

// LedgerEntry is one posted movement. Entries are never edited: a
// correction is a new entry whose Reverses names the one it undoes.
type LedgerEntry struct {
	ID             string
	Seq            int64
	GrantID        string
	SourceID       string
	OrganizationID string
	Account        LedgerAccount
	AmountCents    int64
	EffectiveOn    Date
	CaseID         string
	CostID         string
	InvoiceID      string
	Reverses       string
	Reason         string
	// For spend entries, the case's detention and priority group and the
	// cost's budget line, as they were when posted.
	Detained      bool
	PriorityGroup string
	BudgetLine    string
	PostedBy      string
	PostedAt      time.Time
}

// GrantBalance is a grant's ledger summed up. It reconciles when
// Awarded = Committed + Uncommitted, Uncommitted ≥ 0, Spent ≤ Committed
// and Paid ≤ Approved.
type GrantBalance struct {
	GrantID          string
	OrganizationID   string
	SourceID         string
	OrganizationName string // as the store reads it
	SourceName       string
	Status           GrantStatus
	AwardedCents     int64
	CommittedCents   int64
	UncommittedCents int64
	SpentCents       int64
	ApprovedCents    int64
	PaidCents        int64
	AlertPercent     int
}

// Reconciles reports whether b holds the ledger's invariants.
func (b GrantBalance) Reconciles() bool {
	return b.AwardedCents == b.CommittedCents+b.UncommittedCents && b.UncommittedCents >= 0 &&
		b.SpentCents <= b.CommittedCents && b.PaidCents <= b.ApprovedCents && b.SpentCents >= 0 && b.PaidCents >= 0
}

// RemainingCents is what is left to spend: awarded less spent.
func (b GrantBalance) RemainingCents() int64 { return b.AwardedCents - b.SpentCents }

// Low reports whether the remaining funds are below the alert threshold.
func (b GrantBalance) Low() bool {
	return b.AwardedCents > 0 && b.RemainingCents()*100 < b.AwardedCents*int64(b.AlertPercent)
}

// ComplianceLine is one floor or ceiling of a source checked over one
// period: the share spent on its target against its percentage.
type ComplianceLine struct {
	SourceID    string
	SourceName  string
	Period      string
	Target      string // "detained", "group NAME", "line NAME"
	Ceiling     bool
	Percent     int // the floor or ceiling
	Text        string
	SpentCents  int64 // all of the source's spending in the period
	TargetCents int64 // of it, on the target
	Met         bool  // no spending meets every floor and ceiling
}

// SharePermille is the target's share of the spending, in tenths of a
// percent (0 with no spending).
func (c *ComplianceLine) SharePermille() int64 {
	if c.SpentCents == 0 {
		return 0
	}
	return c.TargetCents * 1000 / c.SpentCents
}

// Compliance is the fund's compliance over one period, computed from the
// ledger, with every grant's balance.
type Compliance struct {
	Period string
	Start  Date
	End    Date // exclusive
	Lines  []ComplianceLine
	Grants []GrantBalance
}

// FundService keeps the fund. The fund officer (Actor.RunsFund) manages
// sources, grants, invoices and reads everything; an organization's staff
// (Actor.WorksFundOf) record its cases, costs and outcomes, and its
// admins approve its costs; each organization reads only its own.
// Every change is audited and posts its ledger entries in the same
// transaction.
type FundService interface {
	// CreateFundSource stores a source with its first restrictions.
	// EINVALID (field named) for a bad source or restrictions that do not
	// parse; EFORBIDDEN unless RunsFund.
	CreateFundSource(ctx context.Context, s *FundSource, restrictions, reason string) error
	// SetFundRestrictions puts a new version of a source's restrictions
	// in force. EINVALID, EFORBIDDEN, ENOTFOUND.
	SetFundRestrictions(ctx context.Context, sourceID, text, reason string) (*FundRestrictions, error)
	// FindFundSources lists the sources with their restrictions in force.
	FindFundSources(ctx context.Context) ([]*FundSource, error)
	// FundRestrictionsHistory lists a source's versions, newest first.
	FundRestrictionsHistory(ctx context.Context, sourceID string) ([]*FundRestrictions, error)

	// CreateGrant stores a draft grant. EINVALID (a budget line the
	// source does not allow, lines over the award), EFORBIDDEN, ENOTFOUND.
	CreateGrant(ctx context.Context, g *Grant) error
	// SetGrantStatus moves a grant one step, with a reason; awarding
	// posts the award. ECONFLICT for a step out of order.
	SetGrantStatus(ctx context.Context, id string, status GrantStatus, reason string) (*Grant, error)
	// AmendGrant changes the award, with a reason, posting the difference;
	// ECONFLICT when the new award is under what is committed.
	AmendGrant(ctx context.Context, id string, awardedCents int64, reason string) (*Grant, error)
	// AmendGrantTerms changes the award, the period and the budget lines
	// at once, with a reason, posting the award's difference: EINVALID
	// (field named) as for CreateGrant, or for a period that leaves out a
	// cost already recorded; ECONFLICT under what is committed.
	AmendGrantTerms(ctx context.Context, id string, t GrantTerms, reason string) (*Grant, error)
	// LockGrantCosts locks costs incurred on or before the date.
	LockGrantCosts(ctx context.Context, id string, through Date) (*Grant, error)
	// FindGrantByID reads a grant with its budget lines; ENOTFOUND, or
	// EFORBIDDEN for another organization's.
	FindGrantByID(ctx context.Context, id string) (*Grant, error)
	// FindGrants lists the grants the actor sees (orgID "" for all).
	FindGrants(ctx context.Context, orgID string) ([]*Grant, error)
	// FindGrantAmendments lists a grant's amendments, oldest first.
	FindGrantAmendments(ctx context.Context, grantID string) ([]*GrantAmendment, error)

	// FundCase takes a case on under a grant: reads the facts the
	// person's record has over those given (RecordFacts), checks the source's
	// restrictions against the facts (EINVALID naming the rule, with
	// Field "eligibility"), snapshots them with the priority policy in
	// force, and commits CommittedCents (ECONFLICT beyond the uncommitted
	// award).
	FundCase(ctx context.Context, c *FundedCase) error
	// FundCaseFacts reads, for the funding form's confirmation, the facts
	// Amparo has on a client or applicant (one of the two IDs) of the
	// grant's organization; FundCase reads them again and they win over
	// the form's. EINVALID (Field "client") for a person not of the
	// organization, EFORBIDDEN, ENOTFOUND. Audited as a view of the record.
	FundCaseFacts(ctx context.Context, grantID, clientID, applicantID string) (*FundCaseDraft, error)
	// FindFundedCaseByID reads a funded case with its snapshot; ENOTFOUND,
	// EFORBIDDEN.
	FindFundedCaseByID(ctx context.Context, id string) (*FundedCase, error)
	// FindFundedCases lists a grant's cases (every case the actor sees
	// for "").
	FindFundedCases(ctx context.Context, grantID string) ([]*FundedCase, error)

	// RecordCost records a cost: EINVALID for a budget line the grant has
	// not, a date before the lock or outside the grant's period.
	RecordCost(ctx context.Context, c *Cost) error
	// ApproveCost approves a cost and posts its spending; the
	// organization's admins only. ECONFLICT beyond the committed funds.
	ApproveCost(ctx context.Context, id string) (*Cost, error)
	// FindCosts lists a case's costs, by date.
	FindCosts(ctx context.Context, caseID string) ([]*Cost, error)

	// SubmitInvoice requests reimbursement for a period: ECONFLICT above
	// what was spent and not yet invoiced.
	SubmitInvoice(ctx context.Context, inv *Invoice) error
	// DecideInvoice approves, rejects or marks paid an invoice (the fund
	// officer), posting approve and pay entries.
	DecideInvoice(ctx context.Context, id string, status InvoiceStatus) (*Invoice, error)
	// FindInvoices lists a grant's invoices, by period.
	FindInvoices(ctx context.Context, grantID string) ([]*Invoice, error)

	// RecordOutcome records an outcome of a funded case.
	RecordOutcome(ctx context.Context, o *Outcome) error
	// FindOutcomes lists a case's outcomes, by date.
	FindOutcomes(ctx context.Context, caseID string) ([]*Outcome, error)

	// CorrectLedgerEntry posts the reversing entry of a posted one, with a
	// reason; ECONFLICT if it was already reversed or is a reversal, or if
	// the ledger would no longer reconcile. Reversing a spend entry moves
	// its cost to CostReversed.
	CorrectLedgerEntry(ctx context.Context, id, reason string) (*LedgerEntry, error)
	// FundLedger lists a grant's entries (all the actor sees for ""), in
	// posting order.
	FundLedger(ctx context.Context, grantID string) ([]*LedgerEntry, error)
	// GrantBalances sums the ledger of every grant the actor sees.
	GrantBalances(ctx context.Context) ([]GrantBalance, error)
	// FundCompliance computes the compliance for a period ("2026-Q3",
	// "2026-07", "2026"); EINVALID for another form.
	FundCompliance(ctx context.Context, period string) (*Compliance, error)
}

// RunsFund reports whether the actor manages the fund: the fund officer,
// the program office and the operator.
func (a Actor) RunsFund() bool {
	return a.Role == RoleFundOfficer || a.RunsProgram()
}

// WorksFundOf reports whether the actor may record funded cases, costs
// and outcomes of the organization orgID: its admins and members, and
// whoever runs the fund.
func (a Actor) WorksFundOf(orgID string) bool {
	if a.RunsFund() {
		return true
	}
	return (a.Role == RoleOrgAdmin || a.Role == RoleMember) && orgID != "" && a.OrganizationID == orgID
}

// ApprovesCostsOf reports whether the actor may approve costs of the
// organization orgID: its admins and the operator.
func (a Actor) ApprovesCostsOf(orgID string) bool {
	return a.Role == RoleSystem || (a.Role == RoleOrgAdmin && orgID != "" && a.OrganizationID == orgID)
}

// ReadsFundOf reports whether the actor may read the fund's records of
// the organization orgID.
func (a Actor) ReadsFundOf(orgID string) bool {
	return a.RunsFund() || a.Role == RoleAuditor || (a.Role == RoleOrgAdmin || a.Role == RoleMember) && orgID != "" && a.OrganizationID == orgID
}

// ReadsFund reports whether the actor may open the fund's pages: whoever
// runs or audits it, and the admins and members of an organization (who
// read their own organization's alone).
func (a Actor) ReadsFund() bool { return a.ReadsFundOf(a.OrganizationID) }

// ParsePeriod reads a period, "2026-Q3", "2026-07" or "2026", into its
// first day and the day after its last.
func ParsePeriod(s string) (start, end Date, err error) {
	switch {
	case len(s) == 7 && s[4] == '-' && s[5] == 'Q' && s[6] >= '1' && s[6] <= '4':
		if t, e := time.Parse("2006", s[:4]); e == nil {
			n := int(s[6] - '0')
			st := time.Date(t.Year(), time.Month(3*(n-1)+1), 1, 0, 0, 0, 0, time.UTC)
			return Date{st}, Date{st.AddDate(0, 3, 0)}, nil
		}
	case len(s) == 7 && s[4] == '-':
		if t, e := time.Parse("2006-01", s); e == nil {
			return Date{t}, Date{t.AddDate(0, 1, 0)}, nil
		}
	case len(s) == 4:
		if t, e := time.Parse("2006", s); e == nil {
			return Date{t}, Date{t.AddDate(1, 0, 0)}, nil
		}
	}
	return Date{}, Date{}, Invalid("period", "%q is not a period (2026-Q3, 2026-07 or 2026)", s).Localize("fund.err.period", s)
}

// QuarterOf is the quarter a date falls in, "2026-Q3".
func QuarterOf(d Date) string {
	return d.Format("2006") + "-Q" + string(rune('1'+(int(d.Month())-1)/3))
}

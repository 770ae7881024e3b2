package amparo

import (
	"context"
	"fmt"
	"time"
)

// The council's public reports: aggregate counts over fixed periods,
// protected by package disclosure and released as immutable, hashed
// snapshots that a program admin approves. No report reads or exports a
// person-level row: the store answers counts only.

// ReportMetric names a count the store can make for a period. Each has a
// fixed list of dimensions (ReportMetrics); a report definition may break
// a metric down by those only.
type ReportMetric string

// The metrics. Flows count what happened during the period; stocks count
// what stood at its end.
const (
	MetricLettersIssued  ReportMetric = "letters.issued"  // letters issued in the period
	MetricLettersActive  ReportMetric = "letters.active"  // letters active at the period's end
	MetricLettersRenewed ReportMetric = "letters.renewed" // letters issued in the period that replace an earlier one
	MetricLettersRevoked ReportMetric = "letters.revoked" // letters revoked in the period
	// MetricLettersTotal counts every letter issued from the program's
	// start to the period's end: cumulative, checked against the previous
	// release.
	MetricLettersTotal ReportMetric = "letters.total"
	MetricIntakes      ReportMetric = "intakes.received" // applicants received in the period
	// MetricIntakesGroup counts applicants received in the period by
	// their stored priority group (ApplicantGroups).
	MetricIntakesGroup ReportMetric = "intakes.by_group"
	// MetricQueue counts those in line at the period's end, by how long
	// they had waited.
	MetricQueue ReportMetric = "queue.waiting"
	// MetricQueueGroup counts those in line at the period's end by their
	// stored priority group and how long they had waited.
	MetricQueueGroup ReportMetric = "queue.by_group"
	MetricMatches    ReportMetric = "matches.made"       // applicants matched with a member in the period
	MetricWorkshops  ReportMetric = "workshops.held"     // workshops held in the period
	MetricAttendance ReportMetric = "workshops.attended" // people admitted at their door (party sizes, walk-ins included)
	MetricAlerts     ReportMetric = "alerts.raised"      // alerts raised in the period, by time to acknowledgement
	MetricFundPrefix              = "fund."              // metrics of the fund (ReportSource), when it is wired
	// The fund's metrics, counted from its ledger, cases and outcomes.
	// Those named "cents" are sums of money in integer cents, published
	// only where the case count of the same cell is (package report).
	MetricFundAwarded = ReportMetric("fund.awarded") // cents: grants' awards standing at the period's end
	// MetricFundCases counts funded cases with spending approved in the
	// period (net of corrections).
	MetricFundCases = ReportMetric("fund.cases")
	MetricFundSpent = ReportMetric("fund.spent") // cents: their spending in the period
	// MetricFundOutcomes counts funded cases closed in the period (their
	// last final outcome decided in it), by whether the client stays;
	// OutcomePendingCat counts those with no final outcome at its end.
	MetricFundOutcomes = ReportMetric("fund.outcomes")
	// MetricFundClosedSpent is cents: the whole spending, to the period's
	// end, on the cases closed in the period.
	MetricFundClosedSpent = ReportMetric("fund.closed_spent")
)

// Report dimensions.
const (
	DimOrganization = "organization" // the organization's name
	DimLanguage     = "language"     // the letter's first language besides English; "en" when none
	DimWaited       = "waited"       // time in line: WaitBuckets
	DimAckTime      = "ack_time"     // time to acknowledgement: AckBuckets, or AckPending
	DimSource       = "source"       // a fund source's name (a funder's, never a person's)
	DimGroup        = "priority_group"
	DimDetention    = "detention" // DetentionBuckets
	DimOutcome      = "outcome"   // OutcomeBuckets
)

// The categories of DimDetention and DimOutcome. A closed case "stayed"
// when its final outcome lets the client stay (OutcomeKind.Stays).
var (
	DetentionBuckets = []string{"detained", "not_detained"}
	OutcomeBuckets   = []string{"stayed", "did_not_stay", OutcomePendingCat}
)

// OutcomePendingCat is the DimOutcome category of funded cases with no
// final outcome at the period's end: shown apart from the closed cases.
const OutcomePendingCat = "pending"

// The categories of DimWaited and DimAckTime, in order.
var (
	WaitBuckets = []string{"under_30_days", "30_to_90_days", "90_to_180_days", "over_180_days"}
	AckBuckets  = []string{"under_15_minutes", "15_to_60_minutes", "over_1_hour"}
)

// AckPending is the DimAckTime category of alerts never acknowledged:
// pending, shown apart from those acknowledged.
const AckPending = "pending"

// ReportMetrics lists each metric of the store and its dimensions.
var ReportMetrics = map[ReportMetric][]string{
	MetricLettersIssued:   {DimOrganization, DimLanguage},
	MetricLettersActive:   {DimOrganization, DimLanguage},
	MetricLettersRenewed:  {DimOrganization, DimLanguage},
	MetricLettersRevoked:  {DimOrganization, DimLanguage},
	MetricLettersTotal:    {DimOrganization},
	MetricIntakes:         {DimOrganization},
	MetricIntakesGroup:    {DimGroup},
	MetricQueueGroup:      {DimGroup, DimWaited},
	MetricQueue:           {DimOrganization, DimWaited},
	MetricMatches:         {DimOrganization},
	MetricWorkshops:       {DimOrganization},
	MetricAttendance:      {DimOrganization},
	MetricAlerts:          {DimOrganization, DimAckTime},
	MetricFundAwarded:     {DimSource, DimOrganization},
	MetricFundCases:       {DimSource, DimOrganization, DimGroup, DimDetention},
	MetricFundSpent:       {DimSource, DimOrganization, DimGroup, DimDetention},
	MetricFundOutcomes:    {DimGroup, DimDetention, DimOutcome},
	MetricFundClosedSpent: {DimGroup, DimDetention, DimOutcome},
}

// SamePopulation maps a metric to the metric it counts the same
// population as, broken down otherwise: their tables released together
// have equal grand totals and equal margins over the dimensions they
// share, and are linked for the disclosure audit (package report), so
// that neither's published total undoes the other's suppression.
var SamePopulation = map[ReportMetric]ReportMetric{
	MetricIntakesGroup: MetricIntakes,
	MetricQueueGroup:   MetricQueue,
}

// Population is the metric whose population m counts: m itself unless
// SamePopulation names another.
func (m ReportMetric) Population() ReportMetric {
	if p, ok := SamePopulation[m]; ok {
		return p
	}
	return m
}

// ReportRow is one count of a metric: its category in each of the
// metric's dimensions, in their order. Rows absent are zero.
type ReportRow struct {
	Keys  []string
	Count int64
}

// ReportPeriod is a fixed reporting period: a calendar quarter (2026-Q3)
// or month (2026-07) in the program's time zone, from From (inclusive) to
// Until (exclusive).
type ReportPeriod struct {
	Name        string
	From, Until time.Time
}

// ParseReportPeriod reads a period name in loc: a quarter ("2026-Q3") or a
// month ("2026-07"), as ParsePeriod reads them.
func ParseReportPeriod(s string, loc *time.Location) (ReportPeriod, error) {
	from, until, err := ParsePeriod(s)
	if err != nil || len(s) == 4 {
		return ReportPeriod{}, Invalid("period", "%q is not a period: a quarter such as 2026-Q3 or a month such as 2026-07", s).Localize("report.err.period", s)
	}
	in := func(d Date) time.Time { return time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, loc) }
	return ReportPeriod{Name: s, From: in(from), Until: in(until)}, nil
}

// Over refuses a period that is not over at now: a release counts only
// what can no longer change.
func (p ReportPeriod) Over(now time.Time) error {
	if now.Before(p.Until) {
		return Invalid("period", "the period %s is not over until %s", p.Name, p.Until.Format(time.DateOnly)).
			Localize("report.err.not_over", p.Name, p.Until.Format(time.DateOnly))
	}
	return nil
}

// ReportRelease is a released report: the published tables as JSON
// (Public, hashed), and the true counts that the next release's check
// needs (Private: never served or exported). Immutable once made; a
// program admin approves it before the public sees it.
type ReportRelease struct {
	ID         string // the period's name: one release per period
	Period     string
	From       time.Time
	Until      time.Time
	Hash       string // hex SHA-256 of Public
	Public     []byte
	Private    []byte
	CreatedAt  time.Time
	CreatedBy  string
	ApprovedAt time.Time // zero until approved
	ApprovedBy string
}

// Approved reports whether the release has been approved.
func (r *ReportRelease) Approved() bool { return !r.ApprovedAt.IsZero() }

// ReportReleaseFilter selects releases.
type ReportReleaseFilter struct {
	Approved bool      // approved ones only
	Before   time.Time // only those whose period ends at or before it; zero: any
}

// ReportSource makes the counts of metrics that live outside the store's
// own vocabulary (the fund's: MetricFundPrefix), for the release to
// include when a definition names them. Counts only, never person-level
// rows.
type ReportSource interface {
	// ReportDimensions returns the dimensions of metric m, and false if
	// the source does not make it.
	ReportDimensions(m ReportMetric) ([]string, bool)
	CountReport(ctx context.Context, m ReportMetric, p ReportPeriod) ([]ReportRow, error)
}

// ReportFloor is one floor or ceiling of a fund source's restrictions
// in force, as the report checks it: the share of the source's spending
// on Target ("detained") against Percent. Policy data, not about people.
type ReportFloor struct {
	Source  string // the source's name
	Target  string
	Percent int
	Ceiling bool
}

// ReportFloors is implemented by a store that keeps the fund: the floors
// and ceilings of its sources, for the report's compliance table.
type ReportFloors interface {
	// FundReportFloors lists every source's floors and ceilings in force.
	// EFORBIDDEN unless the actor runs the program.
	FundReportFloors(ctx context.Context) ([]ReportFloor, error)
}

// ReportService counts the reports' metrics and keeps their releases.
type ReportService interface {
	// CountReport counts metric m over period p, by the metric's
	// dimensions. EINVALID for a metric the store does not make;
	// EFORBIDDEN unless the actor runs the program.
	CountReport(ctx context.Context, m ReportMetric, p ReportPeriod) ([]ReportRow, error)
	// CreateReportRelease stores a new release. ECONFLICT if the period
	// has one; EFORBIDDEN unless the actor runs the program.
	CreateReportRelease(ctx context.Context, r *ReportRelease) error
	// ApproveReportRelease approves a release, once. ENOTFOUND;
	// ECONFLICT if already approved; EFORBIDDEN unless the actor runs
	// the program.
	ApproveReportRelease(ctx context.Context, id string) (*ReportRelease, error)
	// FindReportRelease returns one release; anyone may read an approved
	// one, only the program office one not yet approved (ENOTFOUND to
	// others). Private is set for the program office only.
	FindReportRelease(ctx context.Context, id string) (*ReportRelease, error)
	// FindReportReleases lists releases, newest period first, without
	// Private; the public sees approved ones only.
	FindReportReleases(ctx context.Context, f ReportReleaseFilter) ([]*ReportRelease, error)
}

// String is the period's name.
func (p ReportPeriod) String() string {
	return fmt.Sprintf("%s [%s, %s)", p.Name, p.From.Format(time.DateOnly), p.Until.Format(time.DateOnly))
}

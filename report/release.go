package report

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/disclosure"
	"golang.org/x/sync/errgroup"
)

// Service releases the council's reports: the workflow the web and the
// command line both call.
type Service struct {
	Store    amparo.ReportService
	Programs interface {
		FindProgram(ctx context.Context) (*amparo.Program, error)
	}
	// Sources make the metrics outside the store's vocabulary: the fund
	// plugs in here (amparo.ReportSource) and its metrics become
	// available to the definitions.
	Sources     []amparo.ReportSource
	Definitions *Definitions // nil: Council()
	Policy      disclosure.Policy
	Now         func() time.Time
}

// Document is a release as published: the same values in JSON, CSV, the
// dashboard and the PDF.
type Document struct {
	Period        string  `json:"period"`
	From          string  `json:"from"`  // first day
	Until         string  `json:"until"` // the day after the last
	Grain         string  `json:"grain"`
	MinCount      int64   `json:"min_count"`
	SuppressZeros bool    `json:"suppress_zeros"`
	UnstableBelow int64   `json:"unstable_below"`
	Tables        []Table `json:"tables"`
	Suppressed    int     `json:"suppressed"`
	Primary       int     `json:"primary"`
	Complementary int     `json:"complementary"`
	Cells         int     `json:"cells"`
}

// Table is one published table.
type Table struct {
	Name        string                 `json:"name"`
	Metric      string                 `json:"metric"`
	Population  string                 `json:"population"`
	Denominator string                 `json:"denominator,omitempty"`
	PendingOf   string                 `json:"pending_of,omitempty"` // the table whose pending cases this one shows
	Dims        []disclosure.Dimension `json:"dims"`
	Collapsed   []string               `json:"collapsed,omitempty"`
	Cumulative  bool                   `json:"cumulative,omitempty"`
	Empty       bool                   `json:"empty,omitempty"` // nothing counted in the period
	// MoneyOf is set on a table of money (cents): the count table whose
	// suppression pattern its cells follow, or "public".
	MoneyOf string `json:"money_of,omitempty"`
	Unit    string `json:"unit,omitempty"` // what a cell's PerCents is per, in words
	// ComplianceOf is set on a compliance table: the money table its
	// shares are computed from.
	ComplianceOf string `json:"compliance_of,omitempty"`
	Cells        []Cell `json:"cells,omitempty"`
}

// Cell is one published cell; a suppressed cell has no count.
type Cell struct {
	Key        []string          `json:"key"` // a category per dimension; "*" for a total
	Count      *int64            `json:"count"`
	Suppressed bool              `json:"suppressed,omitempty"`
	Reason     disclosure.Reason `json:"reason,omitempty"`
	Percent    *float64          `json:"percent,omitempty"`
	Unstable   bool              `json:"unstable,omitempty"`
	// Cents is a money table's value, in integer cents; PerCents its
	// cost per case (Table.Unit), rounded to the cent.
	Cents    *int64 `json:"cents,omitempty"`
	PerCents *int64 `json:"per_cents,omitempty"`
	// Floor is a compliance cell's floor (or ceiling) in percent, and
	// Met whether the share (Percent) keeps it; both absent when the
	// share is suppressed or nothing was spent.
	Floor   *int  `json:"floor,omitempty"`
	Ceiling bool  `json:"ceiling,omitempty"`
	Met     *bool `json:"met,omitempty"`
}

// private is what a release keeps for the next one's check: the true
// counts and the categories each table was counted over.
type private struct {
	Result     *disclosure.Result
	Categories map[string][][]string
}

func (s *Service) defs() *Definitions {
	if s.Definitions != nil {
		return s.Definitions
	}
	return Council()
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// Period reads a period name in the program's time zone.
func (s *Service) Period(ctx context.Context, name string) (amparo.ReportPeriod, error) {
	loc := time.UTC
	if s.Programs != nil {
		p, err := s.Programs.FindProgram(ctx)
		if err != nil {
			return amparo.ReportPeriod{}, err
		}
		loc = p.Location()
	}
	return amparo.ParseReportPeriod(name, loc)
}

// Release counts, protects and stores the release of a period that is
// over, and approves it when approve is set. Nothing is stored when any
// step fails.
func (s *Service) Release(ctx context.Context, period string, approve bool) (*amparo.ReportRelease, error) {
	p, err := s.Period(ctx, period)
	if err != nil {
		return nil, err
	}
	if err := p.Over(s.now()); err != nil {
		return nil, err
	}
	if g := s.defs().Grain; (g == "quarter") != strings.Contains(period, "Q") {
		return nil, amparo.Invalid("period", "the report is released by %s, not for %s", g, period).Localize("report.err.grain", g, period)
	}
	prev, err := s.previous(ctx, p)
	if err != nil {
		return nil, err
	}
	doc, priv, err := s.build(ctx, p, prev)
	if err != nil {
		return nil, err
	}
	public, err := json.Marshal(doc)
	if err != nil {
		return nil, err
	}
	private, err := json.Marshal(priv)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(public)
	r := &amparo.ReportRelease{ID: p.Name, Period: p.Name, From: p.From, Until: p.Until, Hash: hex.EncodeToString(sum[:]), Public: public, Private: private}
	if err := s.Store.CreateReportRelease(ctx, r); err != nil {
		return nil, err
	}
	if approve {
		return s.Store.ApproveReportRelease(ctx, r.ID)
	}
	return r, nil
}

// Approve approves a release.
func (s *Service) Approve(ctx context.Context, id string) (*amparo.ReportRelease, error) {
	return s.Store.ApproveReportRelease(ctx, id)
}

// previous is the private part of the latest release of a period that
// ends by p's start, nil if there is none.
func (s *Service) previous(ctx context.Context, p amparo.ReportPeriod) (*private, error) {
	l, err := s.Store.FindReportReleases(ctx, amparo.ReportReleaseFilter{Before: p.From})
	if err != nil || len(l) == 0 {
		return nil, err
	}
	r, err := s.Store.FindReportRelease(ctx, l[0].ID)
	if err != nil {
		return nil, err
	}
	var pv private
	if err := json.Unmarshal(r.Private, &pv); err != nil {
		return nil, fmt.Errorf("report: the release %s: %w", r.ID, err)
	}
	return &pv, nil
}

// countAll counts each metric the definitions name once (a metric of
// several tables is counted once), as many at a time as there are cores:
// each count is a read of its own, and on a large program the queue's and
// the fund's each take a second of one core.
func (s *Service) countAll(ctx context.Context, defs *Definitions, p amparo.ReportPeriod) (map[amparo.ReportMetric][]amparo.ReportRow, error) {
	var metrics []amparo.ReportMetric
	for _, d := range defs.Tables {
		if !slices.Contains(metrics, d.Metric) {
			metrics = append(metrics, d.Metric)
		}
	}
	rows := make([][]amparo.ReportRow, len(metrics))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(runtime.GOMAXPROCS(0))
	for i, m := range metrics {
		g.Go(func() (err error) {
			rows[i], err = s.count(gctx, m, p)
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	counted := make(map[amparo.ReportMetric][]amparo.ReportRow, len(metrics))
	for i, m := range metrics {
		counted[m] = rows[i]
	}
	return counted, nil
}

func (s *Service) count(ctx context.Context, m amparo.ReportMetric, p amparo.ReportPeriod) ([]amparo.ReportRow, error) {
	if _, ok := amparo.ReportMetrics[m]; ok {
		return s.Store.CountReport(ctx, m, p)
	}
	for _, src := range s.Sources {
		if _, ok := src.ReportDimensions(m); ok {
			return src.CountReport(ctx, m, p)
		}
	}
	return nil, amparo.Invalid("metric", "no source makes the metric %q", m)
}

// fixed are the categories of the dimensions whose breakdown is fixed.
var fixed = map[string][]string{
	amparo.DimDetention: amparo.DetentionBuckets,
	amparo.DimOutcome:   amparo.OutcomeBuckets,
	amparo.DimWaited:    amparo.WaitBuckets,
	amparo.DimAckTime:   append(slices.Clone(amparo.AckBuckets), amparo.AckPending),
}

type built struct {
	def     Definition
	name    string
	pending string // the table whose pending cases it shows
	dims    []string
	rows    []amparo.ReportRow
}

func (s *Service) build(ctx context.Context, p amparo.ReportPeriod, prev *private) (*Document, *private, error) {
	defs := s.defs()
	counted, err := s.countAll(ctx, defs, p)
	if err != nil {
		return nil, nil, err
	}
	var parts []built
	for _, d := range defs.Tables {
		rows := project(counted[d.Metric], d)
		if d.Pending == "" {
			parts = append(parts, built{def: d, name: d.Name, dims: d.Dims, rows: rows})
			continue
		}
		var done, pending []amparo.ReportRow
		last := len(d.Dims) - 1
		for _, r := range rows {
			if r.Keys[last] == d.Pending {
				pending = append(pending, amparo.ReportRow{Keys: r.Keys[:last], Count: r.Count})
			} else {
				done = append(done, r)
			}
		}
		parts = append(parts, built{def: d, name: d.Name, dims: d.Dims, rows: done},
			built{def: d, name: d.Name + "-pending", pending: d.Name, dims: d.Dims[:last], rows: pending})
	}
	priv := &private{Categories: map[string][][]string{}}
	var rel disclosure.Release
	var tables []*Table
	collapseCats := map[string][]string{}
	var money []moneyPart
	metricOf := map[string]built{}
	for _, b := range parts {
		t := &Table{Name: b.name, Metric: string(b.def.Metric), Population: b.def.Population, PendingOf: b.pending, Cumulative: b.def.Cumulative,
			MoneyOf: b.def.Money, Unit: b.def.Unit}
		if b.pending == "" {
			t.Denominator = b.def.Denominator
		}
		tables = append(tables, t)
		if b.def.Money != "" {
			money = append(money, moneyPart{b, t})
			continue
		}
		metricOf[b.name] = b
		cats := make([][]string, len(b.dims))
		for i, dim := range b.dims {
			var c []string
			if f, ok := fixed[dim]; ok {
				c = slices.Clone(f)
				if b.pending == "" && b.def.Pending != "" && i == len(b.dims)-1 {
					c = slices.DeleteFunc(c, func(x string) bool { return x == b.def.Pending })
				}
			} else {
				for _, r := range b.rows {
					c = append(c, r.Keys[i])
				}
				if prev != nil {
					if pc := prev.Categories[b.name]; len(pc) == len(b.dims) {
						c = append(c, pc[i]...)
					}
				}
				slices.Sort(c)
				c = slices.Compact(c)
			}
			cats[i] = c
		}
		if slices.ContainsFunc(cats, func(c []string) bool { return len(c) == 0 }) {
			t.Empty = true
			continue
		}
		priv.Categories[b.name] = cats
		dt := disclosure.Table{Name: b.name, Cumulative: b.def.Cumulative}
		index := map[string]int{}
		n := 1
		for i, dim := range b.dims {
			dt.Dims = append(dt.Dims, disclosure.Dimension{Name: dim, Categories: cats[i]})
			n *= len(cats[i])
		}
		dt.Counts = make([]int64, n)
		for i := range n {
			index[keyAt(cats, i)] = i
		}
		for _, r := range b.rows {
			dt.Counts[index[keyOf(r.Keys)]] += r.Count
		}
		if b.def.PercentOf != nil && b.pending == "" {
			dt.Percent = &disclosure.PercentOf{Of: b.def.PercentOf}
		}
		for _, c := range b.def.Collapsible {
			if ci := slices.Index(b.dims, c); ci >= 0 {
				dt.Collapsible = append(dt.Collapsible, c)
				collapseCats[c] = append(collapseCats[c], cats[ci]...)
			}
		}
		rel.Tables = append(rel.Tables, dt)
	}
	rel.Links = links(rel.Tables, metricOf)
	policy := s.Policy
	for dim, cats := range collapseCats {
		policy.Collapses = append(policy.Collapses, collapseRules[dim](cats))
	}
	slices.SortFunc(policy.Collapses, func(a, b disclosure.Collapse) int { return cmpString(a.Dim, b.Dim) })
	res, err := disclosure.Protect(rel, policy, prevCumulative(prev))
	if err != nil {
		return nil, nil, err
	}
	priv.Result = res
	pub := res.Public()
	doc := &Document{Period: p.Name, From: p.From.Format(time.DateOnly), Until: p.Until.Format(time.DateOnly), Grain: s.defs().Grain,
		MinCount: res.Policy.MinCount, SuppressZeros: res.Policy.SuppressZeros, UnstableBelow: res.Policy.UnstableBelow,
		Suppressed: res.Audit.Suppressed, Primary: res.Audit.Primary, Complementary: res.Audit.Complementary, Cells: res.Audit.Cells}
	for _, t := range tables {
		if pt := pub.Table(t.Name); pt != nil {
			t.Dims, t.Collapsed = pt.Dims, pt.Collapsed
			for _, c := range pt.Cells {
				out := Cell{Key: c.Key, Suppressed: c.Suppressed, Reason: c.Reason, Unstable: c.Unstable}
				if !c.Suppressed {
					n := c.Count
					out.Count = &n
				}
				if c.HasPercent {
					x := math.Round(c.Percent*10) / 10
					out.Percent = &x
				}
				t.Cells = append(t.Cells, out)
			}
		}
	}
	if err := s.fillMoney(ctx, money, pub, &tables, res.Policy.UnstableBelow); err != nil {
		return nil, nil, err
	}
	for _, t := range tables {
		doc.Tables = append(doc.Tables, *t)
	}
	return doc, priv, nil
}

// project sums a metric's rows over the dimensions a definition drops.
func project(rows []amparo.ReportRow, d Definition) []amparo.ReportRow {
	all := amparo.ReportMetrics[d.Metric]
	if slices.Equal(all, d.Dims) || all == nil {
		return rows
	}
	idx := make([]int, len(d.Dims))
	for i, dim := range d.Dims {
		idx[i] = slices.Index(all, dim)
	}
	totals := map[string]int64{}
	var out []amparo.ReportRow
	for _, r := range rows {
		keys := make([]string, len(idx))
		for i, j := range idx {
			keys[i] = r.Keys[j]
		}
		k := keyOf(keys)
		if _, ok := totals[k]; !ok {
			out = append(out, amparo.ReportRow{Keys: keys})
		}
		totals[k] += r.Count
	}
	for i := range out {
		out[i].Count = totals[keyOf(out[i].Keys)]
	}
	return out
}

// keyAt is the key of interior cell i of a grid (the last dimension
// varies fastest), as keyOf its categories.
func keyAt(cats [][]string, i int) string {
	keys := make([]string, len(cats))
	for d := len(cats) - 1; d >= 0; d-- {
		keys[d] = cats[d][i%len(cats[d])]
		i /= len(cats[d])
	}
	return keyOf(keys)
}

// prevCumulative is the previous release's cumulative tables only: the
// others share no equation with this release (no links or subsets cross
// them), and leaving them out keeps the check small.
func prevCumulative(prev *private) *disclosure.Result {
	if prev == nil || prev.Result == nil {
		return nil
	}
	r := *prev.Result
	r.Tables = slices.DeleteFunc(slices.Clone(r.Tables), func(t disclosure.Protected) bool { return !t.Cumulative })
	r.Links, r.Subsets = nil, nil
	if len(r.Tables) == 0 {
		return nil
	}
	return &r
}

func cmpString(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func keyOf(keys []string) string { return strings.Join(keys, "\x00") }

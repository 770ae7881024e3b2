package disclosure

// Reason says why a cell is suppressed.
type Reason string

const (
	// ReasonSmall: the count is 1..k−1 (or zero, where zeros are
	// suppressed).
	ReasonSmall Reason = "small"
	// ReasonChange: the cumulative count changed by 1..k−1 since the
	// previous release, or a subset table differs from its outer table by
	// 1..k−1: the difference is itself a small count.
	ReasonChange Reason = "change"
	// ReasonComplementary: suppressed so that no small count can be
	// derived from what is published.
	ReasonComplementary Reason = "complementary"
)

// Cell is one cell of a protected table, margins included.
type Cell struct {
	// Key names the cell's category in each dimension, Total for a margin.
	Key []string
	// Count is the true count. When Suppressed it must never be
	// published: publish from Result.Public, which zeroes it.
	Count      int64
	Suppressed bool
	Reason     Reason `json:",omitempty"`
	// Percent is the count's share (0..100) of its denominator, published
	// only when both the count and the denominator are (HasPercent).
	Percent    float64
	HasPercent bool
	// Denominator is the count the percentage is a share of.
	Denominator int64
	// Unstable marks a percentage whose denominator is under the policy's
	// UnstableBelow.
	Unstable bool
}

// Protected is one table of a Result.
type Protected struct {
	Name string
	// Dims are the dimensions as published, after collapsing.
	Dims []Dimension
	// Collapsed lists the collapse rules applied, as "country → region".
	Collapsed  []string `json:",omitempty"`
	Cumulative bool
	Percent    *PercentOf `json:",omitempty"`
	// Cells holds every cell, margins included, in row-major order with
	// Total after each dimension's categories.
	Cells []Cell
}

// Cell returns the cell with the given key (one category or Total per
// dimension), and false if there is none.
func (p *Protected) Cell(key ...string) (Cell, bool) {
	if len(key) != len(p.Dims) {
		return Cell{}, false
	}
	idx, stride := 0, 1
	for d := len(p.Dims) - 1; d >= 0; d-- {
		n := len(p.Dims[d].Categories)
		x := n
		if key[d] != Total {
			x = -1
			for i, c := range p.Dims[d].Categories {
				if c == key[d] {
					x = i
				}
			}
			if x < 0 {
				return Cell{}, false
			}
		}
		idx += x * stride
		stride *= n + 1
	}
	return p.Cells[idx], true
}

// Result is a protected release. It holds the true counts of suppressed
// cells, which the next release's check needs: keep it private, and publish
// only Public().
type Result struct {
	Policy  Policy
	Tables  []Protected
	Links   []Link   `json:",omitempty"`
	Subsets []Subset `json:",omitempty"`
	// Audit summarizes the final check.
	Audit AuditSummary
	// Earlier is the previous release this one was checked against (with
	// its own Earlier, back to the first cumulative release): the next
	// release is checked against all of them. Private like the rest;
	// Public drops it.
	Earlier *Result `json:",omitempty"`
}

// AuditSummary is what the final audit found.
type AuditSummary struct {
	Cells          int // cells in the release, margins included
	Suppressed     int
	Primary        int // suppressed as small or as a small change
	Complementary  int
	LinearPrograms int // solved by the audits
}

// Public returns a copy of the result with nothing of a suppressed cell but
// its key: count and percentage zeroed.
func (r *Result) Public() *Result {
	out := *r
	out.Earlier = nil
	out.Tables = make([]Protected, len(r.Tables))
	for i, t := range r.Tables {
		t.Cells = append([]Cell(nil), t.Cells...)
		for j := range t.Cells {
			c := &t.Cells[j]
			c.Key = append([]string(nil), c.Key...)
			if c.Suppressed {
				c.Count, c.Percent, c.HasPercent, c.Denominator, c.Unstable = 0, 0, false, 0, false
			} else if !c.HasPercent {
				c.Denominator = 0
			}
		}
		out.Tables[i] = t
	}
	return &out
}

// Table returns the protected table named name, or nil.
func (r *Result) Table(name string) *Protected {
	for i := range r.Tables {
		if r.Tables[i].Name == name {
			return &r.Tables[i]
		}
	}
	return nil
}

package disclosure

import (
	"fmt"
	"slices"

	"github.com/amparo-project/amparo"
)

// Total is the category key of a margin: the sum over a dimension's
// categories. No category may be named Total.
const Total = "*"

// Defaults of a Policy's zero fields.
const (
	DefaultMinCount      = 11 // as CMS
	DefaultUnstableBelow = 20
	DefaultCollapseAbove = 0.25
)

// Dimension is one breakdown of a table, with its categories in order.
type Dimension struct {
	Name       string
	Categories []string
}

// PercentOf publishes, next to each count, its share of the margin that keeps
// the dimensions Of and totals the others: Of = the row dimension gives the
// share of the row total; an empty Of gives the share of the grand total.
type PercentOf struct {
	Of []string
}

// Table is a table of non-negative counts over one or more dimensions. Counts
// holds the interior cells in row-major order (the last dimension varies
// fastest); the margins (every partial and grand total) are computed by the
// package, so they always add up.
type Table struct {
	Name    string
	Dims    []Dimension
	Counts  []int64
	Percent *PercentOf // nil: counts only
	// Collapsible names the dimensions the definition allows to be
	// collapsed by the policy's rules (country → region, month → quarter).
	Collapsible []string
	// Cumulative: the counts are cumulative since the program began, and
	// the table is compared with the table of the same name in the
	// previous release (a change of 1..k−1 is itself a small count).
	Cumulative bool
}

// Link says that two tables of one release count the same population, so
// their margins over the dimensions Dims (by name, with the same categories)
// are equal; an empty Dims links their grand totals.
type Link struct {
	A, B string
	Dims []string
}

// Subset says that table Inner counts part of the population of table Outer
// over the same dimensions (detained clients among all clients): the
// difference Outer − Inner, cell by cell, is a count too, and is protected
// like one. This is the CDC WONDER attack: one query subtracted from another.
type Subset struct {
	Outer, Inner string
}

// Release is the tables released together.
type Release struct {
	Tables  []Table
	Links   []Link
	Subsets []Subset
}

// Collapse is a rule that maps the categories of a dimension to coarser
// ones, e.g. country → region, month → quarter.
type Collapse struct {
	Dim  string            // the dimension it applies to, e.g. "country"
	Into string            // the coarser dimension's name, e.g. "region"
	Map  map[string]string // category → coarser category; every category must be mapped
}

// Policy is the disclosure-control policy, as data.
type Policy struct {
	// MinCount is k, the minimum publishable count: counts 1..k−1 are
	// suppressed. Zero means DefaultMinCount (11); 10 and 5 are common.
	MinCount int64
	// SuppressZeros suppresses zero counts too (by default a zero is
	// published: it singles nobody out).
	SuppressZeros bool
	// UnstableBelow marks rates whose denominator is under it unstable.
	// Zero means DefaultUnstableBelow (20).
	UnstableBelow int64
	// Collapses are the collapse rules; a table's definition says which
	// of its dimensions may be collapsed.
	Collapses []Collapse
	// CollapseAbove: a collapsible dimension is collapsed, in every table
	// of the release that allows it, when more than this share of the
	// interior cells of some such table would be suppressed as small.
	// Zero means DefaultCollapseAbove (0.25).
	CollapseAbove float64
}

func (p Policy) withDefaults() Policy {
	if p.MinCount == 0 {
		p.MinCount = DefaultMinCount
	}
	if p.UnstableBelow == 0 {
		p.UnstableBelow = DefaultUnstableBelow
	}
	if p.CollapseAbove == 0 {
		p.CollapseAbove = DefaultCollapseAbove
	}
	return p
}

// Validate reports a policy that cannot protect anyone.
func (p Policy) Validate() error {
	p = p.withDefaults()
	if p.MinCount < 2 || p.MinCount > 1000 {
		return amparo.Invalid("min_count", "the minimum publishable count must be between 2 and 1000, not %d", p.MinCount).Localize("report.disclosure.min_count", p.MinCount)
	}
	if p.UnstableBelow < 0 {
		return amparo.Invalid("unstable_below", "the unstable-rate threshold must not be negative").Localize("report.disclosure.unstable_below")
	}
	if p.CollapseAbove < 0 || p.CollapseAbove > 1 {
		return amparo.Invalid("collapse_above", "the collapse share must be between 0 and 1").Localize("report.disclosure.collapse_above")
	}
	seen := map[string]bool{}
	for i, c := range p.Collapses {
		if c.Dim == "" || c.Into == "" || len(c.Map) == 0 {
			return amparo.Invalid(fmt.Sprintf("collapses[%d]", i), "a collapse rule needs a dimension, the coarser dimension's name and its map").Localize("report.disclosure.collapse_rule", i+1)
		}
		if seen[c.Dim] {
			return amparo.Invalid(fmt.Sprintf("collapses[%d]", i), "two collapse rules for dimension %q", c.Dim).Localize("report.disclosure.collapse_twice", c.Dim)
		}
		seen[c.Dim] = true
	}
	return nil
}

func (p Policy) collapse(dim string) (Collapse, bool) {
	for _, c := range p.Collapses {
		if c.Dim == dim {
			return c, true
		}
	}
	return Collapse{}, false
}

// Validate reports a table whose shape or counts are wrong, naming it.
func (t *Table) Validate() error {
	field := "table " + t.Name
	if t.Name == "" {
		return amparo.Invalid("table", "a table needs a name").Localize("report.disclosure.table_name")
	}
	if len(t.Dims) == 0 {
		return amparo.Invalid(field, "a table needs at least one dimension").Localize("report.disclosure.no_dims", t.Name)
	}
	n := 1
	names := map[string]bool{}
	for _, d := range t.Dims {
		if d.Name == "" || names[d.Name] {
			return amparo.Invalid(field, "dimension names must be present and distinct (%q)", d.Name).Localize("report.disclosure.dim_name", t.Name, d.Name)
		}
		names[d.Name] = true
		if len(d.Categories) == 0 {
			return amparo.Invalid(field, "dimension %q has no categories", d.Name).Localize("report.disclosure.no_categories", t.Name, d.Name)
		}
		cats := map[string]bool{}
		for _, c := range d.Categories {
			if c == "" || c == Total || cats[c] {
				return amparo.Invalid(field, "dimension %q: category %q is empty, reserved or repeated", d.Name, c).Localize("report.disclosure.category", t.Name, d.Name, c)
			}
			cats[c] = true
		}
		n *= len(d.Categories)
	}
	if len(t.Counts) != n {
		return amparo.Invalid(field, "%d counts for %d cells", len(t.Counts), n).Localize("report.disclosure.counts", t.Name, len(t.Counts), n)
	}
	for i, c := range t.Counts {
		if c < 0 {
			return amparo.Invalid(field, "count %d is negative", i).Localize("report.disclosure.negative", t.Name, i+1)
		}
	}
	if t.Percent != nil {
		for _, d := range t.Percent.Of {
			if !names[d] {
				return amparo.Invalid(field, "percent of dimension %q, which the table does not have", d).Localize("report.disclosure.percent_dim", t.Name, d)
			}
		}
	}
	for _, d := range t.Collapsible {
		if !names[d] {
			return amparo.Invalid(field, "collapsible dimension %q, which the table does not have", d).Localize("report.disclosure.collapsible_dim", t.Name, d)
		}
	}
	return nil
}

func (t *Table) dimIndex(name string) int {
	return slices.IndexFunc(t.Dims, func(d Dimension) bool { return d.Name == name })
}

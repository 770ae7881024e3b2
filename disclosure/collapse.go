package disclosure

import (
	"slices"

	"github.com/amparo-project/amparo"
)

// collapseRelease applies the policy's collapse rules before suppression: a
// dimension that some table allows to collapse is collapsed, in every table
// of the release that allows it, when a table that allows it has more than
// CollapseAbove of its interior cells small, or when the previous release
// published that table collapsed (the release grid stays fixed). It returns
// the tables (copies), links and the applied rules per table.
func collapseRelease(r Release, p Policy, prev *Result) ([]Table, []Link, map[string][]string, error) {
	tables := slices.Clone(r.Tables)
	links := slices.Clone(r.Links)
	applied := map[string][]string{}
	for _, rule := range p.Collapses {
		collapse := false
		for _, t := range tables {
			if !slices.Contains(t.Collapsible, rule.Dim) {
				continue
			}
			if smallShare(&t, p) > p.CollapseAbove {
				collapse = true
			}
			if prev != nil {
				if pt := prev.Table(t.Name); pt != nil && slices.ContainsFunc(pt.Dims, func(d Dimension) bool { return d.Name == rule.Into }) {
					collapse = true
				}
			}
		}
		if !collapse {
			continue
		}
		var done []string
		for i := range tables {
			t := &tables[i]
			if !slices.Contains(t.Collapsible, rule.Dim) {
				continue
			}
			c, err := collapseTable(*t, rule)
			if err != nil {
				return nil, nil, nil, err
			}
			*t = c
			done = append(done, t.Name)
			applied[t.Name] = append(applied[t.Name], rule.Dim+" → "+rule.Into)
		}
		for i := range links {
			l := &links[i]
			if !slices.Contains(l.Dims, rule.Dim) {
				continue
			}
			if slices.Contains(done, l.A) != slices.Contains(done, l.B) {
				return nil, nil, nil, amparo.Invalid("link "+l.A+" "+l.B, "dimension %q is collapsed in one of the linked tables only: allow the collapse in both", rule.Dim).Localize("report.disclosure.collapse_link", l.A, l.B, rule.Dim)
			}
			l.Dims = slices.Clone(l.Dims)
			l.Dims[slices.Index(l.Dims, rule.Dim)] = rule.Into
		}
	}
	return tables, links, applied, nil
}

// smallShare is the share of t's interior cells that primary suppression
// would suppress.
func smallShare(t *Table, p Policy) float64 {
	small := 0
	for _, c := range t.Counts {
		if isSmall(c, p) {
			small++
		}
	}
	return float64(small) / float64(len(t.Counts))
}

func isSmall(c int64, p Policy) bool {
	return (c >= 1 && c < p.MinCount) || (c == 0 && p.SuppressZeros)
}

// collapseTable maps the categories of rule.Dim to coarser ones, adding
// their counts, in the coarse categories' order of first appearance.
func collapseTable(t Table, rule Collapse) (Table, error) {
	di := t.dimIndex(rule.Dim)
	old := t.Dims[di]
	var coarse []string
	to := make([]int, len(old.Categories))
	for i, c := range old.Categories {
		into, ok := rule.Map[c]
		if !ok || into == "" || into == Total {
			return t, amparo.Invalid("table "+t.Name, "the collapse rule for %q does not map category %q", rule.Dim, c).Localize("report.disclosure.collapse_unmapped", t.Name, rule.Dim, c)
		}
		j := slices.Index(coarse, into)
		if j < 0 {
			j = len(coarse)
			coarse = append(coarse, into)
		}
		to[i] = j
	}
	if t.dimIndex(rule.Into) >= 0 {
		return t, amparo.Invalid("table "+t.Name, "collapsing %q into %q: the table already has a dimension %q", rule.Dim, rule.Into, rule.Into).Localize("report.disclosure.collapse_exists", t.Name, rule.Dim, rule.Into)
	}
	dims := slices.Clone(t.Dims)
	dims[di] = Dimension{Name: rule.Into, Categories: coarse}
	// strides of old and new interior grids
	n := 1
	for _, d := range dims {
		n *= len(d.Categories)
	}
	counts := make([]int64, n)
	for i, c := range t.Counts {
		// decompose i over old dims, recompose over new
		rem, j, stride := i, 0, 1
		for d := len(t.Dims) - 1; d >= 0; d-- {
			x := rem % len(t.Dims[d].Categories)
			rem /= len(t.Dims[d].Categories)
			if d == di {
				x = to[x]
			}
			j += x * stride
			stride *= len(dims[d].Categories)
		}
		counts[j] += c
	}
	t.Dims, t.Counts = dims, counts
	if t.Percent != nil {
		of := slices.Clone(t.Percent.Of)
		if k := slices.Index(of, rule.Dim); k >= 0 {
			of[k] = rule.Into
		}
		t.Percent = &PercentOf{Of: of}
	}
	return t, nil
}

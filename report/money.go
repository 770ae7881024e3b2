package report

import (
	"context"
	"math"
	"slices"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/disclosure"
)

// Money is published by the suppression pattern of counts. Package
// disclosure protects counts; a table of money (the fund's spending by
// priority group and detention) names the count table of the cases it
// was spent on, over the same dimensions and categories. A money cell,
// margins included, is published exactly where its count cell is: the
// money table has the count table's linear system (the same cells, the
// same margins) and the same cells unknown, so no suppressed money cell
// is determined by published money where no suppressed count is by
// published counts (every counted case has spending above zero, so a
// suppressed money cell is zero only where its count is). A cost per
// case is published only where both its money and its count are.
// docs/reports.md says the same for the reader.

type moneyPart struct {
	b built
	t *Table
}

// links says which tables count the same population: tables of one
// metric, or of metrics of one amparo.SamePopulation (both counting what is pending, or both what is not) have equal
// margins over the dimensions they share with the same categories, and
// equal grand totals. The audit then sees one table's margin in the
// other (the fund's cases by source and by priority group).
func links(tables []disclosure.Table, of map[string]built) []disclosure.Link {
	var out []disclosure.Link
	for i := range tables {
		for j := i + 1; j < len(tables); j++ {
			a, b := of[tables[i].Name], of[tables[j].Name]
			if a.def.Metric.Population() != b.def.Metric.Population() || (a.pending == "") != (b.pending == "") {
				continue
			}
			l := disclosure.Link{A: tables[i].Name, B: tables[j].Name, Dims: []string{}}
			for _, da := range tables[i].Dims {
				for _, db := range tables[j].Dims {
					if da.Name == db.Name && slices.Equal(da.Categories, db.Categories) {
						l.Dims = append(l.Dims, da.Name)
					}
				}
			}
			out = append(out, l)
		}
	}
	return out
}

// sumAt sums the rows matching key, where Total matches any category.
func sumAt(rows []amparo.ReportRow, key []string) int64 {
	var n int64
	for _, r := range rows {
		ok := true
		for i, k := range key {
			if k != disclosure.Total && r.Keys[i] != k {
				ok = false
				break
			}
		}
		if ok {
			n += r.Count
		}
	}
	return n
}

// perCents is cents/n rounded to the cent, half up.
func perCents(cents, n int64) *int64 {
	x := (cents + n/2) / n
	return &x
}

// fillMoney makes the money tables from the published count tables, and
// the compliance table of each money table with floors.
func (s *Service) fillMoney(ctx context.Context, money []moneyPart, pub *disclosure.Result, tables *[]*Table, unstableBelow int64) error {
	for _, m := range money {
		t, rows := m.t, m.b.rows
		if m.b.def.Money == MoneyPublic {
			if len(rows) == 0 {
				t.Empty = true
				continue
			}
			cats := make([][]string, len(m.b.dims))
			for i, dim := range m.b.dims {
				for _, r := range rows {
					cats[i] = append(cats[i], r.Keys[i])
				}
				slices.Sort(cats[i])
				cats[i] = slices.Compact(cats[i])
				t.Dims = append(t.Dims, disclosure.Dimension{Name: dim, Categories: cats[i]})
			}
			eachKey(cats, func(key []string) {
				n := sumAt(rows, key)
				t.Cells = append(t.Cells, Cell{Key: key, Cents: &n})
			})
			continue
		}
		pt := pub.Table(m.b.def.Money)
		if pt == nil {
			t.Empty = true
			continue
		}
		t.Dims, t.Collapsed = pt.Dims, pt.Collapsed
		last := len(pt.Dims) - 1
		for _, c := range pt.Cells {
			out := Cell{Key: slices.Clone(c.Key), Suppressed: c.Suppressed, Reason: c.Reason}
			if !c.Suppressed {
				n := sumAt(rows, c.Key)
				out.Cents = &n
				switch per := m.b.def.Per; {
				case per == "case" && c.Count > 0:
					out.PerCents, out.Unstable = perCents(n, c.Count), c.Count < unstableBelow
				case per != "" && per != "case" && c.Key[last] == disclosure.Total:
					k := slices.Clone(c.Key)
					k[last] = per
					if d, ok := pt.Cell(k...); ok && !d.Suppressed && d.Count > 0 {
						out.PerCents, out.Unstable = perCents(n, d.Count), d.Count < unstableBelow
					}
				}
			}
			t.Cells = append(t.Cells, out)
		}
		if m.b.def.Floors != "" {
			ct, err := s.compliance(ctx, t, m.b.def.Floors, pt, unstableBelow)
			if err != nil {
				return err
			}
			if ct != nil {
				i := slices.Index(*tables, t)
				*tables = slices.Insert(*tables, i+1, ct)
			}
		}
	}
	return nil
}

// compliance checks the sources' floors and ceilings on target against
// the money table t (by source and detention): the share is published
// only where the source's spending on the target and its whole spending
// are; a source with no spending in the period has no share.
func (s *Service) compliance(ctx context.Context, t *Table, target string, counts *disclosure.Protected, unstableBelow int64) (*Table, error) {
	fs, ok := s.Store.(amparo.ReportFloors)
	if !ok {
		return nil, nil
	}
	floors, err := fs.FundReportFloors(ctx)
	if err != nil {
		return nil, err
	}
	floors = slices.DeleteFunc(floors, func(f amparo.ReportFloor) bool { return f.Target != target })
	if len(floors) == 0 {
		return nil, nil
	}
	ct := &Table{Name: t.Name + "-compliance", Metric: t.Metric, ComplianceOf: t.Name,
		Population: t.Population, Dims: []disclosure.Dimension{{Name: amparo.DimSource}}}
	cell := func(key ...string) *Cell {
		for i, c := range t.Cells {
			if slices.Equal(c.Key, key) {
				return &t.Cells[i]
			}
		}
		return nil
	}
	for _, f := range floors {
		if slices.Contains(ct.Dims[0].Categories, f.Source) {
			continue // one floor on the target per source
		}
		ct.Dims[0].Categories = append(ct.Dims[0].Categories, f.Source)
		pct := f.Percent
		out := Cell{Key: []string{f.Source}, Floor: &pct, Ceiling: f.Ceiling}
		on, all := cell(f.Source, "detained"), cell(f.Source, disclosure.Total)
		if on == nil && all != nil && !slices.Contains(t.Dims[1].Categories, "detained") {
			var zero int64 // no detained client anywhere: nothing spent on one
			on = &Cell{Cents: &zero}
		}
		switch {
		case all == nil || (all.Cents != nil && *all.Cents == 0):
			// Nothing spent in the period: no share to check.
		case on == nil || on.Cents == nil || all.Cents == nil:
			out.Suppressed, out.Reason = true, disclosure.ReasonComplementary
		default:
			share := math.Round(float64(*on.Cents)*1000/float64(*all.Cents)) / 10
			met := *on.Cents*100 >= int64(f.Percent)**all.Cents
			if f.Ceiling {
				met = *on.Cents*100 <= int64(f.Percent)**all.Cents
			}
			out.Percent, out.Met = &share, &met
			if c, ok := counts.Cell(f.Source, disclosure.Total); ok {
				out.Unstable = c.Count < unstableBelow
			}
		}
		ct.Cells = append(ct.Cells, out)
	}
	return ct, nil
}

// eachKey calls fn with every key of a grid of cats, margins included,
// in the order of package disclosure: the last dimension fastest, Total
// after each dimension's categories.
func eachKey(cats [][]string, fn func([]string)) {
	key := make([]string, len(cats))
	var rec func(d int)
	rec = func(d int) {
		if d == len(cats) {
			fn(slices.Clone(key))
			return
		}
		for _, c := range append(slices.Clone(cats[d]), disclosure.Total) {
			key[d] = c
			rec(d + 1)
		}
	}
	rec(0)
}

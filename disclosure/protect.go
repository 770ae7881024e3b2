package disclosure

import (
	"fmt"
	"slices"

	"github.com/amparo-project/amparo"
)

// Protect applies the policy to a release: collapses categories where the
// definitions allow it, suppresses small counts, chooses complementary cells
// (small ones first) and audits the release's linear system until no small
// count can be derived and no suppressed cell pinned, from this release's
// cells, margins, percentages and links, and from its differences with prev
// (the previous Result of the same grid, or nil).
func Protect(r Release, p Policy, prev *Result) (*Result, error) {
	p = p.withDefaults()
	if err := p.Validate(); err != nil {
		return nil, err
	}
	names := map[string]bool{}
	for i := range r.Tables {
		t := &r.Tables[i]
		if err := t.Validate(); err != nil {
			return nil, err
		}
		if names[t.Name] {
			return nil, amparo.Invalid("table "+t.Name, "two tables named %q", t.Name).Localize("report.disclosure.duplicate_table", t.Name)
		}
		names[t.Name] = true
		for _, d := range t.Collapsible {
			if _, ok := p.collapse(d); !ok {
				return nil, amparo.Invalid("table "+t.Name, "dimension %q is collapsible but the policy has no collapse rule for it", d).Localize("report.disclosure.no_rule", t.Name, d)
			}
		}
	}
	tables, links, applied, err := collapseRelease(r, p, prev)
	if err != nil {
		return nil, err
	}
	b := &builder{p: p, s: &sys{k: p.MinCount}, reason: map[int]Reason{}}
	cur, err := b.addTables(tables, links, r.Subsets, false)
	if err != nil {
		return nil, err
	}
	if prev != nil && slices.ContainsFunc(tables, func(t Table) bool { return t.Cumulative }) {
		if err := b.addPrevious(tables, cur, prev); err != nil {
			return nil, err
		}
	}
	lps, err := b.suppress()
	if err != nil {
		return nil, err
	}
	res := &Result{Policy: p, Links: links, Subsets: r.Subsets}
	if prev != nil && slices.ContainsFunc(tables, func(t Table) bool { return t.Cumulative }) {
		res.Earlier = prev
	}
	for ti, t := range tables {
		res.Tables = append(res.Tables, b.protected(t, cur[ti], applied[t.Name]))
	}
	res.Audit.LinearPrograms = lps
	for _, t := range res.Tables {
		for _, c := range t.Cells {
			res.Audit.Cells++
			if c.Suppressed {
				res.Audit.Suppressed++
				if c.Reason == ReasonComplementary {
					res.Audit.Complementary++
				} else {
					res.Audit.Primary++
				}
			}
		}
	}
	return res, nil
}

type builder struct {
	p      Policy
	s      *sys
	reason map[int]Reason
}

// tableVars is the first variable of a table's cells; its grid.
type tableVars struct {
	first int
	g     *grid
}

// addTables adds the variables and equations of tables and their links and
// subsets; frozen tables (the previous release) take their suppression from
// supp and cannot change.
func (b *builder) addTables(tables []Table, links []Link, subsets []Subset, frozen bool) ([]tableVars, error) {
	s := b.s
	out := make([]tableVars, len(tables))
	byName := map[string]int{}
	for ti := range tables {
		t := &tables[ti]
		byName[t.Name] = ti
		g := newGrid(t)
		out[ti] = tableVars{first: len(s.val), g: g}
		for idx, v := range g.values {
			x := s.addVar(v, g.isMargin(idx))
			s.frozen[x] = frozen
			s.sensitive[x] = isSmall(v, b.p)
			if !frozen && s.sensitive[x] {
				b.suppressCell(x, ReasonSmall)
			}
		}
		for _, eq := range g.equations() {
			terms := []term{{out[ti].first + eq[0], 1}}
			for _, c := range eq[1:] {
				terms = append(terms, term{out[ti].first + c, -1})
			}
			s.addEq(terms)
		}
	}
	for _, l := range links {
		ai, aok := byName[l.A]
		bi, bok := byName[l.B]
		if !aok || !bok {
			return nil, amparo.Invalid("link", "link between %q and %q: no such table", l.A, l.B).Localize("report.disclosure.link_table", l.A, l.B)
		}
		pairs, err := marginPairs(&tables[ai], &tables[bi], out[ai].g, out[bi].g, l.Dims)
		if err != nil {
			return nil, err
		}
		for _, pr := range pairs {
			x, y := out[ai].first+pr[0], out[bi].first+pr[1]
			if s.val[x] != s.val[y] {
				return nil, amparo.Invalid("link "+l.A+" "+l.B, "the linked margins differ (%d and %d): the tables do not count the same population", s.val[x], s.val[y]).Localize("report.disclosure.link_differs", l.A, l.B, s.val[x], s.val[y])
			}
			s.addLinkEq([]term{{x, 1}, {y, -1}})
		}
	}
	for _, sub := range subsets {
		oi, ook := byName[sub.Outer]
		ii, iok := byName[sub.Inner]
		if !ook || !iok {
			return nil, amparo.Invalid("subset", "subset %q of %q: no such table", sub.Inner, sub.Outer).Localize("report.disclosure.subset_table", sub.Inner, sub.Outer)
		}
		if err := b.addDifferences(&tables[oi], &tables[ii], out[oi], out[ii], "subset "+sub.Inner); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// addDifferences adds, for every cell, the derived variable outer − inner ≥ 0;
// where it is a small count, the inner cell is suppressed for the change.
func (b *builder) addDifferences(outer, inner *Table, o, in tableVars, field string) error {
	if !sameDims(outer.Dims, inner.Dims) {
		return amparo.Invalid(field, "tables %q and %q must have the same dimensions and categories", outer.Name, inner.Name).Localize("report.disclosure.same_dims", outer.Name, inner.Name)
	}
	s := b.s
	for idx := range o.g.values {
		x, y := o.first+idx, in.first+idx
		d := s.val[x] - s.val[y]
		if d < 0 {
			return amparo.Invalid(field, "table %q has a cell larger than the same cell of %q", inner.Name, outer.Name).Localize("report.disclosure.larger", inner.Name, outer.Name)
		}
		v := s.addVar(d, false)
		s.frozen[v], s.derivedVar[v], s.unknown[v] = true, true, true
		s.sensitive[v] = d >= 1 && d < b.p.MinCount
		s.addEq([]term{{x, 1}, {y, -1}, {v, -1}})
		if s.sensitive[v] {
			// Suppress whichever of the two can be: the current release's.
			for _, c := range []int{y, x} {
				if !s.frozen[c] {
					b.suppressCell(c, ReasonChange)
					break
				}
			}
		}
	}
	return nil
}

// addPrevious adds the earlier releases (prev and the releases it was
// checked against, prev.Earlier and so on) as published (frozen), and links
// each cumulative table to the same table of every earlier release, and the
// earlier releases to each other, by their differences: an attacker holding
// all of them bounds a release's suppressed cells from below by an earlier
// one and from above by a later one, so checking against the previous
// release alone is not enough (TestProtect_PropertyChain found releases
// recovered that way).
func (b *builder) addPrevious(tables []Table, cur []tableVars, prev *Result) error {
	type earlier struct {
		res *Result
		pt  []Table
		pv  []tableVars
	}
	var chain []earlier
	for r := prev; r != nil; r = r.Earlier {
		var pt []Table
		for _, t := range r.Tables {
			tt := Table{Name: t.Name, Dims: t.Dims, Cumulative: t.Cumulative}
			// The interior counts, back from the cells.
			for _, c := range t.Cells {
				if !slices.Contains(c.Key, Total) {
					tt.Counts = append(tt.Counts, c.Count)
				}
			}
			pt = append(pt, tt)
		}
		pv, err := b.addTables(pt, r.Links, r.Subsets, true)
		if err != nil {
			return fmt.Errorf("disclosure: an earlier release: %w", err)
		}
		for ti, t := range r.Tables {
			for ci, c := range t.Cells {
				b.s.unknown[pv[ti].first+ci] = c.Suppressed
			}
		}
		chain = append(chain, earlier{r, pt, pv})
	}
	for ti := range tables {
		t := &tables[ti]
		if !t.Cumulative {
			continue
		}
		for _, e := range chain {
			pi := slices.IndexFunc(e.pt, func(x Table) bool { return x.Name == t.Name })
			if pi < 0 {
				continue // a table new since that release
			}
			if err := b.addDifferences(t, &e.pt[pi], cur[ti], e.pv[pi], "table "+t.Name); err != nil {
				return err
			}
		}
	}
	for a := range chain {
		for bi := a + 1; bi < len(chain); bi++ {
			later, older := chain[a], chain[bi]
			for ti := range later.pt {
				t := &later.pt[ti]
				if !t.Cumulative {
					continue
				}
				pi := slices.IndexFunc(older.pt, func(x Table) bool { return x.Name == t.Name })
				if pi < 0 {
					continue
				}
				if err := b.addDifferences(t, &older.pt[pi], later.pv[ti], older.pv[pi], "table "+t.Name); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

func sameDims(a, b []Dimension) bool {
	return slices.EqualFunc(a, b, func(x, y Dimension) bool {
		return x.Name == y.Name && slices.Equal(x.Categories, y.Categories)
	})
}

// marginPairs returns the pairs of full indices of the margins over dims of
// two tables (every combination of the dims' categories and Total, all other
// dimensions at Total).
func marginPairs(a, b *Table, ga, gb *grid, dims []string) ([][2]int, error) {
	var da, db []int
	for _, name := range dims {
		i, j := a.dimIndex(name), b.dimIndex(name)
		if i < 0 || j < 0 {
			return nil, amparo.Invalid("link "+a.Name+" "+b.Name, "dimension %q is not in both tables", name).Localize("report.disclosure.link_dim", a.Name, b.Name, name)
		}
		if !slices.Equal(a.Dims[i].Categories, b.Dims[j].Categories) {
			return nil, amparo.Invalid("link "+a.Name+" "+b.Name, "dimension %q has different categories in the two tables", name).Localize("report.disclosure.link_categories", a.Name, b.Name, name)
		}
		da, db = append(da, i), append(db, j)
	}
	var pairs [][2]int
	combo := make([]int, len(dims))
	for {
		ca, cb := slices.Clone(ga.sizes), slices.Clone(gb.sizes)
		for k, x := range combo {
			ca[da[k]], cb[db[k]] = x, x
		}
		pairs = append(pairs, [2]int{ga.index(ca), gb.index(cb)})
		k := len(combo) - 1
		for ; k >= 0; k-- {
			combo[k]++
			if combo[k] <= ga.sizes[da[k]] {
				break
			}
			combo[k] = 0
		}
		if k < 0 {
			return pairs, nil
		}
	}
}

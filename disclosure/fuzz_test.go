package disclosure

import (
	"fmt"
	"testing"
)

// fuzzRelease reads a small release, and a later one of the same grid,
// from data: a policy byte, the shape, then one byte per count and per
// growth. It reports false when data is too short.
func fuzzRelease(data []byte) (Release, Release, Policy, bool) {
	if len(data) < 4 {
		return Release{}, Release{}, Policy{}, false
	}
	p := Policy{MinCount: []int64{5, 10, 11}[data[0]%3], SuppressZeros: data[0]&4 != 0}
	var dims []Dimension
	for d := range 1 + int(data[1]%3) {
		dim := Dimension{Name: fmt.Sprintf("d%d", d)}
		for c := range 2 + int(data[2]>>(2*d))%2 {
			dim.Categories = append(dim.Categories, fmt.Sprintf("c%d", c))
		}
		dims = append(dims, dim)
	}
	shape := data[3]
	data = data[4:]
	next := func() int64 {
		if len(data) == 0 {
			return 0
		}
		b := data[0]
		data = data[1:]
		return int64(b % 40)
	}
	t1 := Table{Name: "t1", Dims: dims, Cumulative: shape&8 != 0}
	for range cellsOf(dims) {
		t1.Counts = append(t1.Counts, next())
	}
	switch shape % 3 {
	case 1:
		t1.Percent = &PercentOf{Of: []string{dims[0].Name}}
	case 2:
		t1.Percent = &PercentOf{}
	}
	rel := Release{Tables: []Table{t1}}
	if shape&16 != 0 { // a subset: each cell a part of t1's
		t2 := Table{Name: "t2", Dims: dims, Cumulative: t1.Cumulative}
		for _, c := range t1.Counts {
			t2.Counts = append(t2.Counts, c-min(c, next()%(c+1)))
		}
		rel.Tables = append(rel.Tables, t2)
		rel.Subsets = []Subset{{Outer: "t1", Inner: "t2"}}
	}
	later := Release{Subsets: rel.Subsets}
	for _, t := range rel.Tables {
		t.Counts = append([]int64(nil), t.Counts...)
		later.Tables = append(later.Tables, t)
	}
	for i := range later.Tables[0].Counts {
		g := next() % 16
		later.Tables[0].Counts[i] += g
		if len(later.Tables) > 1 { // the subset grows by part of it
			later.Tables[1].Counts[i] += g / 2
		}
	}
	return rel, later, p, true
}

// FuzzProtect: over random small tables (one, or a table and its subset,
// with percentages or not, cumulative or not) and a later release of the
// same grid checked against the first: no panic, no error, no published
// small count, no small difference readable from two published cells.
func FuzzProtect(f *testing.F) {
	f.Add([]byte{0, 1, 0, 0, 40, 3, 25, 30, 31, 22, 19, 44, 50, 2, 0, 0, 1})
	f.Add([]byte{1, 2, 5, 8 | 16 | 1, 12, 0, 7, 30, 2, 9, 11, 25, 3, 3, 1, 2, 5, 12})
	f.Add([]byte{2, 0, 1, 8 | 2, 1, 2, 3, 9, 9, 9})
	f.Fuzz(func(t *testing.T, data []byte) {
		rel, later, p, ok := fuzzRelease(data)
		if !ok {
			return
		}
		first, err := Protect(rel, p, nil)
		if err != nil {
			t.Fatalf("first release: %v", err)
		}
		checkPublished(t, first, p)
		second, err := Protect(later, p, first)
		if err != nil {
			t.Fatalf("later release: %v", err)
		}
		checkPublished(t, second, p)
		k := p.withDefaults().MinCount
		for ti, tb := range second.Tables {
			if !tb.Cumulative {
				continue
			}
			for ci, c := range tb.Cells {
				pc := first.Tables[ti].Cells[ci]
				if d := c.Count - pc.Count; !c.Suppressed && !pc.Suppressed && d >= 1 && d < k {
					t.Errorf("table %s cell %v: both releases published, a change of %d under k=%d", tb.Name, c.Key, d, k)
				}
			}
		}
		for _, res := range []*Result{first, second} {
			for _, s := range res.Subsets {
				for ci, c := range res.Table(s.Outer).Cells {
					ic := res.Table(s.Inner).Cells[ci]
					if d := c.Count - ic.Count; !c.Suppressed && !ic.Suppressed && d >= 1 && d < k {
						t.Errorf("subset %s cell %v: both published, a difference of %d under k=%d", s.Inner, c.Key, d, k)
					}
				}
			}
		}
	})
}

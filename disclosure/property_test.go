package disclosure

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// randomCount draws counts the way small reports look: many small cells.
func randomCount(rng *rand.Rand, k int64) int64 {
	switch rng.IntN(10) {
	case 0, 1:
		return 0
	case 2, 3, 4:
		return 1 + rng.Int64N(k-1)
	default:
		return k + rng.Int64N(20)
	}
}

func randomDims(rng *rand.Rand) []Dimension {
	nd := 1 + rng.IntN(3)
	if nd == 3 && rng.IntN(2) == 0 {
		nd = 2
	}
	var dims []Dimension
	for d := 0; d < nd; d++ {
		n := 2 + rng.IntN(2)
		if nd == 3 {
			n = 2
		}
		dim := Dimension{Name: fmt.Sprintf("d%d", d)}
		for c := 0; c < n; c++ {
			dim.Categories = append(dim.Categories, fmt.Sprintf("c%d", c))
		}
		dims = append(dims, dim)
	}
	return dims
}

func cellsOf(dims []Dimension) int {
	n := 1
	for _, d := range dims {
		n *= len(d.Categories)
	}
	return n
}

func randomPolicy(rng *rand.Rand) Policy {
	return Policy{MinCount: []int64{5, 10, 11}[rng.IntN(3)], SuppressZeros: rng.IntN(4) == 0}
}

// randomRelease draws one or two tables; a second table is linked to the
// first on their shared dimension, or is a subset of it.
func randomRelease(rng *rand.Rand, k int64) Release {
	dims := randomDims(rng)
	t1 := Table{Name: "t1", Dims: dims}
	for range cellsOf(dims) {
		t1.Counts = append(t1.Counts, randomCount(rng, k))
	}
	switch rng.IntN(3) {
	case 0:
		t1.Percent = &PercentOf{Of: []string{dims[0].Name}}
	case 1:
		t1.Percent = &PercentOf{}
	}
	r := Release{Tables: []Table{t1}}
	switch rng.IntN(3) {
	case 1: // linked on d0: the same population broken down otherwise
		t2 := Table{Name: "t2", Dims: []Dimension{dims[0], {Name: "e", Categories: []string{"x", "y"}}}}
		g := newGrid(&t1)
		for c := range dims[0].Categories {
			co := append([]int{c}, g.sizes[1:]...)
			m := g.values[g.index(co)]
			x := rng.Int64N(m + 1)
			t2.Counts = append(t2.Counts, x, m-x)
		}
		r.Tables = append(r.Tables, t2)
		r.Links = []Link{{A: "t1", B: "t2", Dims: []string{dims[0].Name}}}
	case 2: // a subset: CDC WONDER's second query
		t2 := Table{Name: "t2", Dims: dims}
		for _, c := range t1.Counts {
			t2.Counts = append(t2.Counts, c-rng.Int64N(min(c, k)+1))
		}
		r.Tables = append(r.Tables, t2)
		r.Subsets = []Subset{{Outer: "t1", Inner: "t2"}}
	}
	return r
}

func checkPublished(t *testing.T, r *Result, p Policy) {
	t.Helper()
	k := p.withDefaults().MinCount
	for _, tb := range r.Tables {
		for _, c := range tb.Cells {
			if !c.Suppressed && isSmall(c.Count, p.withDefaults()) {
				t.Errorf("table %s cell %v: published count %d is under k=%d", tb.Name, c.Key, c.Count, k)
			}
			if c.HasPercent && c.Suppressed {
				t.Errorf("table %s cell %v: a percentage published for a suppressed count", tb.Name, c.Key)
			}
		}
	}
}

func newOracle(r *Result) *oracle {
	o := &oracle{index: map[string]int{}}
	var cap int64
	for _, t := range r.Tables {
		cap = max(cap, t.Cells[len(t.Cells)-1].Count)
	}
	o.capVal = 3*cap + 3*r.Policy.MinCount + 10
	return o
}

// TestProtect_Property: over many random releases, no published count is
// small and the independent oracle recovers no suppressed cell, pins none
// inside 1..k−1, and bounds no small difference under k.
func TestProtect_Property(t *testing.T) {
	rng := rand.New(rand.NewPCG(17, 2026))
	inconclusive, searches := 0, 0
	defer func() { reportInconclusive(t, inconclusive, searches) }()
	for i := range 200 {
		p := randomPolicy(rng)
		rel := randomRelease(rng, p.withDefaults().MinCount)
		res, err := Protect(rel, p, nil)
		if err != nil {
			t.Fatalf("release %d: %v", i, err)
		}
		checkPublished(t, res, p)
		o := newOracle(res)
		o.addRelease("cur", res.Public(), res)
		leaks := o.leaks(res.Policy.MinCount, "cur")
		var pairs [][2]string
		for _, s := range rel.Subsets {
			for _, c := range res.Table(s.Outer).Cells {
				pairs = append(pairs, [2]string{cellName("cur", s.Outer, c.Key), cellName("cur", s.Inner, c.Key)})
			}
		}
		leaks = append(leaks, o.differenceLeaks(res.Policy.MinCount, pairs)...)
		inconclusive, searches = inconclusive+o.Inconclusive, searches+o.Searches
		if len(leaks) > 0 {
			t.Errorf("release %d (k=%d, zeros suppressed %v, %+v): %v", i, p.withDefaults().MinCount, p.SuppressZeros, rel, leaks)
		}
	}
}

// TestProtect_PropertySequence: over many random pairs of releases of
// cumulative counts, the second checked against the first, nothing is
// recovered from either release or from their difference.
func TestProtect_PropertySequence(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 2026))
	inconclusive, searches := 0, 0
	defer func() { reportInconclusive(t, inconclusive, searches) }()
	for i := range 100 {
		p := randomPolicy(rng)
		k := p.withDefaults().MinCount
		rel := randomRelease(rng, k)
		for j := range rel.Tables {
			rel.Tables[j].Cumulative = true
		}
		first, err := Protect(rel, p, nil)
		if err != nil {
			t.Fatalf("sequence %d, first release: %v", i, err)
		}
		next := Release{Links: rel.Links, Subsets: rel.Subsets}
		growth := make([]int64, len(rel.Tables[0].Counts))
		for j := range growth {
			growth[j] = []int64{0, 0, 1, 2, 3, 5, 12, 20}[rng.IntN(8)]
		}
		for j, tb := range rel.Tables {
			tb.Counts = append([]int64(nil), tb.Counts...)
			if j == 0 {
				for c := range tb.Counts {
					tb.Counts[c] += growth[c]
				}
			}
			next.Tables = append(next.Tables, tb)
		}
		if len(rel.Links) > 0 { // keep the linked table's margin equal: grow its first column
			g0, g1 := newGrid(&rel.Tables[0]), newGrid(&next.Tables[0])
			t2 := &next.Tables[1]
			for c := range rel.Tables[0].Dims[0].Categories {
				co := append([]int{c}, g0.sizes[1:]...)
				t2.Counts[2*c] += g1.values[g1.index(co)] - g0.values[g0.index(co)]
			}
		}
		second, err := Protect(next, p, first)
		if err != nil {
			t.Fatalf("sequence %d, second release: %v", i, err)
		}
		checkPublished(t, second, p)
		o := newOracle(second)
		o.addRelease("prev", first.Public(), first)
		o.addRelease("cur", second.Public(), second)
		o.addCumulative(second)
		leaks := append(o.leaks(k, "cur"), o.leaks(k, "prev")...)
		var pairs [][2]string
		for _, tb := range second.Tables {
			for _, c := range tb.Cells {
				pairs = append(pairs, [2]string{cellName("cur", tb.Name, c.Key), cellName("prev", tb.Name, c.Key)})
			}
		}
		leaks = append(leaks, o.differenceLeaks(k, pairs)...)
		inconclusive, searches = inconclusive+o.Inconclusive, searches+o.Searches
		if len(leaks) > 0 {
			t.Errorf("sequence %d (k=%d): %v", i, k, leaks)
		}
	}
}

// reportInconclusive: the oracle's search is bounded; a handful of
// undecided questions is tolerated, more means the oracle proves nothing.
func reportInconclusive(t *testing.T, n, of int) {
	t.Logf("%d of %d oracle searches inconclusive", n, of)
	if n*50 > of {
		t.Errorf("%d oracle searches inconclusive: the property is not checked", n)
	}
}

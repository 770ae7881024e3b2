package disclosure

import (
	"fmt"
	"math"
	"slices"
	"strings"
)

// The oracle is an independent attacker for the tests: it knows only what a
// release publishes (Result.Public, the release's links and subsets, and
// the previous published release), writes its own integer constraints from
// the cells' keys, and searches integer solutions by branch and bound with
// interval propagation. It shares no code with the package's audit.

type ocons struct {
	vars   []int
	coefs  []float64
	lo, hi float64 // lo ≤ Σ coef·x ≤ hi
}

type oracle struct {
	names  []string // for messages
	known  []bool
	val    []int64 // published value (known) or 0
	truth  []int64 // the true value, to test against, never to solve with
	cons   []ocons
	index  map[string]int
	capVal int64
	nodes  int // left in the current search
	// Inconclusive counts searches that ran out of nodes: neither a
	// solution nor a proof there is none.
	Inconclusive, Searches int
}

func (o *oracle) addVar(name string, known bool, val, truth int64) int {
	o.names = append(o.names, name)
	o.known = append(o.known, known)
	o.val = append(o.val, val)
	o.truth = append(o.truth, truth)
	o.index[name] = len(o.names) - 1
	return len(o.names) - 1
}

func cellName(release, table string, key []string) string {
	return release + "/" + table + "/" + strings.Join(key, "|")
}

// addRelease adds a release's published tables: every cell a variable, and
// for every cell with Total in a dimension, the equation that it is the sum
// over that dimension; published percentages with their denominators.
func (o *oracle) addRelease(tag string, pub, truth *Result) {
	for ti, t := range pub.Tables {
		for ci, c := range t.Cells {
			o.addVar(cellName(tag, t.Name, c.Key), !c.Suppressed, c.Count, truth.Tables[ti].Cells[ci].Count)
		}
	}
	for _, t := range pub.Tables {
		for _, c := range t.Cells {
			for d, k := range c.Key {
				if k != Total {
					continue
				}
				cs := ocons{vars: []int{o.index[cellName(tag, t.Name, c.Key)]}, coefs: []float64{1}}
				for _, cat := range t.Dims[d].Categories {
					key := slices.Clone(c.Key)
					key[d] = cat
					cs.vars = append(cs.vars, o.index[cellName(tag, t.Name, key)])
					cs.coefs = append(cs.coefs, -1)
				}
				o.cons = append(o.cons, cs)
			}
			if c.HasPercent && t.Percent != nil {
				// 100·count − percent·denominator = 0 (the percentage
				// is published unrounded here: the strongest attacker).
				dkey := make([]string, len(c.Key))
				for d := range dkey {
					dkey[d] = Total
					if slices.ContainsFunc(t.Percent.Of, func(n string) bool { return n == t.Dims[d].Name }) {
						dkey[d] = c.Key[d]
					}
				}
				o.cons = append(o.cons, ocons{vars: []int{o.index[cellName(tag, t.Name, c.Key)], o.index[cellName(tag, t.Name, dkey)]},
					coefs: []float64{100, -c.Percent}, lo: -1e-6, hi: 1e-6})
			}
		}
	}
	for _, l := range pub.Links {
		a, b := pub.Table(l.A), pub.Table(l.B)
		for _, c := range a.Cells {
			ok := true
			key := make([]string, len(b.Dims))
			for d := range key {
				key[d] = Total
			}
			for d, k := range c.Key {
				if slices.Contains(l.Dims, a.Dims[d].Name) {
					key[slices.IndexFunc(b.Dims, func(x Dimension) bool { return x.Name == a.Dims[d].Name })] = k
				} else if k != Total {
					ok = false
				}
			}
			if ok {
				o.cons = append(o.cons, ocons{vars: []int{o.index[cellName(tag, l.A, c.Key)], o.index[cellName(tag, l.B, key)]}, coefs: []float64{1, -1}})
			}
		}
	}
	for _, s := range pub.Subsets {
		for _, c := range pub.Table(s.Outer).Cells {
			o.cons = append(o.cons, ocons{vars: []int{o.index[cellName(tag, s.Outer, c.Key)], o.index[cellName(tag, s.Inner, c.Key)]},
				coefs: []float64{1, -1}, lo: 0, hi: math.Inf(1)})
		}
	}
}

// addCumulative says that the cumulative tables of cur can only have grown
// since prev.
func (o *oracle) addCumulative(pub *Result) { o.addGrowth(pub, "prev", "cur") }

// addGrowth says that the cumulative tables of the release tagged later can
// only have grown since the release tagged earlier.
func (o *oracle) addGrowth(pub *Result, earlier, later string) {
	for _, t := range pub.Tables {
		if !t.Cumulative {
			continue
		}
		for _, c := range t.Cells {
			p, ok := o.index[cellName(earlier, t.Name, c.Key)]
			if !ok {
				continue
			}
			o.cons = append(o.cons, ocons{vars: []int{o.index[cellName(later, t.Name, c.Key)], p}, coefs: []float64{1, -1}, lo: 0, hi: math.Inf(1)})
		}
	}
}

// feasible reports whether some non-negative integer solution consistent
// with everything published has lo ≤ Σ coef·x ≤ hi for the extra
// constraint given.
func (o *oracle) feasible(extra ocons) bool {
	n := len(o.names)
	lo, hi := make([]float64, n), make([]float64, n)
	for i := range lo {
		if o.known[i] {
			lo[i], hi[i] = float64(o.val[i]), float64(o.val[i])
		} else {
			lo[i], hi[i] = 0, float64(o.capVal)
		}
	}
	cons := append(slices.Clone(o.cons), extra)
	o.nodes = 5000
	o.Searches++
	ok := o.search(cons, lo, hi, 0)
	if !ok && o.nodes <= 0 {
		o.Inconclusive++
		return true // not shown to leak
	}
	return ok
}

func (o *oracle) search(cons []ocons, lo, hi []float64, depth int) bool {
	if o.nodes--; o.nodes < 0 {
		return false
	}
	if !propagate(cons, lo, hi) {
		return false
	}
	pick, width := -1, math.Inf(1)
	for i := range lo {
		if w := hi[i] - lo[i]; w > 0.5 && w < width {
			pick, width = i, w
		}
	}
	if pick < 0 {
		for _, c := range cons {
			s := 0.0
			for j, v := range c.vars {
				s += c.coefs[j] * lo[v]
			}
			if s < c.lo-1e-6 || s > c.hi+1e-6 {
				return false
			}
		}
		return true
	}
	mid := math.Floor((lo[pick] + hi[pick]) / 2)
	l2, h2 := slices.Clone(lo), slices.Clone(hi)
	h2[pick] = mid
	if o.search(cons, l2, h2, depth+1) {
		return true
	}
	l2, h2 = slices.Clone(lo), slices.Clone(hi)
	l2[pick] = mid + 1
	return o.search(cons, l2, h2, depth+1)
}

// propagate tightens integer bounds to a fixpoint; false if one empties.
func propagate(cons []ocons, lo, hi []float64) bool {
	for changed, rounds := true, 0; changed && rounds < 200; rounds++ {
		changed = false
		for _, c := range cons {
			// min and max of Σ coef·x
			smin, smax := 0.0, 0.0
			for j, v := range c.vars {
				a := c.coefs[j]
				if a > 0 {
					smin += a * lo[v]
					smax += a * hi[v]
				} else {
					smin += a * hi[v]
					smax += a * lo[v]
				}
			}
			if smin > c.hi+1e-6 || smax < c.lo-1e-6 {
				return false
			}
			for j, v := range c.vars {
				a := c.coefs[j]
				var rmin, rmax float64 // of the rest
				if a > 0 {
					rmin, rmax = smin-a*lo[v], smax-a*hi[v]
				} else {
					rmin, rmax = smin-a*hi[v], smax-a*lo[v]
				}
				// c.lo − rmax ≤ a·x ≤ c.hi − rmin
				l, h := (c.lo-rmax)/a, (c.hi-rmin)/a
				if a < 0 {
					l, h = h, l
				}
				if !math.IsInf(l, 0) && !math.IsNaN(l) {
					if nl := math.Ceil(l - 1e-6); nl > lo[v] {
						lo[v], changed = nl, true
					}
				}
				if !math.IsInf(h, 0) && !math.IsNaN(h) {
					if nh := math.Floor(h + 1e-6); nh < hi[v] {
						hi[v], changed = nh, true
					}
				}
				if lo[v] > hi[v] {
					return false
				}
			}
		}
	}
	return true
}

// leaks checks every suppressed cell (and every small difference) of the
// release tagged tag, returning what an attacker learns.
func (o *oracle) leaks(k int64, tag string) []string {
	var out []string
	for v, name := range o.names {
		if o.known[v] || !strings.HasPrefix(name, tag+"/") {
			continue
		}
		a := o.truth[v]
		x := ocons{vars: []int{v}, coefs: []float64{1}}
		up, down := x, x
		up.lo, up.hi = float64(a+1), math.Inf(1)
		down.lo, down.hi = math.Inf(-1), float64(a-1)
		if !o.feasible(up) && (a == 0 || !o.feasible(down)) {
			out = append(out, fmt.Sprintf("%s is pinned to %d", name, a))
			continue
		}
		if a >= 1 && a < k {
			big := x
			big.lo, big.hi = float64(k), math.Inf(1)
			if !o.feasible(big) {
				out = append(out, fmt.Sprintf("%s (%d) is known to be under %d", name, a, k))
			}
		}
	}
	return out
}

// differenceLeaks checks the differences cur − prev of cumulative tables
// (and outer − inner of subsets) that are small counts.
func (o *oracle) differenceLeaks(k int64, pairs [][2]string) []string {
	var out []string
	for _, p := range pairs {
		a, b := o.index[p[0]], o.index[p[1]]
		d := o.truth[a] - o.truth[b]
		if d < 1 || d >= k {
			continue
		}
		c := ocons{vars: []int{a, b}, coefs: []float64{1, -1}, lo: float64(k), hi: math.Inf(1)}
		if !o.feasible(c) {
			out = append(out, fmt.Sprintf("%s − %s (%d) is known to be under %d", p[0], p[1], d, k))
		}
	}
	return out
}

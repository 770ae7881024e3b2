package disclosure

import (
	"errors"
	"math"
	"slices"
)

// blockAbove is the size of a group of connected unknowns above which the
// audit works block by block: a council release checked against the
// previous one joins every table of both releases into one group (the
// organizations' totals, suppressed as small changes, are linked across all
// tables), tens of thousands of unknowns, far beyond one dense simplex.
var blockAbove = exactUpTo

// exactUpTo is the largest group the audit solves as one program.
const exactUpTo = 1000

// blocks is the structure of a large group: the blocks of unknowns joined
// by equations other than links (a table with its earlier releases and
// their differences), the coupling unknowns (in a link with an unknown of
// another block) and their classes (coupling unknowns linked to each other,
// which must take one value).
type blocks struct {
	of       map[int]int   // variable → its block
	vars     map[int][]int // block → its variables
	order    []int         // blocks in order of first variable
	coupling map[int]bool
	class    map[int]int // coupling variable → its class
	members  map[int][]int
	cache    map[int]*feasible // block → its program with the coupling free
}

func (s *sys) blocksOf(vars []int) *blocks {
	parent := map[int]int{}
	for _, v := range vars {
		parent[v] = v
	}
	var find func(int) int
	find = func(x int) int {
		for parent[x] != x {
			parent[x] = parent[parent[x]]
			x = parent[x]
		}
		return x
	}
	union := func(eqs func(ei int) bool) {
		seen := map[int]bool{}
		for _, v := range vars {
			for _, ei := range s.varEqs[v] {
				if seen[ei] || !eqs(ei) {
					continue
				}
				seen[ei] = true
				first := -1
				for _, t := range s.eqs[ei] {
					if _, ok := parent[t.v]; !ok || !s.unknown[t.v] {
						continue
					}
					if first < 0 {
						first = t.v
					} else if a, b := find(first), find(t.v); a != b {
						parent[a] = b
					}
				}
			}
		}
	}
	union(func(ei int) bool { return !s.link[ei] })
	bl := &blocks{of: map[int]int{}, vars: map[int][]int{}, coupling: map[int]bool{}, class: map[int]int{}, members: map[int][]int{}, cache: map[int]*feasible{}}
	for _, v := range vars {
		r := find(v)
		if bl.vars[r] == nil {
			bl.order = append(bl.order, r)
		}
		bl.of[v] = r
		bl.vars[r] = append(bl.vars[r], v)
	}
	for _, v := range vars {
		for _, ei := range s.varEqs[v] {
			if !s.link[ei] {
				continue
			}
			for _, t := range s.eqs[ei] {
				if s.unknown[t.v] && t.v != v {
					if b, ok := bl.of[t.v]; ok && b != bl.of[v] {
						bl.coupling[v] = true
					}
				}
			}
		}
	}
	// Classes: the coupling unknowns joined by links (through any block).
	cparent := map[int]int{}
	for _, v := range vars {
		if bl.coupling[v] {
			cparent[v] = v
		}
	}
	cfind := func(x int) int {
		for cparent[x] != x {
			cparent[x] = cparent[cparent[x]]
			x = cparent[x]
		}
		return x
	}
	for v := range cparent {
		for _, ei := range s.varEqs[v] {
			if !s.link[ei] {
				continue
			}
			for _, t := range s.eqs[ei] {
				if _, ok := cparent[t.v]; ok {
					if a, b := cfind(v), cfind(t.v); a != b {
						cparent[a] = b
					}
				}
			}
		}
	}
	for _, v := range vars {
		if bl.coupling[v] {
			c := cfind(v)
			bl.class[v] = c
			bl.members[c] = append(bl.members[c], v)
		}
	}
	return bl
}

// auditBlocks audits a large group of unknowns made of blocks joined by
// links, in stages, each sound: every point it takes as a witness is
// feasible for the whole group.
//
//  1. Extreme points (extremes): each class of shared totals moved up and
//     down in a block with the totals free, the other blocks following.
//  2. Each block alone, its shared totals moving only along convex
//     combinations of the extreme points and the true values (weights of
//     their own in its program), every other block at the same combination:
//     a point of the block's program completed that way is feasible. Most
//     cells are decided here.
//  3. A cell still undecided is bounded in its block with the shared totals
//     free; the totals found are then imposed on every other block they
//     reach, each solved for a feasible point. When every block has one, the
//     combined point is checked against every equation of the group and
//     witnesses the cell's range. When its own block, totals free, cannot
//     reach the bound (a relaxation of the whole), nothing can; when another
//     block cannot follow, the cell is left to repair, which is safe.
func (s *sys) auditBlocks(vars []int) (failing []int, lps int, err error) {
	bl := s.blocksOf(vars)
	if len(bl.order) < 2 {
		return s.decide(vars, func() ([][]float64, []float64) { return s.program(vars, s.truth, nil) })
	}
	extremes, n, err := s.extremes(bl)
	lps += n
	if err != nil {
		return nil, lps, err
	}
	var pending []int
	for _, r := range bl.order {
		var inner, coupled []int
		for _, v := range bl.vars[r] {
			if bl.coupling[v] {
				coupled = append(coupled, v)
			} else {
				inner = append(inner, v)
			}
		}
		// The extreme points that move this block's shared totals.
		var moving []map[int]float64
		for _, p := range extremes {
			if slices.ContainsFunc(coupled, func(u int) bool { x, ok := p[u]; return ok && x != float64(s.val[u]) }) {
				moving = append(moving, p)
			}
		}
		f, n, err := s.decide(inner, func() ([][]float64, []float64) {
			w := len(inner) + len(moving) + 1
			a, b, eqs := s.programRows(inner, s.truth, nil, len(moving)+1)
			for i, ei := range eqs {
				for _, t := range s.eqs[ei] {
					if !bl.coupling[t.v] {
						continue
					}
					for j, p := range moving {
						if x, ok := p[t.v]; ok {
							a[i][len(inner)+j] += t.c * (x - float64(s.val[t.v]))
						}
					}
				}
			}
			// Σ λ_j + slack = 1: a convex combination with the true values.
			row := make([]float64, w)
			for j := len(inner); j < w; j++ {
				row[j] = 1
			}
			return append(a, row), append(b, 1)
		})
		lps += n
		if err != nil {
			return nil, lps, err
		}
		pending = append(pending, f...)
	}
	for _, v := range vars {
		if bl.coupling[v] {
			pending = append(pending, v)
		}
	}
	for _, v := range pending {
		lo, hi := s.ranges()
		if !s.protects(v) || s.satisfied(v, lo[v], hi[v]) {
			continue
		}
		val := float64(s.val[v])
		up := val + 1
		if s.sensitive[v] {
			up = float64(s.k)
		}
		if hi[v] < up-1e-6 {
			n, err := s.crossWitness(bl, v, -1, up)
			lps += n
			if err != nil {
				return nil, lps, err
			}
		}
		lo, hi = s.ranges()
		if !s.satisfied(v, lo[v], hi[v]) && val >= 1 && lo[v] > val-1+1e-6 {
			n, err := s.crossWitness(bl, v, 1, val-1)
			lps += n
			if err != nil {
				return nil, lps, err
			}
		}
		lo, hi = s.ranges()
		if !s.satisfied(v, lo[v], hi[v]) {
			failing = append(failing, v)
		}
	}
	if len(failing) > 0 && len(vars) <= exactUpTo {
		// Small enough for one program: the exact audit decides what
		// the blocks left (TestProtect_PropertyBlocks audits every group
		// block by block).
		f, n, err := s.decide(vars, func() ([][]float64, []float64) { return s.program(vars, s.truth, nil) })
		return f, lps + n, err
	}
	return failing, lps, nil
}

// crossWitness moves v toward target (sign −1: up, 1: down) in its block
// with the coupling unknowns free, imposes the shared totals reached on the
// other blocks, and, when all of them admit a point, widens the witnessed
// ranges by the combined point.
func (s *sys) crossWitness(bl *blocks, v int, sign, target float64) (lps int, err error) {
	home := bl.of[v]
	hv := bl.vars[home]
	f, err := s.free(bl, home)
	if err != nil {
		return 0, err
	}
	i := indexOf(hv, v)
	lps++
	p, _, err := f.bound(i, sign, target)
	if err != nil || p == nil {
		return lps, err // unbounded: no point to impose; left undecided
	}
	if (sign < 0 && p[i] < target-1e-6) || (sign > 0 && p[i] > target+1e-6) {
		return lps, nil // not even with the totals free
	}
	point, n, err := s.combine(bl, home, p)
	lps += n
	if err != nil || point == nil {
		return lps, err
	}
	lo, hi := s.ranges()
	for u, x := range point {
		lo[u], hi[u] = math.Min(lo[u], x), math.Max(hi[u], x)
	}
	return lps, nil
}

func indexOf(xs []int, x int) int {
	for i, y := range xs {
		if y == x {
			return i
		}
	}
	return -1
}

// free returns the program of block r with its coupling unknowns free (the
// links to other blocks left out), kept for the audit round.
func (s *sys) free(bl *blocks, r int) (*feasible, error) {
	if f := bl.cache[r]; f != nil {
		return f, nil
	}
	a, b := s.program(bl.vars[r], s.truth, func(ei int) bool {
		for _, t := range s.eqs[ei] {
			if s.unknown[t.v] {
				if b, ok := bl.of[t.v]; ok && b != r {
					return false // a link to another block: imposed there
				}
			}
		}
		return true
	})
	f, err := newFeasible(a, b, len(bl.vars[r]))
	if err != nil {
		return nil, err
	}
	bl.cache[r] = f
	return f, nil
}

// combine completes the point p of block home (its shared totals free) by
// imposing the shared totals it reached on every other block they reach,
// each solved for a feasible point; it returns the combined point (the
// variables away from their true values), checked against every equation
// of the group, or nil when some block cannot follow. A variable missing
// from the point keeps its true value.
func (s *sys) combine(bl *blocks, home int, p []float64) (point map[int]float64, lps int, err error) {
	hv := bl.vars[home]
	point = map[int]float64{}
	for j, u := range hv {
		point[u] = p[j]
	}
	shared := map[int]float64{} // class → value
	for j, u := range hv {
		if bl.coupling[u] {
			shared[bl.class[u]] = p[j]
		}
	}
	value := func(u int) float64 {
		if x, ok := point[u]; ok {
			return x
		}
		if bl.coupling[u] {
			if x, ok := shared[bl.class[u]]; ok {
				return x
			}
		}
		return float64(s.val[u])
	}
	for _, r := range bl.order {
		if r == home {
			continue
		}
		moved := false
		for _, u := range bl.vars[r] {
			if bl.coupling[u] && math.Abs(value(u)-float64(s.val[u])) > 1e-9 {
				moved = true
			}
		}
		if !moved {
			continue // its true values fit
		}
		for _, u := range bl.vars[r] {
			if bl.coupling[u] {
				point[u] = value(u)
			}
		}
		g, err := s.free(bl, r)
		if err != nil {
			return nil, lps, err
		}
		fix := map[int]float64{}
		for j, u := range bl.vars[r] {
			if bl.coupling[u] {
				fix[j] = value(u)
			}
		}
		lps++
		q, err := g.fixed(fix)
		if errors.Is(err, errInfeasible) {
			return nil, lps, nil // this block cannot follow: left undecided
		} else if err != nil {
			return nil, lps, err
		}
		for j, u := range bl.vars[r] {
			if !bl.coupling[u] {
				point[u] = q[j]
			}
		}
	}
	// The combined point must satisfy every equation of the group.
	seen := map[int]bool{}
	for u := range point {
		if point[u] < -1e-6 {
			return nil, lps, nil
		}
		for _, ei := range s.varEqs[u] {
			if seen[ei] {
				continue
			}
			seen[ei] = true
			sum, scale := 0.0, 1.0
			for _, t := range s.eqs[ei] {
				x := value(t.v)
				sum += t.c * x
				scale = math.Max(scale, math.Abs(t.c*x))
			}
			if math.Abs(sum) > 1e-6*scale {
				return nil, lps, nil
			}
		}
	}
	return point, lps, nil
}

// extremes returns, for every class of shared totals, a point of the whole
// group with the class moved up as far as k above its value and one with it
// moved down (each found in a block of the class with the totals free, the
// others following; halved toward the true values when one cannot follow),
// widening the witnessed ranges by each. Every convex combination of them
// and the true values is feasible for the whole group, so a block may move
// its shared totals along them while the other blocks follow (auditBlocks).
func (s *sys) extremes(bl *blocks) (points []map[int]float64, lps int, err error) {
	var classes []int
	seen := map[int]bool{}
	for _, r := range bl.order {
		for _, v := range bl.vars[r] {
			if c, ok := bl.class[v]; ok && !seen[c] {
				seen[c] = true
				classes = append(classes, c)
			}
		}
	}
	for _, c := range classes {
		v := bl.members[c][0]
		home := bl.of[v]
		f, err := s.free(bl, home)
		if err != nil {
			return nil, lps, err
		}
		i := indexOf(bl.vars[home], v)
		val := float64(s.val[v])
		for _, dir := range []struct{ sign, target float64 }{{-1, val + float64(s.k)}, {1, math.Max(0, val-float64(s.k))}} {
			lps++
			p, unb, err := f.bound(i, dir.sign, dir.target)
			if err != nil {
				return nil, lps, err
			}
			if p == nil || unb && dir.sign > 0 || math.Abs(p[i]-val) < 1e-6 {
				continue
			}
			for try := 0; try < 2; try++ {
				point, n, err := s.combine(bl, home, p)
				lps += n
				if err != nil {
					return nil, lps, err
				}
				if point != nil {
					lo, hi := s.ranges()
					for u, x := range point {
						lo[u], hi[u] = math.Min(lo[u], x), math.Max(hi[u], x)
					}
					points = append(points, point)
					break
				}
				for j, u := range bl.vars[home] { // halfway to the true values
					p[j] = (p[j] + float64(s.val[u])) / 2
				}
			}
		}
	}
	return points, lps, nil
}

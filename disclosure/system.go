package disclosure

import (
	"math"
)

// sys is the linear system of a release as an attacker sees it: one
// variable per cell (margins included) of every table, published cells
// known, suppressed cells unknown, plus derived variables (a subset's or a
// cumulative table's difference), which are never published. Every equation
// is Σ coef·x = 0.
type sys struct {
	k       int64
	val     []int64
	unknown []bool
	frozen  []bool // its publication cannot change: previous release, derived
	// sensitive: a small count (1..k−1, or a suppressed zero), which must
	// keep a feasible range reaching k and, above zero, below its value.
	sensitive []bool
	margin    []bool
	// derivedVar: a difference between two cells, never published.
	derivedVar []bool
	// lo, hi: the range of each variable witnessed so far by feasible
	// points (see local.go); they only widen as cells are suppressed.
	lo, hi []float64
	eqs    [][]term
	varEqs [][]int
	// link marks the equations of a Link (two tables' margins equal): the
	// only equations that join one table's block of unknowns to another's
	// (see blocks.go).
	link []bool
}

type term struct {
	v int
	c float64
}

func (s *sys) addVar(val int64, margin bool) int {
	s.val = append(s.val, val)
	s.unknown = append(s.unknown, false)
	s.frozen = append(s.frozen, false)
	s.sensitive = append(s.sensitive, false)
	s.margin = append(s.margin, margin)
	s.derivedVar = append(s.derivedVar, false)
	s.varEqs = append(s.varEqs, nil)
	return len(s.val) - 1
}

func (s *sys) addEq(eq []term) { s.addEquation(eq, false) }

// addLinkEq adds the equation of two linked margins.
func (s *sys) addLinkEq(eq []term) { s.addEquation(eq, true) }

func (s *sys) addEquation(eq []term, link bool) {
	i := len(s.eqs)
	s.eqs = append(s.eqs, eq)
	s.link = append(s.link, link)
	for _, t := range eq {
		s.varEqs[t.v] = append(s.varEqs[t.v], i)
	}
}

// protects reports whether an unknown variable must be protected: every
// suppressed cell, and a derived difference only when it is a small count.
func (s *sys) protects(v int) bool {
	return s.unknown[v] && (s.sensitive[v] || !s.derivedVar[v])
}

// satisfied reports whether the witnessed range [lo, hi] of variable v
// protects it: a sensitive count's range reaches k and (above zero) goes
// below its value; any other suppressed cell is not pinned to its value.
func (s *sys) satisfied(v int, lo, hi float64) bool {
	a := float64(s.val[v])
	if s.sensitive[v] {
		return hi >= float64(s.k)-1e-6 && (s.val[v] == 0 || lo <= a-1+1e-6)
	}
	return hi >= a+1-1e-6 || lo <= a-1+1e-6
}

// audit returns the unknown variables that need protection and are not
// protected: by the ranges witnessed in earlier rounds, then by linear
// programming over the groups of connected unknowns that still hold an
// undecided cell (the published equations, non-negative values).
func (s *sys) audit() (failing []int, lps int, err error) {
	lo, hi := s.ranges()
	n := len(s.val)
	parent := make([]int, n)
	for i := range parent {
		parent[i] = i
	}
	find := func(x int) int {
		for parent[x] != x {
			parent[x] = parent[parent[x]]
			x = parent[x]
		}
		return x
	}
	for _, eq := range s.eqs {
		first := -1
		for _, t := range eq {
			if !s.unknown[t.v] {
				continue
			}
			if first < 0 {
				first = t.v
			} else if a, b := find(first), find(t.v); a != b {
				parent[a] = b
			}
		}
	}
	need := map[int]bool{}
	for v := range n {
		if s.protects(v) && !s.satisfied(v, lo[v], hi[v]) {
			need[find(v)] = true
		}
	}
	comps := map[int][]int{}
	var order []int
	for v := range n {
		if r := find(v); s.unknown[v] && need[r] {
			if comps[r] == nil {
				order = append(order, r)
			}
			comps[r] = append(comps[r], v)
		}
	}
	for _, r := range order {
		vars := comps[r]
		f, l, e := s.auditComponent(vars)
		lps += l
		if e != nil {
			return nil, lps, e
		}
		failing = append(failing, f...)
	}
	return failing, lps, nil
}

// auditComponent decides the protection of the undecided cells of a group
// of connected unknowns vars, widening the witnessed ranges by every
// feasible point its programs reach. A group larger than blockAbove made of
// several tables' blocks joined by links is audited block by block
// (blocks.go).
func (s *sys) auditComponent(vars []int) (failing []int, lps int, err error) {
	if len(vars) > blockAbove {
		return s.auditBlocks(vars)
	}
	return s.decide(vars, func() ([][]float64, []float64) { return s.program(vars, s.truth, nil) })
}

// truth is the true value of variable v.
func (s *sys) truth(v int) float64 { return float64(s.val[v]) }

// program writes the equations that touch vars (the program's unknowns, in
// this order) as A x = b, with every other variable a constant, value(v);
// keep, when not nil, says which equations to write.
func (s *sys) program(vars []int, value func(int) float64, keep func(ei int) bool) (a [][]float64, b []float64) {
	a, b, _ = s.programRows(vars, value, keep, 0)
	return a, b
}

// programRows is program with extra zero columns after vars, returning
// the equation of each row too.
func (s *sys) programRows(vars []int, value func(int) float64, keep func(ei int) bool, extra int) (a [][]float64, b []float64, eqs []int) {
	local := make(map[int]int, len(vars))
	for i, v := range vars {
		local[v] = i
	}
	seen := map[int]bool{}
	for _, v := range vars {
		for _, ei := range s.varEqs[v] {
			if seen[ei] {
				continue
			}
			seen[ei] = true
			if keep != nil && !keep(ei) {
				continue
			}
			row := make([]float64, len(vars)+extra)
			rhs := 0.0
			for _, t := range s.eqs[ei] {
				if i, ok := local[t.v]; ok {
					row[i] += t.c
				} else {
					rhs -= t.c * value(t.v)
				}
			}
			a, b, eqs = append(a, row), append(b, rhs), append(eqs, ei)
		}
	}
	return a, b, eqs
}

// decide decides the protection of the undecided cells among vars, the
// unknowns of the program build writes (every point it admits is feasible
// for the whole system), widening the witnessed ranges by every feasible
// point its programs reach.
func (s *sys) decide(vars []int, build func() ([][]float64, []float64)) (failing []int, lps int, err error) {
	glo, ghi := s.ranges()
	need := false
	for _, v := range vars {
		if s.protects(v) && !s.satisfied(v, glo[v], ghi[v]) {
			need = true
		}
	}
	if !need {
		return nil, 0, nil
	}
	lo := make([]float64, len(vars))
	hi := make([]float64, len(vars))
	for i, v := range vars {
		lo[i], hi[i] = glo[v], ghi[v]
	}
	var f *feasible
	witness := func(p []float64) {
		for i, x := range p[:len(vars)] {
			lo[i], hi[i] = math.Min(lo[i], x), math.Max(hi[i], x)
		}
	}
	defer func() {
		for i, v := range vars {
			glo[v], ghi[v] = lo[i], hi[i]
		}
	}()
	for i, v := range vars {
		if !s.protects(v) || s.satisfied(v, lo[i], hi[i]) {
			continue
		}
		if f == nil {
			a, b := build()
			n := len(vars)
			if len(a) > 0 {
				n = len(a[0]) // the program may have variables of its own after vars
			}
			if f, err = newFeasible(a, b, n); err != nil {
				return nil, lps, err
			}
		}
		val := float64(s.val[v])
		up := val + 1
		if s.sensitive[v] {
			up = float64(s.k)
		}
		if hi[i] < up-1e-6 {
			lps++
			p, unb, err := f.bound(i, -1, up)
			if err != nil {
				return nil, lps, err
			}
			if unb {
				hi[i] = math.Inf(1)
			} else {
				witness(p)
			}
		}
		if !s.satisfied(v, lo[i], hi[i]) && val >= 1 && lo[i] > val-1+1e-6 {
			lps++
			p, _, err := f.bound(i, 1, val-1)
			if err != nil {
				return nil, lps, err
			}
			witness(p)
		}
		if !s.satisfied(v, lo[i], hi[i]) {
			failing = append(failing, v)
		}
	}
	return failing, lps, nil
}

// ranges returns the ranges witnessed so far, extended to the variables
// added since the last call (at their true values). Suppressing more cells
// only enlarges the published system's solutions (a published cell becomes
// an unknown that may keep its value), so a witnessed point stays feasible
// and a cell once shown protected stays protected: the audit keeps the
// ranges between rounds and asks only about the cells still undecided.
func (s *sys) ranges() (lo, hi []float64) {
	for len(s.lo) < len(s.val) {
		v := float64(s.val[len(s.lo)])
		s.lo, s.hi = append(s.lo, v), append(s.hi, v)
	}
	return s.lo, s.hi
}

package disclosure

import (
	"errors"
	"math"
	"slices"
)

// A small dense simplex solver for the audit's linear programs: equality
// constraints A x = b over non-negative x. The audit's programs are one per
// connected group of suppressed cells (tens to a few hundred unknowns), so a
// dense tableau is fast enough and keeps the code short and dependency-free.

const lpEps = 1e-9

var errInfeasible = errors.New("disclosure: the published values admit no solution")

// feasible is a tableau in canonical form for a feasible basis: row i
// expresses basic variable basis[i] = rhs[i] − Σ_j t[i][j]·x_j (non-basic).
type feasible struct {
	n     int // variables
	t     [][]float64
	rhs   []float64
	basis []int
}

// newFeasible finds a feasible basis of A x = b, x ≥ 0 by the two-phase
// method's first phase, dropping redundant equations.
func newFeasible(a [][]float64, b []float64, n int) (*feasible, error) {
	m := len(a)
	w := n + m
	t := make([][]float64, m)
	rhs := make([]float64, m)
	basis := make([]int, m)
	for i := range a {
		row := make([]float64, w)
		sign := 1.0
		if b[i] < 0 {
			sign = -1
		}
		for j, v := range a[i] {
			row[j] = sign * v
		}
		row[n+i] = 1
		t[i], rhs[i], basis[i] = row, sign*b[i], n+i
	}
	// Phase 1 objective: minimize the sum of the artificial variables.
	cost := make([]float64, w)
	for j := n; j < w; j++ {
		cost[j] = 1
	}
	if err := optimize(t, rhs, basis, cost, -1, math.NaN(), w); err != nil {
		return nil, err
	}
	for i := range rhs {
		if basis[i] >= n && rhs[i] > 1e-6 {
			return nil, errInfeasible
		}
	}
	// Drive the artificial variables out of the basis; a row that keeps
	// one is redundant and is dropped.
	keep := t[:0]
	keepRHS, keepBasis := rhs[:0], basis[:0]
	for i := 0; i < len(t); i++ {
		if basis[i] >= n {
			col := -1
			for j := 0; j < n; j++ {
				if math.Abs(t[i][j]) > 1e-7 {
					col = j
					break
				}
			}
			if col < 0 {
				continue
			}
			pivot(t, rhs, nil, i, col)
			basis[i] = col
		}
		keep, keepRHS, keepBasis = append(keep, t[i]), append(keepRHS, rhs[i]), append(keepBasis, basis[i])
	}
	f := &feasible{n: n, t: keep, rhs: keepRHS, basis: keepBasis}
	for i := range f.t {
		f.t[i] = f.t[i][:n:n]
	}
	return f, nil
}

// bound moves from the feasible basis toward the minimum (sign −1: toward
// the maximum) of x_v, stopping early once x_v reaches target (NaN: no early
// stop). It returns a feasible point reached and whether the direction is
// unbounded; when it is, the point is the last vertex moved along the
// unbounded ray until x_v reaches target (nil when target is NaN).
func (f *feasible) bound(v int, sign float64, target float64) (point []float64, unbounded bool, err error) {
	// Any feasible basis is a valid start: continue from where the last
	// bound left the tableau instead of copying it.
	cost := make([]float64, f.n)
	cost[v] = sign
	err = optimize(f.t, f.rhs, f.basis, cost, v, target, f.n)
	var ray errRay
	if errors.As(err, &ray) {
		if math.IsNaN(target) {
			return nil, true, nil
		}
		// Along the ray x_enter = θ, x_basis[i] = rhs_i − t_i,enter·θ,
		// every value non-decreasing, x_v toward target.
		theta := math.Abs(target)
		for i, b := range f.basis {
			if b == v && f.t[i][ray.enter] < -lpEps {
				theta = math.Max(0, (f.rhs[i]-target)/f.t[i][ray.enter])
			}
		}
		if ray.enter == v {
			theta = math.Max(0, target)
		}
		point = f.point()
		point[ray.enter] = theta
		for i, b := range f.basis {
			point[b] = f.rhs[i] - f.t[i][ray.enter]*theta
		}
		return point, true, nil
	} else if err != nil {
		return nil, false, err
	}
	point = make([]float64, f.n)
	for i, b := range f.basis {
		point[b] = f.rhs[i]
	}
	return point, false, nil
}

// point is the feasible point of the tableau's basis.
func (f *feasible) point() []float64 {
	p := make([]float64, f.n)
	for i, b := range f.basis {
		p[b] = f.rhs[i]
	}
	return p
}

// fixed returns a feasible point with x_v = fix[v] for each v in fix, or
// errInfeasible: from a copy of the tableau, each fixed value an equation
// added in terms of the current non-basic variables with an artificial
// variable of its own, and the first phase run from the current basis (a
// few pivots where the values are near the current point, instead of
// solving the program again from scratch).
func (f *feasible) fixed(fix map[int]float64) ([]float64, error) {
	vs := make([]int, 0, len(fix))
	for v := range fix {
		vs = append(vs, v)
	}
	slices.Sort(vs)
	m, w := len(f.t), f.n+len(vs)
	row := map[int]int{}
	for i, b := range f.basis {
		row[b] = i
	}
	t := make([][]float64, 0, m+len(vs))
	rhs := make([]float64, 0, m+len(vs))
	for i := range f.t {
		r := make([]float64, w)
		copy(r, f.t[i])
		t, rhs = append(t, r), append(rhs, f.rhs[i])
	}
	basis := slices.Clone(f.basis)
	for k, v := range vs {
		r := make([]float64, w)
		b := fix[v]
		if i, ok := row[v]; ok {
			// x_v = rhs_i − Σ t_ij x_j (non-basic j) = fix: Σ −t_ij x_j = fix − rhs_i.
			for j, x := range f.t[i] {
				if j != v && x != 0 {
					r[j] = -x
				}
			}
			b -= f.rhs[i]
		} else {
			r[v] = 1
		}
		if b < 0 {
			for j := range r {
				r[j] = -r[j]
			}
			b = -b
		}
		r[f.n+k] = 1
		t, rhs, basis = append(t, r), append(rhs, b), append(basis, f.n+k)
	}
	cost := make([]float64, w)
	for j := f.n; j < w; j++ {
		cost[j] = 1
	}
	if err := optimize(t, rhs, basis, cost, -1, math.NaN(), w); err != nil {
		return nil, err
	}
	p := make([]float64, f.n)
	for i, b := range basis {
		if b >= f.n {
			if rhs[i] > 1e-6 {
				return nil, errInfeasible
			}
			continue
		}
		p[b] = rhs[i]
	}
	return p, nil
}

var errUnbounded = errors.New("unbounded")

// errRay is errUnbounded with the entering variable of the unbounded ray.
type errRay struct{ enter int }

func (errRay) Error() string        { return errUnbounded.Error() }
func (errRay) Is(target error) bool { return target == errUnbounded }

// optimize minimizes cost·x from the basis given (primal simplex, Dantzig's
// rule with Bland's rule after a run of degenerate pivots so it cannot
// cycle). With watch ≥ 0 it stops as soon as x_watch passes target in the
// direction of improvement.
func optimize(t [][]float64, rhs []float64, basis []int, cost []float64, watch int, target float64, w int) error {
	m := len(t)
	// Reduced costs: r_j = c_j − Σ_i c_basis[i] · t[i][j].
	r := append([]float64(nil), cost[:w]...)
	for i := 0; i < m; i++ {
		if cb := cost[basis[i]]; cb != 0 {
			for j := 0; j < w; j++ {
				r[j] -= cb * t[i][j]
			}
		}
	}
	degenerate := 0
	for iter := 0; iter < 50000; iter++ {
		if watch >= 0 && !math.IsNaN(target) {
			x := 0.0
			for i, b := range basis {
				if b == watch {
					x = rhs[i]
				}
			}
			if (cost[watch] < 0 && x >= target-1e-7) || (cost[watch] > 0 && x <= target+1e-7) {
				return nil
			}
		}
		enter := -1
		if degenerate < 20 {
			best := -lpEps
			for j := 0; j < w; j++ {
				if r[j] < best {
					best, enter = r[j], j
				}
			}
		} else {
			for j := 0; j < w; j++ {
				if r[j] < -lpEps {
					enter = j
					break
				}
			}
		}
		if enter < 0 {
			return nil
		}
		leave := -1
		ratio := math.Inf(1)
		for i := 0; i < m; i++ {
			if a := t[i][enter]; a > lpEps {
				q := rhs[i] / a
				if q < ratio-lpEps || (q < ratio+lpEps && leave >= 0 && basis[i] < basis[leave]) {
					ratio, leave = q, i
				}
			}
		}
		if leave < 0 {
			return errRay{enter}
		}
		if ratio < lpEps {
			degenerate++
		} else {
			degenerate = 0
		}
		pivot(t, rhs, r, leave, enter)
		basis[leave] = enter
	}
	return errors.New("disclosure: the simplex did not converge")
}

func pivot(t [][]float64, rhs []float64, r []float64, row, col int) {
	pr := t[row]
	p := pr[col]
	// The pivot row's non-zeros: the tableaus are sparse, and most of the
	// work is skipping zeros.
	nz := make([]int, 0, 64)
	for j, v := range pr {
		if v != 0 {
			pr[j] = v / p
			nz = append(nz, j)
		}
	}
	rhs[row] /= p
	pr[col] = 1
	for i := range t {
		if i == row {
			continue
		}
		if f := t[i][col]; f != 0 {
			ti := t[i]
			for _, j := range nz {
				ti[j] -= f * pr[j]
			}
			ti[col] = 0
			rhs[i] -= f * rhs[row]
			if math.Abs(rhs[i]) < 1e-11 {
				rhs[i] = 0
			}
		}
	}
	if r != nil {
		if f := r[col]; f != 0 {
			for _, j := range nz {
				r[j] -= f * pr[j]
			}
			r[col] = 0
		}
	}
}

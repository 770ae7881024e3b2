package disclosure

import (
	"math"
	"slices"

	"github.com/amparo-project/amparo"
)

func (b *builder) suppressCell(v int, why Reason) {
	if b.s.unknown[v] {
		return
	}
	b.s.unknown[v] = true
	b.reason[v] = why
}

// candidate reports whether v is a published cell of this release, which
// complementary suppression may suppress.
func (b *builder) candidate(v int) bool {
	return !b.s.unknown[v] && !b.s.frozen[v]
}

// suppress chooses complementary cells until the audit passes: first no
// equation may leave a protected cell alone among published ones (the lone
// cell recovered from its row total), then the interval audit decides, and
// each cell it finds unprotected gets one more complementary cell in one of
// its equations. It returns the number of linear programs solved.
func (b *builder) suppress() (int, error) {
	s := b.s
	lps := 0
	for {
		b.closeSingletons()
		failing, n, err := s.audit()
		lps += n
		if err != nil {
			return lps, err
		}
		if len(failing) == 0 {
			return lps, nil
		}
		added := false
		for _, v := range failing {
			if b.repair(v) {
				added = true
			}
		}
		if !added {
			// Nothing reachable from the failing cells is left to suppress.
			return lps, amparo.Errorf(amparo.ECONFLICT, "%d suppressed cells cannot be protected: the earlier releases already reveal them", len(failing)).Localize("report.disclosure.unprotectable", len(failing))
		}
	}
}

// lone returns the one unknown of equation ei, and whether it is alone
// there and needs protection.
func (b *builder) lone(ei int) (int, bool) {
	v, n := -1, 0
	for _, t := range b.s.eqs[ei] {
		if b.s.unknown[t.v] {
			v = t.v
			n++
		}
	}
	return v, n == 1 && b.s.protects(v)
}

// closeSingletons suppresses, for every equation with one protected unknown
// alone among published cells, one more of its cells: the one that also
// closes the most other such equations, then an interior cell before a
// margin, then the smallest count.
func (b *builder) closeSingletons() {
	s := b.s
	queue := make([]int, len(s.eqs))
	for i := range queue {
		queue[i] = i
	}
	for len(queue) > 0 {
		ei := queue[0]
		queue = queue[1:]
		if _, ok := b.lone(ei); !ok {
			continue
		}
		best, bestKey := -1, [3]int64{}
		for _, t := range s.eqs[ei] {
			if !b.candidate(t.v) {
				continue
			}
			closes := int64(0)
			for _, ej := range s.varEqs[t.v] {
				if _, ok := b.lone(ej); ok {
					closes++
				}
			}
			key := [3]int64{-closes, boolInt(s.margin[t.v]), s.val[t.v]}
			if best < 0 || slices.Compare(key[:], bestKey[:]) < 0 {
				best, bestKey = t.v, key
			}
		}
		if best < 0 {
			continue // nothing left to suppress here; the audit will say
		}
		b.suppressCell(best, ReasonComplementary)
		queue = append(queue, s.varEqs[best]...)
	}
}

// repair suppresses one more cell for v: in one of v's equations, or if
// those have nothing left to suppress, in the nearest equations reached
// through v's suppressed neighbours: the smallest interior count large
// enough to give v room (k − v for a small count), else the largest. It
// reports whether it suppressed anything.
func (b *builder) repair(v int) bool {
	s := b.s
	room := int64(1)
	if s.sensitive[v] {
		room = s.k - s.val[v]
	}
	seenVar := map[int]bool{v: true}
	seenEq := map[int]bool{}
	frontier := []int{v}
	for len(frontier) > 0 {
		best, bestKey := -1, [3]int64{}
		var next []int
		for _, u := range frontier {
			for _, ei := range s.varEqs[u] {
				if seenEq[ei] {
					continue
				}
				seenEq[ei] = true
				for _, t := range s.eqs[ei] {
					if s.unknown[t.v] && !seenVar[t.v] {
						seenVar[t.v] = true
						next = append(next, t.v)
					}
					if !b.candidate(t.v) {
						continue
					}
					c := s.val[t.v]
					key := [3]int64{boolInt(c < room), boolInt(s.margin[t.v]), c}
					if c < room {
						key[2] = math.MaxInt64 - c
					}
					if best < 0 || slices.Compare(key[:], bestKey[:]) < 0 {
						best, bestKey = t.v, key
					}
				}
			}
		}
		if best >= 0 {
			b.suppressCell(best, ReasonComplementary)
			return true
		}
		frontier = next
	}
	return false
}

func boolInt(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

// protected builds the published form of table t.
func (b *builder) protected(t Table, tv tableVars, applied []string) Protected {
	s, g := b.s, tv.g
	out := Protected{Name: t.Name, Dims: t.Dims, Collapsed: applied, Cumulative: t.Cumulative, Percent: t.Percent}
	var of []int
	if t.Percent != nil {
		for _, d := range t.Percent.Of {
			of = append(of, t.dimIndex(d))
		}
	}
	for idx, val := range g.values {
		v := tv.first + idx
		co := g.coords(idx)
		c := Cell{Count: val, Suppressed: s.unknown[v], Reason: b.reason[v]}
		for d, x := range co {
			if x == g.sizes[d] {
				c.Key = append(c.Key, Total)
			} else {
				c.Key = append(c.Key, t.Dims[d].Categories[x])
			}
		}
		if t.Percent != nil {
			dc := slices.Clone(g.sizes)
			for _, d := range of {
				dc[d] = co[d]
			}
			di := g.index(dc)
			c.Denominator = g.values[di]
			if !c.Suppressed && !s.unknown[tv.first+di] && c.Denominator > 0 {
				c.HasPercent = true
				c.Percent = 100 * float64(val) / float64(c.Denominator)
				c.Unstable = c.Denominator < b.p.UnstableBelow
			}
		}
		out.Cells = append(out.Cells, c)
	}
	return out
}

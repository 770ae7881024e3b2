package disclosure

// grid is a table with its margins: every cell of the table and every
// partial or grand total, addressed by one coordinate per dimension, where
// coordinate len(categories) stands for Total.
type grid struct {
	sizes   []int // categories per dimension
	strides []int // of the full grid, margins included
	values  []int64
}

func newGrid(t *Table) *grid {
	g := &grid{sizes: make([]int, len(t.Dims)), strides: make([]int, len(t.Dims))}
	full := 1
	for i := len(t.Dims) - 1; i >= 0; i-- {
		g.sizes[i] = len(t.Dims[i].Categories)
		g.strides[i] = full
		full *= g.sizes[i] + 1
	}
	g.values = make([]int64, full)
	coords := make([]int, len(g.sizes))
	subsets := 1 << len(g.sizes)
	for _, c := range t.Counts {
		// Add the interior cell to itself and to every margin above it.
		for s := 0; s < subsets; s++ {
			idx := 0
			for d, x := range coords {
				if s&(1<<d) != 0 {
					x = g.sizes[d]
				}
				idx += x * g.strides[d]
			}
			g.values[idx] += c
		}
		for d := len(coords) - 1; d >= 0; d-- {
			coords[d]++
			if coords[d] < g.sizes[d] {
				break
			}
			coords[d] = 0
		}
	}
	return g
}

// coords returns the coordinates of the full index idx.
func (g *grid) coords(idx int) []int {
	c := make([]int, len(g.sizes))
	for d := range c {
		c[d] = idx / g.strides[d]
		idx %= g.strides[d]
	}
	return c
}

func (g *grid) index(c []int) int {
	idx := 0
	for d, x := range c {
		idx += x * g.strides[d]
	}
	return idx
}

func (g *grid) isMargin(idx int) bool {
	for d, x := range g.coords(idx) {
		if x == g.sizes[d] {
			return true
		}
	}
	return false
}

// equations returns, for every margin cell and every dimension it totals,
// the equation margin = Σ of the cells one level below it along that
// dimension, as lists of full indices (the margin first).
func (g *grid) equations() [][]int {
	var eqs [][]int
	for idx := range g.values {
		c := g.coords(idx)
		for d, x := range c {
			if x != g.sizes[d] {
				continue
			}
			eq := []int{idx}
			for k := 0; k < g.sizes[d]; k++ {
				eq = append(eq, idx-(g.sizes[d]-k)*g.strides[d])
			}
			eqs = append(eqs, eq)
		}
	}
	return eqs
}

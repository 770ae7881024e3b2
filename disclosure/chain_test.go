package disclosure

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/amparo-project/amparo/internal/testenv"
)

// grow returns rel a period later: the first table's cells grown by small
// and large counts, a linked table's first column grown to keep the shared
// margin equal.
func grow(rng *rand.Rand, rel Release) Release {
	next := Release{Links: rel.Links, Subsets: rel.Subsets}
	for _, tb := range rel.Tables {
		tb.Counts = append([]int64(nil), tb.Counts...)
		next.Tables = append(next.Tables, tb)
	}
	t0 := &next.Tables[0]
	for c := range t0.Counts {
		t0.Counts[c] += []int64{0, 0, 1, 2, 3, 5, 12, 20}[rng.IntN(8)]
	}
	if len(rel.Links) > 0 {
		g0, g1 := newGrid(&rel.Tables[0]), newGrid(t0)
		t2 := &next.Tables[1]
		for c := range rel.Tables[0].Dims[0].Categories {
			co := append([]int{c}, g0.sizes[1:]...)
			t2.Counts[2*c] += g1.values[g1.index(co)] - g0.values[g0.index(co)]
		}
	}
	return next // a subset keeps its counts: still under its outer table
}

// TestProtect_PropertyChain: over random chains of three and four
// cumulative releases, each checked against the one before, an attacker
// holding every published release of the chain (each cumulative count can
// only grow from one to the next) recovers no suppressed cell of any, and
// cannot show any small change between any two of them, not only
// consecutive ones, to be under k.
func TestProtect_PropertyChain(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 2026))
	inconclusive, searches := 0, 0
	defer func() { reportInconclusive(t, inconclusive, searches) }()
	chains := 60
	if !testenv.CI() {
		chains = 15 // the first 15 of CI's 60: a developer's go test ./... does not wait on the rest
		t.Logf("sampled %d of 60 chains (CI=true runs all)", chains)
	}
	for i := range chains {
		p := randomPolicy(rng)
		k := p.withDefaults().MinCount
		rel := randomRelease(rng, k)
		for j := range rel.Tables {
			rel.Tables[j].Cumulative = true
		}
		n := 3 + rng.IntN(2)
		var chain []*Result
		var prev *Result
		for step := range n {
			if step > 0 {
				rel = grow(rng, rel)
			}
			res, err := Protect(rel, p, prev)
			if err != nil {
				t.Fatalf("chain %d, release %d: %v", i, step, err)
			}
			checkPublished(t, res, p)
			if step > 0 && (res.Earlier != prev || res.Public().Earlier != nil) {
				t.Fatalf("chain %d, release %d: Earlier is not the previous release, or Public keeps it", i, step)
			}
			chain = append(chain, res)
			prev = res
		}
		last := chain[len(chain)-1]
		o := newOracle(last)
		tag := func(step int) string { return fmt.Sprintf("r%d", step) }
		for step, res := range chain {
			o.addRelease(tag(step), res.Public(), res)
			if step > 0 {
				o.addGrowth(res, tag(step-1), tag(step))
			}
		}
		var leaks []string
		for step := range chain {
			leaks = append(leaks, o.leaks(k, tag(step))...)
		}
		var pairs [][2]string
		for a := range chain {
			for b := a + 1; b < len(chain); b++ {
				for _, tb := range last.Tables {
					for _, c := range tb.Cells {
						pairs = append(pairs, [2]string{cellName(tag(b), tb.Name, c.Key), cellName(tag(a), tb.Name, c.Key)})
					}
				}
			}
		}
		leaks = append(leaks, o.differenceLeaks(k, pairs)...)
		inconclusive, searches = inconclusive+o.Inconclusive, searches+o.Searches
		if len(leaks) > 0 {
			t.Errorf("chain %d (k=%d, %d releases): %v", i, k, n, leaks)
		}
	}
}

package disclosure

import (
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"testing"
)

// councilRelease is a quarterly release of the council's size: 30 tables,
// most 60 (organizations) × 10 (language, priority group...), some smaller,
// every table's organization margin linked to the first's, and cumulative.
var benchTables = envInt("DISCLOSURE_BENCH_TABLES", 30)

func councilRelease(rng *rand.Rand, growth []int64) Release {
	orgs := Dimension{Name: "organization"}
	for i := range 60 {
		orgs.Categories = append(orgs.Categories, fmt.Sprintf("org%02d", i))
	}
	orgTotals := make([]int64, 60)
	for i := range orgTotals {
		orgTotals[i] = 20 + rng.Int64N(400) + growth[i]
	}
	var r Release
	for ti := range benchTables {
		cols := 10
		if ti%3 == 2 {
			cols = 4
		}
		d := Dimension{Name: fmt.Sprintf("by%d", ti)}
		for c := range cols {
			d.Categories = append(d.Categories, fmt.Sprintf("c%d", c))
		}
		t := Table{Name: fmt.Sprintf("table%02d", ti), Dims: []Dimension{orgs, d}, Cumulative: true}
		if ti%2 == 0 {
			t.Percent = &PercentOf{Of: []string{"organization"}}
		}
		for _, tot := range orgTotals {
			// split tot over the columns, skewed so that small cells occur
			left := tot
			for c := range cols {
				x := left
				if c < cols-1 {
					x = rng.Int64N(left/2 + 1)
				}
				t.Counts = append(t.Counts, x)
				left -= x
			}
		}
		r.Tables = append(r.Tables, t)
		if ti > 0 {
			r.Links = append(r.Links, Link{A: "table00", B: t.Name, Dims: []string{"organization"}})
		}
	}
	return r
}

// BenchmarkProtect_QuarterlyRelease: suppression and audit of a whole
// council release (30 tables, up to 60×10 cells), then of the next quarter
// checked against it. The budget for the whole release, queries
// included, is 5 s.
func BenchmarkProtect_QuarterlyRelease(b *testing.B) {
	rng := rand.New(rand.NewPCG(30, 60))
	rel := councilRelease(rng, make([]int64, 60))
	var res *Result
	for b.Loop() {
		var err error
		if res, err = Protect(rel, Policy{}, nil); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(res.Audit.Cells), "cells")
	b.ReportMetric(float64(res.Audit.Primary), "primary")
	b.ReportMetric(float64(res.Audit.Complementary), "complementary")
	b.ReportMetric(float64(res.Audit.LinearPrograms), "LPs")
}

// nextQuarter is rel a quarter later: each organization grew by a few
// people, spread over each table's columns the same way (so the tables stay
// linked), mostly by small counts: the changes 1..k−1 the previous release
// check must catch.
func nextQuarter(rng *rand.Rand, rel Release) Release {
	next := Release{Links: rel.Links, Subsets: rel.Subsets}
	growth := make([]int64, 60)
	for i := range growth {
		growth[i] = rng.Int64N(40)
	}
	for _, t := range rel.Tables {
		cols := len(t.Dims[1].Categories)
		t.Counts = append([]int64(nil), t.Counts...)
		for o, g := range growth {
			left := g
			for c := range cols {
				x := left
				if c < cols-1 {
					x = rng.Int64N(left/2 + 1)
				}
				t.Counts[o*cols+c] += x
				left -= x
			}
		}
		next.Tables = append(next.Tables, t)
	}
	return next
}

// BenchmarkProtect_QuarterlyReleaseWithPrevious: the next quarter of a
// council release, cumulative, checked against the previous one (itself
// protected, outside the timing). The budget for the whole release
// is 5 s.
func BenchmarkProtect_QuarterlyReleaseWithPrevious(b *testing.B) {
	rng := rand.New(rand.NewPCG(30, 60))
	rel := councilRelease(rng, make([]int64, 60))
	prev, err := Protect(rel, Policy{}, nil)
	if err != nil {
		b.Fatal(err)
	}
	next := nextQuarter(rng, rel)
	var res *Result
	for b.Loop() {
		if res, err = Protect(next, Policy{}, prev); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(res.Audit.Cells), "cells")
	b.ReportMetric(float64(res.Audit.Primary), "primary")
	b.ReportMetric(float64(res.Audit.Complementary), "complementary")
	b.ReportMetric(float64(res.Audit.LinearPrograms), "LPs")
}

func envInt(name string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(name)); err == nil && n > 0 {
		return n
	}
	return def
}

package matching

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// bigProblem is the figure: 20,000 waitlisted applicants and 1,000
// members, with a city's mix — most speak Spanish or English, a long tail of
// other languages; each member serves a few of 30 areas — 40 distinct
// priority weights, 500 conflicts and about 8,000 open places.
func bigProblem() Problem {
	rng := rand.New(rand.NewPCG(20000, 1000))
	langs := []string{"es", "en", "ht", "zh", "ko", "tl", "vi", "ar", "ru", "fa", "mam", "so"}
	pick := func() string { // Spanish 55%, English 15%, the rest shared
		switch r := rng.IntN(100); {
		case r < 55:
			return "es"
		case r < 70:
			return "en"
		default:
			return langs[2+rng.IntN(len(langs)-2)]
		}
	}
	area := func() string { return fmt.Sprintf("area-%02d", rng.IntN(30)) }
	var p Problem
	for i := range 20_000 {
		p.Applicants = append(p.Applicants, Applicant{
			ID: fmt.Sprintf("a%05d", i), Weight: int64(1 + rng.IntN(40)),
			Language: pick(), InterpreterOK: rng.IntN(4) == 0, Area: area(),
		})
	}
	for j := range 1_000 {
		m := Member{ID: fmt.Sprintf("m%04d", j), OrgID: fmt.Sprintf("org-%02d", j%60), Capacity: 4 + rng.IntN(9), Interpreter: rng.IntN(3) == 0}
		m.Languages = []string{"en"}
		if rng.IntN(10) < 7 {
			m.Languages = append(m.Languages, "es")
		}
		if rng.IntN(3) == 0 {
			m.Languages = append(m.Languages, langs[2+rng.IntN(len(langs)-2)])
		}
		for range 2 + rng.IntN(4) {
			m.Areas = append(m.Areas, area())
		}
		p.Members = append(p.Members, m)
	}
	for range 500 {
		p.Conflicts = append(p.Conflicts, Conflict{p.Applicants[rng.IntN(20_000)].ID, p.Members[rng.IntN(1_000)].ID})
	}
	p.OrgCapacity = map[string]int{"org-00": 20, "org-01": 10}
	return p
}

func BenchmarkPropose(b *testing.B) {
	p := bigProblem()
	b.ReportAllocs()
	var out *Proposal
	for b.Loop() {
		var err error
		if out, err = Propose(p); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(out.Served), "served")
}

// TestPropose_Large checks the large proposal against every constraint
// and against greedy; how long it takes is BenchmarkPropose's to say (no
// test asserts time).
func TestPropose_Large(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	p := bigProblem()
	out, err := Propose(p)
	if err != nil {
		t.Fatal(err)
	}
	check(t, p, out)
	g := greedy(p)
	if g > out.Weight {
		t.Errorf("greedy %d beats Propose %d", g, out.Weight)
	}
	t.Logf("served %d of %d, weight %d (greedy %d), %d without interpreter", out.Served, len(p.Applicants), out.Weight, g, out.Native)
}

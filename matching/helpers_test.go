package matching

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
)

// check verifies that a proposal respects every constraint of p and that its
// totals are right; it returns the matches by applicant.
func check(t testing.TB, p Problem, out *Proposal) map[string]string {
	t.Helper()
	apps := map[string]Applicant{}
	for _, a := range p.Applicants {
		apps[a.ID] = a
	}
	mems := map[string]Member{}
	for _, m := range p.Members {
		mems[m.ID] = m
	}
	conflict := map[Conflict]bool{}
	for _, c := range p.Conflicts {
		conflict[c] = true
	}
	got := map[string]string{}
	load := map[string]int{}
	orgLoad := map[string]int{}
	var weight int64
	native := 0
	for _, m := range out.Matches {
		a, okA := apps[m.ApplicantID]
		mem, okM := mems[m.MemberID]
		if !okA || !okM {
			t.Fatalf("match %+v names unknown people", m)
		}
		if _, dup := got[a.ID]; dup {
			t.Fatalf("%s matched twice", a.ID)
		}
		got[a.ID] = mem.ID
		speaks := slices.Contains(mem.Languages, a.Language)
		if !speaks && !(a.InterpreterOK && mem.Interpreter) {
			t.Fatalf("%s matched with %s: no common language", a.ID, mem.ID)
		}
		if m.Interpreter == speaks {
			t.Fatalf("%s with %s: interpreter flag %v", a.ID, mem.ID, m.Interpreter)
		}
		if !slices.Contains(mem.Areas, a.Area) && !slices.Contains(mem.Areas, "*") {
			t.Fatalf("%s matched with %s, who does not serve %s", a.ID, mem.ID, a.Area)
		}
		if conflict[Conflict{a.ID, mem.ID}] {
			t.Fatalf("%s matched with %s despite a conflict", a.ID, mem.ID)
		}
		if len(m.Why) == 0 {
			t.Fatalf("match %+v says nothing", m)
		}
		load[mem.ID]++
		orgLoad[mem.OrgID]++
		weight += a.Weight
		if speaks {
			native++
		}
	}
	for id, n := range load {
		if n > mems[id].Capacity {
			t.Fatalf("member %s has %d matches, capacity %d", id, n, mems[id].Capacity)
		}
	}
	for org, n := range orgLoad {
		if c, ok := p.OrgCapacity[org]; ok && n > c {
			t.Fatalf("organization %s has %d matches, capacity %d", org, n, c)
		}
	}
	if p.Limit > 0 && len(out.Matches) > p.Limit {
		t.Fatalf("%d matches, limit %d", len(out.Matches), p.Limit)
	}
	if len(out.Matches)+len(out.Waiting) != len(p.Applicants) || out.Served != len(out.Matches) || out.Weight != weight || out.Native != native {
		t.Fatalf("totals wrong: %d matches, %d waiting, served %d, weight %d (counted %d), native %d (counted %d)",
			len(out.Matches), len(out.Waiting), out.Served, out.Weight, weight, out.Native, native)
	}
	for _, w := range out.Waiting {
		if w.Why.Key == "" {
			t.Fatalf("%s waits without a reason", w.ApplicantID)
		}
	}
	return got
}

// randomProblem makes a fictional round: na applicants, nm members, with
// few languages and areas so that people compete for the same members.
func randomProblem(rng *rand.Rand, na, nm, nLang, nArea, maxCap int, conflicts int) Problem {
	langs := []string{"es", "en", "ht", "zh", "ko", "tl", "vi", "ar", "ru", "fa", "mam", "so"}[:nLang]
	var p Problem
	for i := range na {
		p.Applicants = append(p.Applicants, Applicant{
			ID:            fmt.Sprintf("a%d", i),
			Weight:        int64(1 + rng.IntN(10)),
			Language:      langs[rng.IntN(len(langs))],
			InterpreterOK: rng.IntN(3) == 0,
			Area:          fmt.Sprintf("area-%d", rng.IntN(nArea)),
		})
	}
	for j := range nm {
		m := Member{ID: fmt.Sprintf("m%d", j), OrgID: fmt.Sprintf("org-%d", rng.IntN(max(1, nm/3))), Capacity: rng.IntN(maxCap + 1), Interpreter: rng.IntN(3) == 0}
		for _, l := range langs {
			if rng.IntN(3) == 0 {
				m.Languages = append(m.Languages, l)
			}
		}
		if len(m.Languages) == 0 {
			m.Languages = []string{langs[rng.IntN(len(langs))]}
		}
		if rng.IntN(8) == 0 {
			m.Areas = []string{"*"}
		} else {
			for a := range nArea {
				if rng.IntN(2) == 0 {
					m.Areas = append(m.Areas, fmt.Sprintf("area-%d", a))
				}
			}
		}
		p.Members = append(p.Members, m)
	}
	for range conflicts {
		p.Conflicts = append(p.Conflicts, Conflict{p.Applicants[rng.IntN(na)].ID, p.Members[rng.IntN(nm)].ID})
	}
	return p
}

// greedy is first-fit in priority order: what a person with a spreadsheet
// would do, and what Propose must never do worse than.
func greedy(p Problem) (weight int64) {
	order := make([]int, len(p.Applicants))
	for i := range order {
		order[i] = i
	}
	// Stable sort by weight, highest first.
	for i := 1; i < len(order); i++ {
		for j := i; j > 0 && p.Applicants[order[j]].Weight > p.Applicants[order[j-1]].Weight; j-- {
			order[j], order[j-1] = order[j-1], order[j]
		}
	}
	conflict := map[Conflict]bool{}
	for _, c := range p.Conflicts {
		conflict[c] = true
	}
	load := make([]int, len(p.Members))
	orgLoad := map[string]int{}
	served := 0
	for _, i := range order {
		a := p.Applicants[i]
		if p.Limit > 0 && served >= p.Limit {
			break
		}
		for j, m := range p.Members {
			oc, bounded := p.OrgCapacity[m.OrgID]
			if load[j] >= m.Capacity || (bounded && orgLoad[m.OrgID] >= oc) || conflict[Conflict{a.ID, m.ID}] ||
				!(slices.Contains(m.Areas, a.Area) || slices.Contains(m.Areas, "*")) ||
				!(slices.Contains(m.Languages, a.Language) || (a.InterpreterOK && m.Interpreter)) {
				continue
			}
			load[j]++
			orgLoad[m.OrgID]++
			served++
			weight += a.Weight
			break
		}
	}
	return weight
}

// bruteForce tries every assignment and returns the best (weight, native)
// pair, weight first.
func bruteForce(p Problem) (bestW int64, bestN int) {
	conflict := map[Conflict]bool{}
	for _, c := range p.Conflicts {
		conflict[c] = true
	}
	// options[i]: member indexes applicant i may go to.
	options := make([][]int, len(p.Applicants))
	for i, a := range p.Applicants {
		for j, m := range p.Members {
			if !conflict[Conflict{a.ID, m.ID}] && (slices.Contains(m.Areas, a.Area) || slices.Contains(m.Areas, "*")) &&
				(slices.Contains(m.Languages, a.Language) || (a.InterpreterOK && m.Interpreter)) {
				options[i] = append(options[i], j)
			}
		}
	}
	load := make([]int, len(p.Members))
	orgLoad := map[string]int{}
	bestW, bestN = -1, -1
	var rec func(i, served int, w int64, nat int)
	rec = func(i, served int, w int64, nat int) {
		if i == len(p.Applicants) {
			if w > bestW || (w == bestW && nat > bestN) {
				bestW, bestN = w, nat
			}
			return
		}
		rec(i+1, served, w, nat) // i waits
		if p.Limit > 0 && served >= p.Limit {
			return
		}
		a := p.Applicants[i]
		for _, j := range options[i] {
			m := p.Members[j]
			oc, bounded := p.OrgCapacity[m.OrgID]
			if load[j] >= m.Capacity || (bounded && orgLoad[m.OrgID] >= oc) {
				continue
			}
			load[j]++
			orgLoad[m.OrgID]++
			n := nat
			if slices.Contains(m.Languages, a.Language) {
				n++
			}
			rec(i+1, served+1, w+a.Weight, n)
			load[j]--
			orgLoad[m.OrgID]--
		}
	}
	rec(0, 0, 0, 0)
	return bestW, bestN
}

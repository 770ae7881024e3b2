package matching

import (
	"fmt"
	"slices"
	"strings"
)

// Applicant is a person on the waitlist, as matching sees them.
type Applicant struct {
	ID            string
	Weight        int64  // priority weight, 1 to MaxWeight: the higher, the more it counts to serve them
	Language      string // preferred language, e.g. "es"
	InterpreterOK bool   // accepts working through an interpreter
	Area          string // where they live, as the program names areas (city, county or ZIP code)
}

// Member is an attorney or accredited representative who can take clients.
type Member struct {
	ID          string
	OrgID       string
	Languages   []string
	Interpreter bool     // works through an interpreter the organization provides
	Areas       []string // areas served; "*" serves every area
	Capacity    int      // clients the member can take on now
}

// Conflict records that an applicant may not be matched with a member (for
// example: the member's organization represents an adverse party).
type Conflict struct {
	ApplicantID, MemberID string
}

// Problem is one round of matching.
type Problem struct {
	// Applicants in queue order: between people of equal weight and the same
	// options, the earlier one is proposed first.
	Applicants []Applicant
	Members    []Member
	Conflicts  []Conflict
	// OrgCapacity optionally bounds the clients an organization takes on in
	// this round, across its members; organizations not named are bounded by
	// their members only.
	OrgCapacity map[string]int
	// Limit, when positive, bounds the number of matches (e.g. the letters the
	// program has left).
	Limit int
}

// MaxWeight bounds priority weights so that sums cannot overflow.
const MaxWeight = 1 << 30

// Match is one proposed assignment and why it was proposed.
type Match struct {
	ApplicantID string
	MemberID    string
	Interpreter bool     // the member does not speak the applicant's language
	Why         []Reason // for the member and the program office
}

// Waiting is an applicant the proposal leaves on the waitlist, and why.
type Waiting struct {
	ApplicantID string
	Why         Reason
}

// Proposal is the result of one round: the matches, in the applicants'
// order, everyone left waiting, and what the proposal achieves.
type Proposal struct {
	Matches []Match
	Waiting []Waiting
	Served  int
	Weight  int64 // total priority weight served: no proposal that respects the constraints serves more
	Native  int   // matches without an interpreter; the most possible at that weight
}

// Propose finds, among all assignments that respect language, area,
// capacity and conflicts, one that serves the greatest total priority weight;
// among those, one with the fewest interpreted matches; among those, earlier
// applicants before later ones of equal weight and options.
func Propose(p Problem) (*Proposal, error) {
	return propose(p, true)
}

// propose without grouping gives every applicant a class of their own: the
// tests check that grouping changes nothing.
func propose(p Problem, group bool) (*Proposal, error) {
	if err := p.validate(); err != nil {
		return nil, err
	}
	n := len(p.Applicants)
	conflicted := map[string]map[string]bool{} // applicant -> members
	for _, c := range p.Conflicts {
		if conflicted[c.ApplicantID] == nil {
			conflicted[c.ApplicantID] = map[string]bool{}
		}
		conflicted[c.ApplicantID][c.MemberID] = true
	}

	// Classes: applicants whose options are identical.
	type classKey struct {
		lang, area, conflictOf string
		interp                 bool
	}
	var classes []*class
	byKey := map[classKey]*class{}
	classOf := make([]*class, n)
	for i, a := range p.Applicants {
		k := classKey{lang: a.Language, area: a.Area, interp: a.InterpreterOK}
		if conflicted[a.ID] != nil || !group {
			k.conflictOf = a.ID
		}
		c := byKey[k]
		if c == nil {
			c = &class{lang: a.Language, area: a.Area, interp: a.InterpreterOK, conflicts: conflicted[a.ID]}
			byKey[k] = c
			classes = append(classes, c)
		}
		c.members = append(c.members, i)
		classOf[i] = c
	}

	// Which members each class may use.
	speaks := make([]map[string]bool, len(p.Members))
	serves := make([]map[string]bool, len(p.Members))
	for j, m := range p.Members {
		speaks[j], serves[j] = set(m.Languages), set(m.Areas)
	}
	for _, c := range classes {
		for j, m := range p.Members {
			if c.conflicts[m.ID] || !(serves[j][c.area] || serves[j]["*"]) {
				continue
			}
			native := speaks[j][c.lang]
			if native || (c.interp && m.Interpreter) {
				c.options = append(c.options, option{member: j, native: native})
			}
		}
	}

	// The network: S -> s -> weight levels of each class -> members ->
	// organizations (when bounded) -> t, numbered in that order.
	orgs := map[string]int{}
	var orgIDs []string
	for _, m := range p.Members {
		if _, bounded := p.OrgCapacity[m.OrgID]; bounded {
			if _, ok := orgs[m.OrgID]; !ok {
				orgs[m.OrgID] = len(orgIDs)
				orgIDs = append(orgIDs, m.OrgID)
			}
		}
	}
	const S, s = 0, 1
	classBase := 2
	memberBase := classBase + len(classes)
	orgBase := memberBase + len(p.Members)
	t := orgBase + len(orgIDs)
	g := newGraph(t + 1)
	limit := int64(n)
	if p.Limit > 0 && int64(p.Limit) < limit {
		limit = int64(p.Limit)
	}
	g.addEdge(S, s, limit, 0)
	// A unit of weight must outweigh every interpreter avoided.
	scale := int64(n) + 1
	for ci, c := range classes {
		// Weight levels, highest first, each with its applicants in queue order.
		slices.SortStableFunc(c.members, func(x, y int) int {
			wx, wy := p.Applicants[x].Weight, p.Applicants[y].Weight
			switch {
			case wx > wy:
				return -1
			case wx < wy:
				return 1
			}
			return x - y
		})
		for i := 0; i < len(c.members); {
			w := p.Applicants[c.members[i]].Weight
			j := i
			for j < len(c.members) && p.Applicants[c.members[j]].Weight == w {
				j++
			}
			if len(c.options) > 0 {
				c.levels = append(c.levels, level{edge: g.addEdge(s, classBase+ci, int64(j-i), -w*scale), from: i, to: j})
			}
			i = j
		}
		for k := range c.options {
			o := &c.options[k]
			cost := int64(0)
			if o.native {
				cost = -1
			}
			o.edge = g.addEdge(classBase+ci, memberBase+o.member, int64(len(c.members)), cost)
		}
	}
	for j, m := range p.Members {
		if oi, ok := orgs[m.OrgID]; ok {
			g.addEdge(memberBase+j, orgBase+oi, int64(m.Capacity), 0)
		} else {
			g.addEdge(memberBase+j, t, int64(m.Capacity), 0)
		}
	}
	for oi, id := range orgIDs {
		g.addEdge(orgBase+oi, t, int64(p.OrgCapacity[id]), 0)
	}

	minCostFlow(g, S, t)

	// Read the flow back: who in each class is served, and by whom.
	matchOf := make([]int, n) // member index, or -1
	interp := make([]bool, n)
	for i := range matchOf {
		matchOf[i] = -1
	}
	used := make([]int, len(p.Members))
	for _, c := range classes {
		var served []int
		for _, l := range c.levels {
			k := int(g.flow(l.edge))
			served = append(served, c.members[l.from:l.from+k]...)
		}
		slices.Sort(served) // queue order
		next := 0
		for _, o := range c.options {
			for k := g.flow(o.edge); k > 0; k-- {
				i := served[next]
				next++
				matchOf[i], interp[i] = o.member, !o.native
				used[o.member]++
			}
		}
	}

	out := &Proposal{}
	orgUsed := map[string]int{}
	for i, j := range matchOf {
		if j >= 0 {
			out.Served++
			out.Weight += p.Applicants[i].Weight
			if !interp[i] {
				out.Native++
			}
			orgUsed[p.Members[j].OrgID]++
		}
	}
	for i, a := range p.Applicants {
		j := matchOf[i]
		if j < 0 {
			out.Waiting = append(out.Waiting, Waiting{a.ID, p.whyWaiting(a, classOf[i], used, orgUsed, out.Served, limit)})
			continue
		}
		m := p.Members[j]
		out.Matches = append(out.Matches, Match{ApplicantID: a.ID, MemberID: m.ID, Interpreter: interp[i], Why: whyMatch(a, m, interp[i], used[j])})
	}
	return out, nil
}

type class struct {
	lang, area string
	interp     bool
	conflicts  map[string]bool
	members    []int // applicant indexes
	options    []option
	levels     []level
}

type option struct {
	member int
	native bool
	edge   int
}

// level is one weight within a class: c.members[from:to], and its edge from s.
type level struct {
	edge     int
	from, to int
}

func set(xs []string) map[string]bool {
	m := make(map[string]bool, len(xs))
	for _, x := range xs {
		m[x] = true
	}
	return m
}

func (p *Problem) validate() error {
	var errs []string
	bad := func(format string, args ...any) {
		if len(errs) < 20 {
			errs = append(errs, fmt.Sprintf(format, args...))
		}
	}
	aIDs := map[string]bool{}
	for i, a := range p.Applicants {
		switch {
		case a.ID == "":
			bad("applicant %d: no ID", i+1)
		case aIDs[a.ID]:
			bad("applicant %q appears twice", a.ID)
		}
		aIDs[a.ID] = true
		if a.Weight < 1 || a.Weight > MaxWeight {
			bad("applicant %q: weight %d is not from 1 to %d", a.ID, a.Weight, MaxWeight)
		}
	}
	mIDs := map[string]bool{}
	for i, m := range p.Members {
		switch {
		case m.ID == "":
			bad("member %d: no ID", i+1)
		case mIDs[m.ID]:
			bad("member %q appears twice", m.ID)
		}
		mIDs[m.ID] = true
		if m.Capacity < 0 {
			bad("member %q: negative capacity", m.ID)
		}
	}
	for org, c := range p.OrgCapacity {
		if c < 0 {
			bad("organization %q: negative capacity", org)
		}
	}
	if p.Limit < 0 {
		bad("negative limit")
	}
	if len(errs) > 0 {
		return fmt.Errorf("matching: %s", strings.Join(errs, "; "))
	}
	return nil
}

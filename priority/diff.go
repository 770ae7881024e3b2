package priority

import (
	"sort"

	"github.com/amparo-project/amparo/locale"
)

// Move is one applicant whose place changed between two rankings. A place
// of 0 means not in line (excluded, or not in that ranking at all).
type Move struct {
	ID       string
	From, To int
	FromTier int
	ToTier   int
}

// TierMove counts the people who went from one tier to another (0: no tier;
// -1: not in line).
type TierMove struct {
	From, To int
	Count    int
}

// Change is what a policy change did to the line.
type Change struct {
	Total       int        // people in either ranking
	Moved       int        // people whose place changed (including into or out of line)
	Up, Down    int        // moved forward or back, staying in line
	Joined      int        // in line now, not before (newly ranked or no longer excluded)
	Left        int        // in line before, not now (excluded now, or gone)
	LargestUp   int        // places gained by the one who gained most
	LargestDown int        // places lost by the one who lost most
	Moves       []Move     // every move, largest first, then by new place
	TierMoves   []TierMove // tier to tier, the largest counts first; unchanged tiers not listed
}

// Compare says how the line changed from before to after, e.g. after the
// program office changed the policy and everyone was ranked again.
func Compare(before, after *Ranking) Change {
	var c Change
	ids := make(map[string]struct{}, len(before.index)+len(after.index))
	for id := range before.index {
		ids[id] = struct{}{}
	}
	for id := range after.index {
		ids[id] = struct{}{}
	}
	c.Total = len(ids)
	tiers := map[[2]int]int{}
	tierOf := func(pl Placement, ok bool) int {
		if !ok || pl.Place == 0 {
			return -1
		}
		return pl.Tier
	}
	for id := range ids {
		b, okB := before.Lookup(id)
		a, okA := after.Lookup(id)
		m := Move{ID: id, From: b.Place, To: a.Place, FromTier: tierOf(b, okB), ToTier: tierOf(a, okA)}
		if m.FromTier != m.ToTier {
			tiers[[2]int{m.FromTier, m.ToTier}]++
		}
		if m.From == m.To {
			continue
		}
		c.Moved++
		switch {
		case m.From == 0:
			c.Joined++
		case m.To == 0:
			c.Left++
		case m.To < m.From:
			c.Up++
			c.LargestUp = max(c.LargestUp, m.From-m.To)
		default:
			c.Down++
			c.LargestDown = max(c.LargestDown, m.To-m.From)
		}
		c.Moves = append(c.Moves, m)
	}
	sort.Slice(c.Moves, func(i, j int) bool {
		a, b := c.Moves[i], c.Moves[j]
		if da, db := distance(a), distance(b); da != db {
			return da > db
		}
		if a.To != b.To {
			return a.To != 0 && (b.To == 0 || a.To < b.To)
		}
		return a.ID < b.ID
	})
	for k, n := range tiers {
		c.TierMoves = append(c.TierMoves, TierMove{From: k[0], To: k[1], Count: n})
	}
	sort.Slice(c.TierMoves, func(i, j int) bool {
		a, b := c.TierMoves[i], c.TierMoves[j]
		if a.Count != b.Count {
			return a.Count > b.Count
		}
		if a.From != b.From {
			return a.From < b.From
		}
		return a.To < b.To
	})
	return c
}

// distance ranks moves by size; joining or leaving the line counts as
// the largest.
func distance(m Move) int {
	if m.From == 0 || m.To == 0 {
		return int(^uint(0) >> 1)
	}
	if m.To > m.From {
		return m.To - m.From
	}
	return m.From - m.To
}

// String summarises the change in English words, e.g.
//
//	312 of 1000 people moved: 120 forward (at most 450 places), 190 back
//	(at most 37 places), 2 out of line. By tier: 118 from no tier to tier 1.
func (c Change) String() string { return c.Text(catalog(), "en") }

// Text summarises the change in lang, in the words of cat.
func (c Change) Text(cat *locale.Catalog, lang string) string { return render(cat, lang, c.Messages()) }

// Messages summarises the change as catalog messages ("policy.change.*"),
// one a sentence.
func (c Change) Messages() []Message {
	if c.Moved == 0 && len(c.TierMoves) == 0 {
		return []Message{msg("policy.change.none", c.Total)}
	}
	var parts []any
	if c.Up > 0 {
		parts = append(parts, msg("policy.change.up", c.Up, msg("policy.change.places", c.LargestUp)))
	}
	if c.Down > 0 {
		parts = append(parts, msg("policy.change.down", c.Down, msg("policy.change.places", c.LargestDown)))
	}
	if c.Joined > 0 {
		parts = append(parts, msg("policy.change.joined", c.Joined))
	}
	if c.Left > 0 {
		parts = append(parts, msg("policy.change.left", c.Left))
	}
	moved := msg("policy.change.moved", c.Moved, c.Total)
	out := []Message{msg("policy.change.sentence", moved)}
	if len(parts) > 0 {
		out[0] = msg("policy.change.sentence_detail", moved, list(parts))
	}
	if len(c.TierMoves) > 0 {
		var tm []any
		for _, t := range c.TierMoves {
			tm = append(tm, msg("policy.change.tier_move", t.Count, tierName(t.From), tierName(t.To)))
		}
		out = append(out, msg("policy.change.by_tier", list(tm)))
	}
	return out
}

func tierName(t int) Message {
	switch t {
	case -1:
		return msg("policy.tier.out")
	case 0:
		return msg("policy.tier.none")
	}
	return msg("policy.tier.n", t)
}

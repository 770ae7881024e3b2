package screening

import (
	"cmp"
	"math"
	"slices"
	"strings"
)

// MatchEntry is one company of a registry to screen against: the caller's
// key for it (an entity ID) and its names and identifiers.
type MatchEntry struct {
	Key     string
	Company Company
}

// MatchHit is a registry company a vendor may be: its key, the registry
// name that compared best, and the comparison.
type MatchHit struct {
	Key  string `json:"key"`
	Name string `json:"name"`
	Result
}

// MatchIndex screens vendors against a registry. Only the registry
// companies that share an identifier, a distinctive word (or a word one
// typo away from one), a word written as two, or an acronym with the
// vendor are compared. It also knows how many registry companies use each
// word in their names, and weighs a word the less the more companies use it
// (a word the lists do not call generic, but the registry does). A
// MatchIndex is read-only once built: safe for many goroutines.
type MatchIndex struct {
	entries []parsed
	keys    []string
	names   []nameRef
	post    map[string][]int32 // blocking key → names
	ids     map[CompanyID][]int32
	df      map[string]int // word key → companies that have it in a name
	rare    float64        // up to this many companies, a word weighs fully
	common  float64        // from this many, as little as a generic word
	maxPost int            // blocking keys with more names are not used
}

type nameRef struct{ entry, name int32 }

// NewMatchIndex reads entries once.
func NewMatchIndex(entries []MatchEntry) *MatchIndex {
	x := &MatchIndex{post: map[string][]int32{}, ids: map[CompanyID][]int32{}, df: map[string]int{}}
	for i, e := range entries {
		p := parseCompany(e.Company)
		x.entries = append(x.entries, p)
		x.keys = append(x.keys, e.Key)
		for _, id := range p.ids {
			x.ids[id] = append(x.ids[id], int32(i))
		}
		// A word counts once for a company, whatever its number of
		// names and aliases: "Fisher" in five names of Fisher Sand &
		// Gravel is not common.
		seen := map[string]bool{}
		for j := range p.names {
			for _, w := range p.names[j].Words {
				if !seen[w.Key] {
					seen[w.Key] = true
					x.df[w.Key]++
				}
			}
			ref := int32(len(x.names))
			x.names = append(x.names, nameRef{int32(i), int32(j)})
			for _, k := range blockingKeys(&p.names[j], listWeight) {
				if l := x.post[k]; len(l) == 0 || l[len(l)-1] != ref {
					x.post[k] = append(l, ref)
				}
			}
		}
	}
	n := float64(len(x.entries))
	x.rare = math.Max(2, n/1000)
	x.common = math.Max(x.rare*4, n/20)
	x.maxPost = max(50, len(x.names)/20)
	return x
}

// Len is the number of companies in the index.
func (x *MatchIndex) Len() int { return len(x.entries) }

// weight is a word's weight in this registry: the lists' weight, lowered
// for a word many of its names share.
func (x *MatchIndex) weight(w *NameWord) float64 {
	lw := listWeight(w)
	df := float64(x.df[w.Key])
	if df <= x.rare {
		return lw
	}
	f := 1 - (1-weightGeneric)*math.Log(df/x.rare)/math.Log(x.common/x.rare)
	return math.Min(lw, math.Max(weightGeneric, f))
}

// Screen compares a vendor with the registry and returns the companies
// decided match or possible, best first (ties by key).
func (x *MatchIndex) Screen(vendor Company) []MatchHit {
	v := parseCompany(vendor)
	cand := map[int32]bool{}
	for _, id := range v.ids {
		for _, e := range x.ids[id] {
			cand[e] = true
		}
	}
	for i := range v.names {
		for _, k := range blockingKeys(&v.names[i], x.weight) {
			l := x.post[k]
			if len(l) > x.maxPost {
				continue
			}
			for _, ref := range l {
				cand[x.names[ref].entry] = true
			}
		}
	}
	var hits []MatchHit
	for e := range cand {
		p := x.entries[e]
		// Explained only when shown: most candidates are no match.
		if r, _ := compare(v, p, x.weight, false); r.Decision == MatchNo {
			continue
		}
		r, name := compare(v, p, x.weight, true)
		h := MatchHit{Key: x.keys[e], Result: r}
		if name >= 0 {
			h.Name = p.names[name].Orig
		}
		hits = append(hits, h)
	}
	slices.SortFunc(hits, func(a, b MatchHit) int {
		if c := cmp.Compare(b.Score, a.Score); c != 0 {
			return c
		}
		return strings.Compare(a.Key, b.Key)
	})
	return hits
}

// blockingKeys are the keys under which a name is found: its distinctive
// words and their one-deletion variants (so that a typo still meets),
// adjacent words joined ("Good Will" meets "Goodwill"), the whole name
// as one word ("Tech Corp" meets "TechCorp"), and its acronym.
// Generic words are no keys: nothing is decided on them alone.
func blockingKeys(n *CompanyName, wt weigher) []string {
	var out []string
	ws, _ := splitNumbers(n.Words)
	for i := range ws {
		w := &ws[i]
		if wt(w) >= distinctAt {
			out = append(out, "w:"+w.Key)
			if w.Kind == WordPlain && len(w.Key) >= 5 {
				for j := range len(w.Key) {
					out = append(out, "w:"+w.Key[:j]+w.Key[j+1:])
				}
			}
		}
		joined := w.Text
		for k := i + 1; k < min(i+3, len(ws)); k++ {
			joined += ws[k].Text
			out = append(out, "w:"+stem(joined))
		}
	}
	// The name as one word, with a legal form glued or not: "Tech Corp"
	// meets "TechCorp".
	if n.compact != "" {
		out = append(out, "c:"+n.compact)
		for _, f := range n.formsFolded {
			if f != "" {
				out = append(out, "c:"+n.compact+f)
			}
		}
	}
	if len(ws) >= 2 {
		var first strings.Builder
		for _, w := range ws {
			first.WriteByte(w.Text[0])
		}
		out = append(out, "a:"+first.String())
		for _, lf := range n.LegalForms {
			if folded := strings.Join(words(lf), ""); folded != "" {
				out = append(out, "a:"+first.String()+folded, "a:"+first.String()+folded[:1])
			}
		}
	}
	if len(n.Words) == 1 {
		if w := strings.Join(words(n.Words[0].Orig), ""); len(w) >= minAcronym && len(w) <= maxAcronym {
			out = append(out, "a:"+w)
		}
	}
	return out
}

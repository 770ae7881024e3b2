package names

import (
	"slices"
	"sync"
)

// Index is the blocking keys at work in memory, as a store uses them: the
// tests hold it to what a scan finds, and benchmark it.
// Index finds the people who may be a given person among many, by blocking
// keys: it holds hashed keys and IDs only. Check the candidates it returns
// with Score, on their decrypted names. It is safe for concurrent use.
type Index struct {
	hash Hash

	mu    sync.RWMutex
	ids   []string
	posts map[string][]int32 // hashed key → positions in ids
}

// NewIndex returns an empty index whose keys hash hashes.
func NewIndex(hash Hash) *Index {
	return &Index{hash: hash, posts: make(map[string][]int32)}
}

// Add files person p under id.
func (x *Index) Add(id string, p Person) {
	ks := Keys(p, x.hash)
	x.mu.Lock()
	defer x.mu.Unlock()
	n := int32(len(x.ids))
	x.ids = append(x.ids, id)
	for _, k := range ks {
		x.posts[string(k)] = append(x.posts[string(k)], n)
	}
}

// Len returns the number of people added.
func (x *Index) Len() int {
	x.mu.RLock()
	defer x.mu.RUnlock()
	return len(x.ids)
}

// Candidates returns the IDs of the people that share a blocking key with
// p, those that share most first.
func (x *Index) Candidates(p Person) []string {
	ks := QueryKeys(p, x.hash)
	x.mu.RLock()
	defer x.mu.RUnlock()
	var hits []int32
	for _, k := range ks {
		hits = append(hits, x.posts[string(k)]...)
	}
	slices.Sort(hits)
	type cand struct {
		pos   int32
		count int
	}
	var cs []cand
	for i := 0; i < len(hits); {
		j := i + 1
		for j < len(hits) && hits[j] == hits[i] {
			j++
		}
		cs = append(cs, cand{hits[i], j - i})
		i = j
	}
	slices.SortStableFunc(cs, func(a, b cand) int { return b.count - a.count })
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = x.ids[c.pos]
	}
	return out
}

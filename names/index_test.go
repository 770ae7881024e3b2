package names_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/amparo-project/amparo/internal/testenv"
	"github.com/amparo-project/amparo/names"
	"github.com/amparo-project/amparo/names/namestest"
)

// hmacHash is the production-like hash: HMAC-SHA256 truncated to 16 bytes.
func hmacHash() names.Hash {
	key := []byte("a test key, not a secret")
	return func(k string) []byte {
		m := hmac.New(sha256.New, key)
		m.Write([]byte(k))
		return m.Sum(nil)[:16]
	}
}

// population returns n fictional people, parsed, and their names as typed.
func population(n int, seed uint64) ([]names.Person, []string) {
	pop := namestest.Population(n, seed)
	out, raw := make([]names.Person, n), make([]string, n)
	for i, p := range pop {
		out[i], raw[i] = names.NewPerson(p.Name, p.Birth), p.Name
	}
	return out, raw
}

// TestIndex_FindsWhatScanFinds checks the blocking keys: every person a
// linear scan puts before a reviewer is among the index's candidates.
func TestIndex_FindsWhatScanFinds(t *testing.T) {
	pop, raw := population(5000, 7)
	x := names.NewIndex(hmacHash())
	for i, p := range pop {
		x.Add(fmt.Sprint(i), p)
	}
	r := rand.New(rand.NewPCG(3, 4))
	// Each query is a scan of the whole population: CI runs 150 of them,
	// a developer's go test ./... the first 30 (the same queries).
	queries := 150
	if !testenv.CI() {
		queries = 30
		t.Logf("sampled %d of 150 queries (CI=true runs all)", queries)
	}
	var found, missed, cands int
	for range queries {
		src := pop[r.IntN(len(pop))]
		dob := src.Birth
		if r.IntN(2) == 0 {
			dob = time.Time{}
		}
		qs := namestest.Variant(r, src)
		q := names.NewPerson(qs, dob)
		got := x.Candidates(q)
		cands += len(got)
		for i, p := range pop {
			if names.Score(q, p).Decision == names.NoMatch {
				continue
			}
			if slices.Contains(got, fmt.Sprint(i)) {
				found++
			} else {
				missed++
				t.Errorf("scan finds %q for %q (%.3f), the index does not", raw[i], qs, names.Score(q, p).Score)
			}
		}
	}
	t.Logf("index found %d of the %d people the scan found; %.0f candidates a query on average", found, found+missed, float64(cands)/float64(queries))
}

// TestIndex_FindsLabelledPairs: for every labelled pair that Score puts
// before a reviewer, an index holding one finds it from the other.
func TestIndex_FindsLabelledPairs(t *testing.T) {
	for _, p := range loadPairs(t) {
		if names.Score(p.a, p.b).Decision == names.NoMatch {
			continue
		}
		for _, d := range [][2]names.Person{{p.a, p.b}, {p.b, p.a}} {
			x := names.NewIndex(hmacHash())
			x.Add("b", d[1])
			if len(x.Candidates(d[0])) != 1 {
				t.Errorf("line %d: an index holding %q does not find it from %q", p.line, p.names[1], p.names[0])
			}
		}
	}
}

// BenchmarkConflictCheck checks one name against 200,000 people of one
// organization: through the index then scoring the candidates, and by
// scoring everyone. Both use Score; the queries cycle through common and
// rare names, typos, initials, nicknames and dates of birth. scan reports
// x-indexed: how many times slower it is than indexed in the same run.
func BenchmarkConflictCheck(b *testing.B) {
	pop, _ := population(200000, 42)
	x := names.NewIndex(hmacHash())
	byID := make(map[string]names.Person, len(pop))
	for i, p := range pop {
		id := fmt.Sprint(i)
		x.Add(id, p)
		byID[id] = p
	}
	d := func(s string) time.Time { t, _ := time.Parse("2006-01-02", s); return t }
	queries := []names.Person{
		names.NewPerson("Fernando Peres Noriega", time.Time{}),
		names.NewPerson("GARCIA HERNANDEZ, Jose", d("1980-03-04")),
		names.NewPerson("Maria Gonzales Lopes", time.Time{}),
		names.NewPerson("J. Martinez Rodriguez", time.Time{}),
		names.NewPerson("Guillermo Ramirez", d("1975-11-30")),
		names.NewPerson("Llolanda Ximénez Vázquez", time.Time{}),
		names.NewPerson("Juan Carlos Hernández", time.Time{}),
		names.NewPerson("Pepe Lopez Garcia", time.Time{}),
	}
	var indexed time.Duration
	b.Run("indexed", func(b *testing.B) {
		i, cands := 0, 0
		for b.Loop() {
			q := queries[i%len(queries)]
			i++
			ids := x.Candidates(q)
			cands += len(ids)
			for _, id := range ids {
				names.Score(q, byID[id])
			}
		}
		indexed = b.Elapsed() / time.Duration(b.N)
		b.ReportMetric(float64(cands)/float64(b.N), "candidates/op")
	})
	b.Run("scan", func(b *testing.B) {
		i := 0
		for b.Loop() {
			q := queries[i%len(queries)]
			i++
			for _, p := range pop {
				names.Score(q, p)
			}
		}
		if indexed > 0 {
			// The figure: how many times slower the scan is, in this run.
			b.ReportMetric(float64(b.Elapsed()/time.Duration(b.N))/float64(indexed), "x-indexed")
		}
	})
}

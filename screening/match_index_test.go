package screening_test

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/amparo-project/amparo/screening"
)

// syllables make fictional company words.
var syllables = strings.Fields("ba ko ri ta mel vor qui sal den tro ash lun per gra bel cor fen hal mar nov ost pra ron sil tam ul ver wes zan dor")
var genericTails = []string{"Construction", "Builders", "Group", "Services", "Holdings", "Industries", "Contractors", "Enterprises", "Paving", "Materials", "Engineering", "Constructors"}
var forms = []string{"Inc.", "LLC", "Co.", "Corp.", "Ltd.", "S.A. de C.V.", "S. de R.L.", "L.P.", "", ""}

func word(r *rand.Rand) string {
	var b strings.Builder
	for range 2 + r.IntN(2) {
		b.WriteString(syllables[r.IntN(len(syllables))])
	}
	s := b.String()
	return strings.ToUpper(s[:1]) + s[1:]
}

// registry makes n fictional companies with five names each (a main name,
// spellings of it, a previous name) and, for some, a UEI.
func registry(n int, seed uint64) []screening.MatchEntry {
	r := rand.New(rand.NewPCG(seed, 16))
	out := make([]screening.MatchEntry, n)
	for i := range out {
		a, b, tail := word(r), word(r), genericTails[r.IntN(len(genericTails))]
		main := a + " " + b + " " + tail + " " + forms[r.IntN(len(forms))]
		if r.IntN(3) == 0 {
			main = a + " " + tail + " " + forms[r.IntN(len(forms))]
		}
		c := screening.Company{Names: []string{
			main,
			strings.ToUpper(a + " & " + b + " " + tail),
			a + " " + b + " " + genericTails[r.IntN(len(genericTails))],
			word(r) + " " + a + " " + tail + " " + fmt.Sprint(1+r.IntN(9)),
			word(r) + " " + word(r) + " " + tail,
		}}
		if r.IntN(2) == 0 {
			c.IDs = []screening.CompanyID{{Kind: screening.CompanyUEI, Value: fmt.Sprintf("K%011d", i)}}
		}
		out[i] = screening.MatchEntry{Key: fmt.Sprintf("entity-%05d", i), Company: c}
	}
	return out
}

// vendors makes n vendors: some spell a registry company differently
// (a typo, another legal form), the others are new names.
func vendors(reg []screening.MatchEntry, n int, seed uint64) []screening.Company {
	r := rand.New(rand.NewPCG(seed, 61))
	out := make([]screening.Company, n)
	for i := range out {
		if r.IntN(2) == 0 {
			e := reg[r.IntN(len(reg))]
			name := e.Company.Names[r.IntN(len(e.Company.Names))]
			if r.IntN(2) == 0 && len(name) > 8 {
				k := 1 + r.IntN(len(name)-3)
				name = name[:k] + name[k+1:] // a letter dropped
			}
			out[i] = screening.Company{Names: []string{name + " Incorporated"}}
			continue
		}
		out[i] = screening.Company{Names: []string{word(r) + " " + word(r) + " " + genericTails[r.IntN(len(genericTails))] + " LLC"}}
	}
	return out
}

// TestMatchIndex_FindsWhatComparingAllFinds: the blocking leaves out no
// registry company that comparing the vendor with every one would show.
func TestMatchIndex_FindsWhatComparingAllFinds(t *testing.T) {
	reg := registry(150, 1)
	x := screening.NewMatchIndex(reg)
	found := 0
	for i, v := range vendors(reg, 150, 2) {
		got := map[string]bool{}
		for _, h := range x.Screen(v) {
			got[h.Key] = true
		}
		for _, e := range reg {
			if r := screening.CompareCompanies(v, e.Company); r.Decision == screening.MatchYes && !got[e.Key] {
				t.Errorf("vendor %d %q: %s (%q) decided match alone (%.2f), not found by the index", i, v.Names[0], e.Key, e.Company.Names[0], r.Score)
			}
		}
		found += len(got)
	}
	if found < 50 {
		t.Fatalf("%d hits for 150 vendors, half of them registry spellings: too few", found)
	}
}

// TestMatchIndex_Identifiers: the same identifier finds the company under
// any name; the registry's rarity of words never lets generic words decide.
func TestMatchIndex_Identifiers(t *testing.T) {
	uei, _ := screening.ParseCompanyID(screening.CompanyUEI, "R9T7W2X4Y6Z8")
	other, _ := screening.ParseCompanyID(screening.CompanyUEI, "M3N5P7Q9R2S4")
	x := screening.NewMatchIndex([]screening.MatchEntry{
		{Key: "fisher", Company: screening.Company{Names: []string{"Fisher Sand & Gravel Co.", "FSG"}, IDs: []screening.CompanyID{uei}}},
		{Key: "svc", Company: screening.Company{Names: []string{"Southwest Valley Constructors Co."}}},
		{Key: "generic", Company: screening.Company{Names: []string{"General Construction Services Group"}}},
		{Key: "bfbc", Company: screening.Company{Names: []string{"Barnard Fisher Border Constructors JV", "BFBC LLC"}}},
	})
	hits := x.Screen(screening.Company{Names: []string{"Tierra Roja Materials"}, IDs: []screening.CompanyID{uei}})
	if len(hits) != 1 || hits[0].Key != "fisher" || hits[0].Decision != screening.MatchYes || hits[0].Features[0].Key != "screen.match.id_same.uei" {
		t.Fatalf("same UEI: %+v", hits)
	}
	hits = x.Screen(screening.Company{Names: []string{"FISHER SAND AND GRAVEL COMPANY"}, IDs: []screening.CompanyID{other}})
	if len(hits) != 1 || hits[0].Decision != screening.MatchPossible {
		t.Fatalf("same name, another UEI: want a possible match for review, got %+v", hits)
	}
	if !slices.ContainsFunc(hits[0].Features, func(f screening.Feature) bool { return f.Key == "screen.match.id_conflict.uei" && f.Weight < 0 }) {
		t.Errorf("another UEI does not count against: %+v", hits[0].Features)
	}
	for _, name := range []string{"General Construction Services", "Southwest Border Constructors", "Construction Group Inc."} {
		if hits := x.Screen(screening.Company{Names: []string{name}}); len(hits) > 0 {
			t.Errorf("%q shares only generic words, and hit %+v", name, hits)
		}
	}
	if hits := x.Screen(screening.Company{Names: []string{"Barnard Fisher Border Constructors"}}); len(hits) != 1 || hits[0].Key != "bfbc" {
		t.Errorf("the JV by its name: %+v", hits)
	}
}

// BenchmarkScreenMatch screens vendors one by one against 2,000 companies
// with 5 names each (10,000 names), and reports the 95th percentile.
func BenchmarkScreenMatch(b *testing.B) {
	reg := registry(2000, 7)
	x := screening.NewMatchIndex(reg)
	vs := vendors(reg, 1000, 8)
	var times []time.Duration
	hits := 0
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		start := time.Now()
		hits += len(x.Screen(vs[i%len(vs)]))
		times = append(times, time.Since(start))
	}
	b.StopTimer()
	slices.Sort(times)
	b.ReportMetric(float64(times[len(times)*95/100].Microseconds())/1000, "p95-ms")
	b.ReportMetric(float64(hits)/float64(len(times)), "hits/vendor")
}

// BenchmarkNewMatchIndex builds the index of 10,000 names.
func BenchmarkNewMatchIndex(b *testing.B) {
	reg := registry(2000, 7)
	for b.Loop() {
		screening.NewMatchIndex(reg)
	}
}

// TestMatchIndex_JoinedAliasScript: the index finds a name written as one
// word, a name given after "d/b/a", and a name in Cyrillic, as comparing
// finds them.
func TestMatchIndex_JoinedAliasScript(t *testing.T) {
	x := screening.NewMatchIndex([]screening.MatchEntry{
		{Key: "saguaro", Company: screening.Company{Names: []string{"SaguaroCorp"}}},
		{Key: "quetzal", Company: screening.Company{Names: []string{"Ibarra Holdings d/b/a Quetzal Paving"}}},
		{Key: "kestrel", Company: screening.Company{Names: []string{"ООО Кестрел"}}},
		{Key: "other", Company: screening.Company{Names: []string{"Tamarack Mechanical Inc."}}},
	})
	for _, c := range []struct{ vendor, want string }{
		{"Saguaro Corp.", "saguaro"},
		{"Quetzal Paving LLC", "quetzal"},
		{"Kestrel LLC", "kestrel"},
	} {
		hits := x.Screen(screening.Company{Names: []string{c.vendor}})
		if len(hits) != 1 || hits[0].Key != c.want || hits[0].Decision != screening.MatchYes {
			t.Errorf("%q: %+v; want %s, a match", c.vendor, hits, c.want)
		}
	}
}

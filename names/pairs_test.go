package names_test

import (
	"encoding/csv"
	"math/rand/v2"
	"os"
	"testing"
	"time"

	"github.com/amparo-project/amparo/names"
	"github.com/amparo-project/amparo/names/namestest"
)

// pair is one row of testdata/pairs.csv: two people and whether a reviewer
// should see them as the same person.
type pair struct {
	line  int
	a, b  names.Person
	same  bool
	note  string
	names [2]string
}

func loadPairs(t testing.TB) []pair {
	t.Helper()
	f, err := os.Open("testdata/pairs.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	date := func(s string) time.Time {
		if s == "" {
			return time.Time{}
		}
		d, err := time.Parse("2006-01-02", s)
		if err != nil {
			t.Fatalf("pairs.csv: %v", err)
		}
		return d
	}
	var out []pair
	for i, r := range rows[1:] {
		if r[4] != "match" && r[4] != "no_match" {
			t.Fatalf("pairs.csv line %d: label %q", i+2, r[4])
		}
		out = append(out, pair{line: i + 2, a: names.NewPerson(r[0], date(r[1])), b: names.NewPerson(r[2], date(r[3])),
			same: r[4] == "match", note: r[5], names: [2]string{r[0], r[2]}})
	}
	return out
}

// TestScore_LabelledPairs measures Score on testdata/pairs.csv. A pair is
// predicted the same person when the decision is Match or Possible: both
// put the pair before a reviewer. Precision is the share of predicted pairs
// that are labelled match; recall the share of match pairs predicted. Both
// must be at least 0.95, and the result must not depend on the order of
// the two names.
func TestScore_LabelledPairs(t *testing.T) {
	pairs := loadPairs(t)
	if len(pairs) < 300 {
		t.Fatalf("%d pairs, want at least 300", len(pairs))
	}
	var tp, fp, fn, tn int
	for _, p := range pairs {
		r := names.Score(p.a, p.b)
		if rr := names.Score(p.b, p.a); rr.Score != r.Score {
			t.Errorf("line %d: Score(a, b) = %.3f but Score(b, a) = %.3f", p.line, r.Score, rr.Score)
		}
		got := r.Decision != names.NoMatch
		switch {
		case got && p.same:
			tp++
		case got && !p.same:
			fp++
			t.Logf("false positive, line %d (%s): %q / %q: %.3f %v", p.line, p.note, p.names[0], p.names[1], r.Score, r.Decision)
		case !got && p.same:
			fn++
			t.Logf("false negative, line %d (%s): %q / %q: %.3f %v", p.line, p.note, p.names[0], p.names[1], r.Score, r.Decision)
		default:
			tn++
		}
	}
	precision := float64(tp) / float64(tp+fp)
	recall := float64(tp) / float64(tp+fn)
	t.Logf("%d pairs (%d match, %d no_match): precision %.3f, recall %.3f (tp %d, fp %d, fn %d, tn %d)",
		len(pairs), tp+fn, fp+tn, precision, recall, tp, fp, fn, tn)
	if precision < 0.95 || recall < 0.95 {
		t.Errorf("precision %.3f, recall %.3f: want both at least 0.95", precision, recall)
	}
}

// TestDecide_AgreesWithScore: Decide, which skips the reasons, gives the
// score and decision of Score on every labelled pair and on people of a
// population against variants of each other.
func TestDecide_AgreesWithScore(t *testing.T) {
	var ps [][2]names.Person
	for _, p := range loadPairs(t) {
		ps = append(ps, [2]names.Person{p.a, p.b}, [2]names.Person{p.b, p.a})
	}
	pop, _ := population(300, 11)
	r := rand.New(rand.NewPCG(1, 2))
	for i, p := range pop {
		ps = append(ps, [2]names.Person{names.NewPerson(namestest.Variant(r, p), pop[(i+1)%len(pop)].Birth), p})
	}
	for _, p := range ps {
		want := names.Score(p[0], p[1])
		if s, d := names.Decide(p[0], p[1]); s != want.Score || d != want.Decision {
			t.Errorf("Decide gives %.3f %v, Score %.3f %v", s, d, want.Score, want.Decision)
		}
	}
}

// TestBirthsRuleOut: whenever two dates of birth rule a pair out, Score
// finds it no match, and the dates rule out only when they differ by more
// than a typo.
func TestBirthsRuleOut(t *testing.T) {
	var ps [][2]names.Person
	for _, p := range loadPairs(t) {
		ps = append(ps, [2]names.Person{p.a, p.b}, [2]names.Person{p.b, p.a})
	}
	pop, raw := population(300, 11)
	r := rand.New(rand.NewPCG(3, 4))
	for i, p := range pop {
		// The same name, and the name written again, born on another day.
		ps = append(ps, [2]names.Person{names.NewPerson(raw[i], pop[(i+1)%len(pop)].Birth), p},
			[2]names.Person{names.NewPerson(namestest.Variant(r, p), pop[(i+7)%len(pop)].Birth), p})
	}
	ruledOut := 0
	for _, p := range ps {
		if names.BirthsRuleOut(p[0].Birth, p[1].Birth) {
			ruledOut++
			if res := names.Score(p[0], p[1]); res.Decision != names.NoMatch {
				t.Errorf("born %s and %s, ruled out, yet %v (%.3f)", p[0].Birth.Format(time.DateOnly), p[1].Birth.Format(time.DateOnly), res.Decision, res.Score)
			}
		}
	}
	if ruledOut < 300 {
		t.Fatalf("only %d pairs ruled out by their dates", ruledOut)
	}
	day := func(s string) time.Time { d, _ := time.Parse(time.DateOnly, s); return d }
	for _, tt := range []struct {
		a, b string
		out  bool
	}{
		{"1980-04-02", "1980-04-02", false},
		{"1980-04-02", "1980-04-03", false}, // a typo
		{"1980-04-02", "1980-02-04", false}, // day and month swapped
		{"1980-04-02", "1975-09-30", true},
		{"1980-04-02", "", false}, // unknown
	} {
		if got := names.BirthsRuleOut(day(tt.a), day(tt.b)); got != tt.out {
			t.Errorf("%s and %q: ruled out %v, want %v", tt.a, tt.b, got, tt.out)
		}
	}
}

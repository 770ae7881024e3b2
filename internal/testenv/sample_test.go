package testenv

import (
	"fmt"
	"slices"
	"testing"
)

func TestSample(t *testing.T) {
	items := []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}
	t.Setenv("CI", "true")
	if got := Sample(t, items, 3); !slices.Equal(got, items) {
		t.Fatalf("under CI: %v, want all", got)
	}
	t.Setenv("CI", "")
	if got := Sample(t, items, 3); !slices.Equal(got, []int{0, 4, 9}) {
		t.Fatalf("sampled: %v", got)
	}
	if got := Sample(t, items, 1); !slices.Equal(got, []int{0}) {
		t.Fatalf("one: %v", got)
	}
	if got := Sample(t, items, 20); !slices.Equal(got, items) {
		t.Fatalf("more than there are: %v", got)
	}
}

func TestPick(t *testing.T) {
	langs := []string{"en", "es"}
	t.Setenv("CI", "true")
	if got := Pick(t, langs); !slices.Equal(got, langs) {
		t.Fatalf("under CI: %v, want all", got)
	}
	t.Setenv("CI", "")
	// Each test always walks the same one, and tests of different names
	// walk both between them.
	seen := map[string]bool{}
	for _, name := range []string{"A", "B", "C", "D", "E", "F", "G", "H"} {
		t.Run(name, func(t *testing.T) {
			got := Pick(t, langs)
			if len(got) != 1 || !slices.Equal(got, Pick(t, langs)) {
				t.Fatalf("picked %v then %v", got, Pick(t, langs))
			}
			seen[got[0]] = true
		})
	}
	if len(seen) != 2 {
		t.Errorf("eight tests walked only %v", seen)
	}
	if got := Pick(t, []string{"en"}); !slices.Equal(got, []string{"en"}) {
		t.Errorf("one item: %v", got)
	}
}

func TestHalf(t *testing.T) {
	t.Setenv("CI", "true")
	if !Half(t, "run twice") {
		t.Fatal("under CI: false")
	}
	t.Setenv("CI", "")
	n := 0
	for i := range 40 {
		t.Run(fmt.Sprint("T", i), func(t *testing.T) {
			if Half(t, "run twice") != Half(t, "run twice") {
				t.Fatal("not the same answer twice")
			}
			if Half(t, "run twice") {
				n++
			}
		})
	}
	if n < 10 || n > 30 {
		t.Errorf("%d of 40 tests", n)
	}
}

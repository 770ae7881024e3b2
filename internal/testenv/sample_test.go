package testenv

import (
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

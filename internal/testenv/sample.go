package testenv

import (
	"hash/fnv"
	"os"
	"strconv"
	"testing"
)

// CI reports whether the tests run under CI (the environment variable CI
// is true), where every exhaustive sweep runs whole.
func CI() bool {
	ci, _ := strconv.ParseBool(os.Getenv("CI"))
	return ci
}

// Sample returns items whole under CI. Otherwise it returns n of them,
// always the same ones: the first, the last and an even spread between,
// and logs that the sweep was sampled. A sampled sweep checks the same
// thing on fewer items, so a developer's go test ./... does not wait on
// it; CI checks them all.
func Sample[T any](tb testing.TB, items []T, n int) []T {
	tb.Helper()
	if CI() || n >= len(items) {
		return items
	}
	if n < 1 {
		n = 1
	}
	out := make([]T, 0, n)
	for i := range n {
		j := 0
		if n > 1 {
			j = i * (len(items) - 1) / (n - 1)
		}
		out = append(out, items[j])
	}
	tb.Logf("sampled %d of %d (CI=true runs all)", n, len(items))
	return out
}

// Pick returns items whole under CI. Otherwise it returns one of them,
// chosen by the test's name, so that each test always walks the same one
// and the suite as a whole walks them all (a journey in English in one
// test, in Spanish in the next), and logs the choice. For sweeps whose
// every case is a browser walk: languages, widths, roles.
func Pick[T any](tb testing.TB, items []T) []T {
	tb.Helper()
	if CI() || len(items) < 2 {
		return items
	}
	item := items[nameHash(tb)%uint32(len(items))]
	tb.Logf("walked one of %d cases (CI=true walks all): %v", len(items), item)
	return []T{item}
}

// Half reports true under CI. Otherwise it reports true for about half
// of the tests, always the same ones, chosen by the test's name, and logs
// when it reports false: for a costly second pass that each test makes
// under CI and half of them make locally (the store suite's PostgreSQL
// run), so the suite as a whole still makes it.
func Half(tb testing.TB, what string) bool {
	tb.Helper()
	if CI() || nameHash(tb)%2 == 0 {
		return true
	}
	tb.Logf("not %s: half of the tests are, by name (CI=true: all)", what)
	return false
}

func nameHash(tb testing.TB) uint32 {
	h := fnv.New32a()
	h.Write([]byte(tb.Name()))
	return h.Sum32()
}

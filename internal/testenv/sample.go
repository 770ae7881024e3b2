package testenv

import (
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

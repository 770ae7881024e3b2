package main

import (
	"testing"
	"time"

	"github.com/amparo-project/amparo/auth"
)

// TestIntakeLimits: a workshop of 80 people on one address applies within
// an hour, most of them in its first minutes; a script sending a thousand
// forms at once is mostly refused.
func TestIntakeLimits(t *testing.T) {
	start := time.Date(2025, 6, 7, 10, 0, 0, 0, time.UTC)
	l := auth.NewLimiter(intakeLimits)
	// Half the room sends in the first ten minutes, the rest over the hour.
	for i := range 80 {
		at := start.Add(time.Duration(i) * 15 * time.Second)
		if i >= 40 {
			at = start.Add(10*time.Minute + time.Duration(i-40)*75*time.Second)
		}
		if ok, wait := l.Allow("intake", "203.0.113.7", at); !ok {
			t.Fatalf("person %d of the workshop refused at %s (wait %s)", i+1, at.Sub(start), wait)
		}
	}
	script := auth.NewLimiter(intakeLimits)
	allowed := 0
	for i := range 1000 {
		if ok, _ := script.Allow("intake", "198.51.100.9", start.Add(time.Duration(i)*10*time.Millisecond)); ok {
			allowed++
		}
	}
	if allowed > 50 {
		t.Fatalf("a burst of 1000 got %d through", allowed)
	}
}

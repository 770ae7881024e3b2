package auth

import (
	"context"
	"fmt"
	"testing"
	"time"
)

var t0 = time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)

// allow asks l for an attempt at now.
func allow(l *Limiter, account, addr string, now time.Time) (bool, time.Duration) {
	ok, wait, err := l.Allow(context.Background(), account, addr, now)
	if err != nil {
		panic(err) // the memory store never fails
	}
	return ok, wait
}

// attempt asks l for an attempt at now and, if allowed, reports a failure.
func attempt(l *Limiter, account, addr string, now time.Time) (bool, time.Duration) {
	ok, wait := allow(l, account, addr, now)
	if ok {
		l.Fail(context.Background(), account, addr, now)
	}
	return ok, wait
}

func TestLimiter_PairBackoff(t *testing.T) {
	l := NewLimiter(LimiterConfig{AddrBurst: 1000})
	now := t0
	for i := range DefaultLimiterConfig.PairFree {
		if ok, _ := attempt(l, "maria@example.org", "192.0.2.1", now); !ok {
			t.Fatalf("free attempt %d refused", i+1)
		}
	}
	// Then 1 s, 2 s, 4 s ... up to the cap.
	for _, want := range []time.Duration{1, 2, 4, 8, 16, 32, 64, 128, 256, 300, 300} {
		want *= time.Second
		ok, wait := allow(l, "maria@example.org", "192.0.2.1", now)
		if ok || wait != want {
			t.Fatalf("Allow = %v, %v; want refused for %v", ok, wait, want)
		}
		if ok, _ := allow(l, "maria@example.org", "192.0.2.1", now.Add(want-time.Millisecond)); ok {
			t.Fatalf("allowed %v early", time.Millisecond)
		}
		now = now.Add(want)
		if ok, _ := attempt(l, "maria@example.org", "192.0.2.1", now); !ok {
			t.Fatalf("refused after waiting %v", want)
		}
	}
}

func TestLimiter_Succeed(t *testing.T) {
	l := NewLimiter(LimiterConfig{})
	for range 7 {
		attempt(l, "maria@example.org", "192.0.2.1", t0)
	}
	if ok, _ := allow(l, "maria@example.org", "192.0.2.1", t0.Add(time.Hour)); !ok {
		t.Fatal("refused after an hour")
	}
	l.Succeed(context.Background(), "maria@example.org", "192.0.2.1", t0.Add(time.Hour))
	for i := range DefaultLimiterConfig.PairFree {
		if ok, _ := attempt(l, "maria@example.org", "192.0.2.1", t0.Add(time.Hour)); !ok {
			t.Fatalf("after a success, free attempt %d refused", i+1)
		}
	}
}

// An attacker guessing from one address does not lock the real user out at
// another; one spread over many addresses makes everyone wait at most
// AccountMax.
func TestLimiter_AccountAcrossAddresses(t *testing.T) {
	l := NewLimiter(LimiterConfig{})
	for range 10 {
		attempt(l, "maria@example.org", "203.0.113.66", t0)
	}
	if ok, _ := allow(l, "maria@example.org", "203.0.113.66", t0); ok {
		t.Fatal("the attacker's address was not throttled")
	}
	if ok, _ := allow(l, "maria@example.org", "192.0.2.1", t0); !ok {
		t.Fatal("the real user's address was throttled by another's failures")
	}
	l.Succeed(context.Background(), "maria@example.org", "192.0.2.1", t0)

	now := t0
	for i := range 200 { // a botnet: each guess from a new address
		addr := fmt.Sprintf("198.51.100.%d", i)
		ok, wait := allow(l, "maria@example.org", addr, now)
		if !ok {
			if wait > DefaultLimiterConfig.AccountMax {
				t.Fatalf("account-wide wait %v, over the cap %v", wait, DefaultLimiterConfig.AccountMax)
			}
			now = now.Add(wait)
			if ok, _ = allow(l, "maria@example.org", addr, now); !ok {
				t.Fatalf("refused after waiting %v", wait)
			}
		}
		l.Fail(context.Background(), "maria@example.org", addr, now)
	}
	ok, wait := allow(l, "maria@example.org", "192.0.2.1", now)
	if ok || wait != DefaultLimiterConfig.AccountMax {
		t.Fatalf("the real user: Allow = %v, %v; want a wait of %v", ok, wait, DefaultLimiterConfig.AccountMax)
	}
	if ok, _ := allow(l, "maria@example.org", "192.0.2.1", now.Add(wait)); !ok {
		t.Fatal("the real user was refused after the wait")
	}
}

func TestLimiter_AddressBucket(t *testing.T) {
	l := NewLimiter(LimiterConfig{AddrBurst: 5, AddrRefill: 10 * time.Second})
	for i := range 5 {
		if ok, _ := attempt(l, fmt.Sprintf("user%d@example.org", i), "192.0.2.9", t0); !ok {
			t.Fatalf("attempt %d within the burst refused", i+1)
		}
	}
	ok, wait := allow(l, "user5@example.org", "192.0.2.9", t0)
	if ok || wait != 10*time.Second {
		t.Fatalf("over the burst: Allow = %v, %v; want refused for 10s", ok, wait)
	}
	if ok, _ := allow(l, "user5@example.org", "192.0.2.10", t0); !ok {
		t.Fatal("another address was refused")
	}
	if ok, _ := attempt(l, "user5@example.org", "192.0.2.9", t0.Add(10*time.Second)); !ok {
		t.Fatal("refused after a token was refilled")
	}

	// Successes give their token back: a busy office is not slowed.
	l = NewLimiter(LimiterConfig{AddrBurst: 5, AddrRefill: time.Hour})
	for i := range 50 {
		account := fmt.Sprintf("staff%d@example.org", i)
		if ok, _ := allow(l, account, "192.0.2.9", t0); !ok {
			t.Fatalf("sign-in %d refused", i+1)
		}
		l.Succeed(context.Background(), account, "192.0.2.9", t0)
	}
}

// Allow counts an attempt before its outcome, so parallel guesses cannot all
// slip in before the first failure is reported.
func TestLimiter_ParallelBurst(t *testing.T) {
	l := NewLimiter(LimiterConfig{AddrBurst: 1000})
	allowed := 0
	for range 50 {
		if ok, _ := allow(l, "maria@example.org", "192.0.2.1", t0); ok {
			allowed++
		}
	}
	if allowed != DefaultLimiterConfig.PairFree {
		t.Fatalf("%d parallel attempts allowed, want %d", allowed, DefaultLimiterConfig.PairFree)
	}
}

func TestLimiter_Forget(t *testing.T) {
	l := NewLimiter(LimiterConfig{Forget: time.Hour})
	for range 20 {
		attempt(l, "maria@example.org", "192.0.2.1", t0)
	}
	if ok, _ := allow(l, "maria@example.org", "192.0.2.1", t0.Add(time.Second/2)); ok {
		t.Fatal("not throttled")
	}
	now := t0.Add(time.Hour + time.Minute)
	for i := range DefaultLimiterConfig.PairFree {
		if ok, _ := attempt(l, "maria@example.org", "192.0.2.1", now); !ok {
			t.Fatalf("after Forget, free attempt %d refused", i+1)
		}
	}
}

func TestLimiter_Keys(t *testing.T) {
	l := NewLimiter(LimiterConfig{})
	for _, tt := range []struct {
		name string
		a, b [2]string // account, address
		same bool
	}{
		{"AccountCase", [2]string{"Maria@Example.org ", "192.0.2.1"}, [2]string{"maria@example.org", "192.0.2.1"}, true},
		{"Port", [2]string{"m", "192.0.2.1:51234"}, [2]string{"m", "192.0.2.1"}, true},
		{"MappedIPv4", [2]string{"m", "::ffff:192.0.2.1"}, [2]string{"m", "192.0.2.1"}, true},
		{"IPv6Same64", [2]string{"m", "2001:db8:1:2::1"}, [2]string{"m", "[2001:db8:1:2:ffff::9]:443"}, true},
		{"IPv6Other64", [2]string{"m", "2001:db8:1:2::1"}, [2]string{"m", "2001:db8:1:3::1"}, false},
		{"IPv4Neighbour", [2]string{"m", "192.0.2.1"}, [2]string{"m", "192.0.2.2"}, false},
		{"OtherAccount", [2]string{"maria@example.org", "192.0.2.1"}, [2]string{"mario@example.org", "192.0.2.1"}, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ka := l.keys(tt.a[0], tt.a[1])
			pa, da := ka.Pair, ka.Addr
			kb := l.keys(tt.b[0], tt.b[1])
			pb, db := kb.Pair, kb.Addr
			if (pa == pb && da == db) != tt.same {
				t.Fatalf("keys of %q and %q: same = %v, want %v", tt.a, tt.b, !tt.same, tt.same)
			}
		})
	}
}

// A flood of new accounts and addresses does not grow memory past
// MaxEntries, and does not make the Limiter forget a victim still held back.
func TestLimiter_BoundedMemory(t *testing.T) {
	const maxEntries = 100
	l := NewLimiter(LimiterConfig{MaxEntries: maxEntries, AddrBurst: 1 << 20})
	for range 10 {
		attempt(l, "victim@example.org", "203.0.113.66", t0)
	}
	for i := range 10 * maxEntries {
		attempt(l, fmt.Sprintf("flood%d@example.org", i), fmt.Sprintf("10.0.%d.%d", i/256, i%256), t0)
		m := l.store.(*memoryLimits)
		if len(m.pairs) > maxEntries || len(m.accounts) > maxEntries || len(m.addrs) > maxEntries {
			t.Fatalf("after %d: %d pairs, %d accounts, %d addresses; max %d",
				i, len(m.pairs), len(m.accounts), len(m.addrs), maxEntries)
		}
	}
	if ok, _ := allow(l, "victim@example.org", "203.0.113.66", t0); ok {
		t.Fatal("the flood made the Limiter forget a throttled account")
	}
}

// TestIntakeLimits: a workshop of 80 people on one address applies within
// an hour, most of them in its first minutes; a script sending a thousand
// forms at once is mostly refused.
func TestIntakeLimits(t *testing.T) {
	start := time.Date(2025, 6, 7, 10, 0, 0, 0, time.UTC)
	l := NewLimiter(IntakeLimiterConfig)
	// Half the room sends in the first ten minutes, the rest over the hour.
	for i := range 80 {
		at := start.Add(time.Duration(i) * 15 * time.Second)
		if i >= 40 {
			at = start.Add(10*time.Minute + time.Duration(i-40)*75*time.Second)
		}
		if ok, wait := allow(l, "intake", "203.0.113.7", at); !ok {
			t.Fatalf("person %d of the workshop refused at %s (wait %s)", i+1, at.Sub(start), wait)
		}
	}
	script := NewLimiter(IntakeLimiterConfig)
	allowed := 0
	for i := range 1000 {
		if ok, _ := allow(script, "intake", "198.51.100.9", start.Add(time.Duration(i)*10*time.Millisecond)); ok {
			allowed++
		}
	}
	if allowed > 50 {
		t.Fatalf("a burst of 1000 got %d through", allowed)
	}
}

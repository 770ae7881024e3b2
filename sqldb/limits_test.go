package sqldb_test

import (
	"sync"
	"testing"
	"time"

	"github.com/amparo-project/amparo/auth"
	"github.com/amparo-project/amparo/sqldb"
)

// Two processes' limiters over one database count the same attempts: a
// guesser spreading guesses over them gets no more than from one.
func TestLimits_SharedAcrossProcesses(t *testing.T) {
	each(t, func(t *testing.T, db *sqldb.DB) {
		cfg := auth.LimiterConfig{PairFree: 5, AccountFree: 20, AddrBurst: 1000}
		a, b := auth.NewSharedLimiter(db, cfg), auth.NewSharedLimiter(db, cfg)
		now := time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)
		allowed := 0
		var mu sync.Mutex
		var wg sync.WaitGroup
		for i := range 12 {
			l := a
			if i%2 == 1 {
				l = b
			}
			wg.Go(func() {
				ok, _, err := l.Allow(t.Context(), "Rosa@Example.org", "192.0.2.7", now)
				if err != nil {
					t.Error(err)
					return
				}
				if ok {
					if err := l.Fail(t.Context(), "rosa@example.org", "192.0.2.7", now); err != nil {
						t.Error(err)
					}
					mu.Lock()
					allowed++
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		if allowed != 5 {
			t.Fatalf("%d guesses let through by two processes, want 5 (as one)", allowed)
		}
		ok, wait, err := b.Allow(t.Context(), "rosa@example.org", "192.0.2.7", now)
		if err != nil || ok || wait != time.Second {
			t.Fatalf("after 5 failures: %v %v %v, want a wait of 1 s", ok, wait, err)
		}
		// The real user elsewhere succeeds; the pair from there starts afresh.
		if ok, _, _ := a.Allow(t.Context(), "rosa@example.org", "198.51.100.4", now); !ok {
			t.Fatal("the account's owner from another address was refused")
		}
		if err := a.Succeed(t.Context(), "rosa@example.org", "198.51.100.4", now); err != nil {
			t.Fatal(err)
		}
		// An address-only limit keeps no entry for an account.
		intake := auth.NewSharedLimiter(db, auth.LimiterConfig{AddrBurst: 2, AddrRefill: time.Minute, AddressOnly: true})
		for i, want := range []bool{true, true, false} {
			if ok, _, _ := intake.Allow(t.Context(), "intake", "203.0.113.9", now); ok != want {
				t.Fatalf("intake %d: %v, want %v", i, ok, want)
			}
		}
		// Entries untouched for a day are pruned.
		// Six: the account; a pair and an address for each of 192.0.2.7 and
		// 198.51.100.4; the intake form's address.
		if n, err := db.PruneLimits(system, now.Add(time.Hour)); err != nil || n != 6 {
			t.Fatalf("pruned %d (%v), want 6", n, err)
		}
		if ok, _, _ := b.Allow(t.Context(), "rosa@example.org", "192.0.2.7", now.Add(2*time.Hour)); !ok {
			t.Fatal("refused after the entries were pruned")
		}
	})
}

package auth

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/amparo-project/amparo"
)

// TestSignIn_UnderAttack measures waits, not speed, so it is a test: an
// attacker guesses one account's password 100 times a second, each guess
// from another address (as X-Forwarded-For from a trusted proxy gives
// them), for ten minutes, against the default limits; the real person
// arrives at several moments and retries when the page says to. Time is
// simulated, so the figures are exact and the test takes a second:
//
//   - from a browser that signed in to the account before (a device
//     token, Devices), the person signs in at the first try;
//   - from a browser that never did, the person is held back while the
//     attack goes on (the attacker takes each slot the account's lockout
//     opens, a guess a minute), and signs in at most AccountMax plus a
//     second after it stops;
//   - the attacker gets AccountFree guesses, then the backoff's, then one
//     a minute, device tokens or not.
func TestSignIn_UnderAttack(t *testing.T) {
	ctx := context.Background()
	h := NewTestHasher()
	const password = "correct horse battery staple"
	hash, err := h.Hash(ctx, password)
	if err != nil {
		t.Fatal(err)
	}
	rosa := &amparo.Account{ID: "acc-rosa", Email: "rosa@centro-ejemplo.example", Role: amparo.RoleIntake, Status: amparo.AccountActive}
	const tick = 10 * time.Millisecond // 100 guesses a second
	const attackFor = 10 * time.Minute
	start := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	cfg := DefaultLimiterConfig

	type outcome struct {
		signedIn bool
		wait     time.Duration // from the first try to signing in
		tries    int
		guesses  int // the attacker's guesses checked, over the whole run
	}
	// run attacks for attackFor from start; the person first tries at
	// start+arrive, with the device token device, and the run ends at
	// start+end.
	run := func(arrive, end time.Duration, withDevice bool) outcome {
		st := &accounts{byEmail: map[string]*amparo.Account{rosa.Email: rosa},
			creds: map[string]*amparo.Credentials{rosa.ID: {PasswordHash: hash}}}
		now := start
		devices := &Devices{MAC: testMAC}
		s := &SignIn{Accounts: st, Hasher: h, Limiter: NewLimiter(cfg), Devices: devices, Now: func() time.Time { return now }}
		device := ""
		if withDevice {
			device = devices.Issue(rosa.Email)
		}
		var o outcome
		next, n := start.Add(arrive), 0
		for at := start; at.Before(start.Add(end)); at = at.Add(tick) {
			if at.Before(start.Add(attackFor)) {
				now, n = at, n+1
				addr := fmt.Sprintf("10.%d.%d.%d", n>>16&255, n>>8&255, n&255)
				var throttled *ThrottledError
				if _, _, err := s.Password(ctx, rosa.Email, fmt.Sprintf("guess %d", n), addr, "", ""); err == ErrWrongPassword {
					o.guesses++
				} else if !errors.As(err, &throttled) {
					t.Fatalf("guess %d: %v", n, err)
				}
			}
			// The person's try falls between two guesses; on a tie the
			// attacker went first.
			if o.signedIn || !next.Before(at.Add(tick)) {
				continue
			}
			now = next
			o.tries++
			_, _, err := s.Password(ctx, rosa.Email, password, "192.0.2.10", device, "")
			var throttled *ThrottledError
			switch {
			case err == nil:
				o.signedIn, o.wait = true, now.Sub(start.Add(arrive))
			case errors.As(err, &throttled):
				// The page says "try again in N seconds" (web: account.throttled).
				next = now.Add(time.Duration(int(throttled.Wait.Seconds())+1) * time.Second)
			default:
				t.Fatalf("the person's try: %v", err)
			}
		}
		return o
	}

	// Guesses the default limits let through in ten minutes: the free
	// ones, the backoff's doublings up to the cap, then one per cap.
	maxGuesses := cfg.AccountFree + 1
	var ramp time.Duration
	for d := cfg.AccountBase; d < cfg.AccountMax; d *= 2 {
		maxGuesses++
		ramp += d
	}
	maxGuesses += int((attackFor-ramp)/cfg.AccountMax) + 1

	for _, arrive := range []time.Duration{5 * time.Minute, 5*time.Minute + 13370*time.Millisecond, 7*time.Minute + 29900*time.Millisecond, 9*time.Minute + 47100*time.Millisecond} {
		o := run(arrive, attackFor, true)
		t.Logf("with a device token, arriving %v into the attack: signed in %v after %v, %d tries; the attacker had %d guesses checked",
			arrive, o.signedIn, o.wait, o.tries, o.guesses)
		if !o.signedIn || o.wait != 0 || o.tries != 1 {
			t.Errorf("with a device token, arriving %v into the attack: signed in %v after %v and %d tries, want at once", arrive, o.signedIn, o.wait, o.tries)
		}
		if o.guesses > maxGuesses {
			t.Errorf("the attacker had %d guesses checked in %v, want at most %d", o.guesses, attackFor, maxGuesses)
		}

		o = run(arrive, attackFor, false)
		t.Logf("without one, arriving %v into the attack: signed in %v after %v, %d tries, while it goes on", arrive, o.signedIn, o.wait, o.tries)
		if o.signedIn {
			t.Errorf("without a device token, the person got a slot the attacker holds; the figure in docs/security.md is wrong")
		}
	}
	// A browser without a device token, trying from just before the
	// attack stops: in within the account's cap plus a second after.
	arrive := attackFor - 30*time.Second
	o := run(arrive, attackFor+2*cfg.AccountMax, false)
	after := o.wait - (attackFor - arrive)
	t.Logf("without a device token, arriving 30 s before the attack stops: signed in %v, %v after it stopped (%d tries)", o.signedIn, after, o.tries)
	if !o.signedIn || after > cfg.AccountMax+time.Second {
		t.Errorf("without a device token, after the attack stopped: signed in %v, %v after, want within %v", o.signedIn, after, cfg.AccountMax+time.Second)
	}
}

// testMAC is a keyed MAC for tests, under a key that is no secret.
func testMAC(purpose string, data []byte) []byte {
	m := hmac.New(sha256.New, []byte("test key"))
	m.Write([]byte(purpose + "\x00"))
	m.Write(data)
	return m.Sum(nil)
}

package auth

import (
	"context"
	"crypto/sha256"
	"net/netip"
	"strings"
	"sync"
	"time"
)

// LimiterConfig sets how hard a Limiter throttles. Three limits apply to
// every attempt, and the longest wait wins:
//
//   - per account and address: after PairFree failures in a row, each
//     further attempt waits PairBase, doubling up to PairMax. This is what
//     stops one attacker guessing one account.
//   - per account, from every address: the same after AccountFree failures,
//     but capped at AccountMax, kept short on purpose: an attacker spreading
//     guesses over many addresses also makes the real user wait, and a short
//     cap means the real user waits at most that long per attempt, while the
//     attacker is still held to a guess per AccountMax.
//   - per address, across accounts: a token bucket of AddrBurst attempts,
//     refilled one per AddrRefill. It stops one address trying one common
//     password on every account. Successful sign-ins give their token back,
//     so an office behind one address is not slowed by its own staff.
//
// Failures are forgotten after Forget without one. Each of the three tables
// holds at most MaxEntries entries.
type LimiterConfig struct {
	PairFree                int
	PairBase, PairMax       time.Duration
	AccountFree             int
	AccountBase, AccountMax time.Duration
	AddrBurst               int
	AddrRefill              time.Duration
	Forget                  time.Duration
	MaxEntries              int
	// AddressOnly limits addresses alone: for a form with no account.
	AddressOnly bool
}

// DefaultLimiterConfig: five free tries per account and address, then 1 s,
// 2 s, 4 s ... up to 5 minutes; twenty free tries per account from anywhere,
// then up to 1 minute; 30 attempts per address, refilled at 6 a minute.
var DefaultLimiterConfig = LimiterConfig{
	PairFree: 5, PairBase: time.Second, PairMax: 5 * time.Minute,
	AccountFree: 20, AccountBase: time.Second, AccountMax: time.Minute,
	AddrBurst: 30, AddrRefill: 10 * time.Second,
	Forget:     24 * time.Hour,
	MaxEntries: 100_000,
}

// IntakeLimiterConfig lets one address send 30 public intake forms at
// once, then one every 30 seconds: a workshop of 80 people on one clinic's
// Wi-Fi applies within the hour (150 forms an hour at most), while a script
// sending a thousand gets 30 through (TestIntakeLimits). Only the address
// bucket applies: the form has no account to guess.
var IntakeLimiterConfig = LimiterConfig{AddrBurst: 30, AddrRefill: 30 * time.Second, AddressOnly: true,
	Forget: 24 * time.Hour, MaxEntries: 100_000}

// Limiter throttles sign-in attempts. The caller asks Allow before
// checking a password and reports the outcome with Fail or Succeed; Allow
// counts the attempt as a failure until Succeed says otherwise, so a burst of
// parallel attempts cannot all slip in before the first failure is reported,
// and an attempt whose outcome is never reported counts against the guesser.
//
// Call it for every attempt, whether the account exists or not: the Limiter
// knows nothing of accounts, so its answers cannot reveal which exist. Times
// are passed in, so tests set the clock. A Limiter is safe for concurrent use;
// with a LimitStore in the database (NewSharedLimiter) its limits hold across
// every process that serves: N processes give a guesser no more attempts
// than one.
type Limiter struct {
	cfg   LimiterConfig
	store LimitStore
}

// Backoff is a count of failures in a row and when the last was.
type Backoff struct {
	Failures int
	Last     time.Time
}

// Bucket is an address's tokens, as of At; a Bucket never used (At zero)
// is full.
type Bucket struct {
	Tokens float64
	At     time.Time
}

// Limits are the entries one attempt reads and changes.
type Limits struct {
	Pair, Account Backoff
	Addr          Bucket
}

// LimitKeys name an attempt's entries: hashes of what was typed and of the
// address, never either in clear. A zero key is an entry not kept (the
// public intake form's limit has no account).
type LimitKeys struct {
	Pair, Account, Addr [16]byte
}

// LimitStore keeps a Limiter's entries. UpdateLimits runs fn on the entries
// of k (zero if there are none yet) and keeps what fn leaves, one call at a
// time for the same keys: across processes, for a store in the database.
type LimitStore interface {
	UpdateLimits(ctx context.Context, k LimitKeys, now time.Time, fn func(*Limits)) error
}

// NewLimiter returns a Limiter that keeps its entries in memory, for one
// process; zero fields of cfg take their defaults.
func NewLimiter(cfg LimiterConfig) *Limiter {
	cfg = cfg.withDefaults()
	return &Limiter{cfg: cfg, store: newMemoryLimits(cfg)}
}

// NewSharedLimiter returns a Limiter that keeps its entries in store.
func NewSharedLimiter(store LimitStore, cfg LimiterConfig) *Limiter {
	return &Limiter{cfg: cfg.withDefaults(), store: store}
}

func (cfg LimiterConfig) withDefaults() LimiterConfig {
	d := DefaultLimiterConfig
	setInt := func(v *int, def int) {
		if *v <= 0 {
			*v = def
		}
	}
	setDur := func(v *time.Duration, def time.Duration) {
		if *v <= 0 {
			*v = def
		}
	}
	setInt(&cfg.PairFree, d.PairFree)
	setInt(&cfg.AccountFree, d.AccountFree)
	setInt(&cfg.AddrBurst, d.AddrBurst)
	setInt(&cfg.MaxEntries, d.MaxEntries)
	setDur(&cfg.PairBase, d.PairBase)
	setDur(&cfg.PairMax, d.PairMax)
	setDur(&cfg.AccountBase, d.AccountBase)
	setDur(&cfg.AccountMax, d.AccountMax)
	setDur(&cfg.AddrRefill, d.AddrRefill)
	setDur(&cfg.Forget, d.Forget)
	return cfg
}

// Allow reports whether a sign-in attempt for account from addr may go ahead
// at now, and if not, how long to wait. account is what was typed (an email
// address; case and surrounding space are ignored); addr is the client's IP
// address, with or without a port. IPv6 addresses count by their /64, since
// one machine commonly holds a whole /64. A store that fails refuses the
// attempt, with its error.
func (l *Limiter) Allow(ctx context.Context, account, addr string, now time.Time) (ok bool, retryAfter time.Duration, err error) {
	err = l.store.UpdateLimits(ctx, l.keys(account, addr), now, func(e *Limits) {
		l.forget(&e.Pair, now)
		l.forget(&e.Account, now)
		e.Addr.refill(now, l.cfg.AddrRefill, l.cfg.AddrBurst)
		wait := max(e.Pair.wait(now, l.pairPolicy()), e.Account.wait(now, l.accountPolicy()), e.Addr.wait(l.cfg.AddrRefill))
		if wait > 0 {
			retryAfter = wait
			return
		}
		ok = true
		e.Pair.Failures++
		e.Pair.Last = now
		e.Account.Failures++
		e.Account.Last = now
		e.Addr.Tokens--
	})
	if err != nil {
		return false, 0, err
	}
	return ok, retryAfter, nil
}

// Fail records that the attempt Allow let through failed. The failure was
// counted by Allow; Fail dates it, so the wait runs from the failure.
func (l *Limiter) Fail(ctx context.Context, account, addr string, now time.Time) error {
	return l.store.UpdateLimits(ctx, l.keys(account, addr), now, func(e *Limits) {
		for _, b := range []*Backoff{&e.Pair, &e.Account} {
			if b.Failures > 0 && now.After(b.Last) {
				b.Last = now
			}
		}
	})
}

// Succeed records that the attempt Allow let through succeeded: the account
// and address start afresh, the attempt no longer counts against the account
// (earlier failures from elsewhere still do: they may be an attack that is
// still going on), and the address gets its token back.
func (l *Limiter) Succeed(ctx context.Context, account, addr string, now time.Time) error {
	return l.store.UpdateLimits(ctx, l.keys(account, addr), now, func(e *Limits) {
		e.Pair = Backoff{}
		if e.Account.Failures--; e.Account.Failures <= 0 {
			e.Account = Backoff{}
		}
		e.Addr.refill(now, l.cfg.AddrRefill, l.cfg.AddrBurst)
		e.Addr.Tokens = min(e.Addr.Tokens+1, float64(l.cfg.AddrBurst))
	})
}

// forget clears failures older than Forget.
func (l *Limiter) forget(b *Backoff, now time.Time) {
	if b.Failures > 0 && now.Sub(b.Last) > l.cfg.Forget {
		*b = Backoff{}
	}
}

// policy is one backoff table's settings.
type policy struct {
	free      int
	base, cap time.Duration
}

func (l *Limiter) pairPolicy() policy { return l.cfg.pairPolicy() }

func (l *Limiter) accountPolicy() policy { return l.cfg.accountPolicy() }

func (cfg LimiterConfig) pairPolicy() policy {
	return policy{cfg.PairFree, cfg.PairBase, cfg.PairMax}
}

func (cfg LimiterConfig) accountPolicy() policy {
	return policy{cfg.AccountFree, cfg.AccountBase, cfg.AccountMax}
}

// wait returns how long after now the next attempt must wait: nothing until
// free failures, then base, doubling with each further failure, up to cap.
func (e *Backoff) wait(now time.Time, p policy) time.Duration {
	if e.Failures < p.free {
		return 0
	}
	d, k := p.cap, e.Failures-p.free
	if k < 32 && p.base<<k < p.cap && p.base<<k > 0 {
		d = p.base << k
	}
	return max(e.Last.Add(d).Sub(now), 0)
}

// refill brings the bucket up to now: full if never used.
func (b *Bucket) refill(now time.Time, every time.Duration, burst int) {
	if b.At.IsZero() {
		b.Tokens, b.At = float64(burst), now
	} else if now.After(b.At) {
		b.Tokens = min(float64(burst), b.Tokens+float64(now.Sub(b.At))/float64(every))
		b.At = now
	}
}

func (b *Bucket) wait(every time.Duration) time.Duration {
	if b.Tokens >= 1 {
		return 0
	}
	return time.Duration((1 - b.Tokens) * float64(every))
}

// memoryLimits keeps a Limiter's entries in one process's memory, each
// table holding at most MaxEntries.
type memoryLimits struct {
	cfg      LimiterConfig
	mu       sync.Mutex
	pairs    map[key]*Backoff
	accounts map[key]*Backoff
	addrs    map[key]*Bucket
}

type key = [16]byte

func newMemoryLimits(cfg LimiterConfig) *memoryLimits {
	return &memoryLimits{cfg: cfg, pairs: map[key]*Backoff{}, accounts: map[key]*Backoff{}, addrs: map[key]*Bucket{}}
}

func (m *memoryLimits) UpdateLimits(_ context.Context, k LimitKeys, now time.Time, fn func(*Limits)) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	var e Limits
	if p := m.pairs[k.Pair]; p != nil {
		e.Pair = *p
	}
	if a := m.accounts[k.Account]; a != nil {
		e.Account = *a
	}
	if b := m.addrs[k.Addr]; b != nil {
		e.Addr = *b
	}
	fn(&e)
	m.putBackoff(m.pairs, m.cfg.pairPolicy(), k.Pair, e.Pair, now)
	m.putBackoff(m.accounts, m.cfg.accountPolicy(), k.Account, e.Account, now)
	if k.Addr != (key{}) {
		if e.Addr.Tokens >= float64(m.cfg.AddrBurst) {
			delete(m.addrs, k.Addr) // a full bucket is as good as none
		} else {
			if _, ok := m.addrs[k.Addr]; !ok && len(m.addrs) >= m.cfg.MaxEntries {
				m.sweepBuckets(now)
			}
			m.addrs[k.Addr] = &e.Addr
		}
	}
	return nil
}

// putBackoff keeps b under k, or forgets it when clean, making room in a
// full table first.
func (m *memoryLimits) putBackoff(t map[key]*Backoff, p policy, k key, b Backoff, now time.Time) {
	if k == (key{}) {
		return
	}
	if b.Failures <= 0 {
		delete(t, k)
		return
	}
	if _, ok := t[k]; !ok && len(t) >= m.cfg.MaxEntries {
		m.sweepBackoff(t, p, now)
	}
	t[k] = &b
}

// sweepBackoff makes room in a full table, down to 90% so that sweeps are
// rare. It drops what matters least first: forgotten entries, then
// entries not holding anyone back now, and only then any entry. An attacker
// who fills the table to make it forget a victim's failures needs
// MaxEntries accounts or addresses, each throttled in its own right.
func (m *memoryLimits) sweepBackoff(t map[key]*Backoff, p policy, now time.Time) {
	target := m.cfg.MaxEntries * 9 / 10
	passes := []func(*Backoff) bool{
		func(e *Backoff) bool { return now.Sub(e.Last) > m.cfg.Forget },
		func(e *Backoff) bool { return e.wait(now, p) <= 0 },
		func(*Backoff) bool { return true },
	}
	for _, drop := range passes {
		for k, e := range t {
			if len(t) <= target {
				return
			}
			if drop(e) {
				delete(t, k)
			}
		}
	}
}

func (m *memoryLimits) sweepBuckets(now time.Time) {
	target := m.cfg.MaxEntries * 9 / 10
	for _, full := range []bool{true, false} {
		for k, b := range m.addrs {
			if len(m.addrs) <= target {
				return
			}
			b.refill(now, m.cfg.AddrRefill, m.cfg.AddrBurst)
			if !full || b.Tokens >= float64(m.cfg.AddrBurst) {
				delete(m.addrs, k)
			}
		}
	}
}

// keys returns fixed-size keys for the pair, the account and the address,
// so that neither a long typed name nor many addresses cost much memory.
// An address-only limit keeps no entry for an account.
func (l *Limiter) keys(account, addr string) LimitKeys {
	account = strings.ToLower(strings.TrimSpace(account))
	addr = addrKey(addr)
	h := func(parts ...string) key {
		s := sha256.Sum256([]byte(strings.Join(parts, "\x00")))
		return key(s[:16])
	}
	k := LimitKeys{Addr: h("addr", addr)}
	if !l.cfg.AddressOnly {
		k.Pair, k.Account = h("pair", account, addr), h("account", account)
	}
	return k
}

// addrKey returns the part of an address that counts: the IP without a port,
// IPv4-mapped IPv6 as IPv4, and IPv6 cut to its /64.
func addrKey(addr string) string {
	ip, err := netip.ParseAddr(addr)
	if err != nil {
		ap, err := netip.ParseAddrPort(addr)
		if err != nil {
			return addr
		}
		ip = ap.Addr()
	}
	ip = ip.Unmap().WithZone("")
	if ip.Is6() {
		p, _ := ip.Prefix(64)
		return p.String()
	}
	return ip.String()
}

package auth

import (
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
var IntakeLimiterConfig = LimiterConfig{AddrBurst: 30, AddrRefill: 30 * time.Second, PairFree: 1 << 30, AccountFree: 1 << 30,
	Forget: 24 * time.Hour, MaxEntries: 100_000}

// Limiter throttles sign-in attempts, in memory. The caller asks Allow before
// checking a password and reports the outcome with Fail or Succeed; Allow
// counts the attempt as a failure until Succeed says otherwise, so a burst of
// parallel attempts cannot all slip in before the first failure is reported,
// and an attempt whose outcome is never reported counts against the guesser.
//
// Call it for every attempt, whether the account exists or not: the Limiter
// knows nothing of accounts, so its answers cannot reveal which exist. Times
// are passed in, so tests set the clock. A Limiter is safe for concurrent use.
type Limiter struct {
	cfg      LimiterConfig
	mu       sync.Mutex
	pairs    map[key]*backoff
	accounts map[key]*backoff
	addrs    map[key]*bucket
}

type key [16]byte

type backoff struct {
	failures int
	last     time.Time
}

type bucket struct {
	tokens float64
	at     time.Time
}

// NewLimiter returns a Limiter; zero fields of cfg take their defaults.
func NewLimiter(cfg LimiterConfig) *Limiter {
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
	return &Limiter{
		cfg:      cfg,
		pairs:    make(map[key]*backoff),
		accounts: make(map[key]*backoff),
		addrs:    make(map[key]*bucket),
	}
}

// Allow reports whether a sign-in attempt for account from addr may go ahead
// at now, and if not, how long to wait. account is what was typed (an email
// address; case and surrounding space are ignored); addr is the client's IP
// address, with or without a port. IPv6 addresses count by their /64, since
// one machine commonly holds a whole /64.
func (l *Limiter) Allow(account, addr string, now time.Time) (ok bool, retryAfter time.Duration) {
	pk, ak, dk := l.keys(account, addr)
	l.mu.Lock()
	defer l.mu.Unlock()
	p, a := l.backoff(l.pairs, l.pairPolicy(), pk, now), l.backoff(l.accounts, l.accountPolicy(), ak, now)
	b := l.bucket(dk, now)
	wait := max(p.wait(now, l.pairPolicy()), a.wait(now, l.accountPolicy()), b.wait(l.cfg.AddrRefill))
	if wait > 0 {
		return false, wait
	}
	p.failures++
	p.last = now
	a.failures++
	a.last = now
	b.tokens--
	return true, 0
}

// Fail records that the attempt Allow let through failed. The failure was
// counted by Allow; Fail dates it, so the wait runs from the failure.
func (l *Limiter) Fail(account, addr string, now time.Time) {
	pk, ak, _ := l.keys(account, addr)
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, e := range []*backoff{l.pairs[pk], l.accounts[ak]} {
		if e != nil && now.After(e.last) {
			e.last = now
		}
	}
}

// Succeed records that the attempt Allow let through succeeded: the account
// and address start afresh, the attempt no longer counts against the account
// (earlier failures from elsewhere still do: they may be an attack that is
// still going on), and the address gets its token back.
func (l *Limiter) Succeed(account, addr string, now time.Time) {
	pk, ak, dk := l.keys(account, addr)
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.pairs, pk)
	if a := l.accounts[ak]; a != nil {
		if a.failures--; a.failures <= 0 {
			delete(l.accounts, ak)
		}
	}
	if b := l.addrs[dk]; b != nil {
		b.refill(now, l.cfg.AddrRefill, l.cfg.AddrBurst)
		b.tokens = min(b.tokens+1, float64(l.cfg.AddrBurst))
	}
}

// policy is one backoff table's settings.
type policy struct {
	free      int
	base, cap time.Duration
}

func (l *Limiter) pairPolicy() policy {
	return policy{l.cfg.PairFree, l.cfg.PairBase, l.cfg.PairMax}
}

func (l *Limiter) accountPolicy() policy {
	return policy{l.cfg.AccountFree, l.cfg.AccountBase, l.cfg.AccountMax}
}

// wait returns how long after now the next attempt must wait: nothing until
// free failures, then base, doubling with each further failure, up to cap.
func (e *backoff) wait(now time.Time, p policy) time.Duration {
	if e.failures < p.free {
		return 0
	}
	d, k := p.cap, e.failures-p.free
	if k < 32 && p.base<<k < p.cap && p.base<<k > 0 {
		d = p.base << k
	}
	return max(e.last.Add(d).Sub(now), 0)
}

func (b *bucket) refill(now time.Time, every time.Duration, burst int) {
	if now.After(b.at) {
		b.tokens = min(float64(burst), b.tokens+float64(now.Sub(b.at))/float64(every))
		b.at = now
	}
}

func (b *bucket) wait(every time.Duration) time.Duration {
	if b.tokens >= 1 {
		return 0
	}
	return time.Duration((1 - b.tokens) * float64(every))
}

// backoff returns the entry for k, creating it (and making room) if needed,
// and forgetting failures older than Forget.
func (l *Limiter) backoff(m map[key]*backoff, p policy, k key, now time.Time) *backoff {
	e := m[k]
	if e != nil && now.Sub(e.last) > l.cfg.Forget {
		e.failures = 0
	}
	if e == nil {
		if len(m) >= l.cfg.MaxEntries {
			l.sweepBackoff(m, p, now)
		}
		e = &backoff{last: now}
		m[k] = e
	}
	return e
}

func (l *Limiter) bucket(k key, now time.Time) *bucket {
	b := l.addrs[k]
	if b == nil {
		if len(l.addrs) >= l.cfg.MaxEntries {
			l.sweepBuckets(now)
		}
		b = &bucket{tokens: float64(l.cfg.AddrBurst), at: now}
		l.addrs[k] = b
	}
	b.refill(now, l.cfg.AddrRefill, l.cfg.AddrBurst)
	return b
}

// sweepBackoff makes room in a full table, down to 90% so that sweeps are
// rare. It drops what matters least first: forgotten or clean entries, then
// entries not holding anyone back now, and only then any entry. An attacker
// who fills the table to make it forget a victim's failures needs
// MaxEntries accounts or addresses, each throttled in its own right.
func (l *Limiter) sweepBackoff(m map[key]*backoff, p policy, now time.Time) {
	target := l.cfg.MaxEntries * 9 / 10
	passes := []func(*backoff) bool{
		func(e *backoff) bool { return e.failures <= 0 || now.Sub(e.last) > l.cfg.Forget },
		func(e *backoff) bool { return e.wait(now, p) <= 0 },
		func(*backoff) bool { return true },
	}
	for _, drop := range passes {
		for k, e := range m {
			if len(m) <= target {
				return
			}
			if drop(e) {
				delete(m, k)
			}
		}
	}
}

func (l *Limiter) sweepBuckets(now time.Time) {
	target := l.cfg.MaxEntries * 9 / 10
	for _, full := range []bool{true, false} {
		for k, b := range l.addrs {
			if len(l.addrs) <= target {
				return
			}
			b.refill(now, l.cfg.AddrRefill, l.cfg.AddrBurst)
			if !full || b.tokens >= float64(l.cfg.AddrBurst) {
				delete(l.addrs, k)
			}
		}
	}
}

// keys returns fixed-size keys for the pair, the account and the address,
// so that neither a long typed name nor many addresses cost much memory.
func (l *Limiter) keys(account, addr string) (pair, acct, ad key) {
	account = strings.ToLower(strings.TrimSpace(account))
	addr = addrKey(addr)
	h := func(parts ...string) key {
		s := sha256.Sum256([]byte(strings.Join(parts, "\x00")))
		return key(s[:16])
	}
	return h("pair", account, addr), h("account", account), h("addr", addr)
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

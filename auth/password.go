package auth

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"errors"
	"fmt"
	"runtime"
	"sync/atomic"

	"golang.org/x/crypto/argon2"
	"golang.org/x/text/unicode/norm"
)

// Params are argon2id parameters. Memory is in KiB, as in the PHC string.
type Params struct {
	Memory  uint32 // KiB
	Time    uint32 // passes over the memory
	Threads uint8  // lanes
	SaltLen uint32 // bytes
	KeyLen  uint32 // bytes
}

// DefaultParams are the parameters new hashes use: 64 MiB, 2 passes, 1 lane,
// a 16-byte salt and a 32-byte hash.
//
// OWASP ASVS 5.0 (and the OWASP Password Storage Cheat Sheet) set the floor at
// m = 19 MiB, t = 2, p = 1. These parameters cost about 3.4 times the floor in
// both memory and time (about 150 ms on one core of a current server CPU),
// which multiplies the cost of an offline attack on a leaked database by the
// same factor while keeping a sign-in well under a quarter of a second. One
// lane, because a server signs in several people at once: parallelism across
// requests is worth more than within one hash. The memory a flood of sign-ins
// can take is bounded by the Hasher's concurrency (64 MiB each).
var DefaultParams = Params{Memory: 64 * 1024, Time: 2, Threads: 1, SaltLen: 16, KeyLen: 32}

// FloorParams are the ASVS 5.0 minimum. NewHasher refuses anything weaker.
var FloorParams = Params{Memory: 19 * 1024, Time: 2, Threads: 1, SaltLen: 16, KeyLen: 32}

// MaxPasswordBytes is the longest input Hash and Verify accept. It is far above
// MaxPasswordLen so that any password the policy allows fits, and it refuses a
// megabyte "password" before any hashing is done.
const MaxPasswordBytes = 1024

// Errors returned by the Hasher. ErrPasswordTooLong and ErrMalformedHash are
// the caller's bad input; the others are programming or configuration errors.
var (
	ErrPasswordTooLong = errors.New("auth: password longer than MaxPasswordBytes")
	ErrMalformedHash   = errors.New("auth: malformed password hash")
	ErrWeakParams      = errors.New("auth: argon2id parameters below the ASVS floor")
)

// Hasher hashes and verifies passwords with argon2id, running at most a fixed
// number of hashes at once. Each hash holds Params.Memory of memory for its
// whole run, so without a bound a flood of sign-in attempts would take all the
// memory the server has; with one, they wait their turn (or give up when their
// context ends). A Hasher is safe for concurrent use.
type Hasher struct {
	params Params
	sem    chan struct{}
	dummy  string       // a hash of a random password with params; see VerifyNoAccount
	runs   atomic.Int64 // argon2 computations, for tests
	active atomic.Int64 // computations running now, for tests
	peak   atomic.Int64 // highest active seen, for tests
}

// NewHasher returns a Hasher that hashes with p and runs at most concurrency
// hashes at once; concurrency <= 0 means runtime.GOMAXPROCS(0). argon2id with
// one lane keeps one core busy, so more hashes than cores at once would only
// add memory, not throughput. It refuses parameters below FloorParams.
func NewHasher(p Params, concurrency int) (*Hasher, error) {
	if p.Memory < FloorParams.Memory || p.Time < FloorParams.Time || p.Threads < 1 ||
		p.SaltLen < FloorParams.SaltLen || p.KeyLen < FloorParams.KeyLen {
		return nil, ErrWeakParams
	}
	if p.Memory > maxMemory || p.Time > maxTime || p.SaltLen > maxSaltLen || p.KeyLen > maxKeyLen {
		return nil, fmt.Errorf("auth: argon2id parameters out of range: %+v", p)
	}
	return newHasher(p, concurrency), nil
}

// NewTestHasher returns a Hasher with parameters far below the floor, so that
// tests of other packages that create many accounts stay fast. Never use it
// outside tests: a production Hasher would at least flag its hashes for rehash.
func NewTestHasher() *Hasher {
	return newHasher(Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}, 0)
}

func newHasher(p Params, concurrency int) *Hasher {
	if concurrency <= 0 {
		concurrency = runtime.GOMAXPROCS(0)
	}
	h := &Hasher{params: p, sem: make(chan struct{}, concurrency)}
	// The dummy is computed directly so that it counts in no statistic.
	pw, salt := make([]byte, 32), make([]byte, p.SaltLen)
	rand.Read(pw)
	rand.Read(salt)
	h.dummy = formatPHC(p, salt, argon2.IDKey(pw, salt, p.Time, p.Memory, p.Threads, p.KeyLen))
	return h
}

// Params returns the parameters new hashes use.
func (h *Hasher) Params() Params { return h.params }

// Hash returns the PHC string of password, with a fresh random salt. It waits
// for a free slot, returning ctx.Err() if ctx ends first.
func (h *Hasher) Hash(ctx context.Context, password string) (string, error) {
	if len(password) > MaxPasswordBytes {
		return "", ErrPasswordTooLong
	}
	if err := h.acquire(ctx); err != nil {
		return "", err
	}
	defer h.release()
	return h.encode([]byte(norm.NFKC.String(password))), nil
}

// Verify reports whether password matches the PHC string encoded, and whether
// the hash should be replaced because it was made with parameters weaker than
// the Hasher's (the caller hashes the password again and stores the result:
// the upgrade at sign-in). needsRehash is only true when ok is. The comparison
// takes constant time. A stored string that cannot be parsed, or whose
// parameters are absurd, is ErrMalformedHash, never a match.
func (h *Hasher) Verify(ctx context.Context, password, encoded string) (ok, needsRehash bool, err error) {
	if len(password) > MaxPasswordBytes {
		return false, false, ErrPasswordTooLong
	}
	p, salt, key, err := parsePHC(encoded)
	if err != nil {
		return false, false, err
	}
	if err := h.acquire(ctx); err != nil {
		return false, false, err
	}
	defer h.release()
	got := h.key([]byte(norm.NFKC.String(password)), salt, p, uint32(len(key)))
	if subtle.ConstantTimeCompare(got, key) != 1 {
		return false, false, nil
	}
	return true, h.weaker(p, len(salt), len(key)), nil
}

// VerifyNoAccount does the work of a failed Verify when no account matches
// the name given at sign-in (or the account has no password yet, or is
// suspended): one argon2id computation with the Hasher's own
// parameters, against a hash of a random password made when the Hasher was.
// Calling it on that path makes "unknown account" take as long as "wrong
// password", so the time of an answer does not tell an attacker which
// accounts exist. It always returns false; its error is only ctx's.
//
//	acct, err := store.FindAccountByEmail(ctx, email)
//	if amparo.ErrorCode(err) == amparo.ENOTFOUND {
//		_, err := hasher.VerifyNoAccount(ctx, password)
//		return errBadCredentials(err) // the same answer as a wrong password
//	}
func (h *Hasher) VerifyNoAccount(ctx context.Context, password string) (bool, error) {
	_, _, err := h.Verify(ctx, password, h.dummy)
	return false, err
}

func (h *Hasher) weaker(p Params, saltLen, keyLen int) bool {
	c := h.params
	return p.Memory < c.Memory || p.Time < c.Time ||
		saltLen < int(c.SaltLen) || keyLen < int(c.KeyLen)
}

func (h *Hasher) acquire(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	select {
	case h.sem <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (h *Hasher) release() { <-h.sem }

// encode hashes an already normalized password with a fresh salt.
func (h *Hasher) encode(password []byte) string {
	salt := make([]byte, h.params.SaltLen)
	rand.Read(salt)
	key := h.key(password, salt, h.params, h.params.KeyLen)
	return formatPHC(h.params, salt, key)
}

func (h *Hasher) key(password, salt []byte, p Params, keyLen uint32) []byte {
	h.runs.Add(1)
	n := h.active.Add(1)
	for {
		peak := h.peak.Load()
		if n <= peak || h.peak.CompareAndSwap(peak, n) {
			break
		}
	}
	defer h.active.Add(-1)
	return argon2.IDKey(password, salt, p.Time, p.Memory, p.Threads, keyLen)
}

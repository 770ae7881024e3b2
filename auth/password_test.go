package auth

import (
	"context"
	"errors"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

// testParams keep the tests fast where the cost of hashing is not the point.
var testParams = Params{Memory: 256, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}

// referenceHash is the argon2id vector of the reference implementation
// (phc-winner-argon2, test.c): "password", salt "somesalt", t=2, m=64 MiB, p=1.
const referenceHash = "$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc"

func TestNewHasher(t *testing.T) {
	for _, tt := range []struct {
		name string
		p    Params
		ok   bool
	}{
		{"Default", DefaultParams, true},
		{"Floor", FloorParams, true},
		{"MemoryBelowFloor", Params{Memory: 19*1024 - 1, Time: 2, Threads: 1, SaltLen: 16, KeyLen: 32}, false},
		{"TimeBelowFloor", Params{Memory: 64 * 1024, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}, false},
		{"NoThreads", Params{Memory: 64 * 1024, Time: 2, Threads: 0, SaltLen: 16, KeyLen: 32}, false},
		{"ShortSalt", Params{Memory: 64 * 1024, Time: 2, Threads: 1, SaltLen: 8, KeyLen: 32}, false},
		{"ShortKey", Params{Memory: 64 * 1024, Time: 2, Threads: 1, SaltLen: 16, KeyLen: 16}, false},
		{"AbsurdMemory", Params{Memory: 1<<20 + 1, Time: 2, Threads: 1, SaltLen: 16, KeyLen: 32}, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if tt.ok && testing.Short() && tt.p.Memory > 32*1024 {
				t.Skip("-short: a full-cost dummy hash")
			}
			_, err := NewHasher(tt.p, 1)
			if (err == nil) != tt.ok {
				t.Fatalf("NewHasher(%+v) error = %v, want ok=%v", tt.p, err, tt.ok)
			}
		})
	}
}

func TestHasher_HashVerify(t *testing.T) {
	ctx := context.Background()
	h := newHasher(testParams, 0)
	enc, err := h.Hash(ctx, "correct horse battery staple")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(enc, "$argon2id$v=19$m=256,t=1,p=1$") {
		t.Fatalf("Hash = %q, want the PHC string with the parameters", enc)
	}
	if again, _ := h.Hash(ctx, "correct horse battery staple"); again == enc {
		t.Fatal("two hashes of one password are equal: salt not random")
	}
	for _, tt := range []struct {
		name     string
		password string
		encoded  string
		ok       bool
		err      error
	}{
		{"Match", "correct horse battery staple", enc, true, nil},
		{"WrongPassword", "correct horse battery stable", enc, false, nil},
		{"Empty", "", enc, false, nil},
		{"NFKCSame", "ﬁle cabinet", mustHash(t, h, "file cabinet"), true, nil},
		{"ComposedTilde", "contrase\u00f1a larga", mustHash(t, h, "contrasen\u0303a larga"), true, nil},
		{"ReferenceVector", "password", referenceHash, true, nil},
		{"Malformed", "password", "$argon2i$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc", false, ErrMalformedHash},
		{"TooLong", strings.Repeat("a", MaxPasswordBytes+1), enc, false, ErrPasswordTooLong},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ok, _, err := h.Verify(ctx, tt.password, tt.encoded)
			if ok != tt.ok || !errors.Is(err, tt.err) {
				t.Fatalf("Verify = %v, %v; want %v, %v", ok, err, tt.ok, tt.err)
			}
		})
	}
	if _, err := h.Hash(ctx, strings.Repeat("a", MaxPasswordBytes+1)); !errors.Is(err, ErrPasswordTooLong) {
		t.Fatalf("Hash(too long) error = %v", err)
	}
}

func mustHash(t *testing.T, h *Hasher, pw string) string {
	t.Helper()
	s, err := h.Hash(context.Background(), pw)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestHasher_Verify_NeedsRehash(t *testing.T) {
	ctx := context.Background()
	old := newHasher(Params{Memory: 128, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}, 0)
	cur := newHasher(Params{Memory: 256, Time: 2, Threads: 1, SaltLen: 16, KeyLen: 32}, 0)
	for _, tt := range []struct {
		name     string
		from     *Hasher
		password string
		ok, need bool
	}{
		{"Weaker", old, "right", true, true},
		{"WeakerWrongPassword", old, "wrong", false, false},
		{"Current", cur, "right", true, false},
		{"Stronger", newHasher(Params{Memory: 512, Time: 3, Threads: 2, SaltLen: 16, KeyLen: 32}, 0), "right", true, false},
		{"ShorterKey", newHasher(Params{Memory: 256, Time: 2, Threads: 1, SaltLen: 16, KeyLen: 16}, 0), "right", true, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			enc := mustHash(t, tt.from, "right")
			ok, need, err := cur.Verify(ctx, tt.password, enc)
			if err != nil || ok != tt.ok || need != tt.need {
				t.Fatalf("Verify = %v, %v, %v; want %v, %v", ok, need, err, tt.ok, tt.need)
			}
		})
	}
	t.Run("TestHasherBelowDefault", func(t *testing.T) {
		if testing.Short() {
			t.Skip("-short: a full-cost dummy hash")
		}
		prod, err := NewHasher(DefaultParams, 1)
		if err != nil {
			t.Fatal(err)
		}
		p, _, _, _ := parsePHC(mustHash(t, NewTestHasher(), "x"))
		if !prod.weaker(p, int(p.SaltLen), int(p.KeyLen)) {
			t.Fatal("a test hash would not be upgraded by a production Hasher")
		}
	})
}

// Unknown accounts and wrong passwords must cost the same: one argon2id run
// with the current parameters each.
func TestHasher_VerifyNoAccount(t *testing.T) {
	ctx := context.Background()
	h := newHasher(testParams, 0)
	enc := mustHash(t, h, "the real password")
	p, _, _, _ := parsePHC(h.dummy)
	if p != h.params {
		t.Fatalf("dummy hash params = %+v, want %+v", p, h.params)
	}
	for _, tt := range []struct {
		name string
		run  func() (bool, error)
	}{
		{"WrongPassword", func() (bool, error) { ok, _, err := h.Verify(ctx, "a guess", enc); return ok, err }},
		{"UnknownAccount", func() (bool, error) { return h.VerifyNoAccount(ctx, "a guess") }},
		{"UnknownAccountDummyPassword", func() (bool, error) { return h.VerifyNoAccount(ctx, "") }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			before := h.runs.Load()
			ok, err := tt.run()
			if ok || err != nil {
				t.Fatalf("= %v, %v; want false, nil", ok, err)
			}
			if n := h.runs.Load() - before; n != 1 {
				t.Fatalf("argon2id runs = %d, want 1", n)
			}
		})
	}
}

func TestHasher_Concurrency(t *testing.T) {
	const limit = 2
	h := newHasher(Params{Memory: 4 * 1024, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}, limit)
	var wg sync.WaitGroup
	for range 4 * max(limit, runtime.GOMAXPROCS(0)) {
		wg.Go(func() {
			if _, err := h.Hash(context.Background(), "password"); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if peak := h.peak.Load(); peak > limit || peak < 1 {
		t.Fatalf("peak concurrent hashes = %d, want 1..%d", peak, limit)
	}
	if d := newHasher(testParams, 0); cap(d.sem) != runtime.GOMAXPROCS(0) {
		t.Fatalf("default concurrency = %d, want GOMAXPROCS", cap(d.sem))
	}
}

func TestHasher_ContextWhileWaiting(t *testing.T) {
	h := newHasher(testParams, 1)
	h.sem <- struct{}{} // every slot taken
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if _, err := h.Hash(ctx, "password"); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Hash error = %v, want DeadlineExceeded", err)
	}
	if _, _, err := h.Verify(ctx, "password", referenceHash); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Verify error = %v, want DeadlineExceeded", err)
	}
	if n := h.runs.Load(); n != 0 {
		t.Fatalf("argon2id ran %d times without a slot", n)
	}
	<-h.sem
	if _, err := h.Hash(context.Background(), "password"); err != nil {
		t.Fatalf("Hash after release: %v", err)
	}
}

func TestParsePHC(t *testing.T) {
	const salt, key = "c29tZXNhbHQ", "CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc"
	for _, tt := range []struct {
		name string
		s    string
		ok   bool
	}{
		{"Valid", referenceHash, true},
		{"Empty", "", false},
		{"Argon2i", "$argon2i$v=19$m=65536,t=2,p=1$" + salt + "$" + key, false},
		{"Version16", "$argon2id$v=16$m=65536,t=2,p=1$" + salt + "$" + key, false},
		{"NoVersion", "$argon2id$m=65536,t=2,p=1$" + salt + "$" + key, false},
		{"ParamsReordered", "$argon2id$v=19$t=2,m=65536,p=1$" + salt + "$" + key, false},
		{"LeadingZero", "$argon2id$v=19$m=065536,t=2,p=1$" + salt + "$" + key, false},
		{"Signed", "$argon2id$v=19$m=+65536,t=2,p=1$" + salt + "$" + key, false},
		{"ExtraParam", "$argon2id$v=19$m=65536,t=2,p=1,keyid=x$" + salt + "$" + key, false},
		{"MemoryAbsurd", "$argon2id$v=19$m=4294967295,t=2,p=1$" + salt + "$" + key, false},
		{"MemoryOverflow", "$argon2id$v=19$m=99999999999,t=2,p=1$" + salt + "$" + key, false},
		{"MemoryBelow8p", "$argon2id$v=19$m=15,t=2,p=2$" + salt + "$" + key, false},
		{"TimeZero", "$argon2id$v=19$m=65536,t=0,p=1$" + salt + "$" + key, false},
		{"TimeAbsurd", "$argon2id$v=19$m=65536,t=65,p=1$" + salt + "$" + key, false},
		{"ThreadsZero", "$argon2id$v=19$m=65536,t=2,p=0$" + salt + "$" + key, false},
		{"Threads256", "$argon2id$v=19$m=65536,t=2,p=256$" + salt + "$" + key, false},
		{"PaddedBase64", "$argon2id$v=19$m=65536,t=2,p=1$" + salt + "=$" + key, false},
		{"URLBase64", "$argon2id$v=19$m=65536,t=2,p=1$" + salt + "$_" + key[1:], false},
		{"ShortSalt", "$argon2id$v=19$m=65536,t=2,p=1$c29tZQ$" + key, false},
		{"ShortKey", "$argon2id$v=19$m=65536,t=2,p=1$" + salt + "$CTFhFdXPJO1aFaMa", false},
		{"MissingKey", "$argon2id$v=19$m=65536,t=2,p=1$" + salt, false},
		{"TrailingField", referenceHash + "$", false},
		{"NoLeadingDollar", referenceHash[1:], false},
		{"NewlineInBase64", "$argon2id$v=19$m=65536,t=2,p=1$c29tZX\nNhbHQ$" + key, false},
		{"TrailingCR", referenceHash + "\r", false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, _, _, err := parsePHC(tt.s)
			if (err == nil) != tt.ok {
				t.Fatalf("parsePHC(%q) error = %v, want ok=%v", tt.s, err, tt.ok)
			}
		})
	}
}

// FuzzParsePHC: the parser never panics, accepts only what is within bounds,
// and accepts only the canonical form (what formatPHC writes back).
func FuzzParsePHC(f *testing.F) {
	f.Add(referenceHash)
	f.Add("$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc")
	f.Add("$argon2id$v=19$m=8,t=1,p=1$AAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAA")
	f.Add("$argon2id$v=19$m=,t=,p=$$")
	f.Add("$$$$$")
	f.Fuzz(func(t *testing.T, s string) {
		p, salt, key, err := parsePHC(s)
		if err != nil {
			if !errors.Is(err, ErrMalformedHash) {
				t.Fatalf("error %v is not ErrMalformedHash", err)
			}
			return
		}
		if p.Memory > maxMemory || p.Time < 1 || p.Time > maxTime || p.Threads < 1 || p.Memory < 8*uint32(p.Threads) {
			t.Fatalf("accepted out-of-range params %+v", p)
		}
		if len(salt) < minSaltLen || len(salt) > maxSaltLen || len(key) < minKeyLen || len(key) > maxKeyLen {
			t.Fatalf("accepted salt %d / key %d bytes", len(salt), len(key))
		}
		if back := formatPHC(p, salt, key); back != s {
			t.Fatalf("not canonical: %q formats back as %q", s, back)
		}
	})
}

// BenchmarkHash measures the production parameters: time and memory per hash.
func BenchmarkHash(b *testing.B) { benchmarkHash(b, DefaultParams) }

// BenchmarkHashFloor is the ASVS floor, for comparison.
func BenchmarkHashFloor(b *testing.B) { benchmarkHash(b, FloorParams) }

func benchmarkHash(b *testing.B, p Params) {
	h, err := NewHasher(p, 1)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := h.Hash(ctx, "correct horse battery staple"); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(b.Elapsed().Seconds()*1000/float64(b.N), "ms/op")
	b.ReportMetric(float64(p.Memory)/1024, "MiB-argon2/op")
}

package auth

import (
	"regexp"
	"strings"
	"testing"
)

func TestNewRecoveryCodes(t *testing.T) {
	codes, hashes := NewRecoveryCodes(0)
	if len(codes) != RecoveryCodeCount || len(hashes) != RecoveryCodeCount {
		t.Fatalf("got %d codes, %d hashes; want %d", len(codes), len(hashes), RecoveryCodeCount)
	}
	format := regexp.MustCompile(`^[2-9a-hjkm-z]{4}(-[2-9a-hjkm-z]{4}){3}$`)
	seen := map[string]bool{}
	for i, c := range codes {
		if !format.MatchString(c) {
			t.Errorf("code %q does not match %v", c, format)
		}
		if seen[c] {
			t.Errorf("code %q repeated", c)
		}
		seen[c] = true
		if j, ok := MatchRecoveryCode(c, hashes); !ok || j != i {
			t.Errorf("MatchRecoveryCode(codes[%d]) = %d, %v", i, j, ok)
		}
	}
	if codes, _ := NewRecoveryCodes(3); len(codes) != 3 {
		t.Errorf("NewRecoveryCodes(3) made %d", len(codes))
	}
	if len(recoveryAlphabet) != 32 || strings.ContainsAny(recoveryAlphabet, "01il") {
		t.Errorf("alphabet %q: want 32 symbols without 0, 1, i, l", recoveryAlphabet)
	}
}

func TestMatchRecoveryCode(t *testing.T) {
	const code = "k7mq-3xtp-9wfa-h2ce"
	other := HashRecoveryCode("2222-3333-4444-5555")
	hashes := [][]byte{other, HashRecoveryCode(code), HashRecoveryCode("oooo-oooo-oooo-oooo")}
	for _, tt := range []struct {
		name  string
		typed string
		index int
	}{
		{"Exact", code, 1},
		{"Upper", "K7MQ-3XTP-9WFA-H2CE", 1},
		{"Spaces", " k7mq 3xtp 9wfa h2ce ", 1},
		{"NoDashes", "k7mq3xtp9wfah2ce", 1},
		{"ZeroForO", "0000-oooo-OOOO-0o0o", 2},
		{"Wrong", "k7mq-3xtp-9wfa-h2cf", -1},
		{"Short", "k7mq-3xtp-9wfa-h2c", -1},
		{"Long", "k7mq-3xtp-9wfa-h2cee", -1},
		{"Ambiguous", "k7mq-3xtp-9wfa-h2c1", -1},
		{"NonASCII", "k7mq-3xtp-9wfa-h2cé", -1},
		{"Empty", "", -1},
		{"Huge", strings.Repeat("k", 10000), -1},
	} {
		t.Run(tt.name, func(t *testing.T) {
			i, ok := MatchRecoveryCode(tt.typed, hashes)
			if i != tt.index || ok != (tt.index >= 0) {
				t.Fatalf("MatchRecoveryCode(%q) = %d, %v; want %d", tt.typed, i, ok, tt.index)
			}
		})
	}
	// A code is used once: the store deletes its hash, and it matches no more.
	i, _ := MatchRecoveryCode(code, hashes)
	hashes = append(hashes[:i], hashes[i+1:]...)
	if _, ok := MatchRecoveryCode(code, hashes); ok {
		t.Fatal("a used code matched again")
	}
	if HashRecoveryCode("not a code") != nil {
		t.Fatal("HashRecoveryCode of garbage is not nil")
	}
	if _, ok := MatchRecoveryCode("garbage", [][]byte{nil}); ok {
		t.Fatal("garbage matched a nil hash")
	}
}

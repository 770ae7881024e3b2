package auth

import (
	"bytes"
	"crypto/sha256"
	"testing"
)

func TestNewToken(t *testing.T) {
	seen := make(map[string]bool)
	for range 1000 {
		tok := NewToken()
		if len(tok) != 22 || !WellFormedToken(tok) {
			t.Fatalf("NewToken() = %q: want 22 base64url characters", tok)
		}
		if seen[tok] {
			t.Fatalf("NewToken() repeated %q", tok)
		}
		seen[tok] = true
	}
}

func TestWellFormedToken(t *testing.T) {
	for _, tt := range []struct {
		s  string
		ok bool
	}{
		{"AAAAAAAAAAAAAAAAAAAAAA", true},
		{"abcdefghijklmnopqrs-_A", true},
		{"", false},
		{"AAAAAAAAAAAAAAAAAAAAA", false},
		{"AAAAAAAAAAAAAAAAAAAAAAA", false},
		{"AAAAAAAAAAAAAAAAAAAAAA==", false},
		{"AAAAAAAAAAAAAAAAAAAA+/", false},
		{"AAAAAAAAAAAAAAAAAAAAA\x00", false},
		{"AAAAAAAAAAAAAAAAAAAAAB", false}, // non-zero padding bits
	} {
		if got := WellFormedToken(tt.s); got != tt.ok {
			t.Errorf("WellFormedToken(%q) = %v, want %v", tt.s, got, tt.ok)
		}
	}
}

func TestTokenHash(t *testing.T) {
	tok := NewToken()
	want := sha256.Sum256([]byte(tok))
	if got := TokenHash(tok); !bytes.Equal(got, want[:]) {
		t.Fatalf("TokenHash = %x, want SHA-256 %x", got, want)
	}
	if bytes.Equal(TokenHash(tok), TokenHash(NewToken())) {
		t.Fatal("two tokens hash alike")
	}
}

package ticket_test

import (
	"crypto/ed25519"
	"errors"
	"strings"
	"testing"

	"github.com/amparo-project/amparo/ticket"
)

const (
	workshopA = "0123456789abcdef0123456789abcdef"
	workshopB = "fedcba9876543210fedcba9876543210"
)

func key(t testing.TB, seed byte) (ed25519.PublicKey, ed25519.PrivateKey) {
	t.Helper()
	priv := ed25519.NewKeyFromSeed([]byte(strings.Repeat(string(rune('a'+seed)), 32)))
	return priv.Public().(ed25519.PublicKey), priv
}

func TestVerify(t *testing.T) {
	pubA, privA := key(t, 0)
	pubB, privB := key(t, 1)
	good := ticket.Sign(privA, ticket.Ticket{WorkshopID: workshopA, Code: "K7M2QX"})
	got, err := ticket.Verify(pubA, workshopA, good)
	if err != nil || got.Code != "K7M2QX" || got.WorkshopID != workshopA {
		t.Fatalf("a genuine ticket: %+v, %v", got, err)
	}
	other := ticket.Sign(privB, ticket.Ticket{WorkshopID: workshopB, Code: "K7M2QX"})
	if _, err := ticket.Verify(pubA, workshopA, other); !errors.Is(err, ticket.ErrOtherWorkshop) {
		t.Errorf("another workshop's ticket: %v, want ErrOtherWorkshop", err)
	}
	// Signed by another key but naming this workshop: forged.
	forged := ticket.Sign(privB, ticket.Ticket{WorkshopID: workshopA, Code: "K7M2QX"})
	if _, err := ticket.Verify(pubA, workshopA, forged); !errors.Is(err, ticket.ErrForged) {
		t.Errorf("a ticket signed by another key: %v, want ErrForged", err)
	}
	// A genuine signature moved to another code: forged.
	moved := strings.Replace(good, ".K7M2QX.", ".K7M2QY.", 1)
	if _, err := ticket.Verify(pubA, workshopA, moved); !errors.Is(err, ticket.ErrForged) {
		t.Errorf("a code changed after signing: %v, want ErrForged", err)
	}
	if _, err := ticket.Verify(pubB, workshopB, other); err != nil {
		t.Errorf("workshop B's ticket with B's key: %v", err)
	}
	for _, bad := range []string{"", "AW1.", good[:len(good)-3], "AW2" + good[3:], strings.ToLower(good), good + ".x"} {
		if _, err := ticket.Verify(pubA, workshopA, bad); !errors.Is(err, ticket.ErrMalformed) {
			t.Errorf("Verify(%q) = %v, want ErrMalformed", bad, err)
		}
	}
}

func FuzzParse(f *testing.F) {
	_, priv := key(f, 0)
	good := ticket.Sign(priv, ticket.Ticket{WorkshopID: workshopA, Code: "K7M2QX"})
	f.Add(good)
	f.Add("AW1.")
	f.Add("AW1." + workshopA + ".ABCD.")
	f.Fuzz(func(t *testing.T, s string) {
		tk, sig, err := ticket.Parse(s)
		if err != nil {
			return
		}
		// What parses signs back to a text that parses to the same.
		if len(sig) != ed25519.SignatureSize {
			t.Fatalf("signature of %d bytes", len(sig))
		}
		again, _, err := ticket.Parse(ticket.Sign(priv, tk))
		if err != nil || again != tk {
			t.Fatalf("round trip of %+v: %+v, %v", tk, again, err)
		}
	})
}

package main_test

import (
	"strings"
	"testing"
)

type phoneJSON struct {
	LetterID string `json:"letter_id"`
	ClientID string `json:"client_id"`
	URL      string `json:"phone_url"`
	PIN      string `json:"pin"`
}

// TestLetterPhone: the phone link and PIN are the client's: a renewal keeps
// them, --new replaces them for every letter of the client, and --revoke
// stops them.
func TestLetterPhone(t *testing.T) {
	t.Parallel()
	data, signer := demoAttorney(t)
	d := []string{"--data", data}
	phone := func(args ...string) phoneJSON {
		t.Helper()
		return decode[phoneJSON](t, ok(t, append(append([]string{"letter", "phone"}, args...), append([]string{"--json"}, d...)...)...))
	}
	var active []letterJSON
	for _, l := range decode[[]letterJSON](t, ok(t, append([]string{"letter", "list", "--json"}, d...)...)) {
		if l.Status == "active" && l.MemberID == signer.member {
			active = append(active, l)
		}
	}
	if len(active) == 0 {
		t.Fatal("the demo attorney has no active letter")
	}
	old := active[0]
	first := phone(old.ID)
	if !strings.Contains(first.URL, "/p/") || len(first.PIN) != 6 || first.ClientID != old.ClientID {
		t.Fatalf("letter phone: %+v", first)
	}
	next := decode[letterJSON](t, ok(t, append([]string{"letter", "renew", old.ID, "--as", signer.email, "--code", signer.codes(t)(), "--json"}, d...)...))
	if got := phone(next.ID); got.URL != first.URL || got.PIN != first.PIN {
		t.Fatalf("after renewal the link is %+v, want the client's %+v", got, first)
	}
	fresh := phone(next.ID, "--new")
	if fresh.URL == first.URL || fresh.PIN == "" {
		t.Fatalf("--new kept the link: %+v", fresh)
	}
	if got := phone(old.ID); got.URL != fresh.URL || got.PIN != fresh.PIN {
		t.Fatalf("the old letter's client link after --new: %+v, want %+v", got, fresh)
	}
	if out := ok(t, append([]string{"letter", "phone", next.ID, "--revoke"}, d...)...); !strings.Contains(out, "no longer works") {
		t.Fatalf("--revoke: %q", out)
	}
	if _, _, code := amparo(t, nil, append([]string{"letter", "phone", next.ID, "--json"}, d...)...); code == 0 {
		t.Fatal("a revoked link is still shown")
	}
}

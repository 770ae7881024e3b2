package auth

import "testing"

// TestDevices: a device token is recognized for the account it was issued
// for alone (the email's case and spaces aside), and not once altered.
func TestDevices(t *testing.T) {
	d := &Devices{MAC: testMAC}
	tok := d.Issue("Rosa@Centro-Ejemplo.example")
	id, ok := d.device(" rosa@centro-ejemplo.example", tok)
	if !ok || len(id) != 2*deviceIDBytes {
		t.Fatalf("the token is not recognized for its account: %q %v", id, ok)
	}
	if again, _ := d.device("rosa@centro-ejemplo.example", d.Issue("rosa@centro-ejemplo.example")); again == id {
		t.Error("two browsers got the same device ID")
	}
	for _, tt := range []struct{ name, email, token string }{
		{"another account", "tomas@centro-ejemplo.example", tok},
		{"altered", "rosa@centro-ejemplo.example", flipFirst(tok)},
		{"cut", "rosa@centro-ejemplo.example", tok[:len(tok)-1]},
		{"empty", "rosa@centro-ejemplo.example", ""},
		{"garbage", "rosa@centro-ejemplo.example", "not a token at all!"},
	} {
		if _, ok := d.device(tt.email, tt.token); ok {
			t.Errorf("%s: recognized", tt.name)
		}
	}
	var none *Devices
	if _, ok := none.device("rosa@centro-ejemplo.example", tok); ok {
		t.Error("no Devices recognized a token")
	}
}

// flipFirst is s with its first character changed to another of base64url.
func flipFirst(s string) string {
	if s[0] == 'A' {
		return "B" + s[1:]
	}
	return "A" + s[1:]
}

// FuzzDevices: a cookie's value, whatever it is, is a device only if Issue
// made it for the email.
func FuzzDevices(f *testing.F) {
	d := &Devices{MAC: testMAC}
	f.Add("rosa@centro-ejemplo.example", d.Issue("rosa@centro-ejemplo.example"))
	f.Add("", "")
	f.Add("a@b.example", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")
	f.Fuzz(func(t *testing.T, email, token string) {
		if _, ok := d.device(email, token); ok {
			b, err := tokenEncoding.DecodeString(token)
			if err != nil || len(b) != 2*deviceIDBytes {
				t.Fatalf("recognized %q, which Issue cannot have made", token)
			}
		}
	})
}

package auth

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestCheckPassword(t *testing.T) {
	const email = "maria.lopez@example.org"
	for _, tt := range []struct {
		name     string
		password string
		context  []string
		code     string // "" for accepted
	}{
		{"Passphrase", "correct horse battery staple", []string{email}, ""},
		{"EightRandom", "k8#Tq2vZ", nil, ""},
		{"SpanishPhrase", "el perro de mi vecina canta", []string{email}, ""},
		{"Unicode", "ñandú azul en la pampa", nil, ""},
		{"Max", longPassword(MaxPasswordLen, "tortuga"), nil, ""},
		{"MaxMultibyte", longPassword(MaxPasswordLen, "ñandú"), nil, ""},
		{"Empty", "", nil, PasswordTooShort},
		{"Seven", "k8#Tq2v", nil, PasswordTooShort},
		{"SevenMultibyte", "ñññññññ", nil, PasswordTooShort},
		{"OverMax", longPassword(MaxPasswordLen+1, "tortuga"), nil, PasswordTooLong},
		{"Absurd", strings.Repeat("x", 1<<20), nil, PasswordTooLong},
		{"Password", "password", nil, PasswordCommon},
		{"PasswordCapitalized", "Password", nil, PasswordCommon},
		{"PasswordSuffix", "Password123!", nil, PasswordCommon},
		{"PasswordPrefix", "2024!password", nil, PasswordCommon},
		{"Leet", "P@ssw0rd", nil, PasswordCommon},
		{"LeetSuffix", "p4ssw0rd2024", nil, PasswordCommon},
		{"Digits", "12345678", nil, PasswordCommon},
		{"DigitsReversed", "87654321", nil, PasswordCommon},
		{"SameDigit", "00000000", nil, PasswordCommon},
		{"Qwerty", "qwertyuiop", nil, PasswordCommon},
		{"KeyboardColumns", "1qaz2wsx3edc", nil, PasswordCommon},
		{"ILoveYou", "iloveyou", nil, PasswordCommon},
		{"Contrasena", "contraseña", nil, PasswordCommon},
		{"ContrasenaDecomposed", "contrasen\u0303a", nil, PasswordCommon},
		{"ContrasenaYear", "Contraseña2024", nil, PasswordCommon},
		{"TeAmo", "TeAmo12345", nil, PasswordCommon},
		{"TeQuiero", "tequiero!!", nil, PasswordCommon},
		{"Futbol", "barcelona10", nil, PasswordCommon},
		{"Name", "guadalupe1", nil, PasswordCommon},
		{"Date", "01011990", nil, PasswordCommon},
		{"Repeat", "abcabcabc", nil, PasswordCommon},
		{"RepeatWord", "iloveyouiloveyou", nil, PasswordCommon},
		{"RepeatChar", "aaaaaaaaaaaaaaaa", nil, PasswordCommon},
		{"Amparo", "amparo es lo mejor", nil, PasswordContainsContext},
		{"AmparoLeet", "4mp4r0 rocks hard", nil, PasswordContainsContext},
		{"EmailLocal", "maria.lopez rocks", []string{email}, PasswordContainsContext},
		{"EmailPiece", "LopezFamily77!", []string{email}, PasswordContainsContext},
		{"NameContext", "MiNombreEsRosalind", []string{"Rosalind Franklin"}, PasswordContainsContext},
		{"ShortContextIgnored", "jo tiene buen cafe", []string{"jo@example.org"}, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckPassword(tt.password, tt.context...)
			var pe *PasswordError
			switch {
			case tt.code == "" && err != nil:
				t.Fatalf("CheckPassword(%q) = %v, want nil", tt.password, err)
			case tt.code != "" && (!errors.As(err, &pe) || pe.Code != tt.code):
				t.Fatalf("CheckPassword(%q) = %v, want code %s", tt.password, err, tt.code)
			}
		})
	}
}

// longPassword returns n characters of word and counting numbers, no two
// pieces alike.
func longPassword(n int, word string) string {
	var b strings.Builder
	for i := 0; utf8.RuneCountInString(b.String()) < n; i++ {
		fmt.Fprintf(&b, "%s %d ", word, i)
	}
	return string([]rune(b.String())[:n])
}

func TestCheckPassword_Limit(t *testing.T) {
	var pe *PasswordError
	if err := CheckPassword("short"); !errors.As(err, &pe) || pe.Limit != MinPasswordLen {
		t.Fatalf("too_short error = %#v, want Limit %d", err, MinPasswordLen)
	}
	if err := CheckPassword(strings.Repeat("x", 200)); !errors.As(err, &pe) || pe.Limit != MaxPasswordLen {
		t.Fatalf("too_long error = %#v, want Limit %d", err, MaxPasswordLen)
	}
}

func TestPasswordHint(t *testing.T) {
	for _, tt := range []struct {
		password, hint string
	}{
		{"k8#Tq2vZ", HintLonger},
		{"fourteen chars", HintLonger},
		{"fifteen chars!!", ""},
		{"correct horse battery staple", ""},
	} {
		if got := PasswordHint(tt.password); got != tt.hint {
			t.Errorf("PasswordHint(%q) = %q, want %q", tt.password, got, tt.hint)
		}
	}
}

func TestCommonPasswords_List(t *testing.T) {
	list := commonPasswords()
	if len(list) < 2000 {
		t.Fatalf("common password list has %d entries, want a few thousand", len(list))
	}
	for _, w := range []string{"123456", "password", "qwerty", "iloveyou", "contraseña", "teamo", "1q2w3e4r", "amparo"} {
		if _, ok := list[w]; !ok {
			t.Errorf("%q missing from the list", w)
		}
	}
	for w := range list {
		if w != strings.ToLower(w) {
			t.Errorf("%q is not lowercase: it could never match", w)
		}
	}
}

package auth

import (
	_ "embed"
	"strings"
	"sync"
	"unicode"
)

//go:embed common_passwords.txt
var commonPasswordsFile string

var commonPasswords = sync.OnceValue(func() map[string]struct{} {
	m := make(map[string]struct{}, 4096)
	for line := range strings.Lines(commonPasswordsFile) {
		line = strings.TrimSpace(line)
		if line != "" && !strings.HasPrefix(line, "#") {
			m[strings.ToLower(line)] = struct{}{}
		}
	}
	return m
})

// isCommon reports whether a lowercased, normalized password is on the list,
// or is a listed word dressed up the ways people dress them up and cracking
// tools undo first: digits or symbols before or after it ("Maria1987!"),
// l33t spellings ("p@ssw0rd"), or a short piece repeated ("abcabcabc").
func isCommon(pw string) bool {
	list := commonPasswords()
	in := func(s string) bool { _, ok := list[s]; return ok }
	core := strings.TrimFunc(pw, func(r rune) bool { return !unicode.IsLetter(r) })
	for _, s := range []string{pw, unleet(pw), core, unleet(core)} {
		if s != "" && in(s) {
			return true
		}
	}
	for _, s := range []string{pw, unleet(pw)} {
		if unit, ok := repeated(s); ok && (len([]rune(unit)) <= 4 || isCommon(unit)) {
			return true
		}
	}
	return false
}

// unleet undoes the usual letter-for-symbol swaps.
var unleet = strings.NewReplacer("@", "a", "4", "a", "3", "e", "1", "i", "!", "i", "0", "o", "$", "s", "5", "s", "7", "t", "+", "t").Replace

// repeated reports whether s is one piece written twice or more, and the piece.
func repeated(s string) (string, bool) {
	r := []rune(s)
	for n := 1; n <= len(r)/2; n++ {
		if len(r)%n != 0 {
			continue
		}
		unit := string(r[:n])
		if strings.Repeat(unit, len(r)/n) == s {
			return unit, true
		}
	}
	return "", false
}

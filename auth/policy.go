package auth

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Password length limits, in characters (Unicode code points after NFKC
// normalization), per OWASP ASVS 5.0 and NIST SP 800-63B: at least 8, 15 or
// more recommended, at least 64 allowed. There are no composition rules: a
// long phrase of plain words is a good password.
const (
	MinPasswordLen         = 8
	RecommendedPasswordLen = 15
	MaxPasswordLen         = 128
)

// Password error codes, for the web layer to translate.
const (
	PasswordTooShort        = "too_short"
	PasswordTooLong         = "too_long"
	PasswordCommon          = "common"
	PasswordContainsContext = "contains_context"
)

// PasswordError is a password the policy refuses. Code is one of the
// Password* codes; Limit is the length limit broken, for too_short and
// too_long.
type PasswordError struct {
	Code  string
	Limit int
}

func (e *PasswordError) Error() string { return "auth: password refused: " + e.Code }

// contextAlways are words no Amparo password may contain.
var contextAlways = []string{"amparo"}

// minContextLen is the shortest context word checked: refusing every password
// that contains "jo" or "li" would refuse good passphrases for nothing.
const minContextLen = 4

// CheckPassword applies the password policy to a new password. context holds
// what an attacker aiming at this account would try first: the account's
// email address (its local part and the pieces of it are used) and names.
// "amparo" is always included. The first rule broken is returned as a
// *PasswordError; nil means the password is acceptable.
func CheckPassword(password string, context ...string) error {
	if len(password) > MaxPasswordBytes {
		return &PasswordError{Code: PasswordTooLong, Limit: MaxPasswordLen}
	}
	pw := norm.NFKC.String(password)
	n := utf8.RuneCountInString(pw)
	switch {
	case n < MinPasswordLen:
		return &PasswordError{Code: PasswordTooShort, Limit: MinPasswordLen}
	case n > MaxPasswordLen:
		return &PasswordError{Code: PasswordTooLong, Limit: MaxPasswordLen}
	}
	lower := strings.ToLower(pw)
	if isCommon(lower) {
		return &PasswordError{Code: PasswordCommon}
	}
	for _, w := range contextWords(context) {
		if strings.Contains(lower, w) || strings.Contains(unleet(lower), w) {
			return &PasswordError{Code: PasswordContainsContext}
		}
	}
	return nil
}

// PasswordHint is advice on an acceptable password, for the page to show
// while or after it is typed: "" when there is none, or HintLonger when the
// password is shorter than RecommendedPasswordLen.
func PasswordHint(password string) string {
	if utf8.RuneCountInString(norm.NFKC.String(password)) < RecommendedPasswordLen {
		return HintLonger
	}
	return ""
}

// HintLonger is the PasswordHint code for "a longer password is stronger".
const HintLonger = "longer_recommended"

// contextWords returns the lowercase words of context worth checking: each
// string, an email address's local part instead of the whole address, and
// the pieces of either split at punctuation.
func contextWords(context []string) []string {
	words := append([]string(nil), contextAlways...)
	add := func(w string) {
		w = strings.ToLower(strings.TrimSpace(norm.NFKC.String(w)))
		if utf8.RuneCountInString(w) >= minContextLen {
			words = append(words, w)
		}
	}
	for _, c := range context {
		if local, _, ok := strings.Cut(c, "@"); ok {
			c = local
		}
		add(c)
		parts := strings.FieldsFunc(c, func(r rune) bool {
			return !unicode.IsLetter(r) && !unicode.IsDigit(r)
		})
		if len(parts) > 1 {
			for _, p := range parts {
				add(p)
			}
		}
	}
	return words
}

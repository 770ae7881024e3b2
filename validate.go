package amparo

import (
	"errors"
	"net/mail"
	"regexp"
	"strings"
	"unicode/utf8"
)

// checker collects every problem of a record, so a form can show them all at
// once; Validate methods return them joined (ErrorField gives the first).
type checker struct{ problems []error }

// add records a problem of field: its catalog key ("invalid.*"), its
// English message for logs and the command line, and the arguments of both.
func (c *checker) add(field, key, format string, args ...any) {
	c.problems = append(c.problems, Invalid(field, format, args...).Localize(key, args...))
}

func (c *checker) err() error { return errors.Join(c.problems...) }

func (c *checker) required(field, v string) {
	if strings.TrimSpace(v) == "" {
		c.add(field, "invalid.required", "is required")
	}
}

func (c *checker) maxLen(field, v string, n int) {
	if utf8.RuneCountInString(v) > n {
		c.add(field, "invalid.too_long", "must be at most %d characters", n)
	}
}

func (c *checker) text(field, v string, n int, required bool) {
	if required {
		c.required(field, v)
	}
	c.maxLen(field, v, n)
	if strings.ContainsFunc(v, func(r rune) bool { return r < 0x20 && r != '\n' && r != '\t' }) {
		c.add(field, "invalid.control", "must not contain control characters")
	}
}

var phonePattern = regexp.MustCompile(`^\+?[0-9][0-9 ().-]{5,24}$`)

// IsPhone reports whether s is written as a phone number: digits, spaces,
// dots, dashes and parentheses, maybe a leading +.
func IsPhone(s string) bool { return phonePattern.MatchString(s) }

// IsEmail reports whether s is one plain email address.
func IsEmail(s string) bool {
	a, err := mail.ParseAddress(s)
	return err == nil && a.Address == s
}

func (c *checker) phone(field, v string, required bool) {
	if v == "" {
		if required {
			c.add(field, "invalid.required", "is required")
		}
		return
	}
	if !IsPhone(v) {
		c.add(field, "invalid.phone", "must be a phone number, such as +1 213 555 0100")
	}
}

func (c *checker) email(field, v string) {
	if v == "" {
		return
	}
	if !IsEmail(v) {
		c.add(field, "invalid.email", "must be an email address, such as name@example.org")
	}
}

var languagePattern = regexp.MustCompile(`^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$`)

func (c *checker) languages(field string, langs []string, required bool) {
	if required && len(langs) == 0 {
		c.add(field, "invalid.languages_none", "needs at least one language")
	}
	for _, l := range langs {
		if !languagePattern.MatchString(l) {
			c.add(field, "invalid.languages", "has %q, which is not a language code such as en or es", l)
		}
	}
}

func (c *checker) language(field, l string) {
	if l == "" {
		c.add(field, "invalid.required", "is required")
	} else if !languagePattern.MatchString(l) {
		c.add(field, "invalid.language", "must be a language code such as en or es")
	}
}

func (c *checker) nonNegative(field string, n int) {
	if n < 0 {
		c.add(field, "invalid.negative", "must not be negative")
	}
}

func (c *checker) oneOf(field, v string, allowed ...string) { oneOf(c, field, v, allowed...) }

// oneOf is checker.oneOf for any named string type (a status, a kind).
func oneOf[T ~string](c *checker, field string, v T, allowed ...T) {
	names := make([]string, len(allowed))
	for i, a := range allowed {
		if v == a {
			return
		}
		names[i] = string(a)
	}
	c.add(field, "invalid.one_of", "must be one of %s", strings.Join(names, ", "))
}

func (c *checker) country(field, v string, required bool) {
	if v == "" {
		if required {
			c.add(field, "invalid.required", "is required")
		}
		return
	}
	if len(v) != 2 || v[0] < 'A' || v[0] > 'Z' || v[1] < 'A' || v[1] > 'Z' {
		c.add(field, "invalid.country", "must be a two-letter country code such as SV or HT")
	}
}

package notify

import (
	"strings"
	"unicode"
)

// KeywordKind is what an inbound SMS asks for.
type KeywordKind int

const (
	NoKeyword     KeywordKind = iota
	OptOutKeyword             // stop non-emergency messages to this number
	OptInKeyword              // start them again
	HelpKeyword               // answer how to reach the program
)

// Keyword is a matched keyword and the language it is a word of.
type Keyword struct {
	Kind KeywordKind
	Lang string
}

// keywords are matched as the whole message, in any case, with spaces
// and final punctuation ignored, as carriers do: "stop", " Stop! " match;
// "don't stop" does not. The alert keywords are never among them.
var keywords = map[string]Keyword{
	"STOP": {OptOutKeyword, "en"}, "UNSUBSCRIBE": {OptOutKeyword, "en"}, "END": {OptOutKeyword, "en"},
	"QUIT": {OptOutKeyword, "en"}, "STOPALL": {OptOutKeyword, "en"}, "REVOKE": {OptOutKeyword, "en"},
	"OPTOUT": {OptOutKeyword, "en"}, "CANCEL": {OptOutKeyword, "en"},
	"ALTO": {OptOutKeyword, "es"}, "PARAR": {OptOutKeyword, "es"}, "BAJA": {OptOutKeyword, "es"},
	"START": {OptInKeyword, "en"}, "UNSTOP": {OptInKeyword, "en"}, "ALTA": {OptInKeyword, "es"},
	"HELP": {HelpKeyword, "en"}, "AYUDA": {HelpKeyword, "es"},
}

// IsOptOutWord reports whether word is one of the STOP family, for
// checking that a configured keyword (an alert's) is not.
func IsOptOutWord(word string) bool { return MatchKeyword(word).Kind == OptOutKeyword }

// MatchKeyword returns the keyword an inbound SMS body is, or NoKeyword.
func MatchKeyword(body string) Keyword {
	w := bareWord(body)
	if len(w) > 16 {
		return Keyword{}
	}
	return keywords[strings.ToUpper(w)]
}

// bareWord is body without the spaces and punctuation around it, which
// carriers ignore in a keyword ("¿ ayuda?", " Stop! "), and so do the
// replies to alerts and reminders.
func bareWord(body string) string {
	return strings.TrimFunc(body, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsPunct(r) })
}

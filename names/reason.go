package names

import (
	"strings"
)

// Reason is one piece of evidence behind a score, in no language yet: the
// key of a message of the locale catalog ("names.why.*") and its
// arguments (names as written, dates), so that each reviewer reads it in
// theirs.
type Reason struct {
	Code   string `json:"code"`   // stable, for programs: "surname_sound", "birth_differs"...
	Effect string `json:"effect"` // "for", "against" or "neutral" the same person
	Key    string `json:"key"`    // the catalog key of the words
	Args   []any  `json:"args,omitempty"`
}

const (
	effFor     = "for"
	effAgainst = "against"
	effNeutral = "neutral"
)

// because is a reason whose words are the catalog's "names.why."+key.
func because(code, effect, key string, args ...any) Reason {
	return Reason{Code: code, Effect: effect, Key: "names.why." + key, Args: args}
}

func role(given bool) string {
	if given {
		return "given"
	}
	return "surname"
}

// pairReason explains the score of two paired words.
func pairReason(a, b *Word, given bool, k simKind) Reason {
	c := role(given)
	x, y := a.show(), b.show()
	pair := func(code, effect, key string) Reason { return because(c+"_"+code, effect, c+"_"+key, x, y) }
	switch k {
	case kSame:
		if x == y {
			return because(c+"_same", effFor, c+"_identical", x)
		}
		return pair("same", effFor, "same")
	case kSound:
		return pair("sound", effFor, "sound")
	case kJoined:
		return pair("joined", effFor, "joined")
	case kNick:
		n, _ := nickOf(a.Text, b.Text)
		return because(c+"_nickname", effFor, c+"_nickname", x, y, n)
	case kInitial:
		return pair("initial", effFor, "initial")
	case kTypo1:
		return pair("typo", effFor, "typo1")
	case kTypo2:
		return pair("typo", effFor, "typo2")
	case kGuard:
		return pair("first_sound", effAgainst, "first_sound")
	case kGender:
		return pair("gender", effAgainst, "gender")
	case kKnownDiff:
		return pair("different", effAgainst, "known_different")
	case kExtends:
		return pair("different", effAgainst, "extends")
	}
	return pair("different", effAgainst, "different")
}

// missingReason explains a word only one name has.
func missingReason(w *Word, given bool, place int) Reason {
	x := w.show()
	switch {
	case given:
		return because("given_missing", effNeutral, "given_missing", x)
	case place == 0:
		return because("surname_first_missing", effAgainst, "surname_first_missing", x)
	}
	return because("surname_second_missing", effNeutral, "surname_second_missing", x)
}

func missingRoleReason(given bool) Reason {
	if given {
		return because("given_none", effAgainst, "given_none")
	}
	return because("surname_none", effAgainst, "surname_none")
}

func orderReason(given bool) Reason {
	if given {
		return because("given_order", effNeutral, "given_order")
	}
	return because("surname_order", effAgainst, "surname_order")
}

// readAs explains a less likely reading that was taken.
func readAs(n *Name, r reading) Reason {
	show := func(ws []Word) string {
		s := make([]string, len(ws))
		for i := range ws {
			s[i] = ws[i].show()
		}
		return strings.Join(s, " ")
	}
	return because("reading", effNeutral, "reading", show(n.words), show(r.given), show(r.surnames))
}

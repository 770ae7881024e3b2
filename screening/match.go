package screening

import (
	"fmt"
	"strings"
	"unicode"

	"github.com/amparo-project/amparo"
)

// MatchAlgorithm names the matcher's lists, weights and thresholds. Callers
// record it with every screening; any change that can change a score or a
// decision bumps it. amparo-company-2 added weak typos (possible at most),
// typos of generic words, initials of words ("U.S."), misspelt or cut legal
// forms, legal forms of more countries and their kinds, places, words that
// differ on each side, and the series number on one side only.
// amparo-company-3 added Cyrillic and Greek written in Latin letters, other
// names after "d/b/a" or a slash, names compared without their spaces
// ("Tech Corp", "TechCorp"), typos of three-letter words beside a shared
// distinctive word (possible at most), a legal form misspelt against the
// other's ("AkG", "AG"), a non-profit against a company, the first of a
// series named without its number (possible at most), acronyms beside
// places ("PLA China"), shared initials beside a name on one side only,
// words of the state as generic, and "United States" read as "U.S.".
// amparo-company-4 reads ordinals written out as numbers ("First",
// "Segunda": "1st", "2a") and drops a Cyrillic sign without a sound that
// stands alone.
// A screening records the version it used: one made with an older version
// keeps its recorded results and explanations, and is reproduced only by a
// build of its version (Service.Reproduce says so).
const MatchAlgorithm = "amparo-company-4"

// Scores from which a comparison decides: at or above MatchThreshold the
// two are taken for one company; at or above PossibleThreshold a person
// reviews the hit. PossibleThreshold is the default screening threshold.
const (
	MatchThreshold    = 0.85
	PossibleThreshold = 0.70
)

// MatchDecision is what a score means for a reviewer.
type MatchDecision int

const (
	MatchNo MatchDecision = iota
	MatchPossible
	MatchYes
)

func (d MatchDecision) String() string {
	switch d {
	case MatchYes:
		return "match"
	case MatchPossible:
		return "possible"
	}
	return "no match"
}

// Key is the decision's catalog key: "screen.match.decision.match"...
func (d MatchDecision) Key() string {
	return "screen.match.decision." + strings.ReplaceAll(d.String(), " ", "_")
}

func (d MatchDecision) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

func decide(score float64) MatchDecision {
	switch {
	case score >= MatchThreshold:
		return MatchYes
	case score >= PossibleThreshold:
		return MatchPossible
	}
	return MatchNo
}

// Result is the outcome of comparing two companies.
type Result struct {
	Score    float64       `json:"score"`
	Decision MatchDecision `json:"decision"`
	Features []Feature     `json:"features"`
}

// Feature is one piece of evidence, in no language yet: the catalog key of
// its words ("screen.match.*"), their arguments (names as written), and its
// weight: what it added to the score (negative: what it took away; 0: said
// for the reader, without effect).
type Feature struct {
	Key    string  `json:"key"`
	Args   []any   `json:"args,omitempty"`
	Weight float64 `json:"weight"`
}

func feature(key string, weight float64, args ...any) Feature {
	return Feature{Key: "screen.match." + key, Args: args, Weight: weight}
}

// Company is what the matcher compares: names (the first is the main one;
// aliases and previous names follow) and identifiers.
type Company struct {
	Names []string
	IDs   []CompanyID
}

// CompanyIDKind is a type of company identifier.
type CompanyIDKind string

const (
	CompanyUEI       CompanyIDKind = "uei"        // SAM.gov Unique Entity ID: 12 letters and digits
	CompanyDUNS      CompanyIDKind = "duns"       // Dun & Bradstreet: 9 digits
	CompanyEIN       CompanyIDKind = "ein"        // IRS employer identification number: NN-NNNNNNN
	CompanyCALicense CompanyIDKind = "ca_license" // California contractor licence (CSLB): up to 8 digits
	CompanyStateReg  CompanyIDKind = "state_reg"  // a state's business registration: "TX:0801234567"
)

// CompanyIDKinds lists the kinds, in the order explanations name them.
var CompanyIDKinds = []CompanyIDKind{CompanyUEI, CompanyDUNS, CompanyEIN, CompanyCALicense, CompanyStateReg}

// CompanyID is an identifier of a company, in its canonical form (as
// ParseCompanyID gives it).
type CompanyID struct {
	Kind  CompanyIDKind `json:"kind"`
	Value string        `json:"value"`
}

func (id CompanyID) String() string { return string(id.Kind) + ":" + id.Value }

// ParseCompanyID checks an identifier of kind and returns it in canonical
// form: upper case, without spaces or dashes (an EIN keeps its one dash, a
// state registration its state: "TX:0801234567"). It returns an EINVALID
// error naming the kind and what is wrong.
func ParseCompanyID(kind CompanyIDKind, s string) (CompanyID, error) {
	raw := strings.TrimSpace(s)
	compact := strings.Map(func(r rune) rune {
		if r == ' ' || r == '-' || r == '.' {
			return -1
		}
		return unicode.ToUpper(r)
	}, raw)
	bad := func(key, format string, args ...any) (CompanyID, error) {
		return CompanyID{}, &amparo.Error{Code: amparo.EINVALID, Field: string(kind),
			Message: fmt.Sprintf(format, args...), Key: "screen.match.id_invalid." + key, Args: args}
	}
	switch kind {
	case CompanyUEI:
		// One rule with the registry's and the vendors' records.
		if _, err := amparo.CanonicalIdentifier(amparo.RegistryUEI, compact); err != nil {
			return bad("uei", "a UEI is 12 letters and digits, not %q", raw)
		}
		return CompanyID{kind, compact}, nil
	case CompanyDUNS:
		if len(compact) != 9 || !isDigits(compact) {
			return bad("duns", "a DUNS number is 9 digits, not %q", raw)
		}
		return CompanyID{kind, compact}, nil
	case CompanyEIN:
		if len(compact) != 9 || !isDigits(compact) || compact[:2] == "00" {
			return bad("ein", "an EIN is 9 digits written NN-NNNNNNN, not %q", raw)
		}
		return CompanyID{kind, compact[:2] + "-" + compact[2:]}, nil
	case CompanyCALicense:
		if len(compact) == 0 || len(compact) > 8 || !isDigits(compact) {
			return bad("ca_license", "a California contractor licence is up to 8 digits, not %q", raw)
		}
		return CompanyID{kind, strings.TrimLeft(compact, "0")}, nil
	case CompanyStateReg:
		state, num, ok := strings.Cut(strings.ToUpper(raw), ":")
		state = strings.TrimSpace(state)
		num = strings.Map(func(r rune) rune {
			if r == ' ' || r == '-' || r == '.' {
				return -1
			}
			return r
		}, num)
		if !ok || len(state) != 2 || !letters(state) || num == "" || len(num) > 20 || !alnum(num) {
			return bad("state_reg", "a state registration is the state and the number, as TX:0801234567, not %q", raw)
		}
		return CompanyID{kind, state + ":" + num}, nil
	}
	return bad("kind", "unknown identifier kind %q", string(kind))
}

func alnum(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'A' && c <= 'Z') {
			return false
		}
	}
	return true
}

func letters(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 'A' || s[i] > 'Z' {
			return false
		}
	}
	return true
}

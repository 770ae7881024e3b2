package names

import (
	"math"
	"time"
)

// Scores from which Score decides: at or above MatchAt two people are taken
// for one; at or above PossibleAt a reviewer must look.
const (
	MatchAt    = 0.88
	PossibleAt = 0.75
)

// Decision is what a score means for a reviewer.
type Decision int

const (
	NoMatch Decision = iota
	Possible
	Match
)

func (d Decision) String() string {
	switch d {
	case Match:
		return "match"
	case Possible:
		return "possible"
	}
	return "no match"
}

// Spanish is the decision in Spanish.
func (d Decision) Spanish() string {
	switch d {
	case Match:
		return "coincide"
	case Possible:
		return "posible"
	}
	return "no coincide"
}

func (d Decision) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// Person is a name and, when known, a date of birth.
type Person struct {
	Name  Name
	Birth time.Time // zero when unknown; only the date counts
}

// NewPerson parses name.
func NewPerson(name string, birth time.Time) Person { return Person{Name: Parse(name), Birth: birth} }

// Result is the outcome of comparing two people.
type Result struct {
	Score    float64  `json:"score"`
	Decision Decision `json:"decision"`
	Reasons  []Reason `json:"reasons"`
}

// Weights of the evidence, as factors of a score that starts at 1.
const (
	missingGiven     = 0.92 // a second given name only one name has
	missingSecondSur = 0.95 // a second surname only one name has: weak
	missingFirstSur  = 0.86 // only the second surname given: Fernando Noriega
	missingRole      = 0.70 // no given name, or no surname, on one side
	givenOrder       = 0.97
	surnameOrder     = 0.90
	altReading       = 0.92 // a less likely split of given names and surnames
	unpaired         = 0.50 // a word of each name that pairs with nothing
	birthNear        = 0.85 // dates one typo apart
	birthDiffers     = 0.60 // a strong sign of two people
)

// Score compares two people. The names are compared word by word under each
// reading of which words are given names and which surnames; the best
// reading counts. A word pair scores 1 when equal after folding, 0.95 when
// equal in sound, 0.9 for a nickname, less for typos, and little when the
// words start with a different sound (Hernández, Fernández) or are two
// different common names (María, Marta). Words only one name has weigh
// little. Then the dates of birth: the same date raises the score, and with
// a shared surname the pair is always at least Possible; a different date
// multiplies the score by 0.6, so the same name alone is no match.
func Score(a, b Person) Result { return compare(a, b, true) }

// Decide is Score without the reasons: the cheap way to sift many
// candidates, explaining only those a reviewer will see.
func Decide(a, b Person) (float64, Decision) {
	r := compare(a, b, false)
	return r.Score, r.Decision
}

func compare(a, b Person, explain bool) Result {
	if len(a.Name.words) == 0 || len(b.Name.words) == 0 {
		return Result{Decision: NoMatch, Reasons: []Reason{because("empty", effNeutral, "empty")}}
	}
	var m matcher
	for i := range m.dist {
		for j := range m.dist[i] {
			m.dist[i][j] = -1
		}
	}
	best, bi, bj := -1.0, 0, 0
	for i, ra := range a.Name.readings {
		for j, rb := range b.Name.readings {
			if ra.alt && rb.alt {
				continue // one name read its likely way is enough
			}
			s := m.reading(ra, rb, nil)
			if s > best+1e-9 {
				best, bi, bj = s, i, j
			}
		}
	}
	var reasons []Reason
	say := func(r Reason) {
		if explain {
			reasons = append(reasons, r)
		}
	}
	ra, rb := a.Name.readings[bi], b.Name.readings[bj]
	s := best
	if explain {
		s = m.reading(ra, rb, &reasons)
		for _, x := range []struct {
			r reading
			n *Name
		}{{ra, &a.Name}, {rb, &b.Name}} {
			if x.r.alt {
				reasons = append(reasons, readAs(x.n, x.r))
			}
		}
	}

	switch ya, yb, rel := dates(a.Birth, b.Birth); rel {
	case dateSame:
		s += (1 - s) / 2
		if explain {
			say(because("birth_same", effFor, "birth_same", ya))
		}
		if s < PossibleAt && m.surnameHit(ra, rb) {
			s = PossibleAt
			say(because("birth_and_surname", effFor, "birth_and_surname"))
		}
	case dateNear:
		s *= birthNear
		if explain {
			say(because("birth_typo", effAgainst, "birth_typo", ya, yb))
		}
	case dateDiffers:
		s *= birthDiffers
		if explain {
			say(because("birth_differs", effAgainst, "birth_differs", ya, yb))
		}
	default:
		say(because("birth_unknown", effNeutral, "birth_unknown"))
	}
	s = math.Round(s*1000) / 1000
	d := NoMatch
	switch {
	case s >= MatchAt:
		d = Match
	case s >= PossibleAt:
		d = Possible
	}
	return Result{Score: s, Decision: d, Reasons: reasons}
}

// matcher compares the words of two names, remembering word scores.
type matcher struct {
	done [maxWords][maxWords][2]bool
	sims [maxWords][maxWords][2]float64
	kind [maxWords][maxWords][2]simKind
	dist [maxWords][maxWords]int8 // typos between the words; -1 until known
}

func (m *matcher) sim(x, y *Word, given bool) (float64, simKind) {
	g := 0
	if given {
		g = 1
	}
	if !m.done[x.pos][y.pos][g] {
		m.sims[x.pos][y.pos][g], m.kind[x.pos][y.pos][g] = wordSim(x, y, given, &m.dist[x.pos][y.pos])
		m.done[x.pos][y.pos][g] = true
	}
	return m.sims[x.pos][y.pos][g], m.kind[x.pos][y.pos][g]
}

// reading scores one reading of each name; with out, it explains.
func (m *matcher) reading(ra, rb reading, out *[]Reason) float64 {
	s := m.list(ra.given, rb.given, true, out) * m.list(ra.surnames, rb.surnames, false, out)
	// Every word of the shorter name should pair with one of the longer:
	// when both keep words unpaired, those words differ rather than miss.
	pairs := 0
	if len(ra.given) > 0 && len(rb.given) > 0 {
		pairs += min(len(ra.given), len(rb.given))
	}
	if len(ra.surnames) > 0 && len(rb.surnames) > 0 {
		pairs += min(len(ra.surnames), len(rb.surnames))
	}
	na, nb := len(ra.given)+len(ra.surnames), len(rb.given)+len(rb.surnames)
	for range min(na, nb) - pairs {
		s *= unpaired
	}
	if out != nil && min(na, nb) > pairs {
		*out = append(*out, because("unpaired", effAgainst, "unpaired"))
	}
	if ra.alt {
		s *= altReading
	}
	if rb.alt {
		s *= altReading
	}
	return s
}

// surnameHit reports whether a surname of one reading is close to a surname
// of the other.
func (m *matcher) surnameHit(ra, rb reading) bool {
	for i := range ra.surnames {
		for j := range rb.surnames {
			if s, _ := m.sim(&ra.surnames[i], &rb.surnames[j], false); s >= 0.85 {
				return true
			}
		}
	}
	return false
}

// list pairs the given names (or surnames) of two names: every word of the
// shorter list with a word of the longer, the best pairing winning; words
// left over are missing from one name.
func (m *matcher) list(a, b []Word, given bool, out *[]Reason) float64 {
	if len(a) == 0 && len(b) == 0 {
		return 1
	}
	if len(a) == 0 || len(b) == 0 {
		if out != nil {
			*out = append(*out, missingRoleReason(given))
		}
		return missingRole
	}
	p := pairing{m: m, given: given, short: a, long: b, best: -1}
	if len(a) > len(b) {
		p.short, p.long, p.flip = b, a, true
	}
	p.try(0, 1)
	if out != nil {
		var used [maxWords]bool
		for i := range p.short {
			j := p.bestPick[i]
			used[j] = true
			x, y := p.words(i, j)
			_, k := m.sim(x, y, given)
			*out = append(*out, pairReason(x, y, given, k))
		}
		m.leftover(p.long, used[:len(p.long)], given, out)
		if !monotone(p.bestPick[:len(p.short)]) {
			*out = append(*out, orderReason(given))
		}
	}
	return p.best
}

// pairing searches the pairings of two short lists of words.
type pairing struct {
	m           *matcher
	given, flip bool
	short, long []Word
	pick        [maxWords]int
	used        [maxWords]bool
	best        float64
	bestPick    [maxWords]int
}

func (p *pairing) words(i, j int) (*Word, *Word) {
	if p.flip {
		return &p.long[j], &p.short[i]
	}
	return &p.short[i], &p.long[j]
}

func (p *pairing) try(i int, s float64) {
	if s <= p.best {
		return // cannot beat the best: factors are at most 1
	}
	if i == len(p.short) {
		s *= p.m.leftover(p.long, p.used[:len(p.long)], p.given, nil)
		if !monotone(p.pick[:len(p.short)]) {
			s *= orderFactor(p.given)
		}
		if s > p.best {
			p.best, p.bestPick = s, p.pick
		}
		return
	}
	for j := range p.long {
		if p.used[j] {
			continue
		}
		x, y := p.words(i, j)
		v, _ := p.m.sim(x, y, p.given)
		p.used[j], p.pick[i] = true, j
		p.try(i+1, s*v)
		p.used[j] = false
	}
}

// leftover weighs the words of the longer list that found no pair.
func (m *matcher) leftover(long []Word, used []bool, given bool, out *[]Reason) float64 {
	f := 1.0
	for j := range long {
		if used[j] {
			continue
		}
		switch {
		case given:
			f *= missingGiven
		case j == 0:
			f *= missingFirstSur
		default:
			f *= missingSecondSur
		}
		if out != nil {
			*out = append(*out, missingReason(&long[j], given, j))
		}
	}
	return f
}

func monotone(p []int) bool {
	for i := 1; i < len(p); i++ {
		if p[i] < p[i-1] {
			return false
		}
	}
	return true
}

func orderFactor(given bool) float64 {
	if given {
		return givenOrder
	}
	return surnameOrder
}

// BirthsRuleOut reports whether two dates of birth alone make two people
// no match, whatever their names: both known and more than a typo apart,
// the score is at most birthDiffers, under PossibleAt. A store sifting
// many candidates can skip reading the others' names.
func BirthsRuleOut(a, b time.Time) bool {
	_, _, rel := dates(a, b)
	return rel == dateDiffers && birthDiffers < PossibleAt
}

type dateRel int

const (
	dateUnknown dateRel = iota
	dateSame
	dateNear
	dateDiffers
)

// dates compares two dates of birth. Near means one typo apart: one digit
// wrong, two adjacent digits swapped, or day and month swapped.
func dates(a, b time.Time) (string, string, dateRel) {
	if a.IsZero() || b.IsZero() {
		return "", "", dateUnknown
	}
	x, y := a.Format("2006-01-02"), b.Format("2006-01-02")
	if x == y {
		return x, y, dateSame
	}
	var diff []int
	for i := 0; i < len(x); i++ {
		if x[i] != y[i] {
			diff = append(diff, i)
		}
	}
	switch {
	case len(diff) == 1,
		len(diff) == 2 && diff[1] == diff[0]+1 && x[diff[0]] == y[diff[1]] && x[diff[1]] == y[diff[0]],
		a.Year() == b.Year() && int(a.Month()) == b.Day() && a.Day() == int(b.Month()):
		return x, y, dateNear
	}
	return x, y, dateDiffers
}

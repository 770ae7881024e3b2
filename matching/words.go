package matching

import (
	"cmp"
	"slices"

	"github.com/amparo-project/amparo/locale"
)

// Reason is one thing a proposal says, in no language yet: the key of a
// message of the locale catalog ("match.why.*") and its arguments, so that
// each reader reads it in theirs. A Language argument is shown by its
// name, through the catalog key "language.CODE".
type Reason struct {
	Key  string
	Args []any
}

// Language is a language code among a Reason's arguments, and Area an
// area: each is shown in the reader's language.
type (
	Language string
	Area     string
)

// Text is the reason in lang, in the words of cat.
func (r Reason) Text(cat *locale.Catalog, lang string) string {
	args := make([]any, len(r.Args))
	for i, a := range r.Args {
		switch a := a.(type) {
		case Language:
			key := "language." + cmp.Or(string(a), "none")
			name := cat.T(lang, key)
			if name == key {
				name = string(a) // a code the catalog does not name
			}
			args[i] = name
		case Area:
			args[i] = cmp.Or(string(a), cat.T(lang, "match.area.none"))
		default:
			args[i] = a
		}
	}
	return cat.T(lang, r.Key, args...)
}

func why(key string, args ...any) Reason { return Reason{Key: "match.why." + key, Args: args} }

// whyMatch says why a pair was proposed.
func whyMatch(a Applicant, m Member, interpreter bool, load int) []Reason {
	out := make([]Reason, 0, 5)
	if interpreter {
		out = append(out, why("interpreter", Language(a.Language)))
	} else {
		out = append(out, why("speaks", Language(a.Language)))
	}
	if slices.Contains(m.Areas, a.Area) {
		out = append(out, why("area", Area(a.Area)))
	} else {
		out = append(out, why("every_area"))
	}
	return append(out, why("room", load, m.Capacity), why("no_conflict"), why("weight", a.Weight))
}

// whyWaiting says why an applicant is left waiting, most specific first.
func (p *Problem) whyWaiting(a Applicant, c *class, used []int, orgUsed map[string]int, served int, limit int64) Reason {
	if len(c.options) == 0 {
		var inArea, speak, conflict int
		for _, m := range p.Members {
			if !(slices.Contains(m.Areas, a.Area) || slices.Contains(m.Areas, "*")) {
				continue
			}
			inArea++
			if slices.Contains(m.Languages, a.Language) || (a.InterpreterOK && m.Interpreter) {
				speak++
				if c.conflicts[m.ID] {
					conflict++
				}
			}
		}
		lang := Language(a.Language)
		switch {
		case inArea == 0:
			return why("no_member_area", Area(a.Area))
		case speak == 0 && a.InterpreterOK:
			return why("no_member_language_interpreter", Area(a.Area), lang)
		case speak == 0:
			return why("no_member_language", Area(a.Area), lang)
		}
		return why("all_conflict", Area(a.Area), lang)
	}
	room := 0
	for _, o := range c.options {
		m := p.Members[o.member]
		left := m.Capacity - used[o.member]
		if oc, ok := p.OrgCapacity[m.OrgID]; ok {
			left = min(left, oc-orgUsed[m.OrgID])
		}
		room += max(left, 0)
	}
	if room > 0 && int64(served) >= limit {
		return why("limit", limit)
	}
	total := 0
	for _, o := range c.options {
		total += p.Members[o.member].Capacity
	}
	if total == 0 {
		return why("no_room", len(c.options))
	}
	return why("others", len(c.options))
}

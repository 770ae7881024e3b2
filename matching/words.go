package matching

import (
	"fmt"
	"strings"
)

// languageNames are the names staff read; a code not listed is shown as is.
var languageNames = map[string]string{
	"am": "Amharic", "ar": "Arabic", "en": "English", "es": "Spanish", "fa": "Persian",
	"fr": "French", "ht": "Haitian Creole", "hy": "Armenian", "km": "Khmer", "ko": "Korean",
	"mam": "Mam", "my": "Burmese", "ne": "Nepali", "pt": "Portuguese", "ru": "Russian",
	"so": "Somali", "ti": "Tigrinya", "tl": "Tagalog", "uk": "Ukrainian", "vi": "Vietnamese",
	"yua": "Yucatec Maya", "zh": "Chinese",
}

func languageName(code string) string {
	if n, ok := languageNames[strings.ToLower(code)]; ok {
		return n
	}
	if code == "" {
		return "no stated language"
	}
	return code
}

func areaName(a string) string {
	if a == "" {
		return "no stated area"
	}
	return a
}

func whyMatch(a Applicant, m Member, interpreter bool, load int) []string {
	why := make([]string, 0, 5)
	if interpreter {
		why = append(why, fmt.Sprintf("Through an interpreter: the member does not speak %s; the applicant accepts an interpreter and the member works with one", languageName(a.Language)))
	} else {
		why = append(why, "Speaks "+languageName(a.Language)+", the applicant's language")
	}
	if contains(m.Areas, a.Area) {
		why = append(why, "Serves "+areaName(a.Area))
	} else {
		why = append(why, "Serves every area")
	}
	why = append(why,
		fmt.Sprintf("Has room: this proposal gives the member %d of %d open places", load, m.Capacity),
		"No recorded conflict with this member",
		fmt.Sprintf("Priority weight %d", a.Weight))
	return why
}

// whyWaiting says why an applicant is left waiting, most specific first.
func (p *Problem) whyWaiting(a Applicant, c *class, used []int, orgUsed map[string]int, served int, limit int64) string {
	if len(c.options) == 0 {
		var inArea, speak, conflict int
		for _, m := range p.Members {
			if !(contains(m.Areas, a.Area) || contains(m.Areas, "*")) {
				continue
			}
			inArea++
			if contains(m.Languages, a.Language) || (a.InterpreterOK && m.Interpreter) {
				speak++
				if c.conflicts[m.ID] {
					conflict++
				}
			}
		}
		lang := languageName(a.Language)
		switch {
		case inArea == 0:
			return fmt.Sprintf("No member serves %s.", areaName(a.Area))
		case speak == 0 && a.InterpreterOK:
			return fmt.Sprintf("No member who serves %s speaks %s or works with an interpreter.", areaName(a.Area), lang)
		case speak == 0:
			return fmt.Sprintf("No member who serves %s speaks %s, and the applicant has not accepted an interpreter.", areaName(a.Area), lang)
		}
		return fmt.Sprintf("Every member who serves %s and speaks %s (or works with an interpreter) has a recorded conflict.", areaName(a.Area), lang)
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
		return fmt.Sprintf("The limit of %d matches for this round is reached; people of higher priority weight (or earlier in the queue) were proposed first.", limit)
	}
	total := 0
	for _, o := range c.options {
		total += p.Members[o.member].Capacity
	}
	if total == 0 {
		return fmt.Sprintf("The %d members who could take this case have no room.", len(c.options))
	}
	return fmt.Sprintf("The places of the %d members who could take this case are proposed for others; serving this person instead would not raise the total priority served.", len(c.options))
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

package fund

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/amparo-project/amparo"
)

// Facts is what a funded case's eligibility rests on (amparo.FundFacts).
type Facts = amparo.FundFacts

// facts are the yes/no facts a restriction may name.
var facts = map[string]func(*Facts) bool{
	"tps_holder":                func(f *Facts) bool { return f.TPSHolder },
	"facing_removal":            func(f *Facts) bool { return f.FacingRemoval },
	"detained":                  func(f *Facts) bool { return f.Detained },
	"unaccompanied_minor":       func(f *Facts) bool { return f.UnaccompaniedMinor },
	"unhoused":                  func(f *Facts) bool { return f.Unhoused },
	"trafficking_survivor":      func(f *Facts) bool { return f.TraffickingSurvivor },
	"violence_survivor":         func(f *Facts) bool { return f.ViolenceSurvivor },
	"asylum_seeker":             func(f *Facts) bool { return f.AsylumSeeker },
	"daca_recipient":            func(f *Facts) bool { return f.DACARecipient },
	"violent_felony_conviction": func(f *Facts) bool { return f.ViolentFelonyConviction },
	"resident":                  func(f *Facts) bool { return f.Resident },
	"imminent_risk":             func(f *Facts) bool { return f.ImminentRisk },
}

// FactNames lists the yes/no facts a restriction may name, sorted.
func FactNames() []string {
	n := make([]string, 0, len(facts))
	for k := range facts {
		n = append(n, k)
	}
	slices.Sort(n)
	return n
}

// Budget lines a grant may have; a source allows all but bond unless its
// restrictions list them ("lines ...").
var BudgetLines = []string{"attorney", "paralegal", "interpreter", "expert", "fees", "travel", "bond", "indirect"}

// Cadences of reporting.
var Cadences = []string{"monthly", "quarterly", "annual"}

// Rule is one eligibility line: a requirement or an exclusion.
type Rule struct {
	Exclude bool
	Fact    string // a yes/no fact, or "income_below_fpl"
	Percent int    // for income_below_fpl
	Text    string // the reason in words, as written
	Line    int
}

// Target is what a floor or ceiling measures: the share of a source's
// spending on detained clients, on a priority group, or on a budget line.
type Target struct {
	Kind string // "detained", "group" or "line"
	Name string // the group's or line's name
}

func (t Target) String() string {
	if t.Kind == "detained" {
		return "detained"
	}
	return t.Kind + " " + t.Name
}

// Limit is a floor (at least Percent) or a ceiling (at most Percent) of a
// source's spending in each period.
type Limit struct {
	Ceiling bool
	Target  Target
	Percent int
	Text    string
	Line    int
}

// Restrictions are a funding source's rules, parsed.
type Restrictions struct {
	Rules   []Rule
	Limits  []Limit
	Lines   []string // budget lines allowed
	Cadence string
}

// ParseError is a problem in restrictions: the line (from 1) and what is
// wrong, in English; Word is the word at fault, for the catalog's message.
type ParseError struct {
	Line int
	Msg  string
	Word string
}

func (e *ParseError) Error() string { return fmt.Sprintf("line %d: %s", e.Line, e.Msg) }

// MaxRestrictionsLen bounds the text of restrictions.
const MaxRestrictionsLen = 20000

// ParseRestrictions reads restrictions. The format, one statement a line,
// "#" starting a comment:
//
//	require resident "Lives in the city"
//	require income_below_fpl 200 "Income under 200% of the poverty line"
//	exclude violent_felony_conviction "Excluded: violent-felony conviction"
//	floor detained 70 "At least 70% for people in detention"
//	floor group tps-facing-removal 20 "..."
//	ceiling line indirect 10 "Indirect costs at most 10%"
//	lines attorney paralegal interpreter expert fees travel bond indirect
//	cadence quarterly
func ParseRestrictions(src string) (*Restrictions, error) {
	r := &Restrictions{Cadence: "quarterly"}
	if len(src) > MaxRestrictionsLen {
		return nil, &ParseError{1, "the restrictions are too long", ""}
	}
	if !utf8.ValidString(src) {
		return nil, &ParseError{1, "invalid UTF-8", ""}
	}
	var sawLines, sawCadence bool
	for i, raw := range strings.Split(src, "\n") {
		ln := i + 1
		toks, text, err := splitLine(raw)
		if err != "" {
			return nil, &ParseError{ln, err, ""}
		}
		if len(toks) == 0 {
			continue
		}
		fail := func(msg, word string) error { return &ParseError{ln, msg, word} }
		switch toks[0] {
		case "require", "exclude":
			if len(toks) < 2 {
				return nil, fail("a fact is missing after "+toks[0], toks[0])
			}
			rule := Rule{Exclude: toks[0] == "exclude", Fact: toks[1], Text: text, Line: ln}
			rest := toks[2:]
			if toks[1] == "income_below_fpl" && !rule.Exclude {
				if len(rest) != 1 {
					return nil, fail("income_below_fpl needs a percentage", toks[1])
				}
				p, ok := percent(rest[0], 1000)
				if !ok || p == 0 {
					return nil, fail("not a whole percentage", rest[0])
				}
				rule.Percent, rest = p, nil
			} else if facts[toks[1]] == nil {
				return nil, fail("unknown fact", toks[1])
			}
			if len(rest) > 0 {
				return nil, fail("unexpected word", rest[0])
			}
			if rule.Text == "" {
				rule.Text = strings.Join(toks, " ")
			}
			r.Rules = append(r.Rules, rule)
		case "floor", "ceiling":
			l := Limit{Ceiling: toks[0] == "ceiling", Text: text, Line: ln}
			rest := toks[1:]
			switch {
			case len(rest) >= 1 && rest[0] == "detained":
				l.Target, rest = Target{Kind: "detained"}, rest[1:]
			case len(rest) >= 2 && rest[0] == "group":
				l.Target, rest = Target{Kind: "group", Name: rest[1]}, rest[2:]
			case len(rest) >= 2 && rest[0] == "line":
				if !slices.Contains(BudgetLines, rest[1]) {
					return nil, fail("unknown budget line", rest[1])
				}
				l.Target, rest = Target{Kind: "line", Name: rest[1]}, rest[2:]
			default:
				return nil, fail("want detained, group NAME or line NAME after "+toks[0], toks[0])
			}
			if len(rest) != 1 {
				return nil, fail("want one percentage", toks[0])
			}
			p, ok := percent(rest[0], 100)
			if !ok {
				return nil, fail("not a whole percentage from 0 to 100", rest[0])
			}
			l.Percent = p
			if l.Text == "" {
				l.Text = strings.Join(toks, " ") + "%"
			}
			r.Limits = append(r.Limits, l)
		case "lines":
			if sawLines {
				return nil, fail("lines given twice", "lines")
			}
			sawLines = true
			for _, t := range toks[1:] {
				if !slices.Contains(BudgetLines, t) {
					return nil, fail("unknown budget line", t)
				}
				if !slices.Contains(r.Lines, t) {
					r.Lines = append(r.Lines, t)
				}
			}
		case "cadence":
			if sawCadence || len(toks) != 2 || !slices.Contains(Cadences, toks[1]) {
				return nil, fail("want cadence monthly, quarterly or annual, once", "cadence")
			}
			sawCadence, r.Cadence = true, toks[1]
		default:
			return nil, fail("unknown statement", toks[0])
		}
	}
	if !sawLines {
		r.Lines = slices.DeleteFunc(slices.Clone(BudgetLines), func(s string) bool { return s == "bond" })
	}
	return r, nil
}

// splitLine splits a line into its words and the optional quoted text at
// its end.
func splitLine(raw string) (toks []string, text, err string) {
	s := raw
	q, c := strings.IndexByte(s, '"'), strings.IndexByte(s, '#')
	if c >= 0 && (q < 0 || c < q) {
		return strings.Fields(s[:c]), "", ""
	}
	if q >= 0 {
		end := q + 1 + strings.IndexByte(s[q+1:], '"')
		if end == q {
			return nil, "", "a quoted text is not closed"
		}
		text = strings.TrimSpace(s[q+1 : end])
		if after := strings.TrimSpace(s[end+1:]); after != "" && !strings.HasPrefix(after, "#") {
			return nil, "", "words after the quoted text"
		}
		if strings.ContainsAny(text, "\r\t\x00") || len(text) > 300 {
			return nil, "", "the quoted text has a control character or is too long"
		}
		s = s[:q]
	}
	// Words are separated by spaces and tabs; any other control
	// character would make a name that cannot be written back.
	if strings.ContainsFunc(s, func(r rune) bool { return unicode.IsControl(r) && r != '\t' && r != '\r' }) {
		return nil, "", "a control character outside quoted text"
	}
	return strings.Fields(s), text, ""
}

func percent(s string, max int) (int, bool) {
	s = strings.TrimSuffix(s, "%")
	if !digits(s) || len(s) > 4 {
		return 0, false
	}
	p, err := strconv.Atoi(s)
	return p, err == nil && p <= max
}

// Check returns the first rule of r that refuses a case with facts f (a
// requirement not met, or an exclusion that applies), and ok true when
// none does.
func (r *Restrictions) Check(f *Facts) (refused Rule, ok bool) {
	for _, rule := range r.Rules {
		var holds bool
		if rule.Fact == "income_below_fpl" {
			holds = f.IncomeFPLPercent > 0 && f.IncomeFPLPercent < rule.Percent
		} else {
			holds = facts[rule.Fact](f)
		}
		if holds == rule.Exclude {
			return rule, false
		}
	}
	return Rule{}, true
}

// Allows reports whether the source allows spending on the budget line.
func (r *Restrictions) Allows(line string) bool { return slices.Contains(r.Lines, line) }

// String writes r back in the canonical form of the format.
func (r *Restrictions) String() string {
	var b strings.Builder
	for _, rule := range r.Rules {
		verb := "require"
		if rule.Exclude {
			verb = "exclude"
		}
		fmt.Fprintf(&b, "%s %s", verb, rule.Fact)
		if rule.Fact == "income_below_fpl" {
			fmt.Fprintf(&b, " %d", rule.Percent)
		}
		fmt.Fprintf(&b, " \"%s\"\n", rule.Text)
	}
	for _, l := range r.Limits {
		verb := "floor"
		if l.Ceiling {
			verb = "ceiling"
		}
		fmt.Fprintf(&b, "%s %s %d \"%s\"\n", verb, l.Target, l.Percent, l.Text)
	}
	fmt.Fprintf(&b, "lines %s\ncadence %s\n", strings.Join(r.Lines, " "), r.Cadence)
	return b.String()
}

package priority

import (
	_ "embed"
	"fmt"
	"strconv"
	"strings"
)

// Policy is a parsed priority policy. Build one with ParsePolicy; its
// String method writes it back in the canonical form of the format.
type Policy struct {
	Name       string
	Rules      []Rule     // in the order written; reasons are listed in this order
	Exclusions []Rule     // Tier and Points unused
	TieBreaks  []TieBreak // after tier and points; ID always breaks the last tie
}

// Rule is one line of a policy: when its condition holds, the applicant gets
// its tier (the best tier of all matching rules counts) and its points (all
// matching rules add up). An exclusion takes the applicant out of the line.
type Rule struct {
	Name   string
	Tier   int    // 0: none; 1 comes first
	Points int    // may be negative
	Off    bool   // written in the policy but not applied
	When   string // the condition, canonical form
	Text   string // the reason in words; generated from the condition when not written
	Line   int    // where it was written
	cond   cond
}

// TieBreak orders applicants whose tier and points are equal.
type TieBreak string

const (
	ByIntake  TieBreak = "intake"  // earlier intake first
	ByHearing TieBreak = "hearing" // sooner known hearing first; none known last
)

// Limits that keep a policy something a person can read.
const (
	maxRules    = 200
	maxNameLen  = 60
	maxTextLen  = 200
	maxTier     = 99
	maxPoints   = 100000
	maxCondSize = 64 // facts and operators in one condition
	maxDepth    = 16 // nested parentheses and nots
)

//go:embed council.policy
var councilPolicy string

// DefaultPolicy returns the policy shipped with Amparo: the council's
// priorities (TPS holders facing deportation first; detention; hearing
// dates; TPS end dates by country) and the later program's, with no
// exclusion applied.
func DefaultPolicy() *Policy {
	p, err := ParsePolicy(councilPolicy)
	if err != nil {
		panic("priority: embedded council.policy: " + err.Error())
	}
	return p
}

// ParsePolicy parses src. On failure the error is an ErrorList naming every
// bad line's line, column and reason, and no policy is returned.
func ParsePolicy(src string) (*Policy, error) {
	p := &Policy{}
	var errs ErrorList
	fail := func(line, col int, format string, args ...any) {
		errs = append(errs, &ParseError{line, col, fmt.Sprintf(format, args...)})
	}
	names := map[string]int{}
	nameLine := 0
	tieLine := 0
	eachLine(src, &errs, func(ln int, toks []token) {
		kw := toks[0]
		if kw.kind != tokWord {
			fail(ln, kw.col, "a line starts with policy, rule, exclude or tiebreak")
			return
		}
		switch kw.text {
		case "policy":
			if nameLine != 0 {
				fail(ln, kw.col, "the policy is already named on line %d", nameLine)
				return
			}
			if len(toks) != 2 || toks[1].kind != tokString {
				fail(ln, kw.end, `expected the policy's name in quotes: policy "Name"`)
				return
			}
			if err := checkText(toks[1].text, maxTextLen); err != "" {
				fail(ln, toks[1].col, "policy name %s", err)
				return
			}
			nameLine, p.Name = ln, toks[1].text
		case "rule", "exclude":
			r, e := parseRule(ln, toks)
			if e != nil {
				errs = append(errs, e)
				return
			}
			if first, dup := names[r.Name]; dup {
				fail(ln, toks[1].col, "%q is already the name of the rule on line %d", r.Name, first)
				return
			}
			names[r.Name] = ln
			if len(p.Rules)+len(p.Exclusions) >= maxRules {
				fail(ln, kw.col, "too many rules: at most %d", maxRules)
				return
			}
			if kw.text == "rule" {
				p.Rules = append(p.Rules, r)
			} else {
				p.Exclusions = append(p.Exclusions, r)
			}
		case "tiebreak":
			if tieLine != 0 {
				fail(ln, kw.col, "tie-breaks are already given on line %d", tieLine)
				return
			}
			tieLine = ln
			if len(toks) == 1 {
				fail(ln, kw.end, "expected intake or hearing after tiebreak")
				return
			}
			seen := map[TieBreak]bool{}
			for _, t := range toks[1:] {
				tb := TieBreak(t.text)
				if t.kind != tokWord || (tb != ByIntake && tb != ByHearing) {
					fail(ln, t.col, "unknown tie-break %q: use intake or hearing", t.text)
					return
				}
				if seen[tb] {
					fail(ln, t.col, "tie-break %q is given twice", t.text)
					return
				}
				seen[tb] = true
				p.TieBreaks = append(p.TieBreaks, tb)
			}
		default:
			msg := fmt.Sprintf("unknown keyword %q: a line starts with policy, rule, exclude or tiebreak", kw.text)
			if _, isFact := factByName[kw.text]; isFact {
				msg += " (a condition goes after when, in a rule)"
			}
			fail(ln, kw.col, "%s", msg)
		}
	})
	if len(errs) > 0 {
		return nil, errs
	}
	if p.TieBreaks == nil {
		p.TieBreaks = []TieBreak{ByIntake}
	}
	return p, nil
}

// parseRule parses
//
//	rule NAME [tier N] [points N] [off] when CONDITION ["reason"]
//	exclude NAME [off] when CONDITION ["reason"]
func parseRule(ln int, toks []token) (Rule, *ParseError) {
	kw := toks[0].text
	bad := func(col int, format string, args ...any) (Rule, *ParseError) {
		return Rule{}, &ParseError{ln, col, fmt.Sprintf(format, args...)}
	}
	if len(toks) < 2 || toks[1].kind != tokWord {
		return bad(toks[0].end, "expected the %s's name after %s", kw, kw)
	}
	r := Rule{Name: toks[1].text, Line: ln}
	if !validName(r.Name) {
		return bad(toks[1].col, "a %s's name is letters, digits, - and _, starting with a letter, at most %d characters", kw, maxNameLen)
	}
	if keyword(r.Name) {
		return bad(toks[1].col, "%q is a keyword; give the %s a name of its own", r.Name, kw)
	}
	i := 2
	seen := map[string]bool{}
	for ; i < len(toks) && toks[i].kind == tokWord && toks[i].text != "when"; i++ {
		t := toks[i]
		if seen[t.text] {
			return bad(t.col, "%s is given twice", t.text)
		}
		seen[t.text] = true
		switch {
		case t.text == "off":
		case (t.text == "tier" || t.text == "points") && kw == "rule":
			if i+1 >= len(toks) || toks[i+1].kind != tokWord {
				return bad(t.end, "expected a number after %s", t.text)
			}
			i++
			n, err := strconv.Atoi(toks[i].text)
			switch {
			case err != nil:
				return bad(toks[i].col, "%s must be a whole number, not %q", t.text, toks[i].text)
			case t.text == "tier" && (n < 1 || n > maxTier):
				return bad(toks[i].col, "tier must be from 1 (first) to %d", maxTier)
			case t.text == "points" && (n < -maxPoints || n > maxPoints):
				return bad(toks[i].col, "points must be from %d to %d", -maxPoints, maxPoints)
			}
			if t.text == "tier" {
				r.Tier = n
			} else {
				r.Points = n
			}
		default:
			want := "tier, points, off or when"
			if kw == "exclude" {
				want = "off or when (an exclusion has no tier or points)"
			}
			return bad(t.col, "unexpected %q: expected %s", t.text, want)
		}
	}
	r.Off = seen["off"]
	if i >= len(toks) || toks[i].text != "when" || toks[i].kind != tokWord {
		col := toks[len(toks)-1].end
		if i < len(toks) {
			col = toks[i].col
		}
		return bad(col, "expected when and a condition")
	}
	if kw == "rule" && r.Tier == 0 && r.Points == 0 {
		return bad(toks[i].col, "the rule gives neither a tier nor points: add tier N or points N before when")
	}
	end := len(toks)
	if toks[end-1].kind == tokString {
		end--
		if msg := checkText(toks[end].text, maxTextLen); msg != "" {
			return bad(toks[end].col, "reason %s", msg)
		}
		r.Text = toks[end].text
	}
	cp := condParser{ln: ln, toks: toks[i+1 : end], after: toks[i]}
	c, err := cp.parse()
	if err != nil {
		return Rule{}, err
	}
	r.cond, r.When = c, formatCond(c)
	if r.Text == "" {
		r.Text = upperFirst(c.words(false))
	}
	return r, nil
}

func validName(s string) bool {
	if s == "" || len(s) > maxNameLen || !(s[0] >= 'a' && s[0] <= 'z' || s[0] >= 'A' && s[0] <= 'Z') {
		return false
	}
	for _, c := range []byte(s) {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

func keyword(s string) bool {
	switch s {
	case "and", "or", "not", "days", "when", "off", "tier", "points", "policy", "rule", "exclude", "tiebreak":
		return true
	}
	return false
}

func checkText(s string, max int) string {
	switch {
	case strings.TrimSpace(s) == "":
		return "is empty"
	case len([]rune(s)) > max:
		return fmt.Sprintf("is longer than %d characters", max)
	case strings.TrimSpace(s) != s:
		return "starts or ends with spaces"
	}
	return ""
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// String writes p in the canonical form of the format: parsing it gives p
// back.
func (p *Policy) String() string {
	var b strings.Builder
	if p.Name != "" {
		b.WriteString("policy " + quote(p.Name) + "\n")
	}
	write := func(kw string, r Rule) {
		b.WriteString(kw + " " + r.Name)
		if r.Tier != 0 {
			b.WriteString(" tier " + strconv.Itoa(r.Tier))
		}
		if r.Points != 0 {
			b.WriteString(" points " + strconv.Itoa(r.Points))
		}
		if r.Off {
			b.WriteString(" off")
		}
		b.WriteString(" when " + r.When + " " + quote(r.Text) + "\n")
	}
	for _, r := range p.Rules {
		write("rule", r)
	}
	for _, r := range p.Exclusions {
		write("exclude", r)
	}
	if len(p.TieBreaks) > 0 {
		b.WriteString("tiebreak")
		for _, t := range p.TieBreaks {
			b.WriteString(" " + string(t))
		}
		b.WriteString("\n")
	}
	return b.String()
}

// condParser parses a condition:
//
//	or   := and { "or" and }
//	and  := unary { "and" unary }
//	unary := "not" unary | "(" or ")" | FACT [ N [ "days" ] ]
type condParser struct {
	ln    int
	toks  []token
	pos   int
	after token // the token before the condition, for "expected ... at end of line"
	size  int
	depth int
	err   *ParseError
}

func (p *condParser) parse() (cond, *ParseError) {
	if len(p.toks) == 0 {
		return nil, &ParseError{p.ln, p.after.end, "expected a condition after when"}
	}
	c := p.or()
	if p.err == nil && p.pos < len(p.toks) {
		t := p.toks[p.pos]
		msg := fmt.Sprintf("unexpected %q: expected and, or, or the end of the condition", t.text)
		if t.kind == tokString {
			msg = "unexpected quoted text: the reason goes last on the line, once"
		} else if t.kind == tokRParen {
			msg = "unexpected ): no ( to close"
		}
		p.fail(t.col, "%s", msg)
	}
	if p.err != nil {
		return nil, p.err
	}
	return c, nil
}

func (p *condParser) fail(col int, format string, args ...any) {
	if p.err == nil {
		p.err = &ParseError{p.ln, col, fmt.Sprintf(format, args...)}
	}
}

func (p *condParser) peekWord(w string) bool {
	return p.pos < len(p.toks) && p.toks[p.pos].kind == tokWord && p.toks[p.pos].text == w
}

// endCol is where a missing token would have been.
func (p *condParser) endCol() int {
	if p.pos < len(p.toks) {
		return p.toks[p.pos].col
	}
	if len(p.toks) > 0 {
		return p.toks[len(p.toks)-1].end
	}
	return p.after.end
}

func (p *condParser) or() cond {
	l := p.and()
	for p.err == nil && p.peekWord("or") {
		p.pos++
		l = &binCond{and: false, l: l, r: p.and()}
	}
	return l
}

func (p *condParser) and() cond {
	l := p.unary()
	for p.err == nil && p.peekWord("and") {
		p.pos++
		l = &binCond{and: true, l: l, r: p.unary()}
	}
	return l
}

func (p *condParser) unary() cond {
	if p.err != nil {
		return nil
	}
	p.size++
	if p.size > maxCondSize {
		p.fail(p.endCol(), "condition is too long: at most %d facts and operators", maxCondSize)
		return nil
	}
	if p.pos >= len(p.toks) {
		p.fail(p.endCol(), "expected a fact, not or ( at the end of the condition")
		return nil
	}
	t := p.toks[p.pos]
	switch {
	case t.kind == tokLParen:
		if p.depth++; p.depth > maxDepth {
			p.fail(t.col, "conditions nest too deep: at most %d levels", maxDepth)
			return nil
		}
		p.pos++
		c := p.or()
		if p.err != nil {
			return nil
		}
		if p.pos >= len(p.toks) || p.toks[p.pos].kind != tokRParen {
			p.fail(t.col, "this ( is not closed")
			return nil
		}
		p.pos++
		p.depth--
		return c
	case t.kind == tokWord && t.text == "not":
		if p.depth++; p.depth > maxDepth {
			p.fail(t.col, "conditions nest too deep: at most %d levels", maxDepth)
			return nil
		}
		p.pos++
		x := p.unary()
		p.depth--
		return &notCond{x}
	case t.kind != tokWord:
		p.fail(t.col, "expected a fact, not or (")
		return nil
	}
	f, ok := factByName[t.text]
	if !ok {
		msg := fmt.Sprintf("unknown fact %q", t.text)
		if s := suggest(t.text); s != "" {
			msg += fmt.Sprintf(" (did you mean %s?)", s)
		}
		p.fail(t.col, "%s", msg)
		return nil
	}
	p.pos++
	c := &factCond{f: f}
	if !f.Days {
		if p.pos < len(p.toks) && p.toks[p.pos].kind == tokWord {
			if _, err := strconv.Atoi(p.toks[p.pos].text); err == nil {
				p.fail(p.toks[p.pos].col, "%s takes no number of days", f.Name)
				return nil
			}
		}
		return c
	}
	if p.pos >= len(p.toks) || p.toks[p.pos].kind != tokWord {
		p.fail(p.endCol(), "%s needs a number of days: %s 30 days", f.Name, f.Name)
		return nil
	}
	nt := p.toks[p.pos]
	n, err := strconv.Atoi(nt.text)
	if err != nil || n < 0 || n > maxDays {
		p.fail(nt.col, "%s needs a number of days from 0 to %d, not %q", f.Name, maxDays, nt.text)
		return nil
	}
	c.days = n
	p.pos++
	if p.peekWord("days") || p.peekWord("day") {
		p.pos++
	}
	return c
}

// suggest names the known fact closest to a misspelt one, if any is close.
func suggest(s string) string {
	best, bestD := "", 4
	for _, f := range facts {
		if d := editDistance(strings.ToLower(s), f.Name); d < bestD {
			best, bestD = f.Name, d
		}
	}
	return best
}

func editDistance(a, b string) int {
	if len(a) > 64 {
		return len(a)
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

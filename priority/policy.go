package priority

import (
	_ "embed"
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
	fail := func(line, col int, m Message) { errs = append(errs, perr(line, col, m)) }
	names := map[string]int{}
	nameLine := 0
	tieLine := 0
	eachLine(src, &errs, func(ln int, toks []token) {
		kw := toks[0]
		if kw.kind != tokWord {
			fail(ln, kw.col, msg("policy.err.line_start"))
			return
		}
		switch kw.text {
		case "policy":
			if nameLine != 0 {
				fail(ln, kw.col, msg("policy.err.named_twice", nameLine))
				return
			}
			if len(toks) != 2 || toks[1].kind != tokString {
				fail(ln, kw.end, msg("policy.err.policy_name"))
				return
			}
			if err := checkText(toks[1].text, maxTextLen); err.Key != "" {
				fail(ln, toks[1].col, msg("policy.err.policy_name_text", err))
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
				fail(ln, toks[1].col, msg("policy.err.rule_name_taken", r.Name, first))
				return
			}
			names[r.Name] = ln
			if len(p.Rules)+len(p.Exclusions) >= maxRules {
				fail(ln, kw.col, msg("policy.err.too_many_rules", maxRules))
				return
			}
			if kw.text == "rule" {
				p.Rules = append(p.Rules, r)
			} else {
				p.Exclusions = append(p.Exclusions, r)
			}
		case "tiebreak":
			if tieLine != 0 {
				fail(ln, kw.col, msg("policy.err.ties_twice", tieLine))
				return
			}
			tieLine = ln
			if len(toks) == 1 {
				fail(ln, kw.end, msg("policy.err.tie_expected"))
				return
			}
			seen := map[TieBreak]bool{}
			for _, t := range toks[1:] {
				tb := TieBreak(t.text)
				if t.kind != tokWord || (tb != ByIntake && tb != ByHearing) {
					fail(ln, t.col, msg("policy.err.tie_unknown", t.text))
					return
				}
				if seen[tb] {
					fail(ln, t.col, msg("policy.err.tie_twice", t.text))
					return
				}
				seen[tb] = true
				p.TieBreaks = append(p.TieBreaks, tb)
			}
		default:
			m := msg("policy.err.keyword_unknown", kw.text)
			if _, isFact := factByName[kw.text]; isFact {
				m = msg("policy.err.keyword_is_fact", kw.text)
			}
			fail(ln, kw.col, m)
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
	bad := func(col int, m Message) (Rule, *ParseError) { return Rule{}, perr(ln, col, m) }
	if len(toks) < 2 || toks[1].kind != tokWord {
		return bad(toks[0].end, msg("policy.err.name_expected", kw))
	}
	r := Rule{Name: toks[1].text, Line: ln}
	if !validName(r.Name) {
		return bad(toks[1].col, msg("policy.err.name_form", kw, maxNameLen))
	}
	if keyword(r.Name) {
		return bad(toks[1].col, msg("policy.err.name_keyword", r.Name, kw))
	}
	i := 2
	seen := map[string]bool{}
	for ; i < len(toks) && toks[i].kind == tokWord && toks[i].text != "when"; i++ {
		t := toks[i]
		if seen[t.text] {
			return bad(t.col, msg("policy.err.given_twice", t.text))
		}
		seen[t.text] = true
		switch {
		case t.text == "off":
		case (t.text == "tier" || t.text == "points") && kw == "rule":
			if i+1 >= len(toks) || toks[i+1].kind != tokWord {
				return bad(t.end, msg("policy.err.number_expected", t.text))
			}
			i++
			n, err := strconv.Atoi(toks[i].text)
			switch {
			case err != nil:
				return bad(toks[i].col, msg("policy.err.whole_number", t.text, toks[i].text))
			case t.text == "tier" && (n < 1 || n > maxTier):
				return bad(toks[i].col, msg("policy.err.tier_range", maxTier))
			case t.text == "points" && (n < -maxPoints || n > maxPoints):
				return bad(toks[i].col, msg("policy.err.points_range", -maxPoints, maxPoints))
			}
			if t.text == "tier" {
				r.Tier = n
			} else {
				r.Points = n
			}
		default:
			if kw == "exclude" {
				return bad(t.col, msg("policy.err.unexpected_exclude", t.text))
			}
			return bad(t.col, msg("policy.err.unexpected_rule", t.text))
		}
	}
	r.Off = seen["off"]
	if i >= len(toks) || toks[i].text != "when" || toks[i].kind != tokWord {
		col := toks[len(toks)-1].end
		if i < len(toks) {
			col = toks[i].col
		}
		return bad(col, msg("policy.err.when_expected"))
	}
	if kw == "rule" && r.Tier == 0 && r.Points == 0 {
		return bad(toks[i].col, msg("policy.err.no_effect"))
	}
	end := len(toks)
	if toks[end-1].kind == tokString {
		end--
		if m := checkText(toks[end].text, maxTextLen); m.Key != "" {
			return bad(toks[end].col, msg("policy.err.reason_text", m))
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

func checkText(s string, max int) Message {
	switch {
	case strings.TrimSpace(s) == "":
		return msg("policy.err.text_empty")
	case len([]rune(s)) > max:
		return msg("policy.err.text_long", max)
	case strings.TrimSpace(s) != s:
		return msg("policy.err.text_spaces")
	}
	return Message{}
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
		return nil, perr(p.ln, p.after.end, msg("policy.err.condition_expected"))
	}
	c := p.or()
	if p.err == nil && p.pos < len(p.toks) {
		t := p.toks[p.pos]
		m := msg("policy.err.condition_unexpected", t.text)
		if t.kind == tokString {
			m = msg("policy.err.reason_misplaced")
		} else if t.kind == tokRParen {
			m = msg("policy.err.paren_unopened")
		}
		p.fail(t.col, m)
	}
	if p.err != nil {
		return nil, p.err
	}
	return c, nil
}

func (p *condParser) fail(col int, m Message) {
	if p.err == nil {
		p.err = perr(p.ln, col, m)
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
		p.fail(p.endCol(), msg("policy.err.condition_long", maxCondSize))
		return nil
	}
	if p.pos >= len(p.toks) {
		p.fail(p.endCol(), msg("policy.err.fact_expected_end"))
		return nil
	}
	t := p.toks[p.pos]
	switch {
	case t.kind == tokLParen:
		if p.depth++; p.depth > maxDepth {
			p.fail(t.col, msg("policy.err.nest_deep", maxDepth))
			return nil
		}
		p.pos++
		c := p.or()
		if p.err != nil {
			return nil
		}
		if p.pos >= len(p.toks) || p.toks[p.pos].kind != tokRParen {
			p.fail(t.col, msg("policy.err.paren_unclosed"))
			return nil
		}
		p.pos++
		p.depth--
		return c
	case t.kind == tokWord && t.text == "not":
		if p.depth++; p.depth > maxDepth {
			p.fail(t.col, msg("policy.err.nest_deep", maxDepth))
			return nil
		}
		p.pos++
		x := p.unary()
		p.depth--
		return &notCond{x}
	case t.kind != tokWord:
		p.fail(t.col, msg("policy.err.fact_expected"))
		return nil
	}
	f, ok := factByName[t.text]
	if !ok {
		m := msg("policy.err.fact_unknown", t.text)
		if s := suggest(t.text); s != "" {
			m = msg("policy.err.fact_unknown_suggest", t.text, s)
		}
		p.fail(t.col, m)
		return nil
	}
	p.pos++
	c := &factCond{f: f}
	if !f.Days {
		if p.pos < len(p.toks) && p.toks[p.pos].kind == tokWord {
			if _, err := strconv.Atoi(p.toks[p.pos].text); err == nil {
				p.fail(p.toks[p.pos].col, msg("policy.err.days_not_taken", f.Name))
				return nil
			}
		}
		return c
	}
	if p.pos >= len(p.toks) || p.toks[p.pos].kind != tokWord {
		p.fail(p.endCol(), msg("policy.err.days_needed", f.Name))
		return nil
	}
	nt := p.toks[p.pos]
	n, err := strconv.Atoi(nt.text)
	if err != nil || n < 0 || n > maxDays {
		p.fail(nt.col, msg("policy.err.days_range", f.Name, maxDays, nt.text))
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

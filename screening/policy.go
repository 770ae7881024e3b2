package screening

import (
	_ "embed"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/locale"
)

// PolicyRule is what a policy does to a vendor it applies to.
type PolicyRule string

const (
	PolicyBan      PolicyRule = "ban"      // the city may not contract with the vendor
	PolicyDisclose PolicyRule = "disclose" // the vendor must disclose the work under affidavit
	PolicyFlag     PolicyRule = "flag"     // a reviewer looks at it
)

// Relations through which an involvement reaches the screened entity,
// named from the screened entity's side: the work of its parent, of its
// subsidiary, of an affiliate, of a joint venture it is a member of, or
// (for a joint venture) of one of its members.
const (
	PolicyViaParent     = "parent"
	PolicyViaSubsidiary = "subsidiary"
	PolicyViaAffiliate  = "affiliate"
	PolicyViaJV         = "jv"
	PolicyViaMember     = "member"
)

var policyVias = []string{PolicyViaParent, PolicyViaSubsidiary, PolicyViaAffiliate, PolicyViaJV, PolicyViaMember}

// Policy is one screening policy: its rule, whether it is in force, the
// window of award dates that count, the roles and statuses that count,
// the relations through which another entity's work counts, and the
// waiver process. Build policies with ParsePolicies.
type Policy struct {
	ID      string
	Title   string
	On      bool
	Rule    PolicyRule
	From    amparo.Date // awards on or after it count; zero: no lower bound
	Until   amparo.Date // awards before it count; zero: no upper bound
	Sunset  amparo.Date // the policy applies before this date only; zero: no sunset
	Roles   []amparo.RegistryRole
	Status  []amparo.RegistryAwardStatus
	Through []string // PolicyVia* values
	Waiver  string
	Source  string
	Line    int // where its "policy" line is
	// sunsetUnknown: the policy has a sunset whose date is still to be
	// checked; it cannot be on.
	sunsetUnknown bool
	written       map[string]int // keyword → line, of the lines written, parsed or not
}

// Policies is a parsed policy file: every policy, in the order written.
type Policies struct {
	List []*Policy
}

// InForce returns the policies that are on.
func (ps *Policies) InForce() []*Policy {
	var out []*Policy
	for _, p := range ps.List {
		if p.On {
			out = append(out, p)
		}
	}
	return out
}

//go:embed data/screening.policy
var shippedPolicies string

// DefaultPoliciesText is the policy file Amparo ships (data/screening.policy):
// a disclosure policy in the shape of Los Angeles' ordinance (Council File
// 17-0536) in force, and a ban in the shape of California's SB 30 as
// amended, off.
func DefaultPoliciesText() string { return shippedPolicies }

// DefaultPolicies returns the shipped policies, parsed.
func DefaultPolicies() *Policies {
	ps, err := ParsePolicies(shippedPolicies)
	if err != nil {
		panic("screening: embedded data/screening.policy: " + err.Error()) // a build defect, caught by every test
	}
	return ps
}

// PolicyParseError is one problem of a policy file: line and column (from
// 1, columns in characters) and what is wrong, a catalog key
// ("screen.policy.err.*") and its arguments.
type PolicyParseError struct {
	Line, Col int
	Key       string
	Args      []any
}

func (e *PolicyParseError) Error() string { return e.Text(registryCatalog(), "en") }

// Text is the problem and where it is, in lang, in the words of cat.
func (e *PolicyParseError) Text(cat *locale.Catalog, lang string) string {
	return cat.T(lang, "screen.policy.err.at", e.Line, e.Col, cat.T(lang, e.Key, e.Args...))
}

// PolicyErrorList is every problem of a policy file, in order.
type PolicyErrorList []*PolicyParseError

func (l PolicyErrorList) Error() string {
	s := make([]string, len(l))
	for i, e := range l {
		s[i] = e.Error()
	}
	return strings.Join(s, "\n")
}

// Text is every problem in lang, one a line.
func (l PolicyErrorList) Text(cat *locale.Catalog, lang string) string {
	s := make([]string, len(l))
	for i, e := range l {
		s[i] = e.Text(cat, lang)
	}
	return strings.Join(s, "\n")
}

// Limits that keep a policy file something a person reads.
const (
	policyMaxSource = 64 << 10
	policyMaxErrors = 25
	policyMaxText   = 1000
	policyMaxCount  = 50
)

type policyToken struct {
	text   string
	quoted bool
	col    int
}

// policyLex splits one line into words and "quoted texts" (with \" and
// \\); '#' outside quotes starts a comment.
func policyLex(line string, ln int) ([]policyToken, *PolicyParseError) {
	var toks []policyToken
	col := 0
	rs := []rune(line)
	for i := 0; i < len(rs); {
		r := rs[i]
		col = i + 1
		switch {
		case r == ' ' || r == '\t' || r == '\r':
			i++
		case r == '#':
			return toks, nil
		case r == '"':
			var b strings.Builder
			j := i + 1
			closed := false
			for ; j < len(rs); j++ {
				c := rs[j]
				if c == '"' {
					closed = true
					break
				}
				if c == '\\' {
					if j+1 >= len(rs) || (rs[j+1] != '"' && rs[j+1] != '\\') {
						return nil, &PolicyParseError{ln, j + 1, "screen.policy.err.backslash", nil}
					}
					j++
					c = rs[j]
				}
				if c < ' ' && c != '\t' {
					return nil, &PolicyParseError{ln, j + 1, "screen.policy.err.control", nil}
				}
				b.WriteRune(c)
			}
			if !closed {
				return nil, &PolicyParseError{ln, col, "screen.policy.err.quote_open", nil}
			}
			toks = append(toks, policyToken{b.String(), true, col})
			i = j + 1
		case r < ' ' || r == 0x7f || r == utf8.RuneError:
			return nil, &PolicyParseError{ln, col, "screen.policy.err.control", nil}
		default:
			j := i
			for j < len(rs) && !strings.ContainsRune(" \t\r#\"", rs[j]) && rs[j] >= ' ' && rs[j] != 0x7f {
				j++
			}
			toks = append(toks, policyToken{string(rs[i:j]), false, col})
			i = j
		}
	}
	return toks, nil
}

// ParsePolicies parses a policy file (format in docs/screening.md). On
// failure the error is a PolicyErrorList naming every problem's line,
// column and reason, and no policy is returned.
func ParsePolicies(src string) (*Policies, error) {
	var errs PolicyErrorList
	fail := func(ln, col int, key string, args ...any) {
		if len(errs) < policyMaxErrors {
			errs = append(errs, &PolicyParseError{ln, col, key, args})
		}
	}
	if len(src) > policyMaxSource {
		return nil, PolicyErrorList{{1, 1, "screen.policy.err.too_long", []any{policyMaxSource}}}
	}
	if !utf8.ValidString(src) {
		return nil, PolicyErrorList{{1, 1, "screen.policy.err.utf8", nil}}
	}
	ps := &Policies{}
	var cur *Policy
	seen := map[string]int{} // keyword of the current policy → line
	ids := map[string]int{}  // policy ID → line
	src = strings.TrimPrefix(src, "\uFEFF")
	for n, line := range strings.Split(src, "\n") {
		ln := n + 1
		toks, perr := policyLex(line, ln)
		if perr != nil {
			fail(perr.Line, perr.Col, perr.Key, perr.Args...)
			continue
		}
		if len(toks) == 0 {
			continue
		}
		kw := toks[0]
		args := toks[1:]
		end := kw.col + utf8.RuneCountInString(kw.text)
		if kw.quoted {
			fail(ln, kw.col, "screen.policy.err.line_start")
			continue
		}
		if kw.text == "policy" {
			if len(args) != 2 || args[0].quoted || !args[1].quoted {
				fail(ln, end, "screen.policy.err.policy_line")
				continue
			}
			if err := checkPolicyID(args[0].text); err != "" {
				fail(ln, args[0].col, err, args[0].text)
				continue
			}
			if first, dup := ids[args[0].text]; dup {
				fail(ln, args[0].col, "screen.policy.err.id_taken", args[0].text, first)
				continue
			}
			if len(ps.List) >= policyMaxCount {
				fail(ln, kw.col, "screen.policy.err.too_many", policyMaxCount)
				continue
			}
			ids[args[0].text] = ln
			cur = &Policy{ID: args[0].text, Title: args[1].text, Line: ln}
			ps.List = append(ps.List, cur)
			seen = map[string]int{}
			cur.written = seen
			continue
		}
		if cur == nil {
			fail(ln, kw.col, "screen.policy.err.before_policy", kw.text)
			continue
		}
		if first, dup := seen[kw.text]; dup {
			fail(ln, kw.col, "screen.policy.err.twice", kw.text, first)
			continue
		}
		seen[kw.text] = ln
		words := func(min, max int) bool {
			if len(args) < min || len(args) > max {
				fail(ln, end, "screen.policy.err.arity", kw.text)
				return false
			}
			for _, a := range args {
				if a.quoted {
					fail(ln, a.col, "screen.policy.err.quoted_word", kw.text)
					return false
				}
			}
			return true
		}
		text := func() (string, bool) {
			if len(args) != 1 || !args[0].quoted {
				fail(ln, end, "screen.policy.err.text", kw.text)
				return "", false
			}
			if utf8.RuneCountInString(args[0].text) > policyMaxText {
				fail(ln, args[0].col, "screen.policy.err.text_long", kw.text, policyMaxText)
				return "", false
			}
			return args[0].text, true
		}
		date := func(t policyToken) (amparo.Date, bool) {
			d, err := amparo.ParseDate(t.text)
			if err != nil {
				fail(ln, t.col, "screen.policy.err.date", t.text)
				return d, false
			}
			return d, true
		}
		switch kw.text {
		case "state":
			if !words(1, 1) {
				continue
			}
			switch args[0].text {
			case "on":
				cur.On = true
			case "off":
				cur.On = false
			default:
				fail(ln, args[0].col, "screen.policy.err.state", args[0].text)
			}
		case "rule":
			if !words(1, 1) {
				continue
			}
			r := PolicyRule(args[0].text)
			if r != PolicyBan && r != PolicyDisclose && r != PolicyFlag {
				fail(ln, args[0].col, "screen.policy.err.rule", args[0].text)
				continue
			}
			cur.Rule = r
		case "awards":
			// awards from DATE [until DATE]
			if !words(2, 4) {
				continue
			}
			if args[0].text != "from" || (len(args) > 2 && (len(args) != 4 || args[2].text != "until")) {
				fail(ln, args[0].col, "screen.policy.err.awards")
				continue
			}
			from, ok := date(args[1])
			if !ok {
				continue
			}
			cur.From = from
			if len(args) == 4 {
				until, ok := date(args[3])
				if !ok {
					continue
				}
				if !until.After(from.Time) {
					fail(ln, args[3].col, "screen.policy.err.window", args[3].text, args[1].text)
					continue
				}
				cur.Until = until
			}
		case "sunset":
			if !words(1, 1) {
				continue
			}
			if args[0].text == "unknown" {
				cur.sunsetUnknown = true
				continue
			}
			if d, ok := date(args[0]); ok {
				cur.Sunset = d
			}
		case "roles":
			if !words(1, 5) {
				continue
			}
			for _, a := range args {
				r := amparo.RegistryRole(a.text)
				if !slices.Contains(amparo.RegistryRoles, r) {
					fail(ln, a.col, "screen.policy.err.role", a.text)
				} else if !slices.Contains(cur.Roles, r) {
					cur.Roles = append(cur.Roles, r)
				}
			}
		case "statuses":
			if !words(1, 3) {
				continue
			}
			for _, a := range args {
				s := amparo.RegistryAwardStatus(a.text)
				if !slices.Contains(amparo.RegistryAwardStatuses, s) {
					fail(ln, a.col, "screen.policy.err.status", a.text)
				} else if !slices.Contains(cur.Status, s) {
					cur.Status = append(cur.Status, s)
				}
			}
		case "through":
			if !words(1, 5) {
				continue
			}
			if len(args) == 1 && args[0].text == "none" {
				cur.Through = []string{}
				continue
			}
			for _, a := range args {
				if !slices.Contains(policyVias, a.text) {
					fail(ln, a.col, "screen.policy.err.through", a.text)
				} else if !slices.Contains(cur.Through, a.text) {
					cur.Through = append(cur.Through, a.text)
				}
			}
		case "waiver":
			if t, ok := text(); ok {
				cur.Waiver = t
			}
		case "source":
			if t, ok := text(); ok {
				cur.Source = t
			}
		default:
			fail(ln, kw.col, "screen.policy.err.keyword", kw.text)
		}
	}
	// What every policy must say.
	for _, p := range ps.List {
		for _, kw := range []string{"rule", "awards", "roles", "through", "waiver"} {
			if _, ok := p.written[kw]; !ok {
				fail(p.Line, 1, "screen.policy.err.missing", p.ID, kw)
				break
			}
		}
		if p.On && p.sunsetUnknown {
			fail(p.Line, 1, "screen.policy.err.sunset_unknown", p.ID)
		}
		if p.Status == nil {
			p.Status = []amparo.RegistryAwardStatus{amparo.AwardAwarded, amparo.AwardCompleted}
		}
	}
	if len(ps.List) == 0 && len(errs) == 0 {
		fail(1, 1, "screen.policy.err.empty")
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return ps, nil
}

func checkPolicyID(id string) string {
	if id == "" || len(id) > 60 || strings.Trim(id, "abcdefghijklmnopqrstuvwxyz0123456789-_") != "" {
		return "screen.policy.err.id"
	}
	return ""
}

// String writes the policy back in the file's format.
func (p *Policy) String() string {
	var b strings.Builder
	q := func(s string) string {
		return `"` + strings.ReplaceAll(strings.ReplaceAll(s, `\`, `\\`), `"`, `\"`) + `"`
	}
	fmt.Fprintf(&b, "policy %s %s\n", p.ID, q(p.Title))
	state := "off"
	if p.On {
		state = "on"
	}
	fmt.Fprintf(&b, "state %s\nrule %s\nawards from %s", state, p.Rule, p.From)
	if !p.Until.IsZero() {
		fmt.Fprintf(&b, " until %s", p.Until)
	}
	b.WriteString("\n")
	if p.sunsetUnknown {
		b.WriteString("sunset unknown\n")
	} else if !p.Sunset.IsZero() {
		fmt.Fprintf(&b, "sunset %s\n", p.Sunset)
	}
	roles := make([]string, len(p.Roles))
	for i, r := range p.Roles {
		roles[i] = string(r)
	}
	status := make([]string, len(p.Status))
	for i, s := range p.Status {
		status[i] = string(s)
	}
	through := "none"
	if len(p.Through) > 0 {
		through = strings.Join(p.Through, " ")
	}
	fmt.Fprintf(&b, "roles %s\nstatuses %s\nthrough %s\nwaiver %s\n", strings.Join(roles, " "), strings.Join(status, " "), through, q(p.Waiver))
	if p.Source != "" {
		fmt.Fprintf(&b, "source %s\n", q(p.Source))
	}
	return b.String()
}

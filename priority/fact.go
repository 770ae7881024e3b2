package priority

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Facts is what intake records about an applicant that the policy may use.
// A fact that was not recorded is false (or, for dates, unknown): it never
// earns priority and never excludes anyone.
type Facts struct {
	TPSHolder           bool      // holds Temporary Protected Status
	FacingRemoval       bool      // in removal proceedings, or has a removal order
	Detained            bool      // in immigration detention
	HearingDate         time.Time // next immigration court hearing; zero when none is known
	Country             string    // country of citizenship, ISO 3166-1 alpha-2 (e.g. "SV"), for the TPS table
	UnaccompaniedMinor  bool
	Unhoused            bool
	TraffickingSurvivor bool
	ViolenceSurvivor    bool // survivor of domestic or other violence
	AsylumSeeker        bool
	DACARecipient       bool
	// ViolentFelonyConviction exists only for the optional exclusion that an
	// earlier county program used and later programs dropped; policies leave
	// it off by default.
	ViolentFelonyConviction bool
}

// Applicant is one person in the queue, as the engine sees them: an opaque
// ID, when intake took them in (the tie-break), and their facts.
type Applicant struct {
	ID       string
	IntakeAt time.Time
	Facts    Facts
}

// FactInfo describes one fact a policy may name.
type FactInfo struct {
	Name    string // as written in a policy, e.g. "hearing_within"
	Days    bool   // takes a number of days: "hearing_within 30 days"
	Meaning string // in words, for editors
}

type fact struct {
	FactInfo
	bit     uint32 // for yes/no facts
	yes, no string // phrases for reasons; %d is the number of days
}

const (
	bitTPSHolder uint32 = 1 << iota
	bitFacingRemoval
	bitDetained
	bitUnaccompanied
	bitUnhoused
	bitTrafficking
	bitViolence
	bitAsylum
	bitDACA
	bitViolentFelony
)

var facts = []*fact{
	{FactInfo{"tps_holder", false, "holds Temporary Protected Status"}, bitTPSHolder, "holds TPS", "does not hold TPS"},
	{FactInfo{"facing_removal", false, "is in removal (deportation) proceedings or has a removal order"}, bitFacingRemoval, "faces deportation", "does not face deportation"},
	{FactInfo{"detained", false, "is in immigration detention"}, bitDetained, "is in immigration detention", "is not detained"},
	{FactInfo{"hearing_within", true, "has an immigration court hearing within the given number of days from today (today counts)"}, 0, "has a court hearing within %d days", "has no court hearing within %d days"},
	{FactInfo{"tps_country", false, "is a citizen of a country whose TPS designation is still in force today, per the TPS table"}, 0, "is from a country designated for TPS", "is not from a country designated for TPS"},
	{FactInfo{"tps_ending_within", true, "is a citizen of a country whose TPS designation ends within the given number of days from today, per the TPS table"}, 0, "is from a country whose TPS ends within %d days", "is not from a country whose TPS ends within %d days"},
	{FactInfo{"unaccompanied_minor", false, "is a child who came without a parent or guardian"}, bitUnaccompanied, "is an unaccompanied child", "is not an unaccompanied child"},
	{FactInfo{"unhoused", false, "has no stable housing"}, bitUnhoused, "is unhoused", "is housed"},
	{FactInfo{"trafficking_survivor", false, "is a survivor of human trafficking"}, bitTrafficking, "survived trafficking", "is not a trafficking survivor"},
	{FactInfo{"violence_survivor", false, "is a survivor of domestic or other violence"}, bitViolence, "survived violence", "is not a survivor of violence"},
	{FactInfo{"asylum_seeker", false, "has applied for, or intends to apply for, asylum"}, bitAsylum, "seeks asylum", "does not seek asylum"},
	{FactInfo{"daca_recipient", false, "has (or had) Deferred Action for Childhood Arrivals"}, bitDACA, "has DACA", "does not have DACA"},
	{FactInfo{"violent_felony_conviction", false, "has a violent-felony conviction (only for an optional exclusion; off by default)"}, bitViolentFelony, "has a violent-felony conviction", "has no violent-felony conviction"},
}

var factByName = func() map[string]*fact {
	m := make(map[string]*fact, len(facts))
	for _, f := range facts {
		m[f.Name] = f
	}
	return m
}()

// KnownFacts lists every fact a policy may name, in the documented order.
func KnownFacts() []FactInfo {
	out := make([]FactInfo, len(facts))
	for i, f := range facts {
		out[i] = f.FactInfo
	}
	return out
}

// maxDays bounds "within N days": ten years is already meaningless.
const maxDays = 3650

// env is one applicant's facts, precomputed for fast evaluation.
type env struct {
	bits        uint32
	hearingDays int // days from today to the hearing; -1 when none or past
	tpsDays     int // days from today to the end of the country's TPS; -1 when none or ended
}

// cond is a compiled condition.
type cond interface {
	eval(e *env) bool
	words(neg bool) string
	format(b *strings.Builder, parent int)
}

const (
	precOr = iota + 1
	precAnd
	precNot
)

type factCond struct {
	f    *fact
	days int
}

func (c *factCond) eval(e *env) bool {
	switch c.f.Name {
	case "hearing_within":
		return e.hearingDays >= 0 && e.hearingDays <= c.days
	case "tps_ending_within":
		return e.tpsDays >= 0 && e.tpsDays <= c.days
	case "tps_country":
		return e.tpsDays >= 0
	}
	return e.bits&c.f.bit != 0
}

func (c *factCond) words(neg bool) string {
	p := c.f.yes
	if neg {
		p = c.f.no
	}
	if c.f.Days {
		return fmt.Sprintf(p, c.days)
	}
	return p
}

func (c *factCond) format(b *strings.Builder, _ int) {
	b.WriteString(c.f.Name)
	if c.f.Days {
		b.WriteString(" " + strconv.Itoa(c.days) + " days")
	}
}

type notCond struct{ x cond }

func (c *notCond) eval(e *env) bool { return !c.x.eval(e) }

func (c *notCond) words(neg bool) string {
	if neg {
		return c.x.words(false)
	}
	if _, ok := c.x.(*factCond); ok {
		return c.x.words(true)
	}
	return "not (" + c.x.words(false) + ")"
}

func (c *notCond) format(b *strings.Builder, _ int) {
	b.WriteString("not ")
	c.x.format(b, precNot)
}

// binCond is "a and b" or "a or b".
type binCond struct {
	and  bool
	l, r cond
}

func (c *binCond) eval(e *env) bool {
	if c.and {
		return c.l.eval(e) && c.r.eval(e)
	}
	return c.l.eval(e) || c.r.eval(e)
}

func (c *binCond) words(neg bool) string {
	op := " or "
	if c.and != neg { // De Morgan when negated
		op = " and "
	}
	l, r := c.l.words(neg), c.r.words(neg)
	if o, ok := c.l.(*binCond); ok && o.and != c.and {
		l = "(" + l + ")"
	}
	if o, ok := c.r.(*binCond); ok && o.and != c.and {
		r = "(" + r + ")"
	}
	return l + op + r
}

func (c *binCond) format(b *strings.Builder, parent int) {
	prec, op := precOr, " or "
	if c.and {
		prec, op = precAnd, " and "
	}
	paren := parent > prec
	if paren {
		b.WriteString("(")
	}
	c.l.format(b, prec)
	b.WriteString(op)
	// Right operands of the same operator are parenthesised so that
	// formatting and parsing agree on the tree's shape.
	c.r.format(b, prec+1)
	if paren {
		b.WriteString(")")
	}
}

func formatCond(c cond) string {
	var b strings.Builder
	c.format(&b, 0)
	return b.String()
}

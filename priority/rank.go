package priority

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/amparo-project/amparo/locale"
)

// Reason is one rule that applied to an applicant, in words.
type Reason struct {
	Rule   string // the rule's name
	Text   string // what a person reads, e.g. "Is in immigration detention"
	Tier   int
	Points int
}

// Placement is one applicant's place in line and why.
type Placement struct {
	ID       string
	Place    int // 1 is first; 0 when excluded
	Tier     int // the best tier of the rules that applied; 0 when none
	Points   int
	IntakeAt time.Time
	Hearing  time.Time // the hearing date used by a hearing tie-break, if any
	Reasons  []Reason  // the rules that applied, in the policy's order
	Excluded []Reason  // the exclusions that applied; empty when in line
}

// Ranking is the line: everyone in it in order, then everyone excluded.
type Ranking struct {
	Policy   string    // the policy's name
	Today    time.Time // the date the ranking was made for
	Places   []Placement
	Excluded []Placement
	index    map[string]int // ID -> position in Places (>= 0) or -1-position in Excluded
	ties     []TieBreak
}

// Rank puts applicants in line under policy p, with the TPS table tps (which
// may be nil: no country is then designated), for the date today: hearing
// and TPS windows are counted in calendar days from today's date.
// Every ID must be present and unique.
func Rank(p *Policy, tps *TPSTable, today time.Time, applicants []Applicant) (*Ranking, error) {
	day := civil(today)
	// The TPS days per country, computed once.
	tpsDays := map[string]int{}
	if tps != nil {
		for _, d := range tps.Designations {
			n := daysBetween(day, d.End)
			if n < 0 {
				n = -1
			}
			tpsDays[d.Country] = n
		}
	}
	var active, excl []*Rule
	for i := range p.Rules {
		if !p.Rules[i].Off {
			active = append(active, &p.Rules[i])
		}
	}
	for i := range p.Exclusions {
		if !p.Exclusions[i].Off {
			excl = append(excl, &p.Exclusions[i])
		}
	}

	r := &Ranking{Policy: p.Name, Today: day, index: make(map[string]int, len(applicants)), ties: p.TieBreaks}
	all := make([]Placement, len(applicants))
	// One backing array for every reason keeps 100,000 applicants to a few
	// allocations.
	reasons := make([]Reason, 0, len(applicants))
	var e env
	for i := range applicants {
		a := &applicants[i]
		if a.ID == "" {
			return nil, fmt.Errorf("priority: applicant %d has no ID", i+1)
		}
		if _, dup := r.index[a.ID]; dup {
			return nil, fmt.Errorf("priority: applicant ID %q appears twice", a.ID)
		}
		r.index[a.ID] = i
		makeEnv(&e, &a.Facts, day, tpsDays)
		pl := Placement{ID: a.ID, IntakeAt: a.IntakeAt, Hearing: a.Facts.HearingDate}
		if e.hearingDays < 0 {
			pl.Hearing = time.Time{}
		}
		start := len(reasons)
		for _, x := range excl {
			if x.cond.eval(&e) {
				reasons = append(reasons, Reason{Rule: x.Name, Text: x.Text})
			}
		}
		if len(reasons) > start {
			pl.Excluded = reasons[start:len(reasons):len(reasons)]
			start = len(reasons)
		}
		for _, x := range active {
			if !x.cond.eval(&e) {
				continue
			}
			reasons = append(reasons, Reason{Rule: x.Name, Text: x.Text, Tier: x.Tier, Points: x.Points})
			pl.Points += x.Points
			if x.Tier != 0 && (pl.Tier == 0 || x.Tier < pl.Tier) {
				pl.Tier = x.Tier
			}
		}
		if len(reasons) > start {
			pl.Reasons = reasons[start:len(reasons):len(reasons)]
		}
		all[i] = pl
	}

	for _, pl := range all {
		if len(pl.Excluded) > 0 {
			r.Excluded = append(r.Excluded, pl)
		} else {
			r.Places = append(r.Places, pl)
		}
	}
	slices.SortFunc(r.Places, func(a, b Placement) int { return compare(p.TieBreaks, &a, &b) })
	slices.SortFunc(r.Excluded, func(a, b Placement) int { return strings.Compare(a.ID, b.ID) })
	for i := range r.Places {
		r.Places[i].Place = i + 1
		r.index[r.Places[i].ID] = i
	}
	for i := range r.Excluded {
		r.index[r.Excluded[i].ID] = -1 - i
	}
	return r, nil
}

// compare orders two placements: tier (1 first, none last), points (more
// first), the tie-breaks, then ID so the order never depends on input order.
func compare(tbs []TieBreak, a, b *Placement) int {
	if a.Tier != b.Tier {
		switch {
		case a.Tier == 0:
			return 1
		case b.Tier == 0:
			return -1
		}
		return a.Tier - b.Tier
	}
	if a.Points != b.Points {
		return b.Points - a.Points
	}
	for _, tb := range tbs {
		var c int
		switch tb {
		case ByIntake:
			c = a.IntakeAt.Compare(b.IntakeAt)
		case ByHearing:
			c = compareKnown(a.Hearing, b.Hearing)
		}
		if c != 0 {
			return c
		}
	}
	return strings.Compare(a.ID, b.ID)
}

// compareKnown orders dates with unknown (zero) ones last.
func compareKnown(a, b time.Time) int {
	switch {
	case a.IsZero() && b.IsZero():
		return 0
	case a.IsZero():
		return 1
	case b.IsZero():
		return -1
	}
	return a.Compare(b)
}

func makeEnv(e *env, f *Facts, day time.Time, tpsDays map[string]int) {
	var bits uint32
	set := func(ok bool, bit uint32) {
		if ok {
			bits |= bit
		}
	}
	set(f.TPSHolder, bitTPSHolder)
	set(f.FacingRemoval, bitFacingRemoval)
	set(f.Detained, bitDetained)
	set(f.UnaccompaniedMinor, bitUnaccompanied)
	set(f.Unhoused, bitUnhoused)
	set(f.TraffickingSurvivor, bitTrafficking)
	set(f.ViolenceSurvivor, bitViolence)
	set(f.AsylumSeeker, bitAsylum)
	set(f.DACARecipient, bitDACA)
	set(f.ViolentFelonyConviction, bitViolentFelony)
	e.bits = bits
	e.hearingDays = -1
	if !f.HearingDate.IsZero() {
		if n := daysBetween(day, civil(f.HearingDate)); n >= 0 {
			e.hearingDays = n
		}
	}
	e.tpsDays = -1
	if f.Country != "" {
		if n, ok := tpsDays[f.Country]; ok {
			e.tpsDays = n
		} else if n, ok := tpsDays[strings.ToUpper(f.Country)]; ok {
			e.tpsDays = n
		}
	}
}

// civil is t's calendar date, as midnight UTC.
func civil(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// daysBetween counts calendar days from a to b (both civil dates).
func daysBetween(a, b time.Time) int {
	return int(b.Sub(a) / (24 * time.Hour))
}

// Lookup returns an applicant's placement, whether in line or excluded.
func (r *Ranking) Lookup(id string) (Placement, bool) {
	i, ok := r.index[id]
	switch {
	case !ok:
		return Placement{}, false
	case i >= 0:
		return r.Places[i], true
	}
	return r.Excluded[-1-i], true
}

// Explain says in English words where an applicant stands and why, e.g.
//
//	Place 3 of 120. Tier 1: Holds TPS and faces deportation. +40 points:
//	Has an immigration court hearing within 30 days. 40 points in all.
//	3 people have the same tier and points; among them, earlier intake
//	comes first (intake on 2025-03-02).
//
// The rules' texts are the policy's own, as the program office wrote them.
func (r *Ranking) Explain(id string) string { return r.ExplainText(catalog(), "en", id) }

// ExplainText says where an applicant stands and why, in lang, in the
// words of cat.
func (r *Ranking) ExplainText(cat *locale.Catalog, lang, id string) string {
	return render(cat, lang, r.ExplainMessages(id))
}

// ExplainMessages says where an applicant stands and why, as catalog
// messages ("policy.explain.*"), one a sentence.
func (r *Ranking) ExplainMessages(id string) []Message {
	pl, ok := r.Lookup(id)
	if !ok {
		return []Message{msg("policy.explain.absent")}
	}
	var out []Message
	if len(pl.Excluded) > 0 {
		out = append(out, msg("policy.explain.out"))
		for _, x := range pl.Excluded {
			out = append(out, msg("policy.explain.rule", sentence(x.Text)))
		}
		return out
	}
	out = append(out, msg("policy.explain.place", pl.Place, len(r.Places)))
	for _, x := range pl.Reasons {
		if x.Tier != 0 {
			out = append(out, msg("policy.explain.tier", x.Tier, sentence(x.Text)))
		}
	}
	if pl.Tier == 0 {
		out = append(out, msg("policy.explain.no_tier"))
	}
	for _, x := range pl.Reasons {
		if x.Points != 0 {
			out = append(out, msg("policy.explain.points", x.Points, sentence(x.Text)))
		}
	}
	if pl.Points != 0 || len(pl.Reasons) == 0 {
		out = append(out, msg("policy.explain.total", pl.Points))
	}
	// Those tied on tier and points sit next to each other.
	lo, hi := pl.Place-1, pl.Place-1
	for lo > 0 && r.Places[lo-1].Tier == pl.Tier && r.Places[lo-1].Points == pl.Points {
		lo--
	}
	for hi+1 < len(r.Places) && r.Places[hi+1].Tier == pl.Tier && r.Places[hi+1].Points == pl.Points {
		hi++
	}
	if n := hi - lo + 1; n > 1 {
		out = append(out, msg("policy.explain.ties", n, tieWords(r.ties, pl)))
	}
	return out
}

func tieWords(tbs []TieBreak, pl Placement) Message {
	if len(tbs) == 0 {
		tbs = []TieBreak{ByIntake}
	}
	var parts []Message
	for _, tb := range tbs {
		switch tb {
		case ByIntake:
			parts = append(parts, msg("policy.explain.by_intake", pl.IntakeAt.Format(time.DateOnly)))
		case ByHearing:
			h := msg("policy.explain.no_hearing")
			if !pl.Hearing.IsZero() {
				h = msg("policy.explain.hearing_on", pl.Hearing.Format(time.DateOnly))
			}
			parts = append(parts, msg("policy.explain.by_hearing", h))
		}
	}
	then := parts[0]
	for _, p := range parts[1:] {
		then = msg("policy.explain.then", then, p)
	}
	return then
}

func sentence(s string) string {
	if strings.HasSuffix(s, ".") {
		return s
	}
	return s + "."
}

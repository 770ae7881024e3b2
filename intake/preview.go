package intake

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/priority"
)

// PolicyPreview is what putting a policy in force would do to the line,
// shown before it is done: who would move, and the tiers after.
type PolicyPreview struct {
	// Current is the version in force the preview compares with: putting
	// the policy in force must name it, so that a preview made before
	// someone else's change puts nothing in force.
	Current *amparo.PolicyVersion
	// Change compares the line across every organization, as ChangePolicy
	// does after the change.
	Change priority.Change
	// Top is the largest moves, at most the number asked for, each with
	// the applicant's reference code and organization: never a name (the
	// program office does not read the organizations' applicants).
	Top []Mover
	// Tiers counts the people in line by tier, before and after; tier 0
	// is no tier. Lowest tier first, no tier last.
	Tiers []TierChange
}

// Mover is one applicant of a preview's largest moves.
type Mover struct {
	priority.Move
	Reference        string
	OrganizationID   string
	OrganizationName string
}

// TierChange is how many people are in a tier, before and after.
type TierChange struct {
	Tier          int
	Before, After int
}

// PreviewPolicy ranks every organization's line under the policy in
// force and under text and tps (an empty TPS table keeps the one in
// force), and says who would move, with the top largest moves. Nothing
// is stored. EINVALID for a text or table that does not parse (as
// SetPolicy says it); EFORBIDDEN unless the actor runs the program.
func (s *Service) PreviewPolicy(ctx context.Context, text, tps string, top int) (*PolicyPreview, error) {
	if a, ok := amparo.ActorFromContext(ctx); !ok || !a.RunsProgram() {
		return nil, amparo.Errorf(amparo.EFORBIDDEN, "only the program office changes the priority policy")
	}
	current, err := s.Policies.CurrentPolicy(ctx)
	if err != nil {
		return nil, err
	}
	if strings.TrimSpace(tps) == "" {
		tps = current.TPS
	}
	next := &amparo.PolicyVersion{Text: text, TPS: tps}
	if err := checkPolicy(next); err != nil {
		return nil, err
	}
	// Every organization's line: the store lets only the operator read
	// them all, and the program office may (checked above).
	sys := amparo.NewContextWithActor(ctx, amparo.SystemActor)
	as, err := s.Applicants.FindWaiting(sys, "")
	if err != nil {
		return nil, err
	}
	now := s.now()
	old, err := Rank(current, as, now)
	if err != nil {
		return nil, fmt.Errorf("rank under the policy in force: %w", err)
	}
	after, err := Rank(next, as, now)
	if err != nil {
		return nil, err
	}
	p := &PolicyPreview{Current: current, Change: priority.Compare(old.Ranking, after.Ranking)}
	p.Tiers = tierCounts(old.Ranking, after.Ranking)
	moves := p.Change.Moves[:min(top, len(p.Change.Moves))]
	ids := make([]string, len(moves))
	for i, m := range moves {
		ids[i] = m.ID
	}
	byID := map[string]*amparo.Applicant{}
	if len(ids) > 0 {
		full, err := s.Applicants.FindApplicantsByID(sys, ids)
		if err != nil {
			return nil, err
		}
		for _, a := range full {
			byID[a.ID] = a
		}
	}
	orgs := map[string]string{}
	for _, m := range moves {
		mv := Mover{Move: m}
		if a := byID[m.ID]; a != nil {
			mv.Reference, mv.OrganizationID = a.Reference, a.OrganizationID
			if _, ok := orgs[a.OrganizationID]; !ok && s.Organizations != nil {
				if o, err := s.Organizations.FindOrganizationByID(ctx, a.OrganizationID); err == nil {
					orgs[a.OrganizationID] = o.Name
				}
			}
			mv.OrganizationName = orgs[a.OrganizationID]
		}
		p.Top = append(p.Top, mv)
	}
	return p, nil
}

// checkPolicy refuses a text or TPS table that does not parse, in the
// words SetPolicy uses.
func checkPolicy(v *amparo.PolicyVersion) error {
	var list priority.ErrorList
	if _, err := priority.ParsePolicy(v.Text); err != nil {
		if errors.As(err, &list) {
			return amparo.Invalid("text", "%s", list.Error()).Localize("policy.err.list", list)
		}
		return amparo.Invalid("text", "%v", err)
	}
	if _, err := priority.ParseTPSTable(v.TPS); v.TPS != "" && err != nil {
		if errors.As(err, &list) {
			return amparo.Invalid("tps", "%s", list.Error()).Localize("policy.err.list", list)
		}
		return amparo.Invalid("tps", "%v", err)
	}
	return nil
}

// tierCounts counts the people in line by tier in two rankings.
func tierCounts(before, after *priority.Ranking) []TierChange {
	counts := map[int]*TierChange{}
	count := func(r *priority.Ranking, add func(*TierChange)) {
		for _, pl := range r.Places {
			c := counts[pl.Tier]
			if c == nil {
				c = &TierChange{Tier: pl.Tier}
				counts[pl.Tier] = c
			}
			add(c)
		}
	}
	count(before, func(c *TierChange) { c.Before++ })
	count(after, func(c *TierChange) { c.After++ })
	out := make([]TierChange, 0, len(counts))
	for _, c := range counts {
		out = append(out, *c)
	}
	slices.SortFunc(out, func(a, b TierChange) int {
		// No tier (0) comes last, as in line.
		ka, kb := a.Tier, b.Tier
		if ka == 0 {
			ka = 1 << 30
		}
		if kb == 0 {
			kb = 1 << 30
		}
		return ka - kb
	})
	return out
}

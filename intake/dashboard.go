package intake

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/amparo-project/amparo"
)

// Dashboard is what a signed-in person's dashboard counts: an
// organization's work for its staff, the program for its office, nothing
// for the roles whose tools are still to come.
type Dashboard struct {
	Work     *amparo.WorkCounts // staff of an organization
	Proposed int                // matches proposed for the organization's line now
	Program  *amparo.ProgramCounts
	// Tiers is the program's line by priority tier under the policy in
	// force, the best tier first, then those no tier's rule placed
	// (Tier 0) and those excluded (Tier -1): every tier the line has,
	// none empty.
	Tiers []TierCount
}

// TierCount is how many people in line are in a priority tier.
type TierCount struct {
	Tier   int // 1 first; 0: no tier's rule applies; -1: excluded
	People int
}

// IntakeWeeks is how many weeks of intakes the program's dashboard shows.
const IntakeWeeks = 12

// Dashboard counts the actor's dashboard as of now. Staff of an
// organization get its work and the matches proposed for its line (the
// proposal ranks the line, as /matches does: no one is read in full and
// no conflict check runs). The program office gets the program and its
// line by tier.
func (s *Service) Dashboard(ctx context.Context) (*Dashboard, error) {
	actor, _ := amparo.ActorFromContext(ctx)
	now := s.now()
	d := &Dashboard{}
	var err error
	switch {
	case actor.SeesClients() && actor.OrganizationID != "":
		if d.Work, err = s.Programs.WorkCounts(ctx, now); err != nil {
			return nil, err
		}
		if d.Work.Waiting > 0 {
			_, _, proposal, err := s.propose(ctx, actor.OrganizationID)
			if err != nil {
				return nil, err
			}
			d.Proposed = len(proposal.Matches)
		}
	case actor.RunsProgram():
		// ProgramCounts refuses anyone else: only then is the line read
		// as the operator, for a count by tier.
		if d.Program, err = s.Programs.ProgramCounts(ctx, now, IntakeWeeks); err != nil {
			return nil, err
		}
		if d.Tiers, err = s.tierCounts(ctx, now, d.Program.Waiting()); err != nil {
			return nil, err
		}
	}
	return d, nil
}

// tierTally keeps the program's line counted by tier, with what it was
// counted from: ranking the line decrypts everyone's ranking facts (a
// second for 20,000 people), and a dashboard is opened far more often than
// the line changes. It is kept in memory, per process: a count, never a
// person.
type tierTally struct {
	mu     sync.Mutex
	key    string
	counts []TierCount
}

// tierCounts counts the program's line by tier, ranking it again only
// when the policy, the day or the line (n in it, and its latest change) is
// not what it was counted from.
func (s *Service) tierCounts(ctx context.Context, now time.Time, n int) ([]TierCount, error) {
	last, err := s.Programs.WaitingChanged(ctx)
	if err != nil {
		return nil, err
	}
	v, err := s.Policies.CurrentPolicy(ctx)
	if err != nil {
		return nil, err
	}
	key := fmt.Sprintf("%d|%s|%d|%s", v.Version, now.UTC().Format(time.DateOnly), n, last.UTC().Format(time.RFC3339Nano))
	t := &s.tiers
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.key == key {
		return slices.Clone(t.counts), nil
	}
	// Only the operator reads every organization's line; the office sees
	// its count alone (as ChangePolicy's comparison).
	as, err := s.Applicants.FindWaiting(amparo.NewContextWithActor(ctx, amparo.SystemActor), "")
	if err != nil {
		return nil, err
	}
	q, err := Rank(v, as, now)
	if err != nil {
		return nil, err
	}
	by := map[int]int{}
	for _, pl := range q.Places {
		by[pl.Tier]++
	}
	if len(q.Excluded) > 0 {
		by[-1] = len(q.Excluded)
	}
	var out []TierCount
	for tier, people := range by {
		out = append(out, TierCount{Tier: tier, People: people})
	}
	slices.SortFunc(out, func(a, b TierCount) int { return tierOrder(a.Tier) - tierOrder(b.Tier) })
	t.key, t.counts = key, out
	return slices.Clone(out), nil
}

// tierOrder puts tiers in the line's order: 1, 2, ..., then no tier, then
// the excluded.
func tierOrder(tier int) int {
	switch tier {
	case 0:
		return 1 << 20
	case -1:
		return 1 << 21
	}
	return tier
}

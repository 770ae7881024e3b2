package intake

import (
	"context"
	"fmt"
	"time"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/matching"
	"github.com/amparo-project/amparo/priority"
)

// Applicants is what the intake workflows need of the applicants' store:
// one applicant at a time, and the line in bulk.
type Applicants interface {
	amparo.ApplicantService
	amparo.WaitlistService
}

// Service is the home of the workflows that span several services: the
// queue under the policy in force, match proposals, decisions on them,
// and policy changes. The web and the CLI each make one call to it.
type Service struct {
	Applicants    Applicants
	Policies      amparo.PolicyService
	Members       amparo.MemberService
	Organizations amparo.OrganizationService
	Programs      amparo.ProgramService
	Conflicts     amparo.ConflictService
	Letters       amparo.LetterService
	// Workshops, when set, names the workshop an applicant came from
	// (Record.Workshop); nil leaves it unread.
	Workshops amparo.WorkshopService
	// Now is the clock the line is ranked by; time.Now when nil.
	Now func() time.Time

	tiers tierTally // the program's line by tier, kept until it changes
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// Line is the queue of an organization under the policy in force, with
// one page of it.
type Line struct {
	// Queue ranks everyone in line. Its Applicants hold, for everyone,
	// only what ranking and matching read (amparo.RankingFacts), and in
	// full the people of Page: no page needs more.
	*Queue
	Version *amparo.PolicyVersion
	// Page is the page asked for: Places[Offset:Offset+Limit], each with
	// its place in the whole line.
	Page          []priority.Placement
	Offset, Limit int
}

// Queue ranks orgID's line ("" for every organization the actor sees)
// under the policy in force, and returns it with the page of limit places
// from offset (limit 0: the whole line). Only the people of the page are
// read in full.
func (s *Service) Queue(ctx context.Context, orgID string, offset, limit int) (*Line, error) {
	v, q, err := s.rank(ctx, orgID)
	if err != nil {
		return nil, err
	}
	l := &Line{Queue: q, Version: v}
	l.Offset, l.Page = pageOf(q.Places, offset, limit)
	l.Limit = limit
	ids := make([]string, len(l.Page))
	for i, pl := range l.Page {
		ids[i] = pl.ID
	}
	if err := s.readInFull(ctx, q, ids); err != nil {
		return nil, err
	}
	return l, nil
}

// rank reads orgID's line and ranks it under the policy in force.
func (s *Service) rank(ctx context.Context, orgID string) (*amparo.PolicyVersion, *Queue, error) {
	v, err := s.Policies.CurrentPolicy(ctx)
	if err != nil {
		return nil, nil, err
	}
	as, err := s.Applicants.FindWaiting(ctx, orgID)
	if err != nil {
		return nil, nil, err
	}
	q, err := Rank(v, as, s.now())
	if err != nil {
		return nil, nil, err
	}
	if err := s.storeGroups(ctx, v, q); err != nil {
		return nil, nil, err
	}
	return v, q, nil
}

// storeGroups writes back the priority group of everyone q ranked under
// v, where the store keeps them (the council's report counts them).
func (s *Service) storeGroups(ctx context.Context, v *amparo.PolicyVersion, q *Queue) error {
	g, ok := s.Applicants.(amparo.ApplicantGroups)
	if !ok {
		return nil
	}
	return g.SetPriorityGroups(ctx, v.Version, q.Groups())
}

// readInFull replaces the queue's applicants of ids with their whole
// records, in one read.
func (s *Service) readInFull(ctx context.Context, q *Queue, ids []string) error {
	as, err := s.Applicants.FindApplicantsByID(ctx, ids)
	if err != nil {
		return err
	}
	for _, a := range as {
		q.Applicants[a.ID] = a
	}
	return nil
}

// pageOf returns the offset, within xs, of the page of limit items from
// offset (limit 0: all of them from offset), and the page.
func pageOf[T any](xs []T, offset, limit int) (int, []T) {
	offset = min(max(offset, 0), len(xs))
	end := len(xs)
	if limit > 0 {
		end = min(end, offset+limit)
	}
	return offset, xs[offset:end]
}

// Proposals are the matches proposed for an organization's line, with one
// page of them and what the page shows of each.
type Proposals struct {
	// Proposal is the whole proposal: every match, everyone left waiting.
	*matching.Proposal
	// Queue is the line; its Applicants hold the people of the page in
	// full, the others with their ranking facts only (see
	// Line.Queue).
	Queue *Queue
	// PageMatches and PageWaiting are the page: the proposal's matches
	// and the people it leaves waiting, limit of each from Offset (and
	// WaitingOffset: the offset within Waiting, which ends sooner or
	// later than Matches).
	PageMatches   []matching.Match
	PageWaiting   []matching.Waiting
	Offset, Limit int
	WaitingOffset int
	// More says whether a later page shows more matches or more people
	// waiting.
	More    bool
	Members map[string]string // member names by ID
	// Conflicts are the conflict check's hits for each applicant of
	// PageMatches, checked before anyone accepts.
	Conflicts map[string][]*amparo.Candidate
	Places    map[string]*priority.Placement // of the applicants of PageMatches, by ID
}

// Proposals proposes matches of orgID's line to its active members, within
// their capacities and the program's letters left, avoiding declined
// pairs. It returns the page of limit matches and limit people left
// waiting from offset (limit 0: all), reads those people in full, and runs
// the conflict check on each person the page proposes, not on the rest:
// the check of a common name is costly, and it runs again on acceptance.
func (s *Service) Proposals(ctx context.Context, orgID string, offset, limit int) (*Proposals, error) {
	q, members, proposal, err := s.propose(ctx, orgID)
	if err != nil {
		return nil, err
	}
	p := &Proposals{Proposal: proposal, Queue: q, Limit: limit, Members: map[string]string{},
		Conflicts: map[string][]*amparo.Candidate{}, Places: map[string]*priority.Placement{}}
	p.Offset, p.PageMatches = pageOf(proposal.Matches, offset, limit)
	p.WaitingOffset, p.PageWaiting = pageOf(proposal.Waiting, offset, limit)
	p.More = p.Offset+len(p.PageMatches) < len(proposal.Matches) || p.WaitingOffset+len(p.PageWaiting) < len(proposal.Waiting)
	for _, m := range members {
		p.Members[m.ID] = m.Name
	}
	var ids []string
	for _, m := range p.PageMatches {
		ids = append(ids, m.ApplicantID)
	}
	for _, w := range p.PageWaiting {
		ids = append(ids, w.ApplicantID)
	}
	if err := s.readInFull(ctx, q, ids); err != nil {
		return nil, err
	}
	if p.Conflicts, err = s.checkConflicts(ctx, q, p.PageMatches); err != nil {
		return nil, err
	}
	onPage := make(map[string]bool, len(p.PageMatches))
	for _, m := range p.PageMatches {
		onPage[m.ApplicantID] = true
	}
	for i := range q.Places {
		if onPage[q.Places[i].ID] {
			p.Places[q.Places[i].ID] = &q.Places[i]
		}
	}
	return p, nil
}

// activeMembers reads every active member of an organization, a page at
// a time: the store gives at most a page per call, and a member left out
// would silently take no one.
func (s *Service) activeMembers(ctx context.Context, orgID string) ([]*amparo.Member, error) {
	const page = 500
	var out []*amparo.Member
	for {
		ms, total, err := s.Members.FindMembers(ctx, amparo.MemberFilter{OrganizationID: orgID, Status: amparo.MemberActive, Offset: len(out), Limit: page})
		if err != nil {
			return nil, err
		}
		out = append(out, ms...)
		if len(ms) == 0 || len(out) >= total {
			return out, nil
		}
	}
}

// propose ranks orgID's line and proposes matches of it to the
// organization's active members; it reads no one in full.
func (s *Service) propose(ctx context.Context, orgID string) (*Queue, []*amparo.Member, *matching.Proposal, error) {
	org, err := s.Organizations.FindOrganizationByID(ctx, orgID)
	if err != nil {
		return nil, nil, nil, err
	}
	_, q, err := s.rank(ctx, org.ID)
	if err != nil {
		return nil, nil, nil, err
	}
	state, err := s.Applicants.FindMatchState(ctx, org.ID)
	if err != nil {
		return nil, nil, nil, err
	}
	declined := make([]matching.Conflict, len(state.Declined))
	for i, d := range state.Declined {
		declined[i] = matching.Conflict{ApplicantID: d.ApplicantID, MemberID: d.MemberID}
	}
	members, err := s.activeMembers(ctx, org.ID)
	if err != nil {
		return nil, nil, nil, err
	}
	left, err := s.Programs.LettersLeft(ctx)
	if err != nil {
		return nil, nil, nil, err
	}
	proposal, err := Propose(q, org, members, state.Matched, declined, left)
	if err != nil {
		return nil, nil, nil, err
	}
	return q, members, proposal, nil
}

// checkConflicts runs the conflict check on each applicant matched, in
// one pass over the index.
func (s *Service) checkConflicts(ctx context.Context, q *Queue, ms []matching.Match) (map[string][]*amparo.Candidate, error) {
	qs := make([]amparo.ConflictQuery, len(ms))
	for i, m := range ms {
		a := q.Applicants[m.ApplicantID]
		qs[i] = amparo.ConflictQuery{Name: a.LegalName, Birth: a.BirthDate, Exclude: a.ID}
	}
	hits, err := s.Conflicts.ConflictChecks(ctx, qs)
	if err != nil {
		return nil, err
	}
	out := make(map[string][]*amparo.Candidate, len(ms))
	for i, m := range ms {
		out[m.ApplicantID] = hits[i]
	}
	return out, nil
}

// Decision is a member's or their admin's answer to a proposed match.
type Decision struct {
	Acceptance
	// Accept accepts the match; otherwise it is declined, and Reason says
	// why (required).
	Accept bool
	Reason string
}

// Decide accepts (see Matches.Accept) or declines a match. A decline
// without a reason is EINVALID on the field "reason"; the store refuses a
// member of another organization.
func (s *Service) Decide(ctx context.Context, d Decision) (*Accepted, error) {
	if d.Accept {
		m := &Matches{Applicants: s.Applicants, Members: s.Members, Conflicts: s.Conflicts, Letters: s.Letters}
		return m.Accept(ctx, d.Acceptance)
	}
	if d.Reason == "" {
		return nil, amparo.Invalid("reason", "say why the match is declined")
	}
	return nil, s.Applicants.SetApplicantStatus(ctx, d.ApplicantID, amparo.ApplicantWaitlisted, d.MemberID, d.Reason)
}

// PolicyChange is a new policy in force and who it moved in line.
type PolicyChange struct {
	Version *amparo.PolicyVersion
	// Change compares the line across every organization before and
	// after; nil when it could not be ranked (RankErr says why).
	Change  *priority.Change
	RankErr error
}

// ChangePolicy puts a policy and TPS table in force (an empty TPS table
// keeps the one in force) and compares every organization's line before
// and after. A policy that does not parse is the store's EINVALID.
func (s *Service) ChangePolicy(ctx context.Context, text, tps, reason string) (*PolicyChange, error) {
	before, err := s.Policies.CurrentPolicy(ctx)
	if err != nil {
		return nil, err
	}
	v, err := s.Policies.SetPolicy(ctx, text, tps, reason)
	if err != nil {
		return nil, err
	}
	pc := &PolicyChange{Version: v}
	// Who moved, across every organization's line: the store lets only
	// the operator read them all.
	as, err := s.Applicants.FindWaiting(amparo.NewContextWithActor(ctx, amparo.SystemActor), "")
	if err != nil {
		pc.RankErr = err
		return pc, nil
	}
	now := s.now()
	old, err := Rank(before, as, now)
	if err != nil {
		pc.RankErr = fmt.Errorf("rank under the policy before: %w", err)
		return pc, nil
	}
	next, err := Rank(v, as, now)
	if err != nil {
		pc.RankErr = fmt.Errorf("rank under the new policy: %w", err)
		return pc, nil
	}
	if err := s.storeGroups(amparo.NewContextWithActor(ctx, amparo.SystemActor), v, next); err != nil {
		pc.RankErr = fmt.Errorf("store the priority groups: %w", err)
		return pc, nil
	}
	c := priority.Compare(old.Ranking, next.Ranking)
	pc.Change = &c
	return pc, nil
}

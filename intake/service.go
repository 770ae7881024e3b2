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
	// Now is the clock the line is ranked by; time.Now when nil.
	Now func() time.Time
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
	*Queue
	Version *amparo.PolicyVersion
	// Page is the page asked for: Places[Offset:Offset+Limit], each with
	// its place in the whole line.
	Page          []priority.Placement
	Offset, Limit int
}

// Queue ranks orgID's line ("" for every organization the actor sees)
// under the policy in force, and returns it with the page of limit places
// from offset (limit 0: the whole line).
func (s *Service) Queue(ctx context.Context, orgID string, offset, limit int) (*Line, error) {
	v, err := s.Policies.CurrentPolicy(ctx)
	if err != nil {
		return nil, err
	}
	as, err := s.Applicants.FindWaiting(ctx, orgID)
	if err != nil {
		return nil, err
	}
	q, err := Rank(v, as, s.now())
	if err != nil {
		return nil, err
	}
	l := &Line{Queue: q, Version: v, Offset: min(max(offset, 0), len(q.Places)), Limit: limit}
	end := len(q.Places)
	if limit > 0 {
		end = min(end, l.Offset+limit)
	}
	l.Page = q.Places[l.Offset:end]
	return l, nil
}

// Proposals are the matches proposed for an organization's line, with what
// the page shows of each.
type Proposals struct {
	*matching.Proposal
	Queue   *Queue
	Members map[string]string // member names by ID
	// Conflicts are the conflict check's hits for each proposed
	// applicant, checked before anyone accepts.
	Conflicts map[string][]*amparo.Candidate
	Places    map[string]*priority.Placement // by applicant ID
}

// Proposals proposes matches of orgID's line to its active members, within
// their capacities and the program's letters left, avoiding declined
// pairs, and runs the conflict check on each person proposed.
func (s *Service) Proposals(ctx context.Context, orgID string) (*Proposals, error) {
	org, err := s.Organizations.FindOrganizationByID(ctx, orgID)
	if err != nil {
		return nil, err
	}
	line, err := s.Queue(ctx, org.ID, 0, 0)
	if err != nil {
		return nil, err
	}
	state, err := s.Applicants.FindMatchState(ctx, org.ID)
	if err != nil {
		return nil, err
	}
	declined := make([]matching.Conflict, len(state.Declined))
	for i, d := range state.Declined {
		declined[i] = matching.Conflict{ApplicantID: d.ApplicantID, MemberID: d.MemberID}
	}
	members, _, err := s.Members.FindMembers(ctx, amparo.MemberFilter{OrganizationID: org.ID, Status: amparo.MemberActive})
	if err != nil {
		return nil, err
	}
	left, err := s.Programs.LettersLeft(ctx)
	if err != nil {
		return nil, err
	}
	proposal, err := Propose(line.Queue, org, members, state.Matched, declined, left)
	if err != nil {
		return nil, err
	}
	p := &Proposals{Proposal: proposal, Queue: line.Queue, Members: map[string]string{},
		Conflicts: map[string][]*amparo.Candidate{}, Places: map[string]*priority.Placement{}}
	for _, m := range members {
		p.Members[m.ID] = m.Name
	}
	for _, m := range proposal.Matches {
		a := line.Applicants[m.ApplicantID]
		if p.Conflicts[a.ID], err = s.Conflicts.ConflictCheck(ctx, a.LegalName, a.BirthDate, a.ID); err != nil {
			return nil, err
		}
	}
	for i := range line.Places {
		p.Places[line.Places[i].ID] = &line.Places[i]
	}
	return p, nil
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
	c := priority.Compare(old.Ranking, next.Ranking)
	pc.Change = &c
	return pc, nil
}

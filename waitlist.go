package amparo

import "context"

// WaitingStatuses are the statuses of people still in line.
var WaitingStatuses = []ApplicantStatus{ApplicantNew, ApplicantScreening, ApplicantEligible, ApplicantWaitlisted}

// MemberPair is an applicant and a member: a match declined, say.
type MemberPair struct {
	ApplicantID string
	MemberID    string
}

// MatchState is what proposing matches needs to know of past decisions:
// how many applicants each member was matched to, and the members each
// waiting applicant was declined by.
type MatchState struct {
	Matched  map[string]int // applicants matched and not yet served, by member ID
	Declined []MemberPair   // of applicants still waiting
}

// RankingFacts keeps of f only what ranking the line (the facts a policy
// may name, the intake date) and proposing matches (language, interpreter,
// city) read; names, dates of birth and contact details are left empty.
// The line is read whole on every view, so it is read this way: the
// fewer personal facts decrypted and held, the better.
func RankingFacts(f Facts) Facts {
	return Facts{
		Personal: Personal{Language: f.Language, Address: Address{City: f.Address.City}, CountryOfBirth: f.CountryOfBirth,
			Situation: f.Situation, TPSCountry: f.TPSCountry, FacingRemoval: f.FacingRemoval, NextHearing: f.NextHearing,
			Detained: f.Detained},
		InterpreterOK: f.InterpreterOK, UnaccompaniedMinor: f.UnaccompaniedMinor, Unhoused: f.Unhoused, Survivor: f.Survivor,
		IntakeDate: f.IntakeDate,
	}
}

// WaitlistService reads the line in bulk, in one query each, for ranking
// and matching: the line of an organization is read whole on every view,
// and only the people a page shows are read in full.
type WaitlistService interface {
	// FindWaiting returns every applicant still in line of orgID, or all
	// the actor sees when orgID is empty, oldest first (by CreatedAt, then
	// ID), each with its ID, OrganizationID, Status, MemberID and
	// CreatedAt, and of its facts only those ranking and matching use (the
	// situation, dates, city, language and yes-or-no facts): no name, no
	// contact. The read is
	// audited once. EFORBIDDEN if the actor's role does not see client
	// records (Actor.SeesClients).
	FindWaiting(ctx context.Context, orgID string) ([]*Applicant, error)
	// FindApplicantsByID returns, in full, the applicants of ids that the
	// actor sees, in the order of ids; an ID the actor does not see, or
	// that does not exist, is left out. At most 1,000 IDs: more is
	// EINVALID. The read is audited once. EFORBIDDEN as FindWaiting.
	FindApplicantsByID(ctx context.Context, ids []string) ([]*Applicant, error)
	// FindMatchState returns the matched counts and declined pairs of
	// orgID's applicants (all the actor sees when empty). It decrypts
	// nothing. EFORBIDDEN as FindWaiting.
	FindMatchState(ctx context.Context, orgID string) (*MatchState, error)
}

// UnknownPriorityGroup is the stored priority group of an applicant the
// queue has not ranked since groups were first stored.
const UnknownPriorityGroup = "unknown"

// ApplicantGroups is implemented by a store that keeps each applicant's
// priority group as the queue last ranked it: a label of the policy (the
// rule's name, NoPriorityGroup, UnknownPriorityGroup), never the facts.
type ApplicantGroups interface {
	// SetPriorityGroups stores the group of each applicant of groups (ID
	// to group) ranked under policy version, writing only those that
	// changed. An applicant the actor does not see is left alone.
	SetPriorityGroups(ctx context.Context, version int, groups map[string]string) error
}

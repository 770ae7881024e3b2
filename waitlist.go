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

// WaitlistService reads the line in bulk, in one query each, for ranking
// and matching: the line of an organization is read whole on every view.
type WaitlistService interface {
	// FindWaiting returns every applicant still in line of orgID, or all
	// the actor sees when orgID is empty; the read is audited once.
	// EFORBIDDEN if the actor's role does not see client records.
	FindWaiting(ctx context.Context, orgID string) ([]*Applicant, error)
	// FindMatchState returns the matched counts and declined pairs of
	// orgID's applicants (all the actor sees when empty). It decrypts
	// nothing. EFORBIDDEN as FindWaiting.
	FindMatchState(ctx context.Context, orgID string) (*MatchState, error)
}

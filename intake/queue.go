package intake

import (
	"context"
	"time"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/priority"
)

// Waiting are the statuses of people still in line.
var Waiting = []amparo.ApplicantStatus{amparo.ApplicantNew, amparo.ApplicantScreening, amparo.ApplicantEligible, amparo.ApplicantWaitlisted}

// Queue is the line under a policy: the ranking, and the applicants by ID.
type Queue struct {
	*priority.Ranking
	Applicants map[string]*amparo.Applicant
}

// Waitlist reads the people still in line (of orgID, or all the actor
// sees when it is empty).
func Waitlist(ctx context.Context, s amparo.ApplicantService, orgID string) ([]*amparo.Applicant, error) {
	var out []*amparo.Applicant
	for _, status := range Waiting {
		for offset := 0; ; offset += 1000 {
			as, n, err := s.FindApplicants(ctx, amparo.ApplicantFilter{OrganizationID: orgID, Status: status, Offset: offset, Limit: 1000})
			if err != nil {
				return nil, err
			}
			out = append(out, as...)
			if offset+len(as) >= n || len(as) == 0 {
				break
			}
		}
	}
	return out, nil
}

// Rank puts applicants in line under a policy version and its TPS table,
// as of today.
func Rank(v *amparo.PolicyVersion, as []*amparo.Applicant, today time.Time) (*Queue, error) {
	p, err := priority.ParsePolicy(v.Text)
	if err != nil {
		return nil, err
	}
	var tps *priority.TPSTable
	if v.TPS == "" {
		tps = priority.DefaultTPSTable()
	} else if tps, err = priority.ParseTPSTable(v.TPS); err != nil {
		return nil, err
	}
	q := &Queue{Applicants: make(map[string]*amparo.Applicant, len(as))}
	in := make([]priority.Applicant, len(as))
	for i, a := range as {
		q.Applicants[a.ID] = a
		intakeAt := a.CreatedAt
		if !a.IntakeDate.IsZero() {
			intakeAt = a.IntakeDate.Time
		}
		in[i] = priority.Applicant{ID: a.ID, IntakeAt: intakeAt, Facts: Facts(a)}
	}
	q.Ranking, err = priority.Rank(p, tps, today, in)
	return q, err
}

// Facts maps what intake recorded to the facts a policy may name. The
// intake asks one question about surviving violence or trafficking, so
// it sets both facts.
func Facts(a *amparo.Applicant) priority.Facts {
	country := a.TPSCountry
	if country == "" {
		country = a.CountryOfBirth
	}
	return priority.Facts{
		TPSHolder:           a.Situation == amparo.SituationTPS,
		FacingRemoval:       a.FacingRemoval,
		Detained:            a.Detained,
		HearingDate:         a.NextHearing.Time,
		Country:             country,
		UnaccompaniedMinor:  a.UnaccompaniedMinor,
		Unhoused:            a.Unhoused,
		TraffickingSurvivor: a.Survivor,
		ViolenceSurvivor:    a.Survivor,
		AsylumSeeker:        a.Situation == amparo.SituationAsylum,
		DACARecipient:       a.Situation == amparo.SituationDACA,
	}
}

// Group is the priority group of a placement, as the store keeps it
// (amparo.ApplicantGroups): the name of the rule of the best tier that
// applied (the first rule when none has a tier), or
// amparo.NoPriorityGroup when none did. The label of a rule, never the
// facts behind it; chosen as a funded case's group is.
func Group(pl priority.Placement) string {
	g, best := amparo.NoPriorityGroup, 0
	for _, r := range pl.Reasons {
		if g == amparo.NoPriorityGroup || (r.Tier > 0 && (best == 0 || r.Tier < best)) {
			g, best = r.Rule, r.Tier
		}
	}
	return g
}

// Groups is the priority group of everyone the queue ranked, in line or
// excluded, by ID.
func (q *Queue) Groups() map[string]string {
	out := make(map[string]string, len(q.Places)+len(q.Excluded))
	for _, pl := range q.Places {
		out[pl.ID] = Group(pl)
	}
	for _, pl := range q.Excluded {
		out[pl.ID] = Group(pl)
	}
	return out
}

package intake

import (
	"context"
	"strings"

	"github.com/amparo-project/amparo"
)

// Matches is the workflow of a proposed match that a member or their
// organization's admin accepts: the applicant becomes a client without
// retyping, after the conflict check, and a draft letter is opened for the
// member. The web and the CLI call it alike.
type Matches struct {
	Applicants amparo.ApplicantService
	Members    amparo.MemberService
	Conflicts  amparo.ConflictService
	Letters    amparo.LetterService
}

// Acceptance is a request to accept a match.
type Acceptance struct {
	ApplicantID string
	MemberID    string
	// ConflictsCleared says the person accepting reviewed every person the
	// conflict check found close to the applicant and found no conflict.
	// Without it, any hit stops the acceptance.
	ConflictsCleared bool
	// SingleName says staff checked that the person's documents give one
	// name only, so a one-word legal name is right.
	SingleName bool
}

// Accepted is what an acceptance made, or the conflict check's hits that
// stopped it.
type Accepted struct {
	Client    *amparo.Client
	Letter    *amparo.Letter      // the draft opened for the member
	Conflicts []*amparo.Candidate // the conflict check's hits
}

// Accept accepts a match. The conflict check runs first: a legal-aid
// office may not take on a person it has a conflict with, and only a
// person can tell a namesake from a conflict, so any hit stops the
// acceptance with ECONFLICT (the hits in Accepted.Conflicts) until the
// person accepting confirms they reviewed them (ConflictsCleared); the
// applicant's history records that the check ran and what was cleared.
// Then, all or nothing, the client is made from the applicant's facts
// (consents included) and the applicant marked matched; then a draft
// letter is opened for the member. Accepting an accepted match again
// returns what the first acceptance made.
func (m *Matches) Accept(ctx context.Context, a Acceptance) (*Accepted, error) {
	ap, err := m.Applicants.FindApplicantByID(ctx, a.ApplicantID)
	if err != nil {
		return nil, err
	}
	// A member of another organization, or none, is refused before the
	// conflict check asks anyone to review it (the store refuses it too).
	if mem, err := m.Members.FindMemberByID(ctx, a.MemberID); amparo.ErrorCode(err) == amparo.ENOTFOUND ||
		err == nil && mem.OrganizationID != ap.OrganizationID {
		return nil, amparo.Errorf(amparo.ENOTFOUND, "no such member in the applicant's organization")
	} else if err != nil {
		return nil, err
	}
	// A repeat (a double submit, a reload) gets what the first made; the
	// store still decides whether the actor may accept.
	repeat := ap.MemberID == a.MemberID && (ap.Status == amparo.ApplicantMatched || ap.Status == amparo.ApplicantServed)
	var hits []*amparo.Candidate
	if !repeat {
		if hits, err = m.Conflicts.ConflictCheck(ctx, ap.LegalName, ap.BirthDate, ap.ID); err != nil {
			return nil, err
		}
	}
	if len(hits) > 0 && !a.ConflictsCleared {
		return &Accepted{Conflicts: hits}, amparo.Errorf(amparo.ECONFLICT,
			"the conflict check found %d people close to the applicant: review them before accepting", len(hits))
	}
	reason := historyReason(0)
	if len(hits) > 0 {
		reason = historyReason(1, len(hits))
	}
	c := &amparo.Client{OrganizationID: ap.OrganizationID, Personal: ap.Personal}
	c.Consents = append([]amparo.Consent(nil), ap.Consents...)
	c.EmergencyContacts = append([]amparo.EmergencyContact(nil), ap.EmergencyContacts...)
	if a.SingleName && len(strings.Fields(c.LegalName)) == 1 {
		c.SingleName = true
	}
	if err := m.Applicants.AcceptMatch(ctx, ap.ID, a.MemberID, reason, c); err != nil {
		return nil, err
	}
	return m.openDraft(ctx, &Accepted{Client: c, Conflicts: hits}, a.MemberID)
}

// openDraft finds the member's letter for the client, or opens a draft.
func (m *Matches) openDraft(ctx context.Context, res *Accepted, memberID string) (*Accepted, error) {
	ls, _, err := m.Letters.FindLetters(ctx, amparo.LetterFilter{ClientID: res.Client.ID, MemberID: memberID, Limit: 1})
	if err != nil {
		return nil, err
	}
	if len(ls) > 0 {
		res.Letter = ls[0]
		return res, nil
	}
	l := &amparo.Letter{ClientID: res.Client.ID, MemberID: memberID, OrganizationID: res.Client.OrganizationID}
	if res.Client.Language != "" && res.Client.Language != "en" {
		l.Languages = []string{res.Client.Language}
	}
	if err := m.Letters.CreateLetter(ctx, l); err != nil {
		return nil, err
	}
	res.Letter = l
	return res, nil
}

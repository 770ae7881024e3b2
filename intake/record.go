package intake

import (
	"context"
	"slices"
	"strings"

	"github.com/amparo-project/amparo"
)

// Record is an applicant as their page shows them: the record and its
// history, and where the person is on the way to a letter.
type Record struct {
	Applicant *amparo.Applicant
	Events    []*amparo.ApplicantEvent
	// Waiting is true while the person waits; Place and InLine are their
	// place in the queue under the policy in force, Place 0 when the
	// policy excludes them.
	Waiting       bool
	Place, InLine int
	Member        string         // the member's name, once matched
	Client        *amparo.Client // the client made from them, once matched
	// Workshop is the workshop the person came from (Facts.SourceRef
	// "workshop:<id>"), nil when they did not or it is no longer listed.
	Workshop *amparo.Workshop
}

// Record reads the applicant id, their history, their place in the line
// (ranking the whole line, reading only them in full), the member they
// were matched to and the client made from them.
func (s *Service) Record(ctx context.Context, id string) (*Record, error) {
	a, err := s.Applicants.FindApplicantByID(ctx, id)
	if err != nil {
		return nil, err
	}
	rec := &Record{Applicant: a, Waiting: slices.Contains(Waiting, a.Status)}
	if rec.Events, err = s.Applicants.FindApplicantEvents(ctx, a.ID); err != nil {
		return nil, err
	}
	if rec.Waiting {
		line, err := s.Queue(ctx, a.OrganizationID, 0, 1)
		if err != nil {
			return nil, err
		}
		rec.InLine = len(line.Places)
		if pl, ok := line.Lookup(a.ID); ok {
			rec.Place = pl.Place
		}
	}
	if a.MemberID != "" {
		m, err := s.Members.FindMemberByID(ctx, a.MemberID)
		if err != nil && amparo.ErrorCode(err) != amparo.ENOTFOUND {
			return nil, err
		} else if err == nil {
			rec.Member = m.Name
		}
	}
	if a.Status == amparo.ApplicantMatched || a.Status == amparo.ApplicantServed {
		c, err := s.Applicants.FindApplicantClient(ctx, a.ID)
		if err != nil && amparo.ErrorCode(err) != amparo.ENOTFOUND {
			return nil, err
		} else if err == nil {
			rec.Client = c
		}
	}
	if id, ok := strings.CutPrefix(a.SourceRef, "workshop:"); ok && s.Workshops != nil && amparo.IsWorkshopSource(a.SourceRef) {
		w, err := s.Workshops.FindWorkshopByID(ctx, id)
		if err != nil && amparo.ErrorCode(err) != amparo.ENOTFOUND {
			return nil, err
		} else if err == nil {
			rec.Workshop = w
		}
	}
	return rec, nil
}

package amparo

import (
	"context"
	"time"
)

// ApplicantStatuses lists every status, in order.
var ApplicantStatuses = []string{ApplicantNew, ApplicantScreening, ApplicantEligible, ApplicantWaitlisted, ApplicantMatched,
	ApplicantServed, ApplicantDeclined, ApplicantClosed}

// Applicant statuses, from intake to a letter or a close.
const (
	ApplicantNew        = "new"
	ApplicantScreening  = "screening"
	ApplicantEligible   = "eligible"
	ApplicantWaitlisted = "waitlisted"
	ApplicantMatched    = "matched"
	ApplicantServed     = "served"
	ApplicantDeclined   = "declined"
	ApplicantClosed     = "closed"
)

// Applicant is a person who asked the program for a letter: an intake
// waiting to be ranked, matched and served.
type Applicant struct {
	ID             string
	OrganizationID string // the organization that took the intake
	Status         string
	MemberID       string // once matched
	// Key identifies the person across imports without naming them: a
	// keyed hash of the normalized name and date of birth.
	Key string
	Facts
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Facts is what an intake says about a person; all of it is personal, and
// the store seals it whole.
type Facts struct {
	Personal
	Email              string `json:",omitempty"`
	InterpreterOK      bool   `json:",omitempty"` // accepts working through an interpreter
	UnaccompaniedMinor bool   `json:",omitempty"`
	Unhoused           bool   `json:",omitempty"`
	Survivor           bool   `json:",omitempty"` // of violence or trafficking
	IntakeDate         Date   `json:",omitzero"`
	SourceRef          string `json:",omitempty"`
}

// ApplicantEvent is one change of an applicant's status: a match accepted
// or declined, a decision, with who made it and why.
type ApplicantEvent struct {
	Status   string
	MemberID string // the member a match was accepted or declined for
	Reason   string
	ActorID  string
	At       time.Time
}

// ApplicantFilter selects applicants; zero fields match all.
type ApplicantFilter struct {
	ID             string
	OrganizationID string
	Status         string
	Offset         int
	Limit          int
}

// ApplicantService keeps intakes, scoped to the actor's organization.
type ApplicantService interface {
	// CreateApplicants stores a batch in one transaction, all or nothing;
	// a person whose key is already stored is skipped, not duplicated. It
	// returns how many were new.
	CreateApplicants(ctx context.Context, as []*Applicant) (int, error)
	FindApplicants(ctx context.Context, f ApplicantFilter) ([]*Applicant, int, error)
	FindApplicantByID(ctx context.Context, id string) (*Applicant, error)
	// SetApplicantStatus records a decision: the new status, the member it
	// concerns (a match accepted or declined), and why. A member not of
	// the applicant's organization, or none at all, is ENOTFOUND.
	SetApplicantStatus(ctx context.Context, id, status, memberID, reason string) error
	// AcceptMatch accepts a match in one transaction: it stores c (the
	// client made from the applicant's facts) in the applicant's
	// organization, links the applicant to it, and marks the applicant
	// matched to the member, with reason in its history. When the client's
	// letter is issued, the applicant becomes served. Accepting the same
	// match again stores nothing and fills c with the client the first
	// acceptance made. ENOTFOUND for an
	// applicant or a member not of the actor's organization; ECONFLICT if
	// the applicant is no longer waiting (matched to another member,
	// declined, closed); EINVALID if c is invalid or the
	// member is suspended; EFORBIDDEN unless the actor decides on matches.
	AcceptMatch(ctx context.Context, id, memberID, reason string, c *Client) error
	// FindApplicantClient returns the client an accepted match created
	// from the applicant; ENOTFOUND if there is none.
	FindApplicantClient(ctx context.Context, id string) (*Client, error)
	// FindApplicantEvents returns an applicant's history, oldest first.
	FindApplicantEvents(ctx context.Context, id string) ([]*ApplicantEvent, error)
}

package amparo

import (
	"context"
	"time"
)

// Party is an adverse or related party an organization records, so that
// the conflict check finds it.
type Party struct {
	ID             string
	OrganizationID string
	Name           string
	BirthDate      Date
	Note           string // e.g. "opposing party in a custody case"
	CreatedAt      time.Time
}

// Candidate is a person the conflict check found close to a name: a
// client, an applicant or a recorded party of the organization, with the
// score, the decision and the reasons, as catalog messages for the reader
// to read in their language.
type Candidate struct {
	RecordType string // "client", "applicant" or "party"
	RecordID   string
	Name       string
	BirthDate  Date
	Score      float64
	Decision   string // "match" or "possible"
	Reasons    []Msg  // keys "names.why.*"
}

// ConflictService checks names against the organization's people, although
// their names are encrypted at rest.
type ConflictService interface {
	// CreateParty stores a person the organization must not be on both
	// sides with (an opposing party), in the actor's organization when p
	// names none. EINVALID for a missing or long name or note; EFORBIDDEN
	// unless the actor writes clients of its organization
	// (Actor.WritesClientsOf).
	CreateParty(ctx context.Context, p *Party) error
	// ConflictCheck returns the organization's people close to name (and
	// birth, when known), best first, leaving out the record exclude. The
	// check is audited. EFORBIDDEN unless the actor sees clients
	// (Actor.SeesClients).
	ConflictCheck(ctx context.Context, name string, birth Date, exclude string) ([]*Candidate, error)
	// ConflictChecks runs the check on each of several names at once,
	// each finding what ConflictCheck finds, in one pass over the index:
	// a person close to several of the names is decrypted once. The
	// result holds, for each query in order, its candidates. Each name
	// checked is audited, as by ConflictCheck.
	ConflictChecks(ctx context.Context, qs []ConflictQuery) ([][]*Candidate, error)
}

// ConflictQuery is a name to check, with the date of birth when known,
// and the record to leave out (the person's own), if any.
type ConflictQuery struct {
	Name    string
	Birth   Date
	Exclude string
}

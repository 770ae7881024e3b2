package amparo

import (
	"context"
	"time"
)

// The dashboards' numbers: each role's work as counts, and the program as
// a whole for the program office. Every number is an aggregate counted by
// the store (COUNT and GROUP BY), scoped to the actor's organization,
// without decrypting a record.

// ExpiringDays is how far ahead a dashboard looks for letters to renew.
const ExpiringDays = 30

// WorkCounts are the work of an organization's staff: what its dashboard
// counts and links to. A member's letter counts are of the letters naming
// them; other roles count their organization's.
type WorkCounts struct {
	NewIntakes int // applicants with status new: intakes to review
	Waiting    int // applicants still in line (WaitingStatuses)
	Matched    int // applicants matched, their letter not yet issued
	// Awaiting counts drafts sent for approval to the member record linked
	// to the actor's own account (LetterFilter.AwaitingApproval).
	Awaiting int
	Drafts   int // draft letters
	Active   int // active letters
	// Expiring counts active letters whose validity ends within
	// ExpiringDays of now.
	Expiring int
}

// OrganizationCount is one organization's part of the program.
type OrganizationCount struct {
	OrganizationID string
	Name           string
	Active         int // active letters
	Matched        int // applicants matched, their letter not yet issued
	Waiting        int // applicants still in line
}

// Used is the capacity the organization takes: its active letters and
// matched applicants.
func (o OrganizationCount) Used() int { return o.Active + o.Matched }

// WeekCount is how many intakes were received in the week from Start (a
// Monday, in the program's time zone) to the next.
type WeekCount struct {
	Start   Date
	Intakes int
}

// ProgramCounts are the program's numbers, as its office's dashboard
// shows them.
type ProgramCounts struct {
	Capacity int // Program.LetterCapacity
	Active   int // active letters, program-wide
	// Matched are applicants matched and waiting for their letter: the
	// capacity counts them as used (ProgramService.LettersLeft).
	Matched       int
	Organizations []OrganizationCount // every organization, by name
	Weeks         []WeekCount         // oldest first, the last being this week
}

// Waiting is how many are in line, program-wide.
func (c *ProgramCounts) Waiting() int {
	n := 0
	for _, o := range c.Organizations {
		n += o.Waiting
	}
	return n
}

// Used is the capacity taken: active letters and matched applicants.
func (c *ProgramCounts) Used() int { return c.Active + c.Matched }

// DashboardService counts what dashboards show.
type DashboardService interface {
	// WorkCounts counts the work of the actor's organization (of the
	// actor's own letters for a member), as of now. EFORBIDDEN unless the
	// actor sees clients (Actor.SeesClients).
	WorkCounts(ctx context.Context, now time.Time) (*WorkCounts, error)
	// ProgramCounts counts the program's letters against its capacity,
	// per organization, and the intakes of each of the weeks weeks up to
	// now's (weeks start on Monday in the program's time zone).
	// EFORBIDDEN unless the actor runs the program (Actor.RunsProgram).
	ProgramCounts(ctx context.Context, now time.Time, weeks int) (*ProgramCounts, error)
	// WaitingChanged is the latest change to anyone in line,
	// program-wide: with how many are in line, what a count of the line
	// by priority tier, which must rank it, is kept until
	// (intake.Service.Dashboard). EFORBIDDEN unless the actor runs the
	// program.
	WaitingChanged(ctx context.Context) (time.Time, error)
}

// WeekStart is the Monday that starts t's week, in loc.
func WeekStart(t time.Time, loc *time.Location) time.Time {
	d := t.In(loc)
	back := (int(d.Weekday()) + 6) % 7 // days since Monday
	return time.Date(d.Year(), d.Month(), d.Day()-back, 0, 0, 0, 0, loc)
}

package amparo

import (
	"context"
	"time"
)

// PolicyVersion is one version of the priority policy: its text (in the
// format of docs/priority-policy.md), who changed it, when and why.
type PolicyVersion struct {
	Version   int // 0 for the shipped default, never stored
	Text      string
	TPS       string // the TPS designations table (priority/tps.txt's format)
	Author    string
	Reason    string
	CreatedAt time.Time
}

// PolicyService keeps the priority policy's versions. The program office
// changes it; a text that does not parse is refused with its line and
// column, and the policy in force stays as it was.
type PolicyService interface {
	// CurrentPolicy returns the policy in force: the newest stored version,
	// or the shipped default (version 0) before any change. Any actor may
	// read it.
	CurrentPolicy(ctx context.Context) (*PolicyVersion, error)
	// SetPolicy puts a policy and a TPS table in force; an empty TPS table
	// keeps the one in force. EINVALID for a policy or table that does not
	// parse, or no reason; EFORBIDDEN unless the actor runs the program
	// (Actor.RunsProgram).
	SetPolicy(ctx context.Context, text, tps, reason string) (*PolicyVersion, error)
	// PolicyHistory lists every stored version, newest first; any actor
	// may read it.
	PolicyHistory(ctx context.Context) ([]*PolicyVersion, error)
}

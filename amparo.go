// Package amparo holds the domain of Amparo: the program, its partner
// organizations and members, clients, letters of representation and the audit
// trail, with their validation rules and the service interfaces that the
// store implements.
//
// It must never import a database driver, an HTTP package or anything else
// outside the standard library: every other package depends on this one.
package amparo

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"time"
)

// Version is the build's version, set with -ldflags "-X ...amparo.Version=...".
var Version = "dev"

// Role names what an actor may do.
type Role string

const (
	RoleSystem       Role = "system" // commands run by the operator; not a sign-in role
	RoleProgramAdmin Role = "program_admin"
	RoleOrgAdmin     Role = "org_admin"
	RoleMember       Role = "member"
	RoleIntake       Role = "intake"
	RoleOrganizer    Role = "organizer"
	RoleFundOfficer  Role = "fund_officer"
	RoleProcurement  Role = "procurement"
	RoleAuditor      Role = "auditor"
)

// Actor is who performs an operation. Stores read it from the context to
// scope every query for client data to the actor's organization: isolation
// is enforced below the handlers, not by pages.
type Actor struct {
	ID             string // account ID, or a name such as "cli" for the system
	Role           Role
	OrganizationID string // empty for program-wide roles
	// SecondFactor says the actor proved a second factor in this session.
	// The web layer sets it from the session (Session.Actor); signing acts
	// (issuing and renewing letters) require it, and stores check it.
	SecondFactor bool
}

// SeesClients reports whether the actor may read client records at all.
func (a Actor) SeesClients() bool {
	switch a.Role {
	case RoleSystem:
		return true
	case RoleOrgAdmin, RoleMember, RoleIntake:
		return a.OrganizationID != ""
	}
	return false
}

type actorKey struct{}

// NewContextWithActor returns a context carrying the actor.
func NewContextWithActor(ctx context.Context, a Actor) context.Context {
	return context.WithValue(ctx, actorKey{}, a)
}

// ActorFromContext returns the actor in ctx; ok is false when there is none.
func ActorFromContext(ctx context.Context) (a Actor, ok bool) {
	a, ok = ctx.Value(actorKey{}).(Actor)
	return a, ok
}

// SystemActor is the operator running a command on the server itself.
var SystemActor = Actor{ID: "system", Role: RoleSystem}

// NewID returns a random 128-bit identifier in hex. IDs are random so that
// they reveal neither counts nor order.
func NewID() string {
	var b [16]byte
	rand.Read(b[:]) // never fails: crypto/rand panics if the OS cannot supply entropy
	return hex.EncodeToString(b[:])
}

// Date is a calendar date without time of day or zone (a birth date, a
// hearing date). The zero value means "not given".
type Date struct{ time.Time }

// ParseDate reads YYYY-MM-DD.
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return Date{}, err
	}
	return Date{t}, nil
}

// MustDate is ParseDate for literals in seeds and tests.
func MustDate(s string) Date {
	d, err := ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

// String returns YYYY-MM-DD, or "" for the zero date.
func (d Date) String() string {
	if d.IsZero() {
		return ""
	}
	return d.Format(time.DateOnly)
}

func (d Date) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

func (d *Date) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*d = Date{}
		return nil
	}
	v, err := ParseDate(string(b))
	*d = v
	return err
}

// Administers reports whether the actor may manage the organization orgID:
// its own organization admins, the program office and the system.
func (a Actor) Administers(orgID string) bool {
	switch a.Role {
	case RoleSystem, RoleProgramAdmin:
		return true
	case RoleOrgAdmin:
		return a.OrganizationID == orgID
	}
	return false
}

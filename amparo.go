// Package amparo holds the domain of Amparo: the program, its partner
// organizations and members, clients, letters of representation and the audit
// trail, with their validation rules and the service interfaces that the
// store implements.
//
// Each service method's comment names the error codes it returns. Besides
// those, every method returns EUNAUTHORIZED when the context carries no
// actor (NewContextWithActor), EUNAVAILABLE when the store cannot save for
// want of space (nothing of the call is saved), and passes any other
// database failure on without a code (EINTERNAL).
//
// It must never import a database driver, an HTTP package or anything else
// outside the standard library: every other package depends on this one.
package amparo

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"strings"
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

	// RolePublicIntake is the person themselves, sending an organization's
	// public intake form: it submits that one intake and nothing else.
	// Not a sign-in role.
	RolePublicIntake Role = "public_intake"
	// RoleVisitor is anyone not signed in: a browser verifying a letter,
	// a client opening their phone link. It may do nothing a role is
	// needed for. Not a sign-in role.
	RoleVisitor Role = "visitor"
	// RoleAccount is an account signing itself in, before it has a
	// session. Not a sign-in role.
	RoleAccount Role = "account"
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

// Permissions. Stores decide who may do what with these methods alone,
// never by comparing roles; the web layer asks the same questions to
// decide what to show.

// SeesClients reports whether the actor may read client records at all:
// its own organization's, or every organization's for the system.
func (a Actor) SeesClients() bool {
	switch a.Role {
	case RoleSystem:
		return true
	case RoleOrgAdmin, RoleMember, RoleIntake:
		return a.OrganizationID != ""
	}
	return false
}

// SeesEveryOrganization reports whether the actor's reads of client
// records, letters and applicants span every organization: the operator's
// commands only.
func (a Actor) SeesEveryOrganization() bool { return a.Role == RoleSystem }

// WritesClientsOf reports whether the actor may write client records
// (clients, applicants, parties, letters) of the organization orgID.
func (a Actor) WritesClientsOf(orgID string) bool {
	return a.SeesClients() && (a.SeesEveryOrganization() || a.OrganizationID == orgID)
}

// SubmitsIntakeTo reports whether the actor may send an intake to the
// organization orgID: its staff, or the organization's public form.
func (a Actor) SubmitsIntakeTo(orgID string) bool {
	if a.Role == RolePublicIntake {
		return a.OrganizationID != "" && a.OrganizationID == orgID
	}
	return a.WritesClientsOf(orgID)
}

// RunsProgram reports whether the actor runs the program: its settings,
// the priority policy, the partner organizations and the queue across
// them. The program office and the operator.
func (a Actor) RunsProgram() bool { return a.Role == RoleSystem || a.Role == RoleProgramAdmin }

// ManagesKeys reports whether the actor may make, export, rotate and
// revoke signing keys and publish the trust list.
func (a Actor) ManagesKeys() bool { return a.RunsProgram() }

// ReadsAudit reports whether the actor may read the audit trail.
func (a Actor) ReadsAudit() bool {
	return a.Role == RoleSystem || a.Role == RoleAuditor || a.Role == RoleProgramAdmin
}

// VerifiesAudit reports whether the actor may check the audit trail's hash
// chain: the auditors and the operator.
func (a Actor) VerifiesAudit() bool { return a.Role == RoleSystem || a.Role == RoleAuditor }

// DecidesMatches reports whether the actor may accept or decline a match
// of an applicant to a member: members, their organization's admins and
// the operator. Intake staff prepare matches; they do not decide them.
func (a Actor) DecidesMatches() bool {
	switch a.Role {
	case RoleSystem, RoleMember, RoleOrgAdmin:
		return true
	}
	return false
}

// SignsFor reports whether the actor may sign (approve, issue, renew) a
// letter in the name of member m: only the account linked to m, in m's
// organization, signed in with its second factor. Not even the operator
// signs in a member's name.
func (a Actor) SignsFor(m *Member) bool {
	return m.AccountID != "" && a.ID == m.AccountID && a.OrganizationID == m.OrganizationID && a.SecondFactor
}

// RevokesFor reports whether the actor may revoke a letter in the name of
// member m: the account linked to m, m's organization's admins, and the
// operator.
func (a Actor) RevokesFor(m *Member) bool {
	switch {
	case a.Role == RoleSystem:
		return true
	case a.Role == RoleOrgAdmin && a.OrganizationID == m.OrganizationID:
		return true
	}
	return m.AccountID != "" && a.ID == m.AccountID
}

// Invites reports whether the actor may invite a person to the role in
// the organization orgID: the program office any role, an organization's
// admins their own organization's roles.
func (a Actor) Invites(r Role, orgID string) bool {
	if a.RunsProgram() {
		return true
	}
	return a.Role == RoleOrgAdmin && r.OrganizationRole() && a.Administers(orgID)
}

// ChangesSignInOf reports whether the actor may change the sign-in details
// (password, second factor, sessions) of the account accountID: its own,
// or any for the operator.
func (a Actor) ChangesSignInOf(accountID string) bool {
	return a.Role == RoleSystem || a.ID == accountID
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

// VisitorActor is anyone not signed in.
var VisitorActor = Actor{ID: "public", Role: RoleVisitor}

// PublicIntakeActor is the person sending the public intake form of the
// organization orgID: it may submit that intake (SubmitsIntakeTo) and do
// nothing else. History entries by it read "by the applicant".
func PublicIntakeActor(orgID string) Actor {
	return Actor{ID: ApplicantActorID, Role: RolePublicIntake, OrganizationID: orgID}
}

// AccountActor is an account signing itself in, before it has a session.
func AccountActor(accountID string) Actor { return Actor{ID: accountID, Role: RoleAccount} }

// NewID returns a random 128-bit identifier in hex. IDs are random so that
// they reveal neither counts nor order.
func NewID() string {
	var b [16]byte
	rand.Read(b[:]) // never fails: crypto/rand panics if the OS cannot supply entropy
	return hex.EncodeToString(b[:])
}

// IsID reports whether s has the form of NewID's IDs: 32 lower-case hex
// digits.
func IsID(s string) bool {
	return len(s) == 32 && strings.Trim(s, "0123456789abcdef") == ""
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

// Administers reports whether the actor may manage the organization orgID
// (its details, members and accounts): its own organization admins, the
// program office and the system. Program-wide accounts (orgID "") are the
// program office's alone.
func (a Actor) Administers(orgID string) bool {
	switch a.Role {
	case RoleSystem, RoleProgramAdmin:
		return true
	case RoleOrgAdmin:
		return orgID != "" && a.OrganizationID == orgID
	}
	return false
}

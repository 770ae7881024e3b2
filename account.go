package amparo

import (
	"context"
	"net/mail"
	"slices"
	"strings"
	"time"
)

// AccountStatus says whether an account may sign in.
type AccountStatus string

// Account statuses.
const (
	AccountActive    AccountStatus = "active"
	AccountSuspended AccountStatus = "suspended"
)

// Session limits.
const (
	SessionIdle     = 30 * time.Minute
	SessionAbsolute = 12 * time.Hour
	InvitationTTL   = 7 * 24 * time.Hour
)

// Account is a person who signs in to work in Amparo.
type Account struct {
	ID             string
	Email          string
	Name           string
	Role           Role
	OrganizationID string // for organization roles
	Status         AccountStatus
	TOTPEnabled    bool
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

// Actor returns the actor an account acts as.
func (a *Account) Actor() Actor {
	return Actor{ID: a.ID, Role: a.Role, OrganizationID: a.OrganizationID}
}

// Actor returns the actor a session acts as, with whether it gave its
// second factor.
func (s *Session) Actor() Actor {
	a := s.Account.Actor()
	a.SecondFactor = s.SecondFactor
	return a
}

// NeedsSecondFactor reports whether the role may see client records, and
// so must sign in with a second factor.
func (r Role) NeedsSecondFactor() bool {
	return Actor{Role: r, OrganizationID: "x"}.SeesClients() || r == RoleProgramAdmin || r == RoleAuditor
}

// OrganizationRole reports whether the role belongs to one organization.
func (r Role) OrganizationRole() bool { return slices.Contains(OrganizationRoles, r) }

// LinksToMember reports whether an account of the role may be linked to a
// member record, and so sign letters in that member's name: only the
// member role, the person who signs (an admin's account never is).
func (r Role) LinksToMember() bool { return r == RoleMember }

// ProgramRoles lists the roles of the program office's own people, who
// belong to no organization: only the program office invites them.
var ProgramRoles = []Role{RoleProgramAdmin, RoleAuditor, RoleFundOfficer}

// OrganizationRoles lists the roles of an organization's people.
// Organizers schedule their organization's workshops; procurement
// officers keep and screen its vendors.
var OrganizationRoles = []Role{RoleOrgAdmin, RoleMember, RoleIntake, RoleOrganizer, RoleProcurement}

// Roles lists the roles people sign in with.
var Roles = []Role{RoleProgramAdmin, RoleOrgAdmin, RoleMember, RoleIntake, RoleOrganizer, RoleFundOfficer, RoleProcurement, RoleAuditor}

// Invitation lets one person make an account with a role, once, before it
// expires. Token is set only when it is created.
type Invitation struct {
	ID             string
	Token          string
	Email          string
	Role           Role
	OrganizationID string
	// MemberID, if set, is the member record of the person invited: accepting
	// the invitation links the new account to it (Member.AccountID).
	MemberID    string
	CreatedBy   string
	ExpiresAt   time.Time
	UsedAt      time.Time
	CancelledAt time.Time // an admin cancelled it before it was used
	CreatedAt   time.Time
}

// Pending reports whether the invitation can still be accepted at now.
func (inv *Invitation) Pending(now time.Time) bool {
	return inv.UsedAt.IsZero() && inv.CancelledAt.IsZero() && now.Before(inv.ExpiresAt)
}

// InvitationFilter selects the pending invitations (neither used,
// cancelled nor expired) of one organization, or the program's own for
// an empty OrganizationID; the newest first.
type InvitationFilter struct {
	ID             string
	OrganizationID string
	Offset         int
	Limit          int
}

// AccountFilter selects the accounts of one organization, or the
// program's own (program-level roles) for an empty OrganizationID.
type AccountFilter struct {
	OrganizationID string
	Role           Role // "" for every role
	// Q is part of a name or an email address, any case. Account names
	// are not sealed (they name staff, not clients).
	Q string
	// Sort is "name", "role", "status" or "created", "-" first for
	// descending; "" is by name. EINVALID for any other.
	Sort   string
	Offset int
	Limit  int
}

// AccountSorts lists the orders AccountFilter.Sort takes (each also "-"
// first).
var AccountSorts = []string{"name", "role", "status", "created"}

// NormalizeEmail lower-cases and trims an email address.
func NormalizeEmail(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// Validate returns every problem of inv, each naming its field.
func (inv *Invitation) Validate() error {
	var c checker
	if a, err := mail.ParseAddress(inv.Email); err != nil || a.Address != inv.Email {
		c.add("email", "invalid.email", "must be an email address, such as name@example.org")
	}
	valid := false
	for _, r := range Roles {
		valid = valid || r == inv.Role
	}
	if !valid {
		c.add("role", "invalid.role", "is not a role")
	} else if inv.Role.OrganizationRole() && inv.OrganizationID == "" {
		c.add("organization_id", "invalid.organization_required", "is required for this role")
	} else if !inv.Role.OrganizationRole() && inv.OrganizationID != "" {
		c.add("organization_id", "invalid.organization_not_allowed", "is only for organization roles")
	}
	if inv.MemberID != "" && !inv.Role.LinksToMember() {
		c.add("member_id", "invalid.member_account", "can be linked only to an account with the member role (the person who signs)")
	}
	return c.err()
}

// Credentials are what signing in checks; the store opens the TOTP secret.
type Credentials struct {
	PasswordHash string
	TOTPSecret   string // "" until enrolled
	TOTPLastStep int64
}

// Session is a signed-in browser.
type Session struct {
	AccountID    string
	SecondFactor bool // the second factor was given in this session
	CreatedAt    time.Time
	LastSeenAt   time.Time
	Account      *Account
}

// AccountService manages accounts, invitations and sessions.
type AccountService interface {
	// CreateInvitation stores an invitation and returns it with its token:
	// the program office invites any role, an organization's admins their
	// own organization's roles (Actor.Invites). EINVALID if inv is invalid
	// or names a member not of its organization; EFORBIDDEN otherwise.
	CreateInvitation(ctx context.Context, inv *Invitation) error
	// FindInvitation returns a usable invitation by its token. ENOTFOUND
	// if it was used, has expired or does not exist.
	FindInvitation(ctx context.Context, token string) (*Invitation, error)
	// AcceptInvitation makes the account, once, and links it to the
	// invitation's member record, if any. ENOTFOUND for an invitation not
	// usable (FindInvitation); EINVALID for a missing or long name;
	// ECONFLICT if an account with the email exists.
	AcceptInvitation(ctx context.Context, token, name, passwordHash string) (*Account, error)
	// FindAccountByID returns an account. ENOTFOUND if there is none.
	FindAccountByID(ctx context.Context, id string) (*Account, error)
	// FindAccounts lists an organization's accounts (or the program-wide
	// ones for an empty ID) to its admins and the program office
	// (Actor.Administers). EFORBIDDEN for anyone else.
	FindAccounts(ctx context.Context, organizationID string) ([]*Account, error)
	// FindAccountsBy lists a page of the accounts f selects, with the
	// total matching, to whoever administers them (Actor.Administers).
	// EINVALID for an unknown sort; EFORBIDDEN for anyone else.
	FindAccountsBy(ctx context.Context, f AccountFilter) ([]*Account, int, error)
	// FindInvitations lists a page of pending invitations, newest first,
	// with the total: to whoever administers their organization (the
	// program office for the program-level ones). No token is returned.
	// EFORBIDDEN for anyone else.
	FindInvitations(ctx context.Context, f InvitationFilter) ([]*Invitation, int, error)
	// CancelInvitation makes a pending invitation unusable, audited: whoever
	// may invite to its role and organization (Actor.Invites). ENOTFOUND
	// if there is no pending invitation with the ID; EFORBIDDEN otherwise.
	CancelInvitation(ctx context.Context, id string) error
	// FindCredentials returns an account and its credentials by email, for
	// signing in. ENOTFOUND if no account has the email.
	FindCredentials(ctx context.Context, email string) (*Account, *Credentials, error)
	// SetPasswordHash replaces an account's password hash: the account
	// itself or the operator (Actor.ChangesSignInOf). EFORBIDDEN for
	// anyone else; ENOTFOUND if there is no such account.
	SetPasswordHash(ctx context.Context, accountID, hash string) error
	// SetTOTP enables the second factor with a secret and recovery code
	// hashes, replacing any before. EFORBIDDEN as for SetPasswordHash.
	SetTOTP(ctx context.Context, accountID, secret string, recoveryHashes [][]byte) error
	// UseTOTPStep records a used code's time step; false if it was not
	// newer than the last used, so a code works once. Only database
	// failures are errors.
	UseTOTPStep(ctx context.Context, accountID string, step int64) (bool, error)
	// UseRecoveryCode consumes a recovery code by its hash; false if the
	// account has no such unused code. Only database failures are errors.
	UseRecoveryCode(ctx context.Context, accountID string, hash []byte) (bool, error)
	// SuspendAccount suspends an account and ends its sessions: its
	// organization's admins or the program office (Actor.Administers).
	// ENOTFOUND if there is no such account; EFORBIDDEN otherwise.
	// EINVALID for one's own account (nobody locks themselves out).
	SuspendAccount(ctx context.Context, accountID string) error
	// ReactivateAccount lets a suspended account sign in again, audited:
	// as for SuspendAccount. ENOTFOUND, EFORBIDDEN as for SuspendAccount;
	// ECONFLICT if the account is not suspended.
	ReactivateAccount(ctx context.Context, accountID string) error
	// RecoveryCodesLeft counts an account's unused recovery codes: the
	// account itself (Actor.ChangesSignInOf). EFORBIDDEN otherwise.
	RecoveryCodesLeft(ctx context.Context, accountID string) (int, error)
	// AuditSignInFailure records a failed sign-in, naming the account if
	// there is one. Only database failures are errors.
	AuditSignInFailure(ctx context.Context, accountID string) error

	// CreateSession starts a session for an active account and returns its
	// token; the sign-in is audited as the account itself (AccountActor).
	// EUNAUTHORIZED if the account is suspended or does not exist.
	CreateSession(ctx context.Context, accountID string, secondFactor bool) (token string, err error)
	// FindSession returns a live session by its token, touching it; the
	// idle and absolute limits end it, as does a suspended account.
	// EUNAUTHORIZED for a session unknown, ended or of a suspended account.
	FindSession(ctx context.Context, token string) (*Session, error)
	// DeleteSession signs a browser out; an unknown token is no error.
	DeleteSession(ctx context.Context, token string) error
	// DeleteSessions signs an account out everywhere. EFORBIDDEN as for
	// SetPasswordHash.
	DeleteSessions(ctx context.Context, accountID string) error
}

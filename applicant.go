package amparo

import (
	"context"
	"crypto/rand"
	"slices"
	"strings"
	"time"
)

// ApplicantStatus is where an applicant is on the way from intake to a
// letter or a close.
type ApplicantStatus string

// ApplicantStatuses lists every status, in order.
var ApplicantStatuses = []ApplicantStatus{ApplicantNew, ApplicantScreening, ApplicantEligible, ApplicantWaitlisted, ApplicantMatched,
	ApplicantServed, ApplicantDeclined, ApplicantClosed}

// Applicant statuses, from intake to a letter or a close.
const (
	ApplicantNew        ApplicantStatus = "new"
	ApplicantScreening  ApplicantStatus = "screening"
	ApplicantEligible   ApplicantStatus = "eligible"
	ApplicantWaitlisted ApplicantStatus = "waitlisted"
	ApplicantMatched    ApplicantStatus = "matched"
	ApplicantServed     ApplicantStatus = "served"
	ApplicantDeclined   ApplicantStatus = "declined"
	ApplicantClosed     ApplicantStatus = "closed"
)

// ApplicantActorID is the actor of the person themselves, sending the
// public intake form: history entries by it read "by the applicant".
const ApplicantActorID = "public-intake"

// Applicant is a person who asked the program for a letter: an intake
// waiting to be ranked, matched and served.
type Applicant struct {
	ID             string
	OrganizationID string // the organization that took the intake
	Status         ApplicantStatus
	MemberID       string // once matched
	// Key identifies the person across imports without naming them: a
	// keyed hash of the normalized name and date of birth.
	Key string
	// Reference is the code the person was given (NewReference); staff
	// find the record by it, and the person may give it when writing again.
	Reference string
	Facts
	CreatedAt time.Time
	UpdatedAt time.Time
	// ApplicantUpdatedAt is when the person last changed their record (or
	// proposed contact details) through the public form; SeenAt, when staff
	// last opened its history. Zero for never.
	ApplicantUpdatedAt time.Time
	SeenAt             time.Time
}

// UpdatedUnseen reports whether the person updated the record since staff
// last looked at its history.
func (a *Applicant) UpdatedUnseen() bool {
	return !a.ApplicantUpdatedAt.IsZero() && a.ApplicantUpdatedAt.After(a.SeenAt)
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

// ApplicantChange is one fact changed by a later intake of the same
// person: its field (as the intake form names it) and its values, as
// text: dates as YYYY-MM-DD, yes/no as "true"/"false".
type ApplicantChange struct {
	Field    string
	Old, New string
	// Proposed marks a contact detail (phone, email, address) sent through
	// the public form by someone matched by name and date of birth alone,
	// without the reference code: it is not applied, for staff to confirm
	// with the person.
	Proposed bool `json:",omitempty"`
}

// Merge applies a later intake of the same person to f: what the later
// intake answered replaces what f holds, and what it left unanswered (an
// empty text, an unticked box, an unknown situation) keeps f's value, so
// nothing already given is lost. Consents add up. It returns the merged
// facts and what changed.
func (f Facts) Merge(later Facts) (Facts, []ApplicantChange) {
	out := f
	var changes []ApplicantChange
	text := func(field string, dst *string, v string) {
		if v != "" && v != *dst {
			changes = append(changes, ApplicantChange{Field: field, Old: *dst, New: v})
			*dst = v
		}
	}
	yes := func(field string, dst *bool, v bool) {
		if v && !*dst {
			changes = append(changes, ApplicantChange{Field: field, Old: "false", New: "true"})
			*dst = true
		}
	}
	date := func(field string, dst *Date, v Date) {
		if !v.IsZero() && !v.Equal(dst.Time) {
			old := ""
			if !dst.IsZero() {
				old = dst.String()
			}
			changes = append(changes, ApplicantChange{Field: field, Old: old, New: v.String()})
			*dst = v
		}
	}
	text("legal_name", &out.LegalName, later.LegalName)
	text("preferred_name", &out.PreferredName, later.PreferredName)
	date("birth_date", &out.BirthDate, later.BirthDate)
	text("language", &out.Language, later.Language)
	text("phone", &out.Phone, later.Phone)
	text("email", &out.Email, later.Email)
	text("address.line1", &out.Address.Line1, later.Address.Line1)
	text("address.line2", &out.Address.Line2, later.Address.Line2)
	text("address.city", &out.Address.City, later.Address.City)
	text("address.region", &out.Address.Region, later.Address.Region)
	text("address.postal_code", &out.Address.PostalCode, later.Address.PostalCode)
	text("country_of_birth", &out.CountryOfBirth, later.CountryOfBirth)
	if later.Situation != "" && later.Situation != SituationTPS && out.TPSCountry != "" {
		// A TPS country is only for TPS holders: a new situation drops it.
		changes = append(changes, ApplicantChange{Field: "tps_country", Old: out.TPSCountry})
		out.TPSCountry = ""
	}
	text("situation", &out.Situation, later.Situation)
	text("tps_country", &out.TPSCountry, later.TPSCountry)
	yes("facing_removal", &out.FacingRemoval, later.FacingRemoval)
	yes("notice_to_appear", &out.NoticeToAppear, later.NoticeToAppear)
	date("next_hearing", &out.NextHearing, later.NextHearing)
	yes("detained", &out.Detained, later.Detained)
	yes("interpreter_ok", &out.InterpreterOK, later.InterpreterOK)
	yes("unaccompanied_minor", &out.UnaccompaniedMinor, later.UnaccompaniedMinor)
	yes("unhoused", &out.Unhoused, later.Unhoused)
	yes("survivor", &out.Survivor, later.Survivor)
	out.EmergencyContacts = appendNew(f.EmergencyContacts, later.EmergencyContacts, func(a, b EmergencyContact) bool { return a == b })
	out.Consents = appendNew(f.Consents, later.Consents, func(a, b Consent) bool {
		return a.Purpose == b.Purpose && a.GivenAt.Equal(b.GivenAt) && a.RecordedBy == b.RecordedBy && a.Language == b.Language
	})
	return out, changes
}

// appendNew returns have with the items of more it lacks: the same contact
// or consent given twice (a form sent again) is kept once.
func appendNew[T any](have, more []T, same func(a, b T) bool) []T {
	out := slices.Clone(have)
	for _, x := range more {
		if !slices.ContainsFunc(out, func(y T) bool { return same(x, y) }) {
			out = append(out, x)
		}
	}
	return out
}

// ApplicantEvent is one entry of an applicant's history: a change of
// status (a match accepted or declined, a decision), or a later intake of
// the same person that changed their facts (Changes), with who made it and
// why.
type ApplicantEvent struct {
	Status   ApplicantStatus
	MemberID string // the member a match was accepted or declined for
	Reason   string
	ActorID  string // ApplicantActorID when the person wrote again themselves
	At       time.Time
	Changes  []ApplicantChange `json:",omitempty"`
}

// ApplicantFilter selects applicants; zero fields match all. Reference
// matches the code given to the person (NormalizeReference is applied);
// Name matches applicants whose legal or preferred name holds every word
// of it, ignoring case and accents. Search is what a person types to find
// someone: their reference code if it is one and someone has it, else
// their name (as Name).
//
// Sort is the order: one of ApplicantSorts, "-" first for descending;
// empty for the oldest received first. Names are sealed, so no order is
// by name (see ApplicantSorts).
type ApplicantFilter struct {
	ID             string
	OrganizationID string
	Status         ApplicantStatus
	Reference      string
	Name           string
	Search         string
	Sort           string
	Offset         int
	Limit          int
}

// ApplicantSorts are the orders of a list of applicants: when they were
// received (recorded), their status in the order of ApplicantStatuses (and
// within it, when received), and when their record last changed. Each
// breaks ties by ID, so that pages never overlap. A name is sealed with
// each person's own key: the store cannot order by it without storing an
// order-revealing copy, so lists find names by search instead.
var ApplicantSorts = []string{"received", "status", "updated"}

// ApplicantService keeps intakes, scoped to the actor's organization.
type ApplicantService interface {
	// CreateApplicants stores a batch in one transaction, all or nothing;
	// a person whose key is already stored is skipped, not duplicated. It
	// returns how many were new. EINVALID if one has no key; EFORBIDDEN
	// unless the actor writes clients of each one's organization
	// (Actor.WritesClientsOf).
	CreateApplicants(ctx context.Context, as []*Applicant) (int, error)
	// SubmitApplicant stores one intake (a form sent by the person or by
	// staff). A person already stored — by reference, when one is given
	// and found, else by key — is updated (Facts.Merge) with a history
	// entry of what changed, by the actor; anyone else is created. Either
	// way a is set to the stored record (its ID and Reference above all),
	// and created says which. Sending the same form twice changes nothing
	// the second time. The organization's public form (PublicIntakeActor)
	// may call it, and nothing else. EINVALID without a key; EFORBIDDEN
	// for another organization (Actor.SubmitsIntakeTo).
	//
	// The public form matched by key alone (name and date of birth, which
	// others may know) is not trusted as the person: the situation still
	// updates, but the contact details it gives are only proposed
	// (ApplicantChange.Proposed) for staff to confirm, and a is left as
	// sent, with the record's ID and an empty Reference: the existing code
	// and facts are never shown to the sender.
	SubmitApplicant(ctx context.Context, a *Applicant, reference string) (created bool, err error)
	// FindApplicants lists the actor's organization's applicants (every
	// organization's for the system), in f.Sort's order (oldest first by
	// default), with the total matching f. EINVALID for a sort not in
	// ApplicantSorts; EFORBIDDEN unless the actor sees clients
	// (Actor.SeesClients).
	FindApplicants(ctx context.Context, f ApplicantFilter) ([]*Applicant, int, error)
	// FindApplicantByID returns one applicant; ENOTFOUND if the actor's
	// organization has none with that ID; EFORBIDDEN as for FindApplicants.
	FindApplicantByID(ctx context.Context, id string) (*Applicant, error)
	// SetApplicantStatus records a decision: the new status, the member it
	// concerns (a match accepted or declined), and why. EINVALID for a
	// status not in ApplicantStatuses, a declined match without a reason,
	// or a match without a member; ENOTFOUND for an applicant not of the
	// actor's organization, or a member not of the applicant's;
	// EFORBIDDEN for a decision on a match by anyone who does not decide
	// matches (Actor.DecidesMatches), or for an actor who does not see
	// clients.
	SetApplicantStatus(ctx context.Context, id string, status ApplicantStatus, memberID, reason string) error
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
	// member is suspended; EFORBIDDEN unless the actor decides on matches
	// (Actor.DecidesMatches).
	AcceptMatch(ctx context.Context, id, memberID, reason string, c *Client) error
	// FindApplicantClient returns the client an accepted match created
	// from the applicant; ENOTFOUND if there is none, or no such applicant
	// in the actor's organization; EFORBIDDEN as for FindApplicants.
	FindApplicantClient(ctx context.Context, id string) (*Client, error)
	// FindApplicantEvents returns an applicant's history, oldest first;
	// read by staff, it marks the record seen (Applicant.SeenAt).
	// ENOTFOUND and EFORBIDDEN as for FindApplicantByID.
	FindApplicantEvents(ctx context.Context, id string) ([]*ApplicantEvent, error)
}

// referenceAlphabet is Crockford's base 32: no I, L, O or U, so a code
// read aloud or copied by hand is not mistaken.
const referenceAlphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

// ReferenceLen is the length of a new reference code: 50 random bits.
const ReferenceLen = 10

// NewReference returns a new random reference code.
func NewReference() string {
	var b [ReferenceLen]byte
	rand.Read(b[:]) // never fails: crypto/rand panics if the OS cannot supply entropy
	for i := range b {
		b[i] = referenceAlphabet[b[i]%32]
	}
	return string(b[:])
}

// NormalizeReference reads a reference code as a person may type it:
// case, spaces and hyphens do not matter, and O, I and L read as 0, 1 and
// 1. It returns "" for what cannot be a reference code (codes given before
// NewReference had 8 characters; new ones have ReferenceLen).
func NormalizeReference(s string) string {
	var b strings.Builder
	for _, r := range strings.ToUpper(s) {
		switch {
		case r == ' ' || r == '-':
			continue
		case r == 'O':
			r = '0'
		case r == 'I' || r == 'L':
			r = '1'
		}
		if !strings.ContainsRune(referenceAlphabet, r) {
			return ""
		}
		b.WriteRune(r)
	}
	if n := b.Len(); n != 8 && n != ReferenceLen {
		return ""
	}
	return b.String()
}

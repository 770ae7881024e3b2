package amparo

import (
	"context"
	"maps"
	"slices"
	"strings"
	"time"
	"unicode"
)

// Know-your-rights workshops: an organization's organizers schedule them,
// anyone registers under any name, the door checks tickets, and the
// attendees' details are forgotten on schedule, leaving counts.

// WorkshopStatus is where a workshop is in its life.
type WorkshopStatus string

const (
	WorkshopDraft     WorkshopStatus = "draft"     // being prepared; not public
	WorkshopPublished WorkshopStatus = "published" // on the public page, open to registration
	WorkshopCancelled WorkshopStatus = "cancelled"
	WorkshopHeld      WorkshopStatus = "held" // it took place
)

// WorkshopStatuses lists every workshop status.
var WorkshopStatuses = []WorkshopStatus{WorkshopDraft, WorkshopPublished, WorkshopCancelled, WorkshopHeld}

// CanMoveTo reports whether a workshop in status s may be put in status to.
func (s WorkshopStatus) CanMoveTo(to WorkshopStatus) bool {
	switch s {
	case WorkshopDraft:
		return to == WorkshopPublished || to == WorkshopCancelled
	case WorkshopPublished:
		return to == WorkshopCancelled || to == WorkshopHeld || to == WorkshopDraft
	}
	return false
}

// AddressVisibility says when a workshop's venue address is shown.
type AddressVisibility string

const (
	AddressPublic     AddressVisibility = "public"     // on the public page
	AddressRegistered AddressVisibility = "registered" // on the ticket
	AddressOnTheDay   AddressVisibility = "on_the_day" // on the ticket, on the day of the workshop only
)

// AddressVisibilities lists every address visibility.
var AddressVisibilities = []AddressVisibility{AddressPublic, AddressRegistered, AddressOnTheDay}

// Handouts are the know-your-rights materials a workshop can hand out, as
// the catalog keys of their titles; each prints in every language.
var Handouts = []string{"kyr.title", "kyr.card.title"}

// Workshop defaults.
const (
	DefaultWorkshopRetentionDays = 30
	DefaultWorkshopOfferHours    = 24
	MaxWorkshopCapacity          = 10_000
	MaxPartySize                 = 10
)

// Workshop is a know-your-rights workshop of an organization. Its texts
// (titles, descriptions, venue, address, accessibility notes) are stored
// sealed: a hidden venue's address is known only to those told it.
type Workshop struct {
	ID             string
	OrganizationID string
	// Title and Description by language code; Languages are those offered.
	Title       map[string]string
	Description map[string]string
	Languages   []string
	// StartsAt and EndsAt are instants; pages show them in the program's
	// time zone.
	StartsAt, EndsAt  time.Time
	Capacity          int // places, counting each registration's party
	Venue             string
	Address           string
	AddressVisibility AddressVisibility
	Accessibility     string
	FacilitatorIDs    []string // members of the organization
	Materials         []string // of Handouts
	Status            WorkshopStatus
	// RetentionDays after EndsAt, attendees' details are erased.
	RetentionDays int
	// OfferHours is how long a place offered from the waitlist stays open
	// (never past the start).
	OfferHours int
	// PublicKey verifies the workshop's tickets (Ed25519).
	PublicKey []byte
	// ErasedAt is when attendees' details were erased; zero if not yet.
	ErasedAt  time.Time
	CreatedAt time.Time
	UpdatedAt time.Time
}

// TitleIn is the workshop's title in lang, else in its first language.
func (w *Workshop) TitleIn(lang string) string { return w.textIn(w.Title, lang) }

// DescriptionIn is the description in lang, else in its first language.
func (w *Workshop) DescriptionIn(lang string) string { return w.textIn(w.Description, lang) }

func (w *Workshop) textIn(m map[string]string, lang string) string {
	if s := m[lang]; s != "" {
		return s
	}
	for _, l := range w.Languages {
		if s := m[l]; s != "" {
			return s
		}
	}
	for _, l := range slices.Sorted(maps.Keys(m)) {
		if m[l] != "" {
			return m[l]
		}
	}
	return ""
}

// RetainUntil is when the attendees' details are due to be erased.
func (w *Workshop) RetainUntil() time.Time {
	return w.EndsAt.Add(time.Duration(w.RetentionDays) * 24 * time.Hour)
}

// AddressShown reports whether a reader sees the venue address at now:
// ticket is true for the holder of a ticket (registered or waitlisted),
// loc is the program's time zone.
func (w *Workshop) AddressShown(ticket bool, now time.Time, loc *time.Location) bool {
	switch w.AddressVisibility {
	case AddressPublic:
		return true
	case AddressRegistered:
		return ticket
	case AddressOnTheDay:
		return ticket && !DayOf(now, loc).Before(DayOf(w.StartsAt, loc).Time)
	}
	return false
}

// Open reports whether the workshop takes registrations at now.
func (w *Workshop) Open(now time.Time) bool {
	return w.Status == WorkshopPublished && now.Before(w.StartsAt)
}

// Validate returns every problem of w, each naming its field.
func (w *Workshop) Validate() error {
	var c checker
	c.languages("languages", w.Languages, true)
	for _, l := range w.Languages {
		c.text("title."+l, w.Title[l], 200, true)
		c.text("description."+l, w.Description[l], 4000, false)
	}
	for l := range w.Title {
		if !slices.Contains(w.Languages, l) {
			c.add("title."+l, "invalid.workshop_language", "is in a language the workshop does not offer")
		}
	}
	if w.StartsAt.IsZero() {
		c.add("starts_at", "invalid.required", "is required")
	}
	if w.EndsAt.IsZero() {
		c.add("ends_at", "invalid.required", "is required")
	} else if !w.StartsAt.IsZero() && !w.EndsAt.After(w.StartsAt) {
		c.add("ends_at", "invalid.workshop_ends", "must be after the start")
	} else if w.EndsAt.Sub(w.StartsAt) > 7*24*time.Hour {
		c.add("ends_at", "invalid.workshop_long", "must be within a week of the start")
	}
	if w.Capacity < 1 || w.Capacity > MaxWorkshopCapacity {
		c.add("capacity", "invalid.workshop_capacity", "must be from 1 to %d", MaxWorkshopCapacity)
	}
	c.text("venue", w.Venue, 200, true)
	c.text("address", w.Address, 400, true)
	if !slices.Contains(AddressVisibilities, w.AddressVisibility) {
		c.add("address_visibility", "invalid.field", "is not one of the choices")
	}
	c.text("accessibility", w.Accessibility, 2000, false)
	for _, m := range w.Materials {
		if !slices.Contains(Handouts, m) {
			c.add("materials", "invalid.field", "is not one of the choices")
			break
		}
	}
	if len(w.FacilitatorIDs) > 20 {
		c.add("facilitators", "invalid.workshop_facilitators", "can be at most %d", 20)
	}
	if w.Status != "" && !slices.Contains(WorkshopStatuses, w.Status) {
		c.add("status", "invalid.field", "is not one of the choices")
	}
	if w.RetentionDays < 0 || w.RetentionDays > 365 {
		c.add("retention_days", "invalid.workshop_retention", "must be from 0 to %d days", 365)
	}
	if w.OfferHours < 1 || w.OfferHours > 14*24 {
		c.add("offer_hours", "invalid.workshop_offer_hours", "must be from 1 to %d hours", 14*24)
	}
	return c.err()
}

// ValidateHandedOut returns every problem of counts of materials handed
// out at w, each naming its material: one w does not list, or a count out
// of 0..MaxHandedOut.
func (w *Workshop) ValidateHandedOut(counts map[string]int) error {
	var c checker
	for _, m := range slices.Sorted(maps.Keys(counts)) {
		switch n := counts[m]; {
		case !slices.Contains(w.Materials, m):
			c.add("handed_out."+m, "invalid.handed_out_material", "is not a material of this workshop")
		case n < 0 || n > MaxHandedOut:
			c.add("handed_out."+m, "invalid.handed_out", "must be from 0 to %d", MaxHandedOut)
		}
	}
	return c.err()
}

// RegistrationStatus is where a registration is.
type RegistrationStatus string

const (
	RegistrationConfirmed  RegistrationStatus = "confirmed"  // holds a place
	RegistrationWaitlisted RegistrationStatus = "waitlisted" // waits for a place
	RegistrationOffered    RegistrationStatus = "offered"    // a place is held for it until OfferExpiresAt
	RegistrationCancelled  RegistrationStatus = "cancelled"  // by the person, or by the workshop's cancellation
	RegistrationExpired    RegistrationStatus = "expired"    // an offer not taken in time
)

// Registration is one person's (and their party's) registration: none of
// its fields identifies anyone. Alias, Phone and Email are sealed, and
// erased with Code and the ticket link when the workshop's retention ends.
type Registration struct {
	ID         string
	WorkshopID string
	Code       string // the ticket's short code, unique in the workshop; "" once erased
	Alias      string // any name the person likes, maybe none
	PartySize  int
	Language   string
	// Phone and Email are only for reminders, each with its consent.
	Phone, Email            string
	ConsentSMS, ConsentMail bool
	Status                  RegistrationStatus
	OfferExpiresAt          time.Time
	CheckedInAt             time.Time
	// Ticket is the signed QR text of the ticket; set when registering
	// and reading by link, "" once erased.
	Ticket    string
	CreatedAt time.Time
	UpdatedAt time.Time
}

// HoldsPlace reports whether the registration counts against capacity.
func (r *Registration) HoldsPlace() bool {
	return r.Status == RegistrationConfirmed || r.Status == RegistrationOffered
}

// Validate returns every problem of r, each naming its field.
func (r *Registration) Validate() error {
	var c checker
	c.text("alias", r.Alias, 80, false)
	if r.PartySize < 1 || r.PartySize > MaxPartySize {
		c.add("party_size", "invalid.party_size", "must be from 1 to %d", MaxPartySize)
	}
	c.language("language", r.Language)
	if r.Phone != "" {
		c.e164("phone", CompactPhone(r.Phone)) // as Register keeps it: what reminders go to, and replies are found by
	}
	c.maxLen("email", r.Email, 200)
	c.email("email", r.Email)
	if r.ConsentSMS && r.Phone == "" {
		c.add("phone", "invalid.consent_needs_phone", "is needed for text reminders")
	}
	if r.ConsentMail && r.Email == "" {
		c.add("email", "invalid.consent_needs_email", "is needed for email reminders")
	}
	if r.Phone != "" && !r.ConsentSMS {
		c.add("consent_sms", "invalid.consent_sms", "is needed to keep a phone number")
	}
	if r.Email != "" && !r.ConsentMail {
		c.add("consent_mail", "invalid.consent_mail", "is needed to keep an email address")
	}
	return c.err()
}

// CompactPhone is phone without the spaces, dots, dashes and brackets
// people write in it: "+1 (213) 555-0100" is "+12135550100", the E.164
// form that reminders are sent to and replies come from.
func CompactPhone(phone string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) || strings.ContainsRune("().-", r) {
			return -1
		}
		return r
	}, phone)
}

// TicketCodeAlphabet is what short codes are written in: no 0/O, 1/I/L or
// U, so that a code read aloud or typed from paper is typed right.
const TicketCodeAlphabet = "23456789ABCDEFGHJKMNPQRSTVWXYZ"

// TicketCodeLen is the length of a ticket's short code.
const TicketCodeLen = 6

// NormalizeTicketCode is code as stored: upper case, without spaces or
// dashes; "" when it is not a code.
func NormalizeTicketCode(code string) string {
	code = strings.ToUpper(strings.NewReplacer(" ", "", "-", "").Replace(strings.TrimSpace(code)))
	if len(code) != TicketCodeLen || strings.Trim(code, TicketCodeAlphabet) != "" {
		return ""
	}
	return code
}

// CheckInOutcome is what the door is told about a ticket.
type CheckInOutcome string

const (
	CheckInOK            CheckInOutcome = "ok"
	CheckInUnknown       CheckInOutcome = "unknown"        // no such ticket
	CheckInOtherWorkshop CheckInOutcome = "other_workshop" // a genuine ticket of another workshop
	CheckInAlready       CheckInOutcome = "already"        // checked in before
	CheckInCancelled     CheckInOutcome = "cancelled"      // cancelled, expired, or still waiting
	CheckInForged        CheckInOutcome = "forged"         // a ticket whose signature does not verify
	CheckInWalkIn        CheckInOutcome = "walk_in"        // a walk-in counted
)

// CheckIn is one scan at the door: a ticket's short code or QR text, or
// a walk-in; Nonce is unique per scan, so that a retried upload counts
// once.
type CheckIn struct {
	Nonce  string
	Code   string // the short code, typed
	Ticket string // or the QR text
	WalkIn int    // or a walk-in party of this many, without a name
}

// CheckInResult is what a scan did.
type CheckInResult struct {
	Outcome   CheckInOutcome
	Code      string
	PartySize int
	// Repeat is true when the nonce was seen before: the first answer,
	// nothing counted again.
	Repeat bool
}

// Attendance is a workshop's counts: all that is kept after erasure.
type Attendance struct {
	WorkshopID string
	Capacity   int
	// Registrations and people (parties summed), by status.
	Registered, RegisteredPeople int // confirmed or offered, or checked in
	Waitlisted, Cancelled        int
	Confirmed                    int // confirmed their coming (reminder replies; 0 until reminders)
	Came, CamePeople             int // registrations checked in, and their people
	WalkIns                      int // people counted at the door without a registration
	// ShowRate is Came / Registered, 0 with no registrations.
	ShowRate float64
	// HandedOut is how many of each material were handed out: one entry
	// per material of the workshop, then any recorded for a material it
	// no longer lists. Counts only, never to whom.
	HandedOut []HandedOut
}

// HandedOut is how many copies of one material (of Handouts) a workshop
// handed out.
type HandedOut struct {
	Material string
	Count    int
}

// MaxHandedOut is the most copies of one material a workshop records.
const MaxHandedOut = 100_000

// WorkshopErasure is one erasure of a workshop's attendee details, by the
// retention job or an organizer: counts of what was erased.
type WorkshopErasure struct {
	WorkshopID    string
	At            time.Time
	ActorID       string
	Registrations int // registrations whose details were erased
	Aliases       int
	Contacts      int // phone numbers and email addresses
	Tickets       int // ticket links and codes
}

// WorkshopFilter selects workshops.
type WorkshopFilter struct {
	OrganizationID string
	Status         WorkshopStatus
	// Upcoming selects workshops that have not ended at Now.
	Upcoming bool
	Now      time.Time
	Offset   int
	Limit    int
}

// Registered is what registering gives the person.
type Registered struct {
	Registration *Registration
	// Token is the secret of the ticket's link (/ticket/TOKEN); shown
	// once, stored only as a MAC.
	Token string
}

// WorkshopService keeps workshops, their registrations and check-ins.
// Organizers and admins of an organization manage its workshops
// (Actor.OrganizesWorkshopsOf); the public reads published ones and
// registers as a visitor.
type WorkshopService interface {
	// Reminders and the replies to them (workshop_reminder.go).
	WorkshopReminderService
	// The offline door's list (workshop_door.go).
	WorkshopDoorService
	// CreateWorkshop stores a new workshop of w.OrganizationID, in draft,
	// with a new ticket signing key. EINVALID for a bad field; EFORBIDDEN
	// outside the actor's organization; ECONFLICT if w.ID exists.
	CreateWorkshop(ctx context.Context, w *Workshop) error
	// UpdateWorkshop replaces a workshop's details (not its status), unless
	// it changed since w.UpdatedAt (ECONFLICT). EINVALID, EFORBIDDEN,
	// ENOTFOUND.
	UpdateWorkshop(ctx context.Context, w *Workshop) error
	// SetWorkshopStatus moves a workshop to status; cancelling cancels
	// every registration. EINVALID for a move CanMoveTo refuses;
	// ENOTFOUND; EFORBIDDEN.
	SetWorkshopStatus(ctx context.Context, id string, status WorkshopStatus) (*Workshop, error)
	// FindWorkshopByID returns a workshop: any to its organization's
	// organizers, a published, held or cancelled one to anyone. ENOTFOUND.
	FindWorkshopByID(ctx context.Context, id string) (*Workshop, error)
	// FindWorkshops lists workshops by start, soonest first, with the
	// total: the actor's organization's, or the public ones (not drafts)
	// for visitors. EFORBIDDEN for a role that sees none.
	FindWorkshops(ctx context.Context, f WorkshopFilter) ([]*Workshop, int, error)
	// Register registers r for its workshop: a place if the party fits,
	// else the waitlist. EINVALID for a bad field, or a workshop not open
	// (cancelled, draft, started): the error says which.
	Register(ctx context.Context, r *Registration) (*Registered, error)
	// FindTicket returns the registration of a ticket link's token, with
	// its workshop, after settling expired offers. ENOTFOUND for an
	// unknown or erased token.
	FindTicket(ctx context.Context, token string) (*Registration, *Workshop, error)
	// CancelTicket cancels the registration of a ticket link (leaving the
	// waitlist too); its place is offered to the waitlist. ENOTFOUND;
	// ECONFLICT once the workshop started.
	CancelTicket(ctx context.Context, token string) error
	// AcceptOffer takes a place offered from the waitlist. ENOTFOUND;
	// ECONFLICT if there is no open offer.
	AcceptOffer(ctx context.Context, token string) error
	// CheckIn records a scan at the door of workshop id: a ticket by code or
	// QR text, or a walk-in. A nonce seen before returns its first result
	// (Repeat) and counts nothing. EINVALID for a scan with nothing to
	// check or no nonce; ENOTFOUND; EFORBIDDEN.
	CheckIn(ctx context.Context, workshopID string, c CheckIn) (*CheckInResult, error)
	// WorkshopAttendance counts a workshop's registrations and check-ins.
	// ENOTFOUND; EFORBIDDEN.
	WorkshopAttendance(ctx context.Context, workshopID string) (*Attendance, error)
	// RecordHandedOut sets how many copies of each material were handed
	// out at workshop id (totals, replacing those recorded before; a
	// material left out keeps its count), and returns the attendance.
	// EINVALID for a material the workshop does not list or a count out
	// of 0..MaxHandedOut, naming it; ENOTFOUND; EFORBIDDEN.
	RecordHandedOut(ctx context.Context, id string, counts map[string]int) (*Attendance, error)
	// ForgetWorkshop erases the attendees' aliases, contact details, codes
	// and ticket links of workshop id now, keeping counts, and records
	// the erasure. ENOTFOUND; EFORBIDDEN.
	ForgetWorkshop(ctx context.Context, id string) (*WorkshopErasure, error)
	// ForgetDueWorkshops erases the attendee details of every workshop
	// whose retention ended by now, each once (one erasure record) even
	// when several processes run it at once. The system only.
	ForgetDueWorkshops(ctx context.Context, now time.Time) ([]*WorkshopErasure, error)
	// FindWorkshopErasures lists a workshop's erasures, newest first.
	// ENOTFOUND; EFORBIDDEN.
	FindWorkshopErasures(ctx context.Context, workshopID string) ([]*WorkshopErasure, error)
}

// WorkshopSource is what an intake opened from a workshop's ticket names
// as its source (Facts.SourceRef): the workshop, and nothing of the
// attendee.
func WorkshopSource(workshopID string) string { return "workshop:" + workshopID }

// IsWorkshopSource reports whether s is a WorkshopSource.
func IsWorkshopSource(s string) bool {
	id, ok := strings.CutPrefix(s, "workshop:")
	return ok && IsID(id)
}

// OrganizesWorkshopsOf reports whether the actor may manage the workshops
// of organization orgID: its organizers and admins, and the operator.
func (a Actor) OrganizesWorkshopsOf(orgID string) bool {
	switch a.Role {
	case RoleSystem:
		return true
	case RoleOrganizer, RoleOrgAdmin:
		return orgID != "" && a.OrganizationID == orgID
	}
	return false
}

// OrganizesWorkshops reports whether the actor manages some organization's
// workshops: what shows the staff app's workshops section.
func (a Actor) OrganizesWorkshops() bool { return a.OrganizesWorkshopsOf(a.OrganizationID) }

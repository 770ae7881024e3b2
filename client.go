package amparo

import (
	"context"
	"strings"
	"time"
)

// MaxNameLen is the longest name the program allows; the QR credential is
// sized for names this long.
const MaxNameLen = 64

// Immigration situations. A client has one; TPS holders also name the
// country of their designation.
const (
	SituationDACA        = "daca"
	SituationTPS         = "tps"
	SituationPendingCase = "pending_case"
	SituationAsylum      = "asylum_seeker"
	SituationLPR         = "lpr"
	SituationOther       = "other"
	SituationNoneKnown   = "none_known"
)

// SituationUnknown is a situation not given: "I don't know / prefer not
// to say". It is every form's starting answer and never a scored fact.
const SituationUnknown = ""

// Situations lists every immigration situation, in display order; a form
// offers SituationUnknown before them.
var Situations = []string{SituationDACA, SituationTPS, SituationPendingCase, SituationAsylum, SituationLPR, SituationOther, SituationNoneKnown}

// Client is a person the program serves.
type Client struct {
	ID             string
	OrganizationID string
	Personal
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Personal is everything about a client that is personal: the store seals
// it whole with the client's data key, so deleting the key erases the
// client for good. A field added here is encrypted without further work.
type Personal struct {
	// LegalName is the full name as on the person's identity documents:
	// letters, cards and QR codes print it, and nothing else.
	LegalName string
	// SingleName says staff checked that the person has one name only (no
	// surname) on their documents, so a one-word legal name is right.
	SingleName     bool   `json:",omitempty"`
	PreferredName  string `json:",omitempty"` // what the person is called; only their own part of a letter greets them by it
	BirthDate      Date   `json:",omitzero"`
	Language       string // preferred language, e.g. "es"
	Phone          string `json:",omitempty"`
	Address        Address
	CountryOfBirth string `json:",omitempty"` // ISO 3166-1 alpha-2, e.g. "SV"

	Situation      string
	TPSCountry     string `json:",omitempty"` // ISO 3166-1 alpha-2 of the TPS designation
	FacingRemoval  bool
	NoticeToAppear bool
	NextHearing    Date `json:",omitzero"`
	Detained       bool

	EmergencyContacts []EmergencyContact `json:",omitempty"`
	Consents          []Consent          `json:",omitempty"`
}

// Address is where a client lives.
type Address struct {
	Line1      string `json:",omitempty"`
	Line2      string `json:",omitempty"`
	City       string `json:",omitempty"`
	Region     string `json:",omitempty"`
	PostalCode string `json:",omitempty"`
}

// EmergencyContact is someone to alert when the client is stopped.
type EmergencyContact struct {
	Name         string
	Relationship string `json:",omitempty"`
	Phone        string
	Language     string `json:",omitempty"`
}

// Consent records what a client agreed to, when, before whom and in which
// language the consent was explained.
type Consent struct {
	Purpose    string // e.g. "representation", "data_storage", "alerts"
	GivenAt    time.Time
	RecordedBy string // member or staff account ID
	Language   string
}

// Consent purposes.
const (
	ConsentRepresentation = "representation"
	ConsentDataStorage    = "data_storage"
	ConsentAlerts         = "alerts"
)

// DisplayName is the name to greet the client by in what only they read
// ("Para usted, José"): the preferred name if given. Letters, cards, QR
// codes and anything an officer reads name the client by LegalName.
func (c *Client) DisplayName() string {
	if c.PreferredName != "" {
		return c.PreferredName
	}
	return c.LegalName
}

// Validate returns every problem of c, each naming its field.
func (c *Client) Validate() error {
	var v checker
	v.required("organization_id", c.OrganizationID)
	v.text("legal_name", c.LegalName, MaxNameLen, true)
	if n := len(strings.Fields(c.LegalName)); n == 1 && !c.SingleName {
		// A letter naming "Joy" does not say who it protects.
		v.add("legal_name", "invalid.one_word_name", "has one word: enter the full name as on the identity documents, or mark that the person has a single name")
	}
	v.text("preferred_name", c.PreferredName, MaxNameLen, false)
	if !c.BirthDate.IsZero() && (c.BirthDate.Year() < 1900 || c.BirthDate.After(time.Now())) {
		v.add("birth_date", "invalid.birth_date", "must be a date between 1900 and today")
	}
	v.language("language", c.Language)
	v.phone("phone", c.Phone, false)
	v.text("address.line1", c.Address.Line1, 200, false)
	v.text("address.line2", c.Address.Line2, 200, false)
	v.text("address.city", c.Address.City, 100, false)
	v.text("address.region", c.Address.Region, 100, false)
	v.text("address.postal_code", c.Address.PostalCode, 20, false)
	v.country("country_of_birth", c.CountryOfBirth, false)
	if c.Situation != SituationUnknown {
		v.oneOf("situation", c.Situation, Situations...)
	}
	if c.Situation == SituationTPS {
		v.country("tps_country", c.TPSCountry, true)
	} else if c.TPSCountry != "" {
		v.add("tps_country", "invalid.tps_country_not_tps", "is only for TPS holders")
	}
	if !c.NextHearing.IsZero() && !c.FacingRemoval {
		v.add("next_hearing", "invalid.hearing_not_removal", "is only for clients facing removal")
	}
	for _, e := range c.EmergencyContacts {
		v.text("emergency_contacts.name", e.Name, MaxNameLen, true)
		v.text("emergency_contacts.relationship", e.Relationship, 50, false)
		v.phone("emergency_contacts.phone", e.Phone, true)
		if e.Language != "" {
			v.language("emergency_contacts.language", e.Language)
		}
	}
	for _, k := range c.Consents {
		v.oneOf("consents.purpose", k.Purpose, ConsentRepresentation, ConsentDataStorage, ConsentAlerts)
		if k.GivenAt.IsZero() {
			v.add("consents.given_at", "invalid.required", "is required")
		}
		v.required("consents.recorded_by", k.RecordedBy)
		v.language("consents.language", k.Language)
	}
	return v.err()
}

// ClientFilter selects clients; zero fields match all. Name matches clients
// whose legal or preferred name holds every word of it, ignoring case and
// accents.
type ClientFilter struct {
	ID             string
	OrganizationID string
	Name           string
	// Sort orders the clients: "created" (the default), "updated" or
	// "name", "-" first for descending; the ID breaks ties, so pages are
	// stable. Names are sealed, so the store cannot order by them: "name"
	// sorts a set of at most MaxNameSort clients (a search's result, or a
	// small organization) after opening it, and is EINVALID for more.
	Sort   string
	Offset int
	Limit  int
}

// ClientSorts are the orders a client list may ask for (ClientFilter.Sort,
// each also descending).
var ClientSorts = []string{"created", "updated", "name"}

// MaxNameSort is the most clients a list sorts by name: each is opened
// with its own data key to read the name.
const MaxNameSort = 500

// ClientService manages clients. Implementations scope every call to the
// organization of the actor in the context and audit every read.
type ClientService interface {
	// FindClientByID returns one client of the actor's organization; the
	// read is audited. ENOTFOUND if the organization has no such client (a
	// client of another organization is not found, so its existence is not
	// revealed); EFORBIDDEN unless the actor sees clients
	// (Actor.SeesClients).
	FindClientByID(ctx context.Context, id string) (*Client, error)
	// FindClients lists the actor's organization's clients in f.Sort's
	// order (oldest first by default), with the total matching f; the
	// search is audited, without its terms. EINVALID for a sort it does not
	// know, or by name of more than MaxNameSort clients; EFORBIDDEN as for
	// FindClientByID.
	FindClients(ctx context.Context, f ClientFilter) ([]*Client, int, error)
	// CreateClient stores a client, in the actor's organization when c
	// names none. EINVALID if c is invalid; EFORBIDDEN unless the actor
	// writes clients of its organization (Actor.WritesClientsOf).
	CreateClient(ctx context.Context, c *Client) error
	// CreateClients stores a batch in one transaction: all or nothing.
	// EINVALID and EFORBIDDEN as for CreateClient.
	CreateClients(ctx context.Context, cs []*Client) error
	// UpdateClient replaces c's personal fields, if c.UpdatedAt is still
	// the stored record's: an edit of a record changed since it was read
	// is refused with ECONFLICT and overwrites nothing. ENOTFOUND if c is
	// not a client of the actor's organization; EINVALID if c is invalid;
	// EFORBIDDEN as for CreateClient.
	UpdateClient(ctx context.Context, c *Client) error
	// DeleteClient erases a client for good: its data key is destroyed, so
	// no copy of its encrypted fields can be read again, and its letters'
	// credentials are revoked. ENOTFOUND if the actor's organization has no
	// such client; EFORBIDDEN as for FindClientByID.
	DeleteClient(ctx context.Context, id string) error
}

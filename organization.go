package amparo

import (
	"context"
	"time"
)

// OrganizationKind says what kind of legal provider an organization is.
type OrganizationKind string

// Organization kinds.
const (
	OrgNonprofit  OrganizationKind = "nonprofit"
	OrgLawFirm    OrganizationKind = "law_firm"
	OrgRecognized OrganizationKind = "recognized_org" // recognized by the Department of Justice to employ accredited representatives
)

// Organization is a partner legal provider.
type Organization struct {
	ID           string
	Name         string
	Kind         OrganizationKind
	ContactName  string
	ContactEmail string
	ContactPhone string
	// PublicPhone is the organization's public number: verifiers show it
	// instead of a member who has left or is suspended (the signed roster
	// carries it). ContactPhone stands in while it is empty.
	PublicPhone string
	ServiceArea []string // places served: cities, counties or ZIP codes
	Languages   []string
	Capacity    int // clients the organization can take on
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// Validate returns every problem of o, each naming its field.
func (o *Organization) Validate() error {
	var c checker
	c.text("name", o.Name, 120, true) // the trust list carries it
	oneOf(&c, "kind", o.Kind, OrgNonprofit, OrgLawFirm, OrgRecognized)
	c.text("contact_name", o.ContactName, 200, false)
	c.email("contact_email", o.ContactEmail)
	c.phone("contact_phone", o.ContactPhone, false)
	c.phone("public_phone", o.PublicPhone, false)
	for _, a := range o.ServiceArea {
		c.text("service_area", a, 100, true)
	}
	c.languages("languages", o.Languages, true)
	c.nonNegative("capacity", o.Capacity)
	return c.err()
}

// OrganizationFilter selects organizations; zero fields match all.
type OrganizationFilter struct {
	ID string
	// Q is part of a name, any case.
	Q string
	// Sort is "name", "capacity" or "created", "-" first for descending;
	// "" is by name. EINVALID for any other.
	Sort   string
	Offset int
	Limit  int
}

// OrganizationSorts lists the orders OrganizationFilter.Sort takes (each
// also "-" first).
var OrganizationSorts = []string{"name", "capacity", "created"}

// OrganizationService manages partner organizations.
type OrganizationService interface {
	// FindOrganizationByID returns one organization. Organizations are
	// public partners of the program: any actor may read them. ENOTFOUND
	// if there is none.
	FindOrganizationByID(ctx context.Context, id string) (*Organization, error)
	// FindOrganizations lists organizations by name, with the total
	// matching f; any actor may.
	FindOrganizations(ctx context.Context, f OrganizationFilter) ([]*Organization, int, error)
	// CreateOrganization onboards a partner: the program office
	// (Actor.RunsProgram). EINVALID if o is invalid; ECONFLICT for a name
	// already used; EFORBIDDEN otherwise.
	CreateOrganization(ctx context.Context, o *Organization) error
	// UpdateOrganization changes an organization: its own admins or the
	// program office (Actor.Administers). EINVALID and ECONFLICT as for
	// CreateOrganization; ENOTFOUND if there is no such organization;
	// EFORBIDDEN otherwise.
	UpdateOrganization(ctx context.Context, o *Organization) error
}

package amparo

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"time"
)

// Vendors, their disclosure affidavits and their screenings against the
// border-wall registry. A vendor belongs to one organization, whose
// procurement officers (RoleProcurement) keep it; the program office's
// operator (RoleSystem) reaches every organization's.
//
// Unlike the registry, which is compiled from public records, what a
// vendor declares is not public: a vendor may be one person trading under
// their own name. The store seals a vendor's names and address, and every
// free-text field of an affidavit and of a reviewer's decision.

// ScreensVendorsOf reports whether the actor may keep and screen the
// vendors of the organization orgID: its procurement officers, and the
// operator.
func (a Actor) ScreensVendorsOf(orgID string) bool {
	return a.Role == RoleSystem || (a.Role == RoleProcurement && a.OrganizationID != "" && a.OrganizationID == orgID)
}

// Vendor is a company (or a person trading) that bids for an
// organization's contracts.
type Vendor struct {
	ID             string
	OrganizationID string
	Name           string
	Aliases        []string             `json:",omitempty"`
	Identifiers    []RegistryIdentifier `json:",omitempty"` // canonical values
	Address        string               `json:",omitempty"`
	CreatedAt      time.Time
}

// Validate checks the vendor and puts its identifiers in canonical form.
func (v *Vendor) Validate() error {
	var errs []error
	v.Name = strings.TrimSpace(v.Name)
	if v.Name == "" {
		errs = append(errs, Invalid("name", "the vendor's name is required").Localize("screen.vendor.err.name"))
	}
	errs = append(errs, checkRegistryText("name", v.Name, 300))
	for _, a := range v.Aliases {
		errs = append(errs, checkRegistryText("aliases", a, 300))
	}
	errs = append(errs, checkRegistryText("address", v.Address, 500))
	seen := map[RegistryIdentifierKind]bool{}
	for i, id := range v.Identifiers {
		c, err := CanonicalIdentifier(id.Kind, id.Value)
		switch {
		case err != nil:
			errs = append(errs, err)
		case seen[id.Kind]:
			errs = append(errs, Invalid(string(id.Kind), "one identifier of each kind").Localize("screen.vendor.err.identifier_twice", string(id.Kind)))
		default:
			v.Identifiers[i].Value = c
		}
		seen[id.Kind] = true
	}
	return errors.Join(errs...) // every problem, for a form to show at once
}

// Identifier returns the vendor's identifier of kind, or "".
func (v *Vendor) Identifier(kind RegistryIdentifierKind) string {
	for _, id := range v.Identifiers {
		if id.Kind == kind {
			return id.Value
		}
	}
	return ""
}

// Solicitation is a call for bids of an organization; its public link
// (Token, set only when it is created) lets vendors file their disclosure
// affidavit without an account.
type Solicitation struct {
	ID             string
	OrganizationID string
	Title          string
	Token          string `json:"-"`
	CreatedAt      time.Time
	Affidavits     int // affidavits filed through it (FindSolicitations)
}

// AffidavitFormVersion names the affidavit form's words; every affidavit
// records the version it was signed on. A change of the form's words
// (catalog keys screen.affidavit.*) bumps it.
const AffidavitFormVersion = "affidavit-2026-1"

// Affidavit is a vendor's disclosure under affidavit, filed through a
// solicitation's public link: whether it designs, builds, operates or
// maintains a border wall (with its description when it does), signed by
// a person with name and title, who types their name again as the
// attestation.
type Affidavit struct {
	ID             string
	SolicitationID string
	VendorID       string // set by the store: the vendor it is filed for
	Vendor         Vendor // as declared: name, identifiers, address
	BorderWallWork bool
	Work           string // what the work is, when BorderWallWork
	SignerName     string
	SignerTitle    string
	Attestation    string // the signer's name, typed again
	FormVersion    string
	SignedAt       time.Time
}

// Validate checks the affidavit: the vendor, the work described when
// declared, the signer's name and title, and the attestation, which must
// repeat the signer's name.
func (a *Affidavit) Validate() error {
	errs := []error{a.Vendor.Validate()}
	a.Work = strings.TrimSpace(a.Work)
	if a.BorderWallWork && a.Work == "" {
		errs = append(errs, Invalid("work", "describe the border-wall work").Localize("screen.affidavit.err.work"))
	}
	if !a.BorderWallWork && a.Work != "" {
		errs = append(errs, Invalid("work", "work described, but none declared").Localize("screen.affidavit.err.work_none"))
	}
	errs = append(errs, checkRegistryText("work", a.Work, 2000))
	for _, f := range []struct {
		field, key string
		v          *string
		n          int
	}{{"signer_name", "screen.affidavit.err.signer_name", &a.SignerName, 200}, {"signer_title", "screen.affidavit.err.signer_title", &a.SignerTitle, 200},
		{"attestation", "screen.affidavit.err.attestation", &a.Attestation, 200}} {
		*f.v = strings.TrimSpace(*f.v)
		if *f.v == "" {
			errs = append(errs, Invalid(f.field, "%s is required", f.field).Localize(f.key))
		}
		errs = append(errs, checkRegistryText(f.field, *f.v, f.n))
	}
	if a.Attestation != "" && !strings.EqualFold(strings.Join(strings.Fields(a.Attestation), " "), strings.Join(strings.Fields(a.SignerName), " ")) {
		errs = append(errs, Invalid("attestation", "the attestation is the signer's name, typed again").Localize("screen.affidavit.err.attestation_name"))
	}
	return errors.Join(errs...) // every problem, for a form to show at once
}

// VendorService keeps vendors, solicitations and affidavits.
type VendorService interface {
	// CreateVendor stores v in the actor's organization (or v's, for the
	// operator), setting ID and CreatedAt. EINVALID (naming the field);
	// EFORBIDDEN unless the actor screens that organization's vendors.
	CreateVendor(ctx context.Context, v *Vendor) error
	// CreateVendors stores every vendor or none (a vendor CSV): EINVALID
	// names the first bad vendor's index and field.
	CreateVendors(ctx context.Context, vs []*Vendor) error
	// FindVendorByID returns a vendor. ENOTFOUND, also for another
	// organization's.
	FindVendorByID(ctx context.Context, id string) (*Vendor, error)
	// FindVendors lists the organization's vendors by name.
	FindVendors(ctx context.Context, orgID string) ([]*Vendor, error)
	// UpdateVendor replaces a stored vendor's names, identifiers and
	// address with v's (ID names it) and audits the change; its
	// screenings and affidavits are kept as they were. EINVALID naming the
	// field; ENOTFOUND, also for another organization's.
	UpdateVendor(ctx context.Context, v *Vendor) error
	// VendorDeclarations returns the organization's vendors that filed an
	// affidavit, each with its newest one: what a vendor file's screening
	// compares with the registry. EFORBIDDEN as FindVendors.
	VendorDeclarations(ctx context.Context, orgID string) ([]*VendorDeclaration, error)
	// CreateSolicitation stores s and sets its ID and Token (the public
	// link's secret; only its hash is stored). EINVALID without a title;
	// EFORBIDDEN as CreateVendor.
	CreateSolicitation(ctx context.Context, s *Solicitation) error
	// FindSolicitations lists the organization's solicitations, newest
	// first, each with its public link's Token and how many affidavits came
	// in through it. EFORBIDDEN as FindVendors.
	FindSolicitations(ctx context.Context, orgID string) ([]*Solicitation, error)
	// FindSolicitationByToken returns the solicitation of a public link,
	// for anyone holding it. ENOTFOUND for an unknown token.
	FindSolicitationByToken(ctx context.Context, token string) (*Solicitation, error)
	// SubmitAffidavit files a's affidavit through the public link token,
	// for anyone holding it: the vendor is found in the solicitation's
	// organization by UEI, EIN or name (case and spacing aside), or
	// created. Sets a.ID, a.VendorID, a.FormVersion and a.SignedAt.
	// EINVALID naming the field (a missing attestation: "attestation");
	// ENOTFOUND for an unknown token.
	SubmitAffidavit(ctx context.Context, token string, a *Affidavit) error
	// VendorAffidavits lists a vendor's affidavits, newest first.
	VendorAffidavits(ctx context.Context, vendorID string) ([]*Affidavit, error)
}

// VendorDeclaration is a stored vendor and what its newest affidavit
// declares.
type VendorDeclaration struct {
	Vendor         *Vendor
	AffidavitID    string
	BorderWallWork bool
	SignedAt       time.Time
}

// Screening is one screening of a vendor, as audited: the versions it
// used (policy, registry with its hash, matching algorithm), the day the
// policy was applied on, its results in canonical JSON (package
// screening's Outcome) and their SHA-256.
type Screening struct {
	ID              string
	OrganizationID  string
	VendorID        string
	At              time.Time
	Day             Date
	PolicyVersion   int
	RegistryVersion int
	RegistryHash    string
	Algorithm       string
	ResultHash      string
	Results         json.RawMessage
	Author          string
}

// HitVerdict is a reviewer's decision on one hit of a screening.
type HitVerdict string

const (
	HitConfirmed     HitVerdict = "confirmed"
	HitFalsePositive HitVerdict = "false_positive"
)

// HitDecision is a reviewer's decision that vendor VendorID is (or is
// not) registry entity EntityID, with a reason. EntityHash is the
// entity's content hash when decided (package screening's EntityHash):
// when the registry entry changes, the decision no longer applies and the
// hit is asked again.
type HitDecision struct {
	VendorID   string
	EntityID   string
	EntityHash string
	Verdict    HitVerdict
	Reason     string
	Author     string
	At         time.Time
}

// Validate checks the verdict and the reason.
func (d *HitDecision) Validate() error {
	if d.Verdict != HitConfirmed && d.Verdict != HitFalsePositive {
		return Invalid("verdict", "a decision is confirmed or false_positive").Localize("screen.decision.err.verdict", string(d.Verdict))
	}
	d.Reason = strings.TrimSpace(d.Reason)
	if d.Reason == "" {
		return Invalid("reason", "say why").Localize("screen.decision.err.reason")
	}
	if d.EntityID == "" || d.EntityHash == "" {
		return Invalid("entity", "the decision names no registry entity").Localize("screen.decision.err.entity")
	}
	return checkRegistryText("reason", d.Reason, 2000)
}

// ScreeningStore keeps screenings and reviewers' decisions.
type ScreeningStore interface {
	// CurrentRegistryVersion returns the registry version in force
	// without reading the registry (version 0 before any change).
	CurrentRegistryVersion(ctx context.Context) (*RegistryVersion, error)
	// RecordScreenings stores screenings (all or none), setting their ID,
	// OrganizationID (the vendor's) and Author, and audits each.
	// EFORBIDDEN unless the actor screens the vendors' organization.
	RecordScreenings(ctx context.Context, ss []*Screening) error
	// FindScreeningByID returns one screening. ENOTFOUND, also for
	// another organization's.
	FindScreeningByID(ctx context.Context, id string) (*Screening, error)
	// LatestScreening returns a vendor's newest screening. ENOTFOUND if
	// it was never screened.
	LatestScreening(ctx context.Context, vendorID string) (*Screening, error)
	// DecideHit stores d (replacing an earlier decision on the same
	// vendor and entity), setting Author and At. EINVALID naming the
	// field; EFORBIDDEN; ENOTFOUND for an unknown vendor.
	DecideHit(ctx context.Context, d *HitDecision) error
	// HitDecisions returns the decisions on the vendors, by vendor ID.
	HitDecisions(ctx context.Context, vendorIDs []string) (map[string][]*HitDecision, error)
	// The runs of uploaded vendor files.
	ScreeningRunStore
}

// ScreensVendors reports whether the actor keeps an organization's
// vendors: its procurement officers.
func (a Actor) ScreensVendors() bool { return a.Role == RoleProcurement && a.OrganizationID != "" }

package amparo

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"
)

// The border-wall contractor registry: companies, organizations and people
// reported as designing, building, operating or maintaining a border
// barrier, their relations, and their involvements (contracts), each with
// its public source. The registry is program-wide, edited by the program
// office alone, and versioned: every change makes a new RegistryVersion,
// and every older version stays readable, so that a screening can be
// reproduced against the version it used.
//
// Registry records are compiled from public records (press reports,
// government releases, award data), not from the people the program
// serves: they are stored in clear, like an organization's name.

// RegistryEntityKind is what an entity of the registry is.
type RegistryEntityKind string

const (
	RegistryCompany      RegistryEntityKind = "company"
	RegistryOrganization RegistryEntityKind = "organization"
	RegistryPerson       RegistryEntityKind = "person"
)

// RegistryEntityKinds lists every kind.
var RegistryEntityKinds = []RegistryEntityKind{RegistryCompany, RegistryOrganization, RegistryPerson}

// RegistryNameKind says which of an entity's names a name is.
type RegistryNameKind string

const (
	RegistryNamePrimary  RegistryNameKind = "primary"  // exactly one per entity
	RegistryNameAlias    RegistryNameKind = "alias"    // also known as, doing business as
	RegistryNamePrevious RegistryNameKind = "previous" // a former legal name
)

// RegistryName is one name of an entity.
type RegistryName struct {
	Kind RegistryNameKind
	Name string
}

// RegistryIdentifierKind is a kind of identifier, each with its format.
type RegistryIdentifierKind string

const (
	RegistryUEI       RegistryIdentifierKind = "uei"        // SAM.gov Unique Entity ID: 12 letters and digits
	RegistryDUNS      RegistryIdentifierKind = "duns"       // D-U-N-S number: 9 digits
	RegistryEIN       RegistryIdentifierKind = "ein"        // employer identification number: NN-NNNNNNN
	RegistryCALicense RegistryIdentifierKind = "ca_license" // California contractor's licence: 1 to 8 digits
	RegistryStateReg  RegistryIdentifierKind = "state_registration"
)

// RegistryIdentifierKinds lists every kind of identifier.
var RegistryIdentifierKinds = []RegistryIdentifierKind{RegistryUEI, RegistryDUNS, RegistryEIN, RegistryCALicense, RegistryStateReg}

// RegistryIdentifier is one identifier of an entity. Value is canonical
// (CanonicalIdentifier's form); State is the US state (two letters) of a
// state registration, "" for every other kind.
type RegistryIdentifier struct {
	Kind  RegistryIdentifierKind
	Value string
	State string `json:",omitempty"`
}

// CanonicalIdentifier returns v in the canonical form of kind (letters in
// upper case, no spaces; an EIN with its hyphen), or an EINVALID error
// saying what the format is. Matching compares identifiers in this form.
func CanonicalIdentifier(kind RegistryIdentifierKind, v string) (string, error) {
	v = strings.ToUpper(strings.Join(strings.Fields(v), ""))
	digits := func(s string) bool { return s != "" && strings.Trim(s, "0123456789") == "" }
	switch kind {
	case RegistryUEI:
		// SAM.gov's format: no I or O (read as 1 and 0), never a 0 first.
		if len(v) == 12 && strings.Trim(v, "0123456789ABCDEFGHJKLMNPQRSTUVWXYZ") == "" && v[0] != '0' {
			return v, nil
		}
		return "", Invalid("uei", "a UEI is 12 letters and digits, without I or O, not starting with 0").Localize("screen.registry.err.uei", v)
	case RegistryDUNS:
		v = strings.ReplaceAll(v, "-", "")
		if len(v) == 9 && digits(v) {
			return v, nil
		}
		return "", Invalid("duns", "a DUNS number is 9 digits").Localize("screen.registry.err.duns", v)
	case RegistryEIN:
		d := strings.ReplaceAll(v, "-", "")
		if len(d) == 9 && digits(d) && (v == d || (len(v) == 10 && v[2] == '-')) {
			return d[:2] + "-" + d[2:], nil
		}
		return "", Invalid("ein", "an EIN is written NN-NNNNNNN").Localize("screen.registry.err.ein", v)
	case RegistryCALicense:
		if len(v) <= 8 && digits(v) {
			return strings.TrimLeft(v, "0"), nil
		}
		return "", Invalid("ca_license", "a California contractor's licence is up to 8 digits").Localize("screen.registry.err.ca_license", v)
	case RegistryStateReg:
		if v != "" && len(v) <= 40 && strings.Trim(v, "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ-./") == "" {
			return v, nil
		}
		return "", Invalid("state_registration", "a state registration is up to 40 letters, digits, '-', '.' or '/'").Localize("screen.registry.err.state_registration", v)
	}
	return "", Invalid("identifier", "unknown kind of identifier %q", kind).Localize("screen.registry.err.identifier_kind", string(kind))
}

// RegistrySource is where a record comes from: a public URL or a document
// (a report, a release, a filing), and when it was retrieved.
type RegistrySource struct {
	URL       string `json:",omitempty"`
	Document  string `json:",omitempty"`
	Retrieved Date
}

// Validate checks that the source names a URL or a document, and its
// retrieval date.
func (s RegistrySource) Validate() error {
	switch {
	case s.URL == "" && s.Document == "":
		return Invalid("source", "a URL or a document is required").Localize("screen.registry.err.source")
	case s.URL != "" && !strings.HasPrefix(s.URL, "https://") && !strings.HasPrefix(s.URL, "http://"):
		return Invalid("source_url", "a source URL starts with https://").Localize("screen.registry.err.source_url", s.URL)
	case s.Retrieved.IsZero():
		return Invalid("retrieved", "the retrieval date is required").Localize("screen.registry.err.retrieved")
	}
	return checkRegistryText("source", s.URL+s.Document, 2000)
}

// RegistryEntity is one company, organization or person of the registry.
// ID is chosen by whoever adds it (a short slug, "fisher-sand-gravel"), and
// stays the same across versions.
type RegistryEntity struct {
	ID           string
	Kind         RegistryEntityKind
	Names        []RegistryName       // one primary, then aliases and previous names
	Identifiers  []RegistryIdentifier // canonical values
	Addresses    []string             `json:",omitempty"` // one line each, as published
	Jurisdiction string               `json:",omitempty"` // where it is incorporated: "US-AZ", "Mexico"
	Source       RegistrySource
}

// Name returns the entity's primary name.
func (e *RegistryEntity) Name() string {
	for _, n := range e.Names {
		if n.Kind == RegistryNamePrimary {
			return n.Name
		}
	}
	return ""
}

// Validate checks the entity and puts its identifiers in canonical form.
func (e *RegistryEntity) Validate() error {
	if err := checkRegistryID("id", e.ID); err != nil {
		return err
	}
	if !registryOneOf(e.Kind, RegistryEntityKinds) {
		return Invalid("kind", "kind is company, organization or person").Localize("screen.registry.err.entity_kind", string(e.Kind))
	}
	primary := 0
	for _, n := range e.Names {
		switch n.Kind {
		case RegistryNamePrimary:
			primary++
		case RegistryNameAlias, RegistryNamePrevious:
		default:
			return Invalid("names", "a name is primary, alias or previous").Localize("screen.registry.err.name_kind", string(n.Kind))
		}
		if strings.TrimSpace(n.Name) == "" {
			return Invalid("names", "a name is empty").Localize("screen.registry.err.name_empty")
		}
		if err := checkRegistryText("names", n.Name, 300); err != nil {
			return err
		}
	}
	if primary != 1 {
		return Invalid("names", "an entity has exactly one primary name").Localize("screen.registry.err.primary_name")
	}
	for i, id := range e.Identifiers {
		v, err := CanonicalIdentifier(id.Kind, id.Value)
		if err != nil {
			return err
		}
		e.Identifiers[i].Value = v
		if id.Kind == RegistryStateReg {
			if len(id.State) != 2 || strings.Trim(strings.ToUpper(id.State), "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != "" {
				return Invalid("state_registration", "a state registration names its state in two letters").Localize("screen.registry.err.state", id.State)
			}
			e.Identifiers[i].State = strings.ToUpper(id.State)
		} else if id.State != "" {
			return Invalid("identifier", "only a state registration names a state").Localize("screen.registry.err.state", id.State)
		}
	}
	for _, a := range e.Addresses {
		if err := checkRegistryText("addresses", a, 300); err != nil {
			return err
		}
	}
	if err := checkRegistryText("jurisdiction", e.Jurisdiction, 100); err != nil {
		return err
	}
	return e.Source.Validate()
}

// RegistryRelationKind is how two entities are related: From is Kind of To.
type RegistryRelationKind string

const (
	RegistryParentOf     RegistryRelationKind = "parent"     // From owns or controls To
	RegistrySubsidiaryOf RegistryRelationKind = "subsidiary" // From is owned or controlled by To
	RegistryAffiliateOf  RegistryRelationKind = "affiliate"  // From and To are under common control (either way)
	RegistryJVMemberOf   RegistryRelationKind = "jv_member"  // From is a member of the joint venture To
)

// RegistryRelationKinds lists every kind of relation.
var RegistryRelationKinds = []RegistryRelationKind{RegistryParentOf, RegistrySubsidiaryOf, RegistryAffiliateOf, RegistryJVMemberOf}

// RegistryRelation relates two entities of the same version; both must
// exist.
type RegistryRelation struct {
	ID       string
	Kind     RegistryRelationKind
	From, To string // entity IDs
	Source   RegistrySource
}

// Validate checks the relation on its own (that its ends exist is the
// store's check, against the whole version).
func (r *RegistryRelation) Validate() error {
	if err := checkRegistryID("id", r.ID); err != nil {
		return err
	}
	if !registryOneOf(r.Kind, RegistryRelationKinds) {
		return Invalid("relation", "a relation is parent, subsidiary, affiliate or jv_member").Localize("screen.registry.err.relation_kind", string(r.Kind))
	}
	if err := checkRegistryID("from", r.From); err != nil {
		return err
	}
	if err := checkRegistryID("to", r.To); err != nil {
		return err
	}
	if r.From == r.To {
		return Invalid("to", "an entity is not related to itself").Localize("screen.registry.err.relation_self", r.From)
	}
	return r.Source.Validate()
}

// RegistryRole is an entity's role in a border-barrier contract.
type RegistryRole string

const (
	RegistryPrime            RegistryRole = "prime"
	RegistrySubcontractor    RegistryRole = "subcontractor"
	RegistryJVMember         RegistryRole = "jv_member"
	RegistryPrototypeBuilder RegistryRole = "prototype_builder"
	RegistryShortlisted      RegistryRole = "shortlisted"
)

// RegistryRoles lists every role.
var RegistryRoles = []RegistryRole{RegistryPrime, RegistrySubcontractor, RegistryJVMember, RegistryPrototypeBuilder, RegistryShortlisted}

// RegistryAwardStatus is where a contract stands.
type RegistryAwardStatus string

const (
	AwardAwarded   RegistryAwardStatus = "awarded"
	AwardRescinded RegistryAwardStatus = "rescinded"
	AwardCompleted RegistryAwardStatus = "completed"
)

// RegistryAwardStatuses lists every status.
var RegistryAwardStatuses = []RegistryAwardStatus{AwardAwarded, AwardRescinded, AwardCompleted}

// RegistryInvolvement is one entity's part in one border-barrier contract.
type RegistryInvolvement struct {
	ID          string
	EntityID    string
	Agency      string // "CBP", "USACE", ...
	Project     string
	Location    string `json:",omitempty"`
	Role        RegistryRole
	AmountCents int64 // 0 when not known
	AwardDate   Date
	Status      RegistryAwardStatus
	Evidence    string `json:",omitempty"` // what the source says, briefly; a contract number
	Source      RegistrySource
}

// Validate checks the involvement on its own (that its entity exists is
// the store's check).
func (v *RegistryInvolvement) Validate() error {
	if err := checkRegistryID("id", v.ID); err != nil {
		return err
	}
	if err := checkRegistryID("entity", v.EntityID); err != nil {
		return err
	}
	if strings.TrimSpace(v.Agency) == "" {
		return Invalid("agency", "the agency is required").Localize("screen.registry.err.agency")
	}
	if !registryOneOf(v.Role, RegistryRoles) {
		return Invalid("role", "a role is prime, subcontractor, jv_member, prototype_builder or shortlisted").Localize("screen.registry.err.role", string(v.Role))
	}
	if !registryOneOf(v.Status, RegistryAwardStatuses) {
		return Invalid("status", "a status is awarded, rescinded or completed").Localize("screen.registry.err.status", string(v.Status))
	}
	if v.AmountCents < 0 {
		return Invalid("amount", "an amount is not negative").Localize("screen.registry.err.amount", v.AmountCents)
	}
	if v.AwardDate.IsZero() {
		return Invalid("award_date", "the award date is required").Localize("screen.registry.err.award_date")
	}
	for _, f := range []struct {
		name, v string
		n       int
	}{{"agency", v.Agency, 100}, {"project", v.Project, 300}, {"location", v.Location, 200}, {"evidence", v.Evidence, 2000}} {
		if err := checkRegistryText(f.name, f.v, f.n); err != nil {
			return err
		}
	}
	return v.Source.Validate()
}

// RegistryChange is a change set, applied as one new version or not at
// all. Records in Put* replace those with the same ID (or are added);
// Delete* remove records by ID (removing an entity removes its relations
// and involvements). With Replace, the new version holds exactly the
// records of the change set: an import of a whole registry.
type RegistryChange struct {
	Reason             string
	Replace            bool
	PutEntities        []*RegistryEntity
	PutRelations       []*RegistryRelation
	PutInvolvements    []*RegistryInvolvement
	DeleteEntities     []string
	DeleteRelations    []string
	DeleteInvolvements []string
}

// RegistryVersion is one version of the registry: who made it, when, why,
// what it holds, and the SHA-256 (hex) of its content in canonical form,
// with which a screening records the registry it used.
type RegistryVersion struct {
	Number       int // 0: the empty registry before any change, never stored
	Author       string
	Reason       string
	CreatedAt    time.Time
	Hash         string
	Entities     int
	Relations    int
	Involvements int
}

// Registry is the whole registry at one version, every list ordered by ID.
type Registry struct {
	Version      RegistryVersion
	Entities     []*RegistryEntity
	Relations    []*RegistryRelation
	Involvements []*RegistryInvolvement
}

// RegistryService keeps the registry's versions. Any signed-in actor may
// read them; only the program office (Actor.RunsProgram) changes them.
type RegistryService interface {
	// ApplyRegistryChange validates c against the version in force and
	// stores the result as a new version. EINVALID (naming the record and
	// field) for a bad record, a relation or involvement whose entity does
	// not exist in the result, a change that changes nothing, or no
	// reason; EFORBIDDEN unless the actor runs the program; ECONFLICT if
	// another change was applied at the same moment (apply it again). On
	// any error nothing is stored and the version in force stays.
	ApplyRegistryChange(ctx context.Context, c *RegistryChange) (*RegistryVersion, error)
	// RegistryAt returns the registry as it was at version n; n 0 is the
	// version in force. ENOTFOUND for a version that does not exist.
	RegistryAt(ctx context.Context, n int) (*Registry, error)
	// FindRegistryEntity returns one entity as it was at version n (0: in
	// force), with its relations and involvements. ENOTFOUND if it did
	// not exist then.
	FindRegistryEntity(ctx context.Context, n int, id string) (*Registry, error)
	// RegistryVersions lists every stored version, newest first.
	RegistryVersions(ctx context.Context) ([]*RegistryVersion, error)
}

// ScreeningPolicyVersion is one version of the screening policy: its
// text (in the format of docs/screening.md), who changed it, when and why.
type ScreeningPolicyVersion struct {
	Version   int // 0 for the shipped default, never stored
	Text      string
	Author    string
	Reason    string
	CreatedAt time.Time
}

// ScreeningPolicyService keeps the screening policy's versions. The
// program office changes it; a text that does not parse is refused with
// its line and reason, and the policy in force stays as it was.
type ScreeningPolicyService interface {
	// CurrentScreeningPolicy returns the policy in force: the newest
	// stored version, or the shipped default (version 0).
	CurrentScreeningPolicy(ctx context.Context) (*ScreeningPolicyVersion, error)
	// SetScreeningPolicy puts a policy in force. EINVALID for a text that
	// does not parse (the error's Args hold the parse errors) or no
	// reason; EFORBIDDEN unless the actor runs the program.
	SetScreeningPolicy(ctx context.Context, text, reason string) (*ScreeningPolicyVersion, error)
	// ScreeningPolicyHistory lists every stored version, newest first.
	ScreeningPolicyHistory(ctx context.Context) ([]*ScreeningPolicyVersion, error)
}

func registryOneOf[T comparable](v T, list []T) bool {
	for _, x := range list {
		if v == x {
			return true
		}
	}
	return false
}

// checkRegistryID checks a record ID: 1 to 80 lower-case letters, digits,
// '-', '_' or '.'.
func checkRegistryID(field, id string) error {
	if id == "" || len(id) > 80 || strings.Trim(id, "abcdefghijklmnopqrstuvwxyz0123456789-_.") != "" {
		return Invalid(field, "an ID is 1 to 80 lower-case letters, digits, '-', '_' or '.'").Localize("screen.registry.err.id", field, id)
	}
	return nil
}

// checkRegistryText checks a free-text value: valid UTF-8, no control
// characters, at most n characters.
func checkRegistryText(field, s string, n int) error {
	if !utf8.ValidString(s) || strings.ContainsFunc(s, func(r rune) bool { return r < ' ' || r == 0x7f }) {
		return Invalid(field, "a control character or invalid text").Localize("screen.registry.err.text", field)
	}
	if utf8.RuneCountInString(s) > n {
		return Invalid(field, "longer than %d characters", n).Localize("screen.registry.err.too_long", field, n)
	}
	return nil
}

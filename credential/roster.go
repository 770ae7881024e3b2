package credential

import (
	"crypto/ed25519"
	"errors"
	"fmt"
	"time"
)

// Roster limits. A signed roster larger than MaxRosterSize is rejected
// before any decoding; MaxRosterMembers bounds the entries.
const (
	MaxRosterSize    = 1 << 20
	MaxRosterMembers = 5000
	MaxRosterText    = 120 // characters in names, jurisdictions and organizations
	MaxRosterCode    = 40  // characters in bar numbers and accreditations
)

// MemberState is a roster member's standing with the organization.
type MemberState uint8

const (
	// MemberActive members handle their letters: a verifier shows their phone.
	MemberActive MemberState = 1
	// MemberLeft members have left the organization: a verifier says so and
	// shows the organization's number instead.
	MemberLeft MemberState = 2
	// MemberSuspended members may not practise for now: a verifier says so
	// and shows the organization's number instead.
	MemberSuspended MemberState = 3
)

var memberStateNames = [...]string{MemberActive: "active", MemberLeft: "left", MemberSuspended: "suspended"}

func (s MemberState) String() string {
	if s >= MemberActive && s <= MemberSuspended {
		return memberStateNames[s]
	}
	return fmt.Sprintf("MemberState(%d)", uint8(s))
}

// MarshalText encodes the state as "active", "left" or "suspended".
func (s MemberState) MarshalText() ([]byte, error) {
	if s < MemberActive || s > MemberSuspended {
		return nil, fmt.Errorf("credential: invalid member state %d", uint8(s))
	}
	return []byte(s.String()), nil
}

// UnmarshalText decodes "active", "left" or "suspended".
func (s *MemberState) UnmarshalText(b []byte) error {
	for i, name := range memberStateNames {
		if name != "" && name == string(b) {
			*s = MemberState(i)
			return nil
		}
	}
	return fmt.Errorf("credential: unknown member state %q", b)
}

// RosterMember is one member of an organization as verifiers see it: an
// attorney (BarJurisdiction and BarNumber) or an accredited representative
// (Organization and Accreditation), the phone to call while active, and
// the state. These facts are public by design (they were printed on v1
// letters); nothing about clients is in a roster.
type RosterMember struct {
	Ref             MemberRef   `json:"ref"`
	Name            string      `json:"name"`
	BarJurisdiction string      `json:"bar_jurisdiction,omitempty"`
	BarNumber       string      `json:"bar_number,omitempty"`
	Organization    string      `json:"organization,omitempty"` // recognized organization
	Accreditation   string      `json:"accreditation,omitempty"`
	Phone           string      `json:"phone,omitempty"` // may be empty once the member is not active
	State           MemberState `json:"state"`
}

// Roster is an organization's signed list of members, by reference. Phone
// is the organization's own public number, shown instead of a member's
// when the member is no longer active; empty until it publishes one (a
// verifier then shows no number at all rather than a stale one).
type Roster struct {
	OrgID    string         `json:"org_id"`
	IssuedAt time.Time      `json:"issued_at"`
	Phone    string         `json:"phone"`
	Members  []RosterMember `json:"members"` // ascending by Ref
}

type rosterWire struct {
	OrgID    string             `cbor:"1,keyasint"`
	IssuedAt uint64             `cbor:"2,keyasint"`
	Phone    string             `cbor:"3,keyasint"`
	Members  []rosterMemberWire `cbor:"4,keyasint"`
}

type rosterMemberWire struct {
	_               struct{} `cbor:",toarray"`
	Ref             uint32
	State           uint8
	Name            string
	Phone           string
	BarJurisdiction string
	BarNumber       string
	Organization    string
	Accreditation   string
}

// Validate reports the first invalid field, naming it (members[i].field).
func (r *Roster) Validate() error {
	if err := checkASCII("org_id", r.OrgID, MaxOrgIDLen); err != nil {
		return err
	}
	if r.IssuedAt.Unix() <= 0 || r.IssuedAt.Unix() > 1<<32 {
		return fieldErr("issued_at", "required")
	}
	if r.Phone != "" { // empty until the organization publishes a number
		if err := checkPhone(r.Phone); err != nil {
			return fieldErr("phone", "the organization's: %s", err.(*FieldError).Problem)
		}
	}
	if len(r.Members) > MaxRosterMembers {
		return fieldErr("members", "more than %d", MaxRosterMembers)
	}
	for i := range r.Members {
		m := &r.Members[i]
		f := func(name string) string { return fmt.Sprintf("members[%d].%s", i, name) }
		if m.Ref == 0 {
			return fieldErr(f("ref"), "required")
		}
		if i > 0 && m.Ref <= r.Members[i-1].Ref {
			return fieldErr(f("ref"), "not in ascending order, or listed twice")
		}
		if err := checkText(f("name"), m.Name, MaxRosterText, 4*MaxRosterText); err != nil {
			return err
		}
		if m.State < MemberActive || m.State > MemberSuspended {
			return fieldErr(f("state"), "want active, left or suspended")
		}
		if m.Phone != "" || m.State == MemberActive {
			if err := checkPhone(m.Phone); err != nil {
				return fieldErr(f("phone"), "%s", err.(*FieldError).Problem)
			}
		}
		attorney := m.BarJurisdiction != "" || m.BarNumber != ""
		accredited := m.Organization != "" || m.Accreditation != ""
		switch {
		case attorney && accredited:
			return fieldErr(f("bar_number"), "an attorney's bar number and an accredited representative's organization cannot both be set")
		case attorney:
			if err := checkText(f("bar_jurisdiction"), m.BarJurisdiction, MaxRosterText, 4*MaxRosterText); err != nil {
				return err
			}
			if err := checkText(f("bar_number"), m.BarNumber, MaxRosterCode, 4*MaxRosterCode); err != nil {
				return err
			}
		case accredited:
			if err := checkText(f("organization"), m.Organization, MaxRosterText, 4*MaxRosterText); err != nil {
				return err
			}
			if err := checkText(f("accreditation"), m.Accreditation, MaxRosterCode, 4*MaxRosterCode); err != nil {
				return err
			}
		default:
			return fieldErr(f("bar_number"), "required (or organization and accreditation)")
		}
	}
	return nil
}

// Member returns the roster entry with the reference, or nil.
func (r *Roster) Member(ref MemberRef) *RosterMember {
	lo, hi := 0, len(r.Members)
	for lo < hi {
		mid := (lo + hi) / 2
		switch m := &r.Members[mid]; {
		case m.Ref == ref:
			return m
		case m.Ref < ref:
			lo = mid + 1
		default:
			hi = mid
		}
	}
	return nil
}

// SignRoster validates the roster and signs it, with r.IssuedAt as its
// issue time, with an issuing key of its organization.
func SignRoster(r *Roster, key ed25519.PrivateKey) ([]byte, error) {
	if err := r.Validate(); err != nil {
		return nil, err
	}
	w := rosterWire{OrgID: r.OrgID, IssuedAt: uint64(r.IssuedAt.Unix()), Phone: r.Phone,
		Members: make([]rosterMemberWire, len(r.Members))}
	for i, m := range r.Members {
		w.Members[i] = rosterMemberWire{Ref: uint32(m.Ref), State: uint8(m.State), Name: m.Name, Phone: m.Phone,
			BarJurisdiction: m.BarJurisdiction, BarNumber: m.BarNumber, Organization: m.Organization, Accreditation: m.Accreditation}
	}
	payload, err := encMode.Marshal(&w)
	if err != nil {
		return nil, err
	}
	if len(payload)+100 > MaxRosterSize {
		return nil, fieldErr("members", "the signed roster would exceed %d bytes", MaxRosterSize)
	}
	return signSign1(key, payload, aadRoster)
}

var aadRoster = []byte("amparo roster v1")

// DecodeRoster decodes a signed roster without checking its signature (for
// inspection; VerifyRoster and Verifier.AddRoster check it).
func DecodeRoster(signed []byte) (*Roster, error) {
	if len(signed) > MaxRosterSize {
		return nil, fmt.Errorf("credential: roster: larger than %d bytes", MaxRosterSize)
	}
	m, err := decodeSign1(signed)
	if err != nil {
		return nil, fmt.Errorf("credential: roster: %w", err)
	}
	return decodeRosterPayload(m.payload)
}

func decodeRosterPayload(payload []byte) (*Roster, error) {
	var w rosterWire
	if err := decodeCanonical(payload, &w); err != nil {
		return nil, fmt.Errorf("credential: roster: %w", err)
	}
	if w.IssuedAt > 1<<32 {
		return nil, fieldErr("issued_at", "too far in the future")
	}
	if len(w.Members) > MaxRosterMembers {
		return nil, fieldErr("members", "more than %d", MaxRosterMembers)
	}
	r := &Roster{OrgID: w.OrgID, IssuedAt: unixTime(w.IssuedAt), Phone: w.Phone, Members: make([]RosterMember, len(w.Members))}
	for i, m := range w.Members {
		r.Members[i] = RosterMember{Ref: MemberRef(m.Ref), State: MemberState(m.State), Name: m.Name, Phone: m.Phone,
			BarJurisdiction: m.BarJurisdiction, BarNumber: m.BarNumber, Organization: m.Organization, Accreditation: m.Accreditation}
	}
	if err := r.Validate(); err != nil {
		return nil, fmt.Errorf("credential: roster: %w", err)
	}
	return r, nil
}

// VerifyRoster checks a signed roster against the trust list: the signer
// must be a trusted key whose kid matches, not revoked, of the organization
// the roster names, valid at the roster's issue time.
func (tl *TrustList) VerifyRoster(signed []byte) (*Roster, error) {
	return verifyRoster(signed, tl.keysByKID())
}

func verifyRoster(signed []byte, byKID map[KeyID][]*TrustedKey) (*Roster, error) {
	if len(signed) > MaxRosterSize {
		return nil, fmt.Errorf("credential: roster: larger than %d bytes", MaxRosterSize)
	}
	m, err := decodeSign1(signed)
	if err != nil {
		return nil, fmt.Errorf("credential: roster: %w", err)
	}
	var signer *TrustedKey
	for _, k := range byKID[m.kid] {
		if verifyLarge(&m, k.PublicKey, aadRoster) {
			signer = k
			break
		}
	}
	if signer == nil {
		return nil, errors.New("credential: roster: not signed by a trusted key")
	}
	if signer.Status == KeyRevoked {
		return nil, fmt.Errorf("credential: roster: signing key %s is revoked", signer.KeyID)
	}
	r, err := decodeRosterPayload(m.payload)
	if err != nil {
		return nil, err
	}
	if r.OrgID != signer.OrgID {
		return nil, fmt.Errorf("credential: roster: for organization %q but signed by a key of %q", r.OrgID, signer.OrgID)
	}
	if !signer.issuedWithin(r.IssuedAt) {
		return nil, errors.New("credential: roster: issued outside its signing key's validity")
	}
	return r, nil
}

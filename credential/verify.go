package credential

import (
	"bytes"
	"crypto/ed25519"
	"errors"
	"fmt"
	"slices"
	"time"
)

// Status is the outcome of verifying a letter's QR text.
type Status string

const (
	StatusValid         Status = "valid"
	StatusRevoked       Status = "revoked"        // revoked in its status list
	StatusExpired       Status = "expired"        // now is at or after Expires
	StatusNotGenuine    Status = "not_genuine"    // malformed, or the signature does not verify
	StatusUnknownIssuer Status = "unknown_issuer" // no trusted key, or issued outside the key's validity
	StatusIssuerRevoked Status = "issuer_revoked" // signed by a key the trust list revokes
)

func (s Status) String() string { return string(s) }

// Result is what Verify found. Claims and Issuer are set only when a trusted,
// unrevoked key's signature verified and the letter was issued within that
// key's validity (valid, expired, revoked): the claims of a letter from a
// revoked key may be forged, so they are not shown.
type Result struct {
	Status    Status    `json:"status"`
	Claims    *Claims   `json:"claims,omitempty"`
	Issuer    string    `json:"issuer,omitempty"` // organization name from the trust list
	CheckedAt time.Time `json:"checked_at"`
	// StatusListAsOf is the issue time of the status list consulted, nil when
	// the verifier holds no status list for the letter.
	StatusListAsOf *time.Time `json:"status_list_as_of"`
	// Reason explains a status other than valid, or a valid letter without
	// revocation data, in English for logs and the command line.
	Reason string `json:"reason,omitempty"`

	// Version is the credential version (1 or 2), 0 when the text is not a
	// credential of either.
	Version int `json:"credential_version"`
	// ClaimsV2 replaces Claims for a version 2 letter, under the same rule.
	ClaimsV2 *ClaimsV2 `json:"claims_v2,omitempty"`
	// Member is the version 2 letter's member from the issuer's roster: nil
	// when the verifier holds no roster for the organization or the roster
	// does not list the reference (MemberNotice says which).
	Member *RosterMember `json:"member,omitempty"`
	// MemberNotice is "" when Member is active, else "left", "suspended",
	// "unknown_member" or "no_roster".
	MemberNotice string `json:"member_notice,omitempty"`
	// Contact is the phone a verifier shows: the member's while active,
	// otherwise the organization's from the roster ("" without a roster), so
	// a verifier is never shown a contact that no longer answers.
	Contact    string     `json:"contact,omitempty"`
	RosterAsOf *time.Time `json:"roster_as_of,omitempty"`
}

// Member notices of a version 2 result.
const (
	NoticeLeft          = "left"
	NoticeSuspended     = "suspended"
	NoticeUnknownMember = "unknown_member"
	NoticeNoRoster      = "no_roster"
)

// Verifier checks letters offline against a verified trust list and the
// status lists added to it. Add status lists before use: Verify is safe for
// concurrent use, but not concurrently with AddStatusList.
type Verifier struct {
	byKID   map[KeyID][]*TrustedKey
	byKID4  map[[v2KIDLen]byte][]*TrustedKey
	lists   map[listKey]*StatusList
	rosters map[string]*Roster
}

type listKey struct {
	org string
	id  uint32
}

// NewVerifier returns a verifier for a trust list, which should come from
// VerifyTrustList (or be the issuer's own).
func NewVerifier(trust *TrustList) (*Verifier, error) {
	if trust == nil {
		return nil, errors.New("credential: nil trust list")
	}
	if err := trust.Validate(); err != nil {
		return nil, err
	}
	own := &TrustList{IssuedAt: trust.IssuedAt, Keys: slices.Clone(trust.Keys)} // later edits to trust do not leak in
	v := &Verifier{byKID: own.keysByKID(), byKID4: make(map[[v2KIDLen]byte][]*TrustedKey),
		lists: make(map[listKey]*StatusList), rosters: make(map[string]*Roster)}
	for i := range own.Keys {
		k := &own.Keys[i]
		short := [v2KIDLen]byte(k.KeyID[:v2KIDLen])
		v.byKID4[short] = append(v.byKID4[short], k)
	}
	return v, nil
}

// AddRoster verifies a signed roster against the trust list (see
// TrustList.VerifyRoster) and keeps it unless the verifier already holds a
// newer roster of the same organization.
func (v *Verifier) AddRoster(signed []byte) (*Roster, error) {
	r, err := verifyRoster(signed, v.byKID)
	if err != nil {
		return nil, err
	}
	if old := v.rosters[r.OrgID]; old == nil || old.IssuedAt.Before(r.IssuedAt) {
		v.rosters[r.OrgID] = r
	}
	return r, nil
}

// AddStatusList verifies a signed status list against the trust list (see
// TrustList.VerifyStatusList), decompresses it once, and keeps it unless the
// verifier already holds a newer list with the same organization and ID.
func (v *Verifier) AddStatusList(signed []byte) (*StatusList, error) {
	l, err := verifyStatusList(signed, v.byKID)
	if err != nil {
		return nil, err
	}
	k := listKey{l.OrgID, l.ID}
	if old := v.lists[k]; old == nil || old.IssuedAt.Before(l.IssuedAt) {
		v.lists[k] = l
	}
	return l, nil
}

// Verify checks a QR text at time now. In order: parse (failure:
// not_genuine); find the trusted keys with the kid (none: unknown_issuer);
// the signature, trying each (none verifies: not_genuine); the issuer key
// revoked (issuer_revoked); the claims decode; the letter issued within the
// key's validity (else unknown_issuer); expiry (expired); the status list
// (revoked). Anything else is valid.
func (v *Verifier) Verify(qrText string, now time.Time) Result {
	cred, err := credentialPart(qrText)
	if err != nil {
		return fail(StatusNotGenuine, now, err)
	}
	var buf [maxSign1Len]byte
	n, err := decodeBase32(buf[:], cred)
	if err != nil {
		return fail(StatusNotGenuine, now, err)
	}
	return v.VerifySigned(buf[:n], now)
}

// VerifySigned is Verify for the bytes of a credential of either version.
func (v *Verifier) VerifySigned(signed []byte, now time.Time) Result {
	switch {
	case len(signed) > 0 && signed[0] == v2Tag:
		r := v.verifyV2(signed, now)
		r.Version = 2
		return r
	case len(signed) > 0 && signed[0] == 0x84:
		r := v.verifyV1(signed, now)
		r.Version = 1
		return r
	}
	return fail(StatusNotGenuine, now, errors.New("not a credential: unknown first byte"))
}

func (v *Verifier) verifyV1(signed []byte, now time.Time) Result {
	m, err := decodeSign1(signed)
	if err != nil {
		return fail(StatusNotGenuine, now, err)
	}
	keys := v.byKID[m.kid]
	if len(keys) == 0 {
		return fail(StatusUnknownIssuer, now, fmt.Errorf("no trusted key with kid %s", m.kid))
	}
	var buf [1024]byte
	tbs := appendSigStructure(buf[:0], &m, aadLetter)
	var issuer *TrustedKey
	for _, k := range keys {
		if ed25519.Verify(k.PublicKey, tbs, m.signature) {
			issuer = k
			break
		}
	}
	if issuer == nil {
		return fail(StatusNotGenuine, now, errors.New("the signature does not verify"))
	}
	if issuer.Status == KeyRevoked {
		return fail(StatusIssuerRevoked, now, fmt.Errorf("issuing key %s of %s is revoked", issuer.KeyID, issuer.OrgName))
	}
	// Decoding a copy keeps Verify's decode buffer on the stack: the CBOR
	// decoder is reached through an interface, so its input escapes.
	c := new(Claims)
	if len(m.payload) > 0 && m.payload[0]>>5 == 4 {
		return fail(StatusNotGenuine, now, errors.New("version 1 framing around version 2 claims (a CBOR array)"))
	}
	if err := c.UnmarshalCBOR(bytes.Clone(m.payload)); err != nil {
		return fail(StatusNotGenuine, now, err)
	}
	if !issuer.issuedWithin(c.IssuedAt) {
		return fail(StatusUnknownIssuer, now, fmt.Errorf("issued outside the validity of key %s", issuer.KeyID))
	}
	r := Result{Status: StatusValid, Claims: c, Issuer: issuer.OrgName, CheckedAt: now}
	v.checkStatus(&r, issuer, c.Expires, c.StatusListID, c.StatusIndex)
	return r
}

// checkStatus sets r's status from the letter's expiry and its entry in
// the issuer's status list, when the verifier holds that list.
func (v *Verifier) checkStatus(r *Result, issuer *TrustedKey, expires time.Time, listID, index uint32) {
	list := v.lists[listKey{issuer.OrgID, listID}]
	if list != nil {
		asOf := list.IssuedAt
		r.StatusListAsOf = &asOf
	}
	switch {
	case !r.CheckedAt.Before(expires):
		r.Status, r.Reason = StatusExpired, "expired "+expires.Format(time.RFC3339)
	case list == nil:
		r.Reason = fmt.Sprintf("no revocation data: status list %d of %s not loaded", listID, issuer.OrgID)
	case list.Revoked(index):
		r.Status, r.Reason = StatusRevoked, "revoked in its status list"
	}
}

func fail(s Status, now time.Time, err error) Result {
	return Result{Status: s, CheckedAt: now, Reason: err.Error()}
}

// verifyV2 is Verify for a version 2 credential: the steps of version 1,
// with the issue day checked against the key's validity by day, then the
// member looked up in the issuer organization's roster.
func (v *Verifier) verifyV2(signed []byte, now time.Time) Result {
	s, err := parseV2(signed)
	if err != nil {
		return fail(StatusNotGenuine, now, err)
	}
	keys := v.byKID4[s.kid]
	if len(keys) == 0 {
		return fail(StatusUnknownIssuer, now, fmt.Errorf("no trusted key with a kid starting %x", s.kid))
	}
	var issuer *TrustedKey
	for _, k := range keys {
		if s.verify(k.PublicKey) {
			issuer = k
			break
		}
	}
	if issuer == nil {
		return fail(StatusNotGenuine, now, errors.New("the signature does not verify"))
	}
	if issuer.Status == KeyRevoked {
		return fail(StatusIssuerRevoked, now, fmt.Errorf("issuing key %s of %s is revoked", issuer.KeyID, issuer.OrgName))
	}
	c := new(ClaimsV2)
	if err := c.UnmarshalCBOR(bytes.Clone(s.claims)); err != nil {
		return fail(StatusNotGenuine, now, err)
	}
	// The issue day must overlap the key's validity.
	if c.IssuedOn.After(issuer.ValidTo) || !c.IssuedOn.Add(day).After(issuer.ValidFrom) {
		return fail(StatusUnknownIssuer, now, fmt.Errorf("issued outside the validity of key %s", issuer.KeyID))
	}
	r := Result{Status: StatusValid, ClaimsV2: c, Issuer: issuer.OrgName, CheckedAt: now}
	v.checkStatus(&r, issuer, c.Expires, c.StatusListID, c.StatusIndex)
	roster := v.rosters[issuer.OrgID]
	if roster == nil {
		r.MemberNotice = NoticeNoRoster
		return r
	}
	asOf := roster.IssuedAt
	r.RosterAsOf = &asOf
	m := roster.Member(c.Member)
	switch {
	case m == nil:
		r.MemberNotice, r.Contact = NoticeUnknownMember, roster.Phone
	case m.State == MemberActive:
		r.Member, r.Contact = m, m.Phone
	default:
		r.Member, r.MemberNotice, r.Contact = m, m.State.String(), roster.Phone
	}
	return r
}

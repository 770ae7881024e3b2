package screening

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/amparo-project/amparo"
)

// Service screens vendors: against the registry version in force, with
// the policy in force, reusing reviewers' decisions, recording every
// screening with the versions it used and the hash of its results. The
// web app and the command line call it alike.
//
// It keeps the match index of the registry version in force in memory,
// and asks the store for the version number before each screening (one
// small query): the index is rebuilt only when the version changes.
type Service struct {
	Vendors  amparo.VendorService
	Registry amparo.RegistryService
	Policies amparo.ScreeningPolicyService
	Store    amparo.ScreeningStore
	Now      func() time.Time // time.Now when nil

	mu       sync.Mutex
	cur      *registryIndex
	policies map[int]*Policies
}

// NewService returns a service over the stores; every one is required.
func NewService(v amparo.VendorService, r amparo.RegistryService, p amparo.ScreeningPolicyService, s amparo.ScreeningStore) *Service {
	if v == nil || r == nil || p == nil || s == nil {
		panic("screening.NewService: a store is missing")
	}
	return &Service{Vendors: v, Registry: r, Policies: p, Store: s}
}

// registryIndex is one registry version, ready to screen against.
type registryIndex struct {
	reg    *amparo.Registry
	idx    *MatchIndex
	byID   map[string]*amparo.RegistryEntity
	mu     sync.Mutex
	reach  map[string][]PolicyInvolvement
	hashes map[string]string
}

func newRegistryIndex(reg *amparo.Registry) *registryIndex {
	ri := &registryIndex{reg: reg, byID: map[string]*amparo.RegistryEntity{}, reach: map[string][]PolicyInvolvement{}, hashes: map[string]string{}}
	entries := make([]MatchEntry, 0, len(reg.Entities))
	for _, e := range reg.Entities {
		ri.byID[e.ID] = e
		c := Company{}
		for _, n := range e.Names {
			if n.Kind == amparo.RegistryNamePrimary {
				c.Names = append([]string{n.Name}, c.Names...)
			} else {
				c.Names = append(c.Names, n.Name)
			}
		}
		c.IDs = companyIDs(e.Identifiers)
		entries = append(entries, MatchEntry{Key: e.ID, Company: c})
	}
	ri.idx = NewMatchIndex(entries)
	return ri
}

// companyIDs turns registry identifiers into the matcher's; one the
// matcher does not read is left out.
func companyIDs(ids []amparo.RegistryIdentifier) []CompanyID {
	var out []CompanyID
	for _, id := range ids {
		kind, v := CompanyIDKind(id.Kind), id.Value
		if id.Kind == amparo.RegistryStateReg {
			kind = CompanyStateReg
			if id.State != "" {
				v = id.State + ":" + v
			}
		}
		if c, err := ParseCompanyID(kind, v); err == nil {
			out = append(out, c)
		}
	}
	return out
}

// entityReach returns RegistryReach of an entity, once per version.
func (ri *registryIndex) entityReach(id string) ([]PolicyInvolvement, string) {
	ri.mu.Lock()
	defer ri.mu.Unlock()
	if r, ok := ri.reach[id]; ok {
		return r, ri.hashes[id]
	}
	r := RegistryReach(ri.reg, id)
	h := sha256.New()
	json.NewEncoder(h).Encode(ri.byID[id])
	for _, v := range r {
		json.NewEncoder(h).Encode(v)
	}
	ri.reach[id], ri.hashes[id] = r, hex.EncodeToString(h.Sum(nil))
	return r, ri.hashes[id]
}

// EntityHash is what a reviewer's decision is bound to: the SHA-256 of the
// entity's record and of every involvement reaching it. When either
// changes, the decision is asked again.
func EntityHash(reg *amparo.Registry, id string) string {
	_, h := newRegistryIndexLite(reg).entityReach(id)
	return h
}

func newRegistryIndexLite(reg *amparo.Registry) *registryIndex {
	ri := &registryIndex{reg: reg, byID: map[string]*amparo.RegistryEntity{}, reach: map[string][]PolicyInvolvement{}, hashes: map[string]string{}}
	for _, e := range reg.Entities {
		ri.byID[e.ID] = e
	}
	return ri
}

// index returns the index of the registry version in force.
func (s *Service) index(ctx context.Context) (*registryIndex, error) {
	v, err := s.Store.CurrentRegistryVersion(ctx)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cur != nil && s.cur.reg.Version.Number == v.Number && s.cur.reg.Version.Hash == v.Hash {
		return s.cur, nil
	}
	reg := &amparo.Registry{Version: *v}
	if v.Number > 0 {
		if reg, err = s.Registry.RegistryAt(ctx, v.Number); err != nil {
			return nil, err
		}
	}
	s.cur = newRegistryIndex(reg)
	return s.cur, nil
}

// policy returns the policy in force, parsed once per version.
func (s *Service) policy(ctx context.Context) (int, *Policies, error) {
	pv, err := s.Policies.CurrentScreeningPolicy(ctx)
	if err != nil {
		return 0, nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if p, ok := s.policies[pv.Version]; ok {
		return pv.Version, p, nil
	}
	p, err := ParsePolicies(pv.Text)
	if err != nil {
		return 0, nil, err
	}
	if s.policies == nil {
		s.policies = map[int]*Policies{}
	}
	s.policies[pv.Version] = p
	return pv.Version, p, nil
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// Outcome is a screening's results, as hashed and stored: the vendor as
// screened, the day the policy was applied on, and the hits.
type Outcome struct {
	Vendor    ScreenedVendor `json:"vendor"`
	Day       amparo.Date    `json:"day"`
	Affidavit string         `json:"affidavit"` // "none", "work" or "" (no affidavit filed)
	Hits      []Hit          `json:"hits"`
}

// ScreenedVendor is what was compared: the vendor's names and identifiers.
type ScreenedVendor struct {
	Names []string    `json:"names"`
	IDs   []CompanyID `json:"ids,omitempty"`
}

// Hit is a registry entity the vendor may be: the comparison (score,
// decision, features), the entities related to it, what each policy in
// force says, and the contradictions with the vendor's affidavit.
type Hit struct {
	EntityID       string       `json:"entity"`
	EntityName     string       `json:"entity_name"`
	EntityHash     string       `json:"entity_hash"`
	Name           string       `json:"matched_name"`
	Result         Result       `json:"result"`
	Related        []Related    `json:"related,omitempty"`
	Findings       []Finding    `json:"findings,omitempty"`
	Contradictions []amparo.Msg `json:"contradictions,omitempty"`
}

// Related is an entity one relation away from a hit, reported as such:
// its work reaches the vendor through that relation.
type Related struct {
	EntityID string `json:"entity"`
	Name     string `json:"name"`
	Via      string `json:"via"` // a PolicyVia* value
}

// Finding is what one policy in force says about a hit.
type Finding struct {
	Policy  string       `json:"policy"`
	Title   string       `json:"title"`
	Rule    PolicyRule   `json:"rule"`
	Applies bool         `json:"applies"`
	Summary amparo.Msg   `json:"summary"`
	Reasons []amparo.Msg `json:"reasons,omitempty"`
}

func msg(m PolicyMsg) amparo.Msg {
	args := make([]any, len(m.Args))
	for i, a := range m.Args {
		if sub, ok := a.(PolicyMsg); ok {
			a = msg(sub)
		}
		args[i] = a
	}
	return amparo.Msg{Key: m.Key, Args: args}
}

// Hash is the SHA-256 (hex) of the outcome's canonical JSON.
func (o *Outcome) Hash() (string, []byte, error) {
	b, err := json.Marshal(o)
	if err != nil {
		return "", nil, err
	}
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:]), b, nil
}

// screen computes an outcome: pure, given the registry, the policies and
// the day.
func screen(ri *registryIndex, ps *Policies, day amparo.Date, v ScreenedVendor, affidavit string) *Outcome {
	o := &Outcome{Vendor: v, Day: day, Affidavit: affidavit, Hits: []Hit{}}
	for _, mh := range ri.idx.Screen(Company{Names: v.Names, IDs: v.IDs}) {
		e := ri.byID[mh.Key]
		reach, hash := ri.entityReach(mh.Key)
		h := Hit{EntityID: mh.Key, EntityName: e.Name(), EntityHash: hash, Name: mh.Name, Result: mh.Result}
		seen := map[string]bool{}
		for _, r := range reach {
			if r.Via != "" && !seen[r.ViaEntity+r.Via] {
				seen[r.ViaEntity+r.Via] = true
				h.Related = append(h.Related, Related{EntityID: r.ViaEntity, Name: r.ViaName, Via: r.Via})
			}
		}
		for _, r := range relatedWithoutWork(ri.reg, mh.Key) {
			if !seen[r.EntityID+r.Via] {
				seen[r.EntityID+r.Via] = true
				h.Related = append(h.Related, r)
			}
		}
		var counted []PolicyInvolvement
		for _, f := range ps.Assess(reach, day) {
			fd := Finding{Policy: f.Policy.ID, Title: f.Policy.Title, Rule: f.Policy.Rule, Applies: f.Applies, Summary: msg(f.Summary)}
			for _, r := range f.Reasons {
				fd.Reasons = append(fd.Reasons, msg(r))
			}
			h.Findings = append(h.Findings, fd)
			counted = append(counted, f.Counted...)
		}
		if affidavit == "none" && h.Result.Decision == MatchYes {
			if len(counted) == 0 {
				for _, r := range reach {
					if r.Status != amparo.AwardRescinded {
						counted = append(counted, r)
					}
				}
			}
			done := map[string]bool{}
			for _, r := range counted {
				if done[r.ID] {
					continue
				}
				done[r.ID] = true
				src := r.Source.URL
				if src == "" {
					src = r.Source.Document
				}
				who := amparo.Msg{Key: "screen.vendor.contradiction.own", Args: []any{h.EntityName}}
				if r.Via != "" {
					who = amparo.Msg{Key: "screen.vendor.contradiction.via", Args: []any{h.EntityName, amparo.Msg{Key: "screen.policy.via." + r.Via}, r.ViaName}}
				}
				h.Contradictions = append(h.Contradictions, amparo.Msg{Key: "screen.vendor.contradiction", Args: []any{
					who, amparo.Msg{Key: "screen.policy.status." + string(r.Status)}, r.Agency, fmt.Sprint(r.AwardDate.Year()), src}})
			}
		}
		o.Hits = append(o.Hits, h)
	}
	return o
}

// relatedWithoutWork lists the entities one relation away from id, each
// with the relation as seen from id, whether or not they have work.
func relatedWithoutWork(reg *amparo.Registry, id string) []Related {
	names := func(eid string) string {
		i, ok := slices.BinarySearchFunc(reg.Entities, eid, func(e *amparo.RegistryEntity, t string) int {
			switch {
			case e.ID < t:
				return -1
			case e.ID > t:
				return 1
			}
			return 0
		})
		if ok {
			return reg.Entities[i].Name()
		}
		return eid
	}
	var out []Related
	for _, r := range reg.Relations {
		var via string
		switch {
		case r.Kind == amparo.RegistryParentOf && r.To == id, r.Kind == amparo.RegistrySubsidiaryOf && r.From == id:
			via = PolicyViaParent
		case r.Kind == amparo.RegistryParentOf && r.From == id, r.Kind == amparo.RegistrySubsidiaryOf && r.To == id:
			via = PolicyViaSubsidiary
		case r.Kind == amparo.RegistryAffiliateOf && (r.From == id || r.To == id):
			via = PolicyViaAffiliate
		case r.Kind == amparo.RegistryJVMemberOf && r.From == id:
			via = PolicyViaJV
		case r.Kind == amparo.RegistryJVMemberOf && r.To == id:
			via = PolicyViaMember
		default:
			continue
		}
		other := r.To
		if r.To == id {
			other = r.From
		}
		out = append(out, Related{EntityID: other, Name: names(other), Via: via})
	}
	return out
}

func screenedVendor(v *amparo.Vendor) ScreenedVendor {
	return ScreenedVendor{Names: append([]string{v.Name}, v.Aliases...), IDs: companyIDs(v.Identifiers)}
}

// UnmarshalText reads a decision as MarshalText writes it, so that a
// stored outcome reads back.
func (d *MatchDecision) UnmarshalText(b []byte) error {
	switch string(b) {
	case "match":
		*d = MatchYes
	case "possible":
		*d = MatchPossible
	case "no match":
		*d = MatchNo
	default:
		return fmt.Errorf("screening: unknown decision %q", b)
	}
	return nil
}

package screening

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/amparo-project/amparo"
)

// Report is a screening as a reviewer reads it: the audited record, its
// outcome, and for each hit the reviewer's decision on it, if any.
type Report struct {
	Screening *amparo.Screening
	Outcome   *Outcome
	Decisions []HitReview // one per hit, in the order of Outcome.Hits
}

// HitReview is the reviewer's state of one hit: the decision taken on
// this vendor and entity (nil: none), and whether it still applies (the
// registry entry is the one decided on) or must be asked again.
type HitReview struct {
	Decision *amparo.HitDecision
	Reused   bool // the decision applies to this screening
	Stale    bool // decided on an older entry of the registry: asked again
}

// ScreenVendor screens one stored vendor and records the screening.
func (s *Service) ScreenVendor(ctx context.Context, vendorID string) (*Report, error) {
	rs, err := s.ScreenVendors(ctx, []string{vendorID}, nil)
	if err != nil {
		return nil, err
	}
	return rs[0], nil
}

// ScreenVendors screens stored vendors and records every screening, all
// or none; progress, when not nil, is told how many are done.
func (s *Service) ScreenVendors(ctx context.Context, vendorIDs []string, progress func(done, total int)) ([]*Report, error) {
	vs := make([]*amparo.Vendor, len(vendorIDs))
	for i, id := range vendorIDs {
		v, err := s.Vendors.FindVendorByID(ctx, id)
		if err != nil {
			return nil, err
		}
		vs[i] = v
	}
	declared := make([]string, len(vs))
	for i, v := range vs {
		as, err := s.Vendors.VendorAffidavits(ctx, v.ID)
		if err != nil {
			return nil, err
		}
		if len(as) > 0 {
			declared[i] = declaration(as[0].BorderWallWork)
		}
	}
	return s.screenStored(ctx, vs, declared, progress)
}

// declaration is an Outcome's Affidavit for what an affidavit declares.
func declaration(work bool) string {
	if work {
		return "work"
	}
	return "none"
}

// screenStored screens stored vendors; declared[i] is what vs[i]'s
// affidavit declares ("none", "work", or "" for none filed).
func (s *Service) screenStored(ctx context.Context, vs []*amparo.Vendor, declared []string, progress func(done, total int)) ([]*Report, error) {
	reports, screenings, err := s.prepareScreenings(ctx, vs, declared, progress)
	if err != nil {
		return nil, err
	}
	if err := s.Store.RecordScreenings(ctx, screenings); err != nil {
		return nil, err
	}
	return s.withDecisions(ctx, reports)
}

// withDecisions adds to reports of recorded screenings the decisions on
// their hits.
func (s *Service) withDecisions(ctx context.Context, reports []*Report) ([]*Report, error) {
	ids := make([]string, len(reports))
	for i, r := range reports {
		ids[i] = r.Screening.VendorID
	}
	ds, err := s.Store.HitDecisions(ctx, ids)
	if err != nil {
		return nil, err
	}
	for _, r := range reports {
		r.Decisions = review(r.Outcome, ds[r.Screening.VendorID])
	}
	return reports, nil
}

// prepareScreenings screens stored vendors and returns the reports and
// the screenings to record (the reports point at them), nothing recorded.
func (s *Service) prepareScreenings(ctx context.Context, vs []*amparo.Vendor, declared []string, progress func(done, total int)) ([]*Report, []*amparo.Screening, error) {
	ri, err := s.index(ctx)
	if err != nil {
		return nil, nil, err
	}
	pv, ps, err := s.policy(ctx)
	if err != nil {
		return nil, nil, err
	}
	day, _ := amparo.ParseDate(s.now().UTC().Format("2006-01-02"))
	reports := make([]*Report, len(vs))
	screenings := make([]*amparo.Screening, len(vs))
	for i, v := range vs {
		o := screen(ri, ps, day, screenedVendor(v), declared[i])
		hash, b, err := o.Hash()
		if err != nil {
			return nil, nil, err
		}
		screenings[i] = &amparo.Screening{VendorID: v.ID, Day: day, PolicyVersion: pv, RegistryVersion: ri.reg.Version.Number,
			RegistryHash: ri.reg.Version.Hash, Algorithm: MatchAlgorithm, ResultHash: hash, Results: b}
		reports[i] = &Report{Screening: screenings[i], Outcome: o}
		if progress != nil {
			progress(i+1, len(vs))
		}
	}
	return reports, screenings, nil
}

func review(o *Outcome, ds []*amparo.HitDecision) []HitReview {
	out := make([]HitReview, len(o.Hits))
	for i, h := range o.Hits {
		for _, d := range ds {
			if d.EntityID == h.EntityID {
				out[i] = HitReview{Decision: d, Reused: d.EntityHash == h.EntityHash, Stale: d.EntityHash != h.EntityHash}
			}
		}
	}
	return out
}

// LatestReport returns a vendor's newest screening with the decisions as
// they stand. ENOTFOUND if it was never screened.
func (s *Service) LatestReport(ctx context.Context, vendorID string) (*Report, error) {
	sc, err := s.Store.LatestScreening(ctx, vendorID)
	if err != nil {
		return nil, err
	}
	var o Outcome
	if err := json.Unmarshal(sc.Results, &o); err != nil {
		return nil, err
	}
	ds, err := s.Store.HitDecisions(ctx, []string{vendorID})
	if err != nil {
		return nil, err
	}
	return &Report{Screening: sc, Outcome: &o, Decisions: review(&o, ds[vendorID])}, nil
}

// DecideHit records a reviewer's decision on a hit of a screening: the
// vendor is (confirmed) or is not (false positive) the hit's entity, for
// a reason. The decision is bound to the entity as it was in that
// screening. EINVALID for a hit the screening does not have.
func (s *Service) DecideHit(ctx context.Context, screeningID, entityID string, verdict amparo.HitVerdict, reason string) error {
	sc, err := s.Store.FindScreeningByID(ctx, screeningID)
	if err != nil {
		return err
	}
	var o Outcome
	if err := json.Unmarshal(sc.Results, &o); err != nil {
		return err
	}
	for _, h := range o.Hits {
		if h.EntityID == entityID {
			return s.Store.DecideHit(ctx, &amparo.HitDecision{VendorID: sc.VendorID, EntityID: entityID, EntityHash: h.EntityHash, Verdict: verdict, Reason: reason})
		}
	}
	return amparo.Invalid("entity", "the screening has no such hit").Localize("screen.decision.err.entity")
}

// Reproduce runs a recorded screening again against the versions it used
// (registry, policy, algorithm, day) and says whether its results hash
// the same. EINVALID when the algorithm it used is not this build's.
func (s *Service) Reproduce(ctx context.Context, screeningID string) (bool, error) {
	sc, err := s.Store.FindScreeningByID(ctx, screeningID)
	if err != nil {
		return false, err
	}
	if sc.Algorithm != MatchAlgorithm {
		return false, amparo.Invalid("algorithm", "screened with %s, this build matches with %s", sc.Algorithm, MatchAlgorithm).
			Localize("screen.vendor.err.algorithm", sc.Algorithm, MatchAlgorithm)
	}
	var o Outcome
	if err := json.Unmarshal(sc.Results, &o); err != nil {
		return false, err
	}
	reg := &amparo.Registry{}
	if sc.RegistryVersion > 0 {
		if reg, err = s.Registry.RegistryAt(ctx, sc.RegistryVersion); err != nil {
			return false, err
		}
	}
	if reg.Version.Number != sc.RegistryVersion || (sc.RegistryVersion > 0 && reg.Version.Hash != sc.RegistryHash) {
		return false, nil
	}
	text := DefaultPoliciesText()
	if sc.PolicyVersion > 0 {
		hist, err := s.Policies.ScreeningPolicyHistory(ctx)
		if err != nil {
			return false, err
		}
		text = ""
		for _, p := range hist {
			if p.Version == sc.PolicyVersion {
				text = p.Text
			}
		}
	}
	ps, err := ParsePolicies(text)
	if err != nil {
		return false, err
	}
	again := screen(newRegistryIndex(reg), ps, sc.Day, o.Vendor, o.Affidavit)
	hash, _, err := again.Hash()
	return hash == sc.ResultHash, err
}

// ScreenNamed screens a vendor given by name and identifiers (the command
// line's): the organization's vendor with the same UEI or EIN, or without
// them the same name, is screened (so that its decisions are reused), or
// a new vendor is stored first.
func (s *Service) ScreenNamed(ctx context.Context, v *amparo.Vendor) (*Report, error) {
	if err := v.Validate(); err != nil {
		return nil, err
	}
	vs, err := s.Vendors.FindVendors(ctx, v.OrganizationID)
	if err != nil {
		return nil, err
	}
	var found *amparo.Vendor
	for _, o := range vs {
		if SameVendor(o, v) {
			found = o
			break
		}
	}
	if found == nil {
		if err := s.Vendors.CreateVendor(ctx, v); err != nil {
			return nil, err
		}
		found = v
	}
	return s.ScreenVendor(ctx, found.ID)
}

// SameVendor says whether a declared vendor is a stored one: the same UEI
// or EIN, or, where neither gives both, the same name (case and spacing
// aside).
func SameVendor(stored, declared *amparo.Vendor) bool {
	ids := false
	for _, k := range []amparo.RegistryIdentifierKind{amparo.RegistryUEI, amparo.RegistryEIN} {
		if a, b := stored.Identifier(k), declared.Identifier(k); a != "" && b != "" {
			if a == b {
				return true
			}
			ids = true
		}
	}
	fold := func(s string) string { return strings.ToLower(strings.Join(strings.Fields(s), " ")) }
	return !ids && fold(stored.Name) == fold(declared.Name)
}

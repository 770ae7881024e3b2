package screening

import (
	"slices"
	"strings"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/locale"
)

// PolicyInvolvement is an involvement as it reaches a screened entity:
// its own (Via "") or another entity's through a relation (Via one of the
// PolicyVia* values, ViaEntity and ViaName the related entity).
type PolicyInvolvement struct {
	*amparo.RegistryInvolvement
	Via       string
	ViaEntity string
	ViaName   string
}

// RegistryReach returns the involvements of entity id in reg, then those
// of the entities one relation away, marked with the relation as seen
// from id (its parent's, its subsidiary's, an affiliate's, a joint
// venture's it is a member of, a member's of the joint venture it is).
func RegistryReach(reg *amparo.Registry, id string) []PolicyInvolvement {
	byEntity := map[string][]*amparo.RegistryInvolvement{}
	for _, v := range reg.Involvements {
		byEntity[v.EntityID] = append(byEntity[v.EntityID], v)
	}
	names := map[string]string{}
	for _, e := range reg.Entities {
		names[e.ID] = e.Name()
	}
	var out []PolicyInvolvement
	for _, v := range byEntity[id] {
		out = append(out, PolicyInvolvement{RegistryInvolvement: v})
	}
	for _, r := range reg.Relations {
		var other, via string
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
		other = r.To
		if r.To == id {
			other = r.From
		}
		for _, v := range byEntity[other] {
			out = append(out, PolicyInvolvement{RegistryInvolvement: v, Via: via, ViaEntity: other, ViaName: names[other]})
		}
	}
	return out
}

// PolicyMsg is a sentence in no language yet: a catalog key and its
// arguments, which may be PolicyMsgs themselves.
type PolicyMsg struct {
	Key  string
	Args []any
}

// Text is m in lang, in the words of cat.
func (m PolicyMsg) Text(cat *locale.Catalog, lang string) string {
	args := make([]any, len(m.Args))
	for i, a := range m.Args {
		if sub, ok := a.(PolicyMsg); ok {
			a = sub.Text(cat, lang)
		}
		args[i] = a
	}
	return cat.T(lang, m.Key, args...)
}

// PolicyFinding is what one policy says about one entity: whether it
// applies, and why, one reason per involvement considered.
type PolicyFinding struct {
	Policy  *Policy
	Applies bool
	Summary PolicyMsg // the conclusion, in words
	Counted []PolicyInvolvement
	Reasons []PolicyMsg // for each involvement considered, in order: why it counts or why not
}

// Text is the summary and the reasons in lang, one a line.
func (f *PolicyFinding) Text(cat *locale.Catalog, lang string) string {
	lines := []string{f.Summary.Text(cat, lang)}
	for _, r := range f.Reasons {
		lines = append(lines, "- "+r.Text(cat, lang))
	}
	return strings.Join(lines, "\n")
}

// Assess says whether p applies, on day, to an entity with the given
// involvements (RegistryReach's): it applies when p is not past its
// sunset and at least one involvement counts: of a role and status p
// counts, awarded in p's window, and the entity's own or reached through
// a relation p counts.
func (p *Policy) Assess(invs []PolicyInvolvement, day amparo.Date) *PolicyFinding {
	f := &PolicyFinding{Policy: p}
	for _, v := range invs {
		why, counts := p.counts(v)
		f.Reasons = append(f.Reasons, why)
		if counts {
			f.Counted = append(f.Counted, v)
		}
	}
	switch {
	case !p.Sunset.IsZero() && !day.Before(p.Sunset.Time):
		f.Summary = PolicyMsg{"screen.policy.summary.sunset", []any{p.Title, p.Sunset.String()}}
	case len(f.Counted) == 0:
		f.Summary = PolicyMsg{"screen.policy.summary.none", []any{p.Title}}
	default:
		f.Applies = true
		f.Summary = PolicyMsg{"screen.policy.summary." + string(p.Rule), []any{p.Title, len(f.Counted)}}
	}
	return f
}

// counts says whether one involvement counts under p, and why.
func (p *Policy) counts(v PolicyInvolvement) (PolicyMsg, bool) {
	what := PolicyMsg{"screen.policy.involvement", []any{
		PolicyMsg{"screen.policy.role." + string(v.Role), nil}, v.Agency, v.Project, v.AwardDate.String(),
		PolicyMsg{"screen.policy.status." + string(v.Status), nil}}}
	if v.Via != "" {
		what = PolicyMsg{"screen.policy.via", []any{PolicyMsg{"screen.policy.via." + v.Via, nil}, v.ViaName, what}}
	}
	var why PolicyMsg
	switch {
	case v.Via != "" && !slices.Contains(p.Through, v.Via):
		why = PolicyMsg{"screen.policy.why.relation", []any{PolicyMsg{"screen.policy.via." + v.Via, nil}}}
	case !slices.Contains(p.Roles, v.Role):
		why = PolicyMsg{"screen.policy.why.role", []any{PolicyMsg{"screen.policy.role." + string(v.Role), nil}}}
	case !slices.Contains(p.Status, v.Status):
		why = PolicyMsg{"screen.policy.why.status", []any{PolicyMsg{"screen.policy.status." + string(v.Status), nil}}}
	case v.AwardDate.Before(p.From.Time):
		why = PolicyMsg{"screen.policy.why.before", []any{p.From.String()}}
	case !p.Until.IsZero() && !v.AwardDate.Before(p.Until.Time):
		why = PolicyMsg{"screen.policy.why.after", []any{p.Until.String()}}
	default:
		return PolicyMsg{"screen.policy.why.counts", []any{what}}, true
	}
	return PolicyMsg{"screen.policy.why.not", []any{what, why}}, false
}

// Assess assesses every policy in force, in the order written.
func (ps *Policies) Assess(invs []PolicyInvolvement, day amparo.Date) []*PolicyFinding {
	var out []*PolicyFinding
	for _, p := range ps.InForce() {
		out = append(out, p.Assess(invs, day))
	}
	return out
}

package intake

import (
	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/matching"
)

// Weight turns a place in line into a matching weight: a better tier always
// outweighs any points, and points outweigh nothing.
func Weight(tier, points int) int64 {
	w := int64(min(max(points, 0), 9_999)) + 1
	if tier > 0 {
		w += int64(10-min(tier, 9)) * 10_000
	}
	return w
}

// Propose matches the queue's people to an organization's active members,
// within each member's case capacity less the applicants already matched to
// them (matched, by member ID), and the organization's capacity less all
// its matched applicants, avoiding declined pairs. People whose city
// is not recorded are taken to live in the organization's service area.
// lettersLeft bounds the matches by the program's letters left.
func Propose(q *Queue, org *amparo.Organization, members []*amparo.Member, matched map[string]int, declined []matching.Conflict, lettersLeft int) (*matching.Proposal, error) {
	areas := org.ServiceArea
	if len(areas) == 0 {
		areas = []string{"*"}
	}
	p := matching.Problem{Conflicts: declined, Limit: max(lettersLeft, 0)}
	if org.Capacity > 0 {
		taken := 0
		for _, n := range matched {
			taken += n
		}
		p.OrgCapacity = map[string]int{org.ID: max(org.Capacity-taken, 0)}
	}
	for _, pl := range q.Places {
		a := q.Applicants[pl.ID]
		area := a.Address.City
		if area == "" {
			area = areas[0]
		}
		p.Applicants = append(p.Applicants, matching.Applicant{ID: a.ID, Weight: Weight(pl.Tier, pl.Points), Language: a.Language,
			InterpreterOK: a.InterpreterOK, Area: area})
	}
	for _, m := range members {
		if m.Status != amparo.MemberActive {
			continue
		}
		p.Members = append(p.Members, matching.Member{ID: m.ID, OrgID: m.OrganizationID, Languages: m.Languages,
			Interpreter: m.Interpreter, Areas: areas, Capacity: max(m.CaseCapacity-matched[m.ID], 0)})
	}
	if lettersLeft <= 0 { // no letter left: no one can be offered one
		for i := range p.Members {
			p.Members[i].Capacity = 0
		}
	}
	return matching.Propose(p)
}

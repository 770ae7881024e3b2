// Package matching proposes which waitlisted applicants go to which
// attorneys or accredited representatives: each proposal respects language
// (or an accepted interpreter), service area, capacity (member, organization
// and an overall limit) and recorded conflicts, and among all such proposals
// it serves the greatest total priority weight — a min-cost-flow solution,
// not first-fit. Every proposed match, and every applicant left waiting,
// comes with the reasons in words.
//
// Applicants with the same options (language, interpreter, area, no
// conflict) are grouped into one class, so the flow network has a node per
// class rather than per person and stays small at a statewide scale; the
// grouping loses nothing, because people in one class can take each other's
// places.
//
// Weights add up: two people of weight 5 count as much as one of weight 10.
// To put a tier strictly first, give it a weight above the total of everyone
// below it.
//
// The package is pure: it must never import a database, HTTP or other network
// package. Weights come from the caller (for example from package priority).
package matching

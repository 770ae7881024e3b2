package web

import (
	"net/http"
	"strings"
	"time"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/intake"
	"github.com/amparo-project/amparo/matching"
)

// Match proposals: who on the waitlist goes to which member, and why; a
// member or the organization's admin accepts or declines each, with a reason.

func (s *Server) matchRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /matches", s.matchesPage)
	mux.HandleFunc("POST /matches/accept", s.matchDecide)
	mux.HandleFunc("POST /matches/decline", s.matchDecide)
	mux.HandleFunc("POST /parties", s.partyCreate)
}

func (s *Server) matchesPage(w http.ResponseWriter, r *http.Request) {
	s.showMatches(w, r, http.StatusOK, &form{Values: map[string]string{}})
}

func (s *Server) showMatches(w http.ResponseWriter, r *http.Request, status int, f *form) {
	sess := s.signedIn(w, r)
	if sess == nil {
		return
	}
	ctx := r.Context()
	org, err := s.Organizations.FindOrganizationByID(ctx, sess.Account.OrganizationID)
	if err != nil {
		s.error(w, r, err)
		return
	}
	p, err := s.Policies.CurrentPolicy(ctx)
	if err != nil {
		s.error(w, r, err)
		return
	}
	waiting, err := intake.Waitlist(ctx, s.Applicants, org.ID)
	if err != nil {
		s.error(w, r, err)
		return
	}
	q, err := intake.Rank(p, waiting, time.Now())
	if err != nil {
		s.error(w, r, err)
		return
	}
	matchedList, _, err := s.Applicants.FindApplicants(ctx, amparo.ApplicantFilter{OrganizationID: org.ID, Status: amparo.ApplicantMatched, Limit: 1000})
	if err != nil {
		s.error(w, r, err)
		return
	}
	matched := map[string]int{}
	for _, a := range matchedList {
		matched[a.MemberID]++
	}
	var declined []matching.Conflict
	for _, a := range waiting {
		events, err := s.Applicants.FindApplicantEvents(ctx, a.ID)
		if err != nil {
			s.error(w, r, err)
			return
		}
		for _, e := range events {
			if e.MemberID != "" && e.Status != amparo.ApplicantMatched {
				declined = append(declined, matching.Conflict{ApplicantID: a.ID, MemberID: e.MemberID})
			}
		}
	}
	members, _, err := s.Members.FindMembers(ctx, amparo.MemberFilter{OrganizationID: org.ID, Status: amparo.MemberActive})
	if err != nil {
		s.error(w, r, err)
		return
	}
	left, err := s.Programs.LettersLeft(ctx)
	if err != nil {
		s.error(w, r, err)
		return
	}
	proposal, err := intake.Propose(q, org, members, matched, declined, left)
	if err != nil {
		s.error(w, r, err)
		return
	}
	names := map[string]string{}
	for _, m := range members {
		names[m.ID] = m.Name
	}
	// The conflict check, before anyone accepts a match.
	conflicts := map[string][]*amparo.Candidate{}
	for _, m := range proposal.Matches {
		a := q.Applicants[m.ApplicantID]
		if conflicts[a.ID], err = s.Conflicts.ConflictCheck(ctx, a.LegalName, a.BirthDate, a.ID); err != nil {
			s.error(w, r, err)
			return
		}
	}
	s.render(w, r, "matches", status, map[string]any{"Proposal": proposal, "Applicants": q.Applicants, "Members": names,
		"Conflicts": conflicts, "Form": f})
}

func (s *Server) matchDecide(w http.ResponseWriter, r *http.Request) {
	if s.signedIn(w, r) == nil {
		return
	}
	applicant, member := r.PostFormValue("applicant"), r.PostFormValue("member")
	status, reason := amparo.ApplicantMatched, strings.TrimSpace(r.PostFormValue("reason"))
	if strings.HasSuffix(r.URL.Path, "/decline") {
		status = amparo.ApplicantWaitlisted
		if reason == "" {
			f := &form{Values: map[string]string{}}
			f.add("reason-"+applicant, s.Catalog.T(s.language(w, r), "matches.err.reason"))
			s.showMatches(w, r, http.StatusUnprocessableEntity, f)
			return
		}
	} else if reason == "" {
		reason = "accepted"
	}
	if err := s.Applicants.SetApplicantStatus(r.Context(), applicant, status, member, reason); err != nil {
		s.error(w, r, err)
		return
	}
	http.Redirect(w, r, "/matches", http.StatusSeeOther)
}

// partyCreate records an adverse or related party for the conflict check.
func (s *Server) partyCreate(w http.ResponseWriter, r *http.Request) {
	if s.signedIn(w, r) == nil {
		return
	}
	p := &amparo.Party{Name: r.PostFormValue("name"), Note: r.PostFormValue("note")}
	p.BirthDate, _ = amparo.ParseDate(r.PostFormValue("birth_date"))
	if err := s.Conflicts.CreateParty(r.Context(), p); err != nil {
		if amparo.ErrorCode(err) == amparo.EINVALID {
			http.Error(w, s.Catalog.T(s.language(w, r), "parties.err.name"), http.StatusUnprocessableEntity)
			return
		}
		s.error(w, r, err)
		return
	}
	http.Redirect(w, r, "/matches", http.StatusSeeOther)
}

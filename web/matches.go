package web

import (
	"net/http"
	"strings"
	"time"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/intake"
	"github.com/amparo-project/amparo/matching"
	"github.com/amparo-project/amparo/priority"
)

// Match proposals: who on the waitlist goes to which member, and why; a
// member or the organization's admin accepts or declines each, with a reason.

func (s *Server) matchRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /matches", s.matchesPage)
	mux.HandleFunc("POST /matches/accept", s.matchAccept)
	mux.HandleFunc("POST /matches/decline", s.matchDecline)
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
	places := map[string]*priority.Placement{}
	for i := range q.Places {
		places[q.Places[i].ID] = &q.Places[i]
	}
	s.render(w, r, "matches", status, map[string]any{"Proposal": proposal, "Applicants": q.Applicants, "Members": names,
		"Conflicts": conflicts, "Places": places, "Form": f, "LangPath": "/matches"})
}

// matches is the workflow of accepting a match.
func (s *Server) matches() *intake.Matches {
	return &intake.Matches{Applicants: s.Applicants, Members: s.Members, Conflicts: s.Conflicts, Letters: s.Letters}
}

// matchAccept accepts a match: the client is made from the applicant and
// a draft letter opened for the member, which the person is taken to. A
// hit of the conflict check, or a one-word name nobody confirmed, brings
// the page back with what to confirm.
func (s *Server) matchAccept(w http.ResponseWriter, r *http.Request) {
	if s.signedIn(w, r) == nil {
		return
	}
	applicant := r.PostFormValue("applicant")
	res, err := s.matches().Accept(r.Context(), intake.Acceptance{ApplicantID: applicant, MemberID: r.PostFormValue("member"),
		ConflictsCleared: r.PostFormValue("conflicts_cleared") == "on", SingleName: r.PostFormValue("single_name") == "on"})
	if err == nil {
		http.Redirect(w, r, "/letters/"+res.Letter.ID, http.StatusSeeOther)
		return
	}
	lang := s.language(w, r)
	f := &form{Values: map[string]string{}}
	switch {
	case amparo.ErrorCode(err) == amparo.ECONFLICT && res != nil && len(res.Conflicts) > 0:
		s.problem(lang, f, "cleared-"+applicant, "matches.err.conflicts")
		s.showMatches(w, r, http.StatusConflict, f)
	case amparo.ErrorCode(err) == amparo.EINVALID && amparo.ErrorField(err) == "legal_name":
		s.problem(lang, f, "single-"+applicant, "matches.err.single_name")
		s.showMatches(w, r, http.StatusUnprocessableEntity, f)
	default:
		s.error(w, r, err)
	}
}

// matchDecline declines a match, with a reason; the store refuses a member
// who is not of the applicant's organization.
func (s *Server) matchDecline(w http.ResponseWriter, r *http.Request) {
	if s.signedIn(w, r) == nil {
		return
	}
	applicant, member := r.PostFormValue("applicant"), r.PostFormValue("member")
	reason := strings.TrimSpace(r.PostFormValue("reason"))
	if reason == "" {
		f := &form{Values: map[string]string{}}
		s.problem(s.language(w, r), f, "reason-"+applicant, "matches.err.reason")
		s.showMatches(w, r, http.StatusUnprocessableEntity, f)
		return
	}
	if err := s.Applicants.SetApplicantStatus(r.Context(), applicant, amparo.ApplicantWaitlisted, member, reason); err != nil {
		s.error(w, r, err)
		return
	}
	http.Redirect(w, r, "/matches", http.StatusSeeOther)
}

// Priority says in words why a person has their place in line: each rule
// of the policy that applied and what it gave, in the reader's language
// where the catalog words the rule ("priority.rule.NAME"), else in the
// policy's own words.
func (p page) Priority(pl *priority.Placement) string {
	if len(pl.Reasons) == 0 {
		return p.T("matches.priority.none")
	}
	parts := make([]string, len(pl.Reasons))
	for i, r := range pl.Reasons {
		text := p.T("priority.rule." + r.Rule)
		if text == "priority.rule."+r.Rule {
			text = r.Text
		}
		switch {
		case r.Tier > 0 && r.Points > 0:
			parts[i] = p.T("matches.priority.tier_points", text, r.Tier, r.Points)
		case r.Tier > 0:
			parts[i] = p.T("matches.priority.tier", text, r.Tier)
		default:
			parts[i] = p.T("matches.priority.points", text, r.Points)
		}
	}
	return p.T("matches.priority", strings.Join(parts, "; "))
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

// OneWord reports whether a name is a single word, which a letter can
// print only once someone confirms the person has a single name.
func (p page) OneWord(name string) bool { return len(strings.Fields(name)) == 1 }

package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/intake"
	"github.com/amparo-project/amparo/priority"
)

// Match proposals: who on the waitlist goes to which member, and why; a
// member or the organization's admin accepts or declines each, with a reason.

func (s *Server) matchRoutes(mux *routes) {
	seesClients, decidesMatches := may(amparo.Actor.SeesClients), may(amparo.Actor.DecidesMatches)
	mux.Allow("GET /matches", seesClients, s.matchesPage)
	mux.Allow("POST /matches/accept", decidesMatches, s.matchAccept)
	mux.Allow("POST /matches/decline", decidesMatches, s.matchDecline)
	mux.Allow("POST /parties", seesClients, s.partyCreate)
}

func (s *Server) matchesPage(w http.ResponseWriter, r *http.Request) {
	s.showMatches(w, r, http.StatusOK, &form{Values: map[string]string{}})
}

// showMatches shows one page of the proposal: matchesPageSize matches and
// as many people left waiting. The page is the query's, or for the answer
// to a form, the form's.
func (s *Server) showMatches(w http.ResponseWriter, r *http.Request, status int, f *form) {
	sess := sessionFrom(r.Context())
	pageNo := matchesPageNo(r)
	p, err := s.intake.Proposals(r.Context(), sess.Account.OrganizationID, (pageNo-1)*matchesPageSize, matchesPageSize)
	if err != nil {
		s.error(w, r, err)
		return
	}
	data := map[string]any{"Proposal": p.Proposal, "Matches": p.PageMatches, "Waiting": p.PageWaiting, "Applicants": p.Queue.Applicants,
		"Members": p.Members, "Conflicts": p.Conflicts, "Places": p.Places, "Form": f, "LangPath": matchesPath(pageNo),
		"Decides": decides(sessionFrom(r.Context())), "Page": pageNo,
		"MatchesShown": shown(p.Offset, len(p.PageMatches), len(p.Proposal.Matches)),
		"WaitingShown": shown(p.WaitingOffset, len(p.PageWaiting), len(p.Proposal.Waiting))}
	if pageNo > 1 {
		data["Prev"] = matchesPath(pageNo - 1)
	}
	if p.More {
		data["Next"] = matchesPath(pageNo + 1)
	}
	s.render(w, r, "matches", status, data)
}

// span is the part of a list a page shows: items From to To (from 1) of
// Of.
type span struct{ From, To, Of int }

// shown is the span of a page of n items from offset, of total.
func shown(offset, n, total int) span { return span{From: offset + 1, To: offset + n, Of: total} }

// matchesPageSize is how many matches, and people waiting, a page of the
// proposal shows. Each match shown runs the conflict check (the page's in
// one batch), which for a common name reads and scores thousands of
// people: 10 keep the page well under a second at 20,000 waiting.
const matchesPageSize = 10

// matchesPageNo is the page of the proposal asked for: the query's
// "page", or a form's, from 1.
func matchesPageNo(r *http.Request) int {
	n, _ := strconv.Atoi(r.URL.Query().Get("page"))
	if r.Method == http.MethodPost {
		n, _ = strconv.Atoi(r.PostFormValue("page"))
	}
	return max(n, 1)
}

// matchesPath is the address of a page of the proposal.
func matchesPath(pageNo int) string {
	if pageNo <= 1 {
		return "/matches"
	}
	return "/matches?page=" + strconv.Itoa(pageNo)
}

// matchAccept accepts a match: the client is made from the applicant and
// a draft letter opened for the member, which the person is taken to. A
// hit of the conflict check, or a one-word name nobody confirmed, brings
// the page back with what to confirm.
func (s *Server) matchAccept(w http.ResponseWriter, r *http.Request) {
	applicant := r.PostFormValue("applicant")
	res, err := s.intake.Decide(r.Context(), intake.Decision{Accept: true, Acceptance: intake.Acceptance{ApplicantID: applicant,
		MemberID: r.PostFormValue("member"), ConflictsCleared: r.PostFormValue("conflicts_cleared") == "on",
		SingleName: r.PostFormValue("single_name") == "on"}})
	if err == nil {
		s.done(w, r, "/letters/"+res.Letter.ID, "matches.accepted", res.Client.LegalName)
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
	applicant, member := r.PostFormValue("applicant"), r.PostFormValue("member")
	reason := strings.TrimSpace(r.PostFormValue("reason"))
	if reason == "" {
		f := &form{Values: map[string]string{}}
		s.problem(s.language(w, r), f, "reason-"+applicant, "matches.err.reason")
		s.showMatches(w, r, http.StatusUnprocessableEntity, f)
		return
	}
	if _, err := s.intake.Decide(r.Context(), intake.Decision{Acceptance: intake.Acceptance{ApplicantID: applicant, MemberID: member}, Reason: reason}); err != nil {
		s.error(w, r, err)
		return
	}
	s.done(w, r, matchesPath(matchesPageNo(r)), "matches.declined")
}

// decides reports whether the session's role accepts and declines matches
// (the store decides too; this only keeps buttons from those who cannot
// use them).
func decides(sess *amparo.Session) bool {
	return sess != nil && sess.Actor().DecidesMatches()
}

// Priority says in words why a person has their place in line: each rule
// of the policy that applied and what it gave, in the reader's language
// where the catalog words the rule ("priority.rule.NAME"), else in the
// policy's own words.
func (p page) Priority(pl priority.Placement) string {
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
	p := &amparo.Party{Name: r.PostFormValue("name"), Note: r.PostFormValue("note")}
	p.BirthDate, _ = amparo.ParseDate(r.PostFormValue("birth_date"))
	if err := s.Conflicts.CreateParty(r.Context(), p); err != nil {
		if amparo.ErrorCode(err) == amparo.EINVALID {
			err = failWith(http.StatusUnprocessableEntity, amparo.EINVALID, "parties.err.name")
		}
		s.error(w, r, err)
		return
	}
	s.done(w, r, "/matches", "parties.created", p.Name)
}

// OneWord reports whether a name is a single word, which a letter can
// print only once someone confirms the person has a single name.
func (p page) OneWord(name string) bool { return len(strings.Fields(name)) == 1 }

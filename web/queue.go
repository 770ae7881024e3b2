package web

import (
	"net/http"
	"strings"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/priority"
)

// The queue and the priority policy: who is served first, and why.

func (s *Server) queueRoutes(mux *routes) {
	mux.Allow("GET /queue", may(amparo.Actor.SeesClients), s.queuePage)
	runsProgram := may(amparo.Actor.RunsProgram)
	mux.Allow("GET /policy", runsProgram, s.policyPage)
	mux.Allow("POST /policy", runsProgram, s.policySave)
}

// queuePage shows one page of the line, 50 places, in the policy's order
// (the line has no other); places are numbered in the whole line, and
// each row links to the person's record. A page past the end, or one
// that is not a number, is answered in the reader's language.
func (s *Server) queuePage(w http.ResponseWriter, r *http.Request) {
	sess := sessionFrom(r.Context())
	q, err := parseList(r, nil, "")
	if err != nil {
		s.error(w, r, err)
		return
	}
	line, err := s.intake.Queue(r.Context(), sess.Account.OrganizationID, q.Offset(), queuePageSize)
	if err != nil {
		s.error(w, r, err)
		return
	}
	pg, err := q.Pager(len(line.Places))
	if err != nil {
		s.error(w, r, err)
		return
	}
	data := map[string]any{"Queue": line.Queue, "Version": line.Version, "Line": line, "Pager": pg}
	if len(line.Page) > 0 {
		data["First"], data["Last"] = line.Page[0].Place, line.Page[len(line.Page)-1].Place
	}
	s.render(w, r, "queue", http.StatusOK, data)
}

// queuePageSize is how many places a page of the queue shows: a page of
// any list (perPage), so that the pager's pages are the queue's.
const queuePageSize = perPage

func (s *Server) policyPage(w http.ResponseWriter, r *http.Request) {
	p, err := s.Policies.CurrentPolicy(r.Context())
	if err != nil {
		s.error(w, r, err)
		return
	}
	s.renderPolicy(w, r, http.StatusOK, p, &form{Values: map[string]string{"text": p.Text, "tps": p.TPS}}, "")
}

func (s *Server) renderPolicy(w http.ResponseWriter, r *http.Request, status int, p *amparo.PolicyVersion, f *form, change string) {
	history, err := s.Policies.PolicyHistory(r.Context())
	if err != nil {
		s.error(w, r, err)
		return
	}
	s.render(w, r, "policy", status, map[string]any{"Policy": p, "History": history, "Form": f, "Change": change, "Facts": priority.KnownFacts()})
}

// policySave puts a new policy in force and says who moved; a text that
// does not parse keeps the policy in force and says where it is wrong.
func (s *Server) policySave(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	text, tps, reason := r.PostFormValue("text"), r.PostFormValue("tps"), strings.TrimSpace(r.PostFormValue("reason"))
	pc, err := s.intake.ChangePolicy(ctx, text, tps, reason)
	if err != nil {
		f := &form{Values: map[string]string{"text": text, "tps": tps, "reason": reason}}
		if s.adminErrors(w, r, err, f) {
			before, err := s.Policies.CurrentPolicy(ctx)
			if err != nil {
				s.error(w, r, err)
				return
			}
			s.renderPolicy(w, r, http.StatusUnprocessableEntity, before, f, "")
		}
		return
	}
	change := ""
	if pc.Change != nil {
		change = pc.Change.Text(s.Catalog, s.language(w, r))
	} else {
		s.Logger.Error("policy changed, but who moved is unknown", "err", pc.RankErr)
	}
	p := pc.Version
	s.renderPolicy(w, r, http.StatusOK, p, &form{Values: map[string]string{"text": p.Text, "tps": p.TPS}}, change)
}

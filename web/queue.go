package web

import (
	"net/http"
	"strings"
	"time"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/intake"
	"github.com/amparo-project/amparo/priority"
)

// The queue and the priority policy: who is served first, and why.

func (s *Server) queueRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /queue", s.queuePage)
	mux.HandleFunc("GET /policy", s.policyPage)
	mux.HandleFunc("POST /policy", s.policySave)
}

func (s *Server) queuePage(w http.ResponseWriter, r *http.Request) {
	sess := s.signedIn(w, r)
	if sess == nil {
		return
	}
	p, err := s.Policies.CurrentPolicy(r.Context())
	if err != nil {
		s.error(w, r, err)
		return
	}
	as, err := intake.Waitlist(r.Context(), s.Applicants, sess.Account.OrganizationID)
	if err != nil {
		s.error(w, r, err)
		return
	}
	q, err := intake.Rank(p, as, time.Now())
	if err != nil {
		s.error(w, r, err)
		return
	}
	s.render(w, r, "queue", http.StatusOK, map[string]any{"Queue": q, "Version": p})
}

func (s *Server) policyPage(w http.ResponseWriter, r *http.Request) {
	sess := s.signedIn(w, r)
	if sess == nil {
		return
	}
	if sess.Account.Role != amparo.RoleProgramAdmin {
		s.error(w, r, amparo.Errorf(amparo.EFORBIDDEN, "Forbidden."))
		return
	}
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
	if s.signedIn(w, r) == nil {
		return
	}
	ctx := r.Context()
	before, err := s.Policies.CurrentPolicy(ctx)
	if err != nil {
		s.error(w, r, err)
		return
	}
	text, tps, reason := r.PostFormValue("text"), r.PostFormValue("tps"), strings.TrimSpace(r.PostFormValue("reason"))
	p, err := s.Policies.SetPolicy(ctx, text, tps, reason)
	if err != nil {
		f := &form{Values: map[string]string{"text": text, "tps": tps, "reason": reason}}
		if s.adminErrors(w, r, err, f) {
			s.renderPolicy(w, r, http.StatusUnprocessableEntity, before, f, "")
		}
		return
	}
	// Who moved, across every organization's line.
	as, err := intake.Waitlist(amparo.NewContextWithActor(ctx, amparo.SystemActor), s.Applicants, "")
	change := ""
	if err == nil {
		now := time.Now()
		old, err1 := intake.Rank(before, as, now)
		next, err2 := intake.Rank(p, as, now)
		if err1 == nil && err2 == nil {
			change = priority.Compare(old.Ranking, next.Ranking).Text(s.Catalog, s.language(w, r))
		}
	}
	s.renderPolicy(w, r, http.StatusOK, p, &form{Values: map[string]string{"text": p.Text, "tps": p.TPS}}, change)
}

package web

import (
	"net/http"
	"strings"
	"time"

	"github.com/amparo-project/amparo"
)

// The public intake form: no account, the fewest questions, consent in the
// person's language. A honeypot field and a per-address limit stand in for a
// CAPTCHA. The answer shows a reference code and nothing the person typed,
// so the page is safe to have open or to share.

func (s *Server) intakeRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /intake/{org}", s.intakeForm)
	mux.HandleFunc("POST /intake/{org}", s.intakeSubmit)
}

func (s *Server) intakeOrg(w http.ResponseWriter, r *http.Request) *amparo.Organization {
	o, err := s.Organizations.FindOrganizationByID(r.Context(), r.PathValue("org"))
	if err != nil {
		http.NotFound(w, r)
		return nil
	}
	return o
}

func (s *Server) intakeForm(w http.ResponseWriter, r *http.Request) {
	noStore(w)
	o := s.intakeOrg(w, r)
	if o == nil {
		return
	}
	s.render(w, r, "intake", http.StatusOK, map[string]any{"Organization": o, "Situations": amparo.Situations,
		"Form": &form{Values: map[string]string{"language": s.language(w, r)}}})
}

func (s *Server) intakeSubmit(w http.ResponseWriter, r *http.Request) {
	noStore(w)
	o := s.intakeOrg(w, r)
	if o == nil {
		return
	}
	lang := s.language(w, r)
	if ok, _ := s.IntakeLimiter.Allow("intake", clientAddr(r), time.Now()); !ok {
		http.Error(w, s.Catalog.T(lang, "intake.busy"), http.StatusTooManyRequests)
		return
	}
	reference := strings.ToUpper(amparo.NewID()[:8])
	if r.PostFormValue("website") != "" {
		// A robot filled the field people never see: thank it, keep nothing.
		s.render(w, r, "intake_done", http.StatusOK, map[string]any{"Reference": reference})
		return
	}
	a, f := s.intakeFromForm(r, o.ID, "public-intake", lang)
	if len(f.Errors) > 0 {
		s.render(w, r, "intake", http.StatusUnprocessableEntity, map[string]any{"Organization": o, "Situations": amparo.Situations, "Form": f})
		return
	}
	// The form's person acts as the organization's intake, for this one record.
	ctx := amparo.NewContextWithActor(r.Context(), amparo.Actor{ID: "public-intake", Role: amparo.RoleIntake, OrganizationID: o.ID})
	if _, err := s.Applicants.CreateApplicants(ctx, []*amparo.Applicant{a}); err != nil {
		s.error(w, r, err)
		return
	}
	s.render(w, r, "intake_done", http.StatusOK, map[string]any{"Reference": strings.ToUpper(a.ID[:8])})
}

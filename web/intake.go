package web

import (
	"net/http"
	"strings"
	"time"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/csvimport"
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
	f := &form{Values: map[string]string{}}
	c := &amparo.Client{OrganizationID: o.ID}
	clientFromForm(r, c, f)
	if r.PostFormValue("consent") != "on" {
		f.add("consent", "")
	}
	c.Consents = []amparo.Consent{{Purpose: amparo.ConsentDataStorage, GivenAt: time.Now().UTC().Truncate(time.Second),
		RecordedBy: "public-intake", Language: lang}}
	if err := c.Validate(); err != nil {
		s.fieldErrors(lang, err, f)
	} else {
		s.fieldErrors(lang, nil, f)
	}
	if len(f.Errors) > 0 {
		s.render(w, r, "intake", http.StatusUnprocessableEntity, map[string]any{"Organization": o, "Situations": amparo.Situations, "Form": f})
		return
	}
	a := &amparo.Applicant{ID: amparo.NewID(), OrganizationID: o.ID, Key: csvimport.RowKey(s.IntakeKeySecret, c.LegalName, c.BirthDate),
		Facts: amparo.Facts{Personal: c.Personal, IntakeDate: amparo.Date{Time: time.Now().UTC().Truncate(24 * time.Hour)}}}
	// The form's person acts as the organization's intake, for this one record.
	ctx := amparo.NewContextWithActor(r.Context(), amparo.Actor{ID: "public-intake", Role: amparo.RoleIntake, OrganizationID: o.ID})
	if _, err := s.Applicants.CreateApplicants(ctx, []*amparo.Applicant{a}); err != nil {
		s.error(w, r, err)
		return
	}
	s.render(w, r, "intake_done", http.StatusOK, map[string]any{"Reference": strings.ToUpper(a.ID[:8])})
}

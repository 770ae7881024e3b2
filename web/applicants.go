package web

import (
	"errors"
	"net/http"
	"time"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/csvimport"
	"github.com/amparo-project/amparo/intake"
)

// Intake by staff: one person at a time through the intake form, or a CSV
// file, all or nothing unless the good rows alone are asked for.

func (s *Server) applicantRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /applicants", s.applicantList)
	mux.HandleFunc("GET /applicants/new", s.applicantNew)
	mux.HandleFunc("POST /applicants", s.applicantCreate)
	mux.HandleFunc("POST /applicants/import", s.applicantImport)
	mux.HandleFunc("GET /applicants/template.csv", s.applicantTemplate)
	mux.HandleFunc("GET /applicants/{id}", s.applicantView)
	mux.HandleFunc("POST /applicants/{id}/status", s.applicantStatus)
}

func (s *Server) applicantList(w http.ResponseWriter, r *http.Request) {
	if s.signedIn(w, r) == nil {
		return
	}
	as, n, err := s.Applicants.FindApplicants(r.Context(), amparo.ApplicantFilter{Limit: 100})
	if err != nil {
		s.error(w, r, err)
		return
	}
	s.render(w, r, "applicants", http.StatusOK, map[string]any{"Applicants": as, "Total": n})
}

func (s *Server) applicantNew(w http.ResponseWriter, r *http.Request) {
	sess := s.signedIn(w, r)
	if sess == nil {
		return
	}
	o, err := s.Organizations.FindOrganizationByID(r.Context(), sess.Account.OrganizationID)
	if err != nil {
		s.error(w, r, err)
		return
	}
	s.render(w, r, "intake", http.StatusOK, map[string]any{"Organization": o, "Situations": amparo.Situations, "Staff": true,
		"Form": &form{Values: map[string]string{"language": s.language(w, r)}}})
}

// applicantCreate is the intake form, filled by staff with the person.
func (s *Server) applicantCreate(w http.ResponseWriter, r *http.Request) {
	sess := s.signedIn(w, r)
	if sess == nil {
		return
	}
	o, err := s.Organizations.FindOrganizationByID(r.Context(), sess.Account.OrganizationID)
	if err != nil {
		s.error(w, r, err)
		return
	}
	lang := s.language(w, r)
	a, f := s.intakeFromForm(r, o.ID, sess.AccountID, lang)
	if len(f.Errors) > 0 {
		s.render(w, r, "intake", http.StatusUnprocessableEntity, map[string]any{"Organization": o, "Situations": amparo.Situations, "Staff": true, "Form": f})
		return
	}
	if _, err := s.Applicants.CreateApplicants(r.Context(), []*amparo.Applicant{a}); err != nil {
		s.error(w, r, err)
		return
	}
	http.Redirect(w, r, "/applicants", http.StatusSeeOther)
}

// intakeFromForm reads and checks an intake form, as the public and the
// staff forms share it.
func (s *Server) intakeFromForm(r *http.Request, orgID, recordedBy, lang string) (*amparo.Applicant, *form) {
	f := &form{Values: map[string]string{}}
	c := &amparo.Client{OrganizationID: orgID}
	clientFromForm(r, c, f)
	if r.PostFormValue("consent") != "on" {
		f.add("consent", "")
	}
	c.Consents = []amparo.Consent{{Purpose: amparo.ConsentDataStorage, GivenAt: time.Now().UTC().Truncate(time.Second),
		RecordedBy: recordedBy, Language: lang}}
	s.fieldErrors(lang, c.Validate(), f)
	a := &amparo.Applicant{ID: amparo.NewID(), OrganizationID: orgID, Key: csvimport.RowKey(s.IntakeKeySecret, c.LegalName, c.BirthDate),
		Facts: amparo.Facts{Personal: c.Personal, InterpreterOK: r.PostFormValue("interpreter_ok") == "on",
			IntakeDate: amparo.Date{Time: time.Now().UTC().Truncate(24 * time.Hour)}}}
	return a, f
}

func (s *Server) applicantImport(w http.ResponseWriter, r *http.Request) {
	sess := s.signedIn(w, r)
	if sess == nil {
		return
	}
	lang := s.language(w, r)
	file, _, err := r.FormFile("file")
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			http.Error(w, s.Catalog.T(lang, "form.too_large"), http.StatusRequestEntityTooLarge)
		} else {
			http.Error(w, s.Catalog.T(lang, "applicants.no_file"), http.StatusBadRequest)
		}
		return
	}
	defer file.Close()
	rep, err := intake.Import(r.Context(), s.Applicants, file, intake.Options{OrganizationID: sess.Account.OrganizationID,
		Partial: r.FormValue("partial") == "on", DryRun: r.FormValue("dry_run") == "on", KeySecret: s.IntakeKeySecret})
	var problems []string
	var list csvimport.ErrorList
	if errors.As(err, &list) {
		for _, e := range list {
			problems = append(problems, e.Message(lang))
		}
	} else if err != nil {
		s.error(w, r, err)
		return
	} else {
		for _, e := range rep.Errors {
			problems = append(problems, e.Message(lang))
		}
	}
	status := http.StatusOK
	if len(problems) > 0 && (rep == nil || !rep.Stored) {
		status = http.StatusUnprocessableEntity
	}
	s.render(w, r, "import", status, map[string]any{"Report": rep, "Problems": problems, "DryRun": r.FormValue("dry_run") == "on"})
}

func (s *Server) applicantTemplate(w http.ResponseWriter, r *http.Request) {
	if s.signedIn(w, r) == nil {
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="intake-template.csv"`)
	w.Write(csvimport.Template(s.language(w, r)))
}

func (s *Server) applicantView(w http.ResponseWriter, r *http.Request) {
	s.showApplicant(w, r, http.StatusOK, &form{Values: map[string]string{}})
}

func (s *Server) showApplicant(w http.ResponseWriter, r *http.Request, status int, f *form) {
	if s.signedIn(w, r) == nil {
		return
	}
	a, err := s.Applicants.FindApplicantByID(r.Context(), r.PathValue("id"))
	if err != nil {
		s.error(w, r, err)
		return
	}
	events, err := s.Applicants.FindApplicantEvents(r.Context(), a.ID)
	if err != nil {
		s.error(w, r, err)
		return
	}
	s.render(w, r, "applicant", status, map[string]any{"Applicant": a, "Events": events, "Statuses": amparo.ApplicantStatuses, "Form": f})
}

// applicantStatus records a decision on an applicant, with why.
func (s *Server) applicantStatus(w http.ResponseWriter, r *http.Request) {
	if s.signedIn(w, r) == nil {
		return
	}
	if err := s.Applicants.SetApplicantStatus(r.Context(), r.PathValue("id"), r.PostFormValue("status"), "", r.PostFormValue("reason")); err != nil {
		if amparo.ErrorCode(err) == amparo.EINVALID {
			f := &form{Values: map[string]string{}}
			f.add("status", s.Catalog.T(s.language(w, r), "applicant.err.status"))
			s.showApplicant(w, r, http.StatusUnprocessableEntity, f)
			return
		}
		s.error(w, r, err)
		return
	}
	http.Redirect(w, r, "/applicants/"+r.PathValue("id"), http.StatusSeeOther)
}

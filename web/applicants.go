package web

import (
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/csvimport"
	"github.com/amparo-project/amparo/intake"
)

// Intake by staff: one person at a time through the intake form, or a CSV
// file, all or nothing unless the good rows alone are asked for.

func (s *Server) applicantRoutes(mux *routes) {
	seesClients := may(amparo.Actor.SeesClients)
	mux.Allow("GET /applicants", seesClients, s.applicantList)
	mux.Allow("GET /applicants/new", seesClients, s.applicantNew)
	mux.Allow("POST /applicants", seesClients, s.applicantCreate)
	mux.Allow("POST /applicants/import", seesClients, s.applicantImport)
	mux.Allow("GET /applicants/template.csv", seesClients, s.applicantTemplate)
	mux.Allow("GET /applicants/{id}", seesClients, s.applicantView)
	mux.Allow("POST /applicants/{id}/status", seesClients, s.applicantStatus)
}

// applicantList lists the organization's intakes, or finds one by its
// reference code or by name (q).
func (s *Server) applicantList(w http.ResponseWriter, r *http.Request) {
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	var as []*amparo.Applicant
	var n int
	var err error
	if ref := amparo.NormalizeReference(q); ref != "" {
		as, n, err = s.Applicants.FindApplicants(r.Context(), amparo.ApplicantFilter{Reference: ref, Limit: 100})
	}
	if err == nil && n == 0 {
		as, n, err = s.Applicants.FindApplicants(r.Context(), amparo.ApplicantFilter{Name: q, Limit: 100})
	}
	if err != nil {
		s.error(w, r, err)
		return
	}
	s.render(w, r, "applicants", http.StatusOK, map[string]any{"Applicants": as, "Total": n, "Query": q})
}

func (s *Server) applicantNew(w http.ResponseWriter, r *http.Request) {
	sess := sessionFrom(r.Context())
	o, err := s.Organizations.FindOrganizationByID(r.Context(), sess.Account.OrganizationID)
	if err != nil {
		s.error(w, r, err)
		return
	}
	s.render(w, r, "intake", http.StatusOK, s.intakePage(w, r, o, true, &form{Values: map[string]string{"language": s.language(w, r)}}))
}

// applicantCreate is the intake form, filled by staff with the person. A
// person already known (by the reference code given, or by name and date
// of birth) is updated, with the change in their history; either way the
// answer is a redirect to the record.
func (s *Server) applicantCreate(w http.ResponseWriter, r *http.Request) {
	sess := sessionFrom(r.Context())
	o, err := s.Organizations.FindOrganizationByID(r.Context(), sess.Account.OrganizationID)
	if err != nil {
		s.error(w, r, err)
		return
	}
	lang := s.language(w, r)
	a, f := s.intakeFromForm(r, o.ID, sess.AccountID, lang)
	if len(f.Errors) > 0 {
		s.render(w, r, "intake", http.StatusUnprocessableEntity, s.intakePage(w, r, o, true, f))
		return
	}
	if _, err := s.Applicants.SubmitApplicant(r.Context(), a, f.Values["reference"]); err != nil {
		s.error(w, r, err)
		return
	}
	http.Redirect(w, r, "/applicants/"+a.ID, http.StatusSeeOther)
}

// intakeFromForm reads and checks an intake form, as the public and the
// staff forms share it. Every question starts unanswered, and an
// unanswered question records nothing.
func (s *Server) intakeFromForm(r *http.Request, orgID, recordedBy, lang string) (*amparo.Applicant, *form) {
	f := &form{Values: map[string]string{}}
	c := &amparo.Client{OrganizationID: orgID}
	clientFromForm(r, c, f)
	yes := func(k string) bool {
		f.Values[k] = strings.TrimSpace(r.PostFormValue(k))
		return f.Values[k] == "on"
	}
	facts := amparo.Facts{InterpreterOK: yes("interpreter_ok"), UnaccompaniedMinor: yes("unaccompanied_minor"), Unhoused: yes("unhoused"),
		Survivor: yes("survivor"), IntakeDate: amparo.DayOf(time.Now(), s.programZone(r.Context()))}
	f.Values["reference"] = strings.TrimSpace(r.PostFormValue("reference"))
	if f.Values["reference"] != "" && amparo.NormalizeReference(f.Values["reference"]) == "" {
		f.add("reference", "")
	}
	if !yes("consent") {
		f.add("consent", "")
	}
	c.Consents = []amparo.Consent{{Purpose: amparo.ConsentDataStorage, GivenAt: time.Now().UTC().Truncate(time.Second),
		RecordedBy: recordedBy, Language: lang}}
	s.formErrors(lang, c.Validate(), f, "client.err.", false)
	for i, e := range f.Errors {
		// The intake's own words where they differ from the client form's.
		switch e.Field {
		case "reference", "consent", "country_of_birth", "tps_country", "next_hearing", "situation":
			f.Errors[i].Message = s.Catalog.T(lang, "intake.err."+e.Field)
		}
	}
	facts.Personal = c.Personal
	a := &amparo.Applicant{OrganizationID: orgID, Key: csvimport.RowKey(s.IntakeKeySecret, c.LegalName, c.BirthDate), Facts: facts}
	return a, f
}

func (s *Server) applicantImport(w http.ResponseWriter, r *http.Request) {
	sess := sessionFrom(r.Context())
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
			problems = append(problems, e.Text(s.Catalog, lang))
		}
	} else if err != nil {
		s.error(w, r, err)
		return
	} else {
		for _, e := range rep.Errors {
			problems = append(problems, e.Text(s.Catalog, lang))
		}
	}
	status := http.StatusOK
	if len(problems) > 0 && (rep == nil || !rep.Stored) {
		status = http.StatusUnprocessableEntity
	}
	s.render(w, r, "import", status, map[string]any{"Report": rep, "Problems": problems, "DryRun": r.FormValue("dry_run") == "on"})
}

func (s *Server) applicantTemplate(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="intake-template.csv"`)
	w.Write(csvimport.TemplateIn(s.Catalog, s.language(w, r)))
}

func (s *Server) applicantView(w http.ResponseWriter, r *http.Request) {
	s.showApplicant(w, r, http.StatusOK, &form{Values: map[string]string{}})
}

func (s *Server) showApplicant(w http.ResponseWriter, r *http.Request, status int, f *form) {
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
	lang := s.language(w, r)
	received := a.IntakeDate
	if received.IsZero() {
		received = amparo.DayOf(a.CreatedAt, s.programZone(r.Context()))
	}
	var history []historyEntry
	var proposed []changeView // contact details proposed, not applied, newest first
	for _, e := range events {
		h := historyEntry{At: e.At, Status: e.Status, Reason: e.Reason, Update: e.Changes != nil, ByApplicant: e.ActorID == amparo.ApplicantActorID}
		for _, c := range e.Changes {
			v := changeView{s.Catalog.T(lang, "client.field."+c.Field), s.factValue(lang, c.Field, c.Old), s.factValue(lang, c.Field, c.New), e.At}
			if c.Proposed {
				h.Proposed = append(h.Proposed, v)
				proposed = append([]changeView{v}, proposed...)
			} else {
				h.Changes = append(h.Changes, v)
			}
		}
		history = append(history, h)
	}
	s.render(w, r, "applicant", status, map[string]any{"Applicant": a, "Received": received, "History": history, "Proposed": proposed,
		"CountryOfBirth": intake.CountryName(lang, a.CountryOfBirth), "TPSCountry": intake.CountryName(lang, a.TPSCountry),
		"Statuses": amparo.ApplicantStatuses, "Form": f})
}

// historyEntry is one entry of an applicant's history, as the page shows it.
type historyEntry struct {
	At          time.Time
	Status      amparo.ApplicantStatus
	Reason      string
	Update      bool // a later intake that changed facts
	ByApplicant bool // sent by the person themselves
	Changes     []changeView
	// Proposed are contact details sent by someone matched by name and
	// date of birth alone: not applied, for staff to confirm.
	Proposed []changeView
}

type changeView struct {
	Field, Old, New string
	At              time.Time
}

// factValue writes a stored value of a changed fact in lang.
func (s *Server) factValue(lang, field, v string) string {
	switch {
	case v == "" && field == "situation":
		return s.Catalog.T(lang, "situation.unknown")
	case v == "":
		return "—"
	case v == "true":
		return s.Catalog.T(lang, "yes")
	case v == "false":
		return s.Catalog.T(lang, "no")
	case field == "situation":
		return s.Catalog.T(lang, "situation."+v)
	case field == "country_of_birth" || field == "tps_country":
		return intake.CountryName(lang, v)
	}
	return v
}

// applicantStatus records a decision on an applicant, with why.
func (s *Server) applicantStatus(w http.ResponseWriter, r *http.Request) {
	if err := s.Applicants.SetApplicantStatus(r.Context(), r.PathValue("id"), amparo.ApplicantStatus(r.PostFormValue("status")), "", r.PostFormValue("reason")); err != nil {
		if amparo.ErrorCode(err) == amparo.EINVALID {
			f := &form{Values: map[string]string{}}
			s.problem(s.language(w, r), f, "status", "applicant.err.status")
			s.showApplicant(w, r, http.StatusUnprocessableEntity, f)
			return
		}
		s.error(w, r, err)
		return
	}
	http.Redirect(w, r, "/applicants/"+r.PathValue("id"), http.StatusSeeOther)
}

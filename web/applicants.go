package web

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
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

// applicantList lists the organization's intakes, a page at a time,
// newest first unless another order is asked; a search (q) finds a
// reference code or a name, and a status narrows the list. Names are
// sealed: the list is not sorted by name (amparo.ApplicantSorts).
func (s *Server) applicantList(w http.ResponseWriter, r *http.Request) {
	q, err := parseList(r, amparo.ApplicantSorts, "-received")
	if err != nil {
		s.error(w, r, err)
		return
	}
	status := amparo.ApplicantStatus(r.URL.Query().Get("status"))
	if status != "" && !slices.Contains(amparo.ApplicantStatuses, status) {
		s.error(w, r, amparo.Invalid("status", "There is no such status.").Localize("applicants.bad_status"))
		return
	}
	as, n, err := s.Applicants.FindApplicants(r.Context(), amparo.ApplicantFilter{Search: q.Q, Status: status, Sort: q.Sort,
		Offset: q.Offset(), Limit: q.Limit()})
	pg, err := q.Paged(n, err)
	if err != nil {
		s.error(w, r, err)
		return
	}
	s.render(w, r, "applicants", http.StatusOK, map[string]any{"Applicants": as, "Pager": pg, "Status": status,
		"Statuses": amparo.ApplicantStatuses})
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
	a, f := s.intakeFromForm(r, o.ID, sess.AccountID, lang, true)
	if len(f.Errors) > 0 {
		s.render(w, r, "intake", http.StatusUnprocessableEntity, s.intakePage(w, r, o, true, f))
		return
	}
	if _, err := s.Applicants.SubmitApplicant(r.Context(), a, f.Values["reference"]); err != nil {
		s.error(w, r, err)
		return
	}
	s.done(w, r, "/applicants/"+a.ID, "applicants.saved", a.LegalName, a.Reference)
}

// intakeFromForm reads and checks an intake form, as the public and the
// staff forms share it. Every question starts unanswered, and an
// unanswered question records nothing. Every problem is found at once,
// listed in the order of the form, and said to whoever fills it: the
// person themselves on the public form, staff about the person on the
// staff form (intakeErrorKey).
func (s *Server) intakeFromForm(r *http.Request, orgID, recordedBy, lang string, staff bool) (*amparo.Applicant, *form) {
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
		if key := s.intakeErrorKey(staff, e.Field); key != "" {
			f.Errors[i].Message = s.Catalog.T(lang, key)
		}
	}
	order := intakeFieldOrder()
	slices.SortStableFunc(f.Errors, func(a, b fieldError) int { return order(a.Field) - order(b.Field) })
	facts.Personal = c.Personal
	if src := r.PostFormValue("source"); !staff && amparo.IsWorkshopSource(src) {
		facts.SourceRef, f.Values["source"] = src, src
	}
	a := &amparo.Applicant{OrganizationID: orgID, Key: csvimport.RowKey(s.IntakeKeySecret, c.LegalName, c.BirthDate), Facts: facts}
	return a, f
}

// intakeErrorKey is the catalog key of a field's problem in the intake
// form's own words, "" where the client form's (client.err.*) say it: the
// public form's (intake.err.*) speak to the person ("your date of
// birth"), the staff form's (applicant.err.*) about them.
func (s *Server) intakeErrorKey(staff bool, field string) string {
	key := "intake.err." + field
	if staff {
		key = "applicant.err." + field
	}
	if s.Catalog.Has(key) {
		return key
	}
	return ""
}

// intakeFieldOrder ranks the intake form's fields in the order it shows
// them, for its error summary to follow.
func intakeFieldOrder() func(string) int {
	fields := []string{"legal_name", "single_name", "preferred_name", "birth_date", "phone", "language"}
	for _, q := range intake.Questions {
		fields = append(fields, q.Field)
	}
	fields = append(fields, "interpreter_ok", "reference", "consent", "send")
	return func(f string) int {
		if i := slices.Index(fields, f); i >= 0 {
			return i
		}
		return len(fields)
	}
}

// IntakeLabel is an intake form's label for a field: the public form's
// (intake.field.*), which speak as the person ("I am detained now"), or
// the staff form's (applicant.field.*), about them; where neither has
// its own, the client form's.
func (p page) IntakeLabel(staff bool, field string) string {
	keys := []string{"intake.field." + field}
	if staff {
		keys = []string{"applicant.field." + field}
		if neutralIntakeLabels[field] {
			keys = append(keys, "intake.field."+field)
		}
	}
	for _, k := range keys {
		if p.catalog.Has(k) {
			return p.T(k)
		}
	}
	return p.T("client.field." + field)
}

// neutralIntakeLabels are the public form's labels that read the same to
// staff: the staff form shares them.
var neutralIntakeLabels = map[string]bool{"situation": true, "country_of_birth": true}

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
	if rep != nil && rep.Stored && len(problems) == 0 && len(rep.Review) == 0 && r.FormValue("dry_run") != "on" {
		// Nothing to show but how many: the banner says it on the list.
		s.done(w, r, "/applicants", "applicants.imported_banner", rep.Created, rep.Known)
		return
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
	ctx := r.Context()
	rec, err := s.intake.Record(ctx, r.PathValue("id"))
	if err != nil {
		s.error(w, r, err)
		return
	}
	a := rec.Applicant
	lang := s.language(w, r)
	received := a.IntakeDate
	if received.IsZero() {
		received = amparo.DayOf(a.CreatedAt, s.programZone(ctx))
	}
	var history []historyEntry
	var proposed []changeView // contact details proposed, not applied, newest first
	for _, e := range rec.Events {
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
	grants, err := s.fundGrant.FundableGrants(ctx, a.OrganizationID)
	if err != nil {
		s.error(w, r, err)
		return
	}
	s.render(w, r, "applicant", status, map[string]any{"Applicant": a, "Received": received, "History": history, "Proposed": proposed,
		"FundGrants": grants, "FundPerson": a.ID,
		"CountryOfBirth": intake.CountryName(lang, a.CountryOfBirth), "TPSCountry": intake.CountryName(lang, a.TPSCountry),
		"Statuses": decidable(a.Status), "Form": f, "Where": placeOf(rec), "Source": sourceOf(rec, sessionFrom(ctx).Actor(), lang)})
}

// sourceView is where an applicant came from, in words: the workshop by
// its title (Link to its page for those who organize it), or the
// reference of the imported file's row.
type sourceView struct {
	Msg  amparo.Msg
	Link string
}

func sourceOf(rec *intake.Record, a amparo.Actor, lang string) *sourceView {
	ref := rec.Applicant.SourceRef
	switch {
	case rec.Workshop != nil:
		v := &sourceView{Msg: amparo.Msg{Key: "applicant.source.workshop", Args: []any{rec.Workshop.TitleIn(lang)}}}
		if a.OrganizesWorkshopsOf(rec.Workshop.OrganizationID) {
			v.Link = "/workshops/" + rec.Workshop.ID
		}
		return v
	case amparo.IsWorkshopSource(ref):
		return &sourceView{Msg: amparo.Msg{Key: "applicant.source.workshop_gone"}}
	case ref != "":
		return &sourceView{Msg: amparo.Msg{Key: "applicant.source.import", Args: []any{ref}}}
	}
	return nil
}

// decidable are the statuses staff may choose for an applicant now:
// matched and served are set by accepting a match and issuing its letter,
// not chosen.
func decidable(now amparo.ApplicantStatus) []amparo.ApplicantStatus {
	var out []amparo.ApplicantStatus
	for _, st := range amparo.ApplicantStatuses {
		if st == now || st != amparo.ApplicantMatched && st != amparo.ApplicantServed {
			out = append(out, st)
		}
	}
	return out
}

// applicantPlace is where an applicant is on the way to a letter, as the
// page links it: their place in the queue while they wait (at their row
// of its page), the member they were matched to, and the client record
// made from them.
type applicantPlace struct {
	Waiting        bool
	Place, InLine  int    // 0 when not in line (excluded by the policy)
	QueueURL       string // the queue's page that shows them, at their row
	Member         string // the member's name, once matched
	ClientID       string
	ClientName     string
	ProposalsShown bool // matches are proposed from the line: the page links to them
}

func placeOf(rec *intake.Record) *applicantPlace {
	p := &applicantPlace{Waiting: rec.Waiting, InLine: rec.InLine, Member: rec.Member}
	if rec.Place > 0 {
		p.Place, p.ProposalsShown = rec.Place, true
		p.QueueURL = fmt.Sprintf("/queue?page=%d#q-%s", (rec.Place-1)/queuePageSize+1, rec.Applicant.ID)
	}
	if rec.Client != nil {
		p.ClientID, p.ClientName = rec.Client.ID, rec.Client.LegalName
	}
	return p
}

// YesNo is a yes-or-no fact in the reader's language.
func (p page) YesNo(yes bool) string {
	if yes {
		return p.T("yes")
	}
	return p.T("no")
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

// leavesLine are the decisions that take a person out of the line for
// good, unless someone decides again: they are confirmed first.
var leavesLine = []amparo.ApplicantStatus{amparo.ApplicantDeclined, amparo.ApplicantClosed}

// applicantStatus records a decision on an applicant, with why. Declining
// or closing asks first, on a confirmation page that says what happens;
// a confirmation shown before the record changed again changes nothing.
func (s *Server) applicantStatus(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	status, reason := amparo.ApplicantStatus(r.PostFormValue("status")), strings.TrimSpace(r.PostFormValue("reason"))
	if !slices.Contains(amparo.ApplicantStatuses, status) {
		f := &form{Values: map[string]string{"reason": reason}}
		s.problem(s.language(w, r), f, "status", "applicant.err.status")
		s.showApplicant(w, r, http.StatusUnprocessableEntity, f)
		return
	}
	a, err := s.Applicants.FindApplicantByID(ctx, r.PathValue("id"))
	if err != nil {
		s.error(w, r, err)
		return
	}
	seen := string(a.Status) + " " + a.UpdatedAt.UTC().Format(time.RFC3339Nano)
	if slices.Contains(leavesLine, status) && status != a.Status {
		if r.PostFormValue("confirmed") != "1" {
			st := s.Catalog.T(s.language(w, r), "applicant.status."+string(status))
			lines := []amparo.Msg{{Key: "applicant.confirm_leaves", Args: []any{a.LegalName}}, {Key: "applicant.confirm_undo"}}
			if reason != "" {
				lines = append(lines, amparo.Msg{Key: "applicant.confirm_reason", Args: []any{reason}})
			}
			// The form's answer is the confirmation page; its button posts
			// the same decision again, confirmed.
			s.confirm(w, r, confirmation{
				Title:  amparo.Msg{Key: "applicant.confirm_title", Args: []any{a.LegalName, st}},
				Lines:  lines,
				Action: "/applicants/" + a.ID + "/status", Fields: map[string]string{"status": string(status), "reason": reason},
				Seen: seen, Button: amparo.Msg{Key: "applicant.confirm_button"}, Cancel: "/applicants/" + a.ID})
			return
		}
		if err := checkSeen(r, seen); err != nil {
			s.error(w, r, err)
			return
		}
	}
	if err := s.Applicants.SetApplicantStatus(ctx, a.ID, status, "", reason); err != nil {
		if amparo.ErrorCode(err) == amparo.EINVALID {
			f := &form{Values: map[string]string{"reason": reason}}
			s.problem(s.language(w, r), f, "status", "applicant.err.status")
			s.showApplicant(w, r, http.StatusUnprocessableEntity, f)
			return
		}
		s.error(w, r, err)
		return
	}
	s.done(w, r, "/applicants/"+a.ID, "applicant.status_saved", a.LegalName, amparo.Msg{Key: "applicant.status." + string(status)})
}

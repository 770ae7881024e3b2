package web

import (
	"crypto/hmac"
	"encoding/base64"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/intake"
)

// The public intake form: no account, the fewest questions, consent in the
// person's language. A honeypot field and a per-address limit stand in for a
// CAPTCHA. A sent form answers with a redirect to a confirmation page
// (post/redirect/get): reloading it or switching its language sends
// nothing again. The confirmation shows the reference code and nothing the
// person typed, so the page is safe to have open or to share; the code
// travels in a short-lived signed cookie, never in the address. A form
// matched to an earlier request by name and date of birth alone is told
// it was added to that request, never shown its code.

func (s *Server) intakeRoutes(mux *routes) {
	mux.HandleFunc("GET /intake/{org}", s.intakeForm)
	mux.HandleFunc("POST /intake/{org}", s.intakeSubmit)
	mux.HandleFunc("GET /intake/{org}/done", s.intakeDone)
}

// intakeCallbackDays is how soon the confirmation says the organization
// calls.
const intakeCallbackDays = 5

// intakeDoneFor is how long the confirmation can be opened again.
const intakeDoneFor = time.Hour

func (s *Server) intakeOrg(w http.ResponseWriter, r *http.Request) *amparo.Organization {
	o, err := s.Organizations.FindOrganizationByID(r.Context(), r.PathValue("org"))
	if err != nil {
		http.NotFound(w, r)
		return nil
	}
	return o
}

// intakePage is the data of the intake form, public or staff.
func (s *Server) intakePage(w http.ResponseWriter, r *http.Request, o *amparo.Organization, staff bool, f *form) map[string]any {
	return map[string]any{"Organization": o, "Situations": amparo.Situations, "Questions": intake.Questions,
		"Countries": intake.Countries(s.language(w, r)), "Staff": staff, "Form": f}
}

func (s *Server) intakeForm(w http.ResponseWriter, r *http.Request) {
	noStore(w)
	o := s.intakeOrg(w, r)
	if o == nil {
		return
	}
	f := &form{Values: map[string]string{"language": s.language(w, r)}}
	// Opened from a workshop's ticket: the workshop is the intake's source,
	// and nothing else of the ticket comes with it.
	if src := r.URL.Query().Get("source"); amparo.IsWorkshopSource(src) {
		f.Values["source"] = src
	}
	s.render(w, r, "intake", http.StatusOK, s.intakePage(w, r, o, false, f))
}

func (s *Server) intakeSubmit(w http.ResponseWriter, r *http.Request) {
	noStore(w)
	o := s.intakeOrg(w, r)
	if o == nil {
		return
	}
	lang := s.language(w, r)
	a, f := s.intakeFromForm(r, o.ID, amparo.ApplicantActorID, lang, false)
	if ok, _, err := s.IntakeLimiter.Allow(r.Context(), "intake", clientAddr(r), time.Now()); err != nil {
		s.error(w, r, err)
		return
	} else if !ok {
		// The form comes back with everything typed, and why.
		f.Errors = []fieldError{{"send", s.Catalog.T(lang, "intake.busy")}}
		s.render(w, r, "intake", http.StatusTooManyRequests, s.intakePage(w, r, o, false, f))
		return
	}
	if r.PostFormValue("website") != "" {
		// A robot filled the field people never see: keep nothing, and
		// answer as for anyone. The confirmation claims no record and shows
		// no code, only how to reach the organization: a person whose
		// browser filled the field is never given a code of nothing.
		s.intakeRedirect(w, r, o.ID, doneHeld, "")
		return
	}
	if len(f.Errors) > 0 {
		s.render(w, r, "intake", http.StatusUnprocessableEntity, s.intakePage(w, r, o, false, f))
		return
	}
	// The form's person submits this one intake to the organization.
	ctx := amparo.NewContextWithActor(r.Context(), amparo.PublicIntakeActor(o.ID))
	created, err := s.Applicants.SubmitApplicant(ctx, a, f.Values["reference"])
	if err != nil {
		s.error(w, r, err)
		return
	}
	if !created && a.Reference == "" {
		// Matched by name and date of birth alone, which others may know:
		// the earlier request's code is not shown to whoever sent this.
		s.intakeRedirect(w, r, o.ID, doneAdded, "")
		return
	}
	s.intakeRedirect(w, r, o.ID, doneCode, a.Reference)
}

// What the confirmation says: the reference code; that the form was kept
// back (the honeypot); or that it was added to an earlier request whose
// code is not shown.
const (
	doneCode  = "R"
	doneHeld  = "H"
	doneAdded = "A"
)

// intakeRedirect sends the browser to the confirmation, with what it says
// and the reference code (for doneCode) in a signed cookie of the same
// length either way.
func (s *Server) intakeRedirect(w http.ResponseWriter, r *http.Request, orgID, kind, reference string) {
	if kind != doneCode {
		reference = strings.Repeat("0", amparo.ReferenceLen)
	}
	exp := strconv.FormatInt(time.Now().Add(intakeDoneFor).Unix(), 10)
	data := []byte(kind + "." + reference + "." + exp)
	value := base64.RawURLEncoding.EncodeToString(data) + "." + base64.RawURLEncoding.EncodeToString(s.MAC("intake-done "+orgID, data))
	path := "/intake/" + orgID + "/done"
	http.SetCookie(w, &http.Cookie{Name: "intake_done", Value: value, Path: path, MaxAge: int(intakeDoneFor / time.Second),
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: secureContext(r)})
	http.Redirect(w, r, path, http.StatusSeeOther)
}

// intakeDoneCookie reads the confirmation's cookie: what it says (kind)
// and the reference code, for doneCode only; ok is false for none.
func (s *Server) intakeDoneCookie(r *http.Request, orgID string) (kind, reference string, ok bool) {
	c, err := r.Cookie("intake_done")
	if err != nil {
		return "", "", false
	}
	b64, mac, _ := strings.Cut(c.Value, ".")
	data, err1 := base64.RawURLEncoding.DecodeString(b64)
	sum, err2 := base64.RawURLEncoding.DecodeString(mac)
	if err1 != nil || err2 != nil || !hmac.Equal(sum, s.MAC("intake-done "+orgID, data)) {
		return "", "", false
	}
	parts := strings.Split(string(data), ".")
	if len(parts) != 3 {
		return "", "", false
	}
	exp, err := strconv.ParseInt(parts[2], 10, 64)
	if err != nil || time.Now().Unix() > exp {
		return "", "", false
	}
	switch parts[0] {
	case doneHeld, doneAdded:
		return parts[0], "", true
	case doneCode:
		return doneCode, parts[1], true
	}
	return "", "", false
}

// intakeDone is the confirmation: the reference code, what happens next
// and when, the organization's phone, and what to do if detained now.
func (s *Server) intakeDone(w http.ResponseWriter, r *http.Request) {
	noStore(w)
	o := s.intakeOrg(w, r)
	if o == nil {
		return
	}
	kind, reference, ok := s.intakeDoneCookie(r, o.ID)
	if !ok {
		http.Redirect(w, r, "/intake/"+o.ID, http.StatusSeeOther)
		return
	}
	s.render(w, r, "intake_done", http.StatusOK, map[string]any{"Organization": o, "Reference": reference, "Held": kind == doneHeld,
		"Added": kind == doneAdded, "CallbackDays": intakeCallbackDays})
}

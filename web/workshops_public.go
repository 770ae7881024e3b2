package web

import (
	"bytes"
	"html"
	"html/template"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/credential"
	"github.com/amparo-project/amparo/ical"
)

// The public workshop pages: the program's published workshops, each with
// its calendar file, and registering without an account, under any name
// or none. Registering answers with a redirect to the ticket, whose link
// (a secret token) is the person's only key to it: the page shows the
// code and the signed QR, the address when its visibility allows, and
// lets them cancel or leave the waitlist. No page needs JavaScript.

func (s *Server) eventRoutes(mux *routes) {
	mux.HandleFunc("GET /events", s.eventList)
	mux.HandleFunc("GET /events/calendar.ics", s.eventFeed)
	mux.HandleFunc("GET /events/{id}", s.eventView)
	mux.HandleFunc("GET /events/{id}/calendar.ics", s.eventICS)
	mux.HandleFunc("POST /events/{id}", s.eventRegister)
	mux.HandleFunc("GET /ticket/{token}", s.ticketView)
	mux.HandleFunc("GET /ticket/{token}/cancel", s.ticketCancelConfirm)
	mux.HandleFunc("POST /ticket/{token}/cancel", s.ticketCancel)
	mux.HandleFunc("POST /ticket/{token}/accept", s.ticketAccept)
	mux.HandleFunc("GET /ticket/{token}/lawyer", s.ticketLawyer)
}

// visitorCtx is r's context as a visitor: the public pages read as the
// public whoever is signed in, so an organizer sees what anyone sees.
func visitorCtx(r *http.Request) *http.Request {
	return r.WithContext(amparo.NewContextWithActor(r.Context(), public))
}

// eventsShown is how many upcoming workshops the public page lists.
const eventsShown = 200

func (s *Server) eventList(w http.ResponseWriter, r *http.Request) {
	r = visitorCtx(r)
	ws, n, err := s.Workshops.FindWorkshops(r.Context(), amparo.WorkshopFilter{Upcoming: true, Now: time.Now(), Limit: eventsShown})
	if err != nil {
		s.error(w, r, err)
		return
	}
	s.render(w, r, "events", http.StatusOK, map[string]any{"Workshops": ws, "Total": n})
}

func (s *Server) event(w http.ResponseWriter, r *http.Request) *amparo.Workshop {
	ws, err := s.Workshops.FindWorkshopByID(r.Context(), r.PathValue("id"))
	if err != nil {
		s.error(w, r, err)
		return nil
	}
	return ws
}

func (s *Server) eventView(w http.ResponseWriter, r *http.Request) {
	r = visitorCtx(r)
	ws := s.event(w, r)
	if ws == nil {
		return
	}
	s.renderEvent(w, r, http.StatusOK, ws, &form{Values: map[string]string{"party_size": "1", "language": s.language(w, r)}})
}

func (s *Server) renderEvent(w http.ResponseWriter, r *http.Request, status int, ws *amparo.Workshop, f *form) {
	s.render(w, r, "event", status, map[string]any{"Workshop": ws, "Form": f, "Open": ws.Open(time.Now()),
		"MaxParty": amparo.MaxPartySize})
}

// registrationFields are the registration form's fields; website is the
// honeypot, a field people never see.
var registrationFields = []string{"alias", "party_size", "language", "phone", "email", "consent_sms", "consent_mail", "website"}

func (s *Server) eventRegister(w http.ResponseWriter, r *http.Request) {
	noStore(w)
	r = visitorCtx(r)
	ws := s.event(w, r)
	if ws == nil {
		return
	}
	lang := s.language(w, r)
	f := &form{Values: map[string]string{}}
	for k := range r.PostForm {
		if !slices.Contains(registrationFields, k) {
			f.add("send", s.Catalog.T(lang, "form.unknown_field", k))
		}
	}
	v := func(k string) string {
		x := strings.TrimSpace(r.PostFormValue(k))
		f.Values[k] = x
		return x
	}
	reg := &amparo.Registration{WorkshopID: ws.ID, Alias: v("alias"), Language: v("language"), Phone: v("phone"), Email: v("email"),
		ConsentSMS: v("consent_sms") == "on", ConsentMail: v("consent_mail") == "on"}
	if !slices.Contains(ws.Languages, reg.Language) {
		reg.Language = lang
		if !slices.Contains(ws.Languages, lang) {
			reg.Language = ws.Languages[0]
		}
	}
	var err error
	if reg.PartySize, err = strconv.Atoi(v("party_size")); err != nil {
		reg.PartySize = 0
	}
	if ok, _, err := s.IntakeLimiter.Allow(r.Context(), "workshop", clientAddr(r), time.Now()); err != nil {
		s.error(w, r, err)
		return
	} else if !ok {
		f.add("send", s.Catalog.T(lang, "event.busy"))
		s.renderEvent(w, r, http.StatusTooManyRequests, ws, f)
		return
	}
	if r.PostFormValue("website") != "" {
		// A robot: keep nothing, and say nothing it can learn from.
		http.Redirect(w, r, "/events/"+ws.ID, http.StatusSeeOther)
		return
	}
	if len(f.Errors) == 0 {
		s.formErrors(lang, reg.Validate(), f, "event.err.", true)
	}
	if len(f.Errors) > 0 {
		s.renderEvent(w, r, http.StatusUnprocessableEntity, ws, f)
		return
	}
	got, err := s.Workshops.Register(r.Context(), reg)
	if err != nil {
		if m, ok := amparo.ErrorMsg(err); ok && amparo.ErrorCode(err) == amparo.EINVALID {
			f.add("send", s.msgText(lang, m))
			s.renderEvent(w, r, http.StatusConflict, ws, f)
			return
		}
		s.error(w, r, err)
		return
	}
	http.Redirect(w, r, "/ticket/"+got.Token+"?lang="+reg.Language, http.StatusSeeOther)
}

// ticket reads the path's ticket; when it cannot, it answers itself.
func (s *Server) ticket(w http.ResponseWriter, r *http.Request) (*amparo.Registration, *amparo.Workshop) {
	noStore(w)
	reg, ws, err := s.Workshops.FindTicket(r.Context(), r.PathValue("token"))
	if err != nil {
		s.error(w, r, err)
		return nil, nil
	}
	return reg, ws
}

func (s *Server) ticketView(w http.ResponseWriter, r *http.Request) {
	r = visitorCtx(r)
	reg, ws := s.ticket(w, r)
	if reg == nil {
		return
	}
	var qr template.HTML
	if reg.HoldsPlace() {
		q, err := credential.NewQR(reg.Ticket)
		if err != nil {
			s.error(w, r, err)
			return
		}
		// The code's words for a screen reader, on the image itself.
		label := html.EscapeString(s.Catalog.T(s.languageFor(w, r, reg.Language), "ticket.qr"))
		qr = template.HTML(strings.Replace(q.SVG("ticket-qr"), `role="img"`, `role="img" aria-label="`+label+`"`, 1))
	}
	s.renderLang(w, r, reg.Language, "ticket", http.StatusOK, map[string]any{"Registration": reg, "Workshop": ws, "QR": qr,
		"Token": r.PathValue("token"), "Started": !time.Now().Before(ws.StartsAt)})
}

func (s *Server) ticketCancelConfirm(w http.ResponseWriter, r *http.Request) {
	r = visitorCtx(r)
	reg, ws := s.ticket(w, r)
	if reg == nil {
		return
	}
	token := r.PathValue("token")
	key := "ticket.cancel"
	if reg.Status == amparo.RegistrationWaitlisted {
		key = "ticket.leave"
	}
	s.confirm(w, r, confirmation{
		Title: amparo.Msg{Key: key + ".title"}, Lines: []amparo.Msg{{Key: key + ".what", Args: []any{ws.TitleIn(s.language(w, r))}}},
		Action: "/ticket/" + token + "/cancel", Seen: string(reg.Status), Button: amparo.Msg{Key: key + ".button"},
		Danger: true, Cancel: "/ticket/" + token,
	})
}

func (s *Server) ticketCancel(w http.ResponseWriter, r *http.Request) {
	r = visitorCtx(r)
	reg, _ := s.ticket(w, r)
	if reg == nil {
		return
	}
	if err := checkSeen(r, string(reg.Status)); err != nil {
		s.error(w, r, err)
		return
	}
	if err := s.Workshops.CancelTicket(r.Context(), r.PathValue("token")); err != nil {
		s.error(w, r, err)
		return
	}
	http.Redirect(w, r, "/ticket/"+r.PathValue("token"), http.StatusSeeOther)
}

func (s *Server) ticketAccept(w http.ResponseWriter, r *http.Request) {
	noStore(w)
	r = visitorCtx(r)
	if err := s.Workshops.AcceptOffer(r.Context(), r.PathValue("token")); err != nil {
		s.error(w, r, err)
		return
	}
	http.Redirect(w, r, "/ticket/"+r.PathValue("token"), http.StatusSeeOther)
}

// ticketLawyer opens the organization's public intake in the ticket's
// language, naming the workshop as its source: nothing else of the
// registration goes with it, and nothing is sent until the person sends
// the form.
func (s *Server) ticketLawyer(w http.ResponseWriter, r *http.Request) {
	r = visitorCtx(r)
	reg, ws := s.ticket(w, r)
	if reg == nil {
		return
	}
	http.Redirect(w, r, "/intake/"+ws.OrganizationID+"?lang="+reg.Language+"&source="+amparo.WorkshopSource(ws.ID), http.StatusSeeOther)
}

// Calendars: one workshop's, and the feed of every upcoming one. The
// address is in them only when it is public.

func (s *Server) calendarEvent(r *http.Request, ws *amparo.Workshop, p *amparo.Program, lang string) ical.Event {
	loc := ws.Venue
	if ws.Address != "" {
		loc += ", " + ws.Address
	}
	return ical.Event{UID: ws.ID + "@amparo", Stamp: ws.UpdatedAt, Start: ws.StartsAt, End: ws.EndsAt, Summary: ws.TitleIn(lang),
		Description: ws.DescriptionIn(lang), Location: loc, URL: p.PublicURL("/events/" + ws.ID), Cancelled: ws.Status == amparo.WorkshopCancelled}
}

func (s *Server) writeCalendar(w http.ResponseWriter, r *http.Request, name string, ws []*amparo.Workshop) {
	p, err := s.Programs.FindProgram(r.Context())
	if err != nil {
		s.error(w, r, err)
		return
	}
	lang := s.language(w, r)
	c := &ical.Calendar{ProdID: "-//Amparo//Workshops//" + strings.ToUpper(lang), Name: s.Catalog.T(lang, "event.calendar", p.Name)}
	for _, x := range ws {
		c.Events = append(c.Events, s.calendarEvent(r, x, p, lang))
	}
	var b bytes.Buffer
	if err := c.Write(&b); err != nil {
		s.error(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/calendar; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`.ics"`)
	w.Write(b.Bytes())
}

func (s *Server) eventICS(w http.ResponseWriter, r *http.Request) {
	r = visitorCtx(r)
	ws := s.event(w, r)
	if ws == nil {
		return
	}
	s.writeCalendar(w, r, "workshop-"+ws.ID[:8], []*amparo.Workshop{ws})
}

func (s *Server) eventFeed(w http.ResponseWriter, r *http.Request) {
	r = visitorCtx(r)
	ws, _, err := s.Workshops.FindWorkshops(r.Context(), amparo.WorkshopFilter{Upcoming: true, Now: time.Now(), Limit: eventsShown})
	if err != nil {
		s.error(w, r, err)
		return
	}
	s.writeCalendar(w, r, "workshops", ws)
}

// Span is a workshop's time from start to end as a person reads it: the
// day once when it ends on the day it starts ("December 10, 2026,
// 18:00–20:00"), else both days, in the program's time zone.
func (p page) Span(start, end time.Time) string {
	loc := p.location()
	if amparo.DayOf(start, loc).Equal(amparo.DayOf(end, loc).Time) {
		return p.When(start) + "–" + end.In(loc).Format("15:04")
	}
	return p.When(start) + "–" + p.When(end)
}

package web

import (
	"bytes"
	"context"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/notify"
)

// Workshop pages of the staff app: an organization's organizers and admins
// schedule workshops, publish them, check people in at the door by code,
// read the attendance and erase the attendees' details.

func (s *Server) workshopRoutes(mux *routes) {
	organizes := may(amparo.Actor.OrganizesWorkshops)
	mux.Allow("GET /workshops", organizes, s.workshopList)
	mux.Allow("GET /workshops/new", organizes, s.workshopNew)
	mux.Allow("POST /workshops", organizes, s.workshopCreate)
	mux.Allow("GET /workshops/{id}", organizes, s.workshopView)
	mux.Allow("GET /workshops/{id}/edit", organizes, s.workshopEdit)
	mux.Allow("POST /workshops/{id}", organizes, s.workshopUpdate)
	mux.Allow("GET /workshops/{id}/status", organizes, s.workshopStatusConfirm)
	mux.Allow("POST /workshops/{id}/status", organizes, s.workshopStatus)
	mux.Allow("GET /workshops/{id}/checkin", organizes, s.workshopCheckInPage)
	mux.Allow("POST /workshops/{id}/checkin", organizes, s.workshopCheckIn)
	mux.Allow("GET /workshops/{id}/checkin/list", organizes, s.workshopDoorList)
	mux.Allow("POST /workshops/{id}/checkin/upload", organizes, s.workshopDoorUpload)
	mux.Allow("GET /workshops/{id}/forget", organizes, s.workshopForgetConfirm)
	mux.Allow("POST /workshops/{id}/forget", organizes, s.workshopForget)
	mux.Allow("GET /workshops/{id}/handouts/{lang}", organizes, s.workshopHandout)
	mux.Allow("POST /workshops/{id}/handed-out", organizes, s.workshopHandedOut)
}

func (s *Server) workshopList(w http.ResponseWriter, r *http.Request) {
	q, err := parseList(r, nil, "")
	if err != nil {
		s.error(w, r, err)
		return
	}
	ws, n, err := s.Workshops.FindWorkshops(r.Context(), amparo.WorkshopFilter{Offset: q.Offset(), Limit: q.Limit()})
	pg, err := q.Paged(n, err)
	if err != nil {
		s.error(w, r, err)
		return
	}
	s.render(w, r, "workshops", http.StatusOK, map[string]any{"Workshops": ws, "Pager": pg})
}

// workshop reads the path's workshop; when it cannot, it answers the
// request itself and returns nil.
func (s *Server) workshop(w http.ResponseWriter, r *http.Request) *amparo.Workshop {
	ws, err := s.Workshops.FindWorkshopByID(r.Context(), r.PathValue("id"))
	if err != nil {
		s.error(w, r, err)
		return nil
	}
	if a := sessionFrom(r.Context()).Actor(); !a.OrganizesWorkshopsOf(ws.OrganizationID) {
		s.error(w, r, amparo.Errorf(amparo.ENOTFOUND, "workshop not found").Localize("workshop.err.not_found"))
		return nil
	}
	return ws
}

// workshopFields are the form's fields besides the texts by language.
var workshopFields = []string{"id", "updated_at", "languages", "date", "start", "end", "capacity", "venue", "address",
	"address_visibility", "accessibility", "facilitators", "materials", "retention_days", "offer_hours"}

func (s *Server) workshopNew(w http.ResponseWriter, r *http.Request) {
	f := &form{Values: map[string]string{"id": amparo.NewID(), "capacity": "40", "address_visibility": string(amparo.AddressRegistered),
		"retention_days": strconv.Itoa(amparo.DefaultWorkshopRetentionDays), "offer_hours": strconv.Itoa(amparo.DefaultWorkshopOfferHours),
		"start": "18:00", "end": "20:00"}}
	s.renderWorkshopForm(w, r, http.StatusOK, f, nil, []string{"en", "es"}, nil, amparo.Handouts)
}

func (s *Server) renderWorkshopForm(w http.ResponseWriter, r *http.Request, status int, f *form, ws *amparo.Workshop, langs, facilitators, materials []string) {
	ms, _, err := s.Members.FindMembers(r.Context(), amparo.MemberFilter{OrganizationID: sessionFrom(r.Context()).Account.OrganizationID, Limit: 500})
	if err != nil {
		s.error(w, r, err)
		return
	}
	s.render(w, r, "workshop_form", status, map[string]any{"Form": f, "Workshop": ws, "Languages": s.Catalog.Languages(),
		"Offered": langs, "Members": ms, "Facilitators": facilitators, "Materials": materials, "Handouts": amparo.Handouts,
		"Visibilities": amparo.AddressVisibilities})
}

// workshopFromForm reads a workshop's details from a posted form; times
// are in the program's time zone.
func (s *Server) workshopFromForm(r *http.Request, ws *amparo.Workshop, f *form) {
	v := func(k string) string {
		x := strings.TrimSpace(r.PostFormValue(k))
		f.Values[k] = x
		return x
	}
	num := func(k string) int {
		n, err := strconv.Atoi(v(k))
		if err != nil {
			f.add(k, "")
			return -1
		}
		return n
	}
	ws.Languages = nil
	for _, l := range r.PostForm["languages"] {
		if slices.Contains(s.Catalog.Languages(), l) && !slices.Contains(ws.Languages, l) {
			ws.Languages = append(ws.Languages, l)
		}
	}
	ws.Title, ws.Description = map[string]string{}, map[string]string{}
	for _, l := range s.Catalog.Languages() {
		t, d := v("title."+l), v("description."+l)
		if slices.Contains(ws.Languages, l) {
			ws.Title[l], ws.Description[l] = t, d
		}
	}
	loc := s.programZone(r.Context())
	day, start, end := v("date"), v("start"), v("end")
	var err error
	if ws.StartsAt, err = time.ParseInLocation("2006-01-02 15:04", day+" "+start, loc); err != nil {
		f.add("date", "")
	}
	if ws.EndsAt, err = time.ParseInLocation("2006-01-02 15:04", day+" "+end, loc); err != nil && f.For("date") == "" {
		f.add("end", "")
	}
	ws.Capacity = num("capacity")
	ws.Venue, ws.Address, ws.Accessibility = v("venue"), v("address"), v("accessibility")
	ws.AddressVisibility = amparo.AddressVisibility(v("address_visibility"))
	ws.FacilitatorIDs = slices.Clone(r.PostForm["facilitators"])
	ws.Materials = slices.Clone(r.PostForm["materials"])
	ws.RetentionDays, ws.OfferHours = num("retention_days"), num("offer_hours")
}

// knownWorkshopFields refuses a form with a field the page does not have.
func (s *Server) knownWorkshopFields(w http.ResponseWriter, r *http.Request) bool {
	for k := range r.PostForm {
		lang, ok := strings.CutPrefix(k, "title.")
		if !ok {
			lang, ok = strings.CutPrefix(k, "description.")
		}
		if !slices.Contains(workshopFields, k) && !(ok && slices.Contains(s.Catalog.Languages(), lang)) {
			http.Error(w, s.Catalog.T(s.language(w, r), "form.unknown_field", k), http.StatusBadRequest)
			return false
		}
	}
	return true
}

func (s *Server) workshopCreate(w http.ResponseWriter, r *http.Request) {
	if !s.knownWorkshopFields(w, r) {
		return
	}
	f := &form{Values: map[string]string{"id": r.PostFormValue("id")}}
	ws := &amparo.Workshop{ID: formID(r), OrganizationID: sessionFrom(r.Context()).Account.OrganizationID}
	s.workshopFromForm(r, ws, f)
	if ws.ID != "" {
		if _, err := s.Workshops.FindWorkshopByID(r.Context(), ws.ID); err == nil {
			http.Redirect(w, r, "/workshops/"+ws.ID, http.StatusSeeOther) // a repeat of a form already saved
			return
		}
	}
	s.saveWorkshop(w, r, f, ws, nil, s.Workshops.CreateWorkshop, "workshop.created")
}

// saveWorkshop stores ws, read from the form f, by save, and goes to its
// page saying done; refused, it shows the form again (over shown, the
// workshop as stored) with every problem named.
func (s *Server) saveWorkshop(w http.ResponseWriter, r *http.Request, f *form, ws, shown *amparo.Workshop,
	save func(context.Context, *amparo.Workshop) error, done string) {
	lang := s.language(w, r)
	if len(f.Errors) == 0 {
		err := save(r.Context(), ws)
		if err == nil {
			s.done(w, r, "/workshops/"+ws.ID, done, ws.TitleIn(lang))
			return
		}
		if !s.formErrors(lang, err, f, "workshop.err.", true) {
			s.error(w, r, err)
			return
		}
	}
	s.formErrors(lang, ws.Validate(), f, "workshop.err.", true)
	s.renderWorkshopForm(w, r, http.StatusUnprocessableEntity, f, shown, ws.Languages, ws.FacilitatorIDs, ws.Materials)
}

func (s *Server) workshopView(w http.ResponseWriter, r *http.Request) {
	ws := s.workshop(w, r)
	if ws == nil {
		return
	}
	s.renderWorkshop(w, r, http.StatusOK, ws, nil)
}

// renderWorkshop shows a workshop's page; f is the materials handed out
// as sent, with its problems, when a record of them was refused.
func (s *Server) renderWorkshop(w http.ResponseWriter, r *http.Request, status int, ws *amparo.Workshop, f *form) {
	at, err := s.Workshops.WorkshopAttendance(r.Context(), ws.ID)
	if err != nil {
		s.error(w, r, err)
		return
	}
	erasures, err := s.Workshops.FindWorkshopErasures(r.Context(), ws.ID)
	if err != nil {
		s.error(w, r, err)
		return
	}
	// What the day-before reminder will take, seen before it goes out.
	counts, err := s.Workshops.WorkshopReminderCounts(r.Context(), ws.ID)
	if err != nil {
		s.error(w, r, err)
		return
	}
	texts, segments, mails := notify.ReminderPreview(s.Catalog, ws, counts)
	reminders := map[string]any{"Texts": texts, "Segments": segments, "Mails": mails,
		"Due": ws.ReminderDue(amparo.ReminderDayBefore, s.programZone(r.Context()))}
	var moves []amparo.WorkshopStatus
	for _, to := range amparo.WorkshopStatuses {
		if ws.Status.CanMoveTo(to) {
			moves = append(moves, to)
		}
	}
	// The materials handed out: a number to set for each the workshop
	// lists, the count alone for one it no longer does.
	type handedOut struct {
		amparo.HandedOut
		Listed bool
	}
	var handed []handedOut
	for _, h := range at.HandedOut {
		handed = append(handed, handedOut{h, slices.Contains(ws.Materials, h.Material)})
	}
	if f == nil {
		f = &form{Values: map[string]string{}}
		for _, h := range at.HandedOut {
			f.Values["handed_out."+h.Material] = strconv.Itoa(h.Count)
		}
	}
	// Erasing now is offered until it is done, and again while the
	// workshop still takes registrations: details given after an erasure
	// are not the retention job's (it erases a workshop once).
	forgettable := ws.ErasedAt.IsZero() || ws.Open(time.Now())
	s.render(w, r, "workshop", status, map[string]any{"Workshop": ws, "Attendance": at, "Erasures": erasures, "Moves": moves,
		"ShowRate": int(at.ShowRate*100 + 0.5), "Handouts": s.Catalog.Languages(), "Reminders": reminders, "HandedOut": handed, "Form": f,
		"Forgettable": forgettable})
}

// workshopHandedOut records how many copies of each material went out:
// the numbers of the attendance page's form, one per material listed.
func (s *Server) workshopHandedOut(w http.ResponseWriter, r *http.Request) {
	ws := s.workshop(w, r)
	if ws == nil {
		return
	}
	lang := s.language(w, r)
	f := &form{Values: map[string]string{}}
	counts := map[string]int{}
	for _, m := range ws.Materials {
		name := "handed_out." + m
		v := strings.TrimSpace(r.PostFormValue(name))
		f.Values[name] = v
		if v == "" {
			continue
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > amparo.MaxHandedOut {
			s.problem(lang, f, name, "invalid.handed_out", amparo.MaxHandedOut)
			continue
		}
		counts[m] = n
	}
	if len(f.Errors) == 0 {
		_, err := s.Workshops.RecordHandedOut(r.Context(), ws.ID, counts)
		if err == nil {
			s.done(w, r, "/workshops/"+ws.ID+"#handed-out-h", "workshop.handed_out.saved")
			return
		}
		if !s.formErrors(lang, err, f, "workshop.err.", true) {
			s.error(w, r, err)
			return
		}
	}
	s.renderWorkshop(w, r, http.StatusUnprocessableEntity, ws, f)
}

func (s *Server) workshopEdit(w http.ResponseWriter, r *http.Request) {
	ws := s.workshop(w, r)
	if ws == nil {
		return
	}
	loc := s.programZone(r.Context())
	f := &form{Values: map[string]string{"updated_at": ws.UpdatedAt.UTC().Format(time.RFC3339Nano),
		"date": ws.StartsAt.In(loc).Format(time.DateOnly), "start": ws.StartsAt.In(loc).Format("15:04"), "end": ws.EndsAt.In(loc).Format("15:04"),
		"capacity": strconv.Itoa(ws.Capacity), "venue": ws.Venue, "address": ws.Address, "address_visibility": string(ws.AddressVisibility),
		"accessibility": ws.Accessibility, "retention_days": strconv.Itoa(ws.RetentionDays), "offer_hours": strconv.Itoa(ws.OfferHours)}}
	for l, t := range ws.Title {
		f.Values["title."+l] = t
	}
	for l, d := range ws.Description {
		f.Values["description."+l] = d
	}
	s.renderWorkshopForm(w, r, http.StatusOK, f, ws, ws.Languages, ws.FacilitatorIDs, ws.Materials)
}

func (s *Server) workshopUpdate(w http.ResponseWriter, r *http.Request) {
	if !s.knownWorkshopFields(w, r) {
		return
	}
	old := s.workshop(w, r)
	if old == nil {
		return
	}
	f := &form{Values: map[string]string{"updated_at": r.PostFormValue("updated_at")}}
	ws := &amparo.Workshop{ID: old.ID}
	ws.UpdatedAt, _ = time.Parse(time.RFC3339Nano, f.Values["updated_at"])
	s.workshopFromForm(r, ws, f)
	s.saveWorkshop(w, r, f, ws, old, s.Workshops.UpdateWorkshop, "workshop.saved")
}

// WorkshopSeen is a workshop's state as its confirmation pages carry it.
func WorkshopSeen(ws *amparo.Workshop) string { return seenAt(string(ws.Status), ws.UpdatedAt) }

// workshopTarget reads the status a confirmation moves to.
func workshopTarget(r *http.Request) (amparo.WorkshopStatus, bool) {
	to := amparo.WorkshopStatus(r.FormValue("to"))
	return to, slices.Contains(amparo.WorkshopStatuses, to)
}

func (s *Server) workshopStatusConfirm(w http.ResponseWriter, r *http.Request) {
	ws := s.workshop(w, r)
	if ws == nil {
		return
	}
	to, ok := workshopTarget(r)
	if !ok || !ws.Status.CanMoveTo(to) {
		s.error(w, r, amparo.Invalid("to", "no such change").Localize("workshop.err.status_move",
			amparo.Msg{Key: "workshop.status." + string(ws.Status)}, amparo.Msg{Key: "workshop.status." + string(to)}))
		return
	}
	lang := s.language(w, r)
	s.confirm(w, r, confirmation{
		Title:  amparo.Msg{Key: "workshop.confirm." + string(to), Args: []any{ws.TitleIn(lang)}},
		Lines:  []amparo.Msg{{Key: "workshop.confirm." + string(to) + ".what"}},
		Action: "/workshops/" + ws.ID + "/status", Fields: map[string]string{"to": string(to)},
		Seen: WorkshopSeen(ws), Button: amparo.Msg{Key: "workshop.action." + string(to)},
		Danger: to == amparo.WorkshopCancelled, Cancel: "/workshops/" + ws.ID,
	})
}

func (s *Server) workshopStatus(w http.ResponseWriter, r *http.Request) {
	ws := s.workshop(w, r)
	if ws == nil {
		return
	}
	to, _ := workshopTarget(r)
	if err := checkSeen(r, WorkshopSeen(ws)); err != nil {
		s.error(w, r, err)
		return
	}
	if _, err := s.Workshops.SetWorkshopStatus(r.Context(), ws.ID, to); err != nil {
		s.error(w, r, err)
		return
	}
	s.done(w, r, "/workshops/"+ws.ID, "workshop.status_changed", amparo.Msg{Key: "workshop.status." + string(to)})
}

// The door: a ticket's code typed, or a walk-in counted. Each form the
// page shows carries a new nonce, so that a form sent twice (a reload, a
// retry on a bad connection) counts once.

func (s *Server) workshopCheckInPage(w http.ResponseWriter, r *http.Request) {
	ws := s.workshop(w, r)
	if ws == nil {
		return
	}
	s.renderCheckIn(w, r, http.StatusOK, ws, nil, &form{Values: map[string]string{}})
}

func (s *Server) renderCheckIn(w http.ResponseWriter, r *http.Request, status int, ws *amparo.Workshop, res *amparo.CheckInResult, f *form) {
	at, err := s.Workshops.WorkshopAttendance(r.Context(), ws.ID)
	if err != nil {
		s.error(w, r, err)
		return
	}
	s.render(w, r, "workshop_checkin", status, map[string]any{"Workshop": ws, "Result": res, "Form": f, "Attendance": at,
		"Nonce": amparo.NewID(), "WalkInNonce": amparo.NewID()})
}

func (s *Server) workshopCheckIn(w http.ResponseWriter, r *http.Request) {
	ws := s.workshop(w, r)
	if ws == nil {
		return
	}
	c := amparo.CheckIn{Nonce: r.PostFormValue("nonce"), Code: strings.TrimSpace(r.PostFormValue("code")), Ticket: strings.TrimSpace(r.PostFormValue("ticket"))}
	f := &form{Values: map[string]string{}}
	if n := r.PostFormValue("walk_in"); n != "" {
		var err error
		if c.WalkIn, err = strconv.Atoi(n); err != nil || c.WalkIn < 1 {
			c.WalkIn = -1
		}
	}
	res, err := s.Workshops.CheckIn(r.Context(), ws.ID, c)
	if err != nil {
		if !s.formErrors(s.language(w, r), err, f, "checkin.err.", true) {
			s.error(w, r, err)
			return
		}
		s.renderCheckIn(w, r, http.StatusUnprocessableEntity, ws, nil, f)
		return
	}
	s.renderCheckIn(w, r, http.StatusOK, ws, res, f)
}

func (s *Server) workshopForgetConfirm(w http.ResponseWriter, r *http.Request) {
	ws := s.workshop(w, r)
	if ws == nil {
		return
	}
	lang := s.language(w, r)
	s.confirm(w, r, confirmation{
		Title:  amparo.Msg{Key: "workshop.forget.title", Args: []any{ws.TitleIn(lang)}},
		Lines:  []amparo.Msg{{Key: "workshop.forget.what"}, {Key: "workshop.forget.kept"}},
		Action: "/workshops/" + ws.ID + "/forget", Seen: WorkshopSeen(ws),
		Button: amparo.Msg{Key: "workshop.forget.button"}, Danger: true, Cancel: "/workshops/" + ws.ID,
	})
}

func (s *Server) workshopForget(w http.ResponseWriter, r *http.Request) {
	ws := s.workshop(w, r)
	if ws == nil {
		return
	}
	if err := checkSeen(r, WorkshopSeen(ws)); err != nil {
		s.error(w, r, err)
		return
	}
	e, err := s.Workshops.ForgetWorkshop(r.Context(), ws.ID)
	if err != nil {
		s.error(w, r, err)
		return
	}
	s.done(w, r, "/workshops/"+ws.ID, "workshop.forgotten", e.Registrations)
}

func (s *Server) workshopHandout(w http.ResponseWriter, r *http.Request) {
	ws := s.workshop(w, r)
	if ws == nil {
		return
	}
	lang := r.PathValue("lang")
	if !slices.Contains(s.Catalog.Languages(), lang) {
		s.error(w, r, amparo.Errorf(amparo.ENOTFOUND, "no handout in that language"))
		return
	}
	var b bytes.Buffer
	if err := s.Renderer.Handout(&b, lang, ws.TitleIn(lang)); err != nil {
		s.error(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", `attachment; filename="handout-`+lang+`-`+ws.ID[:8]+`.pdf"`)
	w.Write(b.Bytes())
}

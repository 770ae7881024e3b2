package web

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/auth"
)

// Rapid response on the web: the client's "I am being stopped" button on
// the phone page (press, confirm: the confirm form carries one
// idempotency key, so a double tap or a retry makes one alert), the
// responder's acknowledgement link, and the staff's alerts page (the
// live list, acknowledge, resolve with the detained-client checklist, a
// hotline worker's entry) and response plan form. No page title or URL
// holds a name or a number.

func (s *Server) alertRoutes(mux *routes) {
	mux.HandleFunc("GET /p/{token}/alert", s.wellFormed(s.phoneAlertConfirm))
	mux.HandleFunc("POST /p/{token}/alert", s.wellFormed(s.phoneAlert))
	mux.HandleFunc("GET /a/{token}", s.wellFormed(s.alertAckPage))
	mux.HandleFunc("POST /a/{token}", s.wellFormed(s.alertAck))
	staff := may(amparo.Actor.SeesClients)
	mux.Allow("GET /alerts", staff, s.alertList)
	mux.Allow("POST /alerts", staff, s.alertRaise)
	mux.Allow("POST /alerts/{id}/ack", staff, s.alertAcknowledge)
	mux.Allow("POST /alerts/{id}/resolve", staff, s.alertResolve)
	mux.Allow("GET /clients/{id}/plan", staff, s.planPage)
	mux.Allow("POST /clients/{id}/plan", staff, s.planSave)
}

// phoneAlertConfirm is the second tap: its form carries a new key.
func (s *Server) phoneAlertConfirm(w http.ResponseWriter, r *http.Request) {
	noStore(w)
	page := s.openedLetter(w, r)
	if page == nil {
		return
	}
	plan, _ := s.Alerts.PlanByLink(r.Context(), page.LinkID)
	s.renderLang(w, r, page.Language, "phone_alert", http.StatusOK, map[string]any{"Token": r.PathValue("token"),
		"Key": auth.NewToken(), "Hotline": hotline(plan)})
}

func (s *Server) phoneAlert(w http.ResponseWriter, r *http.Request) {
	noStore(w)
	page := s.openedLetter(w, r)
	if page == nil {
		return
	}
	plan, _ := s.Alerts.PlanByLink(r.Context(), page.LinkID)
	data := map[string]any{"Token": r.PathValue("token"), "Hotline": hotline(plan)}
	a, _, err := s.Alerts.RaiseAlert(r.Context(), amparo.RaiseAlertRequest{Key: r.PostFormValue("key"), Source: amparo.AlertFromPhonePage, LinkID: page.LinkID})
	if err != nil {
		code := amparo.ErrorCode(err)
		if code != amparo.ECONFLICT && code != amparo.ENOTFOUND && code != amparo.EINVALID {
			s.error(w, r, err)
			return
		}
		s.Logger.WarnContext(r.Context(), "alert from a phone page refused", "code", code)
		msg, ok := amparo.ErrorMsg(err)
		if !ok || msg.Key == "alert.no_plan" { // staff words: the client reads what to do instead
			msg = amparo.Msg{Key: "phone.alert_failed"}
		}
		data["Error"], data["Key"] = msg, auth.NewToken()
		status := statusOf(code)
		if code == amparo.ECONFLICT {
			status = http.StatusTooManyRequests // the hour's budget of alerts is spent
		}
		s.renderLang(w, r, page.Language, "phone_alert", status, data)
		return
	}
	s.Logger.InfoContext(r.Context(), "alert raised from a phone page", "alert", a.ID)
	data["Sent"] = a
	s.renderLang(w, r, page.Language, "phone_alert", http.StatusOK, data)
}

// hotline returns the plan's hotline number, for the sms: fallback.
func hotline(p *amparo.ResponsePlan) string {
	if p == nil {
		return ""
	}
	for _, r := range p.Responders {
		if r.Kind == amparo.ResponderHotline {
			return r.Phone
		}
	}
	return ""
}

// The acknowledgement link opens a page with a button: link previews
// (which fetch a link in a message) must not acknowledge.
func (s *Server) alertAckPage(w http.ResponseWriter, r *http.Request) {
	noStore(w)
	s.render(w, r, "alert_ack", http.StatusOK, map[string]any{"Token": r.PathValue("token")})
}

func (s *Server) alertAck(w http.ResponseWriter, r *http.Request) {
	noStore(w)
	a, err := s.Alerts.AcknowledgeByToken(r.Context(), r.PathValue("token"))
	if err != nil {
		s.error(w, r, err)
		return
	}
	s.Logger.InfoContext(r.Context(), "alert acknowledged by link", "alert", a.ID)
	s.render(w, r, "alert_ack", http.StatusOK, map[string]any{"Token": r.PathValue("token"), "Done": true})
}

func (s *Server) alertList(w http.ResponseWriter, r *http.Request) {
	as, err := s.Alerts.FindAlerts(r.Context(), amparo.AlertFilter{Limit: 100})
	if err != nil {
		s.error(w, r, err)
		return
	}
	fig, err := s.Alerts.AlertFigures(r.Context(), "")
	if err != nil {
		s.error(w, r, err)
		return
	}
	noStore(w) // each load shows the newest state
	s.render(w, r, "alerts", http.StatusOK, map[string]any{"Alerts": as, "Figures": fig, "Outcomes": amparo.AlertOutcomes,
		"Key": auth.NewToken(), "PollMS": s.Deployment.alertsPoll().Milliseconds()})
}

// alertRaise is a hotline worker's entry: for a client (a call from them
// or a relative), or a third party's report.
func (s *Server) alertRaise(w http.ResponseWriter, r *http.Request) {
	req := amparo.RaiseAlertRequest{Key: r.PostFormValue("key"), Source: amparo.AlertFromHotline, ClientID: strings.TrimSpace(r.PostFormValue("client_id"))}
	if report := strings.TrimSpace(r.PostFormValue("report")); report != "" {
		req = amparo.RaiseAlertRequest{Key: req.Key, Source: amparo.AlertFromReport, Report: report,
			OrganizationID: sessionFrom(r.Context()).Actor().OrganizationID}
	}
	a, _, err := s.Alerts.RaiseAlert(r.Context(), req)
	if err != nil {
		s.error(w, r, err)
		return
	}
	s.done(w, r, "/alerts#alert-"+a.ID, "alerts.raised_done")
}

func (s *Server) alertAcknowledge(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if err := s.Alerts.AcknowledgeAlert(r.Context(), id, strings.TrimSpace(r.PostFormValue("note"))); err != nil {
		s.error(w, r, err)
		return
	}
	s.done(w, r, "/alerts#alert-"+id, "alerts.acknowledged_done")
}

func (s *Server) alertResolve(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	v := func(k string) string { return strings.TrimSpace(r.PostFormValue(k)) }
	err := s.Alerts.ResolveAlert(r.Context(), id, v("outcome"), v("note"),
		amparo.Checklist{ANumber: v("a_number"), Facility: v("facility"), NextSteps: v("next_steps")})
	if err != nil {
		s.error(w, r, err)
		return
	}
	s.done(w, r, "/alerts#alert-"+id, "alerts.resolved_done")
}

// planRows is how many responders the plan form offers.
const planRows = 2 + amparo.MaxAlertContacts

func (s *Server) planPage(w http.ResponseWriter, r *http.Request) {
	p, err := s.Alerts.FindResponsePlan(r.Context(), r.PathValue("id"))
	if err != nil {
		s.error(w, r, err)
		return
	}
	s.renderPlan(w, r, http.StatusOK, p, nil)
}

func (s *Server) renderPlan(w http.ResponseWriter, r *http.Request, status int, p *amparo.ResponsePlan, problem error) {
	rows := make([]amparo.Responder, planRows)
	copy(rows, p.Responders)
	minutes := ""
	if p.Timeout > 0 {
		minutes = strconv.Itoa(int(p.Timeout / time.Minute))
	}
	f := &form{Values: map[string]string{}}
	if problem != nil {
		s.formErrors(s.language(w, r), problem, f, "plan.err.", true)
	}
	s.render(w, r, "alert_plan", status, map[string]any{"Plan": p, "Rows": rows, "Minutes": minutes, "Form": f,
		"Kinds":     []amparo.ResponderKind{amparo.ResponderAttorney, amparo.ResponderHotline, amparo.ResponderContact},
		"Languages": s.Catalog.Languages()})
}

func (s *Server) planSave(w http.ResponseWriter, r *http.Request) {
	p := &amparo.ResponsePlan{ClientID: r.PathValue("id"), Messages: map[string]string{}}
	v := func(k string) string { return strings.TrimSpace(r.PostFormValue(k)) }
	for i := range planRows {
		n := strconv.Itoa(i)
		resp := amparo.Responder{Kind: amparo.ResponderKind(v("kind" + n)), Name: v("name" + n), Phone: v("phone" + n),
			Email: v("email" + n), Language: v("language" + n), Relation: v("relation" + n), Consent: v("consent"+n) != ""}
		for _, ch := range amparo.Channels {
			if v("channel"+n+"."+string(ch)) != "" {
				resp.Channels = append(resp.Channels, ch)
			}
		}
		if resp.Name == "" && resp.Phone == "" {
			continue
		}
		p.Responders = append(p.Responders, resp)
	}
	for _, l := range s.Catalog.Languages() {
		if m := v("message." + l); m != "" {
			p.Messages[l] = m
		}
	}
	if m := v("minutes"); m != "" {
		n, err := strconv.Atoi(m)
		if err != nil || n < 0 {
			n = -1
		}
		p.Timeout = time.Duration(n) * time.Minute
	}
	if err := s.Alerts.SetResponsePlan(r.Context(), p); err != nil {
		if amparo.ErrorCode(err) == amparo.EINVALID {
			s.renderPlan(w, r, http.StatusBadRequest, p, err)
			return
		}
		s.error(w, r, err)
		return
	}
	s.done(w, r, "/clients/"+p.ClientID+"/plan", "plan.saved")
}

package web

import (
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/intake"
)

// Client pages. Every read goes through the store, which scopes it to the
// signed-in account's organization and audits it; pages showing a client
// are never cached.

func (s *Server) clientRoutes(mux *routes) {
	seesClients := may(amparo.Actor.SeesClients)
	mux.Allow("GET /clients", seesClients, s.clientList)
	mux.Allow("GET /clients/new", seesClients, s.clientNew)
	mux.Allow("POST /clients", seesClients, s.clientCreate)
	mux.Allow("GET /clients/{id}", seesClients, s.clientView)
	mux.Allow("GET /clients/{id}/edit", seesClients, s.clientEdit)
	mux.Allow("POST /clients/{id}", seesClients, s.clientUpdate)
	mux.Allow("GET /clients/{id}/delete", seesClients, s.clientDeleteForm)
	mux.Allow("POST /clients/{id}/delete", seesClients, s.clientDelete)
}

// clientFields are the form's fields, in order.
var clientFields = []string{"legal_name", "single_name", "preferred_name", "birth_date", "language", "phone", "address.line1",
	"address.city", "address.region", "address.postal_code", "country_of_birth", "situation", "tps_country",
	"facing_removal", "notice_to_appear", "next_hearing", "detained"}

func (s *Server) clientList(w http.ResponseWriter, r *http.Request) {
	// The search is in the URL, so that switching language or reloading
	// keeps the result. The request log never writes the query, the
	// referrer policy never sends it on, and the page is never cached
	// (no-store); browser history keeps it, as any address does.
	q, err := parseList(r, amparo.ClientSorts, "-created")
	if err != nil {
		s.error(w, r, err)
		return
	}
	cs, n, err := s.Clients.FindClients(r.Context(), amparo.ClientFilter{Name: q.Q, Sort: q.Sort, Offset: q.Offset(), Limit: q.Limit()})
	pg, err := q.Paged(n, err)
	if err != nil {
		s.error(w, r, err)
		return
	}
	// Names are sealed: a list sorts by name only when it is small enough
	// to open whole (amparo.MaxNameSort), so the column offers it only then.
	s.render(w, r, "clients", http.StatusOK, map[string]any{"Clients": cs, "Pager": pg, "NameSorts": n <= amparo.MaxNameSort, "MaxNameSort": amparo.MaxNameSort})
}

// clientSeen is a client's state as a confirmation page shows it: any
// save changes it.
func clientSeen(c *amparo.Client) string { return seenAt("", c.UpdatedAt) }

func (s *Server) clientNew(w http.ResponseWriter, r *http.Request) {
	// The new record's ID is chosen here, so that a second submission of
	// the same form (a double-click) finds the first one, not a new record.
	s.renderClientForm(w, r, http.StatusOK, &form{Values: map[string]string{"id": amparo.NewID(),
		"language": s.language(w, r)}}, nil)
}

func (s *Server) renderClientForm(w http.ResponseWriter, r *http.Request, status int, f *form, c *amparo.Client) {
	back := "/clients/new"
	if c != nil {
		back = "/clients/" + c.ID + "/edit"
	}
	s.render(w, r, "client_form", status, s.clientFormData(w, r, f, c, back))
}

// clientFormData is what the client form shows: no answer is chosen for
// the person, and countries are named in the reader's language.
func (s *Server) clientFormData(w http.ResponseWriter, r *http.Request, f *form, c *amparo.Client, back string) map[string]any {
	return map[string]any{"Form": f, "Client": c, "Situations": amparo.Situations, "Countries": intake.Countries(s.language(w, r)),
		"Languages": s.Catalog.Languages(), "LangPath": back}
}

// clientFromForm reads a client's personal fields from a posted form.
func clientFromForm(r *http.Request, c *amparo.Client, f *form) {
	v := func(k string) string {
		s := strings.TrimSpace(r.PostFormValue(k))
		f.Values[k] = s
		return s
	}
	date := func(k string) amparo.Date {
		d, err := amparo.ParseDate(v(k))
		if err != nil && f.Values[k] != "" {
			f.add(k, "")
		}
		return d
	}
	c.LegalName, c.PreferredName = v("legal_name"), v("preferred_name")
	c.SingleName = v("single_name") == "on"
	c.BirthDate = date("birth_date")
	c.Language, c.Phone = v("language"), v("phone")
	c.Address = amparo.Address{Line1: v("address.line1"), City: v("address.city"), Region: v("address.region"), PostalCode: v("address.postal_code")}
	c.CountryOfBirth, c.Situation, c.TPSCountry = strings.ToUpper(v("country_of_birth")), v("situation"), strings.ToUpper(v("tps_country"))
	c.FacingRemoval, c.NoticeToAppear, c.Detained = v("facing_removal") == "on", v("notice_to_appear") == "on", v("detained") == "on"
	c.NextHearing = date("next_hearing")
}

// knownFields refuses a form with a field the page does not have.
func (s *Server) knownFields(w http.ResponseWriter, r *http.Request, extra ...string) bool {
	for k := range r.PostForm {
		if !slices.Contains(clientFields, k) && !slices.Contains(extra, k) {
			http.Error(w, s.Catalog.T(s.language(w, r), "form.unknown_field", k), http.StatusBadRequest)
			return false
		}
	}
	return true
}

// formID reads a record ID chosen when the form was shown.
func formID(r *http.Request) string {
	id := r.PostFormValue("id")
	if len(id) != 32 || strings.Trim(id, "0123456789abcdef") != "" {
		return ""
	}
	return id
}

func (s *Server) clientCreate(w http.ResponseWriter, r *http.Request) {
	sess := sessionFrom(r.Context())
	if !s.knownFields(w, r, "id", "consent", "conflicts_reviewed") {
		return
	}
	lang := s.language(w, r)
	f := &form{Values: map[string]string{"id": r.PostFormValue("id")}}
	c := &amparo.Client{ID: formID(r), OrganizationID: sess.Account.OrganizationID}
	clientFromForm(r, c, f)
	c.Consents = []amparo.Consent{{Purpose: amparo.ConsentDataStorage, GivenAt: time.Now().UTC().Truncate(time.Second),
		RecordedBy: sess.AccountID, Language: c.Language}}
	if r.PostFormValue("consent") != "on" {
		f.add("consent", "")
	}
	if c.ID != "" {
		if _, err := s.Clients.FindClientByID(r.Context(), c.ID); err == nil {
			http.Redirect(w, r, "/clients/"+c.ID, http.StatusSeeOther) // a repeat of a form already saved
			return
		}
	}
	if len(f.Errors) == 0 && r.PostFormValue("conflicts_reviewed") != "on" {
		// The conflict check comes before a new client: if anyone close is
		// found, the person reviews them and confirms.
		found, err := s.Conflicts.ConflictCheck(r.Context(), c.LegalName, c.BirthDate, "")
		if err != nil {
			s.error(w, r, err)
			return
		}
		if len(found) > 0 {
			data := s.clientFormData(w, r, f, nil, "/clients/new")
			data["Conflicts"] = found
			s.render(w, r, "client_form", http.StatusOK, data)
			return
		}
	}
	if len(f.Errors) == 0 {
		err := s.Clients.CreateClient(r.Context(), c)
		if err == nil {
			s.done(w, r, "/clients/"+c.ID, "clients.created", c.LegalName)
			return
		}
		if amparo.ErrorCode(err) == amparo.ECONFLICT && c.ID != "" {
			http.Redirect(w, r, "/clients/"+c.ID, http.StatusSeeOther) // a repeat goes to the first
			return
		}
		if !s.formErrors(lang, err, f, "client.err.", false) {
			s.error(w, r, err)
			return
		}
	}
	s.formErrors(lang, c.Validate(), f, "client.err.", false) // every problem at once
	s.renderClientForm(w, r, http.StatusUnprocessableEntity, f, nil)
}

// client reads the path's client for the signed-in account; when it
// cannot, it answers the request itself and returns nil.
func (s *Server) client(w http.ResponseWriter, r *http.Request) *amparo.Client {
	c, err := s.Clients.FindClientByID(r.Context(), r.PathValue("id"))
	if err != nil {
		s.error(w, r, err)
		return nil
	}
	return c
}

func (s *Server) clientView(w http.ResponseWriter, r *http.Request) {
	c := s.client(w, r)
	if c == nil {
		return
	}
	ls, _, err := s.Letters.FindLetters(r.Context(), amparo.LetterFilter{ClientID: c.ID, Limit: 1000})
	if err != nil {
		s.error(w, r, err)
		return
	}
	grants, err := s.fundGrant.FundableGrants(r.Context(), c.OrganizationID)
	if err != nil {
		s.error(w, r, err)
		return
	}
	s.render(w, r, "client", http.StatusOK, map[string]any{"Client": c, "Letters": ls, "FundGrants": grants, "FundPerson": c.ID,
		"CountryOfBirth": s.countryName(w, r, c.CountryOfBirth), "TPSCountry": s.countryName(w, r, c.TPSCountry)})
}

// countryName is a country's name in the reader's language; its code if
// the list has no such country.
func (s *Server) countryName(w http.ResponseWriter, r *http.Request, code string) string {
	if code == "" {
		return ""
	}
	for _, c := range intake.Countries(s.language(w, r)) {
		if c.Code == code {
			return c.Name
		}
	}
	return code
}

func (s *Server) clientEdit(w http.ResponseWriter, r *http.Request) {
	c := s.client(w, r)
	if c == nil {
		return
	}
	b := func(v bool) string {
		if v {
			return "on"
		}
		return ""
	}
	f := &form{Values: map[string]string{"legal_name": c.LegalName, "single_name": b(c.SingleName), "preferred_name": c.PreferredName, "birth_date": c.BirthDate.String(),
		"language": c.Language, "phone": c.Phone, "address.line1": c.Address.Line1, "address.city": c.Address.City,
		"address.region": c.Address.Region, "address.postal_code": c.Address.PostalCode, "country_of_birth": c.CountryOfBirth,
		"situation": c.Situation, "tps_country": c.TPSCountry, "facing_removal": b(c.FacingRemoval),
		"notice_to_appear": b(c.NoticeToAppear), "next_hearing": c.NextHearing.String(), "detained": b(c.Detained),
		"updated_at": c.UpdatedAt.Format(time.RFC3339Nano)}}
	s.renderClientForm(w, r, http.StatusOK, f, c)
}

// clientUpdate saves an edit, unless the record changed since the form was
// shown (the store compares the form's updated_at): then nothing is
// overwritten, and the form comes back with what was typed and a message.
func (s *Server) clientUpdate(w http.ResponseWriter, r *http.Request) {
	if !s.knownFields(w, r, "updated_at") {
		return
	}
	lang := s.language(w, r)
	c, err := s.Clients.FindClientByID(r.Context(), r.PathValue("id"))
	if err != nil {
		s.error(w, r, err)
		return
	}
	current := c.UpdatedAt
	f := &form{Values: map[string]string{"updated_at": r.PostFormValue("updated_at")}}
	clientFromForm(r, c, f)
	c.UpdatedAt, _ = time.Parse(time.RFC3339Nano, r.PostFormValue("updated_at")) // zero, and so stale, if missing
	if len(f.Errors) == 0 {
		err = s.Clients.UpdateClient(r.Context(), c)
		switch {
		case err == nil:
			s.done(w, r, "/clients/"+c.ID, "clients.updated", c.LegalName)
			return
		case amparo.ErrorCode(err) == amparo.ECONFLICT:
			s.problem(lang, f, "stale", "client.stale")
			// Saving again is then a decision taken with the current
			// record in view.
			f.Values["updated_at"] = current.Format(time.RFC3339Nano)
			c.UpdatedAt = current
			s.renderClientForm(w, r, http.StatusConflict, f, c)
			return
		case !s.formErrors(lang, err, f, "client.err.", false):
			s.error(w, r, err)
			return
		}
	}
	s.formErrors(lang, c.Validate(), f, "client.err.", false) // every problem at once
	s.renderClientForm(w, r, http.StatusUnprocessableEntity, f, c)
}

// clientDeleteForm is the confirmation page before erasing a client for
// good: the shared confirmation page's parts, with the word to type.
func (s *Server) clientDeleteForm(w http.ResponseWriter, r *http.Request) {
	c := s.client(w, r)
	if c == nil {
		return
	}
	s.render(w, r, "client_delete", http.StatusOK, map[string]any{"Client": c, "Form": &form{}, "Seen": clientSeen(c)})
}

// clientDelete erases a client for good, after the person types the word
// that confirms it, unless the record changed since the page was shown.
func (s *Server) clientDelete(w http.ResponseWriter, r *http.Request) {
	c := s.client(w, r)
	if c == nil {
		return
	}
	if err := checkSeen(r, clientSeen(c)); err != nil {
		s.error(w, r, err)
		return
	}
	lang := s.language(w, r)
	word := s.Catalog.T(lang, "client.delete_word")
	if !strings.EqualFold(strings.TrimSpace(r.PostFormValue("confirm")), word) {
		f := &form{}
		s.problem(lang, f, "confirm", "client.err.confirm", word)
		s.render(w, r, "client_delete", http.StatusUnprocessableEntity, map[string]any{"Client": c, "Form": f, "Seen": clientSeen(c),
			"LangPath": "/clients/" + c.ID + "/delete"})
		return
	}
	if err := s.Clients.DeleteClient(r.Context(), c.ID); err != nil {
		s.error(w, r, err)
		return
	}
	s.done(w, r, "/clients", "clients.deleted", c.LegalName)
}

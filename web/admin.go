package web

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/amparo-project/amparo"
)

// Pages of the program office and organization admins: organizations,
// their members and invitations, program settings, and the audit trail.

func (s *Server) adminRoutes(mux *routes) {
	runsProgram := may(amparo.Actor.RunsProgram)
	mux.AllowElse("GET /organizations", runsProgram, s.orgList, s.ownOrganization)
	mux.Allow("POST /organizations", runsProgram, s.orgCreate)
	mux.Allow("GET /organizations/{id}", administersPath, s.orgView)
	mux.Allow("POST /organizations/{id}", administersPath, s.orgUpdate)
	mux.Allow("POST /organizations/{id}/invitations", administersPath, s.orgInvite)
	mux.Allow("POST /organizations/{id}/members", administersPath, s.memberCreate)
	// A member or an account names its organization only in the store:
	// the route lets through admins of any, the store checks which.
	mux.Allow("POST /members/{id}/suspend", administersSome, s.memberSuspend)
	mux.Allow("POST /members/{id}/account", administersSome, s.memberLink)
	mux.Allow("POST /accounts/{id}/suspend", administersSome, s.accountSuspend)
	mux.Allow("GET /settings", runsProgram, s.settings)
	mux.Allow("POST /settings", runsProgram, s.settingsSave)
	s.peopleRoutes(mux)
	s.auditRoutes(mux)
}

// administersSome lets through the admins of any organization, and the
// program office.
func administersSome(a amparo.Actor, _ *http.Request) bool { return a.Administers(a.OrganizationID) }

// ownOrganization answers someone who does not run the program but asks
// for the list of organizations: with their own organization's page,
// which its admins may see (its other people get 403 there).
func (s *Server) ownOrganization(w http.ResponseWriter, r *http.Request) {
	if org := sessionFrom(r.Context()).Account.OrganizationID; org != "" {
		http.Redirect(w, r, "/organizations/"+org, http.StatusSeeOther)
		return
	}
	s.error(w, r, amparo.Errorf(amparo.EFORBIDDEN, "Forbidden."))
}

func (s *Server) orgList(w http.ResponseWriter, r *http.Request) {
	s.renderOrgs(w, r, http.StatusOK, &form{Values: map[string]string{}})
}

func (s *Server) renderOrgs(w http.ResponseWriter, r *http.Request, status int, f *form) {
	q, err := parseList(r, amparo.OrganizationSorts, "name")
	if err != nil {
		s.error(w, r, err)
		return
	}
	os, n, err := s.Organizations.FindOrganizations(r.Context(), amparo.OrganizationFilter{Q: q.Q, Sort: q.Sort, Offset: q.Offset(), Limit: q.Limit()})
	pg, err := q.Paged(n, err)
	if err != nil {
		s.error(w, r, err)
		return
	}
	s.render(w, r, "organizations", status, map[string]any{"Organizations": os, "Pager": pg, "Form": f})
}

func splitList(v string) []string {
	var out []string
	for _, p := range strings.Split(v, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func (s *Server) orgCreate(w http.ResponseWriter, r *http.Request) {
	capacity, _ := strconv.Atoi(r.PostFormValue("capacity"))
	o := &amparo.Organization{Name: strings.TrimSpace(r.PostFormValue("name")), Kind: amparo.OrganizationKind(r.PostFormValue("kind")),
		ContactEmail: strings.TrimSpace(r.PostFormValue("contact_email")), Languages: splitList(r.PostFormValue("languages")),
		ServiceArea: splitList(r.PostFormValue("service_area")), Capacity: capacity}
	if err := s.Organizations.CreateOrganization(r.Context(), o); err != nil {
		f := &form{Values: map[string]string{"name": o.Name, "contact_email": o.ContactEmail, "languages": r.PostFormValue("languages"),
			"service_area": r.PostFormValue("service_area"), "kind": string(o.Kind), "capacity": r.PostFormValue("capacity")}}
		if !s.adminErrors(w, r, err, f) {
			return
		}
		s.renderOrgs(w, r, http.StatusUnprocessableEntity, f)
		return
	}
	s.done(w, r, "/organizations/"+o.ID, "people.org_created", o.Name)
}

// adminErrors puts validation errors on the form, in the reader's
// language where the catalog words them, else in the store's words; it
// answers any other error itself and returns false.
func (s *Server) adminErrors(w http.ResponseWriter, r *http.Request, err error, f *form) bool {
	for _, e := range problems(err) {
		if c := amparo.ErrorCode(e); c != amparo.EINVALID && c != amparo.ECONFLICT {
			s.error(w, r, err)
			return false
		}
	}
	s.formErrors(s.language(w, r), err, f, "err.", true)
	return true
}

func (s *Server) orgView(w http.ResponseWriter, r *http.Request) {
	s.renderOrg(w, r, http.StatusOK, &form{Values: map[string]string{}})
}

func (s *Server) renderOrg(w http.ResponseWriter, r *http.Request, status int, f *form) {
	sess := sessionFrom(r.Context())
	id := r.PathValue("id")
	o, err := s.Organizations.FindOrganizationByID(r.Context(), id)
	if err != nil {
		s.error(w, r, err)
		return
	}
	q, err := parseList(r, amparo.MemberSorts, "name")
	if err != nil {
		s.error(w, r, err)
		return
	}
	ms, n, err := s.Members.FindMembers(r.Context(), amparo.MemberFilter{OrganizationID: id, Q: q.Q, Sort: q.Sort, Offset: q.Offset(), Limit: q.Limit()})
	pg, err := q.Paged(n, err)
	if err != nil {
		s.error(w, r, err)
		return
	}
	// Every member, for the invitation's choice of member record.
	all, _, err := s.Members.FindMembers(r.Context(), amparo.MemberFilter{OrganizationID: id})
	if err != nil {
		s.error(w, r, err)
		return
	}
	// The accounts of the people who sign (the member role), to name
	// linked accounts and offer those that can be linked; all accounts
	// are listed, by page, on their own page.
	accounts, _, err := s.Accounts.FindAccountsBy(r.Context(), amparo.AccountFilter{OrganizationID: id, Role: amparo.RoleMember})
	if err != nil {
		s.error(w, r, err)
		return
	}
	_, staff, err := s.Accounts.FindAccountsBy(r.Context(), amparo.AccountFilter{OrganizationID: id, Limit: 1})
	if err != nil {
		s.error(w, r, err)
		return
	}
	_, pending, err := s.Accounts.FindInvitations(r.Context(), amparo.InvitationFilter{OrganizationID: id, Limit: 1})
	if err != nil {
		s.error(w, r, err)
		return
	}
	roles := inviteRoles(sess.Actor(), id)
	// Each member's linked account, by name; and the accounts a member
	// record can be linked to: active member-role accounts (the people who
	// sign) not linked to another record. Only the program office changes
	// a record once it is linked.
	names, linked, signers := map[string]string{}, map[string]bool{}, []*amparo.Account{}
	for _, m := range all {
		linked[m.AccountID] = m.AccountID != ""
	}
	for _, a := range accounts {
		names[a.ID] = a.Name
		if a.Status == amparo.AccountActive && a.Role == amparo.RoleMember {
			signers = append(signers, a)
		}
	}
	s.render(w, r, "organization", status, map[string]any{"Organization": o, "Members": ms, "AllMembers": all, "Pager": pg,
		"AccountCount": staff, "Pending": pending, "Form": f,
		"InviteURL": string(s.openSealed(r, inviteCookie, sess.AccountID)), "Roles": roles, "AccountNames": names, "Signers": signers, "Linked": linked,
		"Relinks": sess.Actor().RunsProgram()})
}

// orgUpdate changes an organization's capacity, languages, service area
// and contact.
func (s *Server) orgUpdate(w http.ResponseWriter, r *http.Request) {
	o, err := s.Organizations.FindOrganizationByID(r.Context(), r.PathValue("id"))
	if err != nil {
		s.error(w, r, err)
		return
	}
	o.Capacity, _ = strconv.Atoi(r.PostFormValue("capacity"))
	o.Languages, o.ServiceArea = splitList(r.PostFormValue("languages")), splitList(r.PostFormValue("service_area"))
	o.ContactEmail = strings.TrimSpace(r.PostFormValue("contact_email"))
	if err := s.Organizations.UpdateOrganization(r.Context(), o); err != nil {
		f := &form{Values: map[string]string{}}
		if s.adminErrors(w, r, err, f) {
			s.renderOrg(w, r, http.StatusUnprocessableEntity, f)
		}
		return
	}
	s.done(w, r, "/organizations/"+o.ID, "people.org_saved", o.Name)
}

func (s *Server) orgInvite(w http.ResponseWriter, r *http.Request) {
	inv := &amparo.Invitation{Email: r.PostFormValue("email"), Role: amparo.Role(r.PostFormValue("role")), OrganizationID: r.PathValue("id"),
		MemberID: r.PostFormValue("member_id")}
	if err := s.Accounts.CreateInvitation(r.Context(), inv); err != nil {
		f := &form{Values: map[string]string{"email": inv.Email, "role": string(inv.Role), "member_id": inv.MemberID}}
		if s.adminErrors(w, r, err, f) {
			s.renderOrg(w, r, http.StatusUnprocessableEntity, f)
		}
		return
	}
	s.invited(w, r, inv)
}

// The link of the invitation an admin just made, kept for its page.
const (
	inviteCookie = "invitation"
	inviteKeep   = 15 * time.Minute
)

func (s *Server) memberCreate(w http.ResponseWriter, r *http.Request) {
	capacity, _ := strconv.Atoi(r.PostFormValue("case_capacity"))
	m := &amparo.Member{OrganizationID: r.PathValue("id"), Name: strings.TrimSpace(r.PostFormValue("name")), Kind: amparo.MemberKind(r.PostFormValue("kind")),
		BarJurisdiction: strings.TrimSpace(r.PostFormValue("bar_jurisdiction")), BarNumber: strings.TrimSpace(r.PostFormValue("bar_number")),
		RecognizedOrg: strings.TrimSpace(r.PostFormValue("recognized_org")), Languages: splitList(r.PostFormValue("languages")),
		PublicPhone: strings.TrimSpace(r.PostFormValue("public_phone")), CaseCapacity: capacity, Interpreter: r.PostFormValue("interpreter") == "on"}
	m.AccreditationDate, _ = amparo.ParseDate(r.PostFormValue("accreditation_date"))
	if err := s.Members.CreateMember(r.Context(), m); err != nil {
		f := &form{Values: map[string]string{"name": m.Name, "bar_jurisdiction": m.BarJurisdiction, "bar_number": m.BarNumber,
			"recognized_org": m.RecognizedOrg, "languages": r.PostFormValue("languages"), "public_phone": m.PublicPhone,
			"kind": string(m.Kind), "accreditation_date": r.PostFormValue("accreditation_date"), "interpreter": r.PostFormValue("interpreter")}}
		if s.adminErrors(w, r, err, f) {
			s.renderOrg(w, r, http.StatusUnprocessableEntity, f)
		}
		return
	}
	s.done(w, r, "/organizations/"+m.OrganizationID, "people.member_added", m.Name)
}

// memberLink links a member record to the account of the person it names,
// or unlinks it: only that account then approves letters in their name.
func (s *Server) memberLink(w http.ResponseWriter, r *http.Request) {
	m, err := s.Members.FindMemberByID(r.Context(), r.PathValue("id"))
	if err != nil {
		s.error(w, r, err)
		return
	}
	r.SetPathValue("id", m.OrganizationID)
	account := r.PostFormValue("account")
	if err := s.Members.LinkMemberAccount(r.Context(), m.ID, account); err != nil {
		f := &form{Values: map[string]string{}}
		if amparo.ErrorCode(err) == amparo.ECONFLICT && m.AccountID != "" && m.AccountID != account {
			// The record names someone already: only the program office
			// or that person's invitation changes it.
			f.add("account_id", s.Catalog.T(s.language(w, r), "org.err.relink", m.Name))
			s.renderOrg(w, r, http.StatusUnprocessableEntity, f)
			return
		}
		if s.adminErrors(w, r, err, f) {
			s.renderOrg(w, r, http.StatusUnprocessableEntity, f)
		}
		return
	}
	if account == "" {
		s.done(w, r, "/organizations/"+m.OrganizationID, "people.member_unlinked", m.Name)
		return
	}
	s.done(w, r, "/organizations/"+m.OrganizationID, "people.member_linked", m.Name)
}

func (s *Server) settings(w http.ResponseWriter, r *http.Request) {
	p, err := s.Programs.FindProgram(r.Context())
	if err != nil {
		s.error(w, r, err)
		return
	}
	s.render(w, r, "settings", http.StatusOK, map[string]any{"Program": p, "Form": &form{}})
}

func (s *Server) settingsSave(w http.ResponseWriter, r *http.Request) {
	p, err := s.Programs.FindProgram(r.Context())
	if err != nil {
		s.error(w, r, err)
		return
	}
	p.Name, p.Jurisdiction = strings.TrimSpace(r.PostFormValue("name")), strings.TrimSpace(r.PostFormValue("jurisdiction"))
	p.LetterCapacity, _ = strconv.Atoi(r.PostFormValue("letter_capacity"))
	p.LetterValidityDays, _ = strconv.Atoi(r.PostFormValue("letter_validity_days"))
	p.Languages, p.VerifyURL = splitList(r.PostFormValue("languages")), strings.TrimSpace(r.PostFormValue("verify_url"))
	p.TimeZone = strings.TrimSpace(r.PostFormValue("time_zone"))
	if err := s.Programs.UpdateProgram(r.Context(), p); err != nil {
		f := &form{}
		if s.adminErrors(w, r, err, f) {
			s.render(w, r, "settings", http.StatusUnprocessableEntity, map[string]any{"Program": p, "Form": f})
		}
		return
	}
	s.done(w, r, "/settings", "people.settings_saved")
}

package web

import (
	"net/http"

	"github.com/amparo-project/amparo"
)

// People and access: the staff accounts of an organization and of the
// program office, the invitations still pending, suspending (after a
// confirmation) and reactivating accounts and members, and the link of an
// invitation just made, to copy, download or print.

// peopleRoutes registers the people and access pages. The program
// office's own people (program-level roles) are under /accounts; an
// organization's under /organizations/{id}.
func (s *Server) peopleRoutes(mux *routes) {
	runsProgram := may(amparo.Actor.RunsProgram)
	mux.Allow("GET /accounts", runsProgram, s.programAccounts)
	mux.Allow("POST /accounts/invitations", runsProgram, s.programInvite)
	mux.Allow("GET /accounts/invitations", runsProgram, s.programInvitations)
	mux.Allow("GET /accounts/invitation.txt", runsProgram, s.inviteText)
	mux.Allow("GET /accounts/invitations/{inv}/cancel", runsProgram, s.invitationCancelConfirm)
	mux.Allow("POST /accounts/invitations/{inv}/cancel", runsProgram, s.invitationCancel)
	mux.Allow("GET /organizations/{id}/accounts", administersPath, s.orgAccounts)
	mux.Allow("GET /organizations/{id}/invitations", administersPath, s.orgInvitations)
	mux.Allow("GET /organizations/{id}/invitation.txt", administersPath, s.inviteText)
	mux.Allow("GET /organizations/{id}/invitations/{inv}/cancel", administersPath, s.invitationCancelConfirm)
	mux.Allow("POST /organizations/{id}/invitations/{inv}/cancel", administersPath, s.invitationCancel)
	// An account or a member names its organization only in the store:
	// the route lets through admins of any, the store checks which.
	mux.Allow("GET /accounts/{id}/suspend", administersSome, s.accountSuspendConfirm)
	mux.Allow("POST /accounts/{id}/reactivate", administersSome, s.accountReactivate)
	mux.Allow("GET /members/{id}/suspend", administersSome, s.memberSuspendConfirm)
	mux.Allow("POST /members/{id}/reactivate", administersSome, s.memberReactivate)
}

// peopleBase is where the people of an organization (or of the program,
// for "") are managed.
func peopleBase(orgID string) string {
	if orgID == "" {
		return "/accounts"
	}
	return "/organizations/" + orgID
}

// accountsOf lists the page of accounts r asks for, of orgID ("" for the
// program office's own).
func (s *Server) accountsPage(w http.ResponseWriter, r *http.Request, orgID string, status int, f *form) {
	q, err := parseList(r, amparo.AccountSorts, "name")
	if err != nil {
		s.error(w, r, err)
		return
	}
	ctx := r.Context()
	accounts, n, err := s.Accounts.FindAccountsBy(ctx, amparo.AccountFilter{OrganizationID: orgID, Q: q.Q, Sort: q.Sort, Offset: q.Offset(), Limit: q.Limit()})
	pg, err := q.Paged(n, err)
	if err != nil {
		s.error(w, r, err)
		return
	}
	_, pending, err := s.Accounts.FindInvitations(ctx, amparo.InvitationFilter{OrganizationID: orgID, Limit: 1})
	if err != nil {
		s.error(w, r, err)
		return
	}
	data := map[string]any{"Accounts": accounts, "Pager": pg, "Pending": pending, "Base": peopleBase(orgID), "Form": f,
		"Self": sessionFrom(ctx).AccountID}
	if orgID == "" {
		data["Roles"] = amparo.ProgramRoles
		data["InviteURL"] = string(s.openSealed(r, inviteCookie, sessionFrom(ctx).AccountID))
	} else {
		o, err := s.Organizations.FindOrganizationByID(ctx, orgID)
		if err != nil {
			s.error(w, r, err)
			return
		}
		data["Organization"] = o
	}
	s.render(w, r, "accounts", status, data)
}

func (s *Server) programAccounts(w http.ResponseWriter, r *http.Request) {
	s.accountsPage(w, r, "", http.StatusOK, &form{Values: map[string]string{}})
}

func (s *Server) orgAccounts(w http.ResponseWriter, r *http.Request) {
	s.accountsPage(w, r, r.PathValue("id"), http.StatusOK, &form{Values: map[string]string{}})
}

// programInvite invites a person to a program-level role (auditor, fund
// officer …), who belongs to no organization.
func (s *Server) programInvite(w http.ResponseWriter, r *http.Request) {
	inv := &amparo.Invitation{Email: r.PostFormValue("email"), Role: amparo.Role(r.PostFormValue("role"))}
	if err := s.Accounts.CreateInvitation(r.Context(), inv); err != nil {
		f := &form{Values: map[string]string{"email": inv.Email, "role": string(inv.Role)}}
		if s.adminErrors(w, r, err, f) {
			s.accountsPage(w, r, "", http.StatusUnprocessableEntity, f)
		}
		return
	}
	s.invited(w, r, inv)
}

// invited keeps the link of the invitation just made for its page (there
// is no mail: the admin gives the link to the person), and says it was
// made. The page that shows it is a GET (post/redirect/get), so
// switching language or reloading keeps it while the cookie lasts.
func (s *Server) invited(w http.ResponseWriter, r *http.Request, inv *amparo.Invitation) {
	path := peopleBase(inv.OrganizationID)
	if err := s.keepSealed(w, r, inviteCookie, path, sessionFrom(r.Context()).AccountID, []byte(s.inviteURL(r.Context(), inv.Token)), inviteKeep); err != nil {
		s.error(w, r, err)
		return
	}
	s.done(w, r, path, "people.invited", inv.Email, amparo.Msg{Key: "role." + string(inv.Role)})
}

// inviteText downloads the link of the invitation just made, to send or
// keep. The cookie is sent only under the page that made it.
func (s *Server) inviteText(w http.ResponseWriter, r *http.Request) {
	link := s.openSealed(r, inviteCookie, sessionFrom(r.Context()).AccountID)
	if link == nil {
		s.error(w, r, amparo.Errorf(amparo.ENOTFOUND, "No invitation link is kept.").Localize("people.no_link"))
		return
	}
	lang := s.language(w, r)
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="amparo-invitation.txt"`)
	w.Header().Set("Cache-Control", "no-store")
	w.Write([]byte(s.Catalog.T(lang, "people.invite_file") + "\r\n\r\n" + string(link) + "\r\n"))
}

// invitationsPage lists the pending invitations of orgID ("" for the
// program office's own), newest first.
func (s *Server) invitationsPage(w http.ResponseWriter, r *http.Request, orgID string) {
	q, err := parseList(r, nil, "")
	if err != nil {
		s.error(w, r, err)
		return
	}
	invs, n, err := s.Accounts.FindInvitations(r.Context(), amparo.InvitationFilter{OrganizationID: orgID, Offset: q.Offset(), Limit: q.Limit()})
	pg, err := q.Paged(n, err)
	if err != nil {
		s.error(w, r, err)
		return
	}
	data := map[string]any{"Invitations": invs, "Pager": pg, "Base": peopleBase(orgID)}
	if orgID != "" {
		o, err := s.Organizations.FindOrganizationByID(r.Context(), orgID)
		if err != nil {
			s.error(w, r, err)
			return
		}
		data["Organization"] = o
	}
	s.render(w, r, "invitations", http.StatusOK, data)
}

func (s *Server) programInvitations(w http.ResponseWriter, r *http.Request) {
	s.invitationsPage(w, r, "")
}
func (s *Server) orgInvitations(w http.ResponseWriter, r *http.Request) {
	s.invitationsPage(w, r, r.PathValue("id"))
}

// pendingInvitation is the pending invitation the path names, of the
// organization in the path ("" under /accounts).
func (s *Server) pendingInvitation(r *http.Request) (*amparo.Invitation, error) {
	invs, _, err := s.Accounts.FindInvitations(r.Context(), amparo.InvitationFilter{OrganizationID: r.PathValue("id"), ID: r.PathValue("inv"), Limit: 1})
	if err != nil {
		return nil, err
	} else if len(invs) == 0 {
		return nil, amparo.Errorf(amparo.ENOTFOUND, "No pending invitation: it was used, cancelled or has expired.").Localize("invitation.not_pending")
	}
	return invs[0], nil
}

func (s *Server) invitationCancelConfirm(w http.ResponseWriter, r *http.Request) {
	inv, err := s.pendingInvitation(r)
	if err != nil {
		s.error(w, r, err)
		return
	}
	base := peopleBase(inv.OrganizationID)
	role := s.Catalog.T(s.language(w, r), "role."+string(inv.Role))
	s.confirm(w, r, confirmation{
		Title:  amparo.Msg{Key: "people.cancel_title"}, // an address is one long word: not in the heading
		Lines:  []amparo.Msg{{Key: "people.cancel_what", Args: []any{inv.Email}}, {Key: "people.cancel_role", Args: []any{role}}, {Key: "people.cancel_again"}},
		Action: r.URL.Path, Seen: inv.ID, Button: amparo.Msg{Key: "people.cancel_button"}, Danger: true, Cancel: base + "/invitations",
	})
}

func (s *Server) invitationCancel(w http.ResponseWriter, r *http.Request) {
	inv, err := s.pendingInvitation(r)
	if err == nil {
		err = checkSeen(r, inv.ID)
	}
	if err == nil {
		err = s.Accounts.CancelInvitation(r.Context(), inv.ID)
	}
	if err != nil {
		s.error(w, r, err)
		return
	}
	s.done(w, r, peopleBase(inv.OrganizationID)+"/invitations", "people.cancelled", inv.Email)
}

// accountSeen is an account's state as its confirmation page showed it.
func accountSeen(a *amparo.Account) string { return seenAt(string(a.Status), a.UpdatedAt) }

func (s *Server) accountSuspendConfirm(w http.ResponseWriter, r *http.Request) {
	a, err := s.Accounts.FindAccountByID(r.Context(), r.PathValue("id"))
	if err == nil && !sessionFrom(r.Context()).Actor().Administers(a.OrganizationID) {
		err = amparo.Errorf(amparo.EFORBIDDEN, "Forbidden.")
	}
	if err == nil && a.Status != amparo.AccountActive {
		err = amparo.Errorf(amparo.ECONFLICT, "The account is suspended already.").Localize("people.suspended_already")
	}
	if err != nil {
		s.error(w, r, err)
		return
	}
	s.confirm(w, r, confirmation{
		Title: amparo.Msg{Key: "people.suspend_title", Args: []any{a.Name}},
		Lines: []amparo.Msg{{Key: "people.suspend_what", Args: []any{a.Name, a.Email}}, {Key: "people.suspend_sessions"},
			{Key: "people.suspend_undo"}},
		Action: r.URL.Path, Seen: accountSeen(a), Button: amparo.Msg{Key: "people.suspend_button"}, Danger: true,
		Cancel: peopleBase(a.OrganizationID) + accountsSuffix(a.OrganizationID),
	})
}

// accountsSuffix is the path of an organization's accounts under its
// base; the program's accounts are the base itself.
func accountsSuffix(orgID string) string {
	if orgID == "" {
		return ""
	}
	return "/accounts"
}

// accountSuspend suspends a staff account, as confirmed; all its
// sessions end.
func (s *Server) accountSuspend(w http.ResponseWriter, r *http.Request) {
	a, err := s.Accounts.FindAccountByID(r.Context(), r.PathValue("id"))
	if err == nil && !sessionFrom(r.Context()).Actor().Administers(a.OrganizationID) {
		err = amparo.Errorf(amparo.EFORBIDDEN, "Forbidden.")
	}
	if err == nil {
		err = checkSeen(r, accountSeen(a))
	}
	if err == nil {
		err = s.Accounts.SuspendAccount(r.Context(), a.ID)
	}
	if err != nil {
		s.error(w, r, err)
		return
	}
	s.done(w, r, peopleBase(a.OrganizationID)+accountsSuffix(a.OrganizationID), "people.account_suspended", a.Name)
}

// accountReactivate undoes a suspension: no confirmation, it harms nothing.
func (s *Server) accountReactivate(w http.ResponseWriter, r *http.Request) {
	a, err := s.Accounts.FindAccountByID(r.Context(), r.PathValue("id"))
	if err == nil {
		err = s.Accounts.ReactivateAccount(r.Context(), a.ID)
	}
	if err != nil {
		s.error(w, r, err)
		return
	}
	s.done(w, r, peopleBase(a.OrganizationID)+accountsSuffix(a.OrganizationID), "people.account_reactivated", a.Name)
}

// memberSeen is a member's state as its confirmation page showed it.
func memberSeen(m *amparo.Member) string { return seenAt(string(m.Status), m.UpdatedAt) }

func (s *Server) memberSuspendConfirm(w http.ResponseWriter, r *http.Request) {
	m, err := s.Members.FindMemberByID(r.Context(), r.PathValue("id"))
	if err == nil && !sessionFrom(r.Context()).Actor().Administers(m.OrganizationID) {
		err = amparo.Errorf(amparo.EFORBIDDEN, "Forbidden.")
	}
	if err == nil && m.Status != amparo.MemberActive {
		err = amparo.Errorf(amparo.ECONFLICT, "The member is suspended already.").Localize("people.suspended_already")
	}
	if err != nil {
		s.error(w, r, err)
		return
	}
	s.confirm(w, r, confirmation{
		Title:  amparo.Msg{Key: "people.member_suspend_title", Args: []any{m.Name}},
		Lines:  []amparo.Msg{{Key: "people.member_suspend_what", Args: []any{m.Name}}, {Key: "people.member_suspend_letters"}, {Key: "people.suspend_undo"}},
		Action: r.URL.Path, Seen: memberSeen(m), Button: amparo.Msg{Key: "people.suspend_button"}, Danger: true,
		Cancel: "/organizations/" + m.OrganizationID,
	})
}

// memberSuspend suspends a member, as confirmed: they take no new
// clients and sign no letters.
func (s *Server) memberSuspend(w http.ResponseWriter, r *http.Request) {
	s.memberStatus(w, r, amparo.MemberSuspended, "people.member_suspended")
}

// memberReactivate undoes a member's suspension.
func (s *Server) memberReactivate(w http.ResponseWriter, r *http.Request) {
	s.memberStatus(w, r, amparo.MemberActive, "people.member_reactivated")
}

func (s *Server) memberStatus(w http.ResponseWriter, r *http.Request, to amparo.MemberStatus, said string) {
	m, err := s.Members.FindMemberByID(r.Context(), r.PathValue("id"))
	if err == nil && !sessionFrom(r.Context()).Actor().Administers(m.OrganizationID) {
		err = amparo.Errorf(amparo.EFORBIDDEN, "Forbidden.")
	}
	if err == nil && to == amparo.MemberSuspended {
		err = checkSeen(r, memberSeen(m))
	}
	if err == nil && m.Status == to {
		err = amparo.Errorf(amparo.ECONFLICT, "Nothing to change.").Localize("people.status_already")
	}
	if err == nil {
		m.Status = to
		err = s.Members.UpdateMember(r.Context(), m)
	}
	if err != nil {
		s.error(w, r, err)
		return
	}
	s.done(w, r, "/organizations/"+m.OrganizationID, said, m.Name)
}

// inviteRoles are the roles the actor invites to orgID from its page.
func inviteRoles(a amparo.Actor, orgID string) []amparo.Role {
	var out []amparo.Role
	for _, r := range amparo.OrganizationRoles {
		if a.Invites(r, orgID) {
			out = append(out, r)
		}
	}
	return out
}

package web

import (
	"bytes"
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/document"
)

// Letter pages: staff prepare drafts for a client and a member and send
// them for approval; the member named, signed in as themselves, approves
// (issues) and renews them; the member or an admin revokes them.

func (s *Server) letterRoutes(mux *routes) {
	seesClients := may(amparo.Actor.SeesClients)
	mux.Allow("GET /letters", seesClients, s.letterList)
	mux.Allow("GET /letters/new", seesClients, s.letterNew)
	mux.Allow("POST /letters", seesClients, s.letterCreate)
	mux.Allow("GET /letters/{id}", seesClients, s.letterView)
	mux.Allow("POST /letters/{id}/submit", seesClients, s.letterAction)
	mux.Allow("POST /letters/{id}/issue", seesClients, s.letterAction)
	mux.Allow("GET /letters/{id}/renew", seesClients, s.letterRenewConfirm)
	mux.Allow("POST /letters/{id}/renew", seesClients, s.letterAction)
	mux.Allow("POST /letters/{id}/revoke", seesClients, s.letterAction)
	mux.Allow("GET /letters/{id}/{doc}", seesClients, s.letterPDF)
}

// letterList lists letters by status, or (?awaiting=1) the drafts sent to
// the reader for approval.
func (s *Server) letterList(w http.ResponseWriter, r *http.Request) {
	status, awaiting := r.URL.Query().Get("status"), r.URL.Query().Get("awaiting") == "1"
	ls, n, err := s.Letters.FindLetters(r.Context(), amparo.LetterFilter{Status: amparo.LetterStatus(status), AwaitingApproval: awaiting, Limit: 100})
	if err != nil {
		s.error(w, r, err)
		return
	}
	s.render(w, r, "letters", http.StatusOK, map[string]any{"Letters": ls, "Total": n, "Status": status, "Awaiting": awaiting,
		"Statuses": amparo.LetterStatuses})
}

func (s *Server) letterNew(w http.ResponseWriter, r *http.Request) {
	c, err := s.Clients.FindClientByID(r.Context(), r.URL.Query().Get("client"))
	if err != nil {
		s.error(w, r, err)
		return
	}
	s.renderLetterForm(w, r, http.StatusOK, c, &form{Values: map[string]string{"id": amparo.NewID()}})
}

func (s *Server) renderLetterForm(w http.ResponseWriter, r *http.Request, status int, c *amparo.Client, f *form) {
	sess := sessionFrom(r.Context())
	ms, _, err := s.Members.FindMembers(r.Context(), amparo.MemberFilter{OrganizationID: sess.Account.OrganizationID, Status: amparo.MemberActive})
	if err != nil {
		s.error(w, r, err)
		return
	}
	s.render(w, r, "letter_form", status, map[string]any{"Client": c, "Members": ms, "Form": f})
}

func (s *Server) letterCreate(w http.ResponseWriter, r *http.Request) {
	sess := sessionFrom(r.Context())
	c, err := s.Clients.FindClientByID(r.Context(), r.PostFormValue("client"))
	if err != nil {
		s.error(w, r, err)
		return
	}
	l := &amparo.Letter{ID: formID(r), ClientID: c.ID, MemberID: r.PostFormValue("member"), OrganizationID: sess.Account.OrganizationID}
	if c.Language != "en" {
		l.Languages = []string{c.Language}
	}
	if err := s.Letters.CreateLetter(r.Context(), l); err != nil && !(amparo.ErrorCode(err) == amparo.ECONFLICT && l.ID != "") {
		f := &form{Values: map[string]string{"id": amparo.NewID()}}
		s.problem(s.language(w, r), f, "member", "letters.err.member")
		if amparo.ErrorCode(err) != amparo.EINVALID {
			s.error(w, r, err)
			return
		}
		s.renderLetterForm(w, r, http.StatusUnprocessableEntity, c, f)
		return
	}
	http.Redirect(w, r, "/letters/"+l.ID, http.StatusSeeOther)
}

func (s *Server) letterView(w http.ResponseWriter, r *http.Request) {
	s.showLetter(w, r, http.StatusOK, &form{})
}

func (s *Server) showLetter(w http.ResponseWriter, r *http.Request, status int, f *form) {
	ctx := r.Context()
	l, err := s.Letters.FindLetterByID(ctx, r.PathValue("id"))
	if err != nil {
		s.error(w, r, err)
		return
	}
	data := map[string]any{"Letter": l, "Form": f}
	if l.ClientID != "" {
		if c, err := s.Clients.FindClientByID(ctx, l.ClientID); err == nil {
			data["Client"] = c
		}
	}
	if m, err := s.Members.FindMemberByID(ctx, l.MemberID); err == nil {
		data["Member"] = m
		// Only the member named approves: the button is theirs alone.
		data["Signer"] = m.AccountID != "" && m.AccountID == sessionFrom(ctx).Account.ID
	}
	if l.ApprovedBy != "" {
		if a, err := s.Accounts.FindAccountByID(ctx, l.ApprovedBy); err == nil {
			data["Approver"] = a.Name
		}
	}
	data["Renewed"] = r.URL.Query().Get("renewed") == "1"
	if l.ClientID != "" && l.Status != amparo.LetterDraft {
		if ls, _, err := s.Letters.FindLetters(ctx, amparo.LetterFilter{ClientID: l.ClientID}); err == nil {
			data["EarlierValid"], data["RevokedWith"] = earlierCards(l, ls, time.Now())
		}
	}
	if l.Status == amparo.LetterActive {
		if link, err := s.Phones.FindPhoneLink(ctx, l.ID); err == nil {
			data["PhoneURL"] = s.phoneURL(ctx, link.Token)
			data["PIN"] = link.PIN
		}
	}
	s.render(w, r, "letter", status, data)
}

// earlierCards counts the letters l superseded, directly or through
// renewals: those whose cards still verify (revoking l revokes them too),
// and those revoked together with l.
func earlierCards(l *amparo.Letter, all []*amparo.Letter, now time.Time) (valid, revokedWith int) {
	before := map[string]*amparo.Letter{}
	for _, x := range all {
		if x.SupersededBy != "" {
			before[x.SupersededBy] = x
		}
	}
	seen := map[string]bool{l.ID: true}
	for x := before[l.ID]; x != nil && !seen[x.ID]; x = before[x.ID] {
		seen[x.ID] = true
		switch {
		case x.Status == amparo.LetterSuperseded && now.Before(x.ValidUntil):
			valid++
		case x.Status == amparo.LetterRevoked && l.Status == amparo.LetterRevoked && x.RevokedAt.Equal(l.RevokedAt):
			revokedWith++
		}
	}
	return valid, revokedWith
}

// phoneURL is the address of a phone page (Program.PhoneURL).
func (s *Server) phoneURL(ctx context.Context, token string) string {
	p, err := s.Programs.FindProgram(ctx)
	if err != nil {
		return "/p/" + token
	}
	return p.PhoneURL(token)
}

// inviteURL is the address that accepts an invitation (Program.InviteURL).
func (s *Server) inviteURL(ctx context.Context, token string) string {
	p, err := s.Programs.FindProgram(ctx)
	if err != nil {
		return "/invite/" + token
	}
	return p.InviteURL(token)
}

// letterPDF serves an active letter's letter or wallet card as a PDF.
func (s *Server) letterPDF(w http.ResponseWriter, r *http.Request) {
	s.servePDF(w, r, r.Context(), r.PathValue("id"), r.PathValue("doc"))
}

// servePDF renders "letter.pdf" or "card.pdf" of a letter, reading it as
// the context's actor.
func (s *Server) servePDF(w http.ResponseWriter, r *http.Request, ctx context.Context, letterID, doc string) {
	ld, err := document.NewLoader(ctx, s.Documents)
	if err != nil {
		s.error(w, r, err)
		return
	}
	d, err := ld.Load(ctx, letterID)
	if err != nil {
		s.error(w, r, err)
		return
	}
	var b bytes.Buffer
	switch doc {
	case "letter.pdf":
		err = s.Renderer.Letter(&b, d)
	case "card.pdf":
		err = s.Renderer.Card(&b, d)
	default:
		http.NotFound(w, r)
		return
	}
	if err != nil {
		s.error(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Disposition", `attachment; filename="`+strings.TrimSuffix(doc, ".pdf")+`-`+letterID[:8]+`.pdf"`)
	w.Write(b.Bytes())
}

// letterRenewConfirm asks before renewing, and says what follows: the old
// card keeps working until its date, and the client gets a new letter and
// card to print.
func (s *Server) letterRenewConfirm(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	l, err := s.Letters.FindLetterByID(ctx, r.PathValue("id"))
	if err != nil {
		s.error(w, r, err)
		return
	}
	p, err := s.Programs.FindProgram(ctx)
	if err != nil {
		s.error(w, r, err)
		return
	}
	data := map[string]any{"Letter": l, "NewLastDay": p.LastValidDay(p.LetterValidUntil(time.Now()))}
	if m, err := s.Members.FindMemberByID(ctx, l.MemberID); err == nil {
		data["Member"] = m
		// Renewing signs a new letter: only the member named is asked.
		data["Signer"] = m.AccountID != "" && m.AccountID == sessionFrom(ctx).Account.ID
	}
	s.render(w, r, "letter_renew", http.StatusOK, data)
}

// letterAction sends for approval, issues, renews or revokes, by the
// path's last word.
func (s *Server) letterAction(w http.ResponseWriter, r *http.Request) {
	ctx, id := r.Context(), r.PathValue("id")
	var l *amparo.Letter
	var err error
	next := ""
	switch r.URL.Path[strings.LastIndex(r.URL.Path, "/")+1:] {
	case "submit":
		l, err = s.Letters.SubmitLetter(ctx, id)
	case "issue":
		l, err = s.Letters.IssueLetter(ctx, id)
	case "renew":
		l, err = s.Letters.RenewLetter(ctx, id)
		next = "?renewed=1"
	case "revoke":
		reason := strings.TrimSpace(r.PostFormValue("reason"))
		if reason == "" {
			f := &form{Values: map[string]string{}}
			s.problem(s.language(w, r), f, "reason", "letters.err.reason")
			s.showLetter(w, r, http.StatusUnprocessableEntity, f)
			return
		}
		l, err = s.Letters.RevokeLetter(ctx, id, reason)
	}
	if err != nil {
		f := &form{Values: map[string]string{}}
		switch amparo.ErrorCode(err) {
		case amparo.EINVALID, amparo.ECONFLICT:
			f.add("action", s.errorText(s.language(w, r), err))
			s.showLetter(w, r, http.StatusUnprocessableEntity, f)
		case amparo.EFORBIDDEN:
			// Said in the reader's language, naming who may.
			f.add("action", s.forbiddenLetter(w, r, id))
			s.showLetter(w, r, http.StatusForbidden, f)
		default:
			s.error(w, r, err)
		}
		return
	}
	http.Redirect(w, r, "/letters/"+l.ID+next, http.StatusSeeOther)
}

// forbiddenLetter says, in the reader's language, who may do what was
// refused on a letter.
func (s *Server) forbiddenLetter(w http.ResponseWriter, r *http.Request, id string) string {
	lang := s.language(w, r)
	if strings.HasSuffix(r.URL.Path, "/revoke") {
		return s.Catalog.T(lang, "letters.err.not_revoker")
	}
	l, err := s.Letters.FindLetterByID(r.Context(), id)
	if err != nil {
		return s.Catalog.T(lang, "letters.err.not_signer", "")
	}
	m, err := s.Members.FindMemberByID(r.Context(), l.MemberID)
	if err != nil {
		return s.Catalog.T(lang, "letters.err.not_signer", "")
	}
	if m.AccountID == "" {
		return s.Catalog.T(lang, "letters.err.unlinked", m.Name)
	}
	return s.Catalog.T(lang, "letters.err.not_signer", m.Name)
}

package web

import (
	"bytes"
	"context"
	"net/http"
	"strings"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/document"
)

// Letter pages: drafts are prepared for a client and a member; a member
// (or the organization's admin) issues, renews and revokes them.

func (s *Server) letterRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /letters", s.letterList)
	mux.HandleFunc("GET /letters/new", s.letterNew)
	mux.HandleFunc("POST /letters", s.letterCreate)
	mux.HandleFunc("GET /letters/{id}", s.letterView)
	mux.HandleFunc("POST /letters/{id}/issue", s.letterAction)
	mux.HandleFunc("POST /letters/{id}/renew", s.letterAction)
	mux.HandleFunc("POST /letters/{id}/revoke", s.letterAction)
	mux.HandleFunc("GET /letters/{id}/{doc}", s.letterPDF)
}

func (s *Server) letterList(w http.ResponseWriter, r *http.Request) {
	if s.signedIn(w, r) == nil {
		return
	}
	status := r.URL.Query().Get("status")
	ls, n, err := s.Letters.FindLetters(r.Context(), amparo.LetterFilter{Status: status, Limit: 100})
	if err != nil {
		s.error(w, r, err)
		return
	}
	s.render(w, r, "letters", http.StatusOK, map[string]any{"Letters": ls, "Total": n, "Status": status, "Statuses": amparo.LetterStatuses})
}

func (s *Server) letterNew(w http.ResponseWriter, r *http.Request) {
	sess := s.signedIn(w, r)
	if sess == nil {
		return
	}
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
	sess := s.signedIn(w, r)
	if sess == nil {
		return
	}
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
		f.add("member", s.Catalog.T(s.language(w, r), "letters.err.member"))
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
	if s.signedIn(w, r) == nil {
		return
	}
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
	}
	if l.Status == amparo.LetterActive {
		if link, err := s.Phones.FindPhoneLink(ctx, l.ID); err == nil {
			data["PhoneURL"] = s.phoneURL(ctx, link.Token)
			data["PIN"] = link.PIN
		}
	}
	s.render(w, r, "letter", status, data)
}

// phoneURL is the address of a phone page.
func (s *Server) phoneURL(ctx context.Context, token string) string {
	p, err := s.Programs.FindProgram(ctx)
	if err != nil {
		return "/p/" + token
	}
	return p.PhoneURL(token)
}

// letterPDF serves an active letter's letter or wallet card as a PDF.
func (s *Server) letterPDF(w http.ResponseWriter, r *http.Request) {
	if s.signedIn(w, r) == nil {
		return
	}
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

// letterAction issues, renews or revokes, by the path's last word.
func (s *Server) letterAction(w http.ResponseWriter, r *http.Request) {
	if s.signedIn(w, r) == nil {
		return
	}
	ctx, id := r.Context(), r.PathValue("id")
	var l *amparo.Letter
	var err error
	switch r.URL.Path[strings.LastIndex(r.URL.Path, "/")+1:] {
	case "issue":
		l, err = s.Letters.IssueLetter(ctx, id)
	case "renew":
		l, err = s.Letters.RenewLetter(ctx, id)
	case "revoke":
		reason := strings.TrimSpace(r.PostFormValue("reason"))
		if reason == "" {
			f := &form{Values: map[string]string{}}
			f.add("reason", s.Catalog.T(s.language(w, r), "letters.err.reason"))
			s.showLetter(w, r, http.StatusUnprocessableEntity, f)
			return
		}
		l, err = s.Letters.RevokeLetter(ctx, id, reason)
	}
	if err != nil {
		f := &form{Values: map[string]string{}}
		if amparo.ErrorCode(err) == amparo.EINVALID || amparo.ErrorCode(err) == amparo.ECONFLICT {
			f.add("action", amparo.ErrorMessage(err))
			s.showLetter(w, r, http.StatusUnprocessableEntity, f)
			return
		}
		s.error(w, r, err)
		return
	}
	http.Redirect(w, r, "/letters/"+l.ID, http.StatusSeeOther)
}

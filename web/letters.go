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
	"github.com/amparo-project/amparo/credential"
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
	mux.Allow("POST /letters/{id}/revoke", seesClients, s.letterRevoke)
	mux.Allow("GET /letters/{id}/{doc}", seesClients, s.letterPDF)
}

// letterList lists the organization's letters, newest first: filtered by
// the client's name (q), the member who signs, the status (or
// "awaiting": the drafts sent to the reader for approval), and letters
// expiring within some days; sorted by the main columns.
func (s *Server) letterList(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	q, err := parseList(r, amparo.LetterSorts, "-created")
	if err != nil {
		s.error(w, r, err)
		return
	}
	f, err := letterFilter(r, q)
	if err != nil {
		s.error(w, r, err)
		return
	}
	ls, n, err := s.Letters.FindLetters(ctx, f)
	pg, err := q.Paged(n, err)
	if err != nil {
		s.error(w, r, err)
		return
	}
	sess := sessionFrom(ctx)
	ms, _, err := s.Members.FindMembers(ctx, amparo.MemberFilter{OrganizationID: sess.Account.OrganizationID, Limit: 1000})
	if err != nil {
		s.error(w, r, err)
		return
	}
	v := r.URL.Query()
	expiring, _ := strconv.Atoi(v.Get("expiring")) // letterFilter read it
	s.render(w, r, "letters", http.StatusOK, map[string]any{"Letters": ls, "Pager": pg, "Members": ms,
		"Status": v.Get("status"), "Member": v.Get("member"), "Expiring": expiring, "Awaiting": f.AwaitingApproval,
		"Statuses": amparo.LetterStatuses, "Expirings": []int{30, 60, 90}})
}

// letterFilter reads the letter list's filters from r's address; one it
// does not understand is EINVALID, said in the reader's language.
func letterFilter(r *http.Request, q listQuery) (amparo.LetterFilter, error) {
	v := r.URL.Query()
	f := amparo.LetterFilter{ClientName: q.Q, Sort: q.Sort, Offset: q.Offset(), Limit: q.Limit(),
		AwaitingApproval: v.Get("awaiting") == "1" || v.Get("status") == "awaiting"}
	bad := func(field string) error {
		return amparo.Invalid(field, "The list cannot be filtered that way.").Localize("list.bad_filter")
	}
	if st := v.Get("status"); st != "" && st != "awaiting" {
		if !slices.Contains(amparo.LetterStatuses, amparo.LetterStatus(st)) {
			return f, bad("status")
		}
		f.Status = amparo.LetterStatus(st)
	}
	if m := v.Get("member"); m != "" {
		if len(m) != 32 || strings.Trim(m, "0123456789abcdef") != "" {
			return f, bad("member")
		}
		f.MemberID = m
	}
	if e := v.Get("expiring"); e != "" {
		days, err := strconv.Atoi(e)
		if err != nil || days < 1 || days > 3660 {
			return f, bad("expiring")
		}
		f.ExpiresBefore = time.Now().AddDate(0, 0, days)
	}
	return f, nil
}

// letterSeen is a letter's state as a confirmation page shows it: any
// step of its lifecycle changes it.
func letterSeen(l *amparo.Letter) string { return seenAt(string(l.Status), l.UpdatedAt) }

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
	s.done(w, r, "/letters/"+l.ID, "letters.created", c.LegalName)
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
	a := sessionFrom(ctx).Actor()
	if m, err := s.Members.FindMemberByID(ctx, l.MemberID); err == nil {
		data["Member"] = m
		// Only the member named approves: the button is theirs alone; only
		// those who may revoke see the revoke form (Actor.RevokesFor).
		data["Signer"] = a.SignsFor(m)
		data["Revoker"] = a.RevokesFor(m)
	}
	data["Submitter"] = a.WritesClientsOf(l.OrganizationID)
	// Who prepared, sent and approved the letter, by name.
	for key, id := range map[string]string{"Preparer": l.CreatedBy, "Sender": l.SubmittedBy, "Approver": l.ApprovedBy} {
		if id == "" {
			continue
		}
		if acc, err := s.Accounts.FindAccountByID(ctx, id); err == nil {
			data[key] = acc.Name
		}
	}
	if l.Status == amparo.LetterDraft {
		// The preview says what the letter will say, and until when it
		// would be valid if approved now.
		if p, err := s.Programs.FindProgram(ctx); err == nil {
			data["PreviewLastDay"] = p.LastValidDay(p.LetterValidUntil(time.Now()))
		}
		if o, err := s.Organizations.FindOrganizationByID(ctx, l.OrganizationID); err == nil {
			data["Organization"] = o.Name
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
	case "qr.png":
		// The letter's QR code, as the letter and card print it.
		q, qerr := credential.NewQR(d.QR)
		if qerr != nil {
			s.error(w, r, qerr)
			return
		}
		png, qerr := q.PNG(6)
		if qerr != nil {
			s.error(w, r, qerr)
			return
		}
		w.Header().Set("Content-Type", "image/png")
		w.Header().Set("Cache-Control", "no-store")
		w.Write(png)
		return
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
	data := map[string]any{"Letter": l, "NewLastDay": p.LastValidDay(p.LetterValidUntil(time.Now())), "Seen": letterSeen(l)}
	if m, err := s.Members.FindMemberByID(ctx, l.MemberID); err == nil {
		data["Member"] = m
		// Renewing signs a new letter: only the member named is asked.
		data["Signer"] = sessionFrom(ctx).Actor().SignsFor(m)
	}
	s.render(w, r, "letter_renew", http.StatusOK, data)
}

// letterAction sends for approval, issues or renews, by the path's last
// word. Renewing was confirmed on its page: it refuses to run if the
// letter changed since (a replayed confirmation).
func (s *Server) letterAction(w http.ResponseWriter, r *http.Request) {
	ctx, id := r.Context(), r.PathValue("id")
	cur, err := s.Letters.FindLetterByID(ctx, id)
	if err != nil {
		s.error(w, r, err)
		return
	}
	var l *amparo.Letter
	var key string
	switch r.URL.Path[strings.LastIndex(r.URL.Path, "/")+1:] {
	case "submit":
		key = "letters.submitted_done"
		l, err = s.Letters.SubmitLetter(ctx, id)
	case "issue":
		key = "letters.issued"
		l, err = s.Letters.IssueLetter(ctx, id)
	case "renew":
		key = "letters.renewed_done"
		if err = checkSeen(r, letterSeen(cur)); err != nil {
			s.error(w, r, err)
			return
		}
		l, err = s.Letters.RenewLetter(ctx, id)
	}
	if err != nil {
		s.letterFailed(w, r, id, err)
		return
	}
	switch key {
	case "letters.issued":
		s.metrics.letterIssued("issue")
	case "letters.renewed_done":
		s.metrics.letterIssued("renew")
	}
	to := "/letters/" + l.ID
	if key == "letters.renewed_done" {
		to += "?renewed=1"
	}
	s.done(w, r, to, key, cur.ClientName)
}

// letterFailed answers a refused step on the letter's page, in the
// reader's language.
func (s *Server) letterFailed(w http.ResponseWriter, r *http.Request, id string, err error) {
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
}

// letterRevoke revokes a letter in two steps: the letter page's form
// gives the reason, and the confirmation page says what will happen; only
// its button (confirmed=1, with the letter's state when shown) revokes.
func (s *Server) letterRevoke(w http.ResponseWriter, r *http.Request) {
	ctx, id := r.Context(), r.PathValue("id")
	reason := strings.TrimSpace(r.PostFormValue("reason"))
	if reason == "" {
		f := &form{Values: map[string]string{}}
		s.problem(s.language(w, r), f, "reason", "letters.err.reason")
		s.showLetter(w, r, http.StatusUnprocessableEntity, f)
		return
	}
	l, err := s.Letters.FindLetterByID(ctx, id)
	if err != nil {
		s.error(w, r, err)
		return
	}
	if r.PostFormValue("confirmed") != "1" {
		if m, err := s.Members.FindMemberByID(ctx, l.MemberID); err == nil && !sessionFrom(ctx).Actor().RevokesFor(m) {
			s.letterFailed(w, r, id, amparo.Errorf(amparo.EFORBIDDEN, "not a revoker"))
			return
		}
		lines := []amparo.Msg{{Key: "letters.revoke_what", Args: []any{l.ClientName}}, {Key: "letters.revoke_reason", Args: []any{reason}}}
		if ls, _, err := s.Letters.FindLetters(ctx, amparo.LetterFilter{ClientID: l.ClientID, Limit: 1000}); err == nil && l.ClientID != "" {
			switch n, _ := earlierCards(l, ls, time.Now()); {
			case n == 1:
				lines = append(lines, amparo.Msg{Key: "letters.revoke_earlier.one"})
			case n > 1:
				lines = append(lines, amparo.Msg{Key: "letters.revoke_earlier.other", Args: []any{n}})
			}
		}
		lines = append(lines, amparo.Msg{Key: "letters.revoke_final"})
		s.confirm(w, r, confirmation{Title: amparo.Msg{Key: "letters.revoke_title"}, Lines: lines,
			Action: "/letters/" + l.ID + "/revoke", Fields: map[string]string{"reason": reason}, Seen: letterSeen(l),
			Button: amparo.Msg{Key: "letters.revoke_confirm"}, Danger: true, Cancel: "/letters/" + l.ID})
		return
	}
	if err := checkSeen(r, letterSeen(l)); err != nil {
		s.error(w, r, err)
		return
	}
	name := l.ClientName
	if l, err = s.Letters.RevokeLetter(ctx, id, reason); err != nil {
		s.letterFailed(w, r, id, err)
		return
	}
	s.done(w, r, "/letters/"+l.ID, "letters.revoked", name)
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

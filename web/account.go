package web

import (
	"errors"
	"net/http"
	"slices"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/auth"
)

// A signed-in person's own account: its page, a new password, a new
// authenticator; and the form a page shows again after an error.

func (s *Server) accountRoutes(mux *routes) {
	mux.HandleFunc("GET /signin", s.signInForm)
	mux.HandleFunc("POST /signin", s.signIn)
	mux.HandleFunc("GET /signin/code", s.codeForm)
	mux.HandleFunc("POST /signin/code", s.code)
	mux.HandleFunc("GET /invite/{token}", s.inviteForm)
	mux.HandleFunc("POST /invite/{token}", s.acceptInvite)
	mux.HandleFunc("GET /account/totp", s.totpForm)
	mux.HandleFunc("POST /account/totp", s.enrollTOTP)
	mux.Auth("GET "+recoveryPath, s.recoveryPage)
	mux.Auth("GET "+recoveryPath+"/codes.txt", s.recoveryText)
	mux.Auth("POST "+recoveryPath, s.recoverySaved)
	mux.HandleFunc("POST /signout", s.signOut)
	mux.Auth("POST /signout/everywhere", s.signOutEverywhere)
	mux.Auth("GET /dashboard", s.dashboard)
	mux.Auth("GET /account", s.accountPage)
	mux.Auth("POST /account/password", s.changePassword)
	mux.Auth("POST /account/totp/reset", s.resetTOTP)
}

// form is what a form page shows again after an error: the values typed
// (never passwords) and the problems, each linked to its field.
type form struct {
	Values map[string]string
	Errors []fieldError
}

type fieldError struct{ Field, Message string }

// add records a problem of a field; a field's first problem is the one
// shown, so that the summary lists each field once.
func (f *form) add(field, message string) {
	if slices.ContainsFunc(f.Errors, func(e fieldError) bool { return e.Field == field }) {
		return
	}
	f.Errors = append(f.Errors, fieldError{field, message})
}

func (f *form) For(field string) string {
	for _, e := range f.Errors {
		if e.Field == field {
			return e.Message
		}
	}
	return ""
}

func (s *Server) accountPage(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, "account", http.StatusOK, map[string]any{"Form": &form{}})
}

// checkPassword verifies the signed-in person's password again, throttled
// like signing in. A failure of the store is answered here (false, true).
func (s *Server) checkPassword(w http.ResponseWriter, r *http.Request, sess *amparo.Session, password string) (ok, answered bool) {
	err := s.signins.Reauthenticate(r.Context(), sess.Account, password, clientAddr(r), s.deviceToken(r))
	var throttled *auth.ThrottledError
	switch {
	case err == nil:
		return true, false
	case errors.As(err, &throttled) || err == auth.ErrWrongPassword:
		return false, false
	}
	s.error(w, r, err)
	return false, true
}

// changePassword sets a new password after the current one is given; every
// other session ends.
func (s *Server) changePassword(w http.ResponseWriter, r *http.Request) {
	sess := sessionFrom(r.Context())
	lang := s.language(w, r)
	f := &form{}
	password := r.PostFormValue("new_password")
	ok, answered := s.checkPassword(w, r, sess, r.PostFormValue("current_password"))
	if answered {
		return
	}
	if !ok {
		f.add("current_password", s.Catalog.T(lang, "account.wrong_current"))
	} else if err := auth.CheckPassword(password, sess.Account.Email); err != nil {
		f.add("new_password", s.Catalog.T(lang, "account.password."+auth.PasswordCode(err)))
	} else if password != r.PostFormValue("confirm") {
		s.problem(lang, f, "confirm", "account.password.mismatch")
	}
	if len(f.Errors) > 0 {
		s.render(w, r, "account", http.StatusUnprocessableEntity, map[string]any{"Form": f})
		return
	}
	ctx := amparo.NewContextWithActor(r.Context(), sess.Account.Actor())
	hash, err := s.Hasher.Hash(ctx, password)
	if err == nil {
		err = s.Accounts.SetPasswordHash(ctx, sess.AccountID, hash)
	}
	if err == nil {
		err = s.Accounts.DeleteSessions(ctx, sess.AccountID)
	}
	if err != nil {
		s.error(w, r, err)
		return
	}
	s.startSession(w, r, sess.Account, true)
}

// resetTOTP shows a new authenticator to enroll, after the password.
func (s *Server) resetTOTP(w http.ResponseWriter, r *http.Request) {
	sess := sessionFrom(r.Context())
	ok, answered := s.checkPassword(w, r, sess, r.PostFormValue("current_password"))
	if answered {
		return
	}
	if !ok {
		f := &form{}
		s.problem(s.language(w, r), f, "totp_password", "account.wrong_current")
		s.render(w, r, "account", http.StatusUnprocessableEntity, map[string]any{"Form": f})
		return
	}
	e, err := auth.NewTOTP("Amparo", sess.Account.Email)
	if err != nil {
		s.error(w, r, err)
		return
	}
	s.renderTOTP(w, r, http.StatusOK, e.Secret, &form{})
}

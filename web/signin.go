package web

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/auth"
)

// Signing in: email and password, then a TOTP code (or a recovery code)
// for every role that can see client records. A session that has not given
// its second factor yet acts as no one, and may only finish signing in.

type sessionKey struct{}

// sessionFrom returns the request's session, nil when signed out.
func sessionFrom(ctx context.Context) *amparo.Session {
	s, _ := ctx.Value(sessionKey{}).(*amparo.Session)
	return s
}

// sessionCookie is __Host-session where the browser allows it: Secure,
// path /, no domain, so no other site or subdomain can set or read it.
func sessionCookie(r *http.Request) string {
	if secureContext(r) {
		return "__Host-session"
	}
	return "session"
}

func (s *Server) setSession(w http.ResponseWriter, r *http.Request, token string) {
	http.SetCookie(w, &http.Cookie{Name: sessionCookie(r), Value: token, Path: "/", HttpOnly: true,
		Secure: secureContext(r), SameSite: http.SameSiteLaxMode, MaxAge: int(amparo.SessionAbsolute.Seconds())})
}

// deviceCookie names the cookie of a browser that signed in before
// (auth.Devices), like the session's.
func deviceCookie(r *http.Request) string {
	if secureContext(r) {
		return "__Host-device"
	}
	return "device"
}

// deviceAge is how long a browser is remembered as one that signed in.
const deviceAge = 180 * 24 * time.Hour

// setDevice remembers the browser as one that signed in to a's account,
// so that a lockout by someone guessing its password from elsewhere does
// not hold it back (auth.Devices). Sent only to this site's own pages.
func (s *Server) setDevice(w http.ResponseWriter, r *http.Request, a *amparo.Account) {
	http.SetCookie(w, &http.Cookie{Name: deviceCookie(r), Value: s.signins.Devices.Issue(a.Email), Path: "/", HttpOnly: true,
		Secure: secureContext(r), SameSite: http.SameSiteStrictMode, MaxAge: int(deviceAge.Seconds())})
}

// deviceToken is the browser's device token, "" if none.
func (s *Server) deviceToken(r *http.Request) string {
	if c, err := r.Cookie(deviceCookie(r)); err == nil {
		return c.Value
	}
	return ""
}

func (s *Server) clearSession(w http.ResponseWriter, r *http.Request) {
	http.SetCookie(w, &http.Cookie{Name: sessionCookie(r), Value: "", Path: "/", HttpOnly: true,
		Secure: secureContext(r), SameSite: http.SameSiteLaxMode, MaxAge: -1})
}

// withSession makes each request act as its signed-in account, or as a
// public visitor. A session without its second factor acts as the public.
func (s *Server) withSession(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		actor := public
		ctx := r.Context()
		if c, err := r.Cookie(sessionCookie(r)); err == nil {
			sess, err := s.Accounts.FindSession(amparo.NewContextWithActor(ctx, public), c.Value)
			switch {
			case err == nil:
				ctx = context.WithValue(ctx, sessionKey{}, sess)
				if sess.SecondFactor || !sess.Account.Role.NeedsSecondFactor() {
					actor = sess.Actor() // with its second factor, which signing letters needs
				}
			case amparo.ErrorCode(err) != amparo.EUNAUTHORIZED:
				// The database failed: the person is not signed out.
				s.error(w, r, err)
				return
			}
		}
		next.ServeHTTP(w, r.WithContext(amparo.NewContextWithActor(ctx, actor)))
	})
}

func (s *Server) signInForm(w http.ResponseWriter, r *http.Request) {
	noStore(w)
	s.render(w, r, "signin", http.StatusOK, map[string]any{"Form": &form{}})
}

// signIn checks email and password. Unknown accounts, wrong passwords and
// suspended accounts get the same answer after the same work.
func (s *Server) signIn(w http.ResponseWriter, r *http.Request) {
	noStore(w)
	email := amparo.NormalizeEmail(r.PostFormValue("email"))
	account, token, err := s.signins.Password(r.Context(), email, r.PostFormValue("password"), clientAddr(r), s.deviceToken(r), s.sessionToken(r))
	if err != nil {
		f := &form{Values: map[string]string{"email": email}}
		if status := s.signInError(w, r, err, f, "email", "account.wrong"); status != 0 {
			s.render(w, r, "signin", status, map[string]any{"Form": f})
		}
		return
	}
	s.setSession(w, r, token)
	if !account.Role.NeedsSecondFactor() {
		s.setDevice(w, r, account)
	}
	s.next(w, r, account, false)
}

// signInError puts a refused attempt on field of f, and returns the status
// to answer with; 0 when it answered already (a failure of the store).
func (s *Server) signInError(w http.ResponseWriter, r *http.Request, err error, f *form, field, wrong string) int {
	lang := s.language(w, r)
	var throttled *auth.ThrottledError
	switch {
	case errors.As(err, &throttled):
		f.add(field, s.Catalog.T(lang, "account.throttled", int(throttled.Wait.Seconds())+1))
		return http.StatusTooManyRequests
	case err == auth.ErrWrongPassword || err == auth.ErrWrongCode:
		f.add(field, s.Catalog.T(lang, wrong))
		return http.StatusUnauthorized
	}
	s.error(w, r, err)
	return 0
}

// sessionToken is the token of the browser's session cookie, "" if none.
func (s *Server) sessionToken(r *http.Request) string {
	if c, err := r.Cookie(sessionCookie(r)); err == nil {
		return c.Value
	}
	return ""
}

// replaceSession ends the request's session and sets a new one, so a token
// planted before signing in is worth nothing after.
func (s *Server) replaceSession(ctx context.Context, w http.ResponseWriter, r *http.Request, accountID string, secondFactor bool) error {
	token, err := s.signins.Rotate(ctx, s.sessionToken(r), accountID, secondFactor)
	if err != nil {
		return err
	}
	s.setSession(w, r, token)
	return nil
}

// startSession replaces any session with a new one and sends the browser
// on to its next step.
func (s *Server) startSession(w http.ResponseWriter, r *http.Request, a *amparo.Account, secondFactor bool) {
	if err := s.replaceSession(r.Context(), w, r, a.ID, secondFactor); err != nil {
		s.error(w, r, err)
		return
	}
	s.next(w, r, a, secondFactor)
}

// next sends a browser that just signed in on to its next step.
func (s *Server) next(w http.ResponseWriter, r *http.Request, a *amparo.Account, secondFactor bool) {
	next := "/dashboard"
	if !secondFactor && a.Role.NeedsSecondFactor() {
		next = "/signin/code"
		if !a.TOTPEnabled {
			next = "/account/totp"
		}
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
}

func (s *Server) inviteForm(w http.ResponseWriter, r *http.Request) {
	noStore(w)
	inv, err := s.Accounts.FindInvitation(r.Context(), r.PathValue("token"))
	if err != nil {
		s.render(w, r, "invite", http.StatusNotFound, map[string]any{"Gone": true})
		return
	}
	s.render(w, r, "invite", http.StatusOK, map[string]any{"Invitation": inv, "Form": &form{}})
}

// acceptInvite makes the account with a name and a password.
func (s *Server) acceptInvite(w http.ResponseWriter, r *http.Request) {
	noStore(w)
	ctx := r.Context()
	inv, err := s.Accounts.FindInvitation(ctx, r.PathValue("token"))
	if err != nil {
		s.render(w, r, "invite", http.StatusNotFound, map[string]any{"Gone": true})
		return
	}
	lang := s.language(w, r)
	name, password := strings.TrimSpace(r.PostFormValue("name")), r.PostFormValue("password")
	f := &form{Values: map[string]string{"name": name}}
	if name == "" {
		f.add("name", s.Catalog.T(lang, "account.name_required"))
	}
	if err := auth.CheckPassword(password, inv.Email); err != nil {
		f.add("password", s.Catalog.T(lang, "account.password."+auth.PasswordCode(err)))
	} else if password != r.PostFormValue("confirm") {
		f.add("confirm", s.Catalog.T(lang, "account.password.mismatch"))
	}
	if len(f.Errors) > 0 {
		s.render(w, r, "invite", http.StatusUnprocessableEntity, map[string]any{"Invitation": inv, "Form": f})
		return
	}
	hash, err := s.Hasher.Hash(ctx, password)
	if err != nil {
		s.error(w, r, err)
		return
	}
	a, err := s.Accounts.AcceptInvitation(ctx, r.PathValue("token"), name, hash)
	if err != nil {
		s.error(w, r, err)
		return
	}
	s.startSession(w, r, a, false)
}

func (s *Server) signOut(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie(sessionCookie(r)); err == nil {
		if err := s.Accounts.DeleteSession(r.Context(), c.Value); err != nil {
			s.error(w, r, err)
			return
		}
	}
	s.clearSession(w, r)
	http.Redirect(w, r, "/signin", http.StatusSeeOther)
}

func (s *Server) signOutEverywhere(w http.ResponseWriter, r *http.Request) {
	sess := sessionFrom(r.Context())
	if err := s.Accounts.DeleteSessions(r.Context(), sess.AccountID); err != nil {
		s.error(w, r, err)
		return
	}
	s.clearSession(w, r)
	http.Redirect(w, r, "/signin", http.StatusSeeOther)
}

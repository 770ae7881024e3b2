package web

import (
	"context"
	"crypto/hmac"
	"encoding/base64"
	"html/template"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"rsc.io/qr"

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

// secureContext reports whether cookies may be Secure: over TLS, or on
// localhost, which browsers treat as secure.
func secureContext(r *http.Request) bool {
	host, _, err := net.SplitHostPort(r.Host)
	if err != nil {
		host = r.Host
	}
	return r.TLS != nil || host == "localhost" || host == "127.0.0.1" || host == "::1"
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
		if c, err := r.Cookie(sessionCookie(r)); err == nil && s.Accounts != nil {
			if sess, err := s.Accounts.FindSession(amparo.NewContextWithActor(ctx, public), c.Value); err == nil {
				ctx = context.WithValue(ctx, sessionKey{}, sess)
				if sess.SecondFactor || !sess.Account.Role.NeedsSecondFactor() {
					actor = sess.Actor() // with its second factor, which signing letters needs
				}
			}
		}
		next.ServeHTTP(w, r.WithContext(amparo.NewContextWithActor(ctx, actor)))
	})
}

// signedIn returns the fully signed-in session, or sends the browser to
// sign in and returns nil.
func (s *Server) signedIn(w http.ResponseWriter, r *http.Request) *amparo.Session {
	sess := sessionFrom(r.Context())
	switch {
	case sess == nil:
		http.Redirect(w, r, "/signin", http.StatusSeeOther)
		return nil
	case !sess.SecondFactor && sess.Account.Role.NeedsSecondFactor():
		if sess.Account.TOTPEnabled {
			http.Redirect(w, r, "/signin/code", http.StatusSeeOther)
		} else {
			http.Redirect(w, r, "/account/totp", http.StatusSeeOther)
		}
		return nil
	}
	w.Header().Set("Cache-Control", "no-store")
	return sess
}

func (s *Server) accountRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /signin", s.signInForm)
	mux.HandleFunc("POST /signin", s.signIn)
	mux.HandleFunc("GET /signin/code", s.codeForm)
	mux.HandleFunc("POST /signin/code", s.code)
	mux.HandleFunc("GET /invite/{token}", s.inviteForm)
	mux.HandleFunc("POST /invite/{token}", s.acceptInvite)
	mux.HandleFunc("GET /account/totp", s.totpForm)
	mux.HandleFunc("POST /account/totp", s.enrollTOTP)
	mux.HandleFunc("GET "+recoveryPath, s.recoveryPage)
	mux.HandleFunc("GET "+recoveryPath+"/codes.txt", s.recoveryText)
	mux.HandleFunc("POST "+recoveryPath, s.recoverySaved)
	mux.HandleFunc("POST /signout", s.signOut)
	mux.HandleFunc("POST /signout/everywhere", s.signOutEverywhere)
	mux.HandleFunc("GET /dashboard", s.dashboard)
	mux.HandleFunc("GET /account", s.accountPage)
	mux.HandleFunc("POST /account/password", s.changePassword)
	mux.HandleFunc("POST /account/totp/reset", s.resetTOTP)
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

func (s *Server) signInForm(w http.ResponseWriter, r *http.Request) {
	noStore(w)
	s.render(w, r, "signin", http.StatusOK, map[string]any{"Form": &form{}})
}

func clientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// signIn checks email and password. Unknown accounts, wrong passwords and
// suspended accounts get the same answer after the same work.
func (s *Server) signIn(w http.ResponseWriter, r *http.Request) {
	noStore(w)
	email, password := amparo.NormalizeEmail(r.PostFormValue("email")), r.PostFormValue("password")
	lang := s.language(w, r)
	f := &form{Values: map[string]string{"email": email}}
	now, addr := time.Now(), clientAddr(r)
	if ok, wait := s.Limiter.Allow(email, addr, now); !ok {
		s.problem(lang, f, "email", "account.throttled", int(wait.Seconds())+1)
		s.render(w, r, "signin", http.StatusTooManyRequests, map[string]any{"Form": f})
		return
	}
	ctx := r.Context()
	account, creds, err := s.Accounts.FindCredentials(ctx, email)
	ok := false
	if err == nil && account.Status == amparo.AccountActive {
		var rehash bool
		ok, rehash, err = s.Hasher.Verify(ctx, password, creds.PasswordHash)
		if ok && rehash {
			if h, err := s.Hasher.Hash(ctx, password); err == nil {
				s.Accounts.SetPasswordHash(amparo.NewContextWithActor(ctx, account.Actor()), account.ID, h)
			}
		}
	} else {
		s.Hasher.VerifyNoAccount(ctx, password)
	}
	if !ok {
		s.Limiter.Fail(email, addr, now)
		id := ""
		if account != nil {
			id = account.ID
		}
		s.Accounts.AuditSignInFailure(ctx, id)
		s.problem(lang, f, "email", "account.wrong")
		s.render(w, r, "signin", http.StatusUnauthorized, map[string]any{"Form": f})
		return
	}
	s.Limiter.Succeed(email, addr, now)
	s.startSession(w, r, account, false)
}

// replaceSession ends the request's session and sets a new one, so a token
// planted before signing in is worth nothing after.
func (s *Server) replaceSession(ctx context.Context, w http.ResponseWriter, r *http.Request, accountID string, secondFactor bool) error {
	if c, err := r.Cookie(sessionCookie(r)); err == nil {
		s.Accounts.DeleteSession(ctx, c.Value)
	}
	token, err := s.Accounts.CreateSession(ctx, accountID, secondFactor)
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
	next := "/dashboard"
	if !secondFactor && a.Role.NeedsSecondFactor() {
		next = "/signin/code"
		if !a.TOTPEnabled {
			next = "/account/totp"
		}
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
}

func (s *Server) codeForm(w http.ResponseWriter, r *http.Request) {
	noStore(w)
	if sessionFrom(r.Context()) == nil {
		http.Redirect(w, r, "/signin", http.StatusSeeOther)
		return
	}
	s.render(w, r, "signin_code", http.StatusOK, map[string]any{"Form": &form{}})
}

// code checks the second factor: a TOTP code, once, or a recovery code.
func (s *Server) code(w http.ResponseWriter, r *http.Request) {
	noStore(w)
	sess := sessionFrom(r.Context())
	if sess == nil {
		http.Redirect(w, r, "/signin", http.StatusSeeOther)
		return
	}
	code := strings.TrimSpace(r.PostFormValue("code"))
	now, addr, email := time.Now(), clientAddr(r), sess.Account.Email
	lang := s.language(w, r)
	f := &form{}
	if ok, wait := s.Limiter.Allow(email, addr, now); !ok {
		s.problem(lang, f, "code", "account.throttled", int(wait.Seconds())+1)
		s.render(w, r, "signin_code", http.StatusTooManyRequests, map[string]any{"Form": f})
		return
	}
	ctx := r.Context()
	_, creds, err := s.Accounts.FindCredentials(ctx, email)
	if err != nil {
		s.error(w, r, err)
		return
	}
	ok := false
	if step, valid := auth.ValidateTOTP(creds.TOTPSecret, code, now, creds.TOTPLastStep); valid {
		ok, _ = s.Accounts.UseTOTPStep(ctx, sess.AccountID, step)
	} else if len(code) > 8 {
		ok, _ = s.Accounts.UseRecoveryCode(ctx, sess.AccountID, auth.HashRecoveryCode(code))
	}
	if !ok {
		s.Limiter.Fail(email, addr, now)
		s.Accounts.AuditSignInFailure(ctx, sess.AccountID)
		s.problem(lang, f, "code", "account.wrong_code")
		s.render(w, r, "signin_code", http.StatusUnauthorized, map[string]any{"Form": f})
		return
	}
	s.Limiter.Succeed(email, addr, now)
	s.startSession(w, r, sess.Account, true)
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
		s.problem(lang, f, "name", "account.name_required")
	}
	if err := auth.CheckPassword(password, inv.Email); err != nil {
		s.problem(lang, f, "password", "account.password."+err.(*auth.PasswordError).Code)
	} else if password != r.PostFormValue("confirm") {
		s.problem(lang, f, "confirm", "account.password.mismatch")
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

// totpForm shows a new secret to enroll, as a QR code drawn inline.
func (s *Server) totpForm(w http.ResponseWriter, r *http.Request) {
	noStore(w)
	sess := sessionFrom(r.Context())
	if sess == nil {
		http.Redirect(w, r, "/signin", http.StatusSeeOther)
		return
	}
	if sess.Account.TOTPEnabled {
		// Replacing a second factor needs the password again: /account.
		next := "/signin/code"
		if sess.SecondFactor {
			next = "/account"
		}
		http.Redirect(w, r, next, http.StatusSeeOther)
		return
	}
	e, err := auth.NewTOTP("Amparo", sess.Account.Email)
	if err != nil {
		s.error(w, r, err)
		return
	}
	s.renderTOTP(w, r, http.StatusOK, e.Secret, &form{})
}

func (s *Server) renderTOTP(w http.ResponseWriter, r *http.Request, status int, secret string, f *form) {
	sess := sessionFrom(r.Context())
	url := "otpauth://totp/Amparo:" + sess.Account.Email + "?secret=" + secret + "&issuer=Amparo"
	data := map[string]any{"Secret": secret, "QR": qrSVG(url), "Form": f}
	if sess.Account.TOTPEnabled {
		data["Reauth"] = s.reauthToken(sess.AccountID, time.Now().Add(10*time.Minute))
	}
	s.render(w, r, "totp", status, data)
}

// reauthToken proves, for a few minutes, that the password was just given
// again: replacing the second factor needs it.
func (s *Server) reauthToken(accountID string, exp time.Time) string {
	e := strconv.FormatInt(exp.Unix(), 10)
	return e + "." + base64.RawURLEncoding.EncodeToString(s.MAC("reauth", []byte(accountID+"|"+e)))
}

func (s *Server) validReauth(accountID, token string) bool {
	e, _, ok := strings.Cut(token, ".")
	exp, err := strconv.ParseInt(e, 10, 64)
	if !ok || err != nil || time.Now().Unix() > exp {
		return false
	}
	return hmac.Equal([]byte(token), []byte(s.reauthToken(accountID, time.Unix(exp, 0))))
}

// enrollTOTP turns the second factor on once a code from the new secret
// checks, and sends the person to their new recovery codes.
func (s *Server) enrollTOTP(w http.ResponseWriter, r *http.Request) {
	noStore(w)
	sess := sessionFrom(r.Context())
	if sess == nil || sess.Account.TOTPEnabled && (!sess.SecondFactor || !s.validReauth(sess.AccountID, r.PostFormValue("reauth"))) {
		http.Redirect(w, r, "/signin", http.StatusSeeOther)
		return
	}
	secret, code := r.PostFormValue("secret"), strings.TrimSpace(r.PostFormValue("code"))
	step, ok := auth.ValidateTOTP(secret, code, time.Now(), 0)
	if !ok {
		f := &form{}
		s.problem(s.language(w, r), f, "code", "account.wrong_code")
		s.renderTOTP(w, r, http.StatusUnprocessableEntity, secret, f)
		return
	}
	ctx := amparo.NewContextWithActor(r.Context(), sess.Account.Actor())
	codes, hashes := auth.NewRecoveryCodes(10)
	if err := s.Accounts.SetTOTP(ctx, sess.AccountID, secret, hashes); err != nil {
		s.error(w, r, err)
		return
	}
	s.Accounts.UseTOTPStep(ctx, sess.AccountID, step)
	if err := s.replaceSession(ctx, w, r, sess.AccountID, true); err != nil {
		s.error(w, r, err)
		return
	}
	// The codes are kept until the person says they saved them: a switch
	// of language or a reload shows them again (post/redirect/get).
	if err := s.keepRecoveryCodes(w, r, sess.AccountID, codes); err != nil {
		s.error(w, r, err)
		return
	}
	http.Redirect(w, r, recoveryPath, http.StatusSeeOther)
}

func (s *Server) signOut(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie(sessionCookie(r)); err == nil {
		s.Accounts.DeleteSession(r.Context(), c.Value)
	}
	s.clearSession(w, r)
	http.Redirect(w, r, "/signin", http.StatusSeeOther)
}

func (s *Server) signOutEverywhere(w http.ResponseWriter, r *http.Request) {
	sess := s.signedIn(w, r)
	if sess == nil {
		return
	}
	if err := s.Accounts.DeleteSessions(r.Context(), sess.AccountID); err != nil {
		s.error(w, r, err)
		return
	}
	s.clearSession(w, r)
	http.Redirect(w, r, "/signin", http.StatusSeeOther)
}

func (s *Server) dashboard(w http.ResponseWriter, r *http.Request) {
	sess := s.signedIn(w, r)
	if sess == nil {
		return
	}
	data := map[string]any{"Account": sess.Account}
	ctx := r.Context()
	if sess.Account.Actor().SeesClients() {
		_, drafts, _ := s.Letters.FindLetters(ctx, amparo.LetterFilter{Status: amparo.LetterDraft, Limit: 1})
		_, active, _ := s.Letters.FindLetters(ctx, amparo.LetterFilter{Status: amparo.LetterActive, Limit: 1})
		data["Drafts"], data["Active"] = drafts, active
		_, data["Awaiting"], _ = s.Letters.FindLetters(ctx, amparo.LetterFilter{AwaitingApproval: true, Limit: 1})
	}
	s.render(w, r, "dashboard", http.StatusOK, data)
}

// qrSVG draws a QR code as inline SVG: no image request carries the secret.
func qrSVG(text string) template.HTML {
	code, err := qr.Encode(text, qr.M)
	if err != nil {
		return ""
	}
	n := code.Size
	var b strings.Builder
	b.WriteString(`<svg xmlns="http://www.w3.org/2000/svg" class="qr" role="img" viewBox="-4 -4 `)
	b.WriteString(strconv.Itoa(n+8) + " " + strconv.Itoa(n+8) + `" shape-rendering="crispEdges"><rect x="-4" y="-4" width="` + strconv.Itoa(n+8) + `" height="` + strconv.Itoa(n+8) + `" fill="#fff"/><path fill="#000" d="`)
	for y := 0; y < n; y++ {
		for x := 0; x < n; x++ {
			if code.Black(x, y) {
				b.WriteString("M" + strconv.Itoa(x) + " " + strconv.Itoa(y) + "h1v1h-1z")
			}
		}
	}
	b.WriteString(`"/></svg>`)
	return template.HTML(b.String())
}

func (s *Server) accountPage(w http.ResponseWriter, r *http.Request) {
	if s.signedIn(w, r) == nil {
		return
	}
	s.render(w, r, "account", http.StatusOK, map[string]any{"Form": &form{}})
}

// checkPassword verifies the signed-in person's password again, throttled
// like signing in.
func (s *Server) checkPassword(r *http.Request, sess *amparo.Session, password string) bool {
	now, addr := time.Now(), clientAddr(r)
	if ok, _ := s.Limiter.Allow(sess.Account.Email, addr, now); !ok {
		return false
	}
	_, creds, err := s.Accounts.FindCredentials(r.Context(), sess.Account.Email)
	if err != nil {
		return false
	}
	ok, _, err := s.Hasher.Verify(r.Context(), password, creds.PasswordHash)
	if !ok || err != nil {
		s.Limiter.Fail(sess.Account.Email, addr, now)
		return false
	}
	s.Limiter.Succeed(sess.Account.Email, addr, now)
	return true
}

// changePassword sets a new password after the current one is given; every
// other session ends.
func (s *Server) changePassword(w http.ResponseWriter, r *http.Request) {
	sess := s.signedIn(w, r)
	if sess == nil {
		return
	}
	lang := s.language(w, r)
	f := &form{}
	password := r.PostFormValue("new_password")
	if !s.checkPassword(r, sess, r.PostFormValue("current_password")) {
		s.problem(lang, f, "current_password", "account.wrong_current")
	} else if err := auth.CheckPassword(password, sess.Account.Email); err != nil {
		s.problem(lang, f, "new_password", "account.password."+err.(*auth.PasswordError).Code)
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
	sess := s.signedIn(w, r)
	if sess == nil {
		return
	}
	if !s.checkPassword(r, sess, r.PostFormValue("current_password")) {
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

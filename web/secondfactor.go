package web

import (
	"crypto/hmac"
	"encoding/base64"
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/auth"
	"github.com/amparo-project/amparo/credential"
)

// The second factor: a TOTP code, or a one-time recovery code, after the
// password; enrolling an authenticator, and replacing it after giving the
// password again.

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
	token, err := s.signins.Code(r.Context(), sess, code, clientAddr(r), s.deviceToken(r), s.sessionToken(r))
	if err != nil {
		f := &form{}
		if status := s.signInError(w, r, err, f, "code", "account.wrong_code"); status != 0 {
			s.render(w, r, "signin_code", status, map[string]any{"Form": f})
		}
		return
	}
	s.setSession(w, r, token)
	s.setDevice(w, r, sess.Account)
	// Codes of more than 8 characters are recovery codes (auth.SignIn.Code
	// tries them as such); TOTP codes have 6 digits.
	if len(code) <= 8 {
		s.next(w, r, sess.Account, true)
		return
	}
	// A recovery code was spent: say how many are left, and warn when few.
	left, err := s.Accounts.RecoveryCodesLeft(amparo.NewContextWithActor(r.Context(), sess.Account.Actor()), sess.AccountID)
	if err != nil {
		s.error(w, r, err)
		return
	}
	s.done(w, r, "/dashboard", recoveryLeftKey(left), left)
}

// recoveryLeftKey is the catalog key of the banner after signing in with a
// recovery code, by how many are left: a warning from fewRecoveryCodes on.
// (The banner's arguments travel as text, so the plural is chosen here.)
func recoveryLeftKey(n int) string {
	switch {
	case n == 0:
		return "account.recovery_none"
	case n == 1:
		return "account.recovery_one"
	case n <= fewRecoveryCodes:
		return "account.recovery_few"
	}
	return "account.recovery_left"
}

// fewRecoveryCodes is when the person is told to make new codes.
const fewRecoveryCodes = 3

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
		f.add("code", s.Catalog.T(s.language(w, r), "account.wrong_code"))
		s.renderTOTP(w, r, http.StatusUnprocessableEntity, secret, f)
		return
	}
	ctx := amparo.NewContextWithActor(r.Context(), sess.Account.Actor())
	codes, hashes := auth.NewRecoveryCodes(10)
	if err := s.Accounts.SetTOTP(ctx, sess.AccountID, secret, hashes); err != nil {
		s.error(w, r, err)
		return
	}
	// The code just given is spent: it cannot sign in again.
	if _, err := s.Accounts.UseTOTPStep(ctx, sess.AccountID, step); err != nil {
		s.error(w, r, err)
		return
	}
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

// qrSVG draws a QR code as inline SVG: no image request carries the secret.
func qrSVG(text string) template.HTML {
	q, err := credential.NewQR(text)
	if err != nil {
		return ""
	}
	return template.HTML(q.SVG("qr"))
}

package web

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"net/http"
	"strings"
	"time"
)

// Recovery codes are shown once, after the second factor is turned on;
// "once" must not mean "until the person switches language or reloads".
// They are kept, sealed, in a cookie sent only to /account/recovery, until
// the person confirms they saved them (or an hour passes): the key is the
// server's, bound to the account, so the cookie alone reveals nothing, and
// any process of a load-balanced server can open it.

const (
	recoveryCookie = "recovery"
	recoveryPath   = "/account/recovery"
	recoveryKeep   = time.Hour
)

func (s *Server) recoveryAEAD(accountID string) (cipher.AEAD, error) {
	block, err := aes.NewCipher(s.MAC("recovery-codes", []byte(accountID))[:32])
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

// keepRecoveryCodes seals an account's new codes into the cookie.
func (s *Server) keepRecoveryCodes(w http.ResponseWriter, r *http.Request, accountID string, codes []string) error {
	aead, err := s.recoveryAEAD(accountID)
	if err != nil {
		return err
	}
	nonce := make([]byte, aead.NonceSize())
	rand.Read(nonce)
	sealed := aead.Seal(nonce, nonce, []byte(strings.Join(codes, "\n")), []byte(accountID))
	http.SetCookie(w, &http.Cookie{Name: recoveryCookie, Value: base64.RawURLEncoding.EncodeToString(sealed), Path: recoveryPath,
		HttpOnly: true, Secure: secureContext(r), SameSite: http.SameSiteStrictMode, MaxAge: int(recoveryKeep.Seconds())})
	return nil
}

// recoveryCodes opens the codes kept for the signed-in account; none when
// they were saved already, or the cookie is another account's.
func (s *Server) recoveryCodes(r *http.Request, accountID string) []string {
	c, err := r.Cookie(recoveryCookie)
	if err != nil {
		return nil
	}
	sealed, err := base64.RawURLEncoding.DecodeString(c.Value)
	aead, aerr := s.recoveryAEAD(accountID)
	if err != nil || aerr != nil || len(sealed) < aead.NonceSize() {
		return nil
	}
	plain, err := aead.Open(nil, sealed[:aead.NonceSize()], sealed[aead.NonceSize():], []byte(accountID))
	if err != nil {
		return nil
	}
	return strings.Split(string(plain), "\n")
}

// recoveryPage shows the kept codes, in any language, as often as asked.
func (s *Server) recoveryPage(w http.ResponseWriter, r *http.Request) {
	sess := sessionFrom(r.Context())
	codes := s.recoveryCodes(r, sess.AccountID)
	if codes == nil {
		http.Redirect(w, r, "/dashboard", http.StatusSeeOther)
		return
	}
	s.render(w, r, "recovery", http.StatusOK, map[string]any{"Codes": codes})
}

// recoveryText downloads the kept codes as a text file, to print or keep.
func (s *Server) recoveryText(w http.ResponseWriter, r *http.Request) {
	sess := sessionFrom(r.Context())
	codes := s.recoveryCodes(r, sess.AccountID)
	if codes == nil {
		http.Redirect(w, r, "/dashboard", http.StatusSeeOther)
		return
	}
	lang := s.language(w, r)
	var b strings.Builder
	b.WriteString(s.Catalog.T(lang, "account.recovery_file", sess.Account.Email) + "\r\n\r\n")
	for _, c := range codes {
		b.WriteString(c + "\r\n")
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="amparo-recovery-codes.txt"`)
	w.Write([]byte(b.String()))
}

// recoverySaved forgets the codes once the person says they saved them.
func (s *Server) recoverySaved(w http.ResponseWriter, r *http.Request) {
	http.SetCookie(w, &http.Cookie{Name: recoveryCookie, Value: "", Path: recoveryPath, HttpOnly: true, Secure: secureContext(r),
		SameSite: http.SameSiteStrictMode, MaxAge: -1})
	http.Redirect(w, r, "/dashboard", http.StatusSeeOther)
}

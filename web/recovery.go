package web

import (
	"net/http"
	"strings"
	"time"
)

// Recovery codes are shown once, after the second factor is turned on;
// "once" must not mean "until the person switches language or reloads".
// They are kept in a sealed cookie (sealed.go) sent only to
// /account/recovery, until the person confirms they saved them or an hour
// passes.

const (
	recoveryCookie = "recovery"
	recoveryPath   = "/account/recovery"
	recoveryKeep   = time.Hour
)

// keepRecoveryCodes seals an account's new codes into the cookie.
func (s *Server) keepRecoveryCodes(w http.ResponseWriter, r *http.Request, accountID string, codes []string) error {
	return s.keepSealed(w, r, recoveryCookie, recoveryPath, accountID, []byte(strings.Join(codes, "\n")), recoveryKeep)
}

// recoveryCodes opens the codes kept for the signed-in account; none when
// they were saved already, or the cookie is another account's.
func (s *Server) recoveryCodes(r *http.Request, accountID string) []string {
	plain := s.openSealed(r, recoveryCookie, accountID)
	if plain == nil {
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
	forgetSealed(w, r, recoveryCookie, recoveryPath)
	http.Redirect(w, r, "/dashboard", http.StatusSeeOther)
}

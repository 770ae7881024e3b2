package web

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"net/http"
	"time"
)

// What a page shows once (recovery codes, an invitation's link) must not
// be lost when the person switches language or reloads: the answer to the
// POST that made it is a redirect to a GET page that reads it from a
// sealed cookie, sent only to that page's path, for a while. The key is
// the server's, bound to a purpose and the signed-in account, so the
// cookie alone reveals nothing and any process behind a load balancer can
// open it.

func (s *Server) sealedAEAD(purpose, accountID string) (cipher.AEAD, error) {
	block, err := aes.NewCipher(s.MAC(purpose, []byte(accountID))[:32])
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

// keepSealed seals value into the cookie name, sent only to path, for keep.
func (s *Server) keepSealed(w http.ResponseWriter, r *http.Request, name, path, accountID string, value []byte, keep time.Duration) error {
	aead, err := s.sealedAEAD(name, accountID)
	if err != nil {
		return err
	}
	nonce := make([]byte, aead.NonceSize())
	rand.Read(nonce)
	sealed := aead.Seal(nonce, nonce, value, []byte(accountID))
	http.SetCookie(w, &http.Cookie{Name: name, Value: base64.RawURLEncoding.EncodeToString(sealed), Path: path,
		HttpOnly: true, Secure: secureContext(r), SameSite: http.SameSiteStrictMode, MaxAge: int(keep.Seconds())})
	return nil
}

// openSealed opens the cookie name kept for accountID; nil when there is
// none, it expired, or it is another account's.
func (s *Server) openSealed(r *http.Request, name, accountID string) []byte {
	c, err := r.Cookie(name)
	if err != nil {
		return nil
	}
	sealed, err := base64.RawURLEncoding.DecodeString(c.Value)
	aead, aerr := s.sealedAEAD(name, accountID)
	if err != nil || aerr != nil || len(sealed) < aead.NonceSize() {
		return nil
	}
	plain, err := aead.Open(nil, sealed[:aead.NonceSize()], sealed[aead.NonceSize():], []byte(accountID))
	if err != nil {
		return nil
	}
	return plain
}

// forgetSealed removes the cookie name.
func forgetSealed(w http.ResponseWriter, r *http.Request, name, path string) {
	http.SetCookie(w, &http.Cookie{Name: name, Value: "", Path: path, HttpOnly: true, Secure: secureContext(r),
		SameSite: http.SameSiteStrictMode, MaxAge: -1})
}

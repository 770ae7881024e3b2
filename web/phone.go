package web

import (
	"bytes"
	"crypto/hmac"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"image"
	"image/png"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/auth"
	"github.com/amparo-project/amparo/credential"
)

// The phone page is a client's current letter on their phone, at
// /p/{token}: the QR large, the names, tap-to-call, know-your-rights. The
// link is the client's and outlives a renewal; the token is its secret and
// nothing personal. A PIN opens it, and a signed cookie, scoped to the
// link's path, remembers that for phoneCookieAge; wrong PINs lock out the
// address that sent them, never a device holding the cookie. A service
// worker (static/phone-sw.js) keeps this page, its QR and styles, so it
// reads offline after the first visit.

const phoneCookieAge = 90 * 24 * time.Hour

func (s *Server) phoneRoutes(mux *routes) {
	mux.HandleFunc("GET /p/sw.js", phoneServiceWorker)
	mux.HandleFunc("GET /p/icon.png", phoneIcon)
	mux.HandleFunc("GET /p/{token}", s.wellFormed(s.phonePage))
	mux.HandleFunc("POST /p/{token}", s.wellFormed(s.phonePIN))
	mux.HandleFunc("GET /p/{token}/qr.png", s.wellFormed(s.phoneQR))
	mux.HandleFunc("GET /p/{token}/letter.pdf", s.wellFormed(s.phonePDF))
	mux.HandleFunc("GET /p/{token}/manifest.webmanifest", s.wellFormed(s.phoneManifest))
	mux.HandleFunc("GET /p/{token}/forget", s.wellFormed(s.phoneForgetConfirm))
	mux.HandleFunc("POST /p/{token}/forget", s.wellFormed(s.phoneForget))
}

// wellFormed refuses a link whose token could not be one (such as
// "..%2F..%2Fsignout"), before anything is looked up or rendered: the
// pages build their forms' addresses from it.
func (s *Server) wellFormed(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if !auth.WellFormedToken(r.PathValue("token")) {
			s.error(w, r, amparo.Errorf(amparo.ENOTFOUND, "No such link.").Localize("phone.gone"))
			return
		}
		h(w, r)
	}
}

// phoneCookie signs (token, link, expiry): it proves the PIN was given for
// this link, and only works under this link's path.
func (s *Server) phoneCookie(token, linkID string, exp time.Time) string {
	e := strconv.FormatInt(exp.Unix(), 10)
	mac := s.MAC("phone cookie", []byte(token+"|"+linkID+"|"+e))
	return linkID + "." + e + "." + base64.RawURLEncoding.EncodeToString(mac)
}

// phoneLink returns the link a request's cookie opened, or "".
func (s *Server) phoneLink(r *http.Request, token string) string {
	c, err := r.Cookie("phone")
	if err != nil {
		return ""
	}
	parts := strings.Split(c.Value, ".")
	if len(parts) != 3 {
		return ""
	}
	exp, err := strconv.ParseInt(parts[1], 10, 64)
	if err != nil || time.Now().Unix() > exp {
		return ""
	}
	want := s.phoneCookie(token, parts[0], time.Unix(exp, 0))
	if !hmac.Equal([]byte(want), []byte(c.Value)) {
		return ""
	}
	return parts[0]
}

func noStore(w http.ResponseWriter) {
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Referrer-Policy", "no-referrer")
}

func (s *Server) phonePage(w http.ResponseWriter, r *http.Request) {
	noStore(w)
	token := r.PathValue("token")
	linkID := s.phoneLink(r, token)
	if linkID == "" {
		s.render(w, r, "phone_pin", http.StatusOK, map[string]any{"Token": token})
		return
	}
	page, err := s.Phones.PhoneLetterByLink(r.Context(), linkID)
	if err != nil {
		s.phonePINError(w, r, token, err)
		return
	}
	s.showPhoneLetter(w, r, token, page)
}

func (s *Server) showPhoneLetter(w http.ResponseWriter, r *http.Request, token string, page *amparo.PhoneLetter) {
	// The service worker keeps only responses marked as the letter page, and
	// drops the QR it kept when the letter no longer has one.
	w.Header().Set("X-Amparo-Phone", "letter")
	if page.QR == "" {
		w.Header().Set("X-Amparo-Phone-QR", "none")
	}
	// The response plan, if the client has one: who the button tells.
	plan, err := s.Alerts.PlanByLink(r.Context(), page.LinkID)
	if err != nil && amparo.ErrorCode(err) != amparo.ENOTFOUND {
		s.error(w, r, err)
		return
	}
	s.renderLang(w, r, page.Language, "phone", http.StatusOK, map[string]any{"Token": token, "Letter": page, "Plan": plan,
		"Hotline": hotline(plan), "Rights": s.rights(s.Catalog.Match(page.Language, "")), "RightsEN": s.rights("en")})
}

// rights lists the know-your-rights statements in lang, falling back to
// English for a language that lacks them.
func (s *Server) rights(lang string) []string {
	var out []string
	for i := 1; ; i++ {
		key := fmt.Sprintf("kyr.%d", i)
		if !s.Catalog.Has(key) {
			return out
		}
		out = append(out, s.Catalog.T(lang, key))
	}
}

func (s *Server) phonePIN(w http.ResponseWriter, r *http.Request) {
	noStore(w)
	token := r.PathValue("token")
	pin := strings.TrimSpace(r.PostFormValue("pin"))
	// Wrong PINs lock out the address that sent them, not the link: a
	// device that opened the page before keeps its cookie, which phonePage
	// checks with no lockout.
	page, err := s.Phones.OpenPhoneLetter(r.Context(), token, pin, clientAddr(r))
	if err != nil {
		s.phonePINError(w, r, token, err)
		return
	}
	exp := time.Now().Add(phoneCookieAge)
	http.SetCookie(w, &http.Cookie{Name: "phone", Value: s.phoneCookie(token, page.LinkID, exp), Path: "/p/" + token,
		Expires: exp, HttpOnly: true, Secure: secureContext(r), SameSite: http.SameSiteStrictMode})
	// Post/redirect/get: a reload does not send the PIN again.
	http.Redirect(w, r, "/p/"+token, http.StatusSeeOther)
}

func (s *Server) phonePINError(w http.ResponseWriter, r *http.Request, token string, err error) {
	key, status := "phone.gone", http.StatusNotFound
	switch amparo.ErrorCode(err) {
	case amparo.EUNAUTHORIZED:
		key, status = "phone.wrong_pin", http.StatusUnauthorized
	case amparo.ECONFLICT:
		key, status = "phone.locked", http.StatusTooManyRequests
	case amparo.ENOTFOUND:
	default:
		s.error(w, r, err)
		return
	}
	s.render(w, r, "phone_pin", status, map[string]any{"Token": token, "Error": key})
}

// openedLetter returns the letter whose PIN the request's cookie proves;
// when there is none, it answers the request itself and returns nil.
func (s *Server) openedLetter(w http.ResponseWriter, r *http.Request) *amparo.PhoneLetter {
	linkID := s.phoneLink(r, r.PathValue("token"))
	if linkID == "" {
		s.error(w, r, amparo.Errorf(amparo.EFORBIDDEN, "No PIN was given for this link.").Localize("phone.no_pin"))
		return nil
	}
	page, err := s.Phones.PhoneLetterByLink(r.Context(), linkID)
	if err != nil {
		http.NotFound(w, r)
		return nil
	}
	return page
}

func (s *Server) phoneQR(w http.ResponseWriter, r *http.Request) {
	noStore(w)
	page := s.openedLetter(w, r)
	if page == nil {
		return
	}
	if page.QR == "" {
		http.NotFound(w, r)
		return
	}
	q, err := credential.NewQR(page.QR)
	if err != nil {
		s.error(w, r, err)
		return
	}
	b, err := q.PNG(8)
	if err != nil {
		s.error(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "image/png")
	w.Header().Set("X-Amparo-Phone", "letter")
	w.Write(b)
}

func (s *Server) phoneManifest(w http.ResponseWriter, r *http.Request) {
	token := r.PathValue("token")
	lang := s.language(w, r)
	w.Header().Set("Content-Type", "application/manifest+json")
	json.NewEncoder(w).Encode(map[string]any{
		"name": s.Catalog.T(lang, "phone.app_name"), "short_name": "Amparo", "lang": lang,
		"start_url": "/p/" + token, "scope": "/p/" + token, "display": "standalone",
		"background_color": "#ffffff", "theme_color": "#0b5d2a",
		"icons": []map[string]string{{"src": "/p/icon.png", "sizes": "192x192", "type": "image/png"}},
	})
}

// phoneForget ends the link's cookie and asks the browser to drop what
// this site keeps (the page's script also deletes its caches).
// phoneForgetConfirm asks before the letter is deleted from this phone:
// the person will need the link and PIN again.
func (s *Server) phoneForgetConfirm(w http.ResponseWriter, r *http.Request) {
	noStore(w)
	path := "/p/" + r.PathValue("token")
	s.confirm(w, r, confirmation{Title: amparo.Msg{Key: "phone.forget_title"}, Lines: []amparo.Msg{{Key: "phone.forget_hint"}},
		Action: path + "/forget", Button: amparo.Msg{Key: "phone.forget"}, Danger: true, Cancel: path})
}

func (s *Server) phoneForget(w http.ResponseWriter, r *http.Request) {
	token := r.PathValue("token")
	noStore(w)
	w.Header().Set("Clear-Site-Data", `"cache", "storage"`)
	http.SetCookie(w, &http.Cookie{Name: "phone", Value: "", Path: "/p/" + token, MaxAge: -1, HttpOnly: true,
		Secure: secureContext(r), SameSite: http.SameSiteStrictMode})
	s.render(w, r, "phone_forgotten", http.StatusOK, nil)
}

var phoneWorker = serviceWorker("phone-sw.js")

func phoneServiceWorker(w http.ResponseWriter, r *http.Request) { serveAsset(w, r, phoneWorker) }

// phoneIconPNG is the installed page's icon: a plain green square.
var phoneIconPNG = func() asset {
	img := image.NewRGBA(image.Rect(0, 0, 192, 192))
	for i := 0; i < len(img.Pix); i += 4 {
		copy(img.Pix[i:], []byte{0x0b, 0x5d, 0x2a, 0xff})
	}
	var b bytes.Buffer
	png.Encode(&b, img)
	return asset{body: b.Bytes(), contentType: "image/png", etag: etagOf(b.Bytes())}
}()

func phoneIcon(w http.ResponseWriter, r *http.Request) { serveAsset(w, r, phoneIconPNG) }

// phonePDF serves the letter's PDF to the client whose cookie proves the
// PIN. The store's PhoneLetterByLink is the authorization: its letter, and
// no other, is then read as the operator.
func (s *Server) phonePDF(w http.ResponseWriter, r *http.Request) {
	page := s.openedLetter(w, r)
	if page == nil {
		return
	}
	if page.Status != amparo.LetterActive {
		http.NotFound(w, r)
		return
	}
	s.servePDF(w, r, amparo.NewContextWithActor(r.Context(), amparo.SystemActor), page.LetterID, "letter.pdf")
}

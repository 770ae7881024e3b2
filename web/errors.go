package web

import (
	"errors"
	"net/http"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/locale"
)

// The words of an error are chosen here, once, in the reader's language:
// handlers pass errors and catalog keys, never English.

// problems unwraps errors.Join's list, so that a form shows every problem
// of a record at once.
func problems(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	if err == nil {
		return nil
	}
	return []error{err}
}

// statusError is answered with its own HTTP status (413, 429 …) on the
// error page of code ("invalid", "too_many"), saying msg.
type statusError struct {
	status int
	code   string
	msg    amparo.Msg
}

func (e *statusError) Error() string { return e.msg.Key }

// failWith is a statusError: failWith(413, amparo.EINVALID, "form.too_large").
func failWith(status int, code, key string, args ...any) error {
	return &statusError{status, code, amparo.Msg{Key: key, Args: args}}
}

// errorText is err in lang: its catalog key and arguments when it has
// them; else its message to an English reader (errors without a key yet
// say it in English), and to any other the catalog's words for its code,
// never English on a page in another language.
func (s *Server) errorText(lang string, err error) string {
	if m, ok := amparo.ErrorMsg(err); ok {
		return s.msgText(lang, m)
	}
	if lang != s.Catalog.Languages()[0] {
		return s.Catalog.T(lang, "error."+amparo.ErrorCode(err))
	}
	return amparo.ErrorMessage(err)
}

// localized is an argument that says itself in a language, such as a
// policy's list of parse errors.
type localized interface {
	Text(cat *locale.Catalog, lang string) string
}

// msgText is m in lang, its arguments that are messages, or say themselves
// in a language, in lang too.
func (s *Server) msgText(lang string, m amparo.Msg) string {
	args := make([]any, len(m.Args))
	for i, a := range m.Args {
		switch x := a.(type) {
		case localized:
			a = x.Text(s.Catalog, lang)
		case amparo.Msg:
			a = s.msgText(lang, x)
		}
		args[i] = a
	}
	return s.Catalog.T(lang, m.Key, args...)
}

// formErrors puts on f every problem of err that names a field, or, when
// all is true, every EINVALID or ECONFLICT one, in lang: the page's own
// words for the field (prefix+field in the catalog, such as
// "client.err.phone") when it has them, else the error's own. Problems f
// already holds without words get the page's words for their field. It
// reports whether err held any problem it put on f.
func (s *Server) formErrors(lang string, err error, f *form, prefix string, all bool) bool {
	found := false
	for _, e := range problems(err) {
		var ae *amparo.Error
		if !errors.As(e, &ae) || ae.Field == "" && !(all && (ae.Code == amparo.EINVALID || ae.Code == amparo.ECONFLICT)) {
			continue
		}
		msg := ""
		if !s.Catalog.Has(prefix + ae.Field) {
			msg = s.errorText(lang, ae)
		}
		f.add(ae.Field, msg)
		found = true
	}
	for i := range f.Errors {
		if f.Errors[i].Message == "" {
			f.Errors[i].Message = s.Catalog.T(lang, prefix+f.Errors[i].Field)
		}
	}
	return found
}

// problem puts on f the catalog's message key, in lang, as field's problem.
func (s *Server) problem(lang string, f *form, field, key string, args ...any) {
	f.add(field, s.Catalog.T(lang, key, args...))
}

// error answers with the status of err's code and a safe message; details
// go to the log, which holds no personal data.
func (s *Server) error(w http.ResponseWriter, r *http.Request, err error) {
	code := amparo.ErrorCode(err)
	status := statusOf(code)
	lang := s.language(w, r)
	var se *statusError
	detail := ""
	if code == amparo.EUNAVAILABLE {
		// The operator must hear of a full disk from the log too.
		s.Logger.ErrorContext(r.Context(), "request refused: the store cannot write", "method", r.Method, "route", r.Pattern, "err", err)
	}
	if errors.As(err, &se) {
		code, status, detail = se.code, se.status, s.msgText(lang, se.msg)
	} else if code == amparo.EINTERNAL {
		s.Logger.ErrorContext(r.Context(), "request failed", "method", r.Method, "route", r.Pattern, "err", err)
	} else if _, keyed := amparo.ErrorMsg(err); keyed || lang == "en" {
		// The reader's words for what went wrong, and what the store said
		// when it says it in the catalog's words (else, in English, only to
		// an English reader); never for a failure inside the server.
		detail = s.errorText(lang, err)
	}
	if s.pages["error"] == nil {
		http.Error(w, s.Catalog.T(lang, "error."+code), status)
		return
	}
	s.render(w, r, "error", status, map[string]any{"Code": code, "Detail": detail, "SignedIn": sessionFrom(r.Context()) != nil})
}

// statusOf maps error codes to HTTP statuses, in one place.
func statusOf(code string) int {
	switch code {
	case amparo.ECONFLICT:
		return http.StatusConflict
	case amparo.EINVALID:
		return http.StatusBadRequest
	case amparo.ENOTFOUND:
		return http.StatusNotFound
	case amparo.EUNAUTHORIZED:
		return http.StatusUnauthorized
	case amparo.EFORBIDDEN:
		return http.StatusForbidden
	case amparo.EUNAVAILABLE:
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}

package web

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/amparo-project/amparo"
)

// What every request passes through: security headers, the form guard,
// the request log with its ID, and the route that served it.

func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", "default-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		if overHTTPS(r) {
			h.Set("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
		}
		next.ServeHTTP(w, r)
	})
}

// uploadRoutes are the routes whose form uploads a file (multipart).
var uploadRoutes = map[string]bool{"POST /applicants/import": true, "POST /vendors/upload": true}

// maxForm bounds every posted form, maxUpload every uploaded file.
const (
	maxForm   = 64 << 10
	maxUpload = 32 << 20
)

// formGuard parses every posted form once, refusing one that is too large
// or holds bytes that are not UTF-8 text, before any handler sees it.
func (s *Server) formGuard(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			next.ServeHTTP(w, r)
			return
		}
		if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
			// A file upload, only where a page uploads one: its route
			// signs the person in before its handler reads the body,
			// within maxUpload. Anywhere else a multipart body would
			// escape the form's bound and its UTF-8 check.
			if _, pattern := s.mux.Handler(r); !uploadRoutes[pattern] {
				s.error(w, r, failWith(http.StatusUnsupportedMediaType, amparo.EINVALID, "form.malformed"))
				return
			}
			r.Body = http.MaxBytesReader(w, r.Body, maxUpload)
			next.ServeHTTP(w, r)
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, maxForm)
		if err := r.ParseForm(); err != nil {
			var tooBig *http.MaxBytesError
			if errors.As(err, &tooBig) {
				s.error(w, r, failWith(http.StatusRequestEntityTooLarge, amparo.EINVALID, "form.too_large"))
			} else {
				s.error(w, r, failWith(http.StatusBadRequest, amparo.EINVALID, "form.malformed"))
			}
			return
		}
		for k, vs := range r.PostForm {
			for _, v := range append(vs, k) {
				if !utf8.ValidString(v) {
					s.error(w, r, failWith(http.StatusBadRequest, amparo.EINVALID, "form.not_utf8"))
					return
				}
			}
		}
		next.ServeHTTP(w, r)
	})
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}

// logRequests logs method, path, status and duration: never the query
// string or a body, which may hold a name someone searched for.
func (s *Server) logRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		route := new(string)
		id := amparo.NewID()[:16]
		w.Header().Set("X-Request-ID", id)
		ctx := context.WithValue(context.WithValue(r.Context(), routeKey{}, route), requestIDKey{}, id)
		next.ServeHTTP(sw, r.WithContext(ctx))
		if *route == "" || *route == catchAll {
			*route = "unmatched"
		}
		s.Logger.InfoContext(ctx, "request", "method", r.Method, "route", *route, "status", sw.status, "duration", time.Since(start))
		s.metrics.observe(*route, r.Method, sw.status, start)
	})
}

// requestIDKey holds a request's ID in its context: every line the
// request logs carries it (withRequestID), and its answer too
// (X-Request-ID), so an operator finds one request's lines together.
type requestIDKey struct{}

// withRequestID adds, to each record logged with a request's context, the
// request's ID.
type withRequestID struct{ slog.Handler }

func (h withRequestID) Handle(ctx context.Context, r slog.Record) error {
	if id, ok := ctx.Value(requestIDKey{}).(string); ok {
		r.AddAttrs(slog.String("request", id))
	}
	return h.Handler.Handle(ctx, r)
}

func (h withRequestID) WithAttrs(as []slog.Attr) slog.Handler {
	return withRequestID{h.Handler.WithAttrs(as)}
}

func (h withRequestID) WithGroup(name string) slog.Handler {
	return withRequestID{h.Handler.WithGroup(name)}
}

// routeKey holds, in a request's context, where routed writes the pattern
// that served it.
type routeKey struct{}

// routed records the pattern of the route that served a request (such as
// "GET /p/{token}"), for the log: paths hold secrets (a phone link's
// token, an invitation's) and record IDs, patterns never do.
func routed(mux *http.ServeMux) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mux.ServeHTTP(w, r) // sets r.Pattern
		if route, ok := r.Context().Value(routeKey{}).(*string); ok {
			*route = r.Pattern
		}
	})
}

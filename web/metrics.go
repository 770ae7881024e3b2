package web

import (
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// The server's Prometheus metrics. Labels are route patterns, methods and
// status codes: never a path, which may hold a token or a record's ID, and
// nothing about a person.

type metrics struct {
	requests *prometheus.HistogramVec
	verified *prometheus.CounterVec
	issued   *prometheus.CounterVec
}

func newMetrics(reg prometheus.Registerer) (*metrics, error) {
	m := &metrics{
		requests: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "amparo_http_request_duration_seconds",
			Help:    "Time to answer a request, by route pattern, method and status code.",
			Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"route", "method", "code"}),
		verified: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "amparo_verifications_served_total",
			Help: "What verifiers fetched: the verify page, the trust bundle and list, and status lists.",
		}, []string{"what"}),
		issued: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "amparo_letters_issued_total",
			Help: "Letters issued through this process: approved drafts (issue) and renewals (renew).",
		}, []string{"how"}),
	}
	// Every label value from the start, so that a rate reads 0, not nothing.
	for _, how := range []string{"issue", "renew"} {
		m.issued.WithLabelValues(how)
	}
	for _, what := range []string{"page", "trust", "bundle", "status"} {
		m.verified.WithLabelValues(what)
	}
	for _, c := range []prometheus.Collector{m.requests, m.verified, m.issued} {
		if err := reg.Register(c); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// observe records a request served by route with status, begun at start.
func (m *metrics) observe(route, method string, status int, start time.Time) {
	m.requests.WithLabelValues(route, method, strconv.Itoa(status)).Observe(time.Since(start).Seconds())
}

// letterIssued counts a letter issued, how: "issue" or "renew".
func (m *metrics) letterIssued(how string) { m.issued.WithLabelValues(how).Inc() }

// verifiedBy counts what a verifier fetched, for a route that serves it.
func (m *metrics) verifiedBy(what string, h http.HandlerFunc) http.HandlerFunc {
	c := m.verified.WithLabelValues(what)
	return func(w http.ResponseWriter, r *http.Request) {
		c.Inc()
		h(w, r)
	}
}

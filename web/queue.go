package web

import (
	"net/http"

	"github.com/amparo-project/amparo"
)

// The queue: who is served first, and why (the policy: policy.go).

func (s *Server) queueRoutes(mux *routes) {
	mux.Allow("GET /queue", may(amparo.Actor.SeesClients), s.queuePage)
	s.policyRoutes(mux)
}

// queuePage shows one page of the line, 50 places, in the policy's order
// (the line has no other); places are numbered in the whole line, and
// each row links to the person's record. A page past the end, or one
// that is not a number, is answered in the reader's language.
func (s *Server) queuePage(w http.ResponseWriter, r *http.Request) {
	sess := sessionFrom(r.Context())
	q, err := parseList(r, nil, "")
	if err != nil {
		s.error(w, r, err)
		return
	}
	line, err := s.intake.Queue(r.Context(), sess.Account.OrganizationID, q.Offset(), queuePageSize)
	if err != nil {
		s.error(w, r, err)
		return
	}
	pg, err := q.Pager(len(line.Places))
	if err != nil {
		s.error(w, r, err)
		return
	}
	data := map[string]any{"Queue": line.Queue, "Version": line.Version, "Line": line, "Pager": pg}
	if len(line.Page) > 0 {
		data["First"], data["Last"] = line.Page[0].Place, line.Page[len(line.Page)-1].Place
	}
	s.render(w, r, "queue", http.StatusOK, data)
}

// queuePageSize is how many places a page of the queue shows: a page of
// any list (perPage), so that the pager's pages are the queue's.
const queuePageSize = perPage

package web

import (
	"net/http"
	"strconv"

	"github.com/amparo-project/amparo"
)

// The queue: who is served first, and why (the policy: policy.go).

func (s *Server) queueRoutes(mux *routes) {
	mux.Allow("GET /queue", may(amparo.Actor.SeesClients), s.queuePage)
	s.policyRoutes(mux)
}

// queuePage shows one page of the line; places are numbered in the whole
// line.
func (s *Server) queuePage(w http.ResponseWriter, r *http.Request) {
	sess := sessionFrom(r.Context())
	pageNo, _ := strconv.Atoi(r.URL.Query().Get("page"))
	pageNo = max(pageNo, 1)
	line, err := s.intake.Queue(r.Context(), sess.Account.OrganizationID, (pageNo-1)*queuePageSize, queuePageSize)
	if err != nil {
		s.error(w, r, err)
		return
	}
	data := map[string]any{"Queue": line.Queue, "Version": line.Version, "Line": line}
	if pageNo > 1 {
		data["Prev"] = pageNo - 1
	}
	if line.Offset+len(line.Page) < len(line.Places) {
		data["Next"] = pageNo + 1
	}
	if len(line.Page) > 0 {
		data["First"], data["Last"] = line.Page[0].Place, line.Page[len(line.Page)-1].Place
	}
	s.render(w, r, "queue", http.StatusOK, data)
}

// queuePageSize is how many places a page of the queue shows.
const queuePageSize = 50

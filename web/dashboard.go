package web

import (
	"net/http"

	"github.com/amparo-project/amparo"
)

// The dashboard: where a signed-in person lands, with the letters that
// wait for them.

func (s *Server) dashboard(w http.ResponseWriter, r *http.Request) {
	sess := sessionFrom(r.Context())
	data := map[string]any{"Account": sess.Account}
	ctx := r.Context()
	if sess.Account.Actor().SeesClients() {
		for key, f := range map[string]amparo.LetterFilter{"Drafts": {Status: amparo.LetterDraft, Limit: 1},
			"Active": {Status: amparo.LetterActive, Limit: 1}, "Awaiting": {AwaitingApproval: true, Limit: 1}} {
			_, n, err := s.Letters.FindLetters(ctx, f)
			if err != nil {
				s.error(w, r, err)
				return
			}
			data[key] = n
		}
	}
	s.render(w, r, "dashboard", http.StatusOK, data)
}

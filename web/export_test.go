package web

// Routes lists the patterns the server registered, and whether each needs
// a signed-in person: the authorization matrix test is derived from it.
func (s *Server) Routes() map[string]bool {
	out := map[string]bool{}
	for _, r := range s.routes {
		out[r.Pattern] = r.Auth
	}
	return out
}

package web

// ErrorText is errorText, for the test that no error reaches a Spanish
// page in English.
func (s *Server) ErrorText(lang string, err error) string { return s.errorText(lang, err) }

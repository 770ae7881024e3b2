package web_test

import (
	"strings"
	"testing"

	"github.com/amparo-project/amparo/web"
)

// TestNewServer_RefusesMissingService: a server without its conflict check
// must not start, nor one built without the constructor.
func TestNewServer_RefusesMissingService(t *testing.T) {
	t.Parallel()
	db, k := openStore(t)
	newTestServer(t, db, k) // the whole server starts
	var svc web.Services
	_, h := newTestServer(t, db, k, func(s *web.Services) { svc = *s })
	_ = h
	svc.Conflicts = nil
	if _, err := web.NewServer(svc); err == nil || !strings.Contains(err.Error(), "Conflicts") {
		t.Fatalf("a server without Conflicts: %v", err)
	}
	if _, err := (&web.Server{}).Handler(); err == nil {
		t.Fatal("a Server not made by NewServer serves")
	}
}

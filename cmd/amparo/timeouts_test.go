package main

import (
	"context"
	"errors"
	"io"
	"net"
	"regexp"
	"strings"
	"testing"
	"time"
)

// A client that sends its headers or its body slowly loses its connection
// once the request's time is up, instead of holding it as long as it
// likes (2,000 such connections were once held for 40 s). The timeouts
// are shortened to a second here; serve's are longer (serveTimeouts).
func TestServe_SlowClientsCutOff(t *testing.T) {
	saved := serveTimeouts
	serveTimeouts.Header, serveTimeouts.Request = time.Second, 2*time.Second
	defer func() { serveTimeouts = saved }()

	var stdout, stderr lockedBuffer
	m := &Main{Stdout: &stdout, Stderr: &stderr, Getenv: func(string) string { return "" }}
	ctx, cancel := context.WithCancel(t.Context())
	served := make(chan error, 1)
	go func() { served <- runServe(ctx, m, []string{"--data", t.TempDir(), "--addr", "127.0.0.1:0"}) }()
	defer func() {
		cancel()
		if err := <-served; err != nil {
			t.Errorf("serve: %v", err)
		}
	}()
	waitFor(t, "the server", func() bool { return strings.Contains(stdout.String(), "Amparo is serving on") })
	addr := regexp.MustCompile(`127\.0\.0\.1:\d+`).FindString(stdout.String())

	for _, tt := range []struct{ name, sent string }{
		{"SlowHeaders", "POST /signin HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-"},
		{"SlowBody", "POST /signin HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 4096\r\n\r\nemail=ana"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c, err := net.Dial("tcp", addr)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			if _, err := io.WriteString(c, tt.sent); err != nil {
				t.Fatal(err)
			}
			// The rest never comes. The server closes the connection
			// (after a 400 for a body cut short, or nothing); 30 s is
			// the bound of this test, not a wait it expects.
			c.SetReadDeadline(time.Now().Add(30 * time.Second))
			answer, err := io.ReadAll(c)
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				t.Fatalf("the connection is still held after 30 s (read %q)", answer)
			}
			if len(answer) > 0 && !strings.HasPrefix(string(answer), "HTTP/1.1 4") {
				t.Errorf("answer to a request cut short: %q", answer)
			}
		})
	}
	if strings.Contains(stderr.String(), "ana") {
		t.Error("the log holds what the slow body held")
	}
}

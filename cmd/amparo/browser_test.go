package main_test

import (
	"bufio"
	"context"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/amparo-project/amparo/internal/browsertest"
)

// TestDemo_VerifyPageInChromium opens the QR texts the demo prints, as a
// phone camera would, in a real browser served by the real server and store.
func TestDemo_VerifyPageInChromium(t *testing.T) {
	t.Parallel()
	ctx := browsertest.Start(t, nil)
	cmd := exec.Command(binary, "demo", "--addr", "127.0.0.1:0", "--data", t.TempDir())
	stdout, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cmd.Process.Signal(syscall.SIGTERM); cmd.Wait() }()
	var valid, revoked string
	s := bufio.NewScanner(stdout)
	s.Buffer(make([]byte, 64<<10), 64<<10)
	for next := ""; s.Scan(); {
		line := strings.TrimSpace(s.Text())
		switch {
		case strings.HasPrefix(line, "QR text of a valid letter"):
			next = "valid"
		case strings.HasPrefix(line, "QR text of a revoked letter"):
			next = "revoked"
		case next == "valid":
			valid, next = line, ""
		case next == "revoked":
			revoked, next = line, ""
		}
		if strings.HasPrefix(line, "Press Ctrl+C") {
			break
		}
	}
	if valid == "" || revoked == "" {
		t.Fatal("the demo printed no QR texts")
	}
	for _, tt := range []struct{ url, want string }{{valid, "VALID"}, {revoked, "REVOKED"}} {
		tab, closeTab := chromedp.NewContext(ctx) // a fresh tab, as a camera app opens
		tctx, cancel := context.WithTimeout(tab, 40*time.Second)
		err := chromedp.Do(tctx, chromedp.Navigate(tt.url))
		var word string
		var err2 error
		for try := 0; try < 5; try++ { // a poll racing the new document's setup is tried again
			word, err2 = chromedp.Run(tctx, chromedp.Poll[string](`(document.querySelector('#result .verdict h2') || {}).textContent || ''`,
				chromedp.WithPollingInterval(50*time.Millisecond), chromedp.WithPollingTimeout(30*time.Second)))
			if err2 == nil || !strings.Contains(err2.Error(), "context") && !strings.Contains(err2.Error(), "navigated") {
				break
			}
		}
		if err != nil || err2 != nil || word != tt.want {
			text, _ := chromedp.Run(tab, chromedp.Evaluate[string](`document.body.innerText`))
			t.Errorf("%.50s…: shows %q (%v, %v), want %s; the page says:\n%s", tt.url, word, err, err2, tt.want, text)
		}
		cancel()
		closeTab()
	}
}

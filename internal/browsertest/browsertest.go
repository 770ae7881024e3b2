// Package browsertest starts headless Chromium for tests, through
// chromedp. Without a browser a test skips, except in CI (CI=true), where
// it fails: browser tests must run there.
package browsertest

import (
	"context"
	"os"
	"os/exec"
	"testing"

	"github.com/amparo-project/amparo/internal/testenv"
	"github.com/chromedp/chromedp"
)

// Path finds a Chromium or Chrome binary, or returns "".
func Path() string {
	if _, err := os.Stat("/usr/bin/chromium"); err == nil {
		return "/usr/bin/chromium"
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "headless-shell"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// Start starts headless Chromium for one test or benchmark with extra
// flags, runs setup, and returns the browser's context; the browser stops
// when the test ends.
func Start(t testing.TB, flags []chromedp.ExecAllocatorOption, setup ...chromedp.Action[chromedp.Void]) context.Context {
	t.Helper()
	path := Path()
	if path == "" {
		testenv.Missing(t, "no chromium binary found (Debian package chromium)")
	}
	// CI runs as root, where Chromium needs --no-sandbox.
	opts := append(append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(path), chromedp.NoSandbox), flags...)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancelAlloc)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(cancel)
	if err := chromedp.Do(ctx, setup...); err != nil {
		t.Fatalf("starting chromium: %v", err)
	}
	return ctx
}

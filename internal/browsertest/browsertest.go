// Package browsertest starts headless Chromium for tests, through
// chromedp. Without a browser a test skips, except in CI (CI=true), where
// it fails: browser tests must run there.
//
// A test binary starts one Chromium, on its first browser test, and every
// test gets a fresh browser context in it (its own cookies, storage,
// service workers and cache), closed when the test ends. A package that
// uses it stops the browser after its tests with
//
//	func TestMain(m *testing.M) { os.Exit(browsertest.Main(m)) }
//
// (a browser left running dies with the test binary anyway, by Pdeathsig).
// A test that needs its own flags (a time zone, host rules) gets a browser
// of its own.
package browsertest

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"sync"
	"testing"
	"time"

	"github.com/amparo-project/amparo/internal/testenv"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
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

// allocator returns the options of a browser with extra flags.
func allocator(path string, flags []chromedp.ExecAllocatorOption) []chromedp.ExecAllocatorOption {
	// CI runs as root, where Chromium needs --no-sandbox.
	return append(append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(path), chromedp.NoSandbox), flags...)
}

// shared is the test binary's browser, started on first use.
var shared struct {
	mu     sync.Mutex
	ctx    context.Context // the browser's first tab, never used by a test
	cancel func()
	err    error
}

// sharedBrowser starts the shared browser once.
func sharedBrowser(path string) (context.Context, error) {
	shared.mu.Lock()
	defer shared.mu.Unlock()
	if shared.ctx != nil || shared.err != nil {
		return shared.ctx, shared.err
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), allocator(path, nil)...)
	ctx, cancel := chromedp.NewContext(actx)
	if err := chromedp.Do(ctx); err != nil {
		cancel()
		cancelAlloc()
		shared.err = err
		return nil, err
	}
	shared.ctx, shared.cancel = ctx, func() { cancel(); cancelAlloc() }
	return ctx, nil
}

// Main runs a package's tests and then stops the shared browser, if one
// was started; it returns the exit code.
func Main(m *testing.M) int {
	code := m.Run()
	Close()
	return code
}

// Close stops the shared browser, if one was started.
func Close() {
	shared.mu.Lock()
	defer shared.mu.Unlock()
	if shared.cancel != nil {
		shared.cancel()
	}
	shared.ctx, shared.cancel, shared.err = nil, nil, nil
}

// Start gives one test or benchmark a browser and runs setup in it,
// returning its context; it closes when the test ends. Without flags that
// is a fresh browser context (a tab with its own cookies and storage) in
// the test binary's shared Chromium; with flags, a Chromium of its own.
func Start(t testing.TB, flags []chromedp.ExecAllocatorOption, setup ...chromedp.Action[chromedp.Void]) context.Context {
	t.Helper()
	if len(flags) > 0 {
		return Dedicated(t, flags, setup...)
	}
	path := Path()
	if path == "" {
		testenv.Missing(t, "no chromium binary found (Debian package chromium)")
	}
	browser, err := sharedBrowser(path)
	if err != nil {
		t.Fatalf("starting chromium: %v", err)
	}
	return Tab(t, browser, setup...)
}

// Tab opens a new tab in a new browser context of parent's browser for
// the rest of the test, and runs setup in it: another person's browser,
// with its own cookies. In headless Chromium a tab opened earlier can
// stop answering navigations once a newer one exists, so a test that
// goes back to an older tab brings it to the front first (Front).
func Tab(t testing.TB, parent context.Context, setup ...chromedp.Action[chromedp.Void]) context.Context {
	t.Helper()
	ctx, cancel := chromedp.NewContext(parent, chromedp.WithNewBrowserContext())
	t.Cleanup(func() {
		// Closing the tab and disposing of its browser context; a tab
		// that hangs must not hang the test binary.
		done := make(chan struct{})
		go func() { cancel(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Log("browsertest: closing the tab took over 10 s")
		}
	})
	if err := chromedp.Do(ctx, setup...); err != nil {
		if errors.Is(err, context.Canceled) {
			t.Fatalf("opening a tab: %v (the shared browser stopped?)", err)
		}
		t.Fatalf("opening a tab: %v", err)
	}
	return ctx
}

// Front brings ctx's tab to the front, so it answers navigations again
// after another tab was opened.
func Front() chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		_, err := chromedp.Call(ctx, page.BringToFront, cdp.Empty{})
		return err
	})
}

// Dedicated starts a Chromium of its own for one test or benchmark, with
// extra flags (an environment, host rules), runs setup, and returns the
// browser's context; the browser stops when the test ends.
func Dedicated(t testing.TB, flags []chromedp.ExecAllocatorOption, setup ...chromedp.Action[chromedp.Void]) context.Context {
	t.Helper()
	path := Path()
	if path == "" {
		testenv.Missing(t, "no chromium binary found (Debian package chromium)")
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), allocator(path, flags)...)
	t.Cleanup(cancelAlloc)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(cancel)
	if err := chromedp.Do(ctx, setup...); err != nil {
		t.Fatalf("starting chromium: %v", err)
	}
	return ctx
}

// FakeCamera is the flags of a browser whose camera is a video file (a
// .y4m or .mjpeg, played in a loop), granted to every page without asking:
// for a test of a page that reads the camera. Give them to Start.
func FakeCamera(video string) []chromedp.ExecAllocatorOption {
	return []chromedp.ExecAllocatorOption{
		chromedp.Flag("use-fake-device-for-media-stream", true),
		chromedp.Flag("use-fake-ui-for-media-stream", true),
		chromedp.Flag("use-file-for-fake-video-capture", video),
	}
}

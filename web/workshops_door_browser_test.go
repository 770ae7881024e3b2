package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/credential"
	"github.com/amparo-project/amparo/internal/browsertest"
	"github.com/amparo-project/amparo/internal/storetest"
)

// ticketPhoto writes a ticket's QR as a phone's camera would give it: a
// PNG file, for the page's photo input (the camera's stand-in).
func ticketPhoto(t *testing.T, text string) string {
	t.Helper()
	q, err := credential.NewQR(text)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "qr.png")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := png.Encode(f, q.Image(6)); err != nil {
		t.Fatal(err)
	}
	return path
}

// offline cuts the browser's network (requests fail, navigator.onLine is
// false) or restores it.
func offline(off bool) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		if _, err := cdp.Call(ctx, tg, network.Enable, network.EnableParams{}); err != nil {
			return err
		}
		if _, err := cdp.Call(ctx, tg, network.EmulateNetworkConditionsByRule, network.EmulateNetworkConditionsByRuleParams{
			MatchedNetworkConditions: []*network.Conditions{{Offline: off, DownloadThroughput: -1, UploadThroughput: -1}}}); err != nil {
			return err
		}
		_, err := cdp.Call(ctx, tg, network.OverrideNetworkState, network.OverrideNetworkStateParams{Offline: off, DownloadThroughput: -1, UploadThroughput: -1})
		return err
	})
}

// TestJourney_WorkshopDoorOffline: on a 375-pixel phone, the organizer
// checks a ticket in by a photo of its QR (decoded and verified in the
// browser) and one by its code; loses signal, checks in 20 more and hears
// each refusal's reason; gets signal back: the server counts the 22
// check-ins once each, and a retried upload of the same scans counts
// nothing more.
func TestJourney_WorkshopDoorOffline(t *testing.T) {
	t.Parallel()
	w := newAccountWorld(t)
	base := strings.Replace(w.ts.URL, "127.0.0.1", "localhost", 1)
	ws := storetest.MustCreateWorkshop(t, w.db, w.org.ID, &amparo.Workshop{Capacity: 40})
	other := storetest.MustCreateWorkshop(t, w.db, w.org.ID, &amparo.Workshop{})
	visitor := amparo.NewContextWithActor(context.Background(), amparo.VisitorActor)
	register := func(id string) *amparo.Registered {
		t.Helper()
		got, err := w.db.Register(visitor, &amparo.Registration{WorkshopID: id, PartySize: 1, Language: "en"})
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	var regs []*amparo.Registered
	for range 22 {
		regs = append(regs, register(ws.ID))
	}
	gone := register(ws.ID)
	if err := w.db.CancelTicket(visitor, gone.Token); err != nil {
		t.Fatal(err)
	}
	elsewhere := register(other.ID)

	org := browsertest.Start(t, nil, chromedp.EmulateViewport(375, 812))
	do(t, org, setCookie(base, "__Host-session", w.signedInAs(t, amparo.RoleOrganizer, w.org.ID).session()))
	navigate(t, org, base+"/workshops/"+ws.ID+"/checkin?lang=en")
	if got := waitFor(org, `String(!!(window.amparoDoor && window.amparoDoor.ready))`, "true"); got != "true" {
		t.Fatalf("the door did not get ready:\n%s", text(t, org))
	}
	result := func(want string) string {
		t.Helper()
		got := waitFor(org, `document.getElementById('door-result').textContent`, want)
		if !strings.Contains(got, want) {
			t.Fatalf("the door reads %q, want %q", got, want)
		}
		return got
	}
	photo := func(text string) {
		t.Helper()
		n := eval[int](t, org, `window.amparoDoor.scans`)
		do(t, org, chromedp.SetUploadFiles(`#door-photo`, []string{ticketPhoto(t, text)}))
		waitFor(org, `String(window.amparoDoor.scans)`, itoa(n+1))
	}
	typed := func(code string) {
		t.Helper()
		do(t, org, chromedp.SendKeys(`#door-code`, code), chromedp.Click(`#door-check`))
	}

	// By the camera's stand-in: the QR decoded and its signature checked
	// in the browser.
	photo(regs[0].Registration.Ticket)
	result("Welcome: ticket " + regs[0].Registration.Code)
	t.Logf("decoding (%s) and checking a ticket in the browser: %.1f ms", eval[string](t, org, `window.amparoDoor.decoder`),
		eval[float64](t, org, `window.amparoDoor.lastMillis`))
	photo(elsewhere.Registration.Ticket)
	result("another workshop")
	// By the code, typed lower case.
	typed(strings.ToLower(regs[1].Registration.Code))
	result("Welcome: ticket " + regs[1].Registration.Code)
	if got := waitFor(org, `document.getElementById('door-queue').textContent`, "Every check-in is sent."); got != "Every check-in is sent." {
		t.Fatalf("online, the queue reads %q", got)
	}

	// No signal: 20 check-ins, kept on the phone, and the reasons.
	do(t, org, offline(true))
	if got := waitFor(org, `document.getElementById('door-status').textContent`, "No signal"); !strings.Contains(got, "No signal") {
		t.Fatalf("offline, the page reads %q", got)
	}
	for i := 2; i < 22; i++ {
		typed(regs[i].Registration.Code)
		result("Welcome: ticket " + regs[i].Registration.Code)
	}
	typed(regs[5].Registration.Code)
	result("was checked in already")
	typed(gone.Registration.Code)
	result("is cancelled")
	typed("ZZZZZZ")
	result("No ticket of this workshop has that code.")
	forged := regs[6].Registration.Ticket[:len(regs[6].Registration.Ticket)-4] + "AAAA"
	photo(forged)
	result("not genuine")
	if got := eval[string](t, org, `document.getElementById('door-queue').textContent`); got != "Check-ins waiting to be sent: 20." {
		t.Errorf("offline, the queue reads %q", got)
	}
	if at, err := w.db.WorkshopAttendance(system, ws.ID); err != nil || at.Came != 2 {
		t.Fatalf("offline, the server counts %+v %v, want 2 came", at, err)
	}
	var kept struct {
		Queue []json.RawMessage `json:"queue"`
	}
	if err := json.Unmarshal([]byte(eval[string](t, org, `localStorage.getItem('amparo.door.`+ws.ID+`')`)), &kept); err != nil || len(kept.Queue) != 20 {
		t.Fatalf("the kept queue: %d scans, %v", len(kept.Queue), err)
	}
	queue, _ := json.Marshal(kept.Queue)

	// Signal again: the queue goes up, once.
	do(t, org, offline(false))
	if got := waitFor(org, `document.getElementById('door-queue').textContent`, "Every check-in is sent."); got != "Every check-in is sent." {
		t.Fatalf("back online, the queue reads %q", got)
	}
	at, err := w.db.WorkshopAttendance(system, ws.ID)
	if err != nil || at.Came != 22 {
		t.Fatalf("back online, the server counts %+v %v, want 22 came", at, err)
	}
	// The same upload again, as a retry after a lost answer: every scan
	// is a repeat, and nothing more is counted.
	repeats := eval[int](t, org, `fetch('/workshops/`+ws.ID+`/checkin/upload', {method: 'POST', headers: {'Content-Type': 'application/json'}, body: `+jsString(string(queue))+`}).then(r => r.json()).then(j => j.results.filter(r => r.repeat && r.outcome == 'ok').length)`)
	if repeats != 20 {
		t.Errorf("the retried upload: %d repeats, want 20", repeats)
	}
	if at, err := w.db.WorkshopAttendance(system, ws.ID); err != nil || at.Came != 22 || at.CamePeople != 22 {
		t.Errorf("after the retried upload, the server counts %+v %v, want 22 came", at, err)
	}
	if wide := eval[int](t, org, `document.documentElement.scrollWidth`); wide > 375 {
		t.Errorf("the check-in page is %d pixels wide on a 375-pixel phone", wide)
	}
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}

// TestJourney_WorkshopDoorReloadOffline: on a 375-pixel phone, the
// organizer opens the door page once with signal; without signal (the page
// and its worker), a reload still shows the working door, served by the
// worker from a kept copy that names no one; 3 tickets are checked in
// there and wait; with signal again each is uploaded and counted once.
func TestJourney_WorkshopDoorReloadOffline(t *testing.T) {
	t.Parallel()
	w := newAccountWorld(t)
	base := strings.Replace(w.ts.URL, "127.0.0.1", "localhost", 1)
	ws := storetest.MustCreateWorkshop(t, w.db, w.org.ID, &amparo.Workshop{Capacity: 10})
	visitor := amparo.NewContextWithActor(context.Background(), amparo.VisitorActor)
	var codes []string
	for range 3 {
		got, err := w.db.Register(visitor, &amparo.Registration{WorkshopID: ws.ID, PartySize: 1, Language: "en"})
		if err != nil {
			t.Fatal(err)
		}
		codes = append(codes, got.Registration.Code)
	}

	org := browsertest.Start(t, nil, chromedp.EmulateViewport(375, 812))
	do(t, org, setCookie(base, "__Host-session", w.signedInAs(t, amparo.RoleOrganizer, w.org.ID).session()))
	door := base + "/workshops/" + ws.ID + "/checkin?lang=en"
	navigate(t, org, door)
	if got := waitFor(org, `String(!!(window.amparoDoor && window.amparoDoor.ready))`, "true"); got != "true" {
		t.Fatalf("the door did not get ready:\n%s", text(t, org))
	}
	// The worker holds the page once the first visit is over.
	kept := waitForAsync(org, `(async () => { if (!navigator.serviceWorker.controller) return 'no worker';
		for (const n of await caches.keys()) { const r = await (await caches.open(n)).match(location.pathname);
			if (r) return await r.text(); }
		return 'not kept'; })()`, `id="door"`)
	if !strings.Contains(kept, `id="door"`) {
		t.Fatalf("the door page was not kept for a reload without signal: %.200q", kept)
	}
	if strings.Contains(kept, "Cuenta Ejemplo") || strings.Contains(kept, "who-name") {
		t.Errorf("the kept copy of the door page names the organizer")
	}

	// No signal, for the page and its worker: a reload opens the door.
	workers := map[string]context.Context{}
	do(t, org, offline(true))
	workerOffline(t, org, base, true, workers)
	navigate(t, org, door)
	waitFor(org, `document.readyState`, "complete")
	if got := waitFor(org, `String(!!(window.amparoDoor && window.amparoDoor.ready))`, "true"); got != "true" {
		t.Fatalf("reloaded without signal, the door is not ready:\n%s", text(t, org))
	}
	if got := waitFor(org, `document.getElementById('door-status').textContent`, "No signal"); !strings.Contains(got, "No signal") {
		t.Fatalf("reloaded without signal, the page reads %q", got)
	}
	for _, code := range codes {
		do(t, org, chromedp.SendKeys(`#door-code`, code), chromedp.Click(`#door-check`))
		if got := waitFor(org, `document.getElementById('door-result').textContent`, "Welcome: ticket "+code); !strings.Contains(got, code) {
			t.Fatalf("offline check-in of %s: %q", code, got)
		}
	}
	if got := eval[string](t, org, `document.getElementById('door-queue').textContent`); got != "Check-ins waiting to be sent: 3." {
		t.Errorf("offline, the queue reads %q", got)
	}
	if at, err := w.db.WorkshopAttendance(system, ws.ID); err != nil || at.Came != 0 {
		t.Fatalf("offline, the server counts %+v %v, want none came", at, err)
	}

	// Signal again: each check-in uploaded once.
	workerOffline(t, org, base, false, workers)
	do(t, org, offline(false))
	if got := waitFor(org, `document.getElementById('door-queue').textContent`, "Every check-in is sent."); got != "Every check-in is sent." {
		t.Fatalf("back online, the queue reads %q", got)
	}
	if at, err := w.db.WorkshopAttendance(system, ws.ID); err != nil || at.Came != 3 || at.CamePeople != 3 {
		t.Fatalf("back online, the server counts %+v %v, want 3 came", at, err)
	}
	if wide := eval[int](t, org, `document.documentElement.scrollWidth`); wide > 375 {
		t.Errorf("the check-in page is %d pixels wide on a 375-pixel phone", wide)
	}
}

// waitForAsync is waitFor for an expression that is a promise.
func waitForAsync(ctx context.Context, js, want string) string {
	var last string
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if v, err := chromedp.Run(ctx, chromedp.Evaluate[string](js, chromedp.EvalAwaitPromise)); err == nil {
			if last = v; strings.Contains(v, want) {
				break
			}
		}
	}
	return last
}

// ticketVideo writes a ticket's QR as a camera would see it, for
// Chromium's fake camera: a Y4M file (a header, then raw I420 frames) of
// the QR, black on white, in the middle of a 640×480 picture.
func ticketVideo(t *testing.T, text string) string {
	t.Helper()
	q, err := credential.NewQR(text)
	if err != nil {
		t.Fatal(err)
	}
	const w, h = 640, 480
	img := q.Image(6)
	b := img.Bounds()
	if b.Dx() > w || b.Dy() > h {
		t.Fatalf("the QR is %v, larger than the picture", b)
	}
	luma := bytes.Repeat([]byte{235}, w*h) // white, in video range
	ox, oy := (w-b.Dx())/2, (h-b.Dy())/2
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			if c := color.GrayModel.Convert(img.At(x, y)).(color.Gray); c.Y < 128 {
				luma[(oy+y-b.Min.Y)*w+ox+x-b.Min.X] = 16 // black
			}
		}
	}
	chroma := bytes.Repeat([]byte{128}, w*h/2) // U and V planes: no colour
	var out bytes.Buffer
	fmt.Fprintf(&out, "YUV4MPEG2 W%d H%d F10:1 Ip A1:1 C420jpeg\n", w, h)
	for range 10 {
		out.WriteString("FRAME\n")
		out.Write(luma)
		out.Write(chroma)
	}
	path := filepath.Join(t.TempDir(), "ticket.y4m")
	if err := os.WriteFile(path, out.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestJourney_WorkshopDoorCamera: the live camera path. A Chromium whose
// camera films a ticket's QR: the organizer presses "Scan with the
// camera", the page reads the QR from the video, checks the ticket and
// the server counts the check-in.
func TestJourney_WorkshopDoorCamera(t *testing.T) {
	t.Parallel()
	w := newAccountWorld(t)
	base := strings.Replace(w.ts.URL, "127.0.0.1", "localhost", 1)
	ws := storetest.MustCreateWorkshop(t, w.db, w.org.ID, &amparo.Workshop{Capacity: 10})
	visitor := amparo.NewContextWithActor(context.Background(), amparo.VisitorActor)
	reg, err := w.db.Register(visitor, &amparo.Registration{WorkshopID: ws.ID, PartySize: 1, Language: "en"})
	if err != nil {
		t.Fatal(err)
	}

	org := browsertest.Start(t, browsertest.FakeCamera(ticketVideo(t, reg.Registration.Ticket)), chromedp.EmulateViewport(375, 812))
	do(t, org, setCookie(base, "__Host-session", w.signedInAs(t, amparo.RoleOrganizer, w.org.ID).session()))
	navigate(t, org, base+"/workshops/"+ws.ID+"/checkin?lang=en")
	if got := waitFor(org, `String(!!(window.amparoDoor && window.amparoDoor.ready))`, "true"); got != "true" {
		t.Fatalf("the door did not get ready:\n%s", text(t, org))
	}
	do(t, org, chromedp.Click(`#door-camera`))
	want := "Welcome: ticket " + reg.Registration.Code
	if got := waitFor(org, `document.getElementById('door-result').textContent`, want); !strings.Contains(got, want) {
		t.Fatalf("after scanning with the camera, the door reads %q", got)
	}
	if n := eval[int](t, org, `window.amparoDoor.scans`); n != 1 {
		t.Errorf("the camera made %d scans, want 1", n)
	}
	t.Logf("decoding (%s) a camera frame and checking the ticket in the browser: %.1f ms",
		eval[string](t, org, `window.amparoDoor.decoder`), eval[float64](t, org, `window.amparoDoor.lastMillis`))
	if got := waitFor(org, `document.getElementById('door-queue').textContent`, "Every check-in is sent."); got != "Every check-in is sent." {
		t.Fatalf("the queue reads %q", got)
	}
	if at, err := w.db.WorkshopAttendance(system, ws.ID); err != nil || at.Came != 1 {
		t.Fatalf("the server counts %+v %v, want 1 came", at, err)
	}
	if hidden := eval[bool](t, org, `document.getElementById('door-video').hidden`); !hidden {
		t.Errorf("the camera still shows after the scan")
	}
}

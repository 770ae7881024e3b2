package web_test

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/amparo-project/amparo"
)

// A phone link whose token could not be one is refused before anything
// is rendered: a page never builds a form's address from it.
func TestPhonePage_MalformedTokenRefused(t *testing.T) {
	t.Parallel()
	ts, _ := newServer(t)
	for _, path := range []string{"/p/..%2F..%2Fsignout", "/p/short", "/p/" + strings.Repeat("A", 40), "/p/..%2F..%2Fsignout/qr.png"} {
		res, body := get(t, ts.URL+path)
		if res.StatusCode != http.StatusNotFound {
			t.Errorf("%s: %d, want 404", path, res.StatusCode)
		}
		if strings.Contains(body, `action="/p/`) {
			t.Errorf("%s: the page holds a form built from the token", path)
		}
	}
}

// A multipart body is refused on every route that uploads no file: it
// would skip the form's size bound and its UTF-8 check.
func TestMultipart_OnlyWhereAFileIsUploaded(t *testing.T) {
	t.Parallel()
	ts, _ := newServer(t)
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	mw.WriteField("email", "nadie@example.org")
	mw.WriteField("password", string([]byte{0xff, 0xfe}))
	mw.Close()
	for _, path := range []string{"/signin", "/intake/x", "/applicants"} {
		req, _ := http.NewRequest("POST", ts.URL+path, bytes.NewReader(body.Bytes()))
		req.Header.Set("Content-Type", mw.FormDataContentType())
		req.Header.Set("Sec-Fetch-Site", "same-origin")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusUnsupportedMediaType {
			t.Errorf("multipart POST %s: %d, want 415", path, res.StatusCode)
		}
	}
}

// /readyz says when the server cannot serve, and why, in one line.
func TestReadyz(t *testing.T) {
	t.Parallel()
	ts, db := newServer(t)
	if res, body := get(t, ts.URL+"/readyz"); res.StatusCode != 200 || body != "ready\n" {
		t.Fatalf("/readyz: %d %q", res.StatusCode, body)
	}
	// A job due an hour ago that nobody ran: no process runs the queue.
	if _, err := db.EnqueueJob(system, &amparo.Job{Kind: "mail", RunAt: time.Now().Add(-time.Hour)}); err != nil {
		t.Fatal(err)
	}
	res, body := get(t, ts.URL+"/readyz")
	if res.StatusCode != http.StatusServiceUnavailable || !strings.Contains(body, "job queue stuck: 1 jobs") {
		t.Errorf("/readyz with a stuck job: %d %q", res.StatusCode, body)
	}
	if res, _ := get(t, ts.URL+"/healthz"); res.StatusCode != 200 {
		t.Errorf("/healthz: %d: the process is alive", res.StatusCode)
	}
}

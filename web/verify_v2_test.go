package web_test

import (
	"context"
	"crypto/ed25519"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/credential"
	"github.com/amparo-project/amparo/internal/testenv"
)

// letterV2 returns the credential (the text after '#') of a version 2
// letter signed with key for a member of org-a's roster, issued today for
// a year at entry 1000 of list 1, as edit changes it.
func (p *program) letterV2(t *testing.T, key ed25519.PrivateKey, member credential.MemberRef, edit func(*credential.ClaimsV2)) string {
	t.Helper()
	id, _ := credential.NewShortID()
	on, exp := credential.V2Dates(p.now, p.now.AddDate(1, 0, 0))
	c := &credential.ClaimsV2{ID: id, IssuedOn: on, Expires: exp, StatusListID: 1, StatusIndex: 1000,
		ClientName: "Ana Ejemplo Prueba", Member: member}
	if edit != nil {
		edit(c)
	}
	signed, err := credential.SignV2(c, key)
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimPrefix(credential.Encode("#", signed), "#")
}

// setRoster signs and publishes org-a's roster, issued at.
func (p *program) setRoster(t *testing.T, at time.Time, members ...credential.RosterMember) {
	t.Helper()
	r := &credential.Roster{OrgID: "org-a", IssuedAt: at.Truncate(time.Second), Phone: "+1 213 555 0199", Members: members}
	signed, err := credential.SignRoster(r, p.keyA)
	if err != nil {
		t.Fatal(err)
	}
	p.trust.setList("roster/org-a", &amparo.SignedDocument{Bytes: signed, IssuedAt: r.IssuedAt})
}

// TestVerifyPage_MemberLeft: a version 2 letter shows its member from the
// organization's roster. Once the roster marks the member as left, the page
// (English and Spanish, 375 px, axe) says the attorney no longer handles
// the letter and shows the organization's number, never the member's old
// one, although the roster still holds it; offline after one visit it
// still does. A member the roster does not list, and a roster signed by
// another key, show no member's number either.
func TestVerifyPage_MemberLeft(t *testing.T) {
	t.Parallel()
	p := newProgram(t)
	ts, log := newVerifyServer(t, p.trust)
	ctx := newBrowser(t, chromedp.EmulateViewport(375, 812))
	tomas := credential.RosterMember{Ref: 1, Name: "Lic. Tomás Ficticio", BarJurisdiction: "California", BarNumber: "999001",
		Phone: "+1 213 555 0100", State: credential.MemberActive}
	first := p.letterV2(t, p.keyA, 1, nil)
	second := p.letterV2(t, p.keyA, 1, func(c *credential.ClaimsV2) { c.StatusIndex = 2000 })
	unlisted := p.letterV2(t, p.keyA, 3, nil)
	if s := p.goStatus(t, first); s != credential.StatusValid {
		t.Fatalf("the Go verifier says %s", s)
	}

	got := open(t, ctx, ts.URL+"/v?lang=en#"+first)
	if got.Word != "VALID" || !strings.Contains(got.Text, "Lic. Tomás Ficticio") || !strings.Contains(got.Text, "California 999001") ||
		got.Tel != "tel:+12135550100" || !strings.Contains(got.Text, "Ana Ejemplo Prueba") {
		t.Fatalf("active member: %+v", got)
	}
	if got := open(t, ctx, ts.URL+"/v?lang=en#"+unlisted); got.Word != "VALID" || got.Tel != "tel:+12135550199" ||
		strings.Contains(got.Text, "555 0100") || !strings.Contains(got.Text, "does not list the attorney") {
		t.Errorf("a member the roster does not list: %+v", got)
	}

	// The member leaves: the roster keeps the old phone, the page never shows it.
	left := tomas
	left.State = credential.MemberLeft
	p.setRoster(t, p.now, left)
	leftPage := func(lang, notice string) {
		t.Helper()
		got := open(t, ctx, ts.URL+"/v?lang="+lang+"#"+first)
		if got.Status != "valid" || got.Tel != "tel:+12135550199" || strings.Contains(got.Text, "555 0100") ||
			!strings.Contains(got.Text, "Lic. Tomás Ficticio "+notice) || !strings.Contains(got.Text, "+1 213 555 0199") {
			t.Fatalf("%s, member left: %+v", lang, got)
		}
		if w := eval[int](t, ctx, `document.documentElement.scrollWidth`); w > 375 {
			t.Errorf("%s: the page is %d px wide on a 375 px phone", lang, w)
		}
		checkAxe(t, ctx, "verify page, member left ("+lang+")")
	}
	leftPage("es", "ya no lleva esta carta")
	leftPage("en", "no longer handles this letter")

	wait, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	if _, err := chromedp.Run(wait, chromedp.Poll[bool](`document.readyState === 'complete' && document.getElementById('verify').dataset.offline === 'ready'`,
		chromedp.WithPollingInterval(50*time.Millisecond))); err != nil {
		t.Fatalf("the service worker never kept the page for offline use: %v", err)
	}
	ts.CloseClientConnections()
	ts.Close()
	if res, err := http.Get(ts.URL + "/v"); err == nil {
		res.Body.Close()
		t.Fatal("the server still answers")
	}
	got = open(t, ctx, ts.URL+"/v?lang=en#"+second)
	if got.Status != "valid" || got.Tel != "tel:+12135550199" || strings.Contains(got.Text, "555 0100") ||
		!strings.Contains(got.Text, "no longer handles this letter") {
		t.Fatalf("offline, member left: %+v", got)
	}
	kept := eval[bool](t, ctx, `(async () => navigator.serviceWorker.controller !== null && !!(await caches.match('/v/roster/org-a')))()`)
	if !kept {
		t.Error("the roster is not kept by the service worker")
	}
	log.assertPrivate(t, first, second, unlisted)
}

// TestVerifyPage_RosterOfAnotherKey: a roster signed by a key that is not
// its organization's is ignored: the page names no member and shows no
// number, and says the contact cannot be shown.
func TestVerifyPage_RosterOfAnotherKey(t *testing.T) {
	t.Parallel()
	p := newProgram(t)
	r := &credential.Roster{OrgID: "org-a", IssuedAt: p.now.Truncate(time.Second), Phone: "+1 213 555 0199", Members: []credential.RosterMember{
		{Ref: 1, Name: "Impostor Ficticio", BarJurisdiction: "California", BarNumber: "1", Phone: "+1 213 555 0666", State: credential.MemberActive}}}
	for name, key := range map[string]ed25519.PrivateKey{"org-b's key": p.keyB, "a stranger's key": p.stranger} {
		signed, err := credential.SignRoster(r, key)
		if err != nil {
			t.Fatal(err)
		}
		p.trust.setList("roster/org-a", &amparo.SignedDocument{Bytes: signed, IssuedAt: r.IssuedAt})
		ts, _ := newVerifyServer(t, p.trust)
		ctx := newBrowser(t)
		got := open(t, ctx, ts.URL+"/v?lang=en#"+p.letterV2(t, p.keyA, 1, nil))
		if got.Word != "VALID" || got.Tel != "" || strings.Contains(got.Text, "Impostor") || strings.Contains(got.Text, "0666") ||
			!strings.Contains(got.Text, "list of members could not be loaded") {
			t.Errorf("roster signed by %s: %+v", name, got)
		}
	}
}

// TestVerifyPage_BadInputV2: a truncated version 2 text, version 2 claims
// in version 1 framing, and a megabyte of text are NOT GENUINE, never
// VALID, and the page says what to do, in both languages.
func TestVerifyPage_BadInputV2(t *testing.T) {
	t.Parallel()
	p := newProgram(t)
	ts, _ := newVerifyServer(t, p.trust)
	ctx := newBrowser(t, chromedp.EmulateViewport(375, 812))
	valid := p.letterV2(t, p.keyA, 1, nil)
	c, err := credential.ParseV2("#" + valid)
	if err != nil {
		t.Fatal(err)
	}
	claims, err := c.MarshalCBOR()
	if err != nil {
		t.Fatal(err)
	}
	kid := credential.KeyIDOf(pubOf(p.keyA))
	crossed := strings.TrimPrefix(credential.Encode("#", sign1(p.keyA, kid[:], claims, "amparo letter v1")), "#")
	for _, tt := range []struct{ name, cred string }{
		{"truncated", valid[:len(valid)-8]},
		{"version 2 claims in version 1 framing", crossed},
		{"a megabyte", strings.Repeat("A", 1<<20)},
	} {
		if s := p.goStatus(t, tt.cred); s != credential.StatusNotGenuine {
			t.Fatalf("%s: the Go verifier says %s", tt.name, s)
		}
		words := map[string][2]string{"en": {"NOT GENUINE", "Scan the code again"}, "es": {"NO AUTÉNTICA", "Escanee el código otra vez"}}
		for _, lang := range testenv.Pick(t, []string{"en", "es"}) {
			want := words[lang]
			got := open(t, ctx, ts.URL+"/v?lang="+lang+"#"+tt.cred)
			if got.Word != want[0] || !strings.Contains(got.Text, want[1]) {
				t.Errorf("%s (%s): %+v", tt.name, lang, got)
			}
		}
	}
}

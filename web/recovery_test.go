package web_test

import (
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/amparo-project/amparo"
)

// TestRecoveryCodes_SurviveALanguageSwitch: the codes, shown once, stay
// until the person says they saved them, in any language, and download as
// a text file.
func TestRecoveryCodes_SurviveALanguageSwitch(t *testing.T) {
	t.Parallel()
	w := newAccountWorld(t)
	b := w.browser(t)
	_, _, _, first := w.enroll(t, b)
	codesOf := func(body string) []string {
		var out []string
		for _, m := range regexp.MustCompile(`<li><code>([a-z0-9-]+)</code></li>`).FindAllStringSubmatch(body, -1) {
			out = append(out, m[1])
		}
		return out
	}
	_, en := b.get("/account/recovery")
	res, es := b.get("/account/recovery?lang=es")
	if res.StatusCode != 200 || !strings.Contains(es, "Guárdelos en un lugar seguro") || strings.Join(codesOf(es), " ") != strings.Join(codesOf(en), " ") ||
		codesOf(es)[0] != first {
		t.Fatalf("after switching to Spanish: %d\n%s", res.StatusCode, es)
	}
	if !strings.Contains(es, `href="/account/recovery?lang=en"`) {
		t.Errorf("the language link does not lead back to the codes:\n%s", es)
	}
	res, file := b.get("/account/recovery/codes.txt")
	if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/plain") ||
		!strings.Contains(res.Header.Get("Content-Disposition"), `attachment; filename="amparo-recovery-codes.txt"`) {
		t.Fatalf("download: %d %q %q", res.StatusCode, res.Header.Get("Content-Type"), res.Header.Get("Content-Disposition"))
	}
	for _, c := range codesOf(en) {
		if !strings.Contains(file, c+"\r\n") {
			t.Fatalf("the file lacks %s:\n%s", c, file)
		}
	}
	// Another account cannot open them, even with the cookie.
	other := w.signedInAs(t, amparo.RoleMember, w.org.ID)
	if c := b.cookie("/account/recovery", "recovery"); c != nil {
		other.setCookies("/account/recovery", &http.Cookie{Name: c.Name, Value: c.Value, Path: "/account/recovery", Secure: true})
	}
	if res, body := other.get("/account/recovery"); res.StatusCode != http.StatusSeeOther || strings.Contains(body, first) {
		t.Fatalf("another account read the codes: %d", res.StatusCode)
	}
	// Once saved, they are gone.
	res, _ = b.post("/account/recovery", nil)
	wantRedirect(t, res, "/dashboard")
	res, _ = b.get("/account/recovery")
	wantRedirect(t, res, "/dashboard")
	if res, _ := b.get("/account/recovery/codes.txt"); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("download after saving: %d", res.StatusCode)
	}
}

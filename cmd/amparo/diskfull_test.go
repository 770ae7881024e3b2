package main_test

import (
	"crypto/sha256"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	domain "github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/internal/testenv"
	"github.com/amparo-project/amparo/locale"
)

// clientRows fingerprints every stored client, sealed, as the file holds them.
func clientRows(t *testing.T, data string) string {
	t.Helper()
	db := openSQLite(t, data)
	defer db.Close()
	rows, err := db.Query("SELECT * FROM clients ORDER BY id")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	h := sha256.New()
	n := 0
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(h, "%v\n", vals)
		n++
	}
	return fmt.Sprintf("%d clients %x", n, h.Sum(nil))
}

// TestDiskFull fills the filesystem of a serving data folder: saving a
// client, issuing a letter and importing intakes fail with an error that
// says the disk is full and that nothing was saved, the session stays
// signed in, /readyz says the database cannot write, a wrong password is
// still refused (its audit's failure not passed over), and nothing
// stored is damaged; once space is freed, the same work succeeds.
func TestDiskFull(t *testing.T) {
	t.Parallel()
	mnt := testenv.MountTmpfs(t, 16<<20, "")
	seeded, signer := demoAttorney(t)
	data := filepath.Join(mnt, "data")
	if err := copyTree(data, seeded); err != nil {
		t.Fatal(err)
	}
	password := regexp.MustCompile(`with the password "([^"]+)"`).FindStringSubmatch(demoSeeded.out)[1]
	letters := decode[[]letterJSON](t, ok(t, "letter", "list", "--json", "--data", data))
	var existing, org string
	for _, l := range letters {
		if l.MemberID == signer.member && l.ClientID != "" {
			existing, org = l.ClientID, l.OrganizationID
		}
	}
	cat, err := locale.Load()
	if err != nil {
		t.Fatal(err)
	}
	full := html.EscapeString(cat.T("en", "error.disk_full"))

	s := &server{t: t, data: data, addr: freePort(t)}
	s.start()
	t.Cleanup(s.kill)
	base := "http://" + s.addr
	jar, _ := cookiejar.New(nil)
	is := &issuer{base: base, issued: map[string]bool{},
		c: &http.Client{Jar: jar, Timeout: 30 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	if code, _, err := is.post("/signin", url.Values{"email": {signer.email}, "password": {password}}); err != nil || code != http.StatusSeeOther {
		t.Fatalf("sign in: %d %v", code, err)
	}
	if code, _, err := is.post("/signin/code", url.Values{"code": {signer.codes(t)()}}); err != nil || code != http.StatusSeeOther {
		t.Fatalf("second step: %d %v", code, err)
	}
	get := func(path string) (int, string, string) {
		t.Helper()
		res, err := is.c.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		return res.StatusCode, res.Header.Get("Location"), string(b)
	}
	newClient := func(i int) url.Values {
		return url.Values{"id": {domain.NewID()}, "legal_name": {fmt.Sprintf("Llena%d Ejemplo Ficticia", i)}, "birth_date": {"1988-04-0" + fmt.Sprint(i)},
			"language": {"es"}, "situation": {"daca"}, "consent": {"on"}, "conflicts_reviewed": {"on"}}
	}
	// A draft made while there is room, to issue on the full disk.
	c1 := newClient(1)
	if code, _, _ := is.post("/clients", c1); code != http.StatusSeeOther {
		t.Fatalf("create a client before the disk fills: %d", code)
	}
	draft := domain.NewID()
	if code, _, _ := is.post("/letters", url.Values{"id": {draft}, "client": {c1.Get("id")}, "member": {signer.member}}); code != http.StatusSeeOther {
		t.Fatalf("create a draft before the disk fills: %d", code)
	}
	csv := filepath.Join(t.TempDir(), "intakes.csv") // off the full disk
	os.WriteFile(csv, []byte("legal_name,date_of_birth,preferred_language,immigration_situation\nLlena Ejemplo Ficticia,1990-01-31,es,daca\nOtra Ejemplo Ficticia,1991-02-28,en,daca\n"), 0o600)

	// The disk fills: the WAL is first checkpointed and truncated, so the
	// next write must take new space, as on a server whose disk filled up.
	db := openSQLite(t, data)
	if _, err := db.Exec("PRAGMA wal_checkpoint(TRUNCATE)"); err != nil {
		t.Fatal(err)
	}
	db.Close()
	stored := clientRows(t, data)
	filler := testenv.Fill(t, mnt)

	refused := func(what string, code int, loc, body string) {
		t.Helper()
		if code != http.StatusServiceUnavailable || !strings.Contains(body, full) {
			t.Errorf("%s on a full disk: %d to %q, want 503 saying %q:\n%.600s", what, code, loc, full, body)
		}
	}
	res, err := is.c.PostForm(base+"/clients", newClient(2))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	refused("creating a client", res.StatusCode, res.Header.Get("Location"), string(b))
	res, err = is.c.PostForm(base+"/letters/"+draft+"/issue", nil)
	if err != nil {
		t.Fatal(err)
	}
	b, _ = io.ReadAll(res.Body)
	res.Body.Close()
	refused("issuing a letter", res.StatusCode, res.Header.Get("Location"), string(b))
	// Still signed in: a store that cannot write is an error, not a sign-out.
	if code, loc, body := get("/letters/" + draft); code == http.StatusSeeOther && strings.HasPrefix(loc, "/signin") {
		t.Errorf("the session was signed out by the full disk: %d to %q %.300s", code, loc, body)
	}
	// The operator's probe says why.
	if code, _, body := get("/readyz"); code != http.StatusServiceUnavailable || !strings.Contains(body, "database cannot write") {
		t.Errorf("/readyz on a full disk: %d %q", code, body)
	} else {
		t.Logf("/readyz on a full disk: %d %s", code, strings.TrimSpace(body))
	}
	// A wrong password is refused, and since its audit cannot be written,
	// the answer says the server cannot save, not merely "wrong password".
	anon := &http.Client{Timeout: 30 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err = anon.PostForm(base+"/signin", url.Values{"email": {signer.email}, "password": {"not the password"}})
	if err != nil {
		t.Fatal(err)
	}
	b, _ = io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode == http.StatusSeeOther || len(res.Cookies()) > 0 && strings.Contains(res.Header.Get("Set-Cookie"), "session") {
		t.Errorf("a wrong password on a full disk: %d, cookies %v", res.StatusCode, res.Header.Values("Set-Cookie"))
	}
	refused("a failed sign-in", res.StatusCode, "", string(b))
	// The command line says it in one line, and stores nothing.
	_, errOut, code := amparo(t, nil, "import", "intakes", csv, "--org", org, "--data", data)
	if code == 0 || len(strings.Split(strings.TrimSpace(errOut), "\n")) != 1 || !strings.Contains(errOut, "disk is full") {
		t.Errorf("import on a full disk: exit %d, stderr %q; want one line saying the disk is full", code, errOut)
	} else {
		t.Logf("import on a full disk: exit %d: %s", code, strings.TrimSpace(errOut))
	}

	// Space freed: nothing stored was damaged, and the work succeeds.
	if err := os.Remove(filler); err != nil {
		t.Fatal(err)
	}
	if code, _, body := get("/readyz"); code != http.StatusOK {
		t.Errorf("/readyz after space is freed: %d %q", code, body)
	}
	if after := clientRows(t, data); after != stored {
		t.Errorf("the stored clients changed on the full disk: %s, then %s", stored, after)
	}
	if code, _, _ := get("/clients/" + existing); code != http.StatusOK {
		t.Errorf("an existing client after space is freed: %d", code)
	}
	if code, loc, _ := is.post("/clients", newClient(3)); code != http.StatusSeeOther || !strings.HasPrefix(loc, "/clients/") {
		t.Errorf("creating a client after space is freed: %d to %q", code, loc)
	}
	if code, loc, _ := is.post("/letters/"+draft+"/issue", nil); code != http.StatusSeeOther || loc != "/letters/"+draft {
		t.Errorf("issuing after space is freed: %d to %q", code, loc)
	}
	if out := ok(t, "import", "intakes", csv, "--org", org, "--data", data); !strings.Contains(out, "Imported 2 new") {
		t.Errorf("import after space is freed: %s", out)
	}
	s.kill()
	checkStore(t, data, "after the disk was full")
}

package main_test

import (
	"bytes"
	"database/sql"
	"encoding/json"
	"fmt"
	"image"
	"image/png"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"codeberg.org/go-pdf/fpdf"
	"github.com/pquerna/otp/totp"
	_ "modernc.org/sqlite"
)

// demoData runs the demo in a fresh folder until it serves, stops it, and
// returns the folder: a seeded program to run commands against.
func demoData(t *testing.T) string {
	t.Helper()
	data, _ := demoRun(t)
	return data
}

// attorney is the demo's attorney who signs letters: their member record,
// account email and TOTP secret, as the demo prints them.
type attorney struct{ member, email, secret string }

var attorneyLine = regexp.MustCompile(`\(member ([0-9a-f]+)\), sign in at \S+ as (\S+) with the same password;\s+second step: the key ([A-Z2-7]+)`)

// demoAttorney is demoData, with the attorney who signs letters.
func demoAttorney(t *testing.T) (string, attorney) {
	t.Helper()
	data, out := demoRun(t)
	m := attorneyLine.FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("the demo printed no attorney to sign in as:\n%s", out)
	}
	return data, attorney{m[1], m[2], m[3]}
}

// codes returns the attorney's next authenticator codes, one per call.
// Each time step's code works once and only after the step used before it,
// and the command accepts the previous, current and next steps' codes; so
// each call gives the code of the earliest step after the last one given
// that will still be accepted when the command checks it: the previous
// step's while at least 10 seconds of the current one remain, the current
// step's otherwise. Only when the next step's code was given already does
// it wait for the next step to begin.
func (a attorney) codes(t *testing.T) func() string {
	last := int64(-1)
	return func() string {
		t.Helper()
		for {
			now := time.Now()
			cur := now.Unix() / totpPeriod
			lo := cur - 1
			if now.Unix()%totpPeriod > totpPeriod-10 {
				lo = cur // the previous step's code may be too old by the time it is checked
			}
			step := max(last+1, lo)
			if step > cur+1 {
				time.Sleep(time.Unix((cur+1)*totpPeriod, 0).Sub(now))
				continue
			}
			c, err := totp.GenerateCode(a.secret, time.Unix(step*totpPeriod, 0))
			if err != nil {
				t.Fatal(err)
			}
			last = step
			return c
		}
	}
}

// totpPeriod is the length of an authenticator step, in seconds.
const totpPeriod = 30

// demoRun gives the test a data folder seeded by the demo, and what the
// demo printed. The demo runs once per test binary; each test gets its
// own copy of the folder it left.
func demoRun(t *testing.T) (string, string) {
	t.Helper()
	demoSeeded.once.Do(func() {
		demoSeeded.data = filepath.Join(scratch, "demo-data")
		demoSeeded.out, demoSeeded.err = runDemo(demoSeeded.data)
	})
	if demoSeeded.err != nil {
		t.Fatal(demoSeeded.err)
	}
	data := t.TempDir()
	if err := copyTree(data, demoSeeded.data); err != nil {
		t.Fatal(err)
	}
	return data, demoSeeded.out
}

// copyTree copies the folder from into to, keeping every file's mode (the
// master key's 0600 among them).
func copyTree(to, from string) error {
	return filepath.WalkDir(from, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(from, path)
		dst := filepath.Join(to, rel)
		info, err := d.Info()
		if err != nil {
			return err
		}
		if d.IsDir() {
			return os.MkdirAll(dst, info.Mode().Perm())
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(dst, b, info.Mode().Perm())
	})
}

// demoSeeded is the folder the demo seeded for this test binary.
var demoSeeded struct {
	once      sync.Once
	data, out string
	err       error
}

// runDemo runs the demo in the folder data until it serves, then stops it.
func runDemo(data string) (string, error) {
	if err := os.MkdirAll(data, 0o700); err != nil {
		return "", err
	}
	cmd := exec.Command(binary, "demo", "--addr", "127.0.0.1:0", "--data", data)
	out, err := cmd.StdoutPipe()
	if err != nil {
		return "", err
	}
	if err := cmd.Start(); err != nil {
		return "", err
	}
	buf := make([]byte, 64<<10)
	var got []byte
	deadline := time.Now().Add(60 * time.Second)
	for !bytes.Contains(got, []byte("Press Ctrl+C")) && time.Now().Before(deadline) {
		n, err := out.Read(buf)
		got = append(got, buf[:n]...)
		if err != nil {
			break
		}
	}
	cmd.Process.Signal(syscall.SIGTERM)
	cmd.Wait()
	if !bytes.Contains(got, []byte("Press Ctrl+C")) {
		return "", fmt.Errorf("the demo did not start:\n%s", got)
	}
	return string(got), nil
}

type letterJSON struct {
	ID             string `json:"id"`
	ClientID       string `json:"client_id"`
	MemberID       string `json:"member_id"`
	OrganizationID string `json:"organization_id"`
	LastDay        string `json:"last_day"`
	Status         string `json:"status"`
	SupersededBy   string `json:"superseded_by"`
	QR             string `json:"qr"`
	QRVersion      int    `json:"qr_version"`
	QRECC          string `json:"qr_ecc"`
	CredentialV    int    `json:"credential_version"`
}

type resultJSON struct {
	Status string `json:"status"`
	Claims *struct {
		ClientName string `json:"client_name"`
		MemberName string `json:"member_name"`
		Phone      string `json:"phone"`
	} `json:"claims"`
	CheckedAt      *time.Time `json:"checked_at"`
	StatusListAsOf *time.Time `json:"status_list_as_of"`
	// Version 2 (docs/credential.md, part II): verify copies these into
	// Claims, so that tests read a letter of either version alike.
	Version  int `json:"credential_version"`
	ClaimsV2 *struct {
		ClientName string `json:"client_name"`
	} `json:"claims_v2"`
	Member *struct {
		Name string `json:"name"`
	} `json:"member"`
	MemberNotice string `json:"member_notice"`
	Contact      string `json:"contact"`
}

// ok runs amparo and fails the test unless it exits 0.
func ok(t *testing.T, args ...string) string {
	t.Helper()
	stdout, stderr, code := amparo(t, nil, args...)
	if code != 0 {
		t.Fatalf("amparo %s: exit %d\n%s", strings.Join(args, " "), code, stderr)
	}
	return stdout
}

func decode[T any](t *testing.T, s string) T {
	t.Helper()
	var v T
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		t.Fatalf("%v in %s", err, s)
	}
	return v
}

// verify runs amparo verify --json and returns the status and exit code.
func verify(t *testing.T, args ...string) (resultJSON, int) {
	t.Helper()
	stdout, stderr, code := amparo(t, nil, append([]string{"verify", "--json"}, args...)...)
	if stdout == "" {
		t.Fatalf("verify %v printed nothing (exit %d): %s", args, code, stderr)
	}
	r := decode[resultJSON](t, stdout)
	if r.ClaimsV2 != nil {
		r.Claims = &struct {
			ClientName string `json:"client_name"`
			MemberName string `json:"member_name"`
			Phone      string `json:"phone"`
		}{ClientName: r.ClaimsV2.ClientName, Phone: r.Contact}
		if r.Member != nil {
			r.Claims.MemberName = r.Member.Name
		}
	}
	return r, code
}

func TestLetterCommands(t *testing.T) {
	t.Parallel()
	data, signer := demoAttorney(t)
	d := []string{"--data", data}
	letters := decode[[]letterJSON](t, ok(t, append([]string{"letter", "list", "--json"}, d...)...))
	byStatus := map[string][]letterJSON{}
	for _, l := range letters {
		byStatus[l.Status] = append(byStatus[l.Status], l)
	}
	for _, s := range []string{"draft", "active", "revoked", "expired", "superseded"} {
		if len(byStatus[s]) == 0 {
			t.Fatalf("the demo has no %s letter", s)
		}
	}

	active := decode[letterJSON](t, ok(t, append([]string{"letter", "show", byStatus["active"][0].ID, "--json"}, d...)...))
	if !strings.Contains(active.QR, "/v#") || active.QRECC != "M" || active.QRVersion < 1 || active.QRVersion > 10 || active.CredentialV != 2 {
		t.Fatalf("letter show: qr %q version %d ecc %q credential version %d", active.QR, active.QRVersion, active.QRECC, active.CredentialV)
	}
	r, code := verify(t, append([]string{active.QR}, d...)...)
	if code != 0 || r.Status != "valid" || r.Claims == nil || r.Claims.ClientName == "" || r.CheckedAt == nil || r.StatusListAsOf == nil ||
		r.Version != 2 || r.Claims.MemberName == "" || r.Claims.Phone == "" || r.MemberNotice != "" {
		t.Fatalf("verify active: exit %d %+v", code, r)
	}
	if out, _, _ := amparo(t, nil, append([]string{"verify", active.QR}, d...)...); !strings.Contains(out, "Attorney") && !strings.Contains(out, "Representative") {
		t.Errorf("verify prints no member from the roster:\n%s", out)
	}

	t.Run("Revoke", func(t *testing.T) {
		l := byStatus["active"][1]
		l = decode[letterJSON](t, ok(t, append([]string{"letter", "show", l.ID, "--json"}, d...)...))
		if _, stderr, code := amparo(t, nil, append([]string{"letter", "revoke", l.ID}, d...)...); code == 0 || !strings.Contains(stderr, "revoke_reason") {
			t.Fatalf("revoke without a reason: exit %d %q", code, stderr)
		}
		ok(t, append([]string{"letter", "revoke", l.ID, "--reason", "Client asked to end representation"}, d...)...)
		if r, code := verify(t, append([]string{l.QR}, d...)...); code != 1 || r.Status != "revoked" {
			t.Fatalf("after revoke: exit %d status %s", code, r.Status)
		}
	})
	nextCode := signer.codes(t)
	t.Run("Renew", func(t *testing.T) {
		var mine letterJSON
		for _, l := range byStatus["active"] {
			if l.MemberID == signer.member && l.ID != byStatus["active"][1].ID {
				mine = l
			}
		}
		old := decode[letterJSON](t, ok(t, append([]string{"letter", "show", mine.ID, "--json"}, d...)...))
		// The operator cannot sign in the member's name.
		if _, stderr, code := amparo(t, nil, append([]string{"letter", "renew", old.ID}, d...)...); code == 0 || !strings.Contains(stderr, "--as") {
			t.Fatalf("renew without --as: exit %d %q", code, stderr)
		}
		if _, stderr, code := amparo(t, nil, append([]string{"letter", "renew", old.ID, "--as", signer.email, "--code", "000000"}, d...)...); code == 0 || !strings.Contains(stderr, "authenticator code") {
			t.Fatalf("renew with a wrong code: exit %d %q", code, stderr)
		}
		next := decode[letterJSON](t, ok(t, append([]string{"letter", "renew", old.ID, "--as", signer.email, "--code", nextCode(), "--json"}, d...)...))
		if next.Status != "active" || next.QR == "" || next.QR == old.QR {
			t.Fatalf("renewal %+v", next)
		}
		// The card the client carries keeps verifying until its own date.
		if r, _ := verify(t, append([]string{old.QR}, d...)...); r.Status != "valid" {
			t.Fatalf("superseded letter verifies %s", r.Status)
		}
		if r, _ := verify(t, append([]string{next.QR}, d...)...); r.Status != "valid" {
			t.Fatalf("renewed letter verifies %s", r.Status)
		}
	})
	t.Run("IssueDraft", func(t *testing.T) {
		var draft letterJSON
		for _, l := range byStatus["draft"] {
			if l.MemberID == signer.member {
				draft = l
			}
		}
		l := decode[letterJSON](t, ok(t, append([]string{"letter", "issue", draft.ID, "--as", signer.email, "--code", nextCode(), "--json"}, d...)...))
		if l.Status != "active" || l.QR == "" || l.LastDay == "" {
			t.Fatalf("issued %+v", l)
		}
		// The last day is in the program's zone (the demo's: Los Angeles).
		if want := time.Now().In(mustZone(t, "America/Los_Angeles")).AddDate(0, 0, 365).Format(time.DateOnly); l.LastDay != want {
			t.Fatalf("last day %s, want %s", l.LastDay, want)
		}
		out, _, _ := amparo(t, nil, append([]string{"verify", l.QR}, d...)...)
		if !strings.Contains(out, "through "+l.LastDay+" (America/Los_Angeles)") {
			t.Fatalf("verify does not print the last day %s:\n%s", l.LastDay, out)
		}
	})
	t.Run("OfflineBundleImageAndPDF", func(t *testing.T) {
		dir := t.TempDir()
		bundle, img, pdf := filepath.Join(dir, "trust.cbor"), filepath.Join(dir, "qr.png"), filepath.Join(dir, "letter.pdf")
		ok(t, append([]string{"trust", "export", "--out", bundle}, d...)...)
		ok(t, append([]string{"letter", "show", active.ID, "--png", img}, d...)...)
		// Another machine: no data folder, only the bundle.
		if r, code := verify(t, "--trust", bundle, active.QR); code != 0 || r.Status != "valid" {
			t.Fatalf("offline: exit %d %s", code, r.Status)
		}
		if r, code := verify(t, "--trust", bundle, "--image", img); code != 0 || r.Status != "valid" {
			t.Fatalf("from a photo: exit %d %s", code, r.Status)
		}
		f, _ := os.Open(img)
		cfg, _ := png.DecodeConfig(f)
		f.Close()
		doc := fpdf.New("P", "mm", "Letter", "")
		doc.AddPage()
		doc.ImageOptions(img, 20, 30, 40, 40*float64(cfg.Height)/float64(cfg.Width), false, fpdf.ImageOptions{ImageType: "PNG"}, 0, "")
		if err := doc.OutputFileAndClose(pdf); err != nil {
			t.Fatal(err)
		}
		if r, code := verify(t, "--trust", bundle, "--pdf", pdf); code != 0 || r.Status != "valid" {
			t.Fatalf("from a PDF: exit %d %s", code, r.Status)
		}
	})
	t.Run("BadInput", func(t *testing.T) {
		bundle := filepath.Join(t.TempDir(), "trust.cbor")
		ok(t, append([]string{"trust", "export", "--out", bundle}, d...)...)
		cred := active.QR[strings.Index(active.QR, "#")+1:]
		mid := len(cred) / 2
		other := "A" // one character of the text changed for another of its alphabet
		if cred[mid] == 'A' {
			other = "B"
		}
		flipped := cred[:mid] + other + cred[mid+1:]
		for name, text := range map[string]string{
			"Truncated":   active.QR[:len(active.QR)-20],
			"OneChanged":  active.QR[:strings.Index(active.QR, "#")+1] + flipped,
			"LowerCase":   strings.ToLower(active.QR),
			"NotBase32":   "https://amparo.example.org/v#HELLO-WORLD!",
			"Empty":       "https://amparo.example.org/v#",
			"OtherPrefix": "HC1:NCFOXN%TS3DH3ZSUZK+.V0ETD%65NL-AH",
			"LongText":    strings.Repeat("A", 100<<10),
		} {
			r, code := verify(t, "--trust", bundle, text)
			if code == 0 || r.Status == "valid" || r.Status != "not_genuine" {
				t.Errorf("%s: exit %d status %s", name, code, r.Status)
			}
		}
		// Megabytes on standard input are refused before decoding.
		cmd := exec.Command(binary, "verify", "--json", "--trust", bundle, "-")
		cmd.Stdin = strings.NewReader(strings.Repeat("A", 4<<20))
		out, _ := cmd.Output()
		if r := decode[resultJSON](t, string(out)); cmd.ProcessState.ExitCode() == 0 || r.Status != "not_genuine" {
			t.Errorf("megabytes on stdin: exit %d status %s", cmd.ProcessState.ExitCode(), r.Status)
		}
		blank := filepath.Join(t.TempDir(), "blank.png")
		f, _ := os.Create(blank)
		png.Encode(f, imageOf(200))
		f.Close()
		for _, args := range [][]string{{"--image", blank}, {"--image", bundle}, {"--pdf", bundle}, {}} {
			_, stderr, code := amparo(t, nil, append([]string{"verify", "--trust", bundle}, args...)...)
			if code == 0 || len(strings.Split(strings.TrimSpace(stderr), "\n")) != 1 || strings.Contains(stderr, "panic") {
				t.Errorf("verify %v: exit %d, stderr %q", args, code, stderr)
			}
		}
	})
}

func imageOf(size int) *image.Gray {
	img := image.NewGray(image.Rect(0, 0, size, size))
	for i := range img.Pix {
		img.Pix[i] = 0xff
	}
	return img
}

type keyJSON struct {
	ID             string `json:"id"`
	Kind           string `json:"kind"`
	OrganizationID string `json:"organization_id"`
	Status         string `json:"status"`
	Private        bool   `json:"private_key_here"`
	Certified      bool   `json:"certified"`
}

func TestKeyCommands(t *testing.T) {
	t.Parallel()
	data, signer := demoAttorney(t)
	d := []string{"--data", data}
	letters := decode[[]letterJSON](t, ok(t, append([]string{"letter", "list", "--status", "active", "--json"}, d...)...))
	show := func(id string) letterJSON {
		return decode[letterJSON](t, ok(t, append([]string{"letter", "show", id, "--json"}, d...)...))
	}
	var a letterJSON
	for _, l := range letters {
		if l.MemberID == signer.member {
			a = show(l.ID)
		}
	}
	code := signer.codes(t)
	as := func(args ...string) []string {
		return append(append(args, "--as", signer.email, "--code", code()), d...)
	}
	var b letterJSON
	for _, l := range letters {
		if l.OrganizationID != a.OrganizationID {
			b = show(l.ID)
			break
		}
	}
	status := func(qr string) string {
		r, _ := verify(t, append([]string{qr}, d...)...)
		return r.Status
	}

	// Rotation: A's old letter stays valid; a new one is signed by the new key.
	out := ok(t, append([]string{"keys", "org", "new", "--org", a.OrganizationID}, d...)...)
	if !strings.Contains(out, "Signed and published a new trust list") {
		t.Fatalf("rotation output: %s", out)
	}
	if s := status(a.QR); s != "valid" {
		t.Fatalf("after rotation the old letter is %s", s)
	}
	renewed := decode[letterJSON](t, ok(t, as("letter", "renew", a.ID, "--json")...))

	// Revoking A's new key fails its letters, not B's.
	var newKey string
	for _, k := range decode[[]keyJSON](t, ok(t, append([]string{"keys", "list", "--json"}, d...)...)) {
		if k.OrganizationID == a.OrganizationID && k.Status == "active" {
			newKey = k.ID
		}
	}
	ok(t, append([]string{"keys", "revoke", newKey}, d...)...)
	if s := status(renewed.QR); s != "issuer_revoked" {
		t.Fatalf("a letter of a revoked key is %s", s)
	}
	if s := status(b.QR); s != "valid" {
		t.Fatalf("another organization's letter is %s", s)
	}

	// The root key goes offline; key changes are signed from a request file.
	root := filepath.Join(t.TempDir(), "root.key")
	ok(t, append([]string{"keys", "root", "export", "--out", root}, d...)...)
	ok(t, append([]string{"keys", "root", "forget"}, d...)...)
	out = ok(t, append([]string{"keys", "org", "new", "--org", a.OrganizationID}, d...)...)
	if !strings.Contains(out, "The root key is offline") {
		t.Fatalf("key change with the root offline: %s", out)
	}
	if _, stderr, code := amparo(t, nil, as("letter", "renew", renewed.ID)...); code == 0 || !strings.Contains(stderr, "no certified issuing key") {
		t.Fatalf("issuing before the new key is certified: exit %d %q", code, stderr)
	}
	offline := t.TempDir()
	req, list := filepath.Join(offline, "request.json"), filepath.Join(offline, "trust.cose")
	ok(t, append([]string{"trust", "request", "--out", req}, d...)...)
	ok(t, "trust", "sign", "--root", root, "--in", req, "--out", list) // no database at all
	ok(t, append([]string{"trust", "import", list}, d...)...)
	for _, k := range decode[[]keyJSON](t, ok(t, append([]string{"keys", "list", "--json"}, d...)...)) {
		if k.Kind == "root" && k.Private {
			t.Fatal("the root private key is still in the database")
		}
		if k.OrganizationID == a.OrganizationID && k.Status == "active" && !k.Certified {
			t.Fatal("the new key is not certified after import")
		}
	}
	c := decode[letterJSON](t, ok(t, as("letter", "renew", renewed.ID, "--json")...))
	if s := status(c.QR); s != "valid" {
		t.Fatalf("a letter signed after the offline import is %s", s)
	}
	if _, stderr, code := amparo(t, nil, append([]string{"trust", "import", list}, d...)...); code == 0 || !strings.Contains(stderr, "not newer") {
		t.Fatalf("re-import: exit %d %q", code, stderr)
	}
}

func TestAuditVerify(t *testing.T) {
	t.Parallel()
	data := demoData(t)
	out := ok(t, "audit", "verify", "--data", data)
	if !strings.Contains(out, "The audit trail is intact") {
		t.Fatalf("audit verify: %s", out)
	}
	// An attacker with the database file rewrites an event.
	db, err := sql.Open("sqlite", "file:"+filepath.Join(data, "amparo.db"))
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{"DROP TRIGGER audit_events_no_update", "UPDATE audit_events SET action = 'client.create' WHERE seq = 5"} {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()
	if _, stderr, code := amparo(t, nil, "audit", "verify", "--data", data); code == 0 || !strings.Contains(stderr, "audit event 5 breaks the chain") {
		t.Fatalf("tampered trail: exit %d %q", code, stderr)
	}
}

func TestInvite(t *testing.T) {
	t.Parallel()
	data := t.TempDir()
	out := ok(t, "invite", "--data", data, "--email", "Jefa.Programa@Ejemplo.example")
	if !regexp.MustCompile(`http://127\.0\.0\.1:8080/invite/[A-Za-z0-9_-]{20,}`).MatchString(out) {
		t.Fatalf("invite: %s", out)
	}
	if _, stderr, code := amparo(t, nil, "invite", "--data", data, "--email", "x@example.org", "--role", "member"); code == 0 || !strings.Contains(stderr, "organization_id") {
		t.Fatalf("member without an organization: %d %q", code, stderr)
	}
}

func TestImportIntakes(t *testing.T) {
	t.Parallel()
	data := demoData(t)
	orgs := decode[[]letterJSON](t, ok(t, "letter", "list", "--json", "--data", data))
	org := orgs[0].OrganizationID
	bad := filepath.Join("..", "..", "csvimport", "testdata", "bad_date.csv")
	_, stderr, code := amparo(t, nil, "import", "intakes", bad, "--org", org, "--data", data, "--lang", "es")
	if code == 0 || !strings.Contains(stderr, "Línea") {
		t.Fatalf("a bad file: exit %d %q", code, stderr)
	}
	if out := ok(t, "import", "intakes", bad, "--org", org, "--data", data, "--partial"); !regexp.MustCompile(`Imported [1-9]\d* new`).MatchString(out) {
		t.Fatalf("partial import: %s", out)
	}
	if out := ok(t, "import", "intakes", bad, "--org", org, "--data", data, "--partial"); !strings.Contains(out, "Imported 0 new") {
		t.Fatalf("re-import: %s", out)
	}
}

func TestQueueAndPolicy(t *testing.T) {
	t.Parallel()
	data := demoData(t)
	orgs := decode[[]letterJSON](t, ok(t, "letter", "list", "--json", "--data", data))
	org := orgs[0].OrganizationID
	ok(t, "import", "intakes", filepath.Join("..", "..", "csvimport", "testdata", "crlf.csv"), "--org", org, "--data", data, "--partial")

	q := decode[queueJSON](t, ok(t, "queue", "--org", org, "--json", "--data", data))
	if q.Version != 0 || len(q.Queue) == 0 || q.Queue[0].Place != 1 {
		t.Fatalf("queue %+v", q)
	}

	dir := t.TempDir()
	current := ok(t, "policy", "show", "--data", data)
	bad := filepath.Join(dir, "bad.policy")
	os.WriteFile(bad, []byte(strings.Replace(current, "when detained", "when detainee", 1)), 0o600)
	if _, stderr, code := amparo(t, nil, "policy", "set", bad, "--reason", "test", "--data", data); code == 0 || !regexp.MustCompile(`line \d+, column \d+`).MatchString(stderr) {
		t.Fatalf("a policy naming an unknown fact: exit %d %q", code, stderr)
	}
	if out := ok(t, "policy", "show", "--data", data); !strings.Contains(out, "version 0") {
		t.Fatalf("the policy changed after a refused edit:\n%s", out)
	}
	good := filepath.Join(dir, "good.policy")
	os.WriteFile(good, []byte(strings.Replace(current, "rule daca points 10", "rule daca tier 1", 1)), 0o600)
	out := ok(t, "policy", "set", good, "--reason", "DACA recipients first this year", "--data", data)
	if !strings.Contains(out, "version 1 is in force") || !strings.Contains(out, "moved") {
		t.Fatalf("policy set: %s", out)
	}
	if out := ok(t, "policy", "history", "--data", data); !strings.Contains(out, "DACA recipients first this year") {
		t.Fatalf("history: %s", out)
	}
}

type queueJSON struct {
	Version int `json:"policy_version"`
	Queue   []struct {
		Place int `json:"place"`
	} `json:"queue"`
}

func mustZone(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// An auditor checks a backup with nothing else: no master key is needed
// or made, and the file is read as it is.
func TestAuditVerify_ABackupWithoutTheMasterKey(t *testing.T) {
	t.Parallel()
	data := demoData(t)
	dir := t.TempDir()
	backup := filepath.Join(dir, "amparo.db")
	ok(t, "backup", "--data", data, "--out", backup)
	before, err := os.ReadFile(backup)
	if err != nil {
		t.Fatal(err)
	}
	out := ok(t, "audit", "verify", "--db", "sqlite:"+backup)
	if !strings.Contains(out, "The audit trail is intact") {
		t.Fatalf("audit verify of a backup: %s", out)
	}
	after, _ := os.ReadFile(backup)
	entries, _ := os.ReadDir(dir)
	if !bytes.Equal(before, after) || len(entries) != 1 {
		t.Errorf("checking the backup changed its folder: %d entries, file unchanged %v", len(entries), bytes.Equal(before, after))
	}
	// Something that is not a database: one line saying so.
	notes := filepath.Join(dir, "notes.txt")
	os.WriteFile(notes, []byte("nada"), 0o600)
	if _, stderr, code := amparo(t, nil, "audit", "verify", "--db", "sqlite:"+notes); code == 0 || !strings.Contains(stderr, "no audit trail to read") {
		t.Errorf("audit verify of a text file: exit %d %q", code, stderr)
	}
	if _, stderr, code := amparo(t, nil, "audit", "verify", "--db", "sqlite:"+filepath.Join(dir, "missing.db")); code == 0 || !strings.Contains(stderr, "no SQLite database at") {
		t.Errorf("audit verify of a missing file: exit %d %q", code, stderr)
	}
}

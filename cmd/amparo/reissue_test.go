package main_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	domain "github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/credential"
	"github.com/amparo-project/amparo/envelope"
	"github.com/amparo-project/amparo/internal/storetest"
	"github.com/amparo-project/amparo/internal/testenv"
	"github.com/amparo-project/amparo/sqldb"
)

// TestLetterReissue runs amparo letter reissue --all-v1 on SQLite and on
// PostgreSQL: a dry run changes nothing; the run reissues every active
// version 1 letter (not the revoked one, nor the version 2 one) as version
// 2, audited, and writes their cards to one PDF; a second run does nothing.
func TestLetterReissue(t *testing.T) {
	t.Parallel()
	testenv.Commands(t, "pdftotext", "pdfinfo")
	t.Run("sqlite", func(t *testing.T) {
		t.Parallel()
		data := t.TempDir()
		if _, stderr, code := amparo(t, nil, "migrate", "--data", data); code != 0 {
			t.Fatal(stderr)
		}
		keyText, _ := os.ReadFile(filepath.Join(data, "master.key"))
		key, err := envelope.DecodeKey(strings.TrimSpace(string(keyText)))
		if err != nil {
			t.Fatal(err)
		}
		db := storetest.MustOpenDSN(t, "sqlite:"+filepath.Join(data, "amparo.db"), key)
		testReissue(t, db, nil, "--data", data)
	})
	t.Run("postgres", func(t *testing.T) {
		t.Parallel()
		cl := sharedCluster(t)
		if cl == nil {
			return
		}
		dsn, err := cl.CreateDatabase(t.Context(), "reissue")
		if err != nil {
			t.Fatal(err)
		}
		key := envelope.GenerateMasterKey()
		env := []string{"AMPARO_DB=" + dsn, "AMPARO_MASTER_KEY=" + envelope.EncodeKey(key)}
		if _, stderr, code := amparo(t, env, "migrate"); code != 0 {
			t.Fatalf("migrate: %s", stderr)
		}
		testReissue(t, storetest.MustOpenDSN(t, dsn, key), env)
	})
}

func testReissue(t *testing.T, db *sqldb.DB, env []string, flags ...string) {
	run := func(args ...string) (string, string, int) {
		t.Helper()
		return amparo(t, env, append(append([]string{"letter", "reissue"}, args...), flags...)...)
	}
	sys := storetest.System
	org := storetest.MustCreateOrganization(t, db, "Centro Legal Ejemplo")
	m := storetest.MustCreateMember(t, db, org.ID, "900001")
	intake := domain.NewContextWithActor(context.Background(), domain.Actor{ID: "intake", Role: domain.RoleIntake, OrganizationID: org.ID})
	issue := func(name string) *domain.Letter {
		c := storetest.MustCreateClient(t, intake, db, &domain.Client{Personal: domain.Personal{LegalName: name, Language: "es"}})
		l := &domain.Letter{ClientID: c.ID, MemberID: m.ID, OrganizationID: org.ID, Languages: []string{"es"}}
		if err := db.CreateLetter(intake, l); err != nil {
			t.Fatal(err)
		}
		if _, err := db.IssueLetter(storetest.SignerFor(t, db, m), l.ID); err != nil {
			t.Fatal(err)
		}
		return l
	}
	// Three letters as issued before version 2, one of them revoked; one
	// of version 2.
	db.CredentialVersion = 1
	issue("Aurora Reemisión Ejemplo")
	issue("Benito Reemisión Ficticio")
	revoked := issue("Carmen Revocada Ejemplo")
	db.CredentialVersion = 0
	if _, err := db.RevokeLetter(sys, revoked.ID, "Representation ended"); err != nil {
		t.Fatal(err)
	}
	issue("Dario Versión Dos")
	count := func(v int) int {
		t.Helper()
		_, n, err := db.FindLetters(sys, domain.LetterFilter{Status: domain.LetterActive, CredentialVersion: v})
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	if count(1) != 2 || count(2) != 1 {
		t.Fatalf("seeded %d active version 1 and %d version 2 letters", count(1), count(2))
	}

	dir := t.TempDir()
	cards := filepath.Join(dir, "cards.pdf")
	if _, stderr, code := run("--out", cards); code != 2 || !strings.Contains(stderr, "--all-v1") {
		t.Errorf("without --all-v1: exit %d %q", code, stderr)
	}
	if _, stderr, code := run("--all-v1"); code != 2 || !strings.Contains(stderr, "--out is required") {
		t.Errorf("without --out: exit %d %q", code, stderr)
	}
	exists := filepath.Join(dir, "exists.pdf")
	os.WriteFile(exists, []byte("x"), 0o600)
	if _, stderr, code := run("--all-v1", "--out", exists); code != 1 || !strings.Contains(stderr, "never overwritten") {
		t.Errorf("an existing --out: exit %d %q", code, stderr)
	}
	stdout, stderr, code := run("--all-v1", "--dry-run")
	if code != 0 || !strings.Contains(stdout, "2 active letters of credential version 1 would be reissued") {
		t.Errorf("dry run: exit %d %q %q", code, stdout, stderr)
	}
	if count(1) != 2 {
		t.Fatalf("the dry run or a refused run changed letters: %d version 1 left", count(1))
	}

	stdout, stderr, code = run("--all-v1", "--out", cards)
	if code != 0 || !strings.Contains(stdout, "Reissued 2 of 2 active letters") || !strings.Contains(stdout, "Their 2 wallet cards are in "+cards) || strings.Contains(stdout, "\r") {
		t.Fatalf("reissue: exit %d %q %q", code, stdout, stderr)
	}
	if count(1) != 0 || count(2) != 3 {
		t.Errorf("after the reissue: %d version 1 and %d version 2 active letters, want 0 and 3", count(1), count(2))
	}
	if _, n, err := db.FindAuditEvents(sys, domain.AuditFilter{Action: domain.AuditLetterReissue}); err != nil || n != 4 {
		t.Errorf("%d letter.reissue audit events (%v), want 4: the old and new of each", n, err)
	}
	if fi, err := os.Stat(cards); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("cards file: %v %v", fi, err)
	}
	if s := pageSizeMM(t, cards); strings.Join(s, " ") != "215.9×279.4 215.9×279.4" {
		t.Errorf("cards pages %v, want one sheet of fronts and backs", s)
	}
	text, _ := exec.Command("pdftotext", cards, "-").Output()
	flat := strings.Join(strings.Fields(string(text)), " ")
	for _, name := range []string{"Aurora Reemisión Ejemplo", "Benito Reemisión Ficticio"} {
		if !strings.Contains(flat, name) {
			t.Errorf("no card for %s", name)
		}
	}
	if strings.Contains(flat, "Carmen") || strings.Contains(flat, "Dario") {
		t.Error("a card for a revoked or version 2 letter")
	}
	// The new cards carry version 2 codes.
	ls, _, _ := db.FindLetters(sys, domain.LetterFilter{Status: domain.LetterActive})
	for _, l := range ls {
		full, err := db.FindLetterByID(sys, l.ID)
		if err != nil || credential.Version(full.QR) != 2 {
			t.Errorf("active letter %s: version %d (%v)", l.ID, credential.Version(full.QR), err)
		}
	}

	// Idempotent: run again, nothing to do, nothing written.
	again := filepath.Join(dir, "again.pdf")
	stdout, stderr, code = run("--all-v1", "--out", again)
	if code != 0 || !strings.Contains(stdout, "nothing to reissue") {
		t.Errorf("second run: exit %d %q %q", code, stdout, stderr)
	}
	if _, err := os.Stat(again); err == nil {
		t.Error("the second run wrote a cards file")
	}
	if count(2) != 3 {
		t.Errorf("the second run changed letters: %d version 2", count(2))
	}
}

package main_test

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	domain "github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/demo"
	"github.com/amparo-project/amparo/envelope"
	"github.com/amparo-project/amparo/internal/testenv"
	"github.com/amparo-project/amparo/sqldb"
)

// pageSizeMM returns the size of every page of a PDF in millimetres.
func pageSizeMM(t *testing.T, path string) []string {
	out, err := exec.Command("pdfinfo", "-f", "1", "-l", "99", path).Output()
	if err != nil {
		t.Fatal(err)
	}
	var sizes []string
	for _, m := range regexp.MustCompile(`size: +([\d.]+) x ([\d.]+) pts`).FindAllStringSubmatch(string(out), -1) {
		w, _ := strconv.ParseFloat(m[1], 64)
		h, _ := strconv.ParseFloat(m[2], 64)
		sizes = append(sizes, fmt.Sprintf("%.1f×%.1f", w/72*25.4, h/72*25.4))
	}
	return sizes
}

func TestLetterDocumentCommands(t *testing.T) {
	t.Parallel()
	testenv.Commands(t, "pdftotext", "pdfinfo", "pdftoppm")
	data := demoData(t)
	d := []string{"--data", data}
	active := decode[[]letterJSON](t, ok(t, append([]string{"letter", "list", "--status", "active", "--json"}, d...)...))
	revoked := decode[[]letterJSON](t, ok(t, append([]string{"letter", "list", "--status", "revoked", "--json"}, d...)...))
	one := decode[letterJSON](t, ok(t, append([]string{"letter", "show", active[0].ID, "--json"}, d...)...))
	claims, _ := verify(t, append([]string{one.QR}, d...)...)
	dir := t.TempDir()

	t.Run("PDF", func(t *testing.T) {
		pdf := filepath.Join(dir, "letter.pdf")
		ok(t, append([]string{"letter", "pdf", one.ID, "--out", pdf}, d...)...)
		text, _ := exec.Command("pdftotext", pdf, "-").Output()
		flat := strings.Join(strings.Fields(string(text)), " ")
		for _, s := range []string{"Letter of Representation", claims.Claims.ClientName, claims.Claims.MemberName} {
			if !strings.Contains(flat, s) {
				t.Errorf("no %q in the letter", s)
			}
		}
		if !strings.Contains(flat, "Know your rights") && !strings.Contains(flat, "Conozca sus derechos") {
			t.Error("no rights in the client's part")
		}
		if sizes := pageSizeMM(t, pdf); len(sizes) < 2 || sizes[0] != "215.9×279.4" {
			t.Errorf("pages %v", sizes)
		}
		// The printed code is the letter's, and it verifies.
		if r, code := verify(t, append([]string{"--pdf", pdf}, d...)...); code != 0 || r.Status != "valid" || r.Claims.ClientName != claims.Claims.ClientName {
			t.Errorf("verify --pdf: exit %d %+v", code, r)
		}
		if fi, _ := os.Stat(pdf); fi.Mode().Perm() != 0o600 {
			t.Errorf("the letter is readable by others: %v", fi.Mode())
		}
		if _, stderr, code := amparo(t, nil, append([]string{"letter", "pdf", one.ID, "--out", pdf}, d...)...); code == 0 || !strings.Contains(stderr, "never overwritten") {
			t.Errorf("overwrite: exit %d %q", code, stderr)
		}
	})
	t.Run("Card", func(t *testing.T) {
		card, sheet := filepath.Join(dir, "card.pdf"), filepath.Join(dir, "sheet.pdf")
		ok(t, append([]string{"letter", "card", one.ID, "--out", card}, d...)...)
		ok(t, append([]string{"letter", "card", one.ID, "--out", sheet, "--sheet"}, d...)...)
		if s := pageSizeMM(t, card); strings.Join(s, " ") != "105.6×74.0 105.6×74.0" {
			t.Errorf("card pages %v", s)
		}
		if s := pageSizeMM(t, sheet); strings.Join(s, " ") != "215.9×279.4 215.9×279.4" {
			t.Errorf("sheet pages %v", s)
		}
		if r, code := verify(t, append([]string{"--pdf", card}, d...)...); code != 0 || r.Status != "valid" {
			t.Errorf("verify --pdf card: exit %d %s", code, r.Status)
		}
	})
	t.Run("BadInput", func(t *testing.T) {
		for _, tt := range []struct {
			args []string
			code int
			want string
		}{
			{[]string{"letter", "pdf", revoked[0].ID, "--out", filepath.Join(dir, "r.pdf")}, 1, "only active letters"},
			{[]string{"letter", "pdf", one.ID}, 2, "--out is required"},
			{[]string{"letter", "card", "no-such-letter", "--out", filepath.Join(dir, "n.pdf")}, 1, "not found"},
			{[]string{"letter", "print", "--status", "revoked", "--out", filepath.Join(dir, "x")}, 1, "only active letters"},
			{[]string{"letter", "print", "--out", dir}, 1, "not empty"},
		} {
			_, stderr, code := amparo(t, nil, append(tt.args, d...)...)
			if code != tt.code || !strings.Contains(stderr, tt.want) || len(strings.Split(strings.TrimSpace(stderr), "\n")) != 1 {
				t.Errorf("%v: exit %d %q, want %d and %q", tt.args, code, stderr, tt.code, tt.want)
			}
		}
		if _, err := os.Stat(filepath.Join(dir, "r.pdf")); err == nil {
			t.Error("a revoked letter's PDF was written")
		}
	})
	t.Run("Print", func(t *testing.T) {
		out := filepath.Join(t.TempDir(), "run")
		stdout := ok(t, append([]string{"letter", "print", "--out", out}, d...)...)
		if strings.Contains(stdout, "\r") || !strings.Contains(stdout, fmt.Sprintf("Printed %d letters and %d wallet cards", len(active), len(active))) {
			t.Errorf("summary: %q", stdout)
		}
		letters, _ := filepath.Glob(filepath.Join(out, "letter-*.pdf"))
		cards, _ := filepath.Glob(filepath.Join(out, "cards-*.pdf"))
		if len(letters) != len(active) || len(cards) != (len(active)+99)/100 {
			t.Errorf("%d letters and %d card files for %d active letters", len(letters), len(cards), len(active))
		}
		f, _ := os.Open(filepath.Join(out, "manifest.csv"))
		rows, _ := csv.NewReader(f).ReadAll()
		f.Close()
		if len(rows) != len(active)+1 || rows[1][2] != "cards-001.pdf" || rows[1][3] != "1" || rows[1][4] != "1" {
			t.Errorf("manifest: %v", rows[:min(3, len(rows))])
		}
		if s := pageSizeMM(t, cards[0]); len(s) != 2*((len(active)+9)/10) {
			t.Errorf("%d active letters on %d sheet pages", len(active), len(s))
		}
		org := active[0].OrganizationID
		n := 0
		for _, l := range active {
			if l.OrganizationID == org {
				n++
			}
		}
		stdout = ok(t, append([]string{"letter", "print", "--org", org, "--out", filepath.Join(t.TempDir(), "org")}, d...)...)
		if !strings.Contains(stdout, fmt.Sprintf("Printed %d letters", n)) {
			t.Errorf("--org: %q, want %d letters", stdout, n)
		}
	})
}

// TestLetterPrint_500 makes a data folder with 500 and more active letters
// and prints them all, checking that every letter and card is written. It
// runs when AMPARO_PRINT_RUN is set; when that names a folder, the seeded
// data is kept there, to time the command by hand with time(1): speed is
// measured that way and by benchmarks, never asserted by a test.
func TestLetterPrint_500(t *testing.T) {
	t.Parallel()
	keep := os.Getenv("AMPARO_PRINT_RUN")
	if keep == "" {
		t.Skip("set AMPARO_PRINT_RUN=1 (or a folder to keep the data in) to time a print run of 500 letters")
	}
	data := demoData(t)
	seed500(t, data)
	if keep != "1" {
		if err := os.CopyFS(keep, os.DirFS(data)); err != nil {
			t.Fatal(err)
		}
	}
	start := time.Now()
	stdout := ok(t, "letter", "print", "--data", data, "--out", filepath.Join(t.TempDir(), "run"))
	took := time.Since(start)
	t.Logf("%s(%.1f s in all)", stdout, took.Seconds())
	if !strings.Contains(stdout, "Printed 5") {
		t.Errorf("print run: %s", stdout)
	}
}

// seed500 issues letters to new fictional clients until 500 are active.
func seed500(t *testing.T, data string) {
	key, err := envelope.ReadKeyFile(filepath.Join(data, "master.key"))
	if err != nil {
		t.Fatal(err)
	}
	k, err := envelope.New(key)
	if err != nil {
		t.Fatal(err)
	}
	db, err := sqldb.Open("sqlite:"+filepath.Join(data, "amparo.db"), k, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := domain.NewContextWithActor(context.Background(), domain.SystemActor)
	members, _, err := db.FindMembers(ctx, domain.MemberFilter{Status: domain.MemberActive})
	if err != nil {
		t.Fatal(err)
	}
	_, n, err := db.FindLetters(ctx, domain.LetterFilter{Status: domain.LetterActive, Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(500, 1))
	for i := 0; n < 500; i++ {
		m := members[i%len(members)]
		lang := []string{"es", "es", "en", "vi"}[i%4]
		c := demo.Client(r, m.OrganizationID, lang, time.Now())
		octx := domain.NewContextWithActor(context.Background(), domain.Actor{ID: "seed", Role: domain.RoleIntake, OrganizationID: m.OrganizationID})
		if err := db.CreateClient(octx, c); err != nil {
			t.Fatal(err)
		}
		l := &domain.Letter{ClientID: c.ID, MemberID: m.ID, OrganizationID: m.OrganizationID, Languages: []string{lang}}
		if err := db.CreateLetter(octx, l); err != nil {
			t.Fatal(err)
		}
		// The member named signs, as their own account (the demo links
		// each member to one) with its second factor.
		sign := domain.NewContextWithActor(context.Background(), domain.Actor{ID: m.AccountID, Role: domain.RoleMember,
			OrganizationID: m.OrganizationID, SecondFactor: true})
		if _, err := db.IssueLetter(sign, l.ID); err != nil {
			t.Fatal(err)
		}
		n++
	}
}

package document

import (
	"context"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/amparo-project/amparo"
)

// fakeSource is a store of letters for a print run, in memory: what the
// Loader and Print read, and nothing else.
type fakeSource struct {
	amparo.ProgramService
	amparo.OrganizationService
	amparo.MemberService
	amparo.ClientService
	amparo.LetterService
	amparo.PhoneService
	letters []*amparo.Letter
}

func (f *fakeSource) FindProgram(context.Context) (*amparo.Program, error) {
	return &amparo.Program{Name: "Programa de Cartas (demo)", Jurisdiction: "City of Ejemplo", TimeZone: "America/Los_Angeles",
		LetterValidityDays: 365, VerifyURL: "https://amparo.example.org/v"}, nil
}

func (f *fakeSource) FindLetters(_ context.Context, lf amparo.LetterFilter) ([]*amparo.Letter, int, error) {
	var out []*amparo.Letter
	for _, l := range f.letters {
		if l.Status == lf.Status && (lf.OrganizationID == "" || l.OrganizationID == lf.OrganizationID) {
			out = append(out, l)
		}
	}
	n := len(out)
	return out[min(lf.Offset, n):min(lf.Offset+lf.Limit, n)], n, nil
}

func (f *fakeSource) FindLetterByID(_ context.Context, id string) (*amparo.Letter, error) {
	for _, l := range f.letters {
		if l.ID == id {
			return l, nil
		}
	}
	return nil, amparo.Errorf(amparo.ENOTFOUND, "letter not found")
}

func (f *fakeSource) FindClientByID(_ context.Context, id string) (*amparo.Client, error) {
	if id == "client-gone" {
		return nil, amparo.Errorf(amparo.ENOTFOUND, "client not found")
	}
	return &amparo.Client{ID: id, Personal: amparo.Personal{LegalName: "Ana Ejemplo " + id}}, nil
}

func (f *fakeSource) FindMemberByID(_ context.Context, id string) (*amparo.Member, error) {
	return &amparo.Member{ID: id, Name: "Lic. Tomás Ficticio", Kind: amparo.MemberAttorney, BarJurisdiction: "California",
		BarNumber: "900100", PublicPhone: "+1 213 555 0142"}, nil
}

func (f *fakeSource) FindOrganizationByID(_ context.Context, id string) (*amparo.Organization, error) {
	return &amparo.Organization{ID: id, Name: "Centro Legal Ejemplo " + id}, nil
}

func (f *fakeSource) FindPhoneLink(context.Context, string) (*amparo.PhoneLink, error) {
	return nil, amparo.Errorf(amparo.ENOTFOUND, "no phone link")
}

// TestPrint: a print run writes every active letter of the organization
// asked for, their cards on sheets of ten, and a manifest; a letter that
// cannot be loaded is reported by ID, and the rest are printed; a folder
// that is not empty is refused.
func TestPrint(t *testing.T) {
	issued := time.Date(2026, time.March, 5, 18, 0, 0, 0, time.UTC)
	src := &fakeSource{}
	for i := range 14 {
		l := &amparo.Letter{ID: fmt.Sprintf("letter-%02d", i), ClientID: fmt.Sprintf("client-%02d", i), MemberID: "m1", OrganizationID: "org-a",
			Status: amparo.LetterActive, IssuedAt: issued, ValidUntil: issued.AddDate(1, 0, 0), Languages: []string{"es"}, QR: qrText(uint64(i), 300)}
		switch i {
		case 11:
			l.OrganizationID = "org-b"
		case 12:
			l.Status = amparo.LetterRevoked
		case 13:
			l.ClientID = "client-gone"
		}
		src.letters = append(src.letters, l)
	}
	dir := filepath.Join(t.TempDir(), "run")
	var mu sync.Mutex
	var seen []int
	rep, err := Print(context.Background(), renderer(t), src, PrintOptions{OrganizationID: "org-a", Dir: dir, Workers: 2,
		Progress: func(done, total int) {
			mu.Lock()
			seen = append(seen, done)
			mu.Unlock()
			if total != 12 {
				t.Errorf("progress of %d, want 12 letters", total)
			}
		}})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Letters != 11 || rep.Cards != 11 || rep.Sheets != 2 || rep.Workers != 2 || len(rep.Failed) != 1 || !strings.HasPrefix(rep.Failed[0], "letter-13: ") {
		t.Fatalf("report %+v", rep)
	}
	slices.Sort(seen)
	if len(seen) != 12 || seen[11] != 12 {
		t.Errorf("progress %v", seen)
	}
	letters, _ := filepath.Glob(filepath.Join(dir, "letter-*.pdf"))
	cards, _ := filepath.Glob(filepath.Join(dir, "cards-*.pdf"))
	if len(letters) != 11 || len(cards) != 1 || slices.Contains(letters, filepath.Join(dir, "letter-11.pdf")) {
		t.Fatalf("files: %v %v", letters, cards)
	}
	for _, name := range append(letters, cards...) {
		if fi, err := os.Stat(name); err != nil || fi.Mode().Perm() != 0o600 || fi.Size() == 0 {
			t.Errorf("%s: %v %v", name, fi, err)
		}
	}
	f, err := os.Open(filepath.Join(dir, "manifest.csv"))
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(f).ReadAll()
	f.Close()
	if err != nil || len(rows) != 12 || rows[11][0] != "letter-10" || rows[11][2] != "cards-001.pdf" || rows[11][3] != "3" || rows[11][4] != "1" {
		t.Fatalf("manifest %v, %v", rows, err)
	}

	if _, err := Print(context.Background(), renderer(t), src, PrintOptions{Dir: dir}); err == nil || !strings.Contains(err.Error(), "not empty") {
		t.Fatalf("a run into a used folder: %v", err)
	}
	empty := filepath.Join(t.TempDir(), "none")
	if rep, err := Print(context.Background(), renderer(t), src, PrintOptions{OrganizationID: "org-none", Dir: empty}); err != nil || rep.Letters != 0 {
		t.Fatalf("nothing to print: %+v, %v", rep, err)
	}
	if _, err := os.Stat(empty); err == nil {
		t.Error("a run with nothing to print made its folder")
	}
}

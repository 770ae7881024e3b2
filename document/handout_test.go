package document_test

import (
	"bytes"
	"os/exec"
	"strings"
	"testing"

	"github.com/amparo-project/amparo/document"
	"github.com/amparo-project/amparo/internal/testenv"
	"github.com/amparo-project/amparo/locale"
)

// TestHandout: the know-your-rights handout prints in each language, its
// words from the catalog, four cards to cut out.
func TestHandout(t *testing.T) {
	cat, err := locale.Load()
	if err != nil {
		t.Fatal(err)
	}
	r := document.New(cat)
	for _, lang := range []string{"en", "es"} {
		var b bytes.Buffer
		if err := r.Handout(&b, lang, "Taller de prueba"); err != nil {
			t.Fatal(err)
		}
		if !bytes.HasPrefix(b.Bytes(), []byte("%PDF-")) {
			t.Fatalf("%s: not a PDF", lang)
		}
		testenv.Commands(t, "pdftotext")
		cmd := exec.Command("pdftotext", "-", "-")
		cmd.Stdin = &b
		out, err := cmd.Output()
		if err != nil {
			t.Fatal(err)
		}
		text := strings.Join(strings.Fields(string(out)), " ")
		for _, key := range []string{"kyr.title", "kyr.card.title"} {
			want := strings.Join(strings.Fields(cat.T(lang, key)), " ")
			if n := strings.Count(text, want); key == "kyr.card.title" && n != 4 || n == 0 {
				t.Errorf("%s: %q printed %d times", lang, want, n)
			}
		}
	}
}

package fpdf

import (
	"bytes"
	"os"
	"testing"
	"time"
)

// A font subset taken from the cache is the one a document would make
// itself, whatever documents came before: others with other runes, the
// same runes, or encrypted (encryption must not touch the cached bytes).
func TestUTF8Subset_CachedIsMadeAnew(t *testing.T) {
	font, err := os.ReadFile("../../document/fonts/DejaVuSans.ttf")
	if err != nil {
		t.Fatal(err)
	}
	render := func(text string, cached, encrypted bool) []byte {
		f := New("P", "mm", "A4", "")
		f.SetCatalogSort(true)
		f.SetCreationDate(time.Unix(0, 0))
		f.SetModificationDate(time.Unix(0, 0))
		if encrypted {
			f.SetProtection(0, "user", "owner")
		}
		f.AddUTF8FontFromBytes("TestSans", "", font)
		if !cached {
			def := f.fonts["testsans"]
			def.subsets = nil
			f.fonts["testsans"] = def
		}
		f.IncludeRunes("TestSans", "", "0123456789 ñ")
		f.AddPage()
		f.SetFont("TestSans", "", 12)
		f.Text(10, 10, text)
		var b bytes.Buffer
		if err := f.Output(&b); err != nil {
			t.Fatal(err)
		}
		return b.Bytes()
	}
	for _, text := range []string{"Hello", "Hola, María José Pérez", "Hello", "Xin chào Nguyễn", "Hola, María José Pérez"} {
		render(text, true, true)
		if got, want := render(text, true, false), render(text, false, false); !bytes.Equal(got, want) {
			t.Fatalf("%q: the PDF with the cached subset differs from the one made anew (%d and %d bytes)", text, len(got), len(want))
		}
	}
}

// The runes a document includes are in its subset, drawn or not.
func TestIncludeRunes(t *testing.T) {
	font, err := os.ReadFile("../../document/fonts/DejaVuSans.ttf")
	if err != nil {
		t.Fatal(err)
	}
	length1 := func(include string) int {
		f := New("P", "mm", "A4", "")
		f.AddUTF8FontFromBytes("TestSans", "", font)
		f.IncludeRunes("TestSans", "", include)
		f.AddPage()
		f.SetFont("TestSans", "", 12)
		f.Text(10, 10, "Hello")
		def := f.fonts["testsans"]
		return f.utf8Subset(&def).length1
	}
	if without, with := length1(""), length1("ŁŻŹ"); with <= without {
		t.Fatalf("the subset is %d bytes with three more letters, %d without", with, without)
	}
}

package document

import (
	"os/exec"
	"strconv"
	"strings"
	"testing"

	"github.com/amparo-project/amparo/credential"
	"github.com/amparo-project/amparo/internal/testenv"
)

// measureQR renders the area of box q (the code and its quiet zone, a
// tenth of a millimetre inside, clear of the caption below it) at dpi and measures the code drawn there: its side, from its outermost dark
// pixels, and its module, from the top left finder pattern, 7 modules wide.
func measureQR(t *testing.T, path string, q box, dpi int) (side, module float64) {
	t.Helper()
	px := func(mm float64) int { return int(mm / 25.4 * float64(dpi)) }
	x0, y0, w := px(q.x+0.1), px(q.y+0.1), px(q.w-0.2)
	p := strconv.Itoa(q.page)
	out, err := exec.Command("pdftoppm", "-r", strconv.Itoa(dpi), "-f", p, "-l", p, "-singlefile",
		"-x", strconv.Itoa(x0), "-y", strconv.Itoa(y0), "-W", strconv.Itoa(w), "-H", strconv.Itoa(w), path).Output()
	if err != nil {
		t.Fatalf("pdftoppm: %v", err)
	}
	img, err := decodePPM(out)
	if err != nil {
		t.Fatal(err)
	}
	b := img.Bounds()
	dark := func(x, y int) bool {
		i := img.PixOffset(x, y)
		return int(img.Pix[i])+int(img.Pix[i+1])+int(img.Pix[i+2]) < 3*128
	}
	minX, minY, maxX, maxY := b.Max.X, b.Max.Y, -1, -1
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			if dark(x, y) {
				minX, minY, maxX, maxY = min(minX, x), min(minY, y), max(maxX, x), max(maxY, y)
			}
		}
	}
	if maxX < 0 {
		t.Fatalf("page %d: no code drawn at %+v", q.page, q.rect())
	}
	// The finder pattern's top row: a dark run of 7 modules from the corner.
	row, run := minY+2, 0
	for x := minX; x <= maxX && dark(x, row); x++ {
		run++
	}
	mm := 25.4 / float64(dpi)
	side = float64(max(maxX-minX, maxY-minY)+1) * mm
	return side, float64(run) * mm / 7
}

// TestPrintSize_LongestName prints the card and the letter of a version 2
// letter with the longest allowed client name, in English and Spanish, and
// measures their codes on the rendered PDF: the card's at least 25 mm with
// modules of at least 0.4 mm, the letter's at least 35 mm with modules of
// at least 0.5 mm. Both still read (pdftotext) and decode.
func TestPrintSize_LongestName(t *testing.T) {
	testenv.Commands(t, "pdftoppm", "pdftotext")
	r := renderer(t)
	for _, lang := range []string{"en", "es"} {
		l := longestLetter(t, lang, 2)
		q, err := credential.NewQR(l.QR)
		if err != nil {
			t.Fatal(err)
		}
		n := q.Modules()
		for _, tt := range []struct {
			kind         string
			render       func(*Letter) (*doc, error)
			side, module float64
			words        []string
		}{
			{"card", r.card, CardQR, CardModule, []string{"LETTER OF REPRESENTATION", "Valid until"}},
			{"letter", r.letter, LetterQRLeast, LetterModule, []string{"Letter of Representation", "Scan this code to verify this letter"}},
		} {
			t.Run(lang+"/"+tt.kind, func(t *testing.T) {
				d, err := tt.render(l)
				if err != nil {
					t.Fatal(err)
				}
				path := write(t, tt.kind+".pdf", d.output)
				var codes []box
				for _, b := range d.boxes {
					if b.kind == "qr" && b.text == l.QR {
						codes = append(codes, b)
					}
				}
				if len(codes) != 1 {
					t.Fatalf("%d codes of the letter drawn, want 1", len(codes))
				}
				side, module := measureQR(t, path, codes[0], 600)
				t.Logf("%s %s: version %d (%d modules), %.2f mm, %.3f mm a module", lang, tt.kind, q.Version, n, side, module)
				if side < tt.side-0.05 {
					t.Errorf("code %.2f mm, want at least %.0f", side, tt.side)
				}
				if module < tt.module {
					t.Errorf("module %.3f mm, want at least %.1f", module, tt.module)
				}
				// The two measures agree: side ≈ n modules.
				if got := side / module; got < float64(n)-1 || got > float64(n)+1 {
					t.Errorf("side / module = %.1f, want %d modules", got, n)
				}
				if got := scan(t, crop(raster(t, path, codes[0].page, 300), 300, codes[0].x, codes[0].y, codes[0].w, codes[0].h)); len(got) != 1 || got[0] != l.QR {
					t.Errorf("reads %q, want the letter's code", got)
				}
				text := pdfText(t, path)
				for _, w := range append(tt.words, strings.Fields(l.ClientName)[0]) {
					if !strings.Contains(text, w) {
						t.Errorf("no %q in:\n%s", w, text)
					}
				}
			})
		}
	}
}

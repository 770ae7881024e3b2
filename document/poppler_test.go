package document

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/amparo-project/amparo/internal/testenv"
	"github.com/amparo-project/amparo/qrscan"
)

// write renders a PDF into a temporary file.
func write(t *testing.T, name string, render func(io.Writer) error) string {
	t.Helper()
	var buf bytes.Buffer
	if err := render(&buf); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func run(t *testing.T, name string, args ...string) string {
	t.Helper()
	out, err := exec.Command(name, args...).Output()
	if err != nil {
		t.Fatalf("%s %v: %v", name, args, err)
	}
	return string(out)
}

// pdfText is the text pdftotext extracts, with runs of spaces and line
// breaks made one space, so wrapped sentences read whole.
func pdfText(t *testing.T, path string) string {
	return strings.Join(strings.Fields(run(t, "pdftotext", "-enc", "UTF-8", path, "-")), " ")
}

// pageSizes returns each page's width and height in millimetres.
func pageSizes(t *testing.T, path string) [][2]float64 {
	out := run(t, "pdfinfo", "-f", "1", "-l", "999", path)
	var sizes [][2]float64
	for _, m := range regexp.MustCompile(`Page +\d+ size: +([\d.]+) x ([\d.]+) pts`).FindAllStringSubmatch(out, -1) {
		w, _ := strconv.ParseFloat(m[1], 64)
		h, _ := strconv.ParseFloat(m[2], 64)
		sizes = append(sizes, [2]float64{w / 72 * 25.4, h / 72 * 25.4})
	}
	return sizes
}

// raster renders one page at dpi. pdftoppm writes it as a PPM (the same
// pixels as its PNG, without compressing and decompressing them).
func raster(t *testing.T, path string, page, dpi int) image.Image {
	t.Helper()
	p := strconv.Itoa(page)
	out, err := exec.Command("pdftoppm", "-r", strconv.Itoa(dpi), "-f", p, "-l", p, "-singlefile", path).Output()
	if err != nil {
		t.Fatalf("pdftoppm: %v", err)
	}
	img, err := decodePPM(out)
	if err != nil {
		t.Fatal(err)
	}
	return img
}

// decodePPM decodes a binary PPM (P6) of 8-bit samples.
func decodePPM(b []byte) (*image.RGBA, error) {
	// The header: "P6", width, height and the largest sample value,
	// separated by white space, then one white space character.
	var fields []int
	i := 2
	if !bytes.HasPrefix(b, []byte("P6")) {
		return nil, fmt.Errorf("not a binary PPM: %.10q", b)
	}
	for len(fields) < 3 {
		for i < len(b) && (b[i] == ' ' || b[i] == '\n' || b[i] == '\r' || b[i] == '\t') {
			i++
		}
		j := i
		for j < len(b) && b[j] >= '0' && b[j] <= '9' {
			j++
		}
		n, err := strconv.Atoi(string(b[i:j]))
		if err != nil {
			return nil, fmt.Errorf("PPM header: %v", err)
		}
		fields, i = append(fields, n), j
	}
	w, h, maxval := fields[0], fields[1], fields[2]
	px := b[min(i+1, len(b)):]
	if maxval != 255 || len(px) != 3*w*h {
		return nil, fmt.Errorf("PPM of %dx%d, largest value %d, holds %d bytes", w, h, maxval, len(px))
	}
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for k, o := 0, 0; k < len(px); k, o = k+3, o+4 {
		img.Pix[o], img.Pix[o+1], img.Pix[o+2], img.Pix[o+3] = px[k], px[k+1], px[k+2], 255
	}
	return img, nil
}

// scan decodes the QR codes of an image with gozxing, and with zbarimg
// when it is installed (CI requires it): both must read the same texts.
func scan(t *testing.T, img image.Image) []string {
	t.Helper()
	var buf bytes.Buffer
	// Fastest compression: the same pixels, for the two decoders.
	(&png.Encoder{CompressionLevel: png.BestSpeed}).Encode(&buf, img)
	texts, err := qrscan.FromImage(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatalf("gozxing: %v", err)
	}
	if _, err := exec.LookPath("zbarimg"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("zbarimg not found, and CI must check codes with it too (Debian package zbar-tools)")
		}
		return texts
	}
	f := filepath.Join(t.TempDir(), "page.png")
	os.WriteFile(f, buf.Bytes(), 0o644)
	out, err := exec.Command("zbarimg", "--quiet", "--raw", "-Sbinary", "-Sqrcode.enable", f).Output()
	if err != nil {
		t.Fatalf("zbarimg found no code: %v", err)
	}
	var z []string
	for _, s := range strings.Split(strings.TrimRight(string(out), "\n"), "\n") {
		z = append(z, strings.TrimSpace(s))
	}
	for _, want := range texts {
		found := false
		for _, s := range z {
			found = found || s == want
		}
		if !found {
			t.Errorf("zbarimg read %q, not gozxing's %q", z, want)
		}
	}
	return texts
}

// crop returns the part of a page rendered at dpi between mm coordinates.
func crop(img image.Image, dpi float64, x, y, w, h float64) image.Image {
	px := func(mm float64) int { return int(mm / 25.4 * dpi) }
	r := image.Rect(px(x), px(y), px(x+w), px(y+h))
	out := image.NewGray(image.Rect(0, 0, r.Dx(), r.Dy()))
	for j := 0; j < r.Dy(); j++ {
		for i := 0; i < r.Dx(); i++ {
			out.Set(i, j, color.GrayModel.Convert(img.At(r.Min.X+i, r.Min.Y+j)))
		}
	}
	return out
}

// word is a word pdftotext found, in millimetres.
type word struct {
	text                   string
	page                   int
	xMin, yMin, xMax, yMax float64
}

func words(t *testing.T, path string) []word {
	out := run(t, "pdftotext", "-bbox", "-enc", "UTF-8", path, "-")
	var ws []word
	page := 0
	re := regexp.MustCompile(`<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>|<page `)
	for _, m := range re.FindAllStringSubmatch(out, -1) {
		if m[0] == "<page " {
			page++
			continue
		}
		f := func(s string) float64 { v, _ := strconv.ParseFloat(s, 64); return v / 72 * 25.4 }
		ws = append(ws, word{m[5], page, f(m[1]), f(m[2]), f(m[3]), f(m[4])})
	}
	return ws
}

func TestLetterPDF_TextInBothLanguages(t *testing.T) {
	testenv.Commands(t, "pdftotext")
	r := renderer(t)
	for _, tt := range []struct {
		lang string
		want []string
	}{
		{"es", []string{
			"Centro Legal Ejemplo", "Programa de Cartas de Representación (demo)", "March 5, 2026",
			"To any immigration, law-enforcement or detention officer:", "Letter of Representation",
			"I, Lic. Tomás Ficticio, am an attorney, and I represent María José Ejemplo Pérez in immigration matters.",
			"My client will not answer questions, sign any document, or consent to any search unless I, their counsel, am present.",
			"contact me at once at +1 213 555 0142", "This letter is valid from March 5, 2026 to March 5, 2027.",
			"/s/ Lic. Tomás Ficticio", "Attorney at law, admitted in California, bar number 900100",
			"Scan this code to verify this letter and whether it is still in force.",
			// The client's part, in Spanish:
			"Para usted: sobre esta carta", "Su carta es válida hasta el 5 de marzo de 2027.",
			"Si un agente le detiene", "Diga: «Quiero guardar silencio. Quiero hablar con mi abogado/a».",
			"Llame al +1 213 555 0142 lo antes posible", "Conozca sus derechos",
			"Tiene derecho a guardar silencio. No tiene que contestar preguntas sobre dónde nació, su situación migratoria o cómo entró al país.",
			"los agentes necesitan una orden firmada por un juez",
		}},
		{"en", []string{"For you: about this letter", "Know your rights", "You have the right to remain silent."}},
		{"vi", []string{"Hãy biết quyền của bạn", "Bạn có quyền giữ im lặng.", "lệnh do thẩm phán ký",
			"Bản dịch này đang chờ một người dịch có chuyên môn xem lại.", "This translation is awaiting review by a qualified translator."}},
	} {
		t.Run(tt.lang, func(t *testing.T) {
			text := pdfText(t, write(t, "letter.pdf", func(w io.Writer) error { return r.Letter(w, sample(tt.lang)) }))
			for _, s := range tt.want {
				if !strings.Contains(text, s) {
					t.Errorf("no %q in:\n%s", s, text)
				}
			}
		})
	}
	t.Run("Card", func(t *testing.T) {
		text := pdfText(t, write(t, "card.pdf", func(w io.Writer) error { return r.Card(w, sample("es")) }))
		for _, s := range []string{"LETTER OF REPRESENTATION", "CARTA DE REPRESENTACIÓN", "María José Ejemplo Pérez",
			"Represented by · Representado/a por", "+1 213 555 0142", "Valid until · Válida hasta", "March 5, 2027",
			"I will remain silent. I will not answer questions without my attorney.",
			"No doy permiso para que me registren a mí, mis pertenencias, mi carro o mi casa."} {
			if !strings.Contains(text, s) {
				t.Errorf("no %q in:\n%s", s, text)
			}
		}
	})
}

func TestPDF_PageSizes(t *testing.T) {
	testenv.Commands(t, "pdfinfo")
	r := renderer(t)
	for _, tt := range []struct {
		name   string
		render func(io.Writer) error
		pages  int
		w, h   float64
	}{
		{"Letter", func(w io.Writer) error { return r.Letter(w, sample("es")) }, 2, 215.9, 279.4},
		{"LetterTwoLanguages", func(w io.Writer) error {
			return r.Letter(w, with(sample("es"), func(l *Letter) { l.Languages = []string{"es", "vi"} }))
		}, 3, 215.9, 279.4},
		{"Card", func(w io.Writer) error { return r.Card(w, sample("es")) }, 2, 85.6 + 2*CardBleed, 54 + 2*CardBleed},
		{"Sheet", func(w io.Writer) error { return r.CardSheet(w, letters(12)...) }, 4, 215.9, 279.4},
	} {
		sizes := pageSizes(t, write(t, "doc.pdf", tt.render))
		if len(sizes) != tt.pages {
			t.Errorf("%s: %d pages, want %d", tt.name, len(sizes), tt.pages)
		}
		for i, s := range sizes {
			if abs(s[0]-tt.w) > 0.1 || abs(s[1]-tt.h) > 0.1 {
				t.Errorf("%s page %d: %.2f × %.2f mm, want %.1f × %.1f", tt.name, i+1, s[0], s[1], tt.w, tt.h)
			}
		}
	}
}

// TestPDF_QRCodesRead300dpi prints the letter and the card at 300 dpi and
// reads their codes back: the exact QR text, the phone page's link on the
// client's part, each code at least its size with its quiet zone blank.
func TestPDF_QRCodesRead300dpi(t *testing.T) {
	testenv.Commands(t, "pdftoppm")
	r := renderer(t)
	const link = "https://amparo.example.org/p/k3J9-q2Lx-77Wm"
	cases := badInputs()
	cases["Sample"] = with(sample("es"), func(l *Letter) { l.PhoneLink = link })
	// Rasterizing at 300 dpi is slow: CI reads back every case; a
	// developer's go test ./... the sample letter, the composed accents and
	// a fixed spread of the other bad inputs.
	var names []string
	for name := range cases {
		if name != "Sample" && name != "CombiningAccents" {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	names = append(testenv.Sample(t, names, 2), "Sample", "CombiningAccents")
	for _, name := range names {
		l := cases[name]
		if l == nil {
			continue
		}
		t.Run(name, func(t *testing.T) {
			for _, tt := range []struct {
				kind   string
				render func(*Letter) (*doc, error)
				least  float64 // mm, the code without its quiet zone
			}{{"letter", r.letter, LetterQRLeast}, {"card", r.card, CardQR}} {
				kind, least := tt.kind, tt.least
				d, err := tt.render(l)
				if err != nil {
					t.Fatal(err)
				}
				path := write(t, kind+".pdf", d.output)
				pages := map[int]image.Image{} // each page rasterized once
				page := func(n int) image.Image {
					if pages[n] == nil {
						pages[n] = raster(t, path, n, 300)
					}
					return pages[n]
				}
				for _, q := range d.boxes {
					if q.kind != "qr" {
						continue
					}
					img := page(q.page)
					if got := scan(t, crop(img, 300, q.x, q.y, q.w, q.h)); len(got) != 1 || got[0] != q.text {
						t.Errorf("%s page %d reads %q, want %q", kind, q.page, got, q.text)
					}
					if q.text == link {
						least = 20
					}
					quietZone(t, img, 300, q, d.qrs[q.text].Modules(), least)
				}
				if kind == "letter" && l.PhoneLink != "" {
					if got := scan(t, page(2)); len(got) != 1 || got[0] != link {
						t.Errorf("client's part reads %q, want the phone link", got)
					}
				}
				// What pdftotext sees agrees with the layout: no word on a code.
				for _, w := range words(t, path) {
					for _, q := range d.boxes {
						if q.kind == "qr" && q.page == w.page && (rect{w.xMin, w.yMin, w.xMax - w.xMin, w.yMax - w.yMin}).overlaps(rect{q.x + 0.2, q.y + 0.2, q.w - 0.4, q.h - 0.4}) {
							t.Errorf("%s page %d: word %q at %.1f,%.1f is on the QR code", kind, w.page, w.text, w.xMin, w.yMin)
						}
					}
				}
			}
			if name == "CombiningAccents" {
				text := pdfText(t, write(t, "card.pdf", func(w io.Writer) error { return r.Card(w, l) }))
				if !strings.Contains(text, "José María Nuñez Ejemplo") {
					t.Errorf("the composed name is not in %q", text)
				}
			}
		})
	}
}

// TestCardSheet_TenCardsInPlace prints ten different cards on a sheet and
// reads each card's code from where that card must be cut; the backs hold
// their rights statements inside their cells, behind their fronts.
func TestCardSheet_TenCardsInPlace(t *testing.T) {
	testenv.Commands(t, "pdftoppm", "pdftotext")
	r := renderer(t)
	ls := letters(10)
	for i, l := range ls {
		l.ClientName = fmt.Sprintf("Cliente%02d Ejemplo", i)
	}
	path := write(t, "sheet.pdf", func(w io.Writer) error { return r.CardSheet(w, ls...) })
	front := raster(t, path, 1, 300)
	for i, l := range ls {
		x, y := SheetCell(i, false)
		if got := scan(t, crop(front, 300, x, y, CardWidth, CardHeight)); len(got) != 1 || got[0] != l.QR {
			t.Errorf("card %d at %.1f,%.1f reads %d codes, not its own", i, x, y, len(got))
		}
	}
	ws := words(t, path)
	for i := range ls {
		fx, fy := SheetCell(i, false)
		bx, by := SheetCell(i, true)
		name, rights := false, false
		for _, w := range ws {
			in := func(x, y float64) bool {
				return w.xMin >= x+cardSafe-0.3 && w.xMax <= x+CardWidth-cardSafe+0.3 && w.yMin >= y+cardSafe-0.5 && w.yMax <= y+CardHeight-cardSafe+0.5
			}
			name = name || w.page == 1 && w.text == fmt.Sprintf("Cliente%02d", i) && in(fx, fy)
			rights = rights || w.page == 2 && w.text == "derechos" && in(bx, by)
		}
		if !name || !rights {
			t.Errorf("card %d: name on its front %v, rights on its back %v", i, name, rights)
		}
	}
	for _, w := range ws {
		cells := 0
		for i := range 10 {
			x, y := SheetCell(i, w.page == 2)
			if w.xMin >= x && w.xMax <= x+CardWidth && w.yMin >= y && w.yMax <= y+CardHeight {
				cells++
			}
		}
		if cells != 1 {
			t.Errorf("page %d: word %q at %.1f,%.1f is not inside one card", w.page, w.text, w.xMin, w.yMin)
		}
	}
}

// TestRaster_SamePixelsAsPNG: raster's PPM decoding reads the page
// pdftoppm draws exactly as its PNG does.
func TestRaster_SamePixelsAsPNG(t *testing.T) {
	testenv.Commands(t, "pdftoppm")
	path := write(t, "card.pdf", func(w io.Writer) error { return renderer(t).Card(w, sample("es")) })
	got := raster(t, path, 1, 100)
	out, err := exec.Command("pdftoppm", "-r", "100", "-f", "1", "-l", "1", "-png", "-singlefile", path).Output()
	if err != nil {
		t.Fatal(err)
	}
	want, err := png.Decode(bytes.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	if got.Bounds() != want.Bounds() {
		t.Fatalf("bounds %v, want %v", got.Bounds(), want.Bounds())
	}
	differ, dark := 0, 0
	for y := got.Bounds().Min.Y; y < got.Bounds().Max.Y; y++ {
		for x := got.Bounds().Min.X; x < got.Bounds().Max.X; x++ {
			if color.RGBAModel.Convert(want.At(x, y)) != got.At(x, y) {
				differ++
			}
			if c := got.At(x, y).(color.RGBA); c.R < 64 && c.G < 64 && c.B < 64 {
				dark++
			}
		}
	}
	if differ != 0 || dark == 0 {
		t.Errorf("%d pixels differ from the PNG's; %d dark pixels", differ, dark)
	}
	if _, err := decodePPM([]byte("P6 2 1 255\n\x00\x00\x00")); err == nil {
		t.Error("a short PPM decoded")
	}
}

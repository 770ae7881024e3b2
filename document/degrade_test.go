package document

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"

	"github.com/amparo-project/amparo/credential"
	"github.com/amparo-project/amparo/internal/testenv"
	"github.com/amparo-project/amparo/qrscan"
)

// degradeStep is one step of the degradation ladder: the photo of a worn
// card taken askew in bad light. Step k blurs by a Gaussian of k×0.15
// pixels (at 150 dpi), turns the picture k×1.5 degrees, and saves it as a
// JPEG of quality 90−5k (at least 20). Step 0 is the clean 150 dpi render.
type degradeStep int

func (k degradeStep) sigma() float64   { return 0.1 * float64(k) }
func (k degradeStep) degrees() float64 { return float64(k) }
func (k degradeStep) quality() int     { return max(92-4*int(k), 20) }

func (k degradeStep) String() string {
	return fmt.Sprintf("%d (blur %.2f px, %.1f°, JPEG %d)", int(k), k.sigma(), k.degrees(), k.quality())
}

const degradeSteps = 24

// degrade returns the JPEG of img at step k.
func degrade(img *image.Gray, k degradeStep) []byte {
	g := rotate(blur(img, k.sigma()), k.degrees())
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, g, &jpeg.Options{Quality: k.quality()}); err != nil {
		panic(err) // encoding to memory does not fail
	}
	return buf.Bytes()
}

// blur convolves img with a Gaussian of sigma pixels, row then column.
func blur(img *image.Gray, sigma float64) *image.Gray {
	if sigma <= 0 {
		return img
	}
	r := int(math.Ceil(3 * sigma))
	kernel := make([]float64, 2*r+1)
	sum := 0.0
	for i := range kernel {
		x := float64(i - r)
		kernel[i] = math.Exp(-x * x / (2 * sigma * sigma))
		sum += kernel[i]
	}
	for i := range kernel {
		kernel[i] /= sum
	}
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	pass := func(src *image.Gray, dx, dy int) *image.Gray {
		out := image.NewGray(image.Rect(0, 0, w, h))
		for y := 0; y < h; y++ {
			for x := 0; x < w; x++ {
				v := 0.0
				for i, c := range kernel {
					sx := min(max(x+(i-r)*dx, 0), w-1)
					sy := min(max(y+(i-r)*dy, 0), h-1)
					v += c * float64(src.Pix[sy*src.Stride+sx])
				}
				out.Pix[y*out.Stride+x] = uint8(math.Round(v))
			}
		}
		return out
	}
	return pass(pass(img, 1, 0), 0, 1)
}

// rotate turns img by deg degrees about its centre, bilinearly, onto a
// white square canvas large enough to hold all of it.
func rotate(img *image.Gray, deg float64) *image.Gray {
	if deg == 0 {
		return img
	}
	b := img.Bounds()
	w, h := float64(b.Dx()), float64(b.Dy())
	side := int(math.Ceil(math.Hypot(w, h)))
	out := image.NewGray(image.Rect(0, 0, side, side))
	sin, cos := math.Sincos(deg * math.Pi / 180)
	cx, cy := float64(side)/2, float64(side)/2
	at := func(x, y int) float64 {
		if x < 0 || y < 0 || x >= b.Dx() || y >= b.Dy() {
			return 255
		}
		return float64(img.Pix[y*img.Stride+x])
	}
	for y := 0; y < side; y++ {
		for x := 0; x < side; x++ {
			// The source pixel that lands here.
			dx, dy := float64(x)+0.5-cx, float64(y)+0.5-cy
			sx, sy := cos*dx+sin*dy+w/2-0.5, -sin*dx+cos*dy+h/2-0.5
			x0, y0 := int(math.Floor(sx)), int(math.Floor(sy))
			fx, fy := sx-float64(x0), sy-float64(y0)
			v := at(x0, y0)*(1-fx)*(1-fy) + at(x0+1, y0)*fx*(1-fy) + at(x0, y0+1)*(1-fx)*fy + at(x0+1, y0+1)*fx*fy
			out.Pix[y*out.Stride+x] = uint8(math.Round(v))
		}
	}
	return out
}

// gray converts a render to grey levels.
func gray(img image.Image) *image.Gray {
	b := img.Bounds()
	out := image.NewGray(image.Rect(0, 0, b.Dx(), b.Dy()))
	for y := 0; y < b.Dy(); y++ {
		for x := 0; x < b.Dx(); x++ {
			out.Set(x, y, color.GrayModel.Convert(img.At(b.Min.X+x, b.Min.Y+y)))
		}
	}
	return out
}

// decoders read a degraded JPEG and report whether they found want.
var decoders = []struct {
	name string
	read func(t *testing.T, jpg []byte, want string) bool
}{
	{"gozxing", func(t *testing.T, jpg []byte, want string) bool {
		// The library as a phone app would call it: one code, no hints.
		img, err := jpeg.Decode(bytes.NewReader(jpg))
		if err != nil {
			t.Fatal(err)
		}
		bmp, err := gozxing.NewBinaryBitmapFromImage(img)
		if err != nil {
			t.Fatal(err)
		}
		r, err := qrcode.NewQRCodeReader().Decode(bmp, nil)
		return err == nil && r.GetText() == want
	}},
	{"qrscan", func(t *testing.T, jpg []byte, want string) bool {
		texts, _ := qrscan.FromImage(bytes.NewReader(jpg))
		return len(texts) == 1 && texts[0] == want
	}},
	{"zbarimg", func(t *testing.T, jpg []byte, want string) bool {
		f := filepath.Join(t.TempDir(), "photo.jpg")
		if err := os.WriteFile(f, jpg, 0o644); err != nil {
			t.Fatal(err)
		}
		out, _ := exec.Command("zbarimg", "--quiet", "--raw", "-Sbinary", "-Sqrcode.enable", f).Output()
		return strings.TrimSpace(string(out)) == want
	}},
}

// TestDegradation renders the card and the letter of the longest allowed
// client name in version 1 and version 2 at 150 dpi, degrades them over
// the ladder of degradeStep, and prints the strongest step each decoder
// reads (every weaker step read too) for both versions side by side.
// Version 2 must read at a strictly stronger step than version 1 on the
// card, for every decoder.
//
// Each decoder walks the whole ladder, step by step, until it first fails
// (about 15 s: cheap enough to need no sampling outside CI).
func TestDegradation(t *testing.T) {
	testenv.Commands(t, "pdftoppm", "zbarimg")
	r := renderer(t)
	type key struct {
		kind    string
		version int
		decoder string
	}
	strongest := map[key]int{}
	versions := map[int]int{}
	for _, kind := range []string{"card", "letter"} {
		for _, version := range []int{1, 2} {
			l := longestLetter(t, "es", version)
			qr, err := credential.NewQR(l.QR)
			if err != nil {
				t.Fatal(err)
			}
			versions[version] = qr.Version
			render := r.card
			if kind == "letter" {
				render = r.letter
			}
			d, err := render(l)
			if err != nil {
				t.Fatal(err)
			}
			path := write(t, kind+".pdf", d.output)
			var q box
			for _, b := range d.boxes {
				if b.kind == "qr" && b.text == l.QR {
					q = b
				}
			}
			page := raster(t, path, q.page, 150)
			// The card whole; of the letter, the code and 10 mm around it,
			// as a phone frames it.
			img := gray(page)
			if kind == "letter" {
				img = gray(crop(page, 150, q.x-10, q.y-10, q.w+20, q.h+20))
			}
			for _, dec := range decoders {
				best := -1
				for k := range degradeSteps {
					if !dec.read(t, degrade(img, degradeStep(k)), l.QR) {
						break
					}
					best = k
				}
				strongest[key{kind, version, dec.name}] = best
			}
		}
	}
	var table strings.Builder
	fmt.Fprintf(&table, "strongest step read (150 dpi, longest client name %d characters; -1: not even clean)\n", len([]rune(longestLatin)))
	fmt.Fprintf(&table, "%-8s %-9s %-32s %-32s\n", "", "decoder",
		fmt.Sprintf("credential v1 (QR version %d)", versions[1]), fmt.Sprintf("credential v2 (QR version %d)", versions[2]))
	for _, kind := range []string{"card", "letter"} {
		for _, dec := range decoders {
			cell := func(v int) string {
				k := strongest[key{kind, v, dec.name}]
				if k < 0 {
					return "-1"
				}
				return degradeStep(k).String()
			}
			fmt.Fprintf(&table, "%-8s %-9s %-32s %-32s\n", kind, dec.name, cell(1), cell(2))
		}
	}
	t.Log("\n" + table.String())
	for _, dec := range decoders {
		v1, v2 := strongest[key{"card", 1, dec.name}], strongest[key{"card", 2, dec.name}]
		if v2 <= v1 {
			t.Errorf("card, %s: version 2 reads up to step %d, version 1 up to %d; want version 2 strictly stronger", dec.name, v2, v1)
		}
		if v2 < 0 {
			t.Errorf("card, %s: version 2 does not read even clean", dec.name)
		}
	}
}

// TestDegrade_Ops checks the image operations the ladder uses: a blur
// keeps the mean and softens an edge, a quarter turn moves a dark corner
// where it must, and a JPEG decodes to the same size.
func TestDegrade_Ops(t *testing.T) {
	img := image.NewGray(image.Rect(0, 0, 40, 20))
	for i := range img.Pix {
		img.Pix[i] = 255
	}
	for y := 0; y < 5; y++ {
		for x := 0; x < 10; x++ {
			img.SetGray(x, y, color.Gray{0}) // dark top left corner
		}
	}
	mean := func(g *image.Gray) float64 {
		s := 0.0
		for _, p := range g.Pix {
			s += float64(p)
		}
		return s / float64(len(g.Pix))
	}
	b := blur(img, 1.5)
	if math.Abs(mean(b)-mean(img)) > 1 {
		t.Errorf("blur changed the mean from %.1f to %.1f", mean(img), mean(b))
	}
	if v := b.GrayAt(10, 2).Y; v == 0 || v == 255 {
		t.Errorf("the edge at x=10 is %d after a blur, want a grey", v)
	}
	rot := rotate(img, 90)
	side := rot.Bounds().Dx()
	// Turned a quarter clockwise on screen (y down), the dark top left
	// corner goes to the top right of the turned picture.
	cx := side / 2
	if rot.GrayAt(cx+8, cx-18).Y > 64 || rot.GrayAt(cx-8, cx-18).Y < 192 {
		t.Errorf("after a quarter turn: right %d, left %d", rot.GrayAt(cx+8, cx-18).Y, rot.GrayAt(cx-8, cx-18).Y)
	}
	j, err := jpeg.Decode(bytes.NewReader(degrade(img, 3)))
	if err != nil || j.Bounds().Dx() != int(math.Ceil(math.Hypot(40, 20))) {
		t.Errorf("degraded JPEG: %v, %v", err, j)
	}
}

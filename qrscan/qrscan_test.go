package qrscan_test

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/color"
	"image/draw"
	"image/jpeg"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"

	"codeberg.org/go-pdf/fpdf"

	"github.com/amparo-project/amparo/credential"
	"github.com/amparo-project/amparo/internal/testenv"
	"github.com/amparo-project/amparo/qrscan"
)

const (
	textA = "https://amparo.example.org/v#QRG2EAJHAREDH2NWVJZ6GNZLUBMG5KQBKDGDUO74ZZX6K7I65QQZ6BWUX3GQEGTKVDGWIAY2NSFABZAEDI253EAQA"
	textB = "https://amparo.example.org/p/EXAMPLE-PHONE-PAGE-LINK"
)

func qrImage(t *testing.T, text string) image.Image {
	t.Helper()
	q, err := credential.NewQR(text)
	if err != nil {
		t.Fatal(err)
	}
	return q.Image(6)
}

// sheet draws images side by side on white, like a page with two codes.
func sheet(imgs ...image.Image) *image.RGBA {
	w, h := 40, 0
	for _, im := range imgs {
		w += im.Bounds().Dx() + 40
		h = max(h, im.Bounds().Dy()+80)
	}
	out := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.Draw(out, out.Bounds(), image.NewUniform(color.White), image.Point{}, draw.Src)
	x := 40
	for _, im := range imgs {
		draw.Draw(out, im.Bounds().Add(image.Pt(x, 40)), im, im.Bounds().Min, draw.Src)
		x += im.Bounds().Dx() + 40
	}
	return out
}

func encode(t *testing.T, img image.Image, format string) []byte {
	var b bytes.Buffer
	var err error
	if format == "jpeg" {
		err = jpeg.Encode(&b, img, &jpeg.Options{Quality: 70})
	} else {
		err = png.Encode(&b, img)
	}
	if err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestFromImage(t *testing.T) {
	for _, tt := range []struct {
		name   string
		img    image.Image
		format string
		want   []string
	}{
		{"PNG", sheet(qrImage(t, textA)), "png", []string{textA}},
		{"JPEG", sheet(qrImage(t, textA)), "jpeg", []string{textA}},
		{"TwoCodes", sheet(qrImage(t, textA), qrImage(t, textB)), "png", []string{textA, textB}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := qrscan.FromImage(bytes.NewReader(encode(t, tt.img, tt.format)))
			if err != nil {
				t.Fatal(err)
			}
			slices.Sort(tt.want)
			if !slices.Equal(got, tt.want) {
				t.Fatalf("got %q, want %q", got, tt.want)
			}
		})
	}
	t.Run("NoCode", func(t *testing.T) {
		_, err := qrscan.FromImage(bytes.NewReader(encode(t, sheet(image.NewRGBA(image.Rect(0, 0, 200, 200))), "png")))
		if !errors.Is(err, qrscan.ErrNone) {
			t.Fatalf("err = %v, want ErrNone", err)
		}
	})
	t.Run("NotAnImage", func(t *testing.T) {
		if _, err := qrscan.FromImage(bytes.NewReader([]byte("%PDF-1.4 not an image"))); err == nil {
			t.Fatal("no error")
		}
	})
}

func TestFromPDF(t *testing.T) {
	if _, err := exec.LookPath("pdftoppm"); err != nil {
		testenv.Missing(t, "pdftoppm not found (Debian package poppler-utils)")
	}
	dir := t.TempDir()
	makePDF := func(name string, withCode bool) string {
		pdf := fpdf.New("P", "mm", "Letter", "")
		pdf.AddPage()
		pdf.SetFont("Helvetica", "", 12)
		pdf.Cell(40, 10, "Letter of representation (fictional)")
		if withCode {
			pdf.RegisterImageOptionsReader("qr", fpdf.ImageOptions{ImageType: "PNG"}, bytes.NewReader(encode(t, qrImage(t, textA), "png")))
			pdf.ImageOptions("qr", 20, 40, 35, 35, false, fpdf.ImageOptions{ImageType: "PNG"}, 0, "")
		}
		path := filepath.Join(dir, name)
		if err := pdf.OutputFileAndClose(path); err != nil {
			t.Fatal(err)
		}
		return path
	}
	got, err := qrscan.FromPDF(context.Background(), makePDF("letter.pdf", true))
	if err != nil || !slices.Equal(got, []string{textA}) {
		t.Fatalf("got %q, %v", got, err)
	}
	if _, err := qrscan.FromPDF(context.Background(), makePDF("blank.pdf", false)); !errors.Is(err, qrscan.ErrNone) {
		t.Fatalf("blank PDF: %v, want ErrNone", err)
	}
	notPDF := filepath.Join(dir, "x.pdf")
	os.WriteFile(notPDF, []byte("hello"), 0o600)
	if _, err := qrscan.FromPDF(context.Background(), notPDF); err == nil || errors.Is(err, qrscan.ErrNone) {
		t.Fatalf("not a PDF: %v", err)
	}
}

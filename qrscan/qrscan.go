// Package qrscan reads QR codes back from a photo or a PDF, for verifying a
// letter from the command line. PDFs are rendered with poppler's pdftoppm.
//
// It must never import a database or HTTP package.
package qrscan

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	_ "image/jpeg" // photos
	_ "image/png"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"

	"github.com/makiuchi-d/gozxing"
	multiqr "github.com/makiuchi-d/gozxing/multi/qrcode"
	"github.com/makiuchi-d/gozxing/qrcode"
)

// Limits on what is decoded, so a hostile file cannot exhaust memory.
const (
	MaxFileSize = 32 << 20 // bytes of an image or PDF
	MaxPixels   = 50e6     // of a decoded image
)

// ErrNone means no QR code was found.
var ErrNone = errors.New("no QR code found")

// FromImage returns the texts of the QR codes in a PNG or JPEG image.
func FromImage(r io.Reader) ([]string, error) {
	b, err := io.ReadAll(io.LimitReader(r, MaxFileSize+1))
	if err != nil {
		return nil, err
	}
	if len(b) > MaxFileSize {
		return nil, fmt.Errorf("the image is larger than %d MB", MaxFileSize>>20)
	}
	cfg, _, err := image.DecodeConfig(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("not a PNG or JPEG image: %v", err)
	}
	if float64(cfg.Width)*float64(cfg.Height) > MaxPixels {
		return nil, fmt.Errorf("the image is %d×%d pixels; at most %.0f million are read", cfg.Width, cfg.Height, MaxPixels/1e6)
	}
	img, _, err := image.Decode(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("cannot decode the image: %v", err)
	}
	return decode(img)
}

func decode(img image.Image) ([]string, error) {
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		return nil, err
	}
	hints := map[gozxing.DecodeHintType]any{gozxing.DecodeHintType_TRY_HARDER: true}
	var texts []string
	if rs, err := multiqr.NewQRCodeMultiReader().DecodeMultiple(bmp, hints); err == nil {
		for _, r := range rs {
			texts = append(texts, r.GetText())
		}
	}
	if len(texts) == 0 {
		// The single reader finds some codes the multi reader misses.
		if r, err := qrcode.NewQRCodeReader().Decode(bmp, hints); err == nil {
			texts = append(texts, r.GetText())
		}
	}
	if len(texts) == 0 {
		return nil, ErrNone
	}
	slices.Sort(texts)
	return slices.Compact(texts), nil
}

// FromPDF renders every page of a PDF at 300 dpi and returns the texts of
// the QR codes found, in page order.
func FromPDF(ctx context.Context, path string) ([]string, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err
	} else if fi.Size() > MaxFileSize {
		return nil, fmt.Errorf("the PDF is larger than %d MB", MaxFileSize>>20)
	}
	if _, err := exec.LookPath("pdftoppm"); err != nil {
		return nil, errors.New("reading a PDF needs pdftoppm (Debian package poppler-utils)")
	}
	dir, err := os.MkdirTemp("", "amparo-pdf-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	out, err := exec.CommandContext(ctx, "pdftoppm", "-r", "300", "-l", "20", "-png", path, filepath.Join(dir, "page")).CombinedOutput()
	if err != nil {
		return nil, fmt.Errorf("not a readable PDF: %s", firstLine(out))
	}
	pages, _ := filepath.Glob(filepath.Join(dir, "page*.png"))
	slices.Sort(pages)
	var texts []string
	for _, p := range pages {
		f, err := os.Open(p)
		if err != nil {
			return nil, err
		}
		ts, err := FromImage(f)
		f.Close()
		if err != nil && !errors.Is(err, ErrNone) {
			return nil, err
		}
		texts = append(texts, ts...)
	}
	if len(texts) == 0 {
		return nil, ErrNone
	}
	return texts, nil
}

func firstLine(b []byte) string {
	if i := bytes.IndexByte(b, '\n'); i >= 0 {
		b = b[:i]
	}
	return string(bytes.TrimSpace(b))
}

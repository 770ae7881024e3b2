package credential

import (
	"bytes"
	"errors"
	"image"
	"image/color"
	"image/png"
	"strings"

	"rsc.io/qr/coding"
)

// QR error correction and quiet zone used for every letter.
const (
	QRLevel     = "M" // error correction level M (about 15% of the code recoverable)
	QRQuietZone = 4   // light modules around the code, as ISO/IEC 18004 requires
)

// QR is a QR code for a QR text, at error correction M, in the smallest
// version that holds it.
type QR struct {
	Text    string
	Version int // 1–40; a code has 4*Version+17 modules a side
	code    *coding.Code
}

// NewQR encodes text as a QR code with mixed segments: the credential after
// the last '#' as one alphanumeric segment, the prefix as a byte segment (or
// its leading alphanumeric run, such as an upper-case "HTTPS://HOST/V", as an
// alphanumeric segment and the rest as bytes, when that is shorter). It
// picks the smallest version at level M and the mask with the lowest
// ISO/IEC 18004 penalty score.
func NewQR(text string) (*QR, error) {
	if len(text) > MaxQRText {
		return nil, ErrQRTooLong
	}
	if text == "" {
		return nil, errors.New("credential: empty QR text")
	}
	split := strings.LastIndexByte(text, '#') + 1
	prefixes := segmentChoices(text[:split])
	cred := segmentChoices(text[split:])[0]

	best, bestV, bestBits := []coding.Encoding(nil), coding.MaxVersion+1, 0
	for _, p := range prefixes {
		segs := append(append([]coding.Encoding(nil), p...), cred...)
		for v := coding.Version(coding.MinVersion); v <= coding.MaxVersion && int(v) <= bestV; v++ {
			bits := 0
			for _, s := range segs {
				bits += s.Bits(v)
			}
			if bits <= v.DataBytes(coding.M)*8 {
				if int(v) < bestV || bits < bestBits {
					best, bestV, bestBits = segs, int(v), bits
				}
				break
			}
		}
	}
	if best == nil {
		return nil, errors.New("credential: QR text too long for a QR code")
	}

	var code *coding.Code
	bestPenalty := -1
	for mask := coding.Mask(0); mask < 8; mask++ {
		plan, err := coding.NewPlan(coding.Version(bestV), coding.M, mask)
		if err != nil {
			return nil, err
		}
		c, err := plan.Encode(best...)
		if err != nil {
			return nil, err
		}
		if p := penalty(c); bestPenalty < 0 || p < bestPenalty {
			code, bestPenalty = c, p
		}
	}
	return &QR{Text: text, Version: bestV, code: code}, nil
}

// segmentChoices returns the ways worth trying to encode s, first the one
// for a string that is all alphanumeric.
func segmentChoices(s string) [][]coding.Encoding {
	if s == "" {
		return [][]coding.Encoding{nil}
	}
	if coding.Alpha(s).Check() == nil {
		return [][]coding.Encoding{{coding.Alpha(s)}}
	}
	choices := [][]coding.Encoding{{coding.String(s)}}
	n := 0
	for n < len(s) && coding.Alpha(s[n:n+1]).Check() == nil {
		n++
	}
	if n > 0 {
		choices = append(choices, []coding.Encoding{coding.Alpha(s[:n]), coding.String(s[n:])})
	}
	return choices
}

// Modules returns the number of modules on a side, without the quiet zone.
func (q *QR) Modules() int { return q.code.Size }

// Image renders the code with scale pixels per module and a quiet zone of
// QRQuietZone modules, black on white.
func (q *QR) Image(scale int) image.Image {
	if scale < 1 {
		scale = 1
	}
	side := (q.code.Size + 2*QRQuietZone) * scale
	img := image.NewPaletted(image.Rect(0, 0, side, side), color.Palette{color.White, color.Black})
	for y := 0; y < q.code.Size; y++ {
		for x := 0; x < q.code.Size; x++ {
			if !q.code.Black(x, y) {
				continue
			}
			x0, y0 := (x+QRQuietZone)*scale, (y+QRQuietZone)*scale
			for dy := 0; dy < scale; dy++ {
				row := img.Pix[(y0+dy)*img.Stride+x0:]
				for dx := 0; dx < scale; dx++ {
					row[dx] = 1
				}
			}
		}
	}
	return img
}

// PNG renders the code as a 1-bit PNG with scale pixels per module.
func (q *QR) PNG(scale int) ([]byte, error) {
	var buf bytes.Buffer
	if err := png.Encode(&buf, q.Image(scale)); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// penalty scores a code by the four rules of ISO/IEC 18004 section 7.8.3:
// long runs, 2×2 blocks, finder-like patterns, and dark/light imbalance.
func penalty(c *coding.Code) int {
	n := c.Size
	dark := func(x, y int) bool { return c.Black(x, y) }
	score, darkCount := 0, 0
	for pass := 0; pass < 2; pass++ { // rows, then columns
		at := dark
		if pass == 1 {
			at = func(x, y int) bool { return dark(y, x) }
		}
		for y := 0; y < n; y++ {
			run := 0
			for x := 0; x < n; x++ {
				if x > 0 && at(x, y) == at(x-1, y) {
					run++
				} else {
					run = 1
				}
				if run == 5 {
					score += 3
				} else if run > 5 {
					score++
				}
				if x+7 <= n && finderLike(at, x, y) &&
					(lightRun(at, x-4, y, n) || lightRun(at, x+7, y, n)) {
					score += 40
				}
			}
		}
	}
	for y := 0; y < n; y++ {
		for x := 0; x < n; x++ {
			if dark(x, y) {
				darkCount++
			}
			if x+1 < n && y+1 < n {
				d := dark(x, y)
				if dark(x+1, y) == d && dark(x, y+1) == d && dark(x+1, y+1) == d {
					score += 3
				}
			}
		}
	}
	percent := darkCount * 100 / (n * n)
	dev := percent - 50
	if dev < 0 {
		dev = -dev
	}
	return score + dev/5*10
}

// finderLike reports dark-light-dark-dark-dark-light-dark at x..x+6.
func finderLike(at func(x, y int) bool, x, y int) bool {
	for i, d := range [7]bool{true, false, true, true, true, false, true} {
		if at(x+i, y) != d {
			return false
		}
	}
	return true
}

// lightRun reports four light modules at x..x+3 (outside the code is light).
func lightRun(at func(x, y int) bool, x, y, n int) bool {
	for i := x; i < x+4; i++ {
		if i >= 0 && i < n && at(i, y) {
			return false
		}
	}
	return true
}

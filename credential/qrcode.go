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
	// The modules are read once into rows and columns of bytes: the rules
	// then scan plain slices, which is what keeps choosing among the eight
	// masks cheap.
	n := c.Size
	rows, cols := make([][]byte, n), make([][]byte, n)
	for i := range n {
		rows[i], cols[i] = make([]byte, n), make([]byte, n)
	}
	darkCount := 0
	for y := range n {
		for x := range n {
			if c.Black(x, y) {
				rows[y][x], cols[x][y] = 1, 1
				darkCount++
			}
		}
	}
	score := 0
	for _, lines := range [2][][]byte{rows, cols} {
		for _, l := range lines {
			score += linePenalty(l)
		}
	}
	for y := 0; y+1 < n; y++ {
		for x := 0; x+1 < n; x++ {
			d := rows[y][x]
			if rows[y][x+1] == d && rows[y+1][x] == d && rows[y+1][x+1] == d {
				score += 3
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

// finderPattern is dark-light-dark-dark-dark-light-dark.
var finderPattern = [7]byte{1, 0, 1, 1, 1, 0, 1}

// linePenalty scores one row or column: runs of five or more alike, and
// finder-like patterns with four light modules on either side (outside the
// code is light).
func linePenalty(l []byte) int {
	n, score, run := len(l), 0, 0
	for x := range n {
		if x > 0 && l[x] == l[x-1] {
			run++
		} else {
			run = 1
		}
		if run == 5 {
			score += 3
		} else if run > 5 {
			score++
		}
		if x+7 <= n && [7]byte(l[x:x+7]) == finderPattern && (lightRun(l, x-4) || lightRun(l, x+7)) {
			score += 40
		}
	}
	return score
}

// lightRun reports four light modules at x..x+3 (outside the code is light).
func lightRun(l []byte, x int) bool {
	for i := x; i < x+4; i++ {
		if i >= 0 && i < len(l) && l[i] == 1 {
			return false
		}
	}
	return true
}

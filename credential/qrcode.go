package credential

import (
	"bytes"
	"errors"
	"html"
	"image"
	"image/color"
	"image/png"
	"math/bits"
	"strconv"
	"strings"
	"sync"

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
		plan, err := qrPlan(coding.Version(bestV), mask)
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

// plans holds the plans made, by version and mask: making one costs more
// than encoding with it, and Encode only reads it.
var plans sync.Map // int(version)*8 + int(mask) -> *coding.Plan

func qrPlan(v coding.Version, mask coding.Mask) (*coding.Plan, error) {
	k := int(v)*8 + int(mask)
	if p, ok := plans.Load(k); ok {
		return p.(*coding.Plan), nil
	}
	p, err := coding.NewPlan(v, coding.M, mask)
	if err != nil {
		return nil, err
	}
	plans.Store(k, p)
	return p, nil
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

// Black reports whether module x, y of the code (from the top left, the
// quiet zone not counted) is dark.
func (q *QR) Black(x, y int) bool { return q.code.Black(x, y) }

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

// SVG renders the code as an SVG image, black on white, one unit a module
// and a quiet zone of QRQuietZone modules; class, if given, is the svg
// element's class. It is drawn as one path, so it scales crisply.
func (q *QR) SVG(class string) string {
	n, z := q.code.Size, QRQuietZone
	side := strconv.Itoa(n + 2*z)
	var b strings.Builder
	b.WriteString(`<svg xmlns="http://www.w3.org/2000/svg"`)
	if class != "" {
		b.WriteString(` class="` + html.EscapeString(class) + `"`)
	}
	b.WriteString(` role="img" viewBox="-` + strconv.Itoa(z) + ` -` + strconv.Itoa(z) + ` ` + side + ` ` + side + `" shape-rendering="crispEdges">`)
	b.WriteString(`<rect x="-` + strconv.Itoa(z) + `" y="-` + strconv.Itoa(z) + `" width="` + side + `" height="` + side + `" fill="#fff"/><path fill="#000" d="`)
	for y := 0; y < n; y++ {
		for x := 0; x < n; x++ {
			if q.code.Black(x, y) {
				b.WriteString("M" + strconv.Itoa(x) + " " + strconv.Itoa(y) + "h1v1h-1z")
			}
		}
	}
	b.WriteString(`"/></svg>`)
	return b.String()
}

// penalty scores a code by the four rules of ISO/IEC 18004 section 7.8.3:
// long runs, 2×2 blocks, finder-like patterns, and dark/light imbalance.
// It is the cost of choosing among the eight masks, so it reads plain
// slices without branching on the modules, which are random-looking:
// TestPenalty_AsPlainRules holds it to the rules read literally.
func penalty(c *coding.Code) int {
	n := c.Size
	grid := make([]byte, n*n+n) // a byte a module, row by row; then one column
	darkCount := 0
	for y := range n {
		row := c.Bitmap[y*c.Stride : y*c.Stride+(n+7)/8]
		for i, b := range row {
			copy(grid[y*n+8*i:y*n+n], moduleBytes[b][:])
			darkCount += bits.OnesCount8(b) // the padding bits are 0
		}
	}
	score := 0
	for y := range n {
		score += linePenalty(grid[y*n : y*n+n])
	}
	col := grid[n*n:]
	for x := range n {
		for y := range n {
			col[y] = grid[y*n+x]
		}
		score += linePenalty(col)
	}
	blocks := 0
	for y := 0; y+1 < n; y++ {
		r0, r1 := grid[y*n:y*n+n], grid[y*n+n:y*n+2*n]
		for x := 0; x+1 < n; x++ {
			d := r0[x]
			blocks += int(1 ^ ((r0[x+1] ^ d) | (r1[x] ^ d) | (r1[x+1] ^ d)))
		}
	}
	score += 3 * blocks
	percent := darkCount * 100 / (n * n)
	dev := percent - 50
	if dev < 0 {
		dev = -dev
	}
	return score + dev/5*10
}

// moduleBytes spreads the bits of a bitmap byte, the first module in the
// high bit, over eight bytes of 0 or 1.
var moduleBytes = func() (t [256][8]byte) {
	for b := range t {
		for i := range 8 {
			t[b][i] = byte(b>>(7-i)) & 1
		}
	}
	return t
}()

// finderPattern is dark-light-dark-dark-dark-light-dark, as the last
// seven modules read, one bit each.
const finderPattern = 0b1011101

// linePenalty scores one row or column: runs of five or more alike, and
// finder-like patterns with four light modules on either side (outside the
// code is light).
func linePenalty(l []byte) int {
	if len(l) == 0 {
		return 0
	}
	score, run, last, window := 0, 0, l[0]^1, 0
	for x, m := range l {
		run = run*int(m^last^1) + 1 // 1 more when alike, else 1
		last = m
		if run == 5 {
			score += 3
		} else if run > 5 {
			score++
		}
		window = (window<<1 | int(m)) & 0x7F
		if window == finderPattern && x >= 6 && (lightRun(l, x-10) || lightRun(l, x+1)) {
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

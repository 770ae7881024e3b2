package document

import (
	"bytes"
	_ "embed"
	"encoding/binary"
	"fmt"
	"image/color"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode"

	"codeberg.org/go-pdf/fpdf"
	"golang.org/x/text/unicode/bidi"
	"golang.org/x/text/unicode/norm"

	"github.com/amparo-project/amparo/credential"
	"github.com/amparo-project/amparo/locale"
)

// DejaVu Sans covers Latin (Vietnamese included), Greek, Cyrillic,
// Armenian, Georgian, Hebrew and basic Arabic; see fonts/LICENSE.
var (
	//go:embed fonts/DejaVuSans.ttf
	fontRegular []byte
	//go:embed fonts/DejaVuSans-Bold.ttf
	fontBold []byte
)

const family = "dejavu"

// ptMM is one typographic point in millimetres.
const ptMM = 25.4 / 72

// box is something drawn, where: what layout tests check.
type box struct {
	page       int
	kind       string // "text", "qr" (with its quiet zone), "image", "mark"
	text       string
	x, y, w, h float64 // mm from the page's top left
	size       float64 // font size in points
}

// doc is a PDF being drawn. While dry, nothing is drawn or recorded: the
// layout is only measured.
type doc struct {
	pdf     *fpdf.Fpdf
	boxes   []box
	dry     bool
	images  int
	qrs     map[string]*credential.QR
	codes   *qrCache
	cleaned map[string]string
	wrapped map[wrapKey][]string
}

// wrapKey is a wrapping already done: a dry layout, then the same drawn.
type wrapKey struct {
	s       string
	bold    bool
	size, w float64
}

// newDoc starts a PDF of pages w × h whose fonts embed the characters of
// include, besides those it prints.
func newDoc(w, h float64, title string, codes *qrCache, include []string) *doc {
	pdf := fpdf.NewCustom(&fpdf.InitType{UnitStr: "mm", Size: fpdf.SizeType{Wd: w, Ht: h}})
	pdf.SetMargins(0, 0, 0)
	pdf.SetAutoPageBreak(false, 0)
	pdf.AddUTF8FontFromBytes(family, "", fontRegular)
	pdf.AddUTF8FontFromBytes(family, "B", fontBold)
	for _, s := range include {
		pdf.IncludeRunes(family, "", s)
		pdf.IncludeRunes(family, "B", s)
	}
	pdf.SetTitle(title, true)
	pdf.SetCreator("Amparo", true)
	return &doc{pdf: pdf, qrs: map[string]*credential.QR{}, codes: codes, cleaned: map[string]string{}, wrapped: map[wrapKey][]string{}}
}

// code returns the QR code of text, made once per document.
func (d *doc) code(text string) (*credential.QR, error) {
	if q, ok := d.qrs[text]; ok {
		return q, nil
	}
	q, err := d.codes.get(text)
	if err != nil {
		return nil, err
	}
	d.qrs[text] = q
	return q, nil
}

// qrCache keeps the last QR codes made, so that a letter and its card
// rendered one after the other encode their code once.
type qrCache struct {
	mu    sync.Mutex
	codes map[string]*credential.QR
	order []string
}

const qrCacheSize = 16

func (c *qrCache) get(text string) (*credential.QR, error) {
	if c == nil {
		return credential.NewQR(text)
	}
	c.mu.Lock()
	q, ok := c.codes[text]
	c.mu.Unlock()
	if ok {
		return q, nil
	}
	q, err := credential.NewQR(text)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.codes == nil {
		c.codes = map[string]*credential.QR{}
	}
	if _, ok := c.codes[text]; !ok {
		c.codes[text] = q
		c.order = append(c.order, text)
		if len(c.order) > qrCacheSize {
			delete(c.codes, c.order[0])
			c.order = c.order[1:]
		}
	}
	return q, nil
}

// fitLayout lays out dry at sizes from max down by step until the bottom
// it returns is at most limit, or min is reached; then draws at that size.
func (d *doc) fitLayout(layout func(size float64) (bottom float64, err error), hi, lo, step, limit float64) error {
	size := hi
	d.dry = true
	for ; size > lo; size -= step {
		bottom, err := layout(size)
		if err != nil {
			d.dry = false
			return err
		}
		if bottom <= limit {
			break
		}
	}
	d.dry = false
	_, err := layout(max(size, lo))
	return err
}

func (d *doc) addPage() { d.pdf.AddPage() }

func (d *doc) output(w io.Writer) error {
	if err := d.pdf.Error(); err != nil {
		return fmt.Errorf("document: %w", err)
	}
	return d.pdf.Output(w)
}

// font selects DejaVu Sans, bold when bold, at size points.
func (d *doc) font(bold bool, size float64) {
	style := ""
	if bold {
		style = "B"
	}
	d.pdf.SetFont(family, style, size)
}

// clean is the package's clean, remembered: dry layouts ask again and again.
func (d *doc) clean(s string) string {
	if c, ok := d.cleaned[s]; ok {
		return c
	}
	c := clean(s)
	d.cleaned[s] = c
	return c
}

// text draws one line with its top at y, aligned "L", "C" or "R" in a
// column from x of width w, and returns the line's height.
func (d *doc) text(x, y, w float64, s string, bold bool, size float64, align string, gray int) float64 {
	h := lineHeight(size)
	if d.dry || s == "" {
		return h
	}
	s = d.clean(s)
	vis := visual(s)
	tw := textWidth(vis, bold, size)
	switch align {
	case "C":
		x += (w - tw) / 2
	case "R":
		x += w - tw
	}
	d.font(bold, size)
	d.pdf.SetTextColor(gray, gray, gray)
	d.pdf.Text(x, y+0.93*size*ptMM, vis) // DejaVu's ascent is 0.93 em
	d.boxes = append(d.boxes, box{page: d.pdf.PageNo(), kind: "text", text: s, x: x, y: y, w: tw, h: 1.17 * size * ptMM, size: size})
	return h
}

func lineHeight(size float64) float64 { return 1.25 * size * ptMM }

// lines draws wrapped lines from y and returns the height used.
func (d *doc) lines(x, y, w float64, ls []string, bold bool, size float64, align string, gray int) float64 {
	h := 0.0
	for _, s := range ls {
		h += d.text(x, y+h, w, s, bold, size, align, gray)
	}
	return h
}

// para wraps s into w and draws it from y; it returns the height used.
func (d *doc) para(x, y, w float64, s string, bold bool, size float64, gray int) float64 {
	return d.lines(x, y, w, d.wrap(s, bold, size, w), bold, size, "L", gray)
}

// wrap breaks s into lines no wider than w at size points, between words,
// or inside a word longer than a line. The lines are remembered: callers
// must not change them.
func (d *doc) wrap(s string, bold bool, size, w float64) []string {
	k := wrapKey{s, bold, size, w}
	if ls, ok := d.wrapped[k]; ok {
		return ls
	}
	ls := d.wrapNew(s, bold, size, w)
	d.wrapped[k] = ls
	return ls
}

func (d *doc) wrapNew(s string, bold bool, size, w float64) []string {
	width := func(s string) float64 { return textWidth(s, bold, size) }
	space := width(" ")
	var out []string
	for _, para := range strings.Split(d.clean(s), "\n") {
		line, lw := "", 0.0
		for _, word := range strings.Fields(para) {
			ww := width(word)
			if line != "" && lw+space+ww <= w {
				line, lw = line+" "+word, lw+space+ww
				continue
			}
			if line != "" {
				out = append(out, line)
			}
			for ww > w { // a word wider than the line breaks anywhere
				rs := []rune(word)
				n := len(rs) - 1
				for n > 1 && width(string(rs[:n])) > w {
					n--
				}
				out = append(out, string(rs[:n]))
				word = string(rs[n:])
				ww = width(word)
			}
			line, lw = word, ww
		}
		if line != "" || len(out) == 0 {
			out = append(out, line)
		}
	}
	return out
}

// fit finds the largest size from max down to min, by quarter points, at
// which s fits in w within maxLines lines. At min it keeps maxLines lines,
// the last one cut with an ellipsis: text shrinks, then wraps, then is cut,
// and never overflows.
func (d *doc) fit(s string, bold bool, max, min, w float64, maxLines int) ([]string, float64) {
	for size := max; ; size -= 0.25 {
		if size < min {
			size = min
		}
		ls := d.wrap(s, bold, size, w)
		if len(ls) <= maxLines {
			return ls, size
		}
		if size == min {
			ls = append([]string(nil), ls[:maxLines]...)
			last := []rune(ls[maxLines-1])
			for len(last) > 0 && textWidth(string(last)+"…", bold, size) > w {
				last = last[:len(last)-1]
			}
			ls[maxLines-1] = string(last) + "…"
			return ls, size
		}
	}
}

// qr draws the QR code of text in the square at x, y of side outer, which
// holds the code and its quiet zone of credential.QRQuietZone modules; the
// modules are vector squares, sharp at any resolution.
func (d *doc) qr(text string, x, y, outer float64) error {
	q, err := d.code(text)
	if err != nil || d.dry { // a dry layout learns only whether the code can be made
		return err
	}
	n := q.Modules()
	mod := outer / float64(n+2*credential.QRQuietZone)
	p := d.pdf
	p.SetFillColor(255, 255, 255)
	p.Rect(x, y, outer, outer, "F")
	p.SetFillColor(0, 0, 0)
	// One path of row runs filled at once: no seams between modules. The
	// path is written in modules, scaled by one transformation: small
	// integers, where fpdf would write four points of each run in decimals.
	scale := p.GetConversionRatio() // points a millimetre
	_, pageH := p.GetPageSize()
	x0, y0 := x+float64(credential.QRQuietZone)*mod, y+float64(credential.QRQuietZone)*mod
	b := make([]byte, 0, 16*n*n/4)
	b = fmt.Appendf(b, "q %.5f 0 0 %.5f %.5f %.5f cm\n", mod*scale, -mod*scale, x0*scale, (pageH-y0)*scale)
	for j := 0; j < n; j++ {
		for i := 0; i < n; {
			if !q.Black(i, j) {
				i++
				continue
			}
			k := i
			for k < n && q.Black(k, j) {
				k++
			}
			b = strconv.AppendInt(b, int64(i), 10)
			b = append(b, ' ')
			b = strconv.AppendInt(b, int64(j), 10)
			b = append(b, ' ')
			b = strconv.AppendInt(b, int64(k-i), 10)
			b = append(b, " 1 re\n"...)
			i = k
		}
	}
	b = append(b, "f Q"...)
	p.RawWriteStr(string(b))
	d.boxes = append(d.boxes, box{page: p.PageNo(), kind: "qr", text: text, x: x, y: y, w: outer, h: outer})
	return nil
}

// image draws a JPEG or PNG scaled to fit the box at x, y, w, h, centred,
// and reports whether it could.
func (d *doc) image(b []byte, x, y, w, h float64) bool {
	typ := ""
	switch {
	case bytes.HasPrefix(b, []byte("\x89PNG")):
		typ = "PNG"
	case bytes.HasPrefix(b, []byte("\xff\xd8")):
		typ = "JPG"
	default:
		return false
	}
	if d.dry {
		return true
	}
	d.images++
	name := fmt.Sprintf("img%d", d.images)
	info := d.pdf.RegisterImageOptionsReader(name, fpdf.ImageOptions{ImageType: typ}, bytes.NewReader(b))
	if info == nil || d.pdf.Err() {
		d.pdf.ClearError()
		return false
	}
	iw, ih := info.Extent()
	scale := min(w/iw, h/ih)
	dw, dh := iw*scale, ih*scale
	bx, by := x+(w-dw)/2, y+(h-dh)/2
	d.pdf.ImageOptions(name, bx, by, dw, dh, false, fpdf.ImageOptions{ImageType: typ}, 0, "")
	d.boxes = append(d.boxes, box{page: d.pdf.PageNo(), kind: "image", x: bx, y: by, w: dw, h: dh})
	return true
}

// line draws a hairline.
func (d *doc) line(x1, y1, x2, y2 float64, c color.Gray, width float64) {
	if d.dry {
		return
	}
	d.pdf.SetDrawColor(int(c.Y), int(c.Y), int(c.Y))
	d.pdf.SetLineWidth(width)
	d.pdf.Line(x1, y1, x2, y2)
	d.boxes = append(d.boxes, box{page: d.pdf.PageNo(), kind: "mark", x: min(x1, x2), y: min(y1, y2), w: abs(x2 - x1), h: abs(y2 - y1)})
}

func abs(f float64) float64 {
	if f < 0 {
		return -f
	}
	return f
}

// clean makes text printable with the embedded fonts: composed (NFC), so
// accents typed as combining marks print as one glyph; without control and
// format characters (bidi marks, joiners, variation selectors); every
// character the font lacks, such as an emoji, becomes U+FFFD.
func clean(s string) string {
	plain := true
	for i := 0; i < len(s) && plain; i++ {
		plain = s[i] >= ' ' && s[i] < 0x7F || s[i] == '\n'
	}
	if plain {
		return s
	}
	s = norm.NFC.String(s)
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch {
		case r >= ' ' && r < 0x7F, r == '\n':
			b.WriteRune(r)
		case r == '\t':
			b.WriteByte(' ')
		case unicode.Is(unicode.Cc, r), unicode.Is(unicode.Cf, r), unicode.Is(unicode.Variation_Selector, r):
		case !covered(r):
			b.WriteRune('\uFFFD')
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// visual reorders a line holding right-to-left letters (Hebrew, Arabic)
// for display in a left-to-right paragraph, by the Unicode bidi algorithm.
// Arabic letters are not joined: DejaVu's isolated forms are printed.
func visual(s string) (out string) {
	rtl := false
	for _, r := range s {
		if p, _ := bidi.LookupRune(r); p.Class() == bidi.R || p.Class() == bidi.AL {
			rtl = true
			break
		}
	}
	if !rtl {
		return s
	}
	defer func() {
		if recover() != nil {
			out = s // the logical order beats no letter at all
		}
	}()
	var p bidi.Paragraph
	if _, err := p.SetString(s, bidi.DefaultDirection(bidi.LeftToRight)); err != nil {
		return s
	}
	o, err := p.Order()
	if err != nil {
		return s
	}
	var b strings.Builder
	for i := 0; i < o.NumRuns(); i++ {
		r := o.Run(i)
		if r.Direction() == bidi.RightToLeft {
			b.WriteString(bidi.ReverseString(r.String()))
		} else {
			b.WriteString(r.String())
		}
	}
	return b.String()
}

// metrics are what text layout needs of a font, read once: the advance
// of each rune of the Basic Multilingual Plane, in thousandths of an em,
// as the PDF writer rounds it; 0 where the font has no glyph.
type metrics struct {
	widths []uint16
	glyphs []uint64 // bitset of the runes with a glyph: a combining mark's has no advance
}

var fonts struct {
	once          sync.Once
	regular, bold metrics
}

func loadMetrics() {
	fonts.once.Do(func() {
		fonts.regular, fonts.bold = readMetrics(fontRegular), readMetrics(fontBold)
	})
}

// printedKeys are the prefixes of the catalog keys that documents print.
var printedKeys = []string{"letter.", "card.", "kyr."}

// marks are the characters this package draws itself.
const marks = "•…·\uFFFD"

// fontRunes returns, for each language of the catalog, the characters of
// its printed messages that the fonts have, and for "" printable ASCII,
// Latin-1 and the marks. See Renderer.include.
func fontRunes(cat *locale.Catalog, langs []string) map[string]string {
	out := map[string]string{}
	add := func(lang string, texts []string) {
		seen := map[rune]bool{}
		for _, s := range texts {
			for _, r := range norm.NFC.String(s) {
				if covered(r) {
					seen[r] = true
				}
			}
		}
		out[lang] = string(slices.Sorted(maps.Keys(seen)))
	}
	base := []string{marks}
	for r := rune(0x20); r <= 0xFF; r++ {
		if r < 0x7F || r >= 0xA0 {
			base = append(base, string(r))
		}
	}
	add("", base)
	for _, lang := range langs {
		var texts []string
		for k, msg := range cat.Messages(lang) {
			if slices.ContainsFunc(printedKeys, func(p string) bool { return strings.HasPrefix(k, p) }) {
				texts = append(texts, msg)
			}
		}
		add(lang, texts)
	}
	return out
}

// covered reports whether both embedded fonts have a glyph for r. The PDF
// writer handles the Basic Multilingual Plane only.
func covered(r rune) bool {
	loadMetrics()
	return r >= 0 && r < 1<<16 && fonts.regular.glyphs[r/64]&fonts.bold.glyphs[r/64]&(1<<(r%64)) != 0
}

// textWidth is the width in millimetres of s, already cleaned, at size
// points: the sum of its advances, as the PDF writer sets it (no kerning).
func textWidth(s string, bold bool, size float64) float64 {
	loadMetrics()
	m := fonts.regular
	if bold {
		m = fonts.bold
	}
	w := 0
	for _, r := range s {
		if r < 1<<16 {
			w += int(m.widths[r])
		}
	}
	return float64(w) * size / 1000 * ptMM
}

// readMetrics reads the Unicode BMP (format 4) character map, the
// horizontal metrics and the units per em of a TrueType font.
func readMetrics(font []byte) metrics {
	u16 := func(o int) int { return int(binary.BigEndian.Uint16(font[o:])) }
	u32 := func(o int) int { return int(binary.BigEndian.Uint32(font[o:])) }
	tables := map[string]int{}
	for i := range u16(4) {
		rec := 12 + 16*i
		tables[string(font[rec:rec+4])] = u32(rec + 8)
	}
	upem := u16(tables["head"] + 18)
	nh := u16(tables["hhea"] + 34)
	advance := func(g int) int { return u16(tables["hmtx"] + 4*min(g, nh-1)) }
	m := metrics{widths: make([]uint16, 1<<16), glyphs: make([]uint64, 1<<16/64)}
	table, sub := tables["cmap"], 0
	for i := range u16(table + 2) {
		rec := table + 4 + 8*i
		if pid, eid := u16(rec), u16(rec+2); (pid == 3 && eid == 1) || (pid == 0 && eid <= 3) {
			if o := table + u32(rec+4); u16(o) == 4 {
				sub = o
				break
			}
		}
	}
	if sub == 0 {
		return m
	}
	segs := u16(sub+6) / 2
	ends, starts := sub+14, sub+16+2*segs
	deltas, offsets := starts+2*segs, starts+4*segs
	for s := range segs {
		start, end := u16(starts+2*s), u16(ends+2*s)
		delta, ro := u16(deltas+2*s), u16(offsets+2*s)
		for c := start; c <= end && c < 0xFFFF; c++ {
			g := 0
			if ro == 0 {
				g = (c + delta) & 0xFFFF
			} else if at := offsets + 2*s + ro + 2*(c-start); at+2 <= len(font) {
				if g = u16(at); g != 0 {
					g = (g + delta) & 0xFFFF
				}
			}
			if g != 0 {
				m.glyphs[c/64] |= 1 << (c % 64)
				m.widths[c] = uint16((advance(g)*1000 + upem/2) / upem)
			}
		}
	}
	return m
}

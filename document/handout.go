package document

import (
	"image/color"
	"io"
	"strconv"
)

// Handout writes the know-your-rights handout of a workshop in lang, as a
// one-page US Letter PDF: the rights, then four red cards to cut out (the
// red-card style: what to hand an officer through a door), each the size
// of a wallet card. title is the workshop's title, printed at the top;
// every other word comes from the catalog.
func (r *Renderer) Handout(w io.Writer, lang, title string) error {
	if !r.known[lang] {
		lang = "en"
	}
	d := newDoc(LetterWidth, LetterHeight, r.t(lang, "kyr.title"), &r.codes, r.include(lang))
	d.addPage()
	const margin = 16.0
	x, width := margin, LetterWidth-2*margin
	cardsTop := LetterHeight - margin - 2*CardHeight - 6
	layout := func(s float64) (float64, error) {
		y := margin
		if title != "" {
			y += d.para(x, y, width, title, false, s, 60) + s*0.3
		}
		y += d.para(x, y, width, r.t(lang, "kyr.title"), true, s*1.5, 0) + s*0.4
		for i := 1; i <= 7; i++ {
			d.text(x+1, y, 5, "•", false, s, "L", 0)
			y += d.para(x+7, y, width-7, r.t(lang, "kyr."+strconv.Itoa(i)), false, s, 0) + s*0.25
		}
		if r.cat.Review(lang) != "" {
			y += d.para(x, y, width, r.t(lang, "kyr.unreviewed"), false, s*0.8, 90)
		}
		return y, nil
	}
	if err := d.fitLayout(layout, 12, 7, 0.5, cardsTop-4); err != nil {
		return err
	}
	// Four cards, two by two, centred, with a dashed cut line around each.
	left := (LetterWidth - 2*CardWidth - 6) / 2
	for i := range 4 {
		cx, cy := left+float64(i%2)*(CardWidth+6), cardsTop+float64(i/2)*(CardHeight+6)
		if !d.dry {
			d.pdf.SetDashPattern([]float64{1.5, 1}, 0)
			d.line(cx, cy, cx+CardWidth, cy, color.Gray{Y: 120}, 0.2)
			d.line(cx, cy+CardHeight, cx+CardWidth, cy+CardHeight, color.Gray{Y: 120}, 0.2)
			d.line(cx, cy, cx, cy+CardHeight, color.Gray{Y: 120}, 0.2)
			d.line(cx+CardWidth, cy, cx+CardWidth, cy+CardHeight, color.Gray{Y: 120}, 0.2)
			d.pdf.SetDashPattern(nil, 0)
			d.pdf.SetFillColor(178, 34, 34)
			d.pdf.Rect(cx+2, cy+2, CardWidth-4, 7, "F")
			d.pdf.SetFillColor(255, 255, 255)
		}
		r.handoutCard(d, lang, cx, cy)
	}
	return d.output(w)
}

// handoutCard draws one red card's words in a card at (cx, cy).
func (r *Renderer) handoutCard(d *doc, lang string, cx, cy float64) {
	in := 4.0
	w := CardWidth - 2*in
	ls, size := d.fit(r.t(lang, "kyr.card.title"), true, 10, 6, w, 1)
	d.lines(cx+in, cy+2.8, w, ls, true, size, "L", 255) // white on the red band
	y := cy + 11
	for i := 1; i <= 4; i++ {
		ls, sz := d.fit(r.t(lang, "kyr.card."+strconv.Itoa(i)), false, 7.5, 5, w, 3)
		y += d.lines(cx+in, y, w, ls, false, sz, "L", 0) + 1
	}
}

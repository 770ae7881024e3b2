package document

import (
	"image/color"
	"strconv"

	"github.com/amparo-project/amparo/credential"
)

// Card geometry, in millimetres.
const (
	CardWidth  = 85.6 // ISO/IEC 7810 ID-1
	CardHeight = 54.0
	// CardBleed is the margin around a single card, where the crop marks go.
	CardBleed = 10.0
	// cardSafe keeps text this far inside the cut.
	cardSafe = 3.0
	// CardQR is the least side of the card's QR code, without its quiet
	// zone, and CardModule the least side of one of its modules: a code of
	// more than 62 modules a side (version 12 and up) is drawn larger than
	// CardQR. A version 2 letter with the longest allowed client name is a
	// version 10 code, 57 modules: 0.44 mm each at 25 mm.
	CardQR     = 25.0
	CardModule = 0.4
	// SheetColumns × SheetRows cards, touching, centred on a US Letter sheet.
	SheetColumns = 2
	SheetRows    = 5
)

// SheetOrigin is the top left corner of the first card on a sheet.
var SheetOrigin = struct{ X, Y float64 }{
	(LetterWidth - SheetColumns*CardWidth) / 2,
	(LetterHeight - SheetRows*CardHeight) / 2,
}

// SheetCell returns the top left corner of card i (0–9) of a sheet, on the
// page of fronts, or on the page of backs: a back sits behind its front
// when the sheet is printed on both sides, flipped on the long edge.
func SheetCell(i int, back bool) (x, y float64) {
	col, row := i%SheetColumns, i/SheetColumns
	if back {
		col = SheetColumns - 1 - col
	}
	return SheetOrigin.X + float64(col)*CardWidth, SheetOrigin.Y + float64(row)*CardHeight
}

func (r *Renderer) card(l *Letter) (*doc, error) {
	if err := l.Validate(); err != nil {
		return nil, err
	}
	d := newDoc(CardWidth+2*CardBleed, CardHeight+2*CardBleed, r.t("en", "card.title"), &r.codes, r.include(r.clientLanguage(l)))
	for _, back := range []bool{false, true} {
		d.addPage()
		r.cropMarks(d, []float64{CardBleed, CardBleed + CardWidth}, []float64{CardBleed, CardBleed + CardHeight},
			CardWidth+2*CardBleed, CardHeight+2*CardBleed, 2, CardBleed-2)
		if err := r.cardSide(d, l, CardBleed, CardBleed, back); err != nil {
			return nil, err
		}
	}
	return d, nil
}

func (r *Renderer) sheet(ls []*Letter) (*doc, error) {
	for _, l := range ls {
		if err := l.Validate(); err != nil {
			return nil, err
		}
	}
	var langs []string
	for _, l := range ls {
		langs = append(langs, r.clientLanguage(l))
	}
	d := newDoc(LetterWidth, LetterHeight, r.t("en", "card.title"), &r.codes, r.include(langs...))
	var xs, ys []float64
	for c := 0; c <= SheetColumns; c++ {
		xs = append(xs, SheetOrigin.X+float64(c)*CardWidth)
	}
	for row := 0; row <= SheetRows; row++ {
		ys = append(ys, SheetOrigin.Y+float64(row)*CardHeight)
	}
	per := SheetColumns * SheetRows
	for start := 0; start < len(ls); start += per {
		group := ls[start:min(start+per, len(ls))]
		for _, back := range []bool{false, true} {
			d.addPage()
			r.cropMarks(d, xs, ys, LetterWidth, LetterHeight, 1.2, SheetOrigin.Y-1)
			for i, l := range group {
				x, y := SheetCell(i, back)
				if err := r.cardSide(d, l, x, y, back); err != nil {
					return nil, err
				}
			}
		}
	}
	return d, nil
}

// cropMarks draws the cut lines xs and ys as short marks in the margins of
// a page w × h, from gap to length outside the cards.
func (r *Renderer) cropMarks(d *doc, xs, ys []float64, w, h, gap, length float64) {
	black := color.Gray{Y: 0}
	left, right := xs[0], xs[len(xs)-1]
	top, bottom := ys[0], ys[len(ys)-1]
	for _, y := range ys {
		d.line(max(left-gap-length, 0), y, left-gap, y, black, 0.15)
		d.line(right+gap, y, min(right+gap+length, w), y, black, 0.15)
	}
	for _, x := range xs {
		d.line(x, max(top-gap-length, 0), x, top-gap, black, 0.15)
		d.line(x, bottom+gap, x, min(bottom+gap+length, h), black, 0.15)
	}
}

func (r *Renderer) cardSide(d *doc, l *Letter, ox, oy float64, back bool) error {
	if back {
		return r.cardBack(d, l, ox, oy)
	}
	return r.cardFront(d, l, ox, oy)
}

// both returns a catalog message in English, and after it in lang when
// that differs.
func (r *Renderer) both(lang, key string) string {
	en := r.t("en", key)
	if other := r.t(lang, key); other != en {
		return en + " · " + other
	}
	return en
}

// cardFront draws the front of a card with its top left corner at ox, oy:
// the titles across the top, the QR code on the right, the names, phone
// and date on the left. Text shrinks, wraps and at last is cut short to
// stay in its column: it never reaches the QR code's quiet zone.
func (r *Renderer) cardFront(d *doc, l *Letter, ox, oy float64) error {
	lang := r.clientLanguage(l)
	x, w := ox+cardSafe, CardWidth-2*cardSafe
	y := oy + cardSafe
	ls, sz := d.fit(r.t("en", "card.title"), true, 7.5, 4.5, w, 1)
	y += d.lines(x, y, w, ls, true, sz, "L", 0)
	if t := r.t(lang, "card.title"); lang != "en" && t != r.t("en", "card.title") {
		ls, sz = d.fit(t, true, 6.5, 4.5, w, 1)
		y += d.lines(x, y, w, ls, true, sz, "L", 60)
	}
	ls, sz = d.fit(join(" · ", l.Program.Name, l.Program.Jurisdiction), false, 5.2, 4, w, 1)
	y += d.lines(x, y, w, ls, false, sz, "L", 90) + 0.6
	d.line(x, y, x+w, y, color.Gray{Y: 150}, 0.2)
	top := y + 0.8

	q, err := d.code(l.QR)
	if err != nil {
		return err
	}
	// The code at CardQR, or larger where its modules would be smaller than
	// CardModule, if that fits above its caption; its right edge on the
	// safe line, its blank quiet zone beyond.
	n := float64(q.Modules())
	caption := 2*lineHeight(5) + 0.3
	outer := min(max(CardQR, CardModule*n)*(n+2*credential.QRQuietZone)/n, oy+CardHeight-cardSafe-caption-top)
	mod := outer / (n + 2*credential.QRQuietZone)
	qx := ox + CardWidth - cardSafe - outer + credential.QRQuietZone*mod
	if err := d.qr(l.QR, qx, top, outer); err != nil {
		return err
	}
	capW := ox + CardWidth - cardSafe - qx
	ls, sz = d.fit(r.both(lang, "card.scan"), false, 5, 3.8, capW, 2)
	d.lines(qx, top+outer+0.3, capW, ls, false, sz, "C", 0)

	colX, colW := x, qx-1-x
	if len(l.Photo) > 0 && d.image(l.Photo, colX, top+0.5, 15, 19) {
		colX, colW = colX+16.5, colW-16.5
	}
	fields := func(k float64) (float64, error) {
		y := top + 0.5
		field := func(key, value string, bold bool, size, least float64, lines int) {
			ls, sz := d.fit(r.both(lang, key), false, 4.6*k, 3.5, colW, 1)
			y += d.lines(colX, y, colW, ls, false, sz, "L", 90)
			ls, sz = d.fit(value, bold, size*k, least, colW, lines)
			y += d.lines(colX, y, colW, ls, bold, sz, "L", 0) + 0.7*k
		}
		field("card.name", l.ClientName, true, 8.5, 4.5, 2)
		field("card.represented_by", l.Member.Name, false, 7, 4.5, 2)
		field("card.phone", l.Member.Phone, true, 8.5, 5, 1)
		field("card.organization", l.Organization.Name, false, 6.3, 4.2, 2)
		field("card.valid_until", r.date("en", l.LastDay()), true, 7, 4.5, 1)
		return y, nil
	}
	return d.fitLayout(fields, 1, 0.5, 0.05, oy+CardHeight-cardSafe)
}

// cardBack draws the rights to show an officer, in English and under
// them in the client's language.
func (r *Renderer) cardBack(d *doc, l *Letter, ox, oy float64) error {
	lang := r.clientLanguage(l)
	x, w := ox+cardSafe, CardWidth-2*cardSafe
	langs := []string{"en"}
	if lang != "en" {
		langs = append(langs, lang)
	}
	half := (CardHeight - 2*cardSafe) / float64(len(langs))
	block := func(lang string, y, s float64) float64 {
		y += d.para(x, y, w, r.t(lang, "kyr.card.title"), true, s*1.1, 0) + 0.3
		for i := 1; i <= 4; i++ {
			d.text(x, y, 2.5, "•", false, s, "L", 0)
			y += d.para(x+2.3, y, w-2.3, r.t(lang, "kyr.card."+strconv.Itoa(i)), false, s, 0)
		}
		if r.cat.Review(lang) != "" {
			y += d.para(x, y, w, r.t(lang, "kyr.unreviewed")+" "+r.t("en", "kyr.unreviewed"), false, s*0.8, 90)
		}
		return y
	}
	// One size for both languages: the largest at which each fits its half.
	fits := func(s float64) (float64, error) {
		over := 0.0
		for i, lang := range langs {
			top := oy + cardSafe + float64(i)*half
			if i > 0 {
				d.line(x, top-0.6, x+w, top-0.6, color.Gray{Y: 150}, 0.2)
			}
			over = max(over, block(lang, top, s)-(top+half-1.2))
		}
		return oy + CardHeight - cardSafe + over, nil
	}
	return d.fitLayout(fits, 7.5, 3.8, 0.25, oy+CardHeight-cardSafe)
}

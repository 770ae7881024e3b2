package document

import (
	"image/color"
	"strconv"
	"strings"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/credential"
)

// US Letter, in millimetres, and the letter's margins.
const (
	LetterWidth  = 215.9
	LetterHeight = 279.4
	letterMargin = 22.0
	// LetterQR is the side of the letter's QR code with its quiet zone,
	// made larger where the code itself would be smaller than LetterQRLeast
	// or its modules than LetterModule (see letterQRSide). A version 2
	// letter with the longest allowed client name (version 10, 57 modules)
	// prints at 40.3 mm, 0.71 mm a module.
	LetterQR      = 46.0
	LetterQRLeast = 35.0
	LetterModule  = 0.5
	// PhoneQR is the side of the phone page's QR code with its quiet zone.
	PhoneQR = 34.0
)

func (r *Renderer) letter(l *Letter) (*doc, error) {
	if err := l.Validate(); err != nil {
		return nil, err
	}
	d := newDoc(LetterWidth, LetterHeight, r.t("en", "letter.title"), &r.codes, r.include(r.clientLanguages(l)...))
	d.addPage()
	officer := func(size float64) (float64, error) { return r.officerPage(d, l, size) }
	if err := d.fitLayout(officer, 11, 7, 0.5, LetterHeight-16); err != nil {
		return nil, err
	}
	for _, lang := range r.clientLanguages(l) {
		d.addPage()
		client := func(size float64) (float64, error) { return r.clientPage(d, l, lang, size) }
		if err := d.fitLayout(client, 11, 6.5, 0.5, LetterHeight-16); err != nil {
			return nil, err
		}
	}
	return d, nil
}

// letterhead draws the organization's name and contacts and returns the
// height used.
func (r *Renderer) letterhead(d *doc, l *Letter, y, s float64) float64 {
	x, w := letterMargin, LetterWidth-2*letterMargin
	top := y
	ls, sz := d.fit(l.Organization.Name, true, s*1.5, 9, w, 2)
	y += d.lines(x, y, w, ls, true, sz, "L", 0)
	ls, sz = d.fit(join(" · ", l.Program.Name, l.Program.Jurisdiction), false, s*0.8, 5.5, w, 2)
	y += d.lines(x, y, w, ls, false, sz, "L", 70)
	ls, sz = d.fit(join(" · ", l.Organization.Phone, l.Organization.Email), false, s*0.8, 5.5, w, 1)
	y += d.lines(x, y, w, ls, false, sz, "L", 70) + 1.5
	d.line(x, y, x+w, y, color.Gray{Y: 120}, 0.3)
	return y + 5 - top
}

// officerPage lays out the letter for the officer, in English, with body
// text of size points, and returns its bottom.
func (r *Renderer) officerPage(d *doc, l *Letter, s float64) (float64, error) {
	const en = "en"
	x, w := letterMargin, LetterWidth-2*letterMargin
	kind := l.Member.Kind
	if kind != amparo.MemberAccreditedRep {
		kind = amparo.MemberAttorney
	}
	gap := s * 0.45
	y := 16.0
	y += r.letterhead(d, l, y, s)
	y += d.text(x, y, w, r.date(en, l.IssuedOn()), false, s, "R", 0) + gap
	y += d.para(x, y, w, r.t(en, "letter.to"), false, s, 0) + gap
	y += d.para(x, y, w, r.t(en, "letter.title"), true, s*1.35, 0) + gap
	for _, p := range []string{
		r.t(en, "letter.represent."+string(kind), l.Member.Name, l.ClientName),
		r.t(en, "letter.silent"),
		r.t(en, "letter.contact", l.Member.Phone),
	} {
		y += d.para(x, y, w, p, false, s, 0) + gap
	}
	y += d.para(x, y, w, r.t(en, "letter.valid", r.date(en, l.IssuedOn()), r.date(en, l.LastDay())), true, s, 0) + 2*gap

	// The signature on the left, the QR code on the right: nothing else
	// is drawn in the QR code's square, quiet zone included.
	q, err := d.code(l.QR)
	if err != nil {
		return 0, err
	}
	side := letterQRSide(q.Modules())
	qx := x + w - side
	colW := qx - x - 8
	top := y
	if len(l.Member.Signature) == 0 || !d.image(l.Member.Signature, x, y, 60, 16) {
		ls, sz := d.fit(r.t(en, "letter.conformed_signature", l.Member.Name), false, s*1.1, 6, colW, 2)
		y += 4 + d.lines(x, y+4, colW, ls, false, sz, "L", 0)
	} else {
		y += 16
	}
	y += 1
	d.line(x, y, x+colW*0.8, y, color.Gray{Y: 0}, 0.2)
	y += 1.5
	ls, sz := d.fit(l.Member.Name, true, s, 6, colW, 2)
	y += d.lines(x, y, colW, ls, true, sz, "L", 0)
	cred := r.t(en, "letter.credentials.attorney", l.Member.BarJurisdiction, l.Member.BarNumber)
	if kind == amparo.MemberAccreditedRep {
		cred = r.t(en, "letter.credentials.accredited_rep", l.Member.RecognizedOrg, r.date(en, l.Member.AccreditationDate))
	}
	y += d.para(x, y, colW, cred, false, s*0.9, 0)
	y += d.para(x, y, colW, r.t(en, "letter.phone", l.Member.Phone), true, s, 0)

	if err := d.qr(l.QR, qx, top, side); err != nil {
		return 0, err
	}
	cy := top + side + 0.5
	ls, sz = d.fit(r.t(en, "letter.scan"), false, s*0.8, 5.5, side, 4)
	cy += d.lines(qx, cy, side, ls, false, sz, "C", 0)
	ls, sz = d.fit(r.t(en, "letter.id", l.ID), false, 6.5, 4, side, 2)
	cy += d.lines(qx, cy, side, ls, false, sz, "C", 110)
	return max(y, cy), nil
}

// letterQRSide returns the side, quiet zone included, of the letter's QR
// code of n modules a side: LetterQR, or larger so that the code is at
// least LetterQRLeast and each module at least LetterModule.
func letterQRSide(n int) float64 {
	m := float64(n)
	return max(LetterQR, max(LetterQRLeast, LetterModule*m)*(m+2*credential.QRQuietZone)/m)
}

// clientPage lays out the client's part in lang and returns its bottom.
func (r *Renderer) clientPage(d *doc, l *Letter, lang string, s float64) (float64, error) {
	x, w := letterMargin, LetterWidth-2*letterMargin
	gap := s * 0.4
	y := 16.0
	y += r.letterhead(d, l, y, s*0.8)
	y += d.para(x, y, w, r.t(lang, "letter.client.title"), true, s*1.35, 0) + gap
	y += d.para(x, y, w, r.t(lang, "letter.client.what", l.Member.Name, l.Organization.Name), false, s, 0) + gap
	y += d.para(x, y, w, r.t(lang, "letter.client.valid", r.date(lang, l.LastDay())), false, s, 0) + 2*gap

	list := func(title string, items []string, numbered bool) {
		y += d.para(x, y, w, title, true, s*1.15, 0) + gap/2
		for i, it := range items {
			mark := "•"
			if numbered {
				mark = strconv.Itoa(i+1) + "."
			}
			d.text(x+1, y, 5, mark, false, s, "L", 0)
			y += d.para(x+7, y, w-7, it, false, s, 0) + gap/2
		}
		y += gap
	}
	var steps []string
	for i := 1; i <= 5; i++ {
		var args []any
		if i == 5 {
			args = append(args, l.Member.Phone)
		}
		steps = append(steps, r.t(lang, "letter.client.step."+strconv.Itoa(i), args...))
	}
	list(r.t(lang, "letter.client.stopped"), steps, true)
	var rights []string
	for i := 1; i <= 7; i++ {
		rights = append(rights, r.t(lang, "kyr."+strconv.Itoa(i)))
	}
	list(r.t(lang, "kyr.title"), rights, false)
	if r.cat.Review(lang) != "" {
		y += d.para(x, y, w, r.t(lang, "kyr.unreviewed"), false, s*0.8, 90)
		y += d.para(x, y, w, r.t("en", "kyr.unreviewed"), false, s*0.8, 90) + gap
	}
	if l.PhoneLink != "" {
		y += gap
		qx := x + w - PhoneQR
		if err := d.qr(l.PhoneLink, qx, y, PhoneQR); err != nil {
			return 0, err
		}
		ls, sz := d.fit(r.t(lang, "letter.client.phone_qr"), false, s, 6, w-PhoneQR-8, 6)
		d.lines(x, y+4, w-PhoneQR-8, ls, false, sz, "L", 0)
		y += PhoneQR
	}
	return y, nil
}

// join joins the non-empty parts.
func join(sep string, parts ...string) string {
	var out []string
	for _, p := range parts {
		if strings.TrimSpace(p) != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, sep)
}

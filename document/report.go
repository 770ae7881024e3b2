package document

import (
	"io"
	"strings"

	"github.com/amparo-project/amparo/report"
)

// Report writes a released report in lang as a US Letter PDF: for each
// table its words, a bar chart with its text alternative (the chart's
// values in words, which a screen reader and pdftotext read), and its
// figures written as the release's CSV writes them; then the methods
// note (threshold, method, what was collapsed and suppressed) and the
// release's fingerprint.
func (r *Renderer) Report(w io.Writer, lang string, doc *report.Document, hash string) error {
	if !r.known[lang] {
		lang = "en"
	}
	title := report.Heading(r.cat, lang, doc.Period)
	d := newDoc(LetterWidth, LetterHeight, title, &r.codes, r.include(lang))
	const margin, size = 16.0, 9.5
	x, width := margin, LetterWidth-2*margin
	bottom := LetterHeight - margin
	d.addPage()
	y := margin
	// room starts a new page when h mm do not fit.
	room := func(h float64) {
		if y+h > bottom {
			d.addPage()
			y = margin
		}
	}
	para := func(s string, bold bool, sz float64, gray int) {
		ls := d.wrap(s, bold, sz, width)
		room(float64(len(ls)) * lineHeight(sz))
		y += d.lines(x, y, width, ls, bold, sz, "L", gray)
	}
	para(title, true, 16, 0)
	para(doc.Dates(r.cat, lang), false, size, 60)
	y += 3
	for _, t := range doc.Tables {
		name := r.text(lang, "report.table."+t.Name, t.Name)
		room(30)
		para(name, true, 12, 0)
		popKey := "report.population"
		if t.MoneyOf != "" {
			popKey = "report.money_population"
		}
		para(r.t(lang, popKey, r.text(lang, "report.table."+t.Name+".population", t.Population)), false, size, 40)
		if t.Unit != "" {
			para(r.t(lang, "report.unit", r.text(lang, "report.table."+t.Name+".unit", t.Unit)), false, size, 40)
		}
		if t.Denominator != "" {
			para(r.t(lang, "report.denominator", r.text(lang, "report.table."+t.Name+".denominator", t.Denominator)), false, size, 40)
		}
		for _, c := range t.Collapsed {
			para(r.t(lang, "report.collapsed."+strings.Fields(c)[0]), false, size, 40)
		}
		if t.Empty {
			para(r.t(lang, "report.empty"), false, size, 0)
			y += 3
			continue
		}
		// The chart: the margins of the last dimension (each category of
		// a table of one dimension), as horizontal bars.
		last := len(t.Dims) - 1
		type barv struct {
			label, text string
			v           int64
		}
		var bars []barv
		var most int64 = 1
		for _, c := range t.Cells {
			if report.IsTotal(c.Key[last]) || (last > 0 && !report.IsTotal(c.Key[0])) {
				continue
			}
			b := barv{label: r.category(lang, t.Dims[last].Name, c.Key[last]), text: r.cellText(lang, c)}
			if c.Cents != nil {
				b.text = report.Dollars(r.cat, lang, *c.Cents)
			}
			if n, ok := report.BarValue(c); ok {
				b.v = n
				most = max(most, b.v)
			}
			bars = append(bars, b)
		}
		alt := make([]string, len(bars))
		for i, b := range bars {
			alt[i] = b.label + ": " + b.text
		}
		const rowH, labelW = 5.0, 55.0
		for _, b := range bars {
			room(rowH)
			d.text(x, y, labelW-2, shortLabel(b.label), false, 8, "L", 0)
			bw := float64(b.v) / float64(most) * (width - labelW - 30)
			if !d.dry && bw > 0 {
				d.pdf.SetFillColor(11, 93, 42)
				d.pdf.Rect(x+labelW, y+0.8, bw, rowH-1.6, "F")
			}
			d.text(x+labelW+bw+2, y, 28, b.text, true, 8, "L", 0)
			y += rowH
		}
		para(r.t(lang, "report.pdf.alt", name, strings.Join(alt, "; ")), false, 8, 60)
		// The figures, one line per cell, as the CSV writes them.
		para(r.t(lang, "report.pdf.figures"), true, size, 0)
		for _, c := range t.Cells {
			var key []string
			for i, k := range c.Key {
				key = append(key, r.category(lang, t.Dims[i].Name, k))
			}
			v := report.FormatCount(c)
			if c.Suppressed {
				v = r.t(lang, "report.suppressed")
			}
			if c.Cents != nil {
				// As the CSV writes them: cents, and the cost per case.
				v = report.FormatCents(c.Cents) + " " + r.t(lang, "report.cents")
				if c.PerCents != nil {
					v += " (" + r.t(lang, "report.each", report.FormatCents(c.PerCents)+" "+r.t(lang, "report.cents")) + ")"
				}
			}
			if c.Floor != nil && !c.Suppressed {
				v, _ = report.ValueWords(r.cat, lang, c)
			} else if p := report.FormatPercent(c); p != "" {
				v += " (" + p + " %"
				if c.Unstable {
					v += ", " + r.t(lang, "report.unstable")
				}
				v += ")"
			}
			para(strings.Join(key, " · ")+": "+v, false, 8, 0)
		}
		y += 3
	}
	room(40)
	para(r.t(lang, "report.methods"), true, 12, 0)
	para(r.t(lang, "report.methods.threshold", doc.MinCount), false, size, 0)
	para(r.t(lang, "report.methods.method"), false, size, 0)
	para(r.t(lang, "report.methods.suppressed", doc.Suppressed, doc.Cells, doc.Primary, doc.Complementary), false, size, 0)
	para(r.t(lang, "report.methods.unstable", doc.UnstableBelow), false, size, 0)
	var collapsed []string
	for _, t := range doc.Tables {
		for _, c := range t.Collapsed {
			collapsed = append(collapsed, r.text(lang, "report.table."+t.Name, t.Name)+": "+r.t(lang, "report.collapsed."+strings.Fields(c)[0]))
		}
	}
	if len(collapsed) == 0 {
		para(r.t(lang, "report.methods.none_collapsed"), false, size, 0)
	}
	for _, c := range collapsed {
		para(c, false, size, 0)
	}
	para(r.t(lang, "report.methods.hash", hash), false, 8, 60)
	return d.output(w)
}

func shortLabel(s string) string {
	if r := []rune(s); len(r) > 30 {
		return string(r[:29]) + "…"
	}
	return s
}

// text is the catalog's words for key, else the definition's own.
func (r *Renderer) text(lang, key, own string) string {
	if r.cat.Has(key) {
		return r.t(lang, key)
	}
	return own
}

// category names a category as the web page does.
func (r *Renderer) category(lang, dim, c string) string { return report.Category(r.cat, lang, dim, c) }

func (r *Renderer) cellText(lang string, c report.Cell) string {
	if s, ok := report.ValueWords(r.cat, lang, c); ok {
		return s
	}
	if c.Count == nil {
		return r.t(lang, "report.suppressed")
	}
	s := report.FormatCount(c)
	if p := report.FormatPercent(c); p != "" {
		s += " (" + p + " %)"
	}
	return s
}

package web

import (
	"fmt"
	"html/template"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

// Charts are drawn on the server as inline SVG: readable without
// JavaScript, allowed by the pages' Content-Security-Policy (presentation
// attributes such as fill=, never a style attribute), scaled to the
// screen by their viewBox. Each is an image labelled by its title; the
// page puts the same numbers in a table beside it for screen readers and
// for anyone who wants the figures. A bar is told from another by its
// label written beside it, never by its colour alone.

// bar is one row of a bar chart.
type bar struct {
	Label string // what it counts, written to its left
	Value int
	Text  string // Value as the reader writes it, written to its right
	Muted bool   // drawn in the second colour: what is left, say
}

// Geometry of a bar chart, in viewBox units: each row is its label, and
// under it its bar with the value at its end, so a label has the chart's
// whole width on a phone. At 375 px wide a unit is about 0.86 px; the
// page caps a chart at 32rem (1.28 px a unit).
const (
	chartWidth  = 400
	chartValueW = 60 // room after the longest bar for its value
	chartRowH   = 46
	chartBarH   = 18
	chartPad    = 6
	chartLabelN = 44 // runes of a label before it is cut short (the table has it whole)
)

// Fills: the staff app's green (7.8:1 on white) and a grey (5.7:1): both
// above the 3:1 that graphics need, and each bar is labelled in words.
const (
	chartFill      = "#0b5d2a"
	chartFillMuted = "#5f6368"
	chartInk       = "#111111"
)

// barChart draws bars as horizontal bars scaled to scale (the largest
// value when scale is not above it), as an SVG labelled by title. id
// must be unique in the page.
func barChart(id, title string, bars []bar, scale int) template.HTML {
	for _, b := range bars {
		scale = max(scale, b.Value)
	}
	scale = max(scale, 1)
	h := len(bars)*chartRowH + 2*chartPad
	span := chartWidth - chartValueW
	var s strings.Builder
	fmt.Fprintf(&s, `<svg xmlns="http://www.w3.org/2000/svg" id="%s" class="chart-svg" role="img" aria-labelledby="%s-title" viewBox="0 0 %d %d" width="%d" height="%d" font-family="system-ui, sans-serif" font-size="15">`,
		esc(id), esc(id), chartWidth, h, chartWidth, h)
	fmt.Fprintf(&s, `<title id="%s-title">%s</title>`, esc(id), esc(title))
	for i, b := range bars {
		y := chartPad + i*chartRowH
		w := 0
		if b.Value > 0 {
			w = max(1, b.Value*span/scale)
		}
		fill := chartFill
		if b.Muted {
			fill = chartFillMuted
		}
		fmt.Fprintf(&s, `<g><text x="0" y="%d" fill="%s">%s</text>`, y+15, chartInk, esc(shorten(b.Label)))
		fmt.Fprintf(&s, `<rect x="0" y="%d" width="%d" height="%d" fill="%s"/>`, y+21, w, chartBarH, fill)
		fmt.Fprintf(&s, `<text x="%d" y="%d" fill="%s" font-weight="600">%s</text></g>`, w+6, y+21+chartBarH-4, chartInk, esc(b.Text))
	}
	s.WriteString(`</svg>`)
	return template.HTML(s.String())
}

// shorten cuts a label to chartLabelN runes, marking the cut.
func shorten(s string) string {
	if utf8.RuneCountInString(s) <= chartLabelN {
		return s
	}
	r := []rune(s)
	return strings.TrimSpace(string(r[:chartLabelN-1])) + "…"
}

// esc escapes text for an SVG's text and attributes: also valid XML.
func esc(s string) string { return template.HTMLEscapeString(s) }

// number writes n as a reader of lang does: 10,000 in English, 10.000 in
// Spanish (CLDR's grouping).
func number(lang string, n int) string {
	return message.NewPrinter(language.Make(lang)).Sprintf("%d", n)
}

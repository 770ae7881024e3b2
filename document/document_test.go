package document

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/color"
	"io"
	"strings"
	"sync"
	"testing"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/credential"
)

// rect is an area of a page, in millimetres.
type rect struct{ x, y, w, h float64 }

func (a rect) overlaps(b rect) bool {
	const eps = 0.01
	return a.x < b.x+b.w-eps && b.x < a.x+a.w-eps && a.y < b.y+b.h-eps && b.y < a.y+a.h-eps
}

func (a rect) holds(b rect) bool {
	const eps = 0.01
	return b.x >= a.x-eps && b.y >= a.y-eps && b.x+b.w <= a.x+a.w+eps && b.y+b.h <= a.y+a.h+eps
}

func (b box) rect() rect { return rect{b.x, b.y, b.w, b.h} }

// badInputs are fictional letters with the names that break layouts.
func badInputs() map[string]*Letter {
	long := "Maximiliana Alejandra de la Santísima Trinidad Ejemplo Fernández-Prueba y Supuesta" // 84 characters
	return map[string]*Letter{
		"LongNames": with(sample("es"), func(l *Letter) {
			l.ClientName, l.Member.Name = long, "Lic. "+long
			l.Organization.Name = long + " Legal Services Collaborative of the Greater Example Region"
			l.Program.Name = strings.Repeat("Programa de Cartas de Representación ", 4)
		}),
		"OneLongWord":      with(sample("es"), func(l *Letter) { l.ClientName = strings.Repeat("Ñandú", 20) }),
		"RightToLeft":      with(sample("es"), func(l *Letter) { l.ClientName, l.Member.Name = "مريم مثال", "שרה דוגמה" }),
		"Emoji":            with(sample("es"), func(l *Letter) { l.ClientName = "Lupita 🌵 Ejemplo 👩🏽‍⚖️" }),
		"CombiningAccents": with(sample("es"), func(l *Letter) { l.ClientName = "Jose\u0301 Mari\u0301a Nun\u0303ez Ejemplo" }),
		"Vietnamese":       with(sample("vi"), func(l *Letter) { l.ClientName = "Nguyễn Thị Ví Dụ" }),
		"LargeQR":          with(sample("es"), func(l *Letter) { l.QR = qrText(9, 1200) }),
	}
}

func with(l *Letter, edit func(*Letter)) *Letter { edit(l); return l }

// checkLayout checks what matters of every page of d: each QR code is at
// least least mm with its quiet zone, and nothing else is drawn in that
// square; text stays inside the area in(page, box) returns; no text is
// smaller than 3.5 points.
func checkLayout(t *testing.T, d *doc, least float64, in func(b box) (rect, bool)) {
	t.Helper()
	var qrs []box
	for _, b := range d.boxes {
		if b.kind == "qr" {
			qrs = append(qrs, b)
			n := float64(d.qrs[b.text].Modules())
			if side := b.w * n / (n + 2*credential.QRQuietZone); side < least-0.01 {
				t.Errorf("page %d: QR code %.1f mm, want at least %.0f mm", b.page, side, least)
			}
			least = min(least, 20) // the phone page's code, after the letter's
		}
	}
	if len(qrs) == 0 {
		t.Fatal("no QR code drawn")
	}
	for _, b := range d.boxes {
		for _, q := range qrs {
			if b.kind != "qr" && b.page == q.page && b.rect().overlaps(q.rect()) {
				t.Errorf("page %d: %s %q at %+v covers the QR code's square %+v", b.page, b.kind, b.text, b.rect(), q.rect())
			}
		}
		if b.kind == "mark" {
			continue
		}
		if area, ok := in(b); !ok || !area.holds(b.rect()) {
			t.Errorf("page %d: %s %q at %+v is outside %+v", b.page, b.kind, b.text, b.rect(), area)
		}
		if b.kind == "text" && b.size < 3.5 {
			t.Errorf("page %d: %q at %.2f pt", b.page, b.text, b.size)
		}
	}
}

var letterArea = rect{letterMargin, 10, LetterWidth - 2*letterMargin, LetterHeight - 22}

func inLetter(b box) (rect, bool) { return letterArea, true }

func inCard(b box) (rect, bool) {
	if b.kind == "qr" { // its blank quiet zone may go past the safe line, not past the cut
		return rect{CardBleed, CardBleed, CardWidth, CardHeight}, true
	}
	return rect{CardBleed + cardSafe, CardBleed + cardSafe, CardWidth - 2*cardSafe, CardHeight - 2*cardSafe}, true
}

func inSheet(b box) (rect, bool) {
	for i := range SheetColumns * SheetRows {
		x, y := SheetCell(i, b.page%2 == 0)
		cell := rect{x, y, CardWidth, CardHeight}
		if b.kind != "qr" {
			cell = rect{x + cardSafe, y + cardSafe, CardWidth - 2*cardSafe, CardHeight - 2*cardSafe}
		}
		if cell.holds(b.rect()) {
			return cell, true
		}
	}
	return rect{}, false
}

func TestLayout(t *testing.T) {
	r := renderer(t)
	cases := badInputs()
	cases["Sample"] = sample("es")
	cases["English"] = sample("en")
	cases["PhoneLink"] = with(sample("es"), func(l *Letter) { l.PhoneLink = "https://amparo.example.org/p/k3J9-q2Lx-77Wm" })
	cases["AccreditedRep"] = with(sample("es"), func(l *Letter) {
		l.Member = Member{Name: "Rep. Esther Muestra", Kind: amparo.MemberAccreditedRep, RecognizedOrg: "Sample Immigrant Defense Project",
			AccreditationDate: l.IssuedAt.AddDate(-2, 0, 0), Phone: "+1 213 555 0111"}
	})
	for name, l := range cases {
		t.Run(name, func(t *testing.T) {
			d, err := r.letter(l)
			if err != nil {
				t.Fatal(err)
			}
			checkLayout(t, d, LetterQRLeast, inLetter)
			if d.pdf.PageNo() != 1+len(r.clientLanguages(l)) {
				t.Errorf("%d pages", d.pdf.PageNo())
			}
			if d, err = r.card(l); err != nil {
				t.Fatal(err)
			}
			checkLayout(t, d, CardQR, inCard)
			if d, err = r.sheet([]*Letter{l, sample("en"), l}); err != nil {
				t.Fatal(err)
			}
			checkLayout(t, d, CardQR, inSheet)
		})
	}
}

func TestLayout_LongNameShrinksThenWraps(t *testing.T) {
	r := renderer(t)
	d, err := r.card(badInputs()["LongNames"])
	if err != nil {
		t.Fatal(err)
	}
	var name []box
	for _, b := range d.boxes {
		if b.page == 1 && b.kind == "text" && strings.HasPrefix(badInputs()["LongNames"].ClientName, strings.TrimSuffix(b.text, "…")) {
			name = append(name, b)
		}
	}
	if len(name) != 2 || name[0].size >= 8.5 {
		t.Fatalf("the long name takes %d lines at %.2f pt, want 2 lines, smaller than 8.5 pt", len(name), name[0].size)
	}
}

func TestCardSheet_Places(t *testing.T) {
	x, y := SheetCell(0, false)
	if fmt.Sprintf("%.2f %.2f", x, y) != "22.35 4.70" {
		t.Errorf("first card at %.2f, %.2f", x, y)
	}
	for i := range 10 {
		fx, fy := SheetCell(i, false)
		bx, by := SheetCell(i, true)
		// Flipped on the long edge, the back's x mirrors the front's.
		if fy != by || abs(fx+CardWidth+bx-LetterWidth) > 1e-9 {
			t.Errorf("card %d: front %.2f,%.2f back %.2f,%.2f", i, fx, fy, bx, by)
		}
	}
	r := renderer(t)
	d, err := r.sheet(letters(23))
	if err != nil {
		t.Fatal(err)
	}
	if d.pdf.PageNo() != 6 {
		t.Errorf("23 cards on %d pages, want 3 sheets of fronts and backs", d.pdf.PageNo())
	}
}

func TestLetter_Validate(t *testing.T) {
	l := sample("es")
	l.Member.Phone, l.Member.BarNumber, l.QR = "", " ", ""
	err := l.Validate()
	if amparo.ErrorCode(err) != amparo.EINVALID {
		t.Fatalf("got %v", err)
	}
	for _, f := range []string{"qr", "member.phone", "member.bar_number"} {
		if !strings.Contains(err.Error(), f) {
			t.Errorf("%q does not name %s", err, f)
		}
	}
	if err := r(t).Letter(io.Discard, l); err == nil {
		t.Error("a letter without phone was printed")
	}
	if err := r(t).CardSheet(io.Discard, sample("es"), l); err == nil {
		t.Error("a sheet with a letter without phone was printed")
	}
	var e *amparo.Error
	if !errors.As(err, &e) {
		t.Errorf("not an amparo.Error: %T", err)
	}
}

func r(t *testing.T) *Renderer { return renderer(t) }

func TestClean(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"Jose\u0301", "José"},                   // composed
		{"Lupita 🌵", "Lupita \uFFFD"},            // no glyph, and beyond the BMP
		{"a\u200db\u200fc\ufe0f", "abc"},         // joiners, marks, selectors
		{"tab\there", "tab here"},                // control characters
		{"Nguyễn Thị", "Nguyễn Thị"},             // Vietnamese is covered
		{"Ελένη Παράδειγμα", "Ελένη Παράδειγμα"}, // Greek
	} {
		if got := clean(tt.in); got != tt.want {
			t.Errorf("clean(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	if got := visual("Cliente: שרה דוגמה"); got != "Cliente: המגוד הרש" {
		t.Errorf("visual = %q", got)
	}
	if got := visual("María"); got != "María" {
		t.Errorf("visual(LTR) = %q", got)
	}
}

// quietZone checks in a page rendered at dpi that the QR code drawn in
// square q is at least least mm and its quiet zone all light.
func quietZone(t *testing.T, img image.Image, dpi float64, q box, n int, least float64) {
	t.Helper()
	mod := q.w / float64(n+2*credential.QRQuietZone)
	dark := func(x, y float64) bool {
		c := color.GrayModel.Convert(img.At(int(x/25.4*dpi), int(y/25.4*dpi))).(color.Gray)
		return c.Y < 128
	}
	minX, minY, maxX, maxY := q.x+q.w, q.y+q.h, q.x, q.y
	step := 25.4 / dpi
	for y := q.y + step/2; y < q.y+q.h; y += step {
		for x := q.x + step/2; x < q.x+q.w; x += step {
			if dark(x, y) {
				minX, minY, maxX, maxY = min(minX, x), min(minY, y), max(maxX, x), max(maxY, y)
			}
		}
	}
	qz := float64(credential.QRQuietZone) * mod
	if minX < q.x+qz-step || minY < q.y+qz-step || maxX > q.x+q.w-qz+step || maxY > q.y+q.h-qz+step {
		t.Errorf("dark pixels in the quiet zone: code spans %.1f–%.1f × %.1f–%.1f mm in a square %+v", minX, maxX, minY, maxY, q.rect())
	}
	if side := maxX - minX + step; side < least {
		t.Errorf("printed code %.1f mm, want at least %.0f", side, least)
	}
}

// TestRenderer_Concurrent renders from several goroutines at once, as the
// print run does: the fonts they share, parsed once, must come out whole
// in every document (run it with -race).
func TestRenderer_Concurrent(t *testing.T) {
	r := renderer(t)
	var wg sync.WaitGroup
	sizes := make([]int, 8)
	for i := range sizes {
		wg.Go(func() {
			var b bytes.Buffer
			if err := r.Letter(&b, sample([]string{"es", "en"}[i%2])); err != nil {
				t.Error(err)
			}
			sizes[i] = b.Len()
		})
	}
	wg.Wait()
	for i, n := range sizes {
		if n < 10_000 || n != sizes[i%2] {
			t.Fatalf("document %d is %d bytes; the same letter rendered alone is %d", i, n, sizes[i%2])
		}
	}
}

package document

import (
	"bytes"
	"context"
	"fmt"
	"html/template"
	"io"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/amparo-project/amparo/credential"
	"github.com/amparo-project/amparo/internal/browsertest"
)

// letters returns n sample letters, each with its own QR code, so that
// no benchmark iteration finds its code already made.
func letters(n int) []*Letter {
	var ls []*Letter
	for i := range n {
		l := sample("es")
		l.QR = qrText(uint64(i), 300)
		ls = append(ls, l)
	}
	return ls
}

// variedLetters returns n letters (at most 1,600) to distinct fictional
// people: given names and surnames of many languages, combined.
func variedLetters(n int) []*Letter {
	given := []string{"María José", "Juan Carlos", "Guadalupe", "Jesús", "Ngọc Ánh", "Thảo", "Mỹ Linh", "Đức",
		"Wojciech", "Łucja", "Ayşe", "Çağla", "Björn", "François", "Zoë", "Renée", "Iñaki", "Begoña", "Joël",
		"Anaïs", "Héctor", "Ramón", "Søren", "Ștefan", "Žaneta", "Mamadou", "Siobhán", "Ana", "Luis", "Carmen",
		"Pedro", "Rosa", "Miguel Ángel", "Lucía", "José Luis", "Fátima", "Wilson", "Marie-Ange", "Jean-Baptiste", "Kim"}
	family := []string{"Pérez Ejemplo", "García", "Hernández", "Muñoz", "Trần", "Lê", "Phạm", "Huỳnh", "Nguyễn",
		"Kowalski", "Wiśniewska", "Yılmaz", "Öztürk", "Müller", "Ibáñez", "Núñez", "Peña", "Castañeda", "Ruiz",
		"Dvořák", "Nováková", "Fernández", "Santos", "Diallo", "O'Brien", "Jean-Louis", "Pierre", "López", "Díaz",
		"Gómez", "Sánchez", "Ramírez", "Flores", "Cruz", "Reyes", "Morales", "Ortiz", "Gutiérrez", "Chávez", "Vargas"}
	rnd := rand.New(rand.NewPCG(3, 5))
	perm := rnd.Perm(len(given) * len(family))
	langs := [][]string{{"es"}, {"es"}, {"es"}, {"vi"}, {"en"}, {"es", "vi"}}
	var ls []*Letter
	for i := range n {
		l := sample("es")
		k := perm[i%len(perm)]
		l.ClientName = given[k%len(given)] + " " + family[k/len(given)]
		l.Languages = langs[rnd.IntN(len(langs))]
		l.QR = qrText(uint64(i), 300)
		ls = append(ls, l)
	}
	return ls
}

func BenchmarkLetterPDF(b *testing.B) {
	r, ls := renderer(b), letters(4*qrCacheSize)
	var n int64
	i := 0
	for b.Loop() {
		var w countWriter
		if err := r.Letter(&w, ls[i%len(ls)]); err != nil {
			b.Fatal(err)
		}
		n, i = int64(w), i+1
	}
	b.ReportMetric(float64(n), "bytes/pdf")
}

// BenchmarkLetterPDFVaried renders letters to many different fictional
// people, as a print run does: names from many languages, some with
// letters beyond Latin-1 that the fonts' shared subsets lack, client
// parts in Spanish, Vietnamese or English, each with its own QR code.
func BenchmarkLetterPDFVaried(b *testing.B) {
	r, ls := renderer(b), variedLetters(1000)
	var n, docs int64
	i := 0
	for b.Loop() {
		var w countWriter
		if err := r.Letter(&w, ls[i%len(ls)]); err != nil {
			b.Fatal(err)
		}
		n, docs, i = n+int64(w), docs+1, i+1
	}
	b.ReportMetric(float64(n)/float64(docs), "bytes/pdf")
}

// BenchmarkLetterPDFNewGlyphs is the worst case: every letter prints
// characters, here in its client's name, that no letter before printed
// together, so its font subset is made anew.
func BenchmarkLetterPDFNewGlyphs(b *testing.B) {
	r, ls := renderer(b), letters(4*qrCacheSize)
	i := 0
	for b.Loop() {
		l := *ls[i%len(ls)]
		// Two Cyrillic letters and a Greek one, for the first 24,576.
		l.ClientName = "María " + string([]rune{0x410 + rune(i%32), 0x410 + rune(i/32%32), ' ', 0x3B1 + rune(i/1024%24)})
		if err := r.Letter(io.Discard, &l); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

func BenchmarkCardPDF(b *testing.B) {
	r, ls := renderer(b), letters(4*qrCacheSize)
	i := 0
	for b.Loop() {
		if err := r.Card(io.Discard, ls[i%len(ls)]); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

func BenchmarkCardSheetPDF(b *testing.B) {
	r, ls := renderer(b), letters(10)
	for b.Loop() {
		if err := r.CardSheet(io.Discard, ls...); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLetterChromiumPrintToPDF renders the same letter the way a
// program without Amparo would: as an HTML page, printed to PDF by a warm
// headless Chromium (the browser already running, the tab already open).
// Compare its time per document with BenchmarkLetterPDF.
func BenchmarkLetterChromiumPrintToPDF(b *testing.B) {
	ctx := browsertest.Start(b, nil, chromedp.Navigate("about:blank"))
	html, err := letterHTML(renderer(b), sample("es"))
	if err != nil {
		b.Fatal(err)
	}
	print := func(ctx context.Context, t *chromedp.Target) ([]byte, error) {
		tree, err := cdp.Call(ctx, t, page.GetFrameTree, cdp.Empty{})
		if err != nil {
			return nil, err
		}
		if _, err := cdp.Call(ctx, t, page.SetDocumentContent, page.SetDocumentContentParams{FrameID: tree.FrameTree.Frame.ID, HTML: html}); err != nil {
			return nil, err
		}
		res, err := cdp.Call(ctx, t, page.PrintToPDF, page.PrintToPDFParams{PaperWidth: 8.5, PaperHeight: 11})
		return res.Data, err
	}
	pdf, err := chromedp.Run(ctx, print) // warm up
	if err != nil || !bytes.HasPrefix(pdf, []byte("%PDF")) {
		b.Fatalf("printToPDF: %v, %.20q", err, pdf)
	}
	for b.Loop() {
		if _, err := chromedp.Run(ctx, print); err != nil {
			b.Fatal(err)
		}
	}
}

// letterHTML is the letter as one HTML page with the same words, and the
// QR code as inline SVG, so that printing waits for nothing.
func letterHTML(r *Renderer, l *Letter) (string, error) {
	q, err := credential.NewQR(l.QR)
	if err != nil {
		return "", err
	}
	img := q.Image(1)
	side := img.Bounds().Dx()
	var svg strings.Builder
	fmt.Fprintf(&svg, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" width="46mm" height="46mm" shape-rendering="crispEdges"><rect width="100%%" height="100%%" fill="#fff"/><path d="`, side, side)
	for y := range side {
		for x := range side {
			if r, _, _, _ := img.At(x, y).RGBA(); r == 0 {
				fmt.Fprintf(&svg, "M%d %dh1v1h-1z", x, y)
			}
		}
	}
	svg.WriteString(`"/></svg>`)
	en, lang := "en", r.clientLanguage(l)
	var rights, steps []string
	for i := 1; i <= 7; i++ {
		rights = append(rights, r.t(lang, "kyr."+strconv.Itoa(i)))
	}
	for i := 1; i <= 4; i++ {
		steps = append(steps, r.t(lang, "letter.client.step."+strconv.Itoa(i)))
	}
	steps = append(steps, r.t(lang, "letter.client.step.5", l.Member.Phone))
	data := map[string]any{
		"Org": l.Organization, "Program": l.Program, "Date": r.date(en, l.IssuedAt),
		"To": r.t(en, "letter.to"), "Title": r.t(en, "letter.title"),
		"Body":  []string{r.t(en, "letter.represent.attorney", l.Member.Name, l.ClientName), r.t(en, "letter.silent"), r.t(en, "letter.contact", l.Member.Phone)},
		"Valid": r.t(en, "letter.valid", r.date(en, l.IssuedAt), r.date(en, l.ValidUntil)),
		"Name":  l.Member.Name, "Cred": r.t(en, "letter.credentials.attorney", l.Member.BarJurisdiction, l.Member.BarNumber),
		"Phone": r.t(en, "letter.phone", l.Member.Phone), "QR": template.HTML(svg.String()), "Scan": r.t(en, "letter.scan"),
		"ClientTitle": r.t(lang, "letter.client.title"), "What": r.t(lang, "letter.client.what", l.Member.Name, l.Organization.Name),
		"Stopped": r.t(lang, "letter.client.stopped"), "Steps": steps, "KYR": r.t(lang, "kyr.title"), "Rights": rights,
	}
	var out strings.Builder
	err = letterPage.Execute(&out, data)
	return out.String(), err
}

var letterPage = template.Must(template.New("letter").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{.Title}}</title>
<style>body{font-family:"DejaVu Sans",sans-serif;font-size:11pt;margin:0 0.5in}
h1{font-size:15pt;margin:0}.small{font-size:8.5pt;color:#555}.qr{float:right;width:46mm;text-align:center;font-size:8pt}
section{page-break-before:always}</style></head><body>
<h1>{{.Org.Name}}</h1><p class="small">{{.Program.Name}} · {{.Program.Jurisdiction}}<br>{{.Org.Phone}} · {{.Org.Email}}</p><hr>
<p style="text-align:right">{{.Date}}</p><p>{{.To}}</p><h2>{{.Title}}</h2>
{{range .Body}}<p>{{.}}</p>{{end}}<p><b>{{.Valid}}</b></p>
<div class="qr">{{.QR}}<br>{{.Scan}}</div><p>/s/ {{.Name}}</p><p><b>{{.Name}}</b><br>{{.Cred}}<br><b>{{.Phone}}</b></p>
<section><h2>{{.ClientTitle}}</h2><p>{{.What}}</p><h3>{{.Stopped}}</h3><ol>{{range .Steps}}<li>{{.}}</li>{{end}}</ol>
<h3>{{.KYR}}</h3><ul>{{range .Rights}}<li>{{.}}</li>{{end}}</ul></section></body></html>`))

type countWriter int64

func (w *countWriter) Write(p []byte) (int, error) { *w += countWriter(len(p)); return len(p), nil }

package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"golang.org/x/term"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/document"
	"github.com/amparo-project/amparo/locale"
)

// printer loads and renders letters.
type printer struct {
	r  *document.Renderer
	ld *document.Loader
}

func (m *Main) printer(ctx context.Context) (*printer, error) {
	cat, err := locale.Load()
	if err != nil {
		return nil, err
	}
	ld, err := document.NewLoader(ctx, m.DB)
	if err != nil {
		return nil, err
	}
	return &printer{r: document.New(cat), ld: ld}, nil
}

func (p *printer) load(ctx context.Context, id string) (*document.Letter, error) {
	return p.ld.Load(ctx, id)
}

// outFlag adds the required --out flag.
func outFlag(fs *flag.FlagSet, what string) *string {
	return fs.String("out", "", "write "+what+" (required; an existing file is never overwritten)")
}

func (m *Main) needOut(fs *flag.FlagSet, out string) error {
	if out == "" {
		fmt.Fprintf(m.Stderr, "amparo %s: --out is required (run amparo %s --help)\n", fs.Name(), fs.Name())
		return errUsage
	}
	return nil
}

func letterPDF(ctx context.Context, m *Main, args []string) error {
	fs := m.flags("letter pdf")
	m.dataFlags(fs)
	out := outFlag(fs, "the letter to this PDF `file`")
	id, err := m.parseID(fs, args, "the letter ID (see amparo letter list)")
	if err != nil {
		return err
	}
	if err := m.needOut(fs, *out); err != nil {
		return err
	}
	return m.render(ctx, id, *out, func(r *document.Renderer, w io.Writer, l *document.Letter) error { return r.Letter(w, l) })
}

func letterCard(ctx context.Context, m *Main, args []string) error {
	fs := m.flags("letter card")
	m.dataFlags(fs)
	out := outFlag(fs, "the wallet card to this PDF `file`")
	sheet := fs.Bool("sheet", false, "print 10 copies on a US Letter sheet, fronts then backs for duplex, instead of one card with crop marks")
	id, err := m.parseID(fs, args, "the letter ID (see amparo letter list)")
	if err != nil {
		return err
	}
	if err := m.needOut(fs, *out); err != nil {
		return err
	}
	return m.render(ctx, id, *out, func(r *document.Renderer, w io.Writer, l *document.Letter) error {
		if *sheet {
			ls := make([]*document.Letter, document.SheetColumns*document.SheetRows)
			for i := range ls {
				ls[i] = l
			}
			return r.CardSheet(w, ls...)
		}
		return r.Card(w, l)
	})
}

func (m *Main) render(ctx context.Context, id, out string, render func(*document.Renderer, io.Writer, *document.Letter) error) error {
	if err := m.open(ctx); err != nil {
		return err
	}
	ctx = system(ctx)
	p, err := m.printer(ctx)
	if err != nil {
		return err
	}
	l, err := p.load(ctx, id)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := render(p.r, &buf, l); err != nil {
		return err
	}
	return writePrivate(out, buf.Bytes())
}

func letterPrint(ctx context.Context, m *Main, args []string) error {
	fs := m.flags("letter print")
	m.dataFlags(fs)
	status := fs.String("status", string(amparo.LetterActive), "print letters in this `status`: only active letters are printed")
	org := fs.String("org", "", "only this organization's letters (`ID`)")
	out := fs.String("out", "", "write the PDFs into this `folder`, new or empty (required)")
	if err := m.parse(fs, args); err != nil {
		return err
	}
	if err := m.needOut(fs, *out); err != nil {
		return err
	}
	if amparo.LetterStatus(*status) != amparo.LetterActive {
		return amparo.Errorf(amparo.EINVALID, "status %q: only active letters are printed", *status)
	}
	if err := m.open(ctx); err != nil {
		return err
	}
	cat, err := locale.Load()
	if err != nil {
		return err
	}
	bar := newProgress(m.Stdout)
	rep, err := document.Print(system(ctx), document.New(cat), m.DB, document.PrintOptions{OrganizationID: *org, Dir: *out, Progress: bar.set})
	bar.finish()
	if err != nil {
		return err
	}
	if rep.Letters == 0 && len(rep.Failed) == 0 {
		fmt.Fprintln(m.Stdout, "No letters to print.")
		return nil
	}
	fmt.Fprintf(m.Stdout, "Printed %d letters and %d wallet cards (%d sheets of 10) in %.1f s with %d workers, into %s.\n",
		rep.Letters, rep.Cards, rep.Sheets, rep.Elapsed.Seconds(), rep.Workers, *out)
	fmt.Fprintln(m.Stdout, "Each letter is letter-ID.pdf; the cards are in cards-NNN.pdf, fronts then backs for long-edge duplex; manifest.csv says where each card is.")
	if len(rep.Failed) > 0 {
		fmt.Fprintf(m.Stdout, "%d could not be printed:\n", len(rep.Failed))
		for _, f := range rep.Failed {
			fmt.Fprintf(m.Stdout, "  %s\n", f)
		}
		return errNotValid
	}
	return nil
}

// progress draws a bar on a terminal; elsewhere it stays silent, and the
// summary says it all.
type progress struct {
	w     io.Writer
	total int
	on    bool
	mu    sync.Mutex
	last  time.Time
	shown int
	unit  string // what is counted: "letters" when empty
}

func newProgress(w io.Writer) *progress {
	f, ok := w.(*os.File)
	return &progress{w: w, on: ok && term.IsTerminal(int(f.Fd()))}
}

// set shows n done of total; safe for concurrent use.
func (p *progress) set(n, total int) {
	if !p.on {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.total = total
	if n <= p.shown || (n < p.total && time.Since(p.last) < 100*time.Millisecond) {
		return
	}
	p.shown, p.last = n, time.Now()
	const width = 40
	fill := width * n / p.total
	unit := p.unit
	if unit == "" {
		unit = "letters"
	}
	fmt.Fprintf(p.w, "\r[%s%s] %d/%d %s", strings.Repeat("#", fill), strings.Repeat(".", width-fill), n, p.total, unit)
}

func (p *progress) finish() {
	if p.on && p.shown > 0 {
		fmt.Fprintln(p.w)
	}
}

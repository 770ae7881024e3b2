package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/term"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/csvexport"
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

// cardsPerFile is how many cards one file of sheets holds: 10 sheets.
const cardsPerFile = 100

// printJob is one file to render: a letter, or a file of card sheets.
type printJob struct {
	letters []*document.Letter
	file    string
	ids     []string // letter IDs, for the report
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
	if entries, err := os.ReadDir(*out); err == nil && len(entries) > 0 {
		return fmt.Errorf("%s is not empty: print into a new or empty folder", *out)
	}
	if err := m.open(ctx); err != nil {
		return err
	}
	ctx = system(ctx)
	var ids []string
	for offset := 0; ; offset += 1000 {
		ls, n, err := m.DB.FindLetters(ctx, amparo.LetterFilter{Status: amparo.LetterActive, OrganizationID: *org, Offset: offset, Limit: 1000})
		if err != nil {
			return err
		}
		for _, l := range ls {
			ids = append(ids, l.ID)
		}
		if len(ids) >= n || len(ls) == 0 {
			break
		}
	}
	if len(ids) == 0 {
		fmt.Fprintln(m.Stdout, "No letters to print.")
		return nil
	}
	if err := os.MkdirAll(*out, 0o700); err != nil {
		return err
	}
	p, err := m.printer(ctx)
	if err != nil {
		return err
	}
	// Rendering makes short-lived garbage by the megabyte: collect less often.
	defer debug.SetGCPercent(debug.SetGCPercent(400))

	start := time.Now()
	jobs := make(chan printJob, 8)
	var failed []string // "ID: reason", never a name
	var mu sync.Mutex
	fail := func(id string, err error) {
		mu.Lock()
		failed = append(failed, id+": "+err.Error())
		mu.Unlock()
	}
	var manifest [][]string
	var loaded []string
	var done, cards atomic.Int64
	bar := newProgress(m.Stdout, len(ids))
	// One reader of the database; the renderers on every core.
	go func() {
		defer close(jobs)
		var batch []*document.Letter
		var batchIDs []string
		files := 0
		flush := func() {
			if len(batch) == 0 {
				return
			}
			files++
			name := fmt.Sprintf("cards-%03d.pdf", files)
			for i, id := range batchIDs {
				manifest = append(manifest, []string{id, "letter-" + id + ".pdf", name, fmt.Sprint(i/10*2 + 1), fmt.Sprint(i%10 + 1)})
			}
			jobs <- printJob{letters: batch, file: name, ids: batchIDs}
			batch, batchIDs = nil, nil
		}
		for _, id := range ids {
			if ctx.Err() != nil {
				return
			}
			l, err := p.load(ctx, id)
			if err != nil {
				fail(id, err)
				bar.set(int(done.Add(1)))
				continue
			}
			loaded = append(loaded, id)
			jobs <- printJob{letters: []*document.Letter{l}, file: "letter-" + id + ".pdf", ids: []string{id}}
			batch, batchIDs = append(batch, l), append(batchIDs, id)
			if len(batch) == cardsPerFile {
				flush()
			}
		}
		flush()
	}()

	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				var buf bytes.Buffer
				var err error
				if strings.HasPrefix(j.file, "cards-") {
					err = p.r.CardSheet(&buf, j.letters...)
				} else {
					err = p.r.Letter(&buf, j.letters[0])
				}
				if err == nil {
					err = writePrivate(filepath.Join(*out, j.file), buf.Bytes())
				}
				if err != nil {
					for _, id := range j.ids {
						fail(id, fmt.Errorf("%s: %w", j.file, err))
					}
				}
				if strings.HasPrefix(j.file, "cards-") {
					cards.Add(int64(len(j.letters)))
				} else {
					bar.set(int(done.Add(1)))
				}
			}
		}()
	}
	wg.Wait()
	bar.finish()
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := writeManifest(filepath.Join(*out, "manifest.csv"), manifest); err != nil {
		return err
	}
	sheets := (int(cards.Load()) + 9) / 10
	fmt.Fprintf(m.Stdout, "Printed %d letters and %d wallet cards (%d sheets of 10) in %.1f s with %d workers, into %s.\n",
		len(loaded), cards.Load(), sheets, time.Since(start).Seconds(), runtime.GOMAXPROCS(0), *out)
	fmt.Fprintln(m.Stdout, "Each letter is letter-ID.pdf; the cards are in cards-NNN.pdf, fronts then backs for long-edge duplex; manifest.csv says where each card is.")
	if len(failed) > 0 {
		fmt.Fprintf(m.Stdout, "%d could not be printed:\n", len(failed))
		for _, f := range failed {
			fmt.Fprintf(m.Stdout, "  %s\n", f)
		}
		return errNotValid
	}
	return nil
}

func writeManifest(path string, rows [][]string) error {
	var buf bytes.Buffer
	w := csvexport.NewWriter(&buf) // every CSV Amparo writes is safe to open in a spreadsheet
	w.Write([]string{"letter_id", "letter_file", "card_file", "card_page", "card_position"})
	if err := w.WriteAll(rows); err != nil {
		return err
	}
	return writePrivate(path, buf.Bytes())
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
}

func newProgress(w io.Writer, total int) *progress {
	f, ok := w.(*os.File)
	return &progress{w: w, total: total, on: ok && term.IsTerminal(int(f.Fd()))}
}

func (p *progress) set(n int) {
	if !p.on {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if n <= p.shown || (n < p.total && time.Since(p.last) < 100*time.Millisecond) {
		return
	}
	p.shown, p.last = n, time.Now()
	const width = 40
	fill := width * n / p.total
	fmt.Fprintf(p.w, "\r[%s%s] %d/%d letters", strings.Repeat("#", fill), strings.Repeat(".", width-fill), n, p.total)
}

func (p *progress) finish() {
	if p.on && p.shown > 0 {
		fmt.Fprintln(p.w)
	}
}

package document

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/csvexport"
	"github.com/amparo-project/amparo/internal/safefile"
)

// A print run: every active letter (of one organization, or of all) as
// letter-ID.pdf, their wallet cards on sheets of ten in files of
// CardsPerFile (cards-NNN.pdf, fronts then backs for long-edge duplex), and
// manifest.csv saying where each card is. One reader loads letters from
// the store while a renderer on every core draws them.

// CardsPerFile is how many cards one file of sheets holds: 10 sheets.
const CardsPerFile = 100

// PrintOptions say what a print run prints, and where.
type PrintOptions struct {
	OrganizationID string // only this organization's letters; "" for all
	Dir            string // a new or empty folder; made if missing
	Workers        int    // renderers at once; 0 for GOMAXPROCS
	// Progress, if set, is called as letters are done (printed or
	// failed), from several goroutines.
	Progress func(done, total int)
}

// PrintReport is what a print run did.
type PrintReport struct {
	Letters int // letters printed
	Cards   int // wallet cards printed
	Sheets  int // sheets of ten the cards fill
	Workers int
	Elapsed time.Duration
	// Failed lists the letters not printed, each "ID: reason", never a
	// name.
	Failed []string
}

// printJob is one file to render: a letter, or a file of card sheets.
type printJob struct {
	letters []*Letter
	file    string
	ids     []string // letter IDs, for the report
	cards   bool
}

// Print runs a print run, reading letters from src as the context's
// actor. A letter that fails to load or render is reported in Failed and
// the run goes on; an error is returned for a folder that is not empty,
// the store's failures to list letters, and a cancelled context.
func Print(ctx context.Context, r *Renderer, src Source, opt PrintOptions) (*PrintReport, error) {
	if entries, err := os.ReadDir(opt.Dir); err == nil && len(entries) > 0 {
		return nil, fmt.Errorf("%s is not empty: print into a new or empty folder", opt.Dir)
	}
	ids, err := activeLetterIDs(ctx, src, opt.OrganizationID)
	if err != nil {
		return nil, err
	}
	workers := opt.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	rep := &PrintReport{Workers: workers}
	if len(ids) == 0 {
		return rep, nil
	}
	if err := os.MkdirAll(opt.Dir, 0o700); err != nil {
		return nil, err
	}
	ld, err := NewLoader(ctx, src)
	if err != nil {
		return nil, err
	}
	progress := opt.Progress
	if progress == nil {
		progress = func(int, int) {}
	}
	// Rendering makes short-lived garbage by the megabyte: collect less often.
	defer debug.SetGCPercent(debug.SetGCPercent(400))

	start := time.Now()
	jobs := make(chan printJob, 8)
	var mu sync.Mutex
	fail := func(id string, err error) {
		mu.Lock()
		rep.Failed = append(rep.Failed, id+": "+err.Error())
		mu.Unlock()
	}
	var manifest [][]string
	var loaded int
	var done, cards atomic.Int64
	// One reader of the database; the renderers on every core.
	go func() {
		defer close(jobs)
		var batch []*Letter
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
			jobs <- printJob{letters: batch, file: name, ids: batchIDs, cards: true}
			batch, batchIDs = nil, nil
		}
		for _, id := range ids {
			if ctx.Err() != nil {
				return
			}
			l, err := ld.Load(ctx, id)
			if err != nil {
				fail(id, err)
				progress(int(done.Add(1)), len(ids))
				continue
			}
			loaded++
			jobs <- printJob{letters: []*Letter{l}, file: "letter-" + id + ".pdf", ids: []string{id}}
			batch, batchIDs = append(batch, l), append(batchIDs, id)
			if len(batch) == CardsPerFile {
				flush()
			}
		}
		flush()
	}()

	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				var buf bytes.Buffer
				var err error
				if j.cards {
					err = r.CardSheet(&buf, j.letters...)
				} else {
					err = r.Letter(&buf, j.letters[0])
				}
				if err == nil {
					err = safefile.WriteNew(filepath.Join(opt.Dir, j.file), buf.Bytes(), 0o600)
				}
				if err != nil {
					for _, id := range j.ids {
						fail(id, fmt.Errorf("%s: %w", j.file, err))
					}
				}
				if j.cards {
					cards.Add(int64(len(j.letters)))
				} else {
					progress(int(done.Add(1)), len(ids))
				}
			}
		}()
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := writeManifest(filepath.Join(opt.Dir, "manifest.csv"), manifest); err != nil {
		return nil, err
	}
	rep.Letters, rep.Cards = loaded, int(cards.Load())
	rep.Sheets = (rep.Cards + 9) / 10
	rep.Elapsed = time.Since(start)
	return rep, nil
}

// activeLetterIDs lists the IDs of the active letters of orgID, or of all.
func activeLetterIDs(ctx context.Context, src Source, orgID string) ([]string, error) {
	var ids []string
	for offset := 0; ; offset += 1000 {
		ls, n, err := src.FindLetters(ctx, amparo.LetterFilter{Status: amparo.LetterActive, OrganizationID: orgID, Offset: offset, Limit: 1000})
		if err != nil {
			return nil, err
		}
		for _, l := range ls {
			ids = append(ids, l.ID)
		}
		if len(ids) >= n || len(ls) == 0 {
			return ids, nil
		}
	}
}

func writeManifest(path string, rows [][]string) error {
	var buf bytes.Buffer
	w := csvexport.NewWriter(&buf) // every CSV Amparo writes is safe to open in a spreadsheet
	w.Write([]string{"letter_id", "letter_file", "card_file", "card_page", "card_position"})
	if err := w.WriteAll(rows); err != nil {
		return err
	}
	return safefile.WriteNew(path, buf.Bytes(), 0o600)
}

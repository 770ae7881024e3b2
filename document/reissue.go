package document

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/internal/safefile"
)

// The move to credential version 2: every active letter of version 1
// reissued as version 2 (LetterService.ReissueLetter), and the new
// letters' wallet cards in one PDF of sheets of ten, to print and hand to
// the clients. The old cards keep verifying until their own dates.

// ReissueOptions say what a reissue of version 1 letters does.
type ReissueOptions struct {
	OrganizationID string // only this organization's letters; "" for all
	// DryRun counts the letters a reissue would reissue, and changes and
	// writes nothing.
	DryRun bool
	// Cards is the PDF the new cards are written to: a new file, in an
	// existing folder (required unless DryRun).
	Cards string
	// Progress, if set, is called as letters are done (reissued or
	// failed).
	Progress func(done, total int)
}

// ReissueReport is what a reissue did.
type ReissueReport struct {
	Found    int      // active version 1 letters
	Reissued []string // the new letters' IDs, in the order of their cards
	Cards    int      // wallet cards written to Cards
	Sheets   int      // sheets of ten they fill
	// Failed lists the letters not reissued, or reissued but whose card
	// was not written, each "ID: reason", never a name.
	Failed []string
}

// ReissueV1 reissues every active version 1 letter as version 2, as the
// context's actor, and writes the new letters' cards to opt.Cards. A
// letter that fails is reported in Failed and the run goes on; run again,
// it finds only the letters still of version 1. An error is returned for a
// Cards file that exists or cannot be made, the store's failures to list
// letters, and a cancelled context.
func ReissueV1(ctx context.Context, r *Renderer, src Source, opt ReissueOptions) (*ReissueReport, error) {
	if !opt.DryRun {
		if opt.Cards == "" {
			return nil, amparo.Invalid("cards", "a file for the new wallet cards is required")
		}
		if _, err := os.Lstat(opt.Cards); err == nil {
			return nil, fmt.Errorf("cannot write %s: it exists (an existing file is never overwritten)", opt.Cards)
		}
		if fi, err := os.Stat(filepath.Dir(opt.Cards)); err != nil || !fi.IsDir() {
			return nil, fmt.Errorf("cannot write %s: no folder %s", opt.Cards, filepath.Dir(opt.Cards))
		}
	}
	ids, err := letterIDs(ctx, src, amparo.LetterFilter{Status: amparo.LetterActive, CredentialVersion: 1, OrganizationID: opt.OrganizationID, Sort: "issued"})
	if err != nil {
		return nil, err
	}
	rep := &ReissueReport{Found: len(ids)}
	if opt.DryRun || len(ids) == 0 {
		return rep, nil
	}
	ld, err := NewLoader(ctx, src)
	if err != nil {
		return nil, err
	}
	progress := opt.Progress
	if progress == nil {
		progress = func(int, int) {}
	}
	var cards []*Letter
	for i, id := range ids {
		if err := ctx.Err(); err != nil {
			return rep, err
		}
		next, err := src.ReissueLetter(ctx, id)
		if err != nil {
			rep.Failed = append(rep.Failed, id+": "+err.Error())
		} else {
			rep.Reissued = append(rep.Reissued, next.ID)
			if l, err := ld.Load(ctx, next.ID); err != nil {
				rep.Failed = append(rep.Failed, next.ID+": reissued, but its card: "+err.Error())
			} else {
				cards = append(cards, l)
			}
		}
		progress(i+1, len(ids))
	}
	if len(cards) == 0 {
		return rep, nil
	}
	var buf bytes.Buffer
	if err := r.CardSheet(&buf, cards...); err != nil {
		return rep, fmt.Errorf("the letters are reissued, but their cards could not be drawn (print them with amparo letter print): %w", err)
	}
	if err := safefile.WriteNew(opt.Cards, buf.Bytes(), 0o600); err != nil {
		return rep, fmt.Errorf("the letters are reissued, but their cards could not be written (print them with amparo letter print): %w", err)
	}
	rep.Cards, rep.Sheets = len(cards), (len(cards)+SheetColumns*SheetRows-1)/(SheetColumns*SheetRows)
	return rep, nil
}

// letterIDs lists the IDs of the letters f selects, a thousand at a time.
func letterIDs(ctx context.Context, src Source, f amparo.LetterFilter) ([]string, error) {
	var ids []string
	for offset := 0; ; offset += 1000 {
		f.Offset, f.Limit = offset, 1000
		ls, n, err := src.FindLetters(ctx, f)
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

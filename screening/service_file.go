package screening

import (
	"context"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/csvexport"
)

// FileRun is a vendor file being screened for the web app, as its page
// reads it: how many of its vendors are screened, and when finished the
// report, or Failed when the store refused the run (its error is
// returned by FindFileRun's caller through Err).
type FileRun struct {
	ID       string
	Done     int
	Total    int
	Finished bool
	Report   *FileReport
	Err      error
	Started  time.Time
	owner    string
	ended    time.Time
}

// fileRuns are the runs of this process. They live in memory only: a run
// is what one officer waits for on one page, and its screenings are in
// the store, recorded all or none, once it finishes; a run lost to a
// restart has recorded nothing (its vendors are stored) and is uploaded
// again.
type fileRuns struct {
	mu   sync.Mutex
	runs map[string]*FileRun
}

// fileRunKept is how long a finished run's results stay downloadable.
const fileRunKept = time.Hour

// StartFile reads a vendor CSV now (a whole-file problem, or bad rows
// unless opt.Partial, are returned as ScreenFile returns them) and
// screens its vendors in the background, as ScreenFile does, for the
// actor in ctx. It returns the run's ID, for FindFileRun.
func (s *Service) StartFile(ctx context.Context, r io.Reader, opt ImportOptions) (string, error) {
	vs, errs, err := ReadVendorsCSV(r, opt)
	if err != nil {
		return "", err
	}
	actor, _ := amparo.ActorFromContext(ctx)
	run := &FileRun{ID: amparo.NewID(), Total: len(vs), Started: s.now(), owner: actor.ID}
	s.runs.mu.Lock()
	if s.runs.runs == nil {
		s.runs.runs = map[string]*FileRun{}
	}
	for id, old := range s.runs.runs {
		if old.Finished && s.now().Sub(old.ended) > fileRunKept {
			delete(s.runs.runs, id)
		}
	}
	s.runs.runs[run.ID] = run
	s.runs.mu.Unlock()
	bg := context.WithoutCancel(ctx) // the upload's request ends; the run goes on
	go func() {
		rep, err := s.screenRead(bg, vs, errs, func(done, total int) {
			s.runs.mu.Lock()
			run.Done, run.Total = done, total
			s.runs.mu.Unlock()
		})
		s.runs.mu.Lock()
		defer s.runs.mu.Unlock()
		run.Finished, run.Report, run.Err, run.ended = true, rep, err, s.now()
		if err == nil {
			run.Done = run.Total
		}
	}()
	return run.ID, nil
}

// FindFileRun returns a copy of a run as it stands, for the actor who
// started it. ENOTFOUND for another's, or one forgotten (an hour after it
// finished, or at a restart).
func (s *Service) FindFileRun(ctx context.Context, id string) (*FileRun, error) {
	actor, _ := amparo.ActorFromContext(ctx)
	s.runs.mu.Lock()
	defer s.runs.mu.Unlock()
	run, ok := s.runs.runs[id]
	if !ok || run.owner != actor.ID || actor.ID == "" {
		return nil, amparo.Errorf(amparo.ENOTFOUND, "no such screening run").Localize("screen.web.run.not_found")
	}
	c := *run
	return &c, nil
}

// ResultColumns are the results CSV's columns: one row per hit, or one
// row for a vendor without any. affidavit is what the vendor's affidavit
// declares (none, work; empty if it filed none), contradiction where the
// registry says otherwise.
var ResultColumns = []string{"vendor", "vendor_id", "entity", "entity_name", "score", "decision", "explanation", "policy", "affidavit",
	"contradiction", "reviewed", "screening", "result_sha256"}

// WriteResultsCSV writes reports as the results CSV, every cell
// neutralized against spreadsheet formulas (a vendor's name is outside
// input); text puts a message in the reader's language.
func WriteResultsCSV(w io.Writer, reports []*Report, text func(amparo.Msg) string) error {
	cw := csvexport.NewWriter(w)
	if err := cw.Write(ResultColumns); err != nil {
		return err
	}
	join := func(ms []amparo.Msg) string {
		out := make([]string, len(ms))
		for i, m := range ms {
			out[i] = text(m)
		}
		return strings.Join(out, "; ")
	}
	for _, r := range reports {
		o, sc := r.Outcome, r.Screening
		if len(o.Hits) == 0 {
			if err := cw.Write([]string{o.Vendor.Names[0], sc.VendorID, "", "", "", MatchNo.String(), "", "", o.Affidavit, "", "", sc.ID, sc.ResultHash}); err != nil {
				return err
			}
		}
		for i, h := range o.Hits {
			var features, policy []amparo.Msg
			for _, f := range h.Result.Features {
				features = append(features, amparo.Msg{Key: f.Key, Args: f.Args})
			}
			for _, f := range h.Findings {
				policy = append(policy, f.Summary)
			}
			reviewed := ""
			if i < len(r.Decisions) && r.Decisions[i].Reused {
				reviewed = string(r.Decisions[i].Decision.Verdict)
			}
			if err := cw.Write([]string{o.Vendor.Names[0], sc.VendorID, h.EntityID, h.EntityName, fmt.Sprintf("%.2f", h.Result.Score),
				h.Result.Decision.String(), join(features), join(policy), o.Affidavit, join(h.Contradictions), reviewed, sc.ID, sc.ResultHash}); err != nil {
				return err
			}
		}
	}
	return cw.Flush()
}

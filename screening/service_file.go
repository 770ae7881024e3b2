package screening

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/csvexport"
)

// FileRun is a vendor file being screened for the web app, as its page
// reads it: how many of its vendors are screened, and when finished the
// report, or Err when the run was refused (a vendor the store would not
// take, say).
type FileRun struct {
	ID       string
	Done     int
	Total    int
	Finished bool
	Report   *FileReport
	Err      error
	Started  time.Time
}

// StartFile reads a vendor CSV now (a whole-file problem, or bad rows
// unless opt.Partial, are returned as ScreenFile returns them), stores its
// vendors and a run with the job that screens them, as ScreenFile does,
// for the actor in ctx. It returns the run's ID, for FindFileRun. The run
// is in the database: any server process answers FindFileRun, and a run
// interrupted by a crash is taken up again by its job's retry.
func (s *Service) StartFile(ctx context.Context, r io.Reader, opt ImportOptions) (string, error) {
	vs, errs, err := ReadVendorsCSV(r, opt)
	if err != nil {
		return "", err
	}
	if vs, err = s.knownVendors(ctx, vs); err != nil {
		return "", err
	}
	problems, err := json.Marshal(storedProblems(errs))
	if err != nil {
		return "", err
	}
	run := &amparo.ScreeningRun{Problems: problems}
	if err := s.Store.StartScreeningRun(ctx, run, vs); err != nil {
		return "", err
	}
	return run.ID, nil
}

// FindFileRun returns a run as it stands, for the actor who started it,
// with its report once finished. ENOTFOUND for another's, or one deleted
// (amparo.ScreeningRunKept after it finished).
func (s *Service) FindFileRun(ctx context.Context, id string) (*FileRun, error) {
	actor, _ := amparo.ActorFromContext(ctx)
	run, err := s.Store.FindScreeningRun(ctx, id)
	if err != nil {
		return nil, err
	}
	if run.OwnerID != actor.ID || actor.ID == "" {
		return nil, amparo.Errorf(amparo.ENOTFOUND, "no such screening run").Localize("screen.web.run.not_found")
	}
	fr := &FileRun{ID: run.ID, Done: run.Done, Total: run.Total, Finished: run.Finished(), Started: run.StartedAt}
	if !fr.Finished {
		return fr, nil
	}
	if run.Failure != nil {
		var f storedError
		if err := json.Unmarshal(run.Failure, &f); err != nil {
			return nil, err
		}
		fr.Err = f.error()
		return fr, nil
	}
	var ps []storedProblem
	if err := json.Unmarshal(run.Problems, &ps); err != nil {
		return nil, err
	}
	rep := &FileReport{}
	for _, p := range ps {
		rep.Errors = append(rep.Errors, &ImportError{Line: p.Line, Column: p.Column, Header: p.Header, Key: p.Key, Args: argsOf(p.Args)})
	}
	scs, err := s.Store.FindScreenings(ctx, run.ScreeningIDs)
	if err != nil {
		return nil, err
	}
	ds, err := s.Store.HitDecisions(ctx, run.VendorIDs)
	if err != nil {
		return nil, err
	}
	for _, sc := range scs {
		var o Outcome
		if err := json.Unmarshal(sc.Results, &o); err != nil {
			return nil, err
		}
		rep.Reports = append(rep.Reports, &Report{Screening: sc, Outcome: &o, Decisions: review(&o, ds[sc.VendorID])})
	}
	fr.Report = rep
	return fr, nil
}

// fileProgressEvery is how often a run's progress is written while it
// screens: often enough for its page, seldom enough not to slow it.
const fileProgressEvery = 250 * time.Millisecond

// FileJob is the handler of amparo.JobScreenFile: it screens a run's
// vendors and records the screenings with the run's end, all or none,
// once. It acts for the officer who uploaded the file (the screenings'
// author). A run already finished (an earlier attempt got there) is left
// alone; one refused for good (an error with a code: a vendor gone, the
// officer's rights) ends with that failure; any other error is returned,
// and the job retries the whole run, which has recorded nothing. On the
// job's last attempt such an error ends the run too, as a failure inside
// the server: its page stops waiting and says to try again.
func (s *Service) FileJob(ctx context.Context, args []byte) error {
	var a struct {
		Run string `json:"run"`
	}
	if err := json.Unmarshal(args, &a); err != nil || a.Run == "" {
		return fmt.Errorf("screening job: bad arguments: %v", err)
	}
	run, err := s.Store.FindScreeningRun(ctx, a.Run)
	if amparo.ErrorCode(err) == amparo.ENOTFOUND {
		return nil // deleted after its retention: nothing is waiting for it
	} else if err != nil {
		return err
	}
	if run.Finished() {
		return nil
	}
	octx := amparo.NewContextWithActor(ctx, amparo.Actor{ID: run.OwnerID, Role: amparo.RoleProcurement, OrganizationID: run.OrganizationID})
	screenings, err := s.screenRun(octx, run)
	if err == nil {
		_, err = s.Store.FinishScreeningRun(octx, run.ID, screenings, nil)
	}
	if err == nil {
		return nil
	}
	var e *amparo.Error
	refused := errors.As(err, &e) && e.Code != amparo.EINTERNAL
	switch {
	case refused:
	case amparo.LastAttempt(ctx):
		// Not the error's text: it stays in the job's record, for the
		// administrator; the officer's page is told the server failed.
		e = amparo.Errorf(amparo.EINTERNAL, "the screening of a file stopped after its last attempt")
	default:
		return err // the job retries the whole run
	}
	failure, merr := json.Marshal(storedErrorOf(e))
	if merr != nil {
		return merr
	}
	if _, ferr := s.Store.FinishScreeningRun(ctx, run.ID, nil, failure); ferr != nil || refused {
		return ferr
	}
	return err // the job's last failure, recorded for the administrator
}

// screenRun screens a run's vendors, writing its progress now and then,
// and returns the screenings, not yet recorded.
func (s *Service) screenRun(ctx context.Context, run *amparo.ScreeningRun) ([]*amparo.Screening, error) {
	vs, err := s.Store.ScreeningRunVendors(ctx, run.ID)
	if err != nil {
		return nil, err
	}
	declared, err := s.fileDeclarations(ctx, vs)
	if err != nil {
		return nil, err
	}
	last := s.now()
	_, screenings, err := s.prepareScreenings(ctx, vs, declared, func(done, total int) {
		if now := s.now(); done < total && now.Sub(last) >= fileProgressEvery {
			last = now
			// Best effort: the page shows the progress; the run goes on
			// without it.
			_ = s.Store.ScreeningRunProgress(ctx, run.ID, done)
		}
	})
	return screenings, err
}

// A problem of a file as a run keeps it: its arguments typed, so that they
// read back as they were (a number stays a number, a message a message).
type storedProblem struct {
	Line, Column int
	Header, Key  string
	Args         []storedArg `json:",omitempty"`
}

type storedArg struct {
	S *string    `json:",omitempty"`
	I *int64     `json:",omitempty"`
	F *float64   `json:",omitempty"`
	M *storedMsg `json:",omitempty"`
}

type storedMsg struct {
	Key  string
	Args []storedArg `json:",omitempty"`
}

func storedArgs(args []any) []storedArg {
	out := make([]storedArg, len(args))
	for i, a := range args {
		switch v := a.(type) {
		case string:
			out[i].S = &v
		case int:
			n := int64(v)
			out[i].I = &n
		case int64:
			out[i].I = &v
		case float64:
			out[i].F = &v
		case amparo.Msg:
			out[i].M = &storedMsg{Key: v.Key, Args: storedArgs(v.Args)}
		default:
			s := fmt.Sprint(v)
			out[i].S = &s
		}
	}
	return out
}

func argsOf(as []storedArg) []any {
	out := make([]any, len(as))
	for i, a := range as {
		switch {
		case a.S != nil:
			out[i] = *a.S
		case a.I != nil:
			out[i] = int(*a.I)
		case a.F != nil:
			out[i] = *a.F
		case a.M != nil:
			out[i] = amparo.Msg{Key: a.M.Key, Args: argsOf(a.M.Args)}
		default:
			out[i] = ""
		}
	}
	return out
}

func storedProblems(errs ImportErrorList) []storedProblem {
	out := make([]storedProblem, len(errs))
	for i, e := range errs {
		out[i] = storedProblem{Line: e.Line, Column: e.Column, Header: e.Header, Key: e.Key, Args: storedArgs(e.Args)}
	}
	return out
}

// storedError is a run's failure as it keeps it.
type storedError struct {
	Code, Field, Message, Key string
	Args                      []storedArg `json:",omitempty"`
}

func storedErrorOf(e *amparo.Error) storedError {
	return storedError{Code: e.Code, Field: e.Field, Message: e.Message, Key: e.Key, Args: storedArgs(e.Args)}
}

func (e storedError) error() error {
	return &amparo.Error{Code: e.Code, Field: e.Field, Message: e.Message, Key: e.Key, Args: argsOf(e.Args)}
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

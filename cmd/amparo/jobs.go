package main

import (
	"context"
	"fmt"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/jobs"
)

// The job queue: what the server processes run after a request (and on
// the hour), for the operator to see and retry.

func runJobs(ctx context.Context, m *Main, args []string) error {
	return m.dispatch(ctx, args, map[string]sub{
		"list":  {"[--state STATE] [--kind KIND] [--json]", "list the jobs, newest first, with their state and last error", jobsList},
		"retry": {"ID", "run a failed job again, with a fresh set of attempts", jobsRetry},
	})
}

// jobJSON is a job as `jobs list --json` prints it.
type jobJSON struct {
	ID          string    `json:"id"`
	Kind        string    `json:"kind"`
	State       string    `json:"state"`
	Attempt     int       `json:"attempt"`
	MaxAttempts int       `json:"max_attempts"`
	RunAt       time.Time `json:"run_at"`
	LockedBy    string    `json:"locked_by,omitempty"`
	LastError   string    `json:"last_error,omitempty"`
	CreatedAt   time.Time `json:"created_at"`
}

func jobsList(ctx context.Context, m *Main, args []string) error {
	fs := m.flags("jobs list")
	m.dataFlags(fs)
	state := fs.String("state", "", "only jobs in `STATE`: pending, running, done or failed")
	kind := fs.String("kind", "", "only jobs of `KIND`")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := m.parse(fs, args); err != nil {
		return err
	}
	switch amparo.JobState(*state) {
	case "", amparo.JobPending, amparo.JobRunning, amparo.JobDone, amparo.JobFailed:
	default:
		return fmt.Errorf("--state %q: use pending, running, done or failed", *state)
	}
	if err := m.open(ctx); err != nil {
		return err
	}
	// Every job, a page at a time: the list is never cut short.
	js, err := allPages(500, func(offset, limit int) ([]*amparo.Job, int, error) {
		return m.DB.FindJobs(system(ctx), amparo.JobFilter{State: amparo.JobState(*state), Kind: *kind, Offset: offset, Limit: limit})
	})
	if err != nil {
		return err
	}
	all := []jobJSON{}
	for _, j := range js {
		all = append(all, jobJSON{j.ID, j.Kind, string(j.State), j.Attempt, j.MaxAttempts, j.RunAt, j.LockedBy, j.LastError, j.CreatedAt})
	}
	if *asJSON {
		return m.printJSON(all)
	}
	if len(all) == 0 {
		fmt.Fprintln(m.Stdout, "No jobs.")
		return nil
	}
	tw := tabwriter.NewWriter(m.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tKIND\tSTATE\tATTEMPT\tRUN AT\tLAST ERROR")
	for _, j := range all {
		last, _, _ := strings.Cut(j.LastError, "\n")
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d/%d\t%s\t%s\n", j.ID, j.Kind, j.State, j.Attempt, j.MaxAttempts, j.RunAt.Local().Format("2006-01-02 15:04"), last)
	}
	tw.Flush()
	fmt.Fprintf(m.Stdout, "%d jobs.\n", len(all))
	return nil
}

func jobsRetry(ctx context.Context, m *Main, args []string) error {
	fs := m.flags("jobs retry")
	m.dataFlags(fs)
	id, err := m.parseID(fs, args, "a job ID")
	if err != nil {
		return err
	}
	if err := m.open(ctx); err != nil {
		return err
	}
	if err := m.DB.RetryJob(system(ctx), id); err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "Job %s will run again now.\n", id)
	return nil
}

// Periodic jobs: re-signing status lists older than a day (so verifiers
// can tell fresh revocation data from stale), marking letters past their
// date expired, and pruning the limiters' day-old entries, each once an
// hour however many processes serve.
const (
	jobRefreshStatusLists = "status_lists.refresh"
	jobExpireLetters      = "letters.expire"
	jobPruneLimits        = "limits.prune"
	// Workshops whose retention ended have their attendees' details
	// erased, keeping counts; each erasure is audited with its counts.
	jobForgetWorkshops = "workshops.forget"
)

// runner is the job runner of a serving process.
// jobLease is AMPARO_JOB_LEASE: how long a claimed job is its process's,
// shortened for tests and drills that stop a process holding one; 0 for
// the runner's default (5 minutes).
func (m *Main) jobLease() (time.Duration, error) {
	v := m.Getenv("AMPARO_JOB_LEASE")
	if v == "" {
		return 0, nil
	}
	lease, err := time.ParseDuration(v)
	if err != nil || lease < time.Second {
		return 0, fmt.Errorf("AMPARO_JOB_LEASE=%q is not a duration of a second or more, such as 30s: unset it for the default of 5 minutes", v)
	}
	return lease, nil
}

func (m *Main) runner() (*jobs.Runner, error) {
	host, _ := os.Hostname()
	lease, err := m.jobLease()
	if err != nil {
		return nil, err
	}
	r := &jobs.Runner{Store: m.DB, Worker: fmt.Sprintf("%s-%d-%s", host, os.Getpid(), amparo.NewID()[:6]), Logger: m.Logger, Lease: lease,
		Periodic: []jobs.Periodic{{Kind: jobRefreshStatusLists, Every: time.Hour}, {Kind: jobExpireLetters, Every: time.Hour},
			{Kind: jobPruneLimits, Every: time.Hour}, {Kind: jobForgetWorkshops, Every: time.Hour}},
		Handlers: map[string]jobs.Handler{
			jobRefreshStatusLists: func(ctx context.Context, _ []byte) error {
				n, err := m.DB.RefreshStatusLists(system(ctx), 24*time.Hour)
				if n > 0 {
					m.Logger.Info("status lists re-signed", "count", n)
				}
				return err
			},
			// The sign-in and intake limits forget after a day.
			jobPruneLimits: func(ctx context.Context, _ []byte) error {
				_, err := m.DB.PruneLimits(system(ctx), time.Now().Add(-24*time.Hour))
				return err
			},
			jobForgetWorkshops: func(ctx context.Context, _ []byte) error { return m.forgetDueWorkshops(ctx) },
			jobExpireLetters: func(ctx context.Context, _ []byte) error {
				n, err := m.DB.ExpireLetters(system(ctx), time.Now())
				if n > 0 {
					m.Logger.Info("letters expired", "count", n)
				}
				return err
			},
		}}
	m.messageJobs(r)
	return r, nil
}

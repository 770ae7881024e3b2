// Package jobs runs the durable job queue's work in every server process:
// each due job once (at least once, and handlers make a second run
// harmless), retried with backoff, and periodic jobs once per period
// however many processes run.
//
// It must never import a database or HTTP package: the queue is an
// amparo.JobService.
package jobs

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"runtime/debug"
	"slices"
	"sync"
	"time"

	"github.com/amparo-project/amparo"
)

// Handler does one job, described by its arguments (JSON). An error makes
// the job run again later.
type Handler func(ctx context.Context, args []byte) error

// Periodic is a job enqueued once per period: its unique key names the
// period, so the first process to enqueue it wins and the others' tries
// do nothing.
type Periodic struct {
	Kind  string
	Every time.Duration
}

// Runner claims and runs jobs. Set Store, Worker (unique to the process)
// and Handlers; the rest have defaults.
type Runner struct {
	Store    amparo.JobService
	Worker   string
	Handlers map[string]Handler
	Periodic []Periodic
	Logger   *slog.Logger
	Poll     time.Duration // how often to look for due jobs (1 s)
	Lease    time.Duration // how long a claimed job is the worker's (5 min)
	Batch    int           // jobs claimed at once (10)
	// Concurrency is how many claimed jobs run at once (1): messages wait
	// mostly on their provider, so a fan-out runs them side by side.
	Concurrency int
	Now         func() time.Time

	wakeOnce sync.Once
	wake     chan struct{}
}

// wakeup is the channel Wake signals, made once.
func (r *Runner) wakeup() chan struct{} {
	r.wakeOnce.Do(func() { r.wake = make(chan struct{}, 1) })
	return r.wake
}

// Wake makes a running Run look for due jobs now rather than at its next
// poll: a job was just committed (a message to send). It never blocks;
// wakes while the runner is busy make one more look.
func (r *Runner) Wake() {
	select {
	case r.wakeup() <- struct{}{}:
	default:
	}
}

func (r *Runner) defaults() {
	if r.Poll <= 0 {
		r.Poll = time.Second
	}
	if r.Lease <= 0 {
		r.Lease = 5 * time.Minute
	}
	if r.Batch <= 0 {
		r.Batch = 10
	}
	if r.Now == nil {
		r.Now = time.Now
	}
	if r.Logger == nil {
		r.Logger = slog.New(slog.DiscardHandler)
	}
}

// Run runs jobs until ctx ends.
func (r *Runner) Run(ctx context.Context) {
	r.defaults()
	for {
		n, err := r.Tick(ctx)
		if err != nil && ctx.Err() == nil {
			r.Logger.Error("job queue", "err", err)
		}
		if n == r.Batch {
			continue // more may be waiting
		}
		t := time.NewTimer(r.Poll)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		case <-r.wakeup():
			t.Stop()
		}
	}
}

// Tick enqueues the periodic jobs of the current periods, then claims and
// runs one batch of due jobs. It returns how many it ran.
func (r *Runner) Tick(ctx context.Context) (int, error) {
	r.defaults()
	ctx = amparo.NewContextWithActor(ctx, amparo.SystemActor)
	now := r.Now()
	for _, p := range r.Periodic {
		start := now.Truncate(p.Every).UTC()
		if _, err := r.Store.EnqueueJob(ctx, &amparo.Job{Kind: p.Kind, RunAt: start, MaxAttempts: 3,
			UniqueKey: p.Kind + "@" + start.Format(time.RFC3339)}); err != nil {
			return 0, fmt.Errorf("enqueue %s: %w", p.Kind, err)
		}
	}
	kinds := make([]string, 0, len(r.Handlers))
	for k := range r.Handlers {
		kinds = append(kinds, k)
	}
	slices.Sort(kinds)
	claimed, err := r.Store.ClaimJobs(ctx, r.Worker, kinds, r.Batch, r.Lease)
	if err != nil {
		return 0, err
	}
	if r.Concurrency <= 1 {
		for _, j := range claimed {
			r.run(ctx, j)
		}
		return len(claimed), nil
	}
	var wg sync.WaitGroup
	slots := make(chan struct{}, r.Concurrency)
	for _, j := range claimed {
		slots <- struct{}{}
		wg.Go(func() {
			defer func() { <-slots }()
			r.run(ctx, j)
		})
	}
	wg.Wait()
	return len(claimed), nil
}

// run runs one claimed job and records how it went.
func (r *Runner) run(ctx context.Context, j *amparo.Job) {
	jctx, cancel := context.WithTimeout(amparo.NewContextWithJob(ctx, j), r.Lease*9/10) // done before another worker may take it
	err := safely(jctx, r.Handlers[j.Kind], j.Args)
	cancel()
	// What happened is recorded even when the process is stopping: a job
	// done but not marked done would run again.
	ctx = context.WithoutCancel(ctx)
	if err == nil {
		err = r.Store.CompleteJob(ctx, j.ID, r.Worker)
		if err != nil {
			r.Logger.Error("job done but not recorded", "kind", j.Kind, "job", j.ID, "err", err)
		}
		return
	}
	r.Logger.Warn("job failed", "kind", j.Kind, "job", j.ID, "attempt", j.Attempt, "err", err)
	if err := r.Store.FailJob(ctx, j.ID, r.Worker, err.Error(), r.Now().Add(Backoff(j.Attempt))); err != nil {
		r.Logger.Error("job failure not recorded", "kind", j.Kind, "job", j.ID, "err", err)
	}
}

// safely runs h, turning a panic into an error.
func safely(ctx context.Context, h Handler, args []byte) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panic: %v\n%s", p, debug.Stack())
		}
	}()
	return h(ctx, args)
}

// Backoff is the wait before attempt+1 after attempt failed: attempt⁴
// seconds plus up to a tenth more at random (so that jobs failing
// together do not retry together), at most a day.
func Backoff(attempt int) time.Duration {
	a := time.Duration(max(attempt, 1))
	d := min(a*a*a*a*time.Second, 24*time.Hour)
	return d + rand.N(d/10+1)
}

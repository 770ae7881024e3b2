package jobs_test

import (
	"context"
	"errors"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/internal/storetest"
	"github.com/amparo-project/amparo/jobs"
)

// Three processes' runners over one store run a periodic job once per
// period, whichever ticks first.
func TestRunner_PeriodicOncePerPeriod(t *testing.T) {
	db, _ := storetest.OpenSQLite(t)
	now := time.Date(2026, 12, 3, 9, 10, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	db.Now = clock
	var runs atomic.Int32
	var runners []*jobs.Runner
	for _, w := range []string{"a", "b", "c"} {
		runners = append(runners, &jobs.Runner{Store: db, Worker: w, Now: clock,
			Handlers: map[string]jobs.Handler{"status.refresh": func(context.Context, []byte) error { runs.Add(1); return nil }},
			Periodic: []jobs.Periodic{{Kind: "status.refresh", Every: time.Hour}}})
	}
	tickAll := func() {
		for _, r := range runners {
			if _, err := r.Tick(t.Context()); err != nil {
				t.Fatal(err)
			}
		}
	}
	tickAll()
	tickAll()
	if n := runs.Load(); n != 1 {
		t.Fatalf("ran %d times in one period, want 1", n)
	}
	now = now.Add(time.Hour) // the next hour
	tickAll()
	if n := runs.Load(); n != 2 {
		t.Fatalf("ran %d times in two periods, want 2", n)
	}
}

// A failing job runs again after its backoff, and a panic is a failure,
// not a crash.
func TestRunner_RetriesWithBackoff(t *testing.T) {
	db, _ := storetest.OpenSQLite(t)
	now := time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	db.Now = clock
	var calls atomic.Int32
	r := &jobs.Runner{Store: db, Worker: "w", Now: clock, Handlers: map[string]jobs.Handler{
		"flaky": func(context.Context, []byte) error {
			switch calls.Add(1) {
			case 1:
				return errors.New("gateway said 503")
			case 2:
				panic("a bug")
			}
			return nil
		}}}
	ctx := amparo.NewContextWithActor(t.Context(), amparo.SystemActor)
	if _, err := db.EnqueueJob(ctx, &amparo.Job{Kind: "flaky"}); err != nil {
		t.Fatal(err)
	}
	for attempt := 1; attempt <= 3; attempt++ {
		if n, err := r.Tick(t.Context()); err != nil || n != 1 {
			t.Fatalf("attempt %d: ran %d (%v)", attempt, n, err)
		}
		if n, _ := r.Tick(t.Context()); n != 0 {
			t.Fatalf("attempt %d: ran again before its backoff", attempt)
		}
		now = now.Add(jobs.Backoff(attempt) * 2)
	}
	done, _, err := db.FindJobs(ctx, amparo.JobFilter{State: amparo.JobDone})
	if err != nil || len(done) != 1 || done[0].Attempt != 3 {
		t.Fatalf("done: %v %+v", err, done)
	}
}

// TestRunner_TellsTheLastAttempt: a handler learns from its context
// whether this attempt is the job's last.
func TestRunner_TellsTheLastAttempt(t *testing.T) {
	db, _ := storetest.OpenSQLite(t)
	now := time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	db.Now = clock
	var last []bool
	r := &jobs.Runner{Store: db, Worker: "w", Now: clock, Handlers: map[string]jobs.Handler{
		"doomed": func(ctx context.Context, _ []byte) error {
			last = append(last, amparo.LastAttempt(ctx))
			return errors.New("gateway said 503")
		}}}
	ctx := amparo.NewContextWithActor(t.Context(), amparo.SystemActor)
	if _, err := db.EnqueueJob(ctx, &amparo.Job{Kind: "doomed", MaxAttempts: 3}); err != nil {
		t.Fatal(err)
	}
	for attempt := 1; attempt <= 4; attempt++ {
		if _, err := r.Tick(t.Context()); err != nil {
			t.Fatal(err)
		}
		now = now.Add(jobs.Backoff(attempt) * 2)
	}
	if !slices.Equal(last, []bool{false, false, true}) {
		t.Fatalf("last attempt, attempt by attempt: %v", last)
	}
	if amparo.LastAttempt(t.Context()) {
		t.Fatal("a context without a job is on its last attempt")
	}
}

func TestBackoff_Grows(t *testing.T) {
	prev := time.Duration(0)
	for a := 1; a <= 12; a++ {
		d := jobs.Backoff(a)
		base := min(time.Duration(a*a*a*a)*time.Second, 24*time.Hour)
		if d < base || d > base+base/10+1 || d < prev {
			t.Errorf("Backoff(%d) = %v", a, d)
		}
		prev = base
	}
}

// A runner polling once a minute runs a job at once when woken.
func TestRunner_Wake(t *testing.T) {
	db, _ := storetest.OpenSQLite(t)
	ran := make(chan struct{}, 1)
	r := &jobs.Runner{Store: db, Worker: "w", Poll: time.Minute,
		Handlers: map[string]jobs.Handler{"send": func(context.Context, []byte) error { ran <- struct{}{}; return nil }}}
	db.JobEnqueued = r.Wake
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan struct{})
	go func() { r.Run(ctx); close(done) }()
	defer func() { cancel(); <-done }()
	// Let the first look find nothing, so the runner sleeps its minute
	// (were it still looking, the job would run without a wake: the test
	// would pass without showing anything, never fail wrongly).
	time.Sleep(50 * time.Millisecond)
	if _, err := db.EnqueueJob(storetest.System, &amparo.Job{Kind: "send"}); err != nil {
		t.Fatal(err)
	}
	select {
	case <-ran:
	case <-time.After(30 * time.Second):
		t.Fatal("the woken runner did not run the job")
	}
}

// With Concurrency, a batch's jobs run side by side: each of four waits
// until all four have started.
func TestRunner_Concurrency(t *testing.T) {
	db, _ := storetest.OpenSQLite(t)
	var started sync.WaitGroup
	started.Add(4)
	all := make(chan struct{})
	go func() { started.Wait(); close(all) }()
	r := &jobs.Runner{Store: db, Worker: "w", Concurrency: 4, Handlers: map[string]jobs.Handler{"wait": func(ctx context.Context, _ []byte) error {
		started.Done()
		select {
		case <-all:
			return nil
		case <-time.After(10 * time.Second):
			return errors.New("ran alone")
		}
	}}}
	for range 4 {
		if _, err := db.EnqueueJob(storetest.System, &amparo.Job{Kind: "wait"}); err != nil {
			t.Fatal(err)
		}
	}
	if n, err := r.Tick(t.Context()); err != nil || n != 4 {
		t.Fatalf("ran %d (%v)", n, err)
	}
	done, _, _ := db.FindJobs(storetest.System, amparo.JobFilter{State: amparo.JobDone})
	if len(done) != 4 {
		t.Errorf("%d done", len(done))
	}
}

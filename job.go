package amparo

import (
	"context"
	"time"
)

// JobState is where a job is in its life.
type JobState string

const (
	JobPending JobState = "pending" // waiting for its time, or for a retry
	JobRunning JobState = "running" // claimed by a worker until its lease ends
	JobDone    JobState = "done"
	JobFailed  JobState = "failed" // every attempt failed; `amparo jobs retry` runs it again
)

// Job is work done after the request that caused it, at least once, by
// whichever server process claims it first. Args hold references (record
// IDs), never personal data: the jobs table is not sealed.
type Job struct {
	ID   string
	Kind string
	Args []byte // JSON
	// UniqueKey, when set, makes a second job with the same key a no-op:
	// a periodic job's key names its period, so however many processes
	// enqueue it, it runs once per period.
	UniqueKey   string
	State       JobState
	Attempt     int // attempts started so far
	MaxAttempts int
	RunAt       time.Time // not before
	LockedBy    string    // the worker running it
	LockedUntil time.Time // its lease: after it, another worker may take the job again
	LastError   string
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// JobFilter selects jobs.
type JobFilter struct {
	State  JobState
	Kind   string
	Offset int
	Limit  int
}

// JobService keeps the durable job queue. Only the operator (the system
// actor) and the program office use it; the server's workers act as the
// system.
type JobService interface {
	// EnqueueJob stores a job to run at j.RunAt (now if zero). With a
	// UniqueKey already stored, it stores nothing and returns false.
	EnqueueJob(ctx context.Context, j *Job) (bool, error)
	// ClaimJobs takes up to n jobs of the kinds that are due (pending and
	// past their time, or running past their lease: their worker died),
	// for worker, until now + lease. Two workers never claim the same job
	// at once.
	ClaimJobs(ctx context.Context, worker string, kinds []string, n int, lease time.Duration) ([]*Job, error)
	// CompleteJob marks a claimed job done. ECONFLICT if worker no longer
	// holds it (its lease ended and another worker took it).
	CompleteJob(ctx context.Context, id, worker string) error
	// FailJob records a failed attempt: the job runs again at retryAt, or
	// fails for good after its last attempt. ECONFLICT as CompleteJob.
	FailJob(ctx context.Context, id, worker, msg string, retryAt time.Time) error
	// RetryJob makes a failed job pending again, now, with a fresh set of
	// attempts. ENOTFOUND if there is none; ECONFLICT unless it failed.
	RetryJob(ctx context.Context, id string) error
	// FindJobs lists jobs, newest first, with the total matching f.
	FindJobs(ctx context.Context, f JobFilter) ([]*Job, int, error)
}

type jobKey struct{}

// NewContextWithJob returns ctx carrying j, the job being run: its
// handler learns which attempt this is.
func NewContextWithJob(ctx context.Context, j *Job) context.Context {
	return context.WithValue(ctx, jobKey{}, j)
}

// LastAttempt reports whether ctx runs the last attempt its job has: an
// error now fails the job for good, and a handler with something waiting
// on it (a page showing progress) says so before it returns.
func LastAttempt(ctx context.Context) bool {
	j, ok := ctx.Value(jobKey{}).(*Job)
	return ok && j.Attempt >= j.MaxAttempts
}

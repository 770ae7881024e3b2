package sqldb_test

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/sqldb"
)

func TestJobs_ClaimedOnceAndFinishedByTheirWorker(t *testing.T) {
	each(t, func(t *testing.T, db *sqldb.DB) {
		now := time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)
		db.Now = func() time.Time { return now }
		for i, key := range []string{"a", "", "a"} {
			stored, err := db.EnqueueJob(system, &amparo.Job{Kind: "mail", Args: []byte(`{"n":1}`), UniqueKey: key})
			if err != nil {
				t.Fatal(err)
			}
			if stored != (i < 2) {
				t.Errorf("job %d (key %q): stored = %v", i, key, stored)
			}
		}
		if _, err := db.EnqueueJob(system, &amparo.Job{Kind: "later", RunAt: now.Add(time.Hour)}); err != nil {
			t.Fatal(err)
		}
		got, err := db.ClaimJobs(system, "w1", []string{"mail", "later"}, 10, time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 || got[0].Kind != "mail" || got[0].Attempt != 1 || got[0].State != amparo.JobRunning || got[0].LockedBy != "w1" ||
			!got[0].LockedUntil.Equal(now.Add(time.Minute)) || string(got[0].Args) != `{"n":1}` {
			t.Fatalf("claimed %d jobs: %+v", len(got), got)
		}
		if again, _ := db.ClaimJobs(system, "w2", []string{"mail", "later"}, 10, time.Minute); len(again) != 0 {
			t.Errorf("a second worker claimed %d held or future jobs", len(again))
		}
		wantCode(t, db.CompleteJob(system, got[0].ID, "w2"), amparo.ECONFLICT)
		if err := db.CompleteJob(system, got[0].ID, "w1"); err != nil {
			t.Fatal(err)
		}
		// w1 dies holding the other job: after its lease, w2 takes it.
		now = now.Add(2 * time.Minute)
		taken, err := db.ClaimJobs(system, "w2", []string{"mail"}, 10, time.Minute)
		if err != nil || len(taken) != 1 || taken[0].ID != got[1].ID || taken[0].Attempt != 2 {
			t.Fatalf("after the lease: %v %+v", err, taken)
		}
		wantCode(t, db.CompleteJob(system, got[1].ID, "w1"), amparo.ECONFLICT)
		done, n, err := db.FindJobs(system, amparo.JobFilter{State: amparo.JobDone})
		if err != nil || n != 1 || done[0].ID != got[0].ID {
			t.Errorf("done jobs: %v %d %+v", err, n, done)
		}
		_, n, _ = db.FindJobs(system, amparo.JobFilter{})
		if n != 3 {
			t.Errorf("%d jobs in all, want 3 (the duplicate is not stored)", n)
		}
		_, _, err = db.FindJobs(as(amparo.RoleOrgAdmin, "org"), amparo.JobFilter{})
		wantCode(t, err, amparo.EFORBIDDEN)
	})
}

func TestJobs_FailRetryAndGiveUp(t *testing.T) {
	each(t, func(t *testing.T, db *sqldb.DB) {
		now := time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)
		db.Now = func() time.Time { return now }
		if _, err := db.EnqueueJob(system, &amparo.Job{Kind: "sms", MaxAttempts: 2}); err != nil {
			t.Fatal(err)
		}
		claim := func() *amparo.Job {
			t.Helper()
			js, err := db.ClaimJobs(system, "w", []string{"sms"}, 1, time.Minute)
			if err != nil {
				t.Fatal(err)
			}
			if len(js) == 0 {
				return nil
			}
			return js[0]
		}
		j := claim()
		if err := db.FailJob(system, j.ID, "w", "gateway said 503", now.Add(time.Minute)); err != nil {
			t.Fatal(err)
		}
		if claim() != nil {
			t.Fatal("a failed job ran again before its retry time")
		}
		now = now.Add(time.Minute)
		j = claim()
		if j == nil || j.Attempt != 2 || j.LastError != "gateway said 503" {
			t.Fatalf("the retry: %+v", j)
		}
		if err := db.FailJob(system, j.ID, "w", "gateway said 503 again", now.Add(time.Minute)); err != nil {
			t.Fatal(err)
		}
		now = now.Add(time.Hour)
		if claim() != nil {
			t.Fatal("a job ran after its last attempt")
		}
		failed, _, _ := db.FindJobs(system, amparo.JobFilter{State: amparo.JobFailed})
		if len(failed) != 1 || failed[0].LastError != "gateway said 503 again" {
			t.Fatalf("failed jobs: %+v", failed)
		}
		if err := db.RetryJob(system, j.ID); err != nil {
			t.Fatal(err)
		}
		wantCode(t, db.RetryJob(system, j.ID), amparo.ECONFLICT)
		wantCode(t, db.RetryJob(system, "nope"), amparo.ENOTFOUND)
		if j = claim(); j == nil || j.Attempt != 1 {
			t.Fatalf("the retried job: %+v", j)
		}
	})
}

// Workers claiming side by side never take the same job.
func TestJobs_ConcurrentClaims(t *testing.T) {
	each(t, func(t *testing.T, db *sqldb.DB) {
		for i := range 200 {
			if _, err := db.EnqueueJob(system, &amparo.Job{Kind: "k", Args: fmt.Appendf(nil, `{"i":%d}`, i)}); err != nil {
				t.Fatal(err)
			}
		}
		var mu sync.Mutex
		seen := map[string]string{}
		var wg sync.WaitGroup
		for w := range 4 {
			wg.Go(func() {
				worker := fmt.Sprint("w", w)
				for {
					js, err := db.ClaimJobs(system, worker, []string{"k"}, 7, time.Minute)
					if err != nil {
						t.Error(err)
						return
					}
					if len(js) == 0 {
						return
					}
					mu.Lock()
					for _, j := range js {
						if other, ok := seen[j.ID]; ok {
							t.Errorf("job %s claimed by %s and %s", j.ID, other, worker)
						}
						seen[j.ID] = worker
					}
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		if len(seen) != 200 {
			t.Errorf("%d of 200 jobs claimed", len(seen))
		}
	})
}

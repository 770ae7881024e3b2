package sqldb_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/jobs"
)

// BenchmarkJobs sends 10,000 jobs through the queue: one producer enqueues
// them one transaction each while two workers (two processes' runners)
// claim and run them. It reports jobs/s, from the first enqueue to the
// last job done, and the p50 and p95 pickup latency (enqueued to started).
//
//	go test -run '^$' -bench BenchmarkJobs -benchtime 1x ./sqldb/
func BenchmarkJobs(b *testing.B) {
	const total = 10000
	for _, dialect := range []string{"sqlite", "postgres"} {
		b.Run(dialect, func(b *testing.B) {
			for b.Loop() {
				db := MustOpenDB(b, dialect)
				var mu sync.Mutex
				var waits []time.Duration
				done := make(chan struct{})
				handler := func(_ context.Context, args []byte) error {
					var a struct{ At time.Time }
					json.Unmarshal(args, &a)
					mu.Lock()
					defer mu.Unlock()
					waits = append(waits, time.Since(a.At))
					if len(waits) == total {
						close(done)
					}
					return nil
				}
				ctx, cancel := context.WithCancel(b.Context())
				for w := range 2 {
					r := &jobs.Runner{Store: db, Worker: fmt.Sprint("w", w), Poll: 10 * time.Millisecond, Batch: 20,
						Handlers: map[string]jobs.Handler{"bench": handler}}
					go r.Run(ctx)
				}
				start := time.Now()
				for range total {
					args, _ := json.Marshal(map[string]time.Time{"At": time.Now()})
					if _, err := db.EnqueueJob(system, &amparo.Job{Kind: "bench", Args: args}); err != nil {
						b.Fatal(err)
					}
				}
				select {
				case <-done:
				case <-time.After(10 * time.Minute):
					b.Fatal("the jobs were not all run in 10 minutes")
				}
				elapsed := time.Since(start)
				// The last job ran; its worker records it done.
				for try := 0; try < 100; try++ {
					if _, n, _ := db.FindJobs(system, amparo.JobFilter{State: amparo.JobDone}); n == total {
						break
					}
					time.Sleep(50 * time.Millisecond)
				}
				cancel()
				slices.Sort(waits)
				b.ReportMetric(float64(total)/elapsed.Seconds(), "jobs/s")
				b.ReportMetric(float64(waits[total/2].Microseconds())/1000, "p50-pickup-ms")
				b.ReportMetric(float64(waits[total*95/100].Microseconds())/1000, "p95-pickup-ms")
				_, n, err := db.FindJobs(system, amparo.JobFilter{State: amparo.JobDone})
				if err != nil || n != total {
					b.Fatalf("%d jobs done (%v), want %d", n, err, total)
				}
			}
		})
	}
}

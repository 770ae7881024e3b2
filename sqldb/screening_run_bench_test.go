package sqldb_test

import (
	"bytes"
	"testing"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/internal/storetest"
	"github.com/amparo-project/amparo/screening"
)

// BenchmarkScreenFileRun: BenchmarkScreenFile's 10,000 vendors through the
// web's path: the upload stores them with a run and its job, the job
// screens them and records the run's end, and the run's report is read
// back, on SQLite, against the same registry of 2,000 entities.
func BenchmarkScreenFileRun(b *testing.B) {
	svc, org, _ := benchScreening(b)
	ctx := as(amparo.RoleProcurement, org.ID)
	file := benchVendorsCSV(10_000)
	for b.Loop() {
		id, err := svc.StartFile(ctx, bytes.NewReader(file), screening.ImportOptions{})
		if err != nil {
			b.Fatal(err)
		}
		if err := svc.FileJob(storetest.System, []byte(`{"run":"`+id+`"}`)); err != nil {
			b.Fatal(err)
		}
		run, err := svc.FindFileRun(ctx, id)
		if err != nil || !run.Finished || run.Err != nil || len(run.Report.Reports) != 10_000 {
			b.Fatalf("%+v %v", run, err)
		}
	}
}

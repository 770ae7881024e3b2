package sqldb_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/internal/storetest"
	"github.com/amparo-project/amparo/screening"
	"github.com/amparo-project/amparo/sqldb"
)

// Fictional vendors only.

// TestScreeningRunStore: a run is stored with its vendors and its job at
// once, read by its organization only, its refused rows sealed and its
// job's arguments a reference; its progress is written; it finishes once,
// its screenings recorded with it; a failure is kept; a day after it
// finished it is gone, and the next run's start deletes it.
func TestScreeningRunStore(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, db *sqldb.DB) {
		org := storetest.MustCreateOrganization(t, db, "Example Procurement Office")
		officer := as(amparo.RoleProcurement, org.ID)
		vs := []*amparo.Vendor{{Name: "Example Quillwort Paving Co."}, {Name: "Example Marzipan Fencing LLC"}}
		run := &amparo.ScreeningRun{Problems: []byte(`[{"Key":"import.err.x","Args":[{"S":"Example Hidden Row Text"}]}]`)}
		if err := db.StartScreeningRun(officer, run, vs); err != nil {
			t.Fatal(err)
		}
		if run.ID == "" || run.Total != 2 || len(run.VendorIDs) != 2 || run.VendorIDs[0] != vs[0].ID || vs[0].ID == "" {
			t.Fatalf("started: %+v", run)
		}
		got, err := db.FindScreeningRun(officer, run.ID)
		if err != nil || got.OwnerID != "procurement-"+org.ID || got.Total != 2 || got.Done != 0 || got.Finished() ||
			strings.Join(got.VendorIDs, ",") != strings.Join(run.VendorIDs, ",") || string(got.Problems) != string(run.Problems) {
			t.Fatalf("found: %+v %v", got, err)
		}
		wantCode(t, func() error { _, err := db.FindScreeningRun(as(amparo.RoleProcurement, "other"), run.ID); return err }(), amparo.ENOTFOUND)
		if rv, err := db.ScreeningRunVendors(officer, run.ID); err != nil || len(rv) != 2 || rv[0].Name != vs[0].Name || rv[1].ID != vs[1].ID {
			t.Fatalf("the run's vendors: %+v %v", rv, err)
		}

		// At rest: the refused rows sealed, the job's arguments the run's ID.
		var raw []byte
		if err := db.Pool().QueryRow("SELECT sealed FROM screening_runs WHERE id = "+runParam(db), run.ID).Scan(&raw); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(raw), "Example Hidden Row Text") {
			t.Fatal("the run's refused rows are stored in the clear")
		}
		js, _, err := db.FindJobs(storetest.System, amparo.JobFilter{Kind: amparo.JobScreenFile})
		if err != nil || len(js) != 1 || string(js[0].Args) != `{"run":"`+run.ID+`"}` {
			t.Fatalf("the run's job: %+v %v", js, err)
		}

		if err := db.ScreeningRunProgress(officer, run.ID, 1); err != nil {
			t.Fatal(err)
		}
		if got, _ := db.FindScreeningRun(officer, run.ID); got.Done != 1 {
			t.Fatalf("progress: %d", got.Done)
		}

		screenings := func() []*amparo.Screening {
			return []*amparo.Screening{{VendorID: vs[1].ID, Day: amparo.MustDate("2026-01-02"), Algorithm: "t", ResultHash: "h1", Results: []byte(`{}`)},
				{VendorID: vs[0].ID, Day: amparo.MustDate("2026-01-02"), Algorithm: "t", ResultHash: "h0", Results: []byte(`{}`)}}
		}
		first := screenings()
		if ok, err := db.FinishScreeningRun(officer, run.ID, first, nil); err != nil || !ok {
			t.Fatalf("finish: %v %v", ok, err)
		}
		if ok, err := db.FinishScreeningRun(officer, run.ID, screenings(), nil); err != nil || ok {
			t.Fatalf("a second finish: %v %v", ok, err)
		}
		got, err = db.FindScreeningRun(officer, run.ID)
		if err != nil || !got.Finished() || got.Done != 2 || len(got.ScreeningIDs) != 2 || got.ScreeningIDs[0] != first[0].ID || got.Failure != nil {
			t.Fatalf("finished: %+v %v", got, err)
		}
		scs, err := db.FindScreenings(officer, got.ScreeningIDs)
		if err != nil || len(scs) != 2 || scs[0].VendorID != vs[1].ID || scs[1].ResultHash != "h0" {
			t.Fatalf("its screenings: %+v %v", scs, err)
		}
		var n int
		if err := db.Pool().QueryRow("SELECT COUNT(*) FROM vendor_screenings").Scan(&n); err != nil || n != 2 {
			t.Fatalf("screenings recorded: %d %v, want 2 (once)", n, err)
		}
		wantCode(t, func() error {
			_, err := db.FindScreenings(as(amparo.RoleProcurement, "other"), got.ScreeningIDs)
			return err
		}(), amparo.ENOTFOUND)

		t.Run("Failure", func(t *testing.T) {
			r := &amparo.ScreeningRun{Problems: []byte(`[]`)}
			if err := db.StartScreeningRun(officer, r, []*amparo.Vendor{{Name: "Example Tamarind Builders"}}); err != nil {
				t.Fatal(err)
			}
			if ok, err := db.FinishScreeningRun(storetest.System, r.ID, nil, []byte(`{"Code":"invalid"}`)); err != nil || !ok {
				t.Fatalf("fail: %v %v", ok, err)
			}
			got, err := db.FindScreeningRun(officer, r.ID)
			if err != nil || !got.Finished() || string(got.Failure) != `{"Code":"invalid"}` || len(got.ScreeningIDs) != 0 {
				t.Fatalf("failed run: %+v %v", got, err)
			}
		})

		t.Run("Retention", func(t *testing.T) {
			db.Now = func() time.Time { return time.Now().Add(amparo.ScreeningRunKept + time.Hour) }
			defer func() { db.Now = time.Now }()
			wantCode(t, func() error { _, err := db.FindScreeningRun(officer, run.ID); return err }(), amparo.ENOTFOUND)
			if err := db.StartScreeningRun(officer, &amparo.ScreeningRun{Problems: []byte(`[]`)}, nil); err != nil {
				t.Fatal(err)
			}
			var n int
			if err := db.Pool().QueryRow("SELECT COUNT(*) FROM screening_runs WHERE id = "+runParam(db), run.ID).Scan(&n); err != nil || n != 0 {
				t.Fatalf("a run past its retention is still stored: %d %v", n, err)
			}
		})
	})
}

// failingFinish is the store, whose first fails FinishScreeningRun calls
// that record screenings fail as a dropped connection would: the job's
// attempts die at their end.
type failingFinish struct {
	*sqldb.DB
	fails int
}

func (f *failingFinish) FinishScreeningRun(ctx context.Context, id string, ss []*amparo.Screening, failure []byte) (bool, error) {
	if ss != nil && f.fails > 0 {
		f.fails--
		return false, errors.New("connection reset")
	}
	return f.DB.FinishScreeningRun(ctx, id, ss, failure)
}

// TestScreeningService_FileJob: a file's job screens its vendors; an
// attempt that dies before the end has recorded nothing and the retry
// records every screening, once; a third run of the job (retried after it
// finished) records nothing more; the report reads back from any service.
func TestScreeningService_FileJob(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, db *sqldb.DB) {
		org := storetest.MustCreateOrganization(t, db, "Example Procurement Office")
		officer := as(amparo.RoleProcurement, org.ID)
		web := screening.NewService(db, db, db, db)
		id, err := web.StartFile(officer, strings.NewReader("name,uei\nExample Quillwort Paving Co.,\nExample Bad Identifier,SHORT\nExample Marzipan Fencing LLC,\n"),
			screening.ImportOptions{Partial: true})
		if err != nil {
			t.Fatal(err)
		}
		store := &failingFinish{DB: db, fails: 1}
		worker := screening.NewService(db, db, db, store)
		args := []byte(`{"run":"` + id + `"}`)
		system := storetest.System
		if err := worker.FileJob(system, args); err == nil {
			t.Fatal("the first attempt did not fail")
		}
		if n := screeningsRecorded(t, db); n != 0 {
			t.Fatalf("a failed attempt recorded %d screenings", n)
		}
		if run, err := web.FindFileRun(officer, id); err != nil || run.Finished || run.Total != 2 {
			t.Fatalf("after the failed attempt: %+v %v", run, err)
		}
		for range 2 {
			if err := worker.FileJob(system, args); err != nil {
				t.Fatal(err)
			}
		}
		if n := screeningsRecorded(t, db); n != 2 {
			t.Fatalf("%d screenings recorded, want 2, once", n)
		}
		run, err := screening.NewService(db, db, db, db).FindFileRun(officer, id)
		if err != nil || !run.Finished || run.Done != 2 || run.Err != nil || run.Report == nil || len(run.Report.Reports) != 2 ||
			run.Report.Reports[0].Outcome.Vendor.Names[0] != "Example Quillwort Paving Co." || run.Report.Reports[0].Screening.Author != "procurement-"+org.ID {
			t.Fatalf("the run: %+v %v", run, err)
		}
		if len(run.Report.Errors) != 1 || run.Report.Errors[0].Line != 3 {
			t.Fatalf("the refused row: %+v", run.Report.Errors)
		}
		colleague := amparo.NewContextWithActor(t.Context(), amparo.Actor{ID: "another-officer", Role: amparo.RoleProcurement, OrganizationID: org.ID})
		if _, err := web.FindFileRun(colleague, id); amparo.ErrorCode(err) != amparo.ENOTFOUND {
			t.Fatalf("another officer's run: %v", err)
		}
	})
}

// TestScreeningService_FileJobLastAttempt: a run whose attempts all fail
// without a code waits for the next attempt until the job's last, which
// ends it as a failure inside the server: its page stops saying "in
// progress", and nothing is recorded.
func TestScreeningService_FileJobLastAttempt(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, db *sqldb.DB) {
		org := storetest.MustCreateOrganization(t, db, "Example Procurement Office")
		officer := as(amparo.RoleProcurement, org.ID)
		web := screening.NewService(db, db, db, db)
		id, err := web.StartFile(officer, strings.NewReader("name\nExample Quillwort Paving Co.\n"), screening.ImportOptions{})
		if err != nil {
			t.Fatal(err)
		}
		worker := screening.NewService(db, db, db, &failingFinish{DB: db, fails: 5})
		args := []byte(`{"run":"` + id + `"}`)
		for attempt := 1; attempt <= 5; attempt++ {
			ctx := amparo.NewContextWithJob(storetest.System, &amparo.Job{Kind: amparo.JobScreenFile, Attempt: attempt, MaxAttempts: 5})
			if err := worker.FileJob(ctx, args); err == nil {
				t.Fatalf("attempt %d did not fail", attempt)
			}
			run, err := web.FindFileRun(officer, id)
			if err != nil {
				t.Fatal(err)
			}
			if run.Finished != (attempt == 5) {
				t.Fatalf("after attempt %d of 5: finished %v", attempt, run.Finished)
			}
			if attempt == 5 && (amparo.ErrorCode(run.Err) != amparo.EINTERNAL || run.Report != nil) {
				t.Fatalf("the run after its last attempt: %+v", run)
			}
		}
		if n := screeningsRecorded(t, db); n != 0 {
			t.Fatalf("%d screenings recorded", n)
		}
	})
}

// screeningsRecorded counts the vendor screenings stored.
func screeningsRecorded(t *testing.T, db *sqldb.DB) int {
	t.Helper()
	var n int
	if err := db.Pool().QueryRow("SELECT COUNT(*) FROM vendor_screenings").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// runParam is the first query parameter in the dialect of db.
func runParam(db *sqldb.DB) string {
	if db.Dialect() == "postgres" {
		return "$1"
	}
	return "?"
}

package amparo

import (
	"context"
	"time"
)

// JobScreenFile screens the vendors of an uploaded file: its Args are
// {"run": ScreeningRun.ID}, a reference only.
const JobScreenFile = "screening.file"

// ScreeningRunKept is how long a finished screening run's page and
// results stay readable; it is deleted after.
const ScreeningRunKept = 24 * time.Hour

// ScreeningRun is a vendor file being screened, in the database so that
// any server process answers its page and a crashed run is retried by its
// job. Its vendors are stored when it starts; its screenings are recorded
// all at once when it finishes, with the run.
type ScreeningRun struct {
	ID             string
	OrganizationID string
	OwnerID        string // the officer who uploaded the file: the only reader, and the screenings' author
	Total, Done    int
	VendorIDs      []string // the file's vendors, in file order
	ScreeningIDs   []string // when finished: the screenings recorded, in file order
	// Problems is the sealed part: the file's rows refused (a partial
	// upload), as the screening package's JSON; they may quote the file.
	Problems []byte
	// Failure, when finished without screenings: the error refused, as
	// JSON of an Error (sealed: its message may name a vendor).
	Failure    []byte
	StartedAt  time.Time
	FinishedAt time.Time // zero while running
}

// Finished says whether the run has ended, with screenings or a failure.
func (r *ScreeningRun) Finished() bool { return !r.FinishedAt.IsZero() }

// ScreeningRunStore keeps screening runs. Only procurement officers of
// the run's organization (and the system, whose job runs them) use it.
type ScreeningRunStore interface {
	// StartScreeningRun stores vendors (setting their IDs), then r (its
	// ID, VendorIDs, Total, StartedAt set here) and the job that screens
	// them, in one transaction: all or nothing. Runs finished more than
	// ScreeningRunKept ago are deleted on the way. EFORBIDDEN unless the
	// actor screens the organization's vendors; EINVALID naming a vendor.
	StartScreeningRun(ctx context.Context, r *ScreeningRun, vendors []*Vendor) error
	// FindScreeningRun returns a run. ENOTFOUND, also for another
	// organization's and for one finished more than ScreeningRunKept ago.
	FindScreeningRun(ctx context.Context, id string) (*ScreeningRun, error)
	// ScreeningRunVendors returns a run's vendors, in file order.
	// ENOTFOUND as FindScreeningRun, or if one is gone.
	ScreeningRunVendors(ctx context.Context, id string) ([]*Vendor, error)
	// ScreeningRunProgress records how many vendors are screened; nothing
	// once the run is finished.
	ScreeningRunProgress(ctx context.Context, id string, done int) error
	// FinishScreeningRun records the run's screenings (setting their IDs
	// as RecordScreenings does) and ends it, or ends it with failure
	// (screenings nil), in one transaction. A run finished already (by an
	// earlier attempt of its job) is left as it is and nothing is
	// recorded: false.
	FinishScreeningRun(ctx context.Context, id string, screenings []*Screening, failure []byte) (bool, error)
	// FindScreenings returns screenings by ID, in the order of ids.
	// ENOTFOUND if one is missing or another organization's.
	FindScreenings(ctx context.Context, ids []string) ([]*Screening, error)
}

package amparo

import "context"

// The door's list: what the organizer's phone keeps to check tickets in
// offline, beside the workshop's public key. It names no one: codes,
// party sizes and whether each holds a place.

// DoorTicket is one ticket as the door knows it.
type DoorTicket struct {
	Code      string `json:"code"`
	PartySize int    `json:"party"`
	Holds     bool   `json:"holds"` // confirmed or offered: it may come in
	CheckedIn bool   `json:"checked_in"`
}

// MaxDoorUpload is how many scans one upload from the door carries at most.
const MaxDoorUpload = 100

// DoorList is what the door keeps of a workshop.
type DoorList struct {
	WorkshopID string
	PublicKey  []byte // verifies its tickets (Ed25519)
	Tickets    []DoorTicket
}

// WorkshopDoorService gives the door its list and takes its uploads.
type WorkshopDoorService interface {
	// DoorList returns the workshop's key and the tickets that still have
	// a code (none once its details are erased). ENOTFOUND; EFORBIDDEN
	// outside its organization's organizers.
	DoorList(ctx context.Context, workshopID string) (*DoorList, error)
	// CheckIns records scans queued at the door, each as CheckIn does,
	// in order: a scan refused as EINVALID has its error in errs (the
	// others are recorded); ENOTFOUND or EFORBIDDEN refuse them all, and
	// EINVALID none or more than MaxDoorUpload scans.
	CheckIns(ctx context.Context, workshopID string, scans []CheckIn) (res []*CheckInResult, errs []error, err error)
}

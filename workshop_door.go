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

// WorkshopDoorService gives the door its list.
type WorkshopDoorService interface {
	// DoorList returns the tickets of a workshop that still have a code
	// (none once its details are erased). ENOTFOUND; EFORBIDDEN outside
	// its organization's organizers.
	DoorList(ctx context.Context, workshopID string) ([]DoorTicket, error)
}

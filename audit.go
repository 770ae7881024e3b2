package amparo

import (
	"context"
	"time"
)

// AuditEvent records who did what to which record, and when. Events are
// append-only and never hold personal data: records are named by ID.
type AuditEvent struct {
	Seq     int64 // position in the trail, increasing
	At      time.Time
	ActorID string
	// ActorName is the name of the actor's account, read with the event
	// (not stored in it): "" for the system and for visitors.
	ActorName      string
	ActorRole      Role
	OrganizationID string // the actor's organization, if any
	Action         string // e.g. "client.view", "letter.revoke"
	RecordType     string // e.g. "client", "letter"
	RecordID       string
}

// AuditFilter selects audit events; zero fields match all.
type AuditFilter struct {
	ActorID    string
	Action     string
	RecordType string
	RecordID   string
	Since      time.Time
	Offset     int
	Limit      int
}

// AuditService reads the audit trail. Stores append to it in the same
// transaction as the change they record.
type AuditService interface {
	FindAuditEvents(ctx context.Context, f AuditFilter) ([]*AuditEvent, int, error)
}

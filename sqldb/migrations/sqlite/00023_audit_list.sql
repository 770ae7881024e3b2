-- +goose Up
-- The audit trail as an auditor reads it: by action and by time, newest
-- first, a page at a time. Each index ends in seq so a filtered page is
-- read in order without sorting the whole trail.
CREATE INDEX audit_events_action ON audit_events (action, seq);
CREATE INDEX audit_events_at ON audit_events (at, seq);

-- +goose Down
DROP INDEX audit_events_at;
DROP INDEX audit_events_action;

-- +goose Up
-- The audit trail as an auditor reads it: newest first, a page at a time,
-- by action, by actor, between dates. Each index ends in (at, seq), the
-- list's order, so a filtered page is read in order without sorting.
CREATE INDEX audit_events_at ON audit_events (at, seq);
CREATE INDEX audit_events_action ON audit_events (action, at, seq);
CREATE INDEX audit_events_actor ON audit_events (actor_id, at, seq);

-- How many events each hour holds, by action and actor, kept by every
-- append: a list says "1–50 of 100,000" without counting 100,000 rows.
-- Only a count; the events and their chain stay the record.
CREATE TABLE audit_counts (
    hour     TIMESTAMPTZ NOT NULL,
    action   TEXT NOT NULL,
    actor_id TEXT NOT NULL,
    n        BIGINT NOT NULL,
    PRIMARY KEY (hour, action, actor_id)
);
INSERT INTO audit_counts (hour, action, actor_id, n)
    SELECT date_trunc('hour', at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC', action, actor_id, COUNT(*) FROM audit_events
    GROUP BY 1, action, actor_id;

-- +goose Down
DROP TABLE audit_counts;
DROP INDEX audit_events_actor;
DROP INDEX audit_events_action;
DROP INDEX audit_events_at;

-- +goose Up
-- An applicant's member once matched, and every change of status with who
-- made it and why (the reason sealed with the applicant's key: staff may
-- write personal details in it).
ALTER TABLE applicants ADD COLUMN member_id TEXT REFERENCES members (id);
CREATE TABLE applicant_events (
    seq           INTEGER PRIMARY KEY AUTOINCREMENT,
    applicant_id  TEXT NOT NULL REFERENCES applicants (id) ON DELETE CASCADE,
    status        TEXT NOT NULL,
    member_id     TEXT,
    sealed_reason BLOB NOT NULL,
    actor_id      TEXT NOT NULL,
    at            TEXT NOT NULL
);
CREATE INDEX applicant_events_applicant ON applicant_events (applicant_id, seq);

-- +goose Down
DROP TABLE applicant_events;
ALTER TABLE applicants DROP COLUMN member_id;

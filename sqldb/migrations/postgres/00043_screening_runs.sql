-- +goose Up
-- A vendor file's screening run, readable by every server process. The
-- vendor and screening IDs are references; what the file said about its
-- refused rows, and a failure's message, are sealed.
CREATE TABLE screening_runs (
    id              TEXT PRIMARY KEY,
    organization_id TEXT NOT NULL REFERENCES organizations (id),
    owner_id        TEXT NOT NULL,
    total           INTEGER NOT NULL,
    done            INTEGER NOT NULL DEFAULT 0,
    vendor_ids      TEXT NOT NULL,
    screening_ids   TEXT NOT NULL DEFAULT '',
    wrapped_key     BYTEA NOT NULL,
    sealed          BYTEA NOT NULL,
    started_at      TIMESTAMPTZ NOT NULL,
    finished_at     TIMESTAMPTZ
);
CREATE INDEX screening_runs_finished ON screening_runs (finished_at);

-- +goose Down
DROP TABLE screening_runs;

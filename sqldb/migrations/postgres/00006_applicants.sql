-- +goose Up
-- Intakes waiting for a letter. As with clients, every personal fact is
-- sealed with the applicant's own data key; row_key (a keyed hash of the
-- normalized name and date of birth) lets a re-import skip known people.
CREATE TABLE applicants (
    id              TEXT PRIMARY KEY,
    organization_id TEXT NOT NULL REFERENCES organizations (id),
    status          TEXT NOT NULL,
    row_key         TEXT NOT NULL,
    wrapped_key     BYTEA NOT NULL,
    sealed          BYTEA NOT NULL,
    created_at      TIMESTAMPTZ NOT NULL,
    updated_at      TIMESTAMPTZ NOT NULL,
    UNIQUE (organization_id, row_key)
);
CREATE INDEX applicants_status ON applicants (organization_id, status, created_at);

-- +goose Down
DROP TABLE applicants;

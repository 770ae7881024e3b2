-- +goose Up
-- Clients erased for good, kept outside the erased rows so that an older
-- backup restored later cannot bring them back unnoticed (amparo restore
-- erases them again from the erasure log, its copy outside the database).
-- IDs and times only: nothing here says who the client was.
CREATE TABLE erasures (
    client_id       TEXT PRIMARY KEY,
    organization_id TEXT NOT NULL,
    erased_at       TEXT NOT NULL
);

-- +goose Down
DROP TABLE erasures;

-- +goose Up
-- The client an accepted match created from an applicant: the applicant's
-- status follows the client's letter (served once it is issued). Erasing
-- either record erases the link.
CREATE TABLE applicant_clients (
    applicant_id TEXT PRIMARY KEY REFERENCES applicants (id) ON DELETE CASCADE,
    client_id    TEXT NOT NULL UNIQUE REFERENCES clients (id) ON DELETE CASCADE
);

-- +goose Down
DROP TABLE applicant_clients;

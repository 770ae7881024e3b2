-- +goose Up
-- The program's dashboard counts intakes by the week they arrived, and
-- when anyone in line last changed (to keep its count by tier until the
-- line changes): both read an index, not the table.
CREATE INDEX applicants_created ON applicants (created_at);
CREATE INDEX applicants_status_updated ON applicants (status, updated_at);

-- +goose Down
DROP INDEX applicants_status_updated;
DROP INDEX applicants_created;

-- +goose Up
-- The reference code each person is given, unique in their organization,
-- so that every code shown opens a record (codes shown before were the
-- first 8 characters of the ID, upper-cased: they keep working). A later
-- intake of the same person is an event whose old and new values are
-- sealed with the applicant's key. Names are found by keyed tokens, as
-- clients' are.
ALTER TABLE applicants ADD COLUMN reference TEXT;
UPDATE applicants SET reference = upper(substr(id, 1, 8));
CREATE UNIQUE INDEX applicants_reference ON applicants (organization_id, reference);
ALTER TABLE applicant_events ADD COLUMN sealed_changes BYTEA;
CREATE TABLE applicant_name_tokens (
    token        BYTEA NOT NULL,
    applicant_id TEXT NOT NULL REFERENCES applicants (id) ON DELETE CASCADE,
    PRIMARY KEY (token, applicant_id)
);
CREATE INDEX applicant_name_tokens_applicant ON applicant_name_tokens (applicant_id);

-- +goose Down
DROP TABLE applicant_name_tokens;
ALTER TABLE applicant_events DROP COLUMN sealed_changes;
DROP INDEX applicants_reference;
ALTER TABLE applicants DROP COLUMN reference;

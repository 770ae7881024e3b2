-- +goose Up
-- The conflict check's index: keyed tokens of each person's name (the
-- phonetic and typo keys of package names, HMAC-ed under the master key),
-- for the organization's clients, applicants and recorded adverse or
-- related parties. No name is stored in clear.
CREATE TABLE name_keys (
    organization_id TEXT NOT NULL,
    record_type     TEXT NOT NULL,
    record_id       TEXT NOT NULL,
    key             BYTEA NOT NULL
);
CREATE INDEX name_keys_key ON name_keys (organization_id, key);
CREATE INDEX name_keys_record ON name_keys (record_type, record_id);

-- Adverse or related parties an organization records, sealed like clients.
CREATE TABLE parties (
    id              TEXT PRIMARY KEY,
    organization_id TEXT NOT NULL REFERENCES organizations (id),
    wrapped_key     BYTEA NOT NULL,
    sealed          BYTEA NOT NULL,
    created_at      TIMESTAMPTZ NOT NULL
);

-- +goose Down
DROP TABLE parties;
DROP TABLE name_keys;

-- +goose Up
-- The conflict check, compact: each person once in conflict_names (the name
-- and date of birth sealed under a data key of its own, wrapped beside it),
-- and each of the person's keyed tokens in name_keys as a 64-bit number
-- beside that row's number. The tokens are HMACs of the organization and the
-- blocking key, so no name, and no organization, can be read from them.
-- Migrate fills both from the records whenever names.KeysVersion changes.
DROP TABLE name_keys;
CREATE TABLE conflict_names (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    organization_id TEXT NOT NULL,
    record_type     TEXT NOT NULL,
    record_id       TEXT NOT NULL,
    wrapped_key     BLOB NOT NULL,
    sealed          BLOB NOT NULL,
    UNIQUE (record_type, record_id)
);
CREATE TABLE name_keys (
    key     INTEGER NOT NULL,
    name_id INTEGER NOT NULL,
    PRIMARY KEY (key, name_id)
) WITHOUT ROWID;
DELETE FROM meta WHERE key = 'conflict_keys_version';

-- +goose Down
DROP TABLE name_keys;
DROP TABLE conflict_names;
CREATE TABLE name_keys (
    organization_id TEXT NOT NULL,
    record_type     TEXT NOT NULL,
    record_id       TEXT NOT NULL,
    key             BLOB NOT NULL
);
CREATE INDEX name_keys_key ON name_keys (organization_id, key, record_type, record_id);
CREATE INDEX name_keys_record ON name_keys (record_type, record_id);

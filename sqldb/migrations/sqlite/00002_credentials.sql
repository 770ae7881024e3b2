-- +goose Up
-- Signing keys: the program root key (organization_id NULL) and each
-- organization's issuing keys. Private keys are sealed under the master key
-- (a data key per signing key); a root key kept offline has none here.
CREATE TABLE signing_keys (
    id              TEXT PRIMARY KEY,
    kind            TEXT NOT NULL CHECK (kind IN ('root', 'issuing')),
    organization_id TEXT REFERENCES organizations (id),
    kid             BLOB NOT NULL,
    public_key      BLOB NOT NULL UNIQUE,
    wrapped_key     BLOB,
    sealed_private  BLOB,
    valid_from      TEXT NOT NULL,
    valid_to        TEXT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('active', 'retired', 'revoked')),
    certified_at    TEXT,
    created_at      TEXT NOT NULL
);
CREATE INDEX signing_keys_organization ON signing_keys (organization_id, status);

-- Signed trust lists, newest last; the newest is published.
CREATE TABLE trust_lists (
    seq       INTEGER PRIMARY KEY AUTOINCREMENT,
    signed    BLOB NOT NULL,
    issued_at TEXT NOT NULL
);

-- Status lists: which indexes are assigned and which revoked, and the last
-- signed form.
CREATE TABLE status_lists (
    organization_id TEXT NOT NULL REFERENCES organizations (id),
    list_id         INTEGER NOT NULL,
    assigned        BLOB NOT NULL,
    revoked         BLOB NOT NULL,
    used            INTEGER NOT NULL,
    signed          BLOB NOT NULL,
    issued_at       TEXT NOT NULL,
    PRIMARY KEY (organization_id, list_id)
);

-- A letter's credential: its QR text is sealed with the client's data key
-- (it holds the client's name), so erasing the client erases it too.
ALTER TABLE letters ADD COLUMN credential_id TEXT NOT NULL DEFAULT '';
ALTER TABLE letters ADD COLUMN signing_key_id TEXT NOT NULL DEFAULT '';
ALTER TABLE letters ADD COLUMN status_list_id INTEGER NOT NULL DEFAULT 0;
ALTER TABLE letters ADD COLUMN status_index INTEGER NOT NULL DEFAULT 0;
ALTER TABLE letters ADD COLUMN sealed_qr BLOB;

-- +goose Down
ALTER TABLE letters DROP COLUMN sealed_qr;
ALTER TABLE letters DROP COLUMN status_index;
ALTER TABLE letters DROP COLUMN status_list_id;
ALTER TABLE letters DROP COLUMN signing_key_id;
ALTER TABLE letters DROP COLUMN credential_id;
DROP TABLE status_lists;
DROP TABLE trust_lists;
DROP TABLE signing_keys;

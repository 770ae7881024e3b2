-- +goose Up
-- Signing keys: the program root key (organization_id NULL) and each
-- organization's issuing keys. Private keys are sealed under the master key
-- (a data key per signing key); a root key kept offline has none here.
CREATE TABLE signing_keys (
    id              TEXT PRIMARY KEY,
    kind            TEXT NOT NULL CHECK (kind IN ('root', 'issuing')),
    organization_id TEXT REFERENCES organizations (id),
    kid             BYTEA NOT NULL,
    public_key      BYTEA NOT NULL UNIQUE,
    wrapped_key     BYTEA,
    sealed_private  BYTEA,
    valid_from      TIMESTAMPTZ NOT NULL,
    valid_to        TIMESTAMPTZ NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('active', 'retired', 'revoked')),
    certified_at    TIMESTAMPTZ,
    created_at      TIMESTAMPTZ NOT NULL
);
CREATE INDEX signing_keys_organization ON signing_keys (organization_id, status);

-- Signed trust lists, newest last; the newest is published.
CREATE TABLE trust_lists (
    seq       BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    signed    BYTEA NOT NULL,
    issued_at TIMESTAMPTZ NOT NULL
);

-- Status lists: which indexes are assigned and which revoked, and the last
-- signed form.
CREATE TABLE status_lists (
    organization_id TEXT NOT NULL REFERENCES organizations (id),
    list_id         BIGINT NOT NULL,
    assigned        BYTEA NOT NULL,
    revoked         BYTEA NOT NULL,
    used            INTEGER NOT NULL,
    signed          BYTEA NOT NULL,
    issued_at       TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (organization_id, list_id)
);

-- A letter's credential: its QR text is sealed with the client's data key
-- (it holds the client's name), so erasing the client erases it too.
ALTER TABLE letters ADD COLUMN credential_id TEXT NOT NULL DEFAULT '';
ALTER TABLE letters ADD COLUMN signing_key_id TEXT NOT NULL DEFAULT '';
ALTER TABLE letters ADD COLUMN status_list_id BIGINT NOT NULL DEFAULT 0;
ALTER TABLE letters ADD COLUMN status_index BIGINT NOT NULL DEFAULT 0;
ALTER TABLE letters ADD COLUMN sealed_qr BYTEA;

-- +goose Down
ALTER TABLE letters DROP COLUMN sealed_qr;
ALTER TABLE letters DROP COLUMN status_index;
ALTER TABLE letters DROP COLUMN status_list_id;
ALTER TABLE letters DROP COLUMN signing_key_id;
ALTER TABLE letters DROP COLUMN credential_id;
DROP TABLE status_lists;
DROP TABLE trust_lists;
DROP TABLE signing_keys;

-- +goose Up
-- Staff accounts. The TOTP secret is sealed under the master key (a data
-- key per account); recovery codes are kept as hashes, one row each.
CREATE TABLE accounts (
    id              TEXT PRIMARY KEY,
    email           TEXT NOT NULL UNIQUE,
    name            TEXT NOT NULL,
    role            TEXT NOT NULL,
    organization_id TEXT REFERENCES organizations (id),
    status          TEXT NOT NULL CHECK (status IN ('active', 'suspended')),
    password_hash   TEXT NOT NULL,
    wrapped_key     BLOB NOT NULL,
    sealed_totp     BLOB,
    totp_last_step  INTEGER NOT NULL DEFAULT 0,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);
CREATE INDEX accounts_organization ON accounts (organization_id);

CREATE TABLE recovery_codes (
    account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    code_hash  BLOB NOT NULL,
    PRIMARY KEY (account_id, code_hash)
);

-- Invitations by link: the link's token is kept as its SHA-256 only.
CREATE TABLE invitations (
    id              TEXT PRIMARY KEY,
    token_hash      BLOB NOT NULL UNIQUE,
    email           TEXT NOT NULL,
    role            TEXT NOT NULL,
    organization_id TEXT REFERENCES organizations (id),
    created_by      TEXT NOT NULL,
    expires_at      TEXT NOT NULL,
    used_at         TEXT,
    created_at      TEXT NOT NULL
);

-- Server-side sessions, found by the SHA-256 of the cookie's token.
CREATE TABLE sessions (
    token_hash   BLOB PRIMARY KEY,
    account_id   TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    second_factor INTEGER NOT NULL,
    created_at   TEXT NOT NULL,
    last_seen_at TEXT NOT NULL
);
CREATE INDEX sessions_account ON sessions (account_id);

-- +goose Down
DROP TABLE sessions;
DROP TABLE invitations;
DROP TABLE recovery_codes;
DROP TABLE accounts;

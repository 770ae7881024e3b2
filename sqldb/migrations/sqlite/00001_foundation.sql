-- +goose Up
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value BLOB NOT NULL
);

CREATE TABLE program (
    id                   INTEGER PRIMARY KEY CHECK (id = 1),
    name                 TEXT NOT NULL,
    jurisdiction         TEXT NOT NULL,
    letter_capacity      INTEGER NOT NULL,
    languages            TEXT NOT NULL,
    letter_validity_days INTEGER NOT NULL,
    verify_url           TEXT NOT NULL,
    updated_at           TEXT NOT NULL
);
INSERT INTO program VALUES (1, 'Legal protection program', 'Not set', 500, '["en","es"]', 365,
    'http://127.0.0.1:8080/v', '2026-01-01T00:00:00.000000Z');

CREATE TABLE organizations (
    id            TEXT PRIMARY KEY,
    name          TEXT NOT NULL UNIQUE,
    kind          TEXT NOT NULL,
    contact_name  TEXT NOT NULL,
    contact_email TEXT NOT NULL,
    contact_phone TEXT NOT NULL,
    service_area  TEXT NOT NULL,
    languages     TEXT NOT NULL,
    capacity      INTEGER NOT NULL,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
);

CREATE TABLE members (
    id                 TEXT PRIMARY KEY,
    organization_id    TEXT NOT NULL REFERENCES organizations (id),
    name               TEXT NOT NULL,
    kind               TEXT NOT NULL,
    bar_jurisdiction   TEXT NOT NULL,
    bar_number         TEXT NOT NULL,
    recognized_org     TEXT NOT NULL,
    accreditation_date TEXT NOT NULL,
    email              TEXT NOT NULL,
    languages          TEXT NOT NULL,
    case_capacity      INTEGER NOT NULL,
    public_phone       TEXT NOT NULL,
    status             TEXT NOT NULL,
    created_at         TEXT NOT NULL,
    updated_at         TEXT NOT NULL
);
CREATE INDEX members_organization ON members (organization_id);
CREATE UNIQUE INDEX members_bar ON members (bar_jurisdiction, bar_number) WHERE kind = 'attorney';

-- Every personal field of a client is in sealed, encrypted with the client's
-- data key; the key, wrapped by the master key, is in client_keys, so that
-- erasing a client destroys one small row.
CREATE TABLE clients (
    id              TEXT PRIMARY KEY,
    organization_id TEXT NOT NULL REFERENCES organizations (id),
    sealed          BLOB NOT NULL,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);
CREATE INDEX clients_organization ON clients (organization_id, created_at);

CREATE TABLE client_keys (
    client_id TEXT PRIMARY KEY REFERENCES clients (id) ON DELETE CASCADE,
    wrapped   BLOB NOT NULL
);

-- Blind index: keyed HMAC tokens of the normalized words of a client's names.
CREATE TABLE client_name_tokens (
    token     BLOB NOT NULL,
    client_id TEXT NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
    PRIMARY KEY (token, client_id)
);
CREATE INDEX client_name_tokens_client ON client_name_tokens (client_id);

CREATE TABLE letters (
    id              TEXT PRIMARY KEY,
    client_id       TEXT REFERENCES clients (id) ON DELETE SET NULL,
    member_id       TEXT NOT NULL REFERENCES members (id),
    organization_id TEXT NOT NULL REFERENCES organizations (id),
    status          TEXT NOT NULL,
    issued_at       TEXT,
    valid_until     TEXT,
    revoked_at      TEXT,
    revoke_reason   TEXT NOT NULL,
    superseded_by   TEXT NOT NULL,
    languages       TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);
CREATE INDEX letters_organization ON letters (organization_id, status);
CREATE INDEX letters_client ON letters (client_id);
CREATE INDEX letters_active_until ON letters (valid_until) WHERE status = 'active';

CREATE TABLE audit_events (
    seq             INTEGER PRIMARY KEY AUTOINCREMENT,
    at              TEXT NOT NULL,
    actor_id        TEXT NOT NULL,
    actor_role      TEXT NOT NULL,
    organization_id TEXT NOT NULL,
    action          TEXT NOT NULL,
    record_type     TEXT NOT NULL,
    record_id       TEXT NOT NULL,
    -- SHA-256 over the previous event's hash and this event: editing,
    -- deleting or reordering an event breaks the chain (amparo audit verify).
    hash            BLOB NOT NULL
);
CREATE INDEX audit_events_record ON audit_events (record_type, record_id);

-- The chain's head, one row: appending locks it, so events chain in order.
CREATE TABLE audit_head (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    hash BLOB NOT NULL
);
INSERT INTO audit_head (id, hash) VALUES (1, zeroblob(32));
CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;
CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;

-- +goose Down
DROP TABLE audit_head;
DROP TABLE audit_events;
DROP TABLE letters;
DROP TABLE client_name_tokens;
DROP TABLE client_keys;
DROP TABLE clients;
DROP TABLE members;
DROP TABLE organizations;
DROP TABLE program;
DROP TABLE meta;

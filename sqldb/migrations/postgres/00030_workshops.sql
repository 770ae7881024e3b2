-- +goose Up
-- Know-your-rights workshops. A workshop's texts (titles, descriptions,
-- venue, address, accessibility notes) and its ticket signing key are
-- sealed under its own data key (wrapped); what the public page sorts and
-- filters by is in clear.
CREATE TABLE workshops (
    id                 TEXT PRIMARY KEY,
    organization_id    TEXT NOT NULL REFERENCES organizations (id),
    status             TEXT NOT NULL,
    starts_at          TIMESTAMPTZ NOT NULL,
    ends_at            TIMESTAMPTZ NOT NULL,
    capacity           INTEGER NOT NULL,
    address_visibility TEXT NOT NULL,
    languages          TEXT NOT NULL,
    facilitators       TEXT NOT NULL,
    materials          TEXT NOT NULL,
    retention_days     INTEGER NOT NULL,
    offer_hours        INTEGER NOT NULL,
    public_key         BYTEA NOT NULL,
    wrapped            BYTEA NOT NULL,
    sealed             BYTEA NOT NULL,
    erased_at          TIMESTAMPTZ,
    created_at         TIMESTAMPTZ NOT NULL,
    updated_at         TIMESTAMPTZ NOT NULL
);
CREATE INDEX workshops_org_start ON workshops (organization_id, starts_at, id);
CREATE INDEX workshops_status_start ON workshops (status, starts_at, id);

-- A registration asks for nothing that identifies anyone. Its alias and
-- contact details are sealed under its own data key; the ticket link is
-- kept only as a keyed MAC of its token. When the workshop's retention
-- ends, code, token_mac, wrapped and sealed are erased (NULL) and the rest
-- stays, for the counts.
CREATE TABLE workshop_registrations (
    id               TEXT PRIMARY KEY,
    workshop_id      TEXT NOT NULL REFERENCES workshops (id),
    code             TEXT,
    token_mac        BYTEA,
    status           TEXT NOT NULL,
    party_size       INTEGER NOT NULL,
    language         TEXT NOT NULL,
    has_alias        INTEGER NOT NULL DEFAULT 0,
    has_phone        INTEGER NOT NULL DEFAULT 0,
    has_email        INTEGER NOT NULL DEFAULT 0,
    wrapped          BYTEA,
    sealed           BYTEA,
    offer_expires_at TIMESTAMPTZ,
    checked_in_at    TIMESTAMPTZ,
    created_at       TIMESTAMPTZ NOT NULL,
    updated_at       TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX workshop_registrations_code ON workshop_registrations (workshop_id, code) WHERE code IS NOT NULL;
CREATE UNIQUE INDEX workshop_registrations_token ON workshop_registrations (token_mac) WHERE token_mac IS NOT NULL;
CREATE INDEX workshop_registrations_line ON workshop_registrations (workshop_id, status, created_at, id);

-- Every scan at the door, by its nonce: a retried upload finds its first
-- answer here and counts nothing again. Walk-ins are scans with no code.
CREATE TABLE workshop_scans (
    workshop_id     TEXT NOT NULL REFERENCES workshops (id),
    nonce           TEXT NOT NULL,
    outcome         TEXT NOT NULL,
    code            TEXT,
    party_size      INTEGER NOT NULL,
    at              TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (workshop_id, nonce)
);

-- Each erasure of a workshop's attendee details, with counts of what it
-- erased: shown to the organizer, and named in the audit trail.
CREATE TABLE workshop_erasures (
    id            TEXT PRIMARY KEY,
    workshop_id   TEXT NOT NULL REFERENCES workshops (id),
    at            TIMESTAMPTZ NOT NULL,
    actor_id      TEXT NOT NULL,
    registrations INTEGER NOT NULL,
    aliases       INTEGER NOT NULL,
    contacts      INTEGER NOT NULL,
    tickets       INTEGER NOT NULL
);
CREATE INDEX workshop_erasures_workshop ON workshop_erasures (workshop_id, at);

-- +goose Down
DROP TABLE workshop_erasures;
DROP TABLE workshop_scans;
DROP TABLE workshop_registrations;
DROP TABLE workshops;

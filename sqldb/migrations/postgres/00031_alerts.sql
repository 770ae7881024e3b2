-- +goose Up
-- Rapid response. A client's response plan (responders, numbers,
-- prepared messages) is sealed under the client's data key; phone_hash is
-- a keyed hash of the client's own number, by which an SMS keyword finds
-- the plan. An alert's report, note and checklist are sealed under its own
-- data key (wrapped_key); key_hash is a keyed hash of the client's
-- idempotency key. Recipients are found by keyed hashes of their numbers
-- and of their acknowledgement links' tokens. The timeline names no one.
CREATE TABLE response_plans (
    client_id       TEXT PRIMARY KEY,
    organization_id TEXT NOT NULL,
    phone_hash      BYTEA,
    sealed          BYTEA NOT NULL,
    updated_at      TIMESTAMPTZ NOT NULL
);
CREATE INDEX response_plans_phone ON response_plans (phone_hash);

CREATE TABLE alerts (
    id              TEXT PRIMARY KEY,
    organization_id TEXT NOT NULL,
    client_id       TEXT,
    link_id         TEXT NOT NULL DEFAULT '',
    source          TEXT NOT NULL,
    status          TEXT NOT NULL,
    verification    TEXT NOT NULL DEFAULT '',
    key_hash        BYTEA NOT NULL UNIQUE,
    timeout_ms      INTEGER NOT NULL,
    step            INTEGER NOT NULL DEFAULT 0,
    raised_at       TIMESTAMPTZ NOT NULL,
    acknowledged_at TIMESTAMPTZ,
    ack_by          TEXT NOT NULL DEFAULT '',
    ack_channel     TEXT NOT NULL DEFAULT '',
    resolved_at     TIMESTAMPTZ,
    outcome         TEXT NOT NULL DEFAULT '',
    wrapped_key     BYTEA NOT NULL,
    sealed          BYTEA NOT NULL
);
CREATE INDEX alerts_org ON alerts (organization_id, raised_at);
CREATE INDEX alerts_client ON alerts (client_id, raised_at);

CREATE TABLE alert_recipients (
    alert_id   TEXT NOT NULL,
    idx        INTEGER NOT NULL,
    kind       TEXT NOT NULL,
    phone_hash BYTEA NOT NULL,
    token_hash BYTEA NOT NULL UNIQUE,
    PRIMARY KEY (alert_id, idx)
);
CREATE INDEX alert_recipients_phone ON alert_recipients (phone_hash);

CREATE TABLE alert_events (
    id         TEXT PRIMARY KEY,
    alert_id   TEXT NOT NULL,
    at         TIMESTAMPTZ NOT NULL,
    kind       TEXT NOT NULL,
    responder  INTEGER NOT NULL DEFAULT -1,
    channel    TEXT NOT NULL DEFAULT '',
    message_id TEXT NOT NULL DEFAULT '',
    actor_id   TEXT NOT NULL DEFAULT '',
    step       INTEGER NOT NULL DEFAULT 0,
    seq        INTEGER NOT NULL
);
CREATE INDEX alert_events_alert ON alert_events (alert_id, seq);

-- +goose Down
DROP TABLE alert_events;
DROP TABLE alert_recipients;
DROP TABLE alerts;
DROP TABLE response_plans;

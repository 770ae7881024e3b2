-- +goose Up
-- The outbox: every message to send, written in the transaction of the
-- event that causes it, with a job that hands it to its provider.
-- Recipient, subject and body are sealed under the message's own data key
-- (wrapped_key); after the retention period both are deleted and only
-- the statuses stay. to_hash is a keyed hash of the recipient. event_key
-- names records by ID, never a person. idempotency_key is what the
-- provider is given, so that a retry never sends twice.
CREATE TABLE messages (
    id              TEXT PRIMARY KEY,
    channel         TEXT NOT NULL,
    event_key       TEXT NOT NULL,
    attempt_group   INTEGER NOT NULL DEFAULT 0,
    idempotency_key TEXT NOT NULL UNIQUE,
    emergency       BOOLEAN NOT NULL,
    status          TEXT NOT NULL,
    provider_id     TEXT NOT NULL DEFAULT '',
    segments        INTEGER NOT NULL DEFAULT 0,
    attempts        INTEGER NOT NULL DEFAULT 0,
    last_error      TEXT NOT NULL DEFAULT '',
    to_hash         BYTEA NOT NULL,
    wrapped_key     BYTEA,
    sealed          BYTEA,
    created_at      TIMESTAMPTZ NOT NULL,
    updated_at      TIMESTAMPTZ NOT NULL,
    sent_at         TIMESTAMPTZ
);
CREATE INDEX messages_provider ON messages (provider_id);
CREATE INDEX messages_status ON messages (status, channel);
CREATE INDEX messages_created ON messages (created_at) WHERE sealed IS NOT NULL;

-- Phone numbers that opted out of non-emergency messages (STOP, BAJA...),
-- by keyed hash of the number, with the language they wrote in.
CREATE TABLE opt_outs (
    number_hash BYTEA PRIMARY KEY,
    opted_out   BOOLEAN NOT NULL,
    language    TEXT NOT NULL DEFAULT '',
    updated_at  TIMESTAMPTZ NOT NULL
);

-- +goose Down
DROP TABLE opt_outs;
DROP TABLE messages;

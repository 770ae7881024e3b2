-- +goose Up
-- The sign-in and intake limiters' entries, shared by every process that
-- serves: a failure count with its time (per account and address, per
-- account) or an address's tokens. key is a keyed MAC of the limiter's
-- hash of what was typed or of the address: neither an email nor an
-- address is stored. Rows untouched for a day are pruned hourly.
CREATE TABLE limits (
    key        BLOB PRIMARY KEY,
    failures   INTEGER NOT NULL DEFAULT 0,
    last       TEXT,
    tokens     REAL NOT NULL DEFAULT 0,
    at         TEXT,
    updated_at TEXT NOT NULL
);
CREATE INDEX limits_updated ON limits (updated_at);

-- +goose Down
DROP TABLE limits;

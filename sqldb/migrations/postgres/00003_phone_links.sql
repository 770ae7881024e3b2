-- +goose Up
-- A letter's phone page is reached through a private link and a short PIN.
-- The link's token and PIN are sealed with the client's data key (so they
-- can be printed again, and die with the client); the database finds a link
-- by the token's SHA-256 and checks a PIN against its keyed MAC.
CREATE TABLE phone_links (
    id           TEXT PRIMARY KEY,
    letter_id    TEXT NOT NULL REFERENCES letters (id) ON DELETE CASCADE,
    token_hash   BYTEA NOT NULL UNIQUE,
    pin_mac      BYTEA NOT NULL,
    sealed       BYTEA NOT NULL,
    failures     INTEGER NOT NULL DEFAULT 0,
    locked_until TIMESTAMPTZ,
    revoked_at   TIMESTAMPTZ,
    created_at   TIMESTAMPTZ NOT NULL
);
CREATE INDEX phone_links_letter ON phone_links (letter_id);

-- +goose Down
DROP TABLE phone_links;

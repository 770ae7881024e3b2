-- +goose Up
-- A phone link is the client's, not a letter's: renewing a letter keeps the
-- link and PIN the client already has, and the page shows their current
-- letter. Each existing link moves to its letter's client; a client keeps
-- only their newest working link (the others stop working), and links of
-- letters whose client was erased go.
--
-- Wrong PINs no longer lock a link for everyone: phone_pin_tries counts them
-- per link and source (a keyed MAC of the address, never the address), and
-- day_failures caps the wrong PINs a link takes per day from all sources.
CREATE TABLE phone_links_by_client (
    id           TEXT PRIMARY KEY,
    client_id    TEXT NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
    token_hash   BLOB NOT NULL UNIQUE,
    pin_mac      BLOB NOT NULL,
    sealed       BLOB NOT NULL,
    day_started  TEXT,
    day_failures INTEGER NOT NULL DEFAULT 0,
    revoked_at   TEXT,
    created_at   TEXT NOT NULL
);
INSERT INTO phone_links_by_client (id, client_id, token_hash, pin_mac, sealed, revoked_at, created_at)
    SELECT p.id, l.client_id, p.token_hash, p.pin_mac, p.sealed, p.revoked_at, p.created_at
    FROM phone_links p JOIN letters l ON l.id = p.letter_id WHERE l.client_id IS NOT NULL;
UPDATE phone_links_by_client SET revoked_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
    WHERE revoked_at IS NULL AND EXISTS (SELECT 1 FROM phone_links_by_client n
        WHERE n.client_id = phone_links_by_client.client_id AND n.revoked_at IS NULL
        AND (n.created_at > phone_links_by_client.created_at
             OR (n.created_at = phone_links_by_client.created_at AND n.id > phone_links_by_client.id)));
DROP TABLE phone_links;
ALTER TABLE phone_links_by_client RENAME TO phone_links;
CREATE INDEX phone_links_client ON phone_links (client_id);
CREATE UNIQUE INDEX phone_links_client_working ON phone_links (client_id) WHERE revoked_at IS NULL;
CREATE TABLE phone_pin_tries (
    link_id      TEXT NOT NULL REFERENCES phone_links (id) ON DELETE CASCADE,
    source       BLOB NOT NULL,
    failures     INTEGER NOT NULL,
    locked_until TEXT,
    last_failure TEXT NOT NULL,
    PRIMARY KEY (link_id, source)
);

-- +goose Down
DROP TABLE phone_pin_tries;
CREATE TABLE phone_links_by_letter (
    id           TEXT PRIMARY KEY,
    letter_id    TEXT NOT NULL REFERENCES letters (id) ON DELETE CASCADE,
    token_hash   BLOB NOT NULL UNIQUE,
    pin_mac      BLOB NOT NULL,
    sealed       BLOB NOT NULL,
    failures     INTEGER NOT NULL DEFAULT 0,
    locked_until TEXT,
    revoked_at   TEXT,
    created_at   TEXT NOT NULL
);
INSERT INTO phone_links_by_letter (id, letter_id, token_hash, pin_mac, sealed, revoked_at, created_at)
    SELECT p.id, (SELECT l.id FROM letters l WHERE l.client_id = p.client_id AND l.issued_at IS NOT NULL
                  ORDER BY l.issued_at DESC, l.id DESC LIMIT 1), p.token_hash, p.pin_mac, p.sealed, p.revoked_at, p.created_at
    FROM phone_links p
    WHERE EXISTS (SELECT 1 FROM letters l WHERE l.client_id = p.client_id AND l.issued_at IS NOT NULL);
DROP TABLE phone_links;
ALTER TABLE phone_links_by_letter RENAME TO phone_links;
CREATE INDEX phone_links_letter ON phone_links (letter_id);

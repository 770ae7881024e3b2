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
ALTER TABLE phone_links ADD COLUMN client_id TEXT REFERENCES clients (id) ON DELETE CASCADE;
UPDATE phone_links p SET client_id = l.client_id FROM letters l WHERE l.id = p.letter_id;
DELETE FROM phone_links WHERE client_id IS NULL;
ALTER TABLE phone_links ALTER COLUMN client_id SET NOT NULL;
UPDATE phone_links p SET revoked_at = now()
    WHERE revoked_at IS NULL AND EXISTS (SELECT 1 FROM phone_links n
        WHERE n.client_id = p.client_id AND n.revoked_at IS NULL
        AND (n.created_at > p.created_at OR (n.created_at = p.created_at AND n.id > p.id)));
DROP INDEX phone_links_letter;
ALTER TABLE phone_links DROP COLUMN letter_id;
ALTER TABLE phone_links DROP COLUMN failures;
ALTER TABLE phone_links DROP COLUMN locked_until;
ALTER TABLE phone_links ADD COLUMN day_started TIMESTAMPTZ;
ALTER TABLE phone_links ADD COLUMN day_failures INTEGER NOT NULL DEFAULT 0;
CREATE INDEX phone_links_client ON phone_links (client_id);
CREATE UNIQUE INDEX phone_links_client_working ON phone_links (client_id) WHERE revoked_at IS NULL;
CREATE TABLE phone_pin_tries (
    link_id      TEXT NOT NULL REFERENCES phone_links (id) ON DELETE CASCADE,
    source       BYTEA NOT NULL,
    failures     INTEGER NOT NULL,
    locked_until TIMESTAMPTZ,
    last_failure TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (link_id, source)
);

-- +goose Down
DROP TABLE phone_pin_tries;
ALTER TABLE phone_links ADD COLUMN letter_id TEXT REFERENCES letters (id) ON DELETE CASCADE;
UPDATE phone_links p SET letter_id = (SELECT l.id FROM letters l WHERE l.client_id = p.client_id AND l.issued_at IS NOT NULL
    ORDER BY l.issued_at DESC, l.id DESC LIMIT 1);
DELETE FROM phone_links WHERE letter_id IS NULL;
ALTER TABLE phone_links ALTER COLUMN letter_id SET NOT NULL;
DROP INDEX phone_links_client_working;
DROP INDEX phone_links_client;
ALTER TABLE phone_links DROP COLUMN client_id;
ALTER TABLE phone_links DROP COLUMN day_started;
ALTER TABLE phone_links DROP COLUMN day_failures;
ALTER TABLE phone_links ADD COLUMN failures INTEGER NOT NULL DEFAULT 0;
ALTER TABLE phone_links ADD COLUMN locked_until TIMESTAMPTZ;
CREATE INDEX phone_links_letter ON phone_links (letter_id);

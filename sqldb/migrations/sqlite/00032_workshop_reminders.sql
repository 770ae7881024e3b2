-- +goose Up
-- Workshop reminders. A registration's phone number is found, for a reply
-- to its day-before reminder, by a keyed hash (never the number); it is
-- erased with the rest. reply is 'yes' or 'no' once the person replied.
ALTER TABLE workshop_registrations ADD COLUMN phone_hash BLOB;
ALTER TABLE workshop_registrations ADD COLUMN reply TEXT;
ALTER TABLE workshop_registrations ADD COLUMN replied_at TEXT;
CREATE INDEX workshop_registrations_phone ON workshop_registrations (phone_hash) WHERE phone_hash IS NOT NULL;

-- Each reminder enqueued, once per (registration, kind): the scheduling
-- job skips those here, and the outbox's idempotency key stops a second
-- message should two runs race.
CREATE TABLE workshop_reminders (
    registration_id TEXT NOT NULL REFERENCES workshop_registrations (id),
    kind            TEXT NOT NULL,
    at              TEXT NOT NULL,
    PRIMARY KEY (registration_id, kind)
);

-- +goose Down
DROP TABLE workshop_reminders;
DROP INDEX workshop_registrations_phone;
ALTER TABLE workshop_registrations DROP COLUMN replied_at;
ALTER TABLE workshop_registrations DROP COLUMN reply;
ALTER TABLE workshop_registrations DROP COLUMN phone_hash;

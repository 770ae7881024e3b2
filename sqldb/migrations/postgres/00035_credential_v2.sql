-- +goose Up
-- Credential version 2 (docs/credential.md, part II). A member's reference
-- is a small number, unique within its organization, that version 2 QR
-- codes carry instead of the member's name and numbers; the signed roster
-- maps it to the member. Existing members are numbered in the order they
-- were added.
ALTER TABLE members ADD COLUMN ref INTEGER;
UPDATE members SET ref = n.ref FROM (
    SELECT id, row_number() OVER (PARTITION BY organization_id ORDER BY created_at, id) AS ref FROM members
) n WHERE members.id = n.id;
CREATE UNIQUE INDEX members_ref ON members (organization_id, ref);

-- The organization's public number, shown by verifiers instead of a member
-- who has left or is suspended.
ALTER TABLE organizations ADD COLUMN public_phone TEXT NOT NULL DEFAULT '';

-- Each organization's signed roster, re-signed when a member changes.
CREATE TABLE rosters (
    organization_id TEXT PRIMARY KEY REFERENCES organizations (id),
    signed          BYTEA NOT NULL,
    issued_at       TIMESTAMPTZ NOT NULL
);

-- 1 or 2: the version of the letter's credential (version 2 from now on).
ALTER TABLE letters ADD COLUMN credential_version INTEGER NOT NULL DEFAULT 1;

-- +goose Down
ALTER TABLE letters DROP COLUMN credential_version;
DROP TABLE rosters;
ALTER TABLE organizations DROP COLUMN public_phone;
DROP INDEX members_ref;
ALTER TABLE members DROP COLUMN ref;

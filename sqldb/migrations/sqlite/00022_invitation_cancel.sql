-- +goose Up
-- An admin cancels an invitation before it is used: it stays, for the
-- audit trail, but no longer works. Pending invitations are listed per
-- organization, newest first.
ALTER TABLE invitations ADD COLUMN cancelled_at TEXT;
CREATE INDEX invitations_pending ON invitations (organization_id, created_at);

-- +goose Down
DROP INDEX invitations_pending;
ALTER TABLE invitations DROP COLUMN cancelled_at;

-- +goose Up
-- A member record is linked to the account of the person it names: only
-- that account, with its second factor, issues letters in the member's name.
ALTER TABLE members ADD COLUMN account_id TEXT REFERENCES accounts (id);
CREATE UNIQUE INDEX members_account ON members (account_id) WHERE account_id IS NOT NULL;
-- An invitation may be for a member record: accepting it links the account.
ALTER TABLE invitations ADD COLUMN member_id TEXT REFERENCES members (id);
-- Drafts are sent to their member for approval; the approver is recorded.
ALTER TABLE letters ADD COLUMN submitted_at TEXT;
ALTER TABLE letters ADD COLUMN approved_by TEXT NOT NULL DEFAULT '';
-- Letters are valid by calendar day in the program's time zone.
ALTER TABLE program ADD COLUMN time_zone TEXT NOT NULL DEFAULT 'UTC';

-- +goose Down
ALTER TABLE program DROP COLUMN time_zone;
ALTER TABLE letters DROP COLUMN approved_by;
ALTER TABLE letters DROP COLUMN submitted_at;
ALTER TABLE invitations DROP COLUMN member_id;
DROP INDEX members_account;
ALTER TABLE members DROP COLUMN account_id;

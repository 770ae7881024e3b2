-- +goose Up
-- When the person last changed their own record through the public form
-- (or proposed new contact details), and when staff last opened its
-- history: the list marks a record the person updated since staff looked.
ALTER TABLE applicants ADD COLUMN applicant_updated_at TEXT;
ALTER TABLE applicants ADD COLUMN staff_seen_at TEXT;

-- +goose Down
ALTER TABLE applicants DROP COLUMN staff_seen_at;
ALTER TABLE applicants DROP COLUMN applicant_updated_at;

-- +goose Up
-- Members who work through an interpreter their organization provides.
ALTER TABLE members ADD COLUMN interpreter INTEGER NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE members DROP COLUMN interpreter;

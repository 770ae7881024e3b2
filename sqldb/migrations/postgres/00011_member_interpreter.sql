-- +goose Up
-- Members who work through an interpreter their organization provides.
ALTER TABLE members ADD COLUMN interpreter BOOLEAN NOT NULL DEFAULT false;

-- +goose Down
ALTER TABLE members DROP COLUMN interpreter;

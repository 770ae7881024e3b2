-- +goose Up
-- Each policy version carries the TPS designations it ranks with; empty
-- means the table Amparo ships.
ALTER TABLE policies ADD COLUMN tps TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE policies DROP COLUMN tps;

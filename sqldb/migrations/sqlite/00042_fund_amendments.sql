-- +goose Up
-- A grant's amendment may change its period and budget lines as well as
-- its award: each amendment keeps the terms it set ('' for the amendments
-- made before, which changed the award or the status alone).
ALTER TABLE fund_amendments ADD COLUMN period_start TEXT NOT NULL DEFAULT '';
ALTER TABLE fund_amendments ADD COLUMN period_end TEXT NOT NULL DEFAULT '';
-- budget_lines: "line=cents" pairs, comma-separated, in line order.
ALTER TABLE fund_amendments ADD COLUMN budget_lines TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE fund_amendments DROP COLUMN budget_lines;
ALTER TABLE fund_amendments DROP COLUMN period_end;
ALTER TABLE fund_amendments DROP COLUMN period_start;

-- +goose Up
-- The council's report sums each closed case's spending from the ledger:
-- an index by case keeps that a range read per case.
CREATE INDEX fund_ledger_case ON fund_ledger (case_id, account, effective_on);

-- +goose Down
DROP INDEX fund_ledger_case;

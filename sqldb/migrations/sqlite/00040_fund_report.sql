-- +goose Up
-- The council's report reads the fund's ledger by aggregate queries:
-- each case's spending in a quarter (by date), and the whole spending of
-- the cases closed in it (by case). Both indexes carry the amount, so the
-- sums read the index alone.
CREATE INDEX fund_ledger_case ON fund_ledger (case_id, account, effective_on, amount_cents);
CREATE INDEX fund_ledger_spend_case ON fund_ledger (account, effective_on, case_id, amount_cents);

-- +goose Down
DROP INDEX fund_ledger_spend_case;
DROP INDEX fund_ledger_case;

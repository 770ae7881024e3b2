-- +goose Up
-- The deportation-defense fund. Amounts are integer cents; dates are
-- 'YYYY-MM-DD' text in both databases. The council's reports read these
-- tables through aggregate queries: detention and priority group of a
-- funded case are in clear for that; the facts of its eligibility
-- snapshot are sealed under the case's own data key.
CREATE TABLE fund_sources (
    id           TEXT PRIMARY KEY,
    name         TEXT NOT NULL,
    kind         TEXT NOT NULL,
    amount_cents INTEGER NOT NULL,
    period_start TEXT NOT NULL,
    period_end   TEXT NOT NULL,
    created_at   TEXT NOT NULL
);

-- Restrictions are data, versioned like the priority policy.
CREATE TABLE fund_restrictions (
    source_id  TEXT NOT NULL REFERENCES fund_sources (id),
    version    INTEGER NOT NULL,
    text       TEXT NOT NULL,
    reason     TEXT NOT NULL,
    author     TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (source_id, version)
);

CREATE TABLE fund_grants (
    id              TEXT PRIMARY KEY,
    source_id       TEXT NOT NULL REFERENCES fund_sources (id),
    organization_id TEXT NOT NULL REFERENCES organizations (id),
    status          TEXT NOT NULL,
    awarded_cents   INTEGER NOT NULL,
    period_start    TEXT NOT NULL,
    period_end      TEXT NOT NULL,
    locked_through  TEXT NOT NULL DEFAULT '',
    alert_percent   INTEGER NOT NULL,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);
CREATE INDEX fund_grants_org ON fund_grants (organization_id, id);
CREATE INDEX fund_grants_source ON fund_grants (source_id, id);

CREATE TABLE fund_budget_lines (
    grant_id     TEXT NOT NULL REFERENCES fund_grants (id),
    line         TEXT NOT NULL,
    amount_cents INTEGER NOT NULL,
    PRIMARY KEY (grant_id, line)
);

-- Amendments and status changes of a grant, with their reasons.
CREATE TABLE fund_amendments (
    id            TEXT PRIMARY KEY,
    grant_id      TEXT NOT NULL REFERENCES fund_grants (id),
    status        TEXT NOT NULL,
    awarded_cents INTEGER NOT NULL,
    reason        TEXT NOT NULL,
    actor_id      TEXT NOT NULL,
    created_at    TEXT NOT NULL
);
CREATE INDEX fund_amendments_grant ON fund_amendments (grant_id, created_at);

CREATE TABLE fund_cases (
    id                   TEXT PRIMARY KEY,
    grant_id             TEXT NOT NULL REFERENCES fund_grants (id),
    source_id            TEXT NOT NULL REFERENCES fund_sources (id),
    organization_id      TEXT NOT NULL REFERENCES organizations (id),
    client_id            TEXT NOT NULL DEFAULT '',
    applicant_id         TEXT NOT NULL DEFAULT '',
    detained             INTEGER NOT NULL,
    priority_group       TEXT NOT NULL,
    policy_version       INTEGER NOT NULL,
    restrictions_version INTEGER NOT NULL,
    court                TEXT NOT NULL,
    stage                TEXT NOT NULL,
    committed_cents      INTEGER NOT NULL,
    funded_on            TEXT NOT NULL,
    wrapped              BLOB NOT NULL,
    sealed               BLOB NOT NULL,
    created_at           TEXT NOT NULL
);
CREATE INDEX fund_cases_grant ON fund_cases (grant_id, id);
CREATE INDEX fund_cases_org ON fund_cases (organization_id, id);

-- Costs: time (hours in hundredths × rate) or expenses.
CREATE TABLE fund_costs (
    id              TEXT PRIMARY KEY,
    case_id         TEXT NOT NULL REFERENCES fund_cases (id),
    grant_id        TEXT NOT NULL REFERENCES fund_grants (id),
    organization_id TEXT NOT NULL REFERENCES organizations (id),
    budget_line     TEXT NOT NULL,
    kind            TEXT NOT NULL,
    centihours      INTEGER NOT NULL,
    rate_cents      INTEGER NOT NULL,
    amount_cents    INTEGER NOT NULL,
    incurred_on     TEXT NOT NULL,
    status          TEXT NOT NULL,
    recorded_by     TEXT NOT NULL,
    approved_by     TEXT NOT NULL DEFAULT '',
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);
CREATE INDEX fund_costs_case ON fund_costs (case_id, incurred_on);
CREATE INDEX fund_costs_grant ON fund_costs (grant_id, status, incurred_on);

CREATE TABLE fund_invoices (
    id              TEXT PRIMARY KEY,
    grant_id        TEXT NOT NULL REFERENCES fund_grants (id),
    organization_id TEXT NOT NULL REFERENCES organizations (id),
    period          TEXT NOT NULL,
    amount_cents    INTEGER NOT NULL,
    status          TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);
CREATE INDEX fund_invoices_grant ON fund_invoices (grant_id, period);

CREATE TABLE fund_outcomes (
    id           TEXT PRIMARY KEY,
    case_id      TEXT NOT NULL REFERENCES fund_cases (id),
    kind         TEXT NOT NULL,
    relief       TEXT NOT NULL DEFAULT '',
    bond_cents   INTEGER NOT NULL DEFAULT 0,
    decided_on   TEXT NOT NULL,
    recorded_by  TEXT NOT NULL,
    recorded_at  TEXT NOT NULL
);
CREATE INDEX fund_outcomes_case ON fund_outcomes (case_id, decided_on);

-- The ledger, append-only: a correction is a reversing entry. Accounts:
-- award, commit, spend, approve (an invoice approved), pay.
CREATE TABLE fund_ledger (
    id              TEXT PRIMARY KEY,
    seq             INTEGER NOT NULL UNIQUE,
    grant_id        TEXT NOT NULL REFERENCES fund_grants (id),
    source_id       TEXT NOT NULL REFERENCES fund_sources (id),
    organization_id TEXT NOT NULL REFERENCES organizations (id),
    account         TEXT NOT NULL,
    amount_cents    INTEGER NOT NULL,
    effective_on    TEXT NOT NULL,
    case_id         TEXT NOT NULL DEFAULT '',
    cost_id         TEXT NOT NULL DEFAULT '',
    invoice_id      TEXT NOT NULL DEFAULT '',
    reverses        TEXT NOT NULL DEFAULT '',
    reason          TEXT NOT NULL DEFAULT '',
    -- A spend entry's case and cost facts, copied at posting so the
    -- compliance and the council's aggregates read one table.
    detained        INTEGER NOT NULL DEFAULT 0,
    priority_group  TEXT NOT NULL DEFAULT '',
    budget_line     TEXT NOT NULL DEFAULT '',
    posted_by       TEXT NOT NULL,
    posted_at       TEXT NOT NULL
);
CREATE INDEX fund_ledger_grant ON fund_ledger (grant_id, seq);
CREATE INDEX fund_ledger_spend ON fund_ledger (account, effective_on);

-- Spending by month ('YYYY-MM'), source, organization, detention,
-- priority group and budget line, kept in the same transaction as every
-- spend entry: the compliance of a period sums a few rows a month.
CREATE TABLE fund_spend_months (
    source_id       TEXT NOT NULL,
    organization_id TEXT NOT NULL,
    month           TEXT NOT NULL,
    detained        INTEGER NOT NULL,
    priority_group  TEXT NOT NULL,
    budget_line     TEXT NOT NULL,
    amount_cents    INTEGER NOT NULL,
    PRIMARY KEY (month, source_id, organization_id, detained, priority_group, budget_line)
);

-- Each grant's running sums by account, kept in the same transaction as
-- every posting (and checked against the entries by the tests): balances
-- read a row per account, not the whole ledger.
CREATE TABLE fund_balances (
    grant_id     TEXT NOT NULL REFERENCES fund_grants (id),
    account      TEXT NOT NULL,
    amount_cents INTEGER NOT NULL,
    PRIMARY KEY (grant_id, account)
);
CREATE UNIQUE INDEX fund_ledger_reverses ON fund_ledger (reverses) WHERE reverses <> '';
CREATE TRIGGER fund_ledger_no_update BEFORE UPDATE ON fund_ledger
BEGIN SELECT RAISE(ABORT, 'the fund ledger is append-only'); END;
CREATE TRIGGER fund_ledger_no_delete BEFORE DELETE ON fund_ledger
BEGIN SELECT RAISE(ABORT, 'the fund ledger is append-only'); END;

-- +goose Down
DROP TABLE fund_spend_months;
DROP TABLE fund_balances;
DROP TABLE fund_ledger;
DROP TABLE fund_outcomes;
DROP TABLE fund_invoices;
DROP TABLE fund_costs;
DROP TABLE fund_cases;
DROP TABLE fund_amendments;
DROP TABLE fund_budget_lines;
DROP TABLE fund_grants;
DROP TABLE fund_restrictions;
DROP TABLE fund_sources;

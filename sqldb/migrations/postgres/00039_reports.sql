-- +goose Up
-- The council's report releases: one per period, immutable once made.
-- public is the published JSON (hash is its SHA-256); private holds the
-- true counts of the release, which only the next release's check reads:
-- both are aggregate counts, never person-level rows. The indexes let
-- the reports' counts read ranges of an index, not whole tables.
CREATE TABLE report_releases (
    id           TEXT PRIMARY KEY,
    period_from  TIMESTAMPTZ NOT NULL,
    period_until TIMESTAMPTZ NOT NULL,
    hash         TEXT NOT NULL,
    public       TEXT NOT NULL,
    private      TEXT NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL,
    created_by   TEXT NOT NULL,
    approved_at  TIMESTAMPTZ,
    approved_by  TEXT NOT NULL DEFAULT ''
);
CREATE INDEX report_releases_until ON report_releases (period_until);
CREATE INDEX letters_issued ON letters (issued_at, organization_id);
CREATE INDEX letters_revoked ON letters (revoked_at, organization_id);
CREATE INDEX letters_superseded ON letters (superseded_by);
CREATE INDEX applicant_events_status ON applicant_events (status, at, applicant_id);
CREATE INDEX applicants_org_created ON applicants (organization_id, created_at, id);
CREATE INDEX alerts_raised ON alerts (raised_at);
CREATE INDEX workshop_scans_at ON workshop_scans (at);

-- +goose Down
DROP INDEX workshop_scans_at;
DROP INDEX alerts_raised;
DROP INDEX applicants_org_created;
DROP INDEX applicant_events_status;
DROP INDEX letters_superseded;
DROP INDEX letters_revoked;
DROP INDEX letters_issued;
DROP INDEX report_releases_until;
DROP TABLE report_releases;

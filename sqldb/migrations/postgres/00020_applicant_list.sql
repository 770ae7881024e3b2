-- +goose Up
-- The intake list pages through an organization's applicants newest
-- first, by when they were received, last updated, or by status in the
-- order of the way from intake to a letter; each order has an index that
-- ends with the id, so that a page, even the last of 20,000, is read from
-- the index alone (sqldb/applicant.go's applicantSorts; the status
-- expression must stay the same text as applicantStatusRank; the status
-- itself, last, lets SQLite read the page from the index alone).
CREATE INDEX applicants_received ON applicants (organization_id, created_at, id);
CREATE INDEX applicants_updated ON applicants (organization_id, updated_at, id);
CREATE INDEX applicants_status_rank ON applicants (organization_id, (CASE status WHEN 'new' THEN 0 WHEN 'screening' THEN 1 WHEN 'eligible' THEN 2 WHEN 'waitlisted' THEN 3 WHEN 'matched' THEN 4 WHEN 'served' THEN 5 WHEN 'declined' THEN 6 WHEN 'closed' THEN 7 ELSE 8 END), created_at, id, status);
CREATE INDEX applicants_status_received ON applicants (organization_id, status, created_at, id);

-- +goose Down
DROP INDEX applicants_status_received;
DROP INDEX applicants_status_rank;
DROP INDEX applicants_updated;
DROP INDEX applicants_received;

-- +goose Up
-- Who prepared a letter and who sent it for approval, for its page (the
-- approver is approved_by). Letters made before are read from the audit
-- trail, which records both steps.
ALTER TABLE letters ADD COLUMN created_by TEXT NOT NULL DEFAULT '';
ALTER TABLE letters ADD COLUMN submitted_by TEXT NOT NULL DEFAULT '';
UPDATE letters SET created_by = COALESCE((SELECT a.actor_id FROM audit_events a
    WHERE a.record_type = 'letter' AND a.record_id = letters.id AND a.action = 'letter.create' ORDER BY a.seq LIMIT 1), approved_by);
UPDATE letters SET submitted_by = COALESCE((SELECT a.actor_id FROM audit_events a
    WHERE a.record_type = 'letter' AND a.record_id = letters.id AND a.action = 'letter.submit' ORDER BY a.seq LIMIT 1), '');
-- Letter lists sort by when made, issued, until when valid and status,
-- client lists by when changed; each order has its index, the ID last, so
-- that no page sorts (the first page and the last alike).
DROP INDEX letters_organization;
CREATE INDEX letters_organization ON letters (organization_id, status, created_at DESC, id DESC);
CREATE INDEX letters_organization_created ON letters (organization_id, created_at, id);
CREATE INDEX letters_organization_issued ON letters (organization_id, issued_at, id);
CREATE INDEX letters_organization_until ON letters (organization_id, valid_until, id);
CREATE INDEX letters_member ON letters (member_id, created_at, id);
CREATE INDEX clients_organization_updated ON clients (organization_id, updated_at, id);

-- +goose Down
DROP INDEX clients_organization_updated;
DROP INDEX letters_member;
DROP INDEX letters_organization_until;
DROP INDEX letters_organization_issued;
DROP INDEX letters_organization_created;
DROP INDEX letters_organization;
CREATE INDEX letters_organization ON letters (organization_id, status);
ALTER TABLE letters DROP COLUMN submitted_by;
ALTER TABLE letters DROP COLUMN created_by;

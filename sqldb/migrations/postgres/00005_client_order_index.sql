-- +goose Up
-- Client lists page by (created_at, id): index both, so no page sorts.
DROP INDEX clients_organization;
CREATE INDEX clients_organization ON clients (organization_id, created_at, id);

-- +goose Down
DROP INDEX clients_organization;
CREATE INDEX clients_organization ON clients (organization_id, created_at);

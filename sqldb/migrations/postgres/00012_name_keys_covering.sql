-- +goose Up
-- The conflict check reads only the index: it names the record beside the key.
DROP INDEX name_keys_key;
CREATE INDEX name_keys_key ON name_keys (organization_id, key, record_type, record_id);

-- +goose Down
DROP INDEX name_keys_key;
CREATE INDEX name_keys_key ON name_keys (organization_id, key);

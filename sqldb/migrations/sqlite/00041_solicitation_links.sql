-- +goose Up
-- A solicitation's public affidavit link, sealed under its own data key,
-- so that the procurement officer can find it again in the list of
-- solicitations (token_hash still finds the solicitation of a link).
-- Solicitations made before have none: their link was shown once.
ALTER TABLE solicitations ADD COLUMN token_wrapped_key BLOB;
ALTER TABLE solicitations ADD COLUMN token_sealed BLOB;

-- +goose Down
ALTER TABLE solicitations DROP COLUMN token_sealed;
ALTER TABLE solicitations DROP COLUMN token_wrapped_key;

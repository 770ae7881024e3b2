-- +goose Up
-- Vendors of an organization, their solicitations' public affidavit links,
-- affidavits, screenings and reviewers' decisions on hits. A vendor may be
-- one person trading under their own name: names, address, affidavits and
-- reasons are sealed under each record's data key. Screenings keep their
-- results sealed too, and in clear only the versions they used and the
-- SHA-256 of their results, so that they can be reproduced.
CREATE TABLE vendors (
    id              TEXT PRIMARY KEY,
    organization_id TEXT NOT NULL REFERENCES organizations (id),
    wrapped_key     BYTEA NOT NULL,
    sealed          BYTEA NOT NULL,
    created_at      TIMESTAMPTZ NOT NULL
);
CREATE INDEX vendors_organization ON vendors (organization_id);
CREATE TABLE solicitations (
    id              TEXT PRIMARY KEY,
    organization_id TEXT NOT NULL REFERENCES organizations (id),
    token_hash      BYTEA NOT NULL UNIQUE,
    title           TEXT NOT NULL,
    created_at      TIMESTAMPTZ NOT NULL
);
CREATE TABLE vendor_affidavits (
    id              TEXT PRIMARY KEY,
    vendor_id       TEXT NOT NULL REFERENCES vendors (id),
    solicitation_id TEXT NOT NULL REFERENCES solicitations (id),
    border_wall     BIGINT NOT NULL,
    form_version    TEXT NOT NULL,
    wrapped_key     BYTEA NOT NULL,
    sealed          BYTEA NOT NULL,
    signed_at       TIMESTAMPTZ NOT NULL
);
CREATE INDEX vendor_affidavits_vendor ON vendor_affidavits (vendor_id, signed_at);
CREATE TABLE vendor_screenings (
    id               TEXT PRIMARY KEY,
    organization_id  TEXT NOT NULL REFERENCES organizations (id),
    vendor_id        TEXT NOT NULL REFERENCES vendors (id),
    at               TIMESTAMPTZ NOT NULL,
    day              TEXT NOT NULL,
    policy_version   BIGINT NOT NULL,
    registry_version BIGINT NOT NULL,
    registry_hash    TEXT NOT NULL,
    algorithm        TEXT NOT NULL,
    result_hash      TEXT NOT NULL,
    author           TEXT NOT NULL,
    wrapped_key      BYTEA NOT NULL,
    sealed           BYTEA NOT NULL
);
CREATE INDEX vendor_screenings_vendor ON vendor_screenings (vendor_id, at);
CREATE TABLE vendor_hit_decisions (
    vendor_id   TEXT NOT NULL REFERENCES vendors (id),
    entity_id   TEXT NOT NULL,
    entity_hash TEXT NOT NULL,
    verdict     TEXT NOT NULL,
    author      TEXT NOT NULL,
    at          TIMESTAMPTZ NOT NULL,
    wrapped_key BYTEA NOT NULL,
    sealed      BYTEA NOT NULL,
    PRIMARY KEY (vendor_id, entity_id)
);

-- +goose Down
DROP TABLE vendor_hit_decisions;
DROP TABLE vendor_screenings;
DROP TABLE vendor_affidavits;
DROP TABLE solicitations;
DROP TABLE vendors;

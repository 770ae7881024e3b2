-- +goose Up
-- The border-wall contractor registry, versioned: each record (entity,
-- relation or involvement) is a JSON document valid from the version that
-- wrote it until the version that replaced or removed it (NULL: still in
-- force), so every older version stays readable. The records are compiled
-- from public sources, not about the program's clients.
CREATE TABLE registry_versions (
    number       INTEGER PRIMARY KEY,
    author       TEXT NOT NULL,
    reason       TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    hash         TEXT NOT NULL,
    entities     INTEGER NOT NULL,
    relations    INTEGER NOT NULL,
    involvements INTEGER NOT NULL
);
CREATE TABLE registry_records (
    kind         TEXT NOT NULL,
    id           TEXT NOT NULL,
    version_from INTEGER NOT NULL REFERENCES registry_versions (number),
    version_to   INTEGER REFERENCES registry_versions (number),
    doc          TEXT NOT NULL,
    PRIMARY KEY (kind, id, version_from)
);
CREATE INDEX registry_records_current ON registry_records (kind, id) WHERE version_to IS NULL;
-- The screening policy's versions, newest last: the newest is in force.
CREATE TABLE screening_policies (
    version    INTEGER PRIMARY KEY AUTOINCREMENT,
    text       TEXT NOT NULL,
    author     TEXT NOT NULL,
    reason     TEXT NOT NULL,
    created_at TEXT NOT NULL
);

-- +goose Down
DROP TABLE screening_policies;
DROP TABLE registry_records;
DROP TABLE registry_versions;

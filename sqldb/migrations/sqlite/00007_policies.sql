-- +goose Up
-- The priority policy's versions, newest last: the newest is in force.
CREATE TABLE policies (
    version    INTEGER PRIMARY KEY AUTOINCREMENT,
    text       TEXT NOT NULL,
    author     TEXT NOT NULL,
    reason     TEXT NOT NULL,
    created_at TEXT NOT NULL
);

-- +goose Down
DROP TABLE policies;

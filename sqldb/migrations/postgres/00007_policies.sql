-- +goose Up
-- The priority policy's versions, newest last: the newest is in force.
CREATE TABLE policies (
    version    BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    text       TEXT NOT NULL,
    author     TEXT NOT NULL,
    reason     TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);

-- +goose Down
DROP TABLE policies;

-- +goose Up
-- How many copies of each material a workshop handed out, as the organizer
-- recorded them: counts only, never to whom. Kept when the attendees'
-- details are erased.
CREATE TABLE workshop_handed_out (
    workshop_id TEXT NOT NULL REFERENCES workshops (id),
    material    TEXT NOT NULL,
    handed      INTEGER NOT NULL,
    updated_at  TEXT NOT NULL,
    PRIMARY KEY (workshop_id, material)
);

-- +goose Down
DROP TABLE workshop_handed_out;

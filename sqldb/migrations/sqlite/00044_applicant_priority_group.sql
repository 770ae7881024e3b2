-- +goose Up
-- An applicant's priority group as the queue last ranked it: the name of
-- the rule of the best tier that applied ('none' when no rule applied),
-- and the policy version it was ranked under (0: the shipped default).
-- A label of the policy, never the facts behind it. Rows made before
-- this migration are 'unknown' until the line is next ranked (the queue,
-- an intake or a policy change ranks it and writes the group back).
ALTER TABLE applicants ADD COLUMN priority_group TEXT NOT NULL DEFAULT 'unknown';
ALTER TABLE applicants ADD COLUMN priority_policy INTEGER NOT NULL DEFAULT 0;
CREATE INDEX applicants_created_group ON applicants (created_at, priority_group);

-- +goose Down
DROP INDEX applicants_created_group;
ALTER TABLE applicants DROP COLUMN priority_policy;
ALTER TABLE applicants DROP COLUMN priority_group;

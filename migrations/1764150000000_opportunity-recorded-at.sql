-- Up Migration

-- When a sweep recorded the opportunity (issue 14): with handed_off_at and the bets' created_at/placed_at
-- it times each step from detection to placement. Rows recorded before this column stay NULL (unknown),
-- rather than taking the migration's time.
ALTER TABLE opportunities ADD COLUMN recorded_at TIMESTAMPTZ;
ALTER TABLE opportunities ALTER COLUMN recorded_at SET DEFAULT now();

-- Down Migration
ALTER TABLE opportunities DROP COLUMN recorded_at;

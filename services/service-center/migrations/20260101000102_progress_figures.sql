-- Deadline clock pauses, per-item decisions and the figures of the efficiency statistics.
ALTER TABLE cases ADD COLUMN clock_paused_on TEXT;
ALTER TABLE cases ADD COLUMN paused_working_days BIGINT NOT NULL DEFAULT 0;
ALTER TABLE cases ADD COLUMN supplements BIGINT NOT NULL DEFAULT 0;
ALTER TABLE cases ADD COLUMN trips BIGINT NOT NULL DEFAULT 0;
ALTER TABLE cases ADD COLUMN documents BIGINT NOT NULL DEFAULT 0;
ALTER TABLE cases ADD COLUMN completed_on TEXT;
ALTER TABLE case_items ADD COLUMN decided_on TEXT;
ALTER TABLE case_items ADD COLUMN due_on TEXT;

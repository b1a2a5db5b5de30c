-- Optimistic lock, as every changed row of the system has one: each change of a permit is
-- made at the version it was read at and moves it on, so of two concurrent changes
-- exactly one wins (the other is told the permit changed meanwhile).
ALTER TABLE permits ADD COLUMN version BIGINT NOT NULL DEFAULT 0;

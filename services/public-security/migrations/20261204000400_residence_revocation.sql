-- The work permit's first day (a residence permit starts no earlier; '' for older cases)
-- and the officer's resolution of a residence permit up for revocation after its work
-- permit's cancellation: revoked from a date, or kept for a reason.
ALTER TABLE residence_cases ADD COLUMN permit_valid_from TEXT NOT NULL DEFAULT '';
ALTER TABLE residence_cases ADD COLUMN revocation TEXT;
ALTER TABLE residence_cases ADD COLUMN revocation_reason TEXT;
ALTER TABLE residence_cases ADD COLUMN revoked_on TEXT;
ALTER TABLE residence_cases ADD COLUMN revocation_decided_by TEXT;
ALTER TABLE residence_cases ADD COLUMN revocation_decided_at BIGINT;

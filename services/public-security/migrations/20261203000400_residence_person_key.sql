-- Whose residence file: the applicant's person key (from `permit-approved`), so every read
-- of the file names the person in the access log. Files opened earlier keep '' and are
-- found by their case id.
ALTER TABLE residence_cases ADD COLUMN person_key TEXT NOT NULL DEFAULT '';

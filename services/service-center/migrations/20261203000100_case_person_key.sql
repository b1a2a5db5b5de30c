-- The applicant's person key beside the case, so every read of the case names whose data
-- it was in the access log without opening the submission. Cases accepted earlier get it
-- at start (startup.rs).
ALTER TABLE cases ADD COLUMN person_key TEXT NOT NULL DEFAULT '';
CREATE INDEX cases_person_key ON cases (person_key);

-- The one-thing case's number, carried by `permit-approved`, so that the counter finds a
-- case by it and the queue shows it without reading every case from service-center.
ALTER TABLE residence_cases ADD COLUMN case_no TEXT NOT NULL DEFAULT '';

-- Reads of personal data name the case they concern and why they were made (API.md's
-- access log: `case_id`, `purpose`). Empty where an entry has neither.
ALTER TABLE audit_log ADD COLUMN case_id TEXT NOT NULL DEFAULT '';
ALTER TABLE audit_log ADD COLUMN purpose TEXT NOT NULL DEFAULT '';
CREATE INDEX audit_log_case ON audit_log (case_id, at);

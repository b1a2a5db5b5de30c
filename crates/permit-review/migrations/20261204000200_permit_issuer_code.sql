-- The electronic work permit (issue 9.9): the office that issues the permit, named when the
-- application opens (the classification's issuer for its category and the employer's
-- region), and the verification code printed on the e-permit, set on approval.
-- Rows from before have neither: the issuer is derived from the stored application when
-- read, and an approved permit gets its code on the first download (store::ensure_code).
ALTER TABLE permits ADD COLUMN issuer TEXT;
ALTER TABLE permits ADD COLUMN verification_code TEXT;
-- Unique (NULLs apart on both backends): a code names one permit.
CREATE UNIQUE INDEX permits_verification_code ON permits (verification_code);

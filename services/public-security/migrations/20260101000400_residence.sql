-- Work-type residence permit cases (public security exit-entry).

CREATE TABLE residence_cases (
    id                  TEXT PRIMARY KEY,
    case_id             TEXT NOT NULL UNIQUE,
    status              TEXT NOT NULL,
    permit_number       TEXT NOT NULL,
    permit_valid_until  TEXT NOT NULL,
    -- Applicant identity from the permit (protobuf, base64): personal data, never logged.
    applicant           TEXT NOT NULL,
    opened_at           BIGINT NOT NULL
);

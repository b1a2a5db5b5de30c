-- Work-permit applications of one department (science-tech: A/B, hrss: C).

CREATE TABLE permits (
    case_id        TEXT PRIMARY KEY,
    case_no        TEXT NOT NULL,
    department     TEXT NOT NULL,
    category       TEXT NOT NULL,
    status         TEXT NOT NULL,
    -- The case-accepted event as received (protobuf, base64): employer, applicant, position.
    application    TEXT NOT NULL,
    permit_number  TEXT UNIQUE,
    valid_from     TEXT,
    valid_until    TEXT,
    reasons        TEXT NOT NULL DEFAULT '[]',
    opened_at      BIGINT NOT NULL,
    decided_at     BIGINT,
    decided_by     TEXT
);
CREATE INDEX permits_queue ON permits (status, opened_at);

-- Permit numbers: one counter per department and year.
CREATE TABLE permit_counters (
    scope  TEXT PRIMARY KEY,
    value  BIGINT NOT NULL
);

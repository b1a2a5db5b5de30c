-- The one-thing case and the progress view of its items, built from department events.

CREATE TABLE cases (
    id                   TEXT PRIMARY KEY,
    case_no              TEXT NOT NULL UNIQUE,
    employer_credit_code TEXT NOT NULL,
    employer_name        TEXT NOT NULL,
    category             TEXT NOT NULL,
    department           TEXT NOT NULL,
    status               TEXT NOT NULL,
    submitted_at         BIGINT NOT NULL,
    accepted_on          TEXT NOT NULL,
    due_committed        TEXT NOT NULL,
    due_statutory        TEXT NOT NULL,
    due_estimated        BIGINT NOT NULL,
    -- The submission as accepted (JSON). Holds personal data: never logged.
    submission           TEXT NOT NULL,
    updated_at           BIGINT NOT NULL
);
CREATE INDEX cases_employer ON cases (employer_credit_code, submitted_at);
CREATE INDEX cases_status ON cases (status);

CREATE TABLE case_items (
    case_id     TEXT NOT NULL REFERENCES cases (id),
    item        TEXT NOT NULL,
    department  TEXT NOT NULL,
    status      TEXT NOT NULL,
    result      TEXT NOT NULL DEFAULT '{}',
    updated_at  BIGINT NOT NULL,
    PRIMARY KEY (case_id, item)
);
CREATE INDEX case_items_department ON case_items (department, status);

CREATE TABLE case_timeline (
    id       TEXT PRIMARY KEY,
    case_id  TEXT NOT NULL REFERENCES cases (id),
    at       BIGINT NOT NULL,
    event    TEXT NOT NULL,
    item     TEXT NOT NULL,
    detail   TEXT NOT NULL
);
CREATE INDEX case_timeline_case ON case_timeline (case_id, at);

CREATE TABLE case_materials (
    case_id      TEXT NOT NULL REFERENCES cases (id),
    kind         TEXT NOT NULL,
    material_id  TEXT NOT NULL,
    PRIMARY KEY (case_id, kind, material_id)
);

-- Human case numbers: one counter per day.
CREATE TABLE case_counters (
    day    TEXT PRIMARY KEY,
    value  BIGINT NOT NULL
);

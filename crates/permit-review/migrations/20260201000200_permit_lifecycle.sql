-- Lifecycle of a permit after its first decision (supplement requests, change, extension,
-- cancellation) and the lifelong permit number per person (一人一号, FACTS §4.3).

-- A person keeps one number across cases, so `permits.permit_number` can no longer be
-- unique. SQLite cannot drop a constraint in place: the table is rebuilt (same on both
-- backends), with the new columns.
CREATE TABLE permits_v2 (
    case_id        TEXT PRIMARY KEY,
    case_no        TEXT NOT NULL,
    department     TEXT NOT NULL,
    category       TEXT NOT NULL,
    status         TEXT NOT NULL,
    -- The case-accepted event as received (protobuf, base64), with later changes of the
    -- employer and position applied.
    application    TEXT NOT NULL,
    permit_number  TEXT,
    valid_from     TEXT,
    valid_until    TEXT,
    reasons        TEXT NOT NULL DEFAULT '[]',
    opened_at      BIGINT NOT NULL,
    decided_at     BIGINT,
    decided_by     TEXT,
    -- The last supplement request (JSON array of material codes, the reviewer's note).
    requested_materials     TEXT NOT NULL DEFAULT '[]',
    supplement_note         TEXT NOT NULL DEFAULT '',
    -- Set while the permit waits for the employer.
    supplement_requested_at BIGINT,
    -- Working days spent waiting for the employer, not counted as the department's.
    paused_working_days     BIGINT NOT NULL DEFAULT 0,
    cancellation_reason     TEXT,
    cancelled_at            BIGINT,
    updated_at              BIGINT
);
INSERT INTO permits_v2 (case_id, case_no, department, category, status, application, permit_number, valid_from,
                        valid_until, reasons, opened_at, decided_at, decided_by, updated_at)
SELECT case_id, case_no, department, category, status, application, permit_number, valid_from,
       valid_until, reasons, opened_at, decided_at, decided_by, COALESCE(decided_at, opened_at)
FROM permits;
DROP TABLE permits;
ALTER TABLE permits_v2 RENAME TO permits;
CREATE INDEX permits_queue ON permits (status, opened_at);
CREATE INDEX permits_number ON permits (permit_number);

-- One permit number per person for life. `person_key` is the hex SHA-256 of
-- `nationality|birth_date|PASSPORT_NUMBER` (no personal data stored in clear).
-- Permits approved before this table existed get their row at start-up
-- (`PermitDesk::backfill_persons`).
CREATE TABLE permit_persons (
    person_key     TEXT PRIMARY KEY,
    permit_number  TEXT NOT NULL UNIQUE,
    created_at     BIGINT NOT NULL
);

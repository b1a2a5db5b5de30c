-- The residence permit's steps: entry, counter application and receipt, verifications,
-- decision, pickup, and the work permit's cancellation. Portable between PostgreSQL and
-- SQLite: dates as TEXT, instants as BIGINT epoch ms, flags as BIGINT 0/1.

-- The employer owning the case (from `permit-approved`), who may record the entry date.
ALTER TABLE residence_cases ADD COLUMN employer_credit_code TEXT NOT NULL DEFAULT '';
ALTER TABLE residence_cases ADD COLUMN employer_kind TEXT NOT NULL DEFAULT '';
ALTER TABLE residence_cases ADD COLUMN entry_date TEXT;
ALTER TABLE residence_cases ADD COLUMN apply_by TEXT;
-- The counter application and its receipt (受理回执).
ALTER TABLE residence_cases ADD COLUMN applied_on TEXT;
ALTER TABLE residence_cases ADD COLUMN paper_materials TEXT;
ALTER TABLE residence_cases ADD COLUMN passport_lost BIGINT NOT NULL DEFAULT 0;
ALTER TABLE residence_cases ADD COLUMN received_by TEXT;
ALTER TABLE residence_cases ADD COLUMN receipt_number TEXT;
ALTER TABLE residence_cases ADD COLUMN receipt_valid_until TEXT;
ALTER TABLE residence_cases ADD COLUMN decision_due TEXT;
ALTER TABLE residence_cases ADD COLUMN decision_due_counted_in TEXT;
ALTER TABLE residence_cases ADD COLUMN decision_due_count BIGINT;
ALTER TABLE residence_cases ADD COLUMN decision_due_estimated BIGINT NOT NULL DEFAULT 0;
-- The decision.
ALTER TABLE residence_cases ADD COLUMN decision TEXT;
ALTER TABLE residence_cases ADD COLUMN reasons TEXT;
ALTER TABLE residence_cases ADD COLUMN decided_at BIGINT;
ALTER TABLE residence_cases ADD COLUMN decided_by TEXT;
ALTER TABLE residence_cases ADD COLUMN residence_permit_number TEXT;
ALTER TABLE residence_cases ADD COLUMN rp_valid_from TEXT;
ALTER TABLE residence_cases ADD COLUMN rp_valid_until TEXT;
-- The pickup. The proxy's identity and the mail address are personal data: never logged.
ALTER TABLE residence_cases ADD COLUMN pickup_method TEXT;
ALTER TABLE residence_cases ADD COLUMN pickup_proxy_name TEXT;
ALTER TABLE residence_cases ADD COLUMN pickup_proxy_id_number TEXT;
ALTER TABLE residence_cases ADD COLUMN pickup_mail_address TEXT;
ALTER TABLE residence_cases ADD COLUMN pickup_mail_tracking TEXT;
ALTER TABLE residence_cases ADD COLUMN picked_up_at BIGINT;
ALTER TABLE residence_cases ADD COLUMN picked_up_by TEXT;
-- The work permit was cancelled after the residence permit was issued (flagged for review).
ALTER TABLE residence_cases ADD COLUMN work_permit_cancelled BIGINT NOT NULL DEFAULT 0;
-- Optimistic lock: every step moves it on, so two officers never both win one step.
ALTER TABLE residence_cases ADD COLUMN version BIGINT NOT NULL DEFAULT 0;
ALTER TABLE residence_cases ADD COLUMN updated_at BIGINT;

CREATE INDEX residence_cases_queue ON residence_cases (status, opened_at);

-- Interviews, phone checks and site visits, oldest first; the last one is current.
CREATE TABLE residence_verifications (
    id            TEXT PRIMARY KEY,
    case_id       TEXT NOT NULL,
    method        TEXT NOT NULL,
    scheduled_at  BIGINT NOT NULL,
    place         TEXT NOT NULL,
    scheduled_by  TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    outcome       TEXT,
    justified     BIGINT NOT NULL DEFAULT 0,
    note          TEXT,
    recorded_by   TEXT,
    recorded_at   BIGINT
);
CREATE INDEX residence_verifications_case ON residence_verifications (case_id, created_at);

-- Serial numbers of receipts (per day) and residence permits (per year).
CREATE TABLE residence_counters (
    scope  TEXT PRIMARY KEY,
    value  BIGINT NOT NULL
);

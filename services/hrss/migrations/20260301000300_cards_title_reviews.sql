-- Social security cards (社会保障卡) with the work permit loaded on them, and the title
-- eligibility review's decisions.

-- One card per social security number. Identity data of the real-person check is kept
-- only as a salted SHA-256 digest of `NAME|birth date|nationality` (no name in clear).
CREATE TABLE si_cards (
    social_security_number TEXT PRIMARY KEY,
    -- The case whose permit is loaded on the card (a later permit replaces it).
    case_id                TEXT NOT NULL,
    permit_number          TEXT NOT NULL,
    permit_valid_from      TEXT NOT NULL,
    permit_valid_until     TEXT NOT NULL,
    -- 'valid' | 'cancelled'
    permit_status          TEXT NOT NULL,
    -- Time (epoch ms) of the permit event the info comes from: older events never overwrite it.
    permit_info_at         BIGINT NOT NULL,
    -- 'issued' | 'active'
    status                 TEXT NOT NULL,
    identity_salt          TEXT NOT NULL,
    identity_digest        TEXT NOT NULL,
    -- Refused real-person checks since the last success or lock.
    failed_attempts        BIGINT NOT NULL DEFAULT 0,
    locked_until           BIGINT,
    issued_at              BIGINT NOT NULL,
    activated_at           BIGINT,
    updated_at             BIGINT NOT NULL
);
CREATE INDEX si_cards_permit ON si_cards (permit_number);

-- Title reviews: where eligibility counts from, and the decision.
ALTER TABLE title_reviews ADD COLUMN work_start TEXT;
ALTER TABLE title_reviews ADD COLUMN gansu_service_since TEXT;
ALTER TABLE title_reviews ADD COLUMN reasons TEXT NOT NULL DEFAULT '[]';
ALTER TABLE title_reviews ADD COLUMN recommendation_report TEXT;
ALTER TABLE title_reviews ADD COLUMN decided_at BIGINT;
ALTER TABLE title_reviews ADD COLUMN decided_by TEXT;
CREATE INDEX title_reviews_queue ON title_reviews (status, eligible_on);

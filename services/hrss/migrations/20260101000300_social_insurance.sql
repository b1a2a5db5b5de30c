-- Social insurance registrations and title eligibility reviews (hrss).

-- One social security number per person, for life (FACTS §4.2).
CREATE TABLE si_persons (
    person_key             TEXT PRIMARY KEY,
    social_security_number TEXT NOT NULL UNIQUE,
    created_at             BIGINT NOT NULL
);

CREATE TABLE si_registrations (
    case_id                TEXT PRIMARY KEY,
    person_key             TEXT NOT NULL REFERENCES si_persons (person_key),
    social_security_number TEXT NOT NULL,
    permit_number          TEXT NOT NULL,
    insurances             TEXT NOT NULL,
    registered_at          BIGINT NOT NULL,
    due_on                 TEXT NOT NULL
);

CREATE TABLE si_counters (
    scope  TEXT PRIMARY KEY,
    value  BIGINT NOT NULL
);

CREATE TABLE title_reviews (
    case_id      TEXT PRIMARY KEY,
    status       TEXT NOT NULL,
    eligible_on  TEXT NOT NULL,
    queued_at    BIGINT NOT NULL
);

-- Shared plumbing tables, portable between PostgreSQL and SQLite.

-- Transactional outbox: written in the same transaction as the state change it reports.
CREATE TABLE outbox (
    event_id      TEXT PRIMARY KEY,
    topic         TEXT NOT NULL,
    event_key     TEXT NOT NULL,
    ce_type       TEXT NOT NULL,
    payload_b64   TEXT NOT NULL,
    traceparent   TEXT,
    created_at    BIGINT NOT NULL,
    published_at  BIGINT,
    attempts      BIGINT NOT NULL DEFAULT 0,
    -- A relay leases rows while it sends them, so replicas never send the same row at once.
    claimed_until BIGINT,
    last_error    TEXT
);
CREATE INDEX outbox_unpublished ON outbox (published_at, created_at);

-- Inbox: one row per (consumer, event) applied, in the same transaction as its effect.
CREATE TABLE processed_events (
    consumer      TEXT NOT NULL,
    event_id      TEXT NOT NULL,
    topic         TEXT NOT NULL,
    processed_at  BIGINT NOT NULL,
    PRIMARY KEY (consumer, event_id)
);

-- Idempotency keys of commands: (caller, key) → the first response.
CREATE TABLE idempotency (
    caller        TEXT NOT NULL,
    idem_key      TEXT NOT NULL,
    request_hash  TEXT NOT NULL,
    response_ref  TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    PRIMARY KEY (caller, idem_key)
);

-- Audit trail of access to personal data and of decisions.
CREATE TABLE audit_log (
    id            TEXT PRIMARY KEY,
    at            BIGINT NOT NULL,
    actor_role    TEXT NOT NULL,
    actor_subject TEXT NOT NULL,
    actor_department TEXT NOT NULL,
    action        TEXT NOT NULL,
    resource      TEXT NOT NULL,
    outcome       TEXT NOT NULL
);
CREATE INDEX audit_log_resource ON audit_log (resource, at);

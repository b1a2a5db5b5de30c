-- The ops read model. Rows carry ids, types and reasons only: never a payload field, so no
-- personal data lands here (a dead letter's payload stays on its Kafka topic).

-- One row per record seen on a topic; the key makes a redelivery count once.
CREATE TABLE ops_events (
    topic        TEXT NOT NULL,
    partition_no BIGINT NOT NULL,
    offset_no    BIGINT NOT NULL,
    ce_type      TEXT NOT NULL,
    -- The publishing service (the CloudEvents source without its prefix).
    source       TEXT NOT NULL,
    -- Epoch milliseconds of the event (ce_time; the broker's timestamp when absent).
    at           BIGINT NOT NULL,
    PRIMARY KEY (topic, partition_no, offset_no)
);
CREATE INDEX ops_events_at ON ops_events (at);

-- One row per record of a dead-letter topic.
CREATE TABLE ops_dead_letters (
    id             TEXT PRIMARY KEY,
    dlq_topic      TEXT NOT NULL,
    partition_no   BIGINT NOT NULL,
    offset_no      BIGINT NOT NULL,
    topic          TEXT NOT NULL,
    record_key     TEXT NOT NULL,
    ce_type        TEXT NOT NULL,
    ce_id          TEXT NOT NULL,
    reason         TEXT NOT NULL,
    consumer_group TEXT NOT NULL,
    payload_bytes  BIGINT NOT NULL,
    dead_lettered_at BIGINT NOT NULL,
    replayed_at    BIGINT,
    replayed_by    TEXT,
    version        BIGINT NOT NULL DEFAULT 0,
    UNIQUE (dlq_topic, partition_no, offset_no)
);
CREATE INDEX ops_dead_letters_topic ON ops_dead_letters (topic, dead_lettered_at);

-- The audit log becomes an append-only hash chain per service (docs/security.md):
-- each entry's `hash` is SHA-256 over its content and `prev_hash`, the hash of the entry
-- before it; `seq` numbers the entries without gaps. Rows written before this change
-- are sealed into the chain at start (oldest first), then never changed again.
ALTER TABLE audit_log ADD COLUMN seq BIGINT;
ALTER TABLE audit_log ADD COLUMN service TEXT NOT NULL DEFAULT '';
-- Whose data: the person key of the applicant the entry concerns ('' for none).
ALTER TABLE audit_log ADD COLUMN person TEXT NOT NULL DEFAULT '';
-- Which fields were read or shared, comma-separated ('' for a whole record or none).
ALTER TABLE audit_log ADD COLUMN fields TEXT NOT NULL DEFAULT '';
ALTER TABLE audit_log ADD COLUMN prev_hash TEXT;
ALTER TABLE audit_log ADD COLUMN hash TEXT;
CREATE UNIQUE INDEX audit_log_seq ON audit_log (seq);
CREATE INDEX audit_log_person ON audit_log (person, at);
CREATE INDEX audit_log_at ON audit_log (at, seq);

-- The head of the chain (one row): the last entry's number and hash. Appending updates it
-- in the same transaction, which serialises writers. `anchor_*` is where the kept chain
-- starts once entries past the retention period are pruned; `checkpoint_seq` is the last
-- head published to `audit-checkpoint`.
CREATE TABLE audit_head (
    id             BIGINT PRIMARY KEY,
    service        TEXT NOT NULL,
    seq            BIGINT NOT NULL,
    hash           TEXT NOT NULL,
    anchor_seq     BIGINT NOT NULL,
    anchor_hash    TEXT NOT NULL,
    checkpoint_seq BIGINT NOT NULL
);
INSERT INTO audit_head (id, service, seq, hash, anchor_seq, anchor_hash, checkpoint_seq)
VALUES (1, '', 0, '0000000000000000000000000000000000000000000000000000000000000000', 0,
        '0000000000000000000000000000000000000000000000000000000000000000', 0);

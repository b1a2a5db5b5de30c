-- Cancellations seen, so that a permit-approved arriving after its own cancellation (the two
-- travel on different topics) cannot leave a valid card or a queued title review behind.
CREATE TABLE cancelled_permits (
    case_id        TEXT PRIMARY KEY,
    permit_number  TEXT NOT NULL,
    cancelled_at   BIGINT NOT NULL
);

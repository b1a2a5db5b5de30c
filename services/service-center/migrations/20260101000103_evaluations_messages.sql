-- 好差评 (one rating per finished item) and consultations / complaints with answers.

CREATE TABLE evaluations (
    case_id   TEXT NOT NULL REFERENCES cases (id),
    item      TEXT NOT NULL,
    rating    BIGINT NOT NULL,
    comment   TEXT NOT NULL,
    rated_by  TEXT NOT NULL,
    at        BIGINT NOT NULL,
    PRIMARY KEY (case_id, item)
);

CREATE TABLE case_messages (
    id            TEXT PRIMARY KEY,
    case_id       TEXT NOT NULL REFERENCES cases (id),
    kind          TEXT NOT NULL,
    channel       TEXT NOT NULL,
    body          TEXT NOT NULL,
    author_role   TEXT NOT NULL,
    author        TEXT NOT NULL,
    at            BIGINT NOT NULL,
    answer        TEXT,
    answered_by   TEXT,
    answered_at   BIGINT
);
CREATE INDEX case_messages_case ON case_messages (case_id, at);

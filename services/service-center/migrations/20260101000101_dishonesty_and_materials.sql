-- The serious-dishonesty list (replaced as a whole by an administrator) and uploads.

CREATE TABLE dishonesty_list (
    credit_code  TEXT PRIMARY KEY,
    added_at     BIGINT NOT NULL
);

-- One row: the list's version, bumped on every replacement so replicas reload it.
CREATE TABLE dishonesty_list_meta (
    id           BIGINT PRIMARY KEY,
    version      BIGINT NOT NULL,
    replaced_at  BIGINT NOT NULL,
    replaced_by  TEXT NOT NULL
);

-- Uploaded materials; the bytes live in the document store under their SHA-256.
CREATE TABLE materials (
    id            TEXT PRIMARY KEY,
    owner         TEXT NOT NULL,
    kind          TEXT NOT NULL,
    content_type  TEXT NOT NULL,
    sha256        TEXT NOT NULL,
    size          BIGINT NOT NULL,
    uploaded_at   BIGINT NOT NULL
);
CREATE INDEX materials_owner ON materials (owner, uploaded_at);

-- Inbound messages, kept raw in the blob store (sha256) before anything else,
-- and the durable job queue that processes them.

CREATE TABLE messages (
    id BIGSERIAL PRIMARY KEY,
    received_at TEXT NOT NULL,
    channel TEXT NOT NULL,
    source_name TEXT,
    sha256 TEXT NOT NULL,
    size_bytes BIGINT NOT NULL,
    message_id_header TEXT,
    sender TEXT,
    subject TEXT,
    status TEXT NOT NULL,
    kind TEXT,
    kind_reason TEXT,
    error TEXT,
    duplicate_of BIGINT REFERENCES messages (id),
    documents_json TEXT,
    processed_at TEXT
);
-- One original per content and per Message-ID; repeats are stored as duplicates of it.
CREATE UNIQUE INDEX messages_original_sha256 ON messages (sha256) WHERE duplicate_of IS NULL;
CREATE UNIQUE INDEX messages_original_message_id ON messages (message_id_header)
    WHERE duplicate_of IS NULL AND message_id_header IS NOT NULL;
CREATE INDEX messages_by_status ON messages (status, id);

CREATE TABLE jobs (
    id BIGSERIAL PRIMARY KEY,
    message_id BIGINT NOT NULL REFERENCES messages (id),
    kind TEXT NOT NULL,
    status TEXT NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0,
    locked_until TEXT,
    last_error TEXT,
    created_at TEXT NOT NULL,
    finished_at TEXT
);
CREATE INDEX jobs_waiting ON jobs (status, id);

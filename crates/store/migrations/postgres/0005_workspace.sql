-- The review workspace: people and their sessions, API tokens for
-- integrations, the review queue's assignment and due times, and confirmed orders.

CREATE TABLE users (
    username TEXT PRIMARY KEY,
    display_name TEXT NOT NULL,
    role TEXT NOT NULL,
    -- argon2id in PHC string format
    password_hash TEXT NOT NULL,
    active BIGINT NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL
);

-- Only hashes of session and API tokens are stored: a copy of the database
-- does not let anyone in.
CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    username TEXT NOT NULL REFERENCES users (username),
    csrf_token TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX sessions_by_user ON sessions (username);

CREATE TABLE api_tokens (
    id BIGSERIAL PRIMARY KEY,
    name TEXT NOT NULL,
    username TEXT NOT NULL REFERENCES users (username),
    token_hash TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    last_used_at TEXT
);

ALTER TABLE drafts ADD COLUMN assigned_to TEXT;
ALTER TABLE drafts ADD COLUMN due_at TEXT;
ALTER TABLE drafts ADD COLUMN escalated BIGINT NOT NULL DEFAULT 0;
ALTER TABLE drafts ADD COLUMN status_reason TEXT;
UPDATE drafts SET due_at = created_at;
CREATE INDEX drafts_queue ON drafts (status, due_at, id);
-- The inbox narrowed to "in review" or "straight-through" pages by message id.
CREATE INDEX drafts_status_message ON drafts (status, message_id);

CREATE INDEX messages_by_kind ON messages (kind, id);
CREATE INDEX messages_by_channel ON messages (channel, id);

CREATE TABLE orders (
    id BIGSERIAL PRIMARY KEY,
    draft_id BIGINT NOT NULL UNIQUE REFERENCES drafts (id),
    message_id BIGINT NOT NULL REFERENCES messages (id),
    customer_no TEXT,
    po_number TEXT,
    status TEXT NOT NULL,
    currency TEXT,
    total TEXT,
    line_count BIGINT NOT NULL,
    -- the confirmed draft (contracts §2 shape) as it was confirmed or last amended
    content TEXT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1,
    confirmed_by TEXT NOT NULL,
    confirmed_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX orders_by_status ON orders (status, id);
CREATE INDEX orders_by_customer ON orders (customer_no, id);

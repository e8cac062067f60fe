-- Mail to customers: a row first, in the transaction of what caused it (a
-- message taken in, an order confirmed), then a worker sends it. The
-- dedupe key keeps a second one of the same kind from being queued (one
-- acknowledgement per thread and day).
CREATE TABLE mail_outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    message_id INTEGER REFERENCES messages (id),
    order_id INTEGER REFERENCES orders (id),
    dedupe_key TEXT NOT NULL UNIQUE,
    language TEXT NOT NULL,
    to_address TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    mail_message_id TEXT NOT NULL,
    in_reply_to TEXT,
    refs TEXT NOT NULL,
    status TEXT NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    last_error TEXT,
    created_at TEXT NOT NULL,
    sent_at TEXT
);
CREATE INDEX mail_outbox_due ON mail_outbox (status, next_attempt_at);
CREATE INDEX mail_outbox_message ON mail_outbox (message_id);

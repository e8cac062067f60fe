-- Quotes made from RFQs: the quote JSON of its current revision, where it
-- stands, and the revision a manager approved (approval belongs to one
-- revision). Every revision is kept in quote_revisions.
CREATE TABLE quotes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    message_id INTEGER NOT NULL REFERENCES messages (id),
    draft_id INTEGER NOT NULL REFERENCES drafts (id),
    customer_no TEXT NOT NULL,
    rfq_number TEXT,
    currency TEXT NOT NULL,
    status TEXT NOT NULL,
    revision BIGINT NOT NULL,
    approved_revision BIGINT,
    total TEXT NOT NULL,
    valid_until TEXT NOT NULL,
    content TEXT NOT NULL,
    rfq_received_at TEXT NOT NULL,
    due_at TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    sent_at TEXT,
    decided_at TEXT,
    lost_reason TEXT,
    status_note TEXT,
    order_id INTEGER REFERENCES orders (id),
    acceptance_message_id INTEGER REFERENCES messages (id),
    reminded_at TEXT,
    escalated_at TEXT
);
CREATE INDEX quotes_by_status ON quotes (status, valid_until, id);
CREATE INDEX quotes_by_sent ON quotes (sent_at);
CREATE INDEX quotes_by_received ON quotes (rfq_received_at);
CREATE INDEX quotes_by_message ON quotes (message_id);
CREATE INDEX quotes_by_customer ON quotes (customer_no, id);
CREATE TABLE quote_revisions (
    quote_id INTEGER NOT NULL REFERENCES quotes (id),
    revision BIGINT NOT NULL,
    content TEXT NOT NULL,
    total TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (quote_id, revision)
);

-- Draft orders and quotes made from inbound messages (the extraction JSON),
-- and what reviewers taught about senders' layouts.

CREATE TABLE drafts (
    id BIGSERIAL PRIMARY KEY,
    message_id BIGINT NOT NULL UNIQUE REFERENCES messages (id),
    kind TEXT NOT NULL,
    customer_no TEXT,
    po_number TEXT,
    decision TEXT NOT NULL,
    status TEXT NOT NULL,
    extraction TEXT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX drafts_customer_po ON drafts (customer_no, po_number);
CREATE INDEX drafts_by_status ON drafts (status, id);

CREATE TABLE layout_hints (
    sender TEXT NOT NULL,
    field TEXT NOT NULL,
    label TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (sender, field)
);

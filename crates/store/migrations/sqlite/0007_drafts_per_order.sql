-- A message may carry several orders (an EDI interchange with two purchase
-- orders): one draft per order, told apart by the document part it reads.
-- SQLite cannot drop the old one-draft-per-message constraint, so the drafts
-- table is rebuilt; the orders that refer to drafts are set aside and put
-- back, so that no foreign key points into a dropped table meanwhile.
CREATE TABLE orders_set_aside AS SELECT * FROM orders;
DROP TABLE orders;

CREATE TABLE drafts_rebuilt (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    message_id INTEGER NOT NULL REFERENCES messages (id),
    part TEXT NOT NULL DEFAULT '',
    kind TEXT NOT NULL,
    customer_no TEXT,
    po_number TEXT,
    decision TEXT NOT NULL,
    status TEXT NOT NULL,
    extraction TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    assigned_to TEXT,
    due_at TEXT,
    escalated INTEGER NOT NULL DEFAULT 0,
    status_reason TEXT
);
INSERT INTO drafts_rebuilt (id, message_id, part, kind, customer_no, po_number, decision, status, extraction,
    version, created_at, updated_at, assigned_to, due_at, escalated, status_reason)
SELECT id, message_id, '', kind, customer_no, po_number, decision, status, extraction,
    version, created_at, updated_at, assigned_to, due_at, escalated, status_reason FROM drafts;
DROP TABLE drafts;
ALTER TABLE drafts_rebuilt RENAME TO drafts;
CREATE UNIQUE INDEX drafts_message_part ON drafts (message_id, part);
CREATE INDEX drafts_customer_po ON drafts (customer_no, po_number);
CREATE INDEX drafts_by_status ON drafts (status, id);
CREATE INDEX drafts_queue ON drafts (status, due_at, id);
CREATE INDEX drafts_status_message ON drafts (status, message_id);

CREATE TABLE orders (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    draft_id INTEGER NOT NULL UNIQUE REFERENCES drafts (id),
    message_id INTEGER NOT NULL REFERENCES messages (id),
    customer_no TEXT,
    po_number TEXT,
    status TEXT NOT NULL,
    currency TEXT,
    total TEXT,
    line_count INTEGER NOT NULL,
    content TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    confirmed_by TEXT NOT NULL,
    confirmed_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
INSERT INTO orders SELECT * FROM orders_set_aside;
DROP TABLE orders_set_aside;
CREATE INDEX orders_by_status ON orders (status, id);
CREATE INDEX orders_by_customer ON orders (customer_no, id);

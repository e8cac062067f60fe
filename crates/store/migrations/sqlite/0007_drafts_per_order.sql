-- A message may carry several orders (an EDI interchange with two purchase
-- orders): one draft per order, told apart by the document part it reads.
-- SQLite cannot drop the old one-draft-per-message constraint, so the table
-- is rebuilt (orders that refer to drafts keep referring to it by name).
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

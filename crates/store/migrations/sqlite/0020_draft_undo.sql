-- What each correction of a draft changed, so the last one can be undone:
-- the draft as it was before, and a customer part number it taught with the
-- mapping it replaced. Undoing restores both and records it (undone_at).
CREATE TABLE draft_undo (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    draft_id INTEGER NOT NULL REFERENCES drafts (id),
    made_at TEXT NOT NULL,
    made_by TEXT NOT NULL,
    field TEXT NOT NULL,
    before_value TEXT,
    after_value TEXT,
    extraction TEXT NOT NULL,
    summary TEXT NOT NULL,
    decision TEXT NOT NULL,
    item_customer_no TEXT,
    item_part_no TEXT,
    item_sku TEXT,
    item_replaced_sku TEXT,
    item_existed INTEGER NOT NULL DEFAULT 0,
    undone_at TEXT,
    undone_by TEXT
);
CREATE INDEX draft_undo_by_draft ON draft_undo (draft_id, id);

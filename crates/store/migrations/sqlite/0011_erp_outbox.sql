-- Orders on their way to the ERP: a row is written in the transaction that
-- confirms (or amends) the order, then a worker delivers it, retrying with
-- backoff, until the ERP has it. One row per order version and action.
CREATE TABLE erp_outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    order_id INTEGER NOT NULL REFERENCES orders (id),
    order_version INTEGER NOT NULL,
    action TEXT NOT NULL,
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    last_error TEXT,
    erp_reference TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (order_id, order_version, action)
);
CREATE INDEX erp_outbox_due ON erp_outbox (status, next_attempt_at);

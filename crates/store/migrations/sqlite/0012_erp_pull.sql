-- What comes back from the ERP: the state of each order's sale there, and
-- one row per pull of master data and sale states (counts, the cursor the
-- next pull starts from, the error when it failed).
ALTER TABLE orders ADD COLUMN erp_status TEXT;
ALTER TABLE orders ADD COLUMN erp_sale TEXT;
CREATE TABLE erp_pulls (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    started_at TEXT NOT NULL,
    finished_at TEXT NOT NULL,
    status TEXT NOT NULL,
    products BIGINT NOT NULL DEFAULT 0,
    customers BIGINT NOT NULL DEFAULT 0,
    addresses BIGINT NOT NULL DEFAULT 0,
    stock BIGINT NOT NULL DEFAULT 0,
    orders BIGINT NOT NULL DEFAULT 0,
    skipped BIGINT NOT NULL DEFAULT 0,
    note TEXT,
    cursor TEXT
);

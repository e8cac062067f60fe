-- Master data, the event log and the blob index.
-- Decimals are stored as exact decimal text (never floats); dates as ISO text;
-- timestamps as RFC 3339 UTC text, which sorts in time order.
-- Nullable key parts of prices (customer_no, valid_from) are '' when unset,
-- so that the natural key stays unique.

CREATE TABLE products (
    sku TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL DEFAULT '',
    description TEXT,
    gtin TEXT,
    uom TEXT NOT NULL DEFAULT 'C62',
    pack_size TEXT NOT NULL DEFAULT '1',
    min_order_qty TEXT NOT NULL DEFAULT '1',
    list_price TEXT,
    currency TEXT,
    cost TEXT,
    lead_time_days BIGINT,
    product_group TEXT,
    active BIGINT NOT NULL DEFAULT 1,
    attributes TEXT NOT NULL DEFAULT ''
);
CREATE INDEX products_gtin ON products (gtin) WHERE gtin IS NOT NULL;

CREATE TABLE customers (
    customer_no TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL DEFAULT '',
    vat_id TEXT,
    email_domains TEXT NOT NULL DEFAULT '',
    emails TEXT NOT NULL DEFAULT '',
    language TEXT,
    currency TEXT,
    price_list TEXT,
    credit_limit TEXT,
    open_balance TEXT,
    payment_terms TEXT,
    territory TEXT,
    sales_rep TEXT,
    street TEXT,
    zip TEXT,
    city TEXT,
    country TEXT
);

CREATE TABLE ship_to_addresses (
    customer_no TEXT NOT NULL,
    address_id TEXT NOT NULL,
    name TEXT,
    street TEXT,
    zip TEXT,
    city TEXT,
    region TEXT,
    country TEXT,
    is_default BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (customer_no, address_id)
);

CREATE TABLE prices (
    price_list TEXT NOT NULL,
    sku TEXT NOT NULL,
    min_qty TEXT NOT NULL,
    customer_no TEXT NOT NULL DEFAULT '',
    valid_from TEXT NOT NULL DEFAULT '',
    unit_price TEXT NOT NULL,
    currency TEXT,
    valid_to TEXT,
    PRIMARY KEY (price_list, sku, min_qty, customer_no, valid_from)
);
CREATE INDEX prices_by_sku ON prices (sku);
CREATE INDEX prices_by_customer ON prices (customer_no) WHERE customer_no <> '';

CREATE TABLE customer_items (
    customer_no TEXT NOT NULL,
    customer_part_no TEXT NOT NULL,
    sku TEXT,
    customer_uom TEXT,
    factor TEXT,
    PRIMARY KEY (customer_no, customer_part_no)
);
CREATE INDEX customer_items_by_sku ON customer_items (sku);

CREATE TABLE stock (
    sku TEXT NOT NULL,
    warehouse TEXT NOT NULL,
    on_hand TEXT NOT NULL DEFAULT '0',
    reserved TEXT NOT NULL DEFAULT '0',
    next_receipt_date TEXT,
    next_receipt_qty TEXT,
    PRIMARY KEY (sku, warehouse)
);

CREATE TABLE events (
    id BIGSERIAL PRIMARY KEY,
    occurred_at TEXT NOT NULL,
    actor TEXT NOT NULL,
    entity_type TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    action TEXT NOT NULL,
    changes TEXT NOT NULL DEFAULT '[]'
);
CREATE INDEX events_by_entity ON events (entity_type, entity_id, id);

CREATE TABLE blobs (
    sha256 TEXT PRIMARY KEY NOT NULL,
    size_bytes BIGINT NOT NULL,
    stored_at TEXT NOT NULL
);

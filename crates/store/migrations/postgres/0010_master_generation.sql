-- Which state of the master data this is: the generation goes up in the
-- transaction of every write to products, customers, addresses, prices,
-- customer items or stock, so a saved catalog (index and price table) can
-- tell whether it is still current. The database id tells databases apart
-- that share a data folder.
CREATE TABLE master_generation (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    database_id TEXT NOT NULL,
    generation BIGINT NOT NULL
);
INSERT INTO master_generation (id, database_id, generation) VALUES (1, md5(random()::text || clock_timestamp()::text), 1);

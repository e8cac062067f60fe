-- A message may carry several orders (an EDI interchange with two purchase
-- orders): one draft per order, told apart by the document part it reads.
ALTER TABLE drafts DROP CONSTRAINT drafts_message_id_key;
ALTER TABLE drafts ADD COLUMN part TEXT NOT NULL DEFAULT '';
CREATE UNIQUE INDEX drafts_message_part ON drafts (message_id, part);

-- A kind a person gave a wrongly classified message: the next reading of
-- the message drafts it as this kind instead of what classification says.
ALTER TABLE messages ADD COLUMN kind_set TEXT;
ALTER TABLE messages ADD COLUMN kind_set_by TEXT;
